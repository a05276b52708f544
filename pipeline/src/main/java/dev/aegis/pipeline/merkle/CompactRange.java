package dev.aegis.pipeline.merkle;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The incremental root of an append-only RFC 9162 log, without the leaves: the "compact range"
 * {@code [0, size)}.
 *
 * <p>The first {@code size} leaves split uniquely into perfect subtrees, one per set bit of
 * {@code size}, largest (leftmost) first; e.g. 13 = 8 + 4 + 1 gives {@code [0,8) [8,12)
 * [12,13)}. Only their roots are kept: at most 63 hashes, {@code Long.bitCount(size)} exactly.
 * Appending a leaf merges it with the rightmost subtrees of equal size (one node hash per
 * trailing one bit of the old size: amortised one). The root folds the subtrees right to left:
 * {@code nodeHash(h0, nodeHash(h1, ... nodeHash(h[k-2], h[k-1])))}, which is exactly
 * {@code MTH(D[0:size])} because RFC 9162 splits a tree at the largest power of two below its
 * size.
 *
 * <p>The state ({@link #size()} + {@link #hashes()}, or {@link #toBytes()}) is what a single
 * writer persists next to its checkpoint so it can resume appending after a restart. Not thread
 * safe.
 */
public final class CompactRange {

  private final ArrayList<byte[]> hashes;
  private long size;

  /** The compact range of the empty log. */
  public CompactRange() {
    this.hashes = new ArrayList<>();
  }

  private CompactRange(long size, ArrayList<byte[]> hashes) {
    this.size = size;
    this.hashes = hashes;
  }

  /**
   * Restores a state saved from {@link #size()} and {@link #hashes()}.
   *
   * @throws IllegalArgumentException if {@code size} is negative, {@code hashes} does not hold
   *     exactly {@code Long.bitCount(size)} entries, or any entry is not a 32-byte hash
   */
  public static CompactRange of(long size, List<byte[]> hashes) {
    Objects.requireNonNull(hashes, "hashes");
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
    if (hashes.size() != Long.bitCount(size)) {
      throw new IllegalArgumentException("size " + size + " needs " + Long.bitCount(size)
          + " hashes, got " + hashes.size());
    }
    ArrayList<byte[]> copy = new ArrayList<>(hashes.size() + 1);
    for (byte[] h : hashes) {
      copy.add(MerkleHash.requireHash(h, "compact range hash").clone());
    }
    return new CompactRange(size, copy);
  }

  /**
   * Restores a state saved by {@link #toBytes()}.
   *
   * @throws IllegalArgumentException if the encoding is malformed
   */
  public static CompactRange fromBytes(byte[] encoded) {
    Objects.requireNonNull(encoded, "encoded");
    if (encoded.length < Long.BYTES) {
      throw new IllegalArgumentException("compact range encoding too short");
    }
    ByteBuffer buf = ByteBuffer.wrap(encoded);
    long size = buf.getLong();
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
    int count = Long.bitCount(size);
    if (buf.remaining() != count * MerkleHash.HASH_SIZE) {
      throw new IllegalArgumentException("size " + size + " needs " + count + " hashes, got "
          + buf.remaining() + " bytes");
    }
    List<byte[]> hashes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] h = new byte[MerkleHash.HASH_SIZE];
      buf.get(h);
      hashes.add(h);
    }
    return of(size, hashes);
  }

  /**
   * The state as bytes: the size as 8 bytes big-endian, then the {@code Long.bitCount(size)}
   * subtree hashes, largest subtree first.
   */
  public byte[] toBytes() {
    ByteBuffer buf = ByteBuffer.allocate(Long.BYTES + hashes.size() * MerkleHash.HASH_SIZE);
    buf.putLong(size);
    for (byte[] h : hashes) {
      buf.put(h);
    }
    return buf.array();
  }

  /** Number of leaves appended so far. */
  public long size() {
    return size;
  }

  /** Copies of the perfect subtree roots, largest (leftmost) first. */
  public List<byte[]> hashes() {
    List<byte[]> out = new ArrayList<>(hashes.size());
    for (byte[] h : hashes) {
      out.add(h.clone());
    }
    return out;
  }

  /** The leaf ranges covered by {@link #hashes()}, in the same order. */
  public List<MerkleMath.Range> ranges() {
    List<MerkleMath.Range> out = new ArrayList<>(hashes.size());
    long start = 0;
    for (int level = 63; level >= 0; level--) {
      if ((size & (1L << level)) != 0) {
        out.add(new MerkleMath.Range(start, start + (1L << level)));
        start += 1L << level;
      }
    }
    return out;
  }

  /**
   * Appends a leaf by its leaf hash ({@link MerkleHash#leafHash}).
   *
   * @throws IllegalArgumentException if {@code leafHash} is not 32 bytes
   * @throws IllegalStateException if the size would overflow
   */
  public void append(byte[] leafHash) {
    MerkleHash.requireHash(leafHash, "leafHash");
    if (size == Long.MAX_VALUE) {
      throw new IllegalStateException("compact range is full");
    }
    byte[] cur = leafHash.clone();
    for (long s = size; (s & 1) == 1; s >>>= 1) {
      cur = MerkleHash.nodeHash(hashes.remove(hashes.size() - 1), cur);
    }
    hashes.add(cur);
    size++;
  }

  /** The root {@code MTH(D[0:size])}, or {@link MerkleHash#emptyRoot()} if empty. */
  public byte[] root() {
    if (hashes.isEmpty()) {
      return MerkleHash.emptyRoot();
    }
    byte[] r = hashes.get(hashes.size() - 1);
    for (int i = hashes.size() - 2; i >= 0; i--) {
      r = MerkleHash.nodeHash(hashes.get(i), r);
    }
    return r.clone();
  }

  /** An independent copy. */
  public CompactRange copy() {
    return of(size, hashes);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CompactRange other) || other.size != size) {
      return false;
    }
    for (int i = 0; i < hashes.size(); i++) {
      if (!Arrays.equals(hashes.get(i), other.hashes.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(size);
    for (byte[] x : hashes) {
      h = 31 * h + Arrays.hashCode(x);
    }
    return h;
  }

  @Override
  public String toString() {
    return "CompactRange{size=" + size + ", hashes=" + hashes.size() + "}";
  }
}
