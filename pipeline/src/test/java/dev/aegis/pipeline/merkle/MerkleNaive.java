package dev.aegis.pipeline.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The RFC 9162 §2.1 definitions, transcribed recursively and literally, over leaf <em>data</em>:
 * MTH (§2.1.1), PATH (§2.1.3.1) and PROOF / SUBPROOF (§2.1.4.1). A reference for tests only:
 * quadratic, and deliberately independent of the production classes (it hashes with its own
 * {@link MessageDigest}).
 */
final class MerkleNaive {

  private MerkleNaive() {}

  static byte[] sha256(byte prefix, byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      if (prefix >= 0) {
        md.update(prefix);
      }
      for (byte[] p : parts) {
        md.update(p);
      }
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** The largest power of two strictly smaller than n (n > 1), by counting up. */
  static int k(int n) {
    int k = 1;
    while (k * 2 < n) {
      k *= 2;
    }
    return k;
  }

  /** MTH(D[n]). */
  static byte[] mth(List<byte[]> d) {
    int n = d.size();
    if (n == 0) {
      return sha256((byte) -1);
    }
    if (n == 1) {
      return sha256((byte) 0, d.get(0));
    }
    int k = k(n);
    return sha256((byte) 1, mth(d.subList(0, k)), mth(d.subList(k, n)));
  }

  /** PATH(m, D[n]). */
  static List<byte[]> path(int m, List<byte[]> d) {
    int n = d.size();
    List<byte[]> out = new ArrayList<>();
    if (n <= 1) {
      return out;
    }
    int k = k(n);
    if (m < k) {
      out.addAll(path(m, d.subList(0, k)));
      out.add(mth(d.subList(k, n)));
    } else {
      out.addAll(path(m - k, d.subList(k, n)));
      out.add(mth(d.subList(0, k)));
    }
    return out;
  }

  /** PROOF(m, D[n]) = SUBPROOF(m, D[n], true), for 0 < m <= n. */
  static List<byte[]> proof(int m, List<byte[]> d) {
    return subproof(m, d, true);
  }

  private static List<byte[]> subproof(int m, List<byte[]> d, boolean b) {
    int n = d.size();
    List<byte[]> out = new ArrayList<>();
    if (m == n) {
      if (!b) {
        out.add(mth(d));
      }
      return out;
    }
    int k = k(n);
    if (m <= k) {
      out.addAll(subproof(m, d.subList(0, k), b));
      out.add(mth(d.subList(k, n)));
    } else {
      out.addAll(subproof(m - k, d.subList(k, n), false));
      out.add(mth(d.subList(0, k)));
    }
    return out;
  }
}
