package dev.aegis.pipeline.merkle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Tree arithmetic of RFC 9162 §2.1: the split point and the shapes of inclusion and consistency
 * proofs, as lists of node ranges. Pure functions of sizes and indexes; no hashing.
 *
 * <p>A proof is "the hashes of these ranges, in this order": {@link #inclusionProof} and
 * {@link #consistencyProof} return the ranges, bottom (nearest the leaf / the old tree) to top,
 * so any store that can produce the Merkle Tree Hash of a range (see {@link NodeSource}) can
 * build the proof. Every range is either a perfect subtree (a power-of-two number of leaves,
 * aligned to its size) or the ragged right edge of the tree it is taken from.
 */
public final class MerkleMath {

  private MerkleMath() {}

  /**
   * The leaves {@code [start, end)}, whose Merkle Tree Hash {@code MTH(D[start:end])} is one
   * proof element.
   */
  public record Range(long start, long end) {

    /** @throws IllegalArgumentException unless {@code 0 <= start < end} */
    public Range {
      if (start < 0 || end <= start) {
        throw new IllegalArgumentException("bad range [" + start + ", " + end + ")");
      }
    }

    /** Number of leaves in the range. */
    public long size() {
      return end - start;
    }

    /**
     * True if the range is a perfect subtree: its size is a power of two {@code 2^h} and
     * {@code start} is a multiple of it, so its hash is the stored node at level {@code h}.
     */
    public boolean isPerfect() {
      long n = size();
      return isPowerOfTwo(n) && (start & (n - 1)) == 0;
    }

    @Override
    public String toString() {
      return "[" + start + ", " + end + ")";
    }
  }

  /** True if {@code n} is a positive power of two (1, 2, 4, ...). */
  public static boolean isPowerOfTwo(long n) {
    return n > 0 && (n & (n - 1)) == 0;
  }

  /**
   * The RFC 9162 §2.1.1 split point: the largest power of two strictly smaller than {@code n}.
   *
   * @throws IllegalArgumentException if {@code n < 2}
   */
  public static long split(long n) {
    if (n < 2) {
      throw new IllegalArgumentException("split needs n >= 2, got " + n);
    }
    return Long.highestOneBit(n - 1);
  }

  /**
   * The ranges whose hashes make up the inclusion proof {@code PATH(index, D[size])} of RFC 9162
   * §2.1.3.1, bottom to top. Empty for a tree of one leaf.
   *
   * @throws IllegalArgumentException unless {@code 0 <= index < size}
   */
  public static List<Range> inclusionProof(long index, long size) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("need 0 <= index < size, got index " + index
          + ", size " + size);
    }
    List<Range> topDown = new ArrayList<>(64);
    long lo = 0;
    long hi = size;
    while (hi - lo > 1) {
      long mid = lo + split(hi - lo);
      if (index < mid) {
        topDown.add(new Range(mid, hi));
        hi = mid;
      } else {
        topDown.add(new Range(lo, mid));
        lo = mid;
      }
    }
    Collections.reverse(topDown);
    return topDown;
  }

  /**
   * Length of {@link #inclusionProof}{@code (index, size)}, computed in O(1).
   *
   * @throws IllegalArgumentException unless {@code 0 <= index < size}
   */
  public static int inclusionProofLength(long index, long size) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("need 0 <= index < size, got index " + index
          + ", size " + size);
    }
    // Levels where the paths to leaf `index` and to the last leaf have diverged contribute a
    // sibling each ("inner"); above that, each left perfect subtree on the path to the last
    // leaf contributes one ("border").
    int inner = 64 - Long.numberOfLeadingZeros(index ^ (size - 1));
    int border = Long.bitCount(index >>> inner);
    return inner + border;
  }

  /**
   * The ranges whose hashes make up the consistency proof {@code PROOF(m, D[n])} =
   * {@code SUBPROOF(m, D[n], true)} of RFC 9162 §2.1.4.1, bottom to top. Empty when
   * {@code m == 0} or {@code m == n} (nothing to prove).
   *
   * @throws IllegalArgumentException unless {@code 0 <= m <= n}
   */
  public static List<Range> consistencyProof(long m, long n) {
    if (m < 0 || m > n) {
      throw new IllegalArgumentException("need 0 <= m <= n, got m " + m + ", n " + n);
    }
    List<Range> topDown = new ArrayList<>(64);
    if (m == 0 || m == n) {
      return topDown;
    }
    long lo = 0;
    long hi = n;
    long rel = m; // m relative to lo
    boolean whole = true; // the RFC's flag b: is the old tree still a prefix starting at 0?
    while (true) {
      long len = hi - lo;
      if (rel == len) {
        if (!whole) {
          topDown.add(new Range(lo, hi));
        }
        break;
      }
      long k = split(len);
      if (rel <= k) {
        topDown.add(new Range(lo + k, hi));
        hi = lo + k;
      } else {
        topDown.add(new Range(lo, lo + k));
        lo += k;
        rel -= k;
        whole = false;
      }
    }
    Collections.reverse(topDown);
    return topDown;
  }

  /**
   * Length of {@link #consistencyProof}{@code (m, n)}, computed in O(1).
   *
   * @throws IllegalArgumentException unless {@code 0 <= m <= n}
   */
  public static int consistencyProofLength(long m, long n) {
    if (m < 0 || m > n) {
      throw new IllegalArgumentException("need 0 <= m <= n, got m " + m + ", n " + n);
    }
    if (m == 0 || m == n) {
      return 0;
    }
    // Like the inclusion proof of leaf m-1 in the new tree, except that the levels below the
    // largest perfect subtree ending at m are replaced by that subtree's own hash (which is
    // omitted when it is the whole old tree, i.e. m is a power of two).
    int inner = 64 - Long.numberOfLeadingZeros((m - 1) ^ (n - 1));
    int border = Long.bitCount((m - 1) >>> inner);
    int shift = Long.numberOfTrailingZeros(m);
    return (isPowerOfTwo(m) ? 0 : 1) + (inner - shift) + border;
  }
}
