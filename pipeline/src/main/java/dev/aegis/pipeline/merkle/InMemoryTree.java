package dev.aegis.pipeline.merkle;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An append-only RFC 9162 Merkle tree held in memory, for tests, the offline verifier and
 * small logs.
 *
 * <p><b>Layout.</b> Level {@code h} holds the hash of every <em>perfect</em> subtree of
 * {@code 2^h} leaves that is complete so far: node {@code i} of level {@code h} covers leaves
 * {@code [i*2^h, (i+1)*2^h)}; level 0 holds the leaf hashes. Appending a leaf adds it to level 0
 * and, while the new node is a right child, hashes it with its left sibling into the level
 * above: amortised one node hash per append (at most {@code log2(n)}), about {@code 2n} hashes
 * stored in total.
 *
 * <p><b>Roots and proofs in O(log n) ("compact ranges").</b> Any range {@code [start, end)}
 * that a root or proof needs is split as RFC 9162 splits it (at the largest power of two below
 * its size). Ranges that start on a multiple of their power-of-two size are stored nodes; the
 * others are ragged right edges, which decompose into at most {@code log2(n)} stored perfect
 * subtrees (one per set bit of their size) folded right to left with {@link
 * MerkleHash#nodeHash}. So {@link #root(long)} for any past size, and every proof element, costs
 * O(log n) hash operations and the whole of a proof O(log^2 n) at worst. Arbitrary unaligned
 * ranges are also accepted by {@link #hash} but may cost more.
 *
 * <p>Holds up to {@link Integer#MAX_VALUE} leaves. Not thread safe: confine it to one thread
 * (e.g. a verticle's event loop) or synchronise externally.
 */
public final class InMemoryTree implements NodeSource {

  private final List<ArrayList<byte[]>> levels = new ArrayList<>();
  private long size;

  /** An empty tree. */
  public InMemoryTree() {
    levels.add(new ArrayList<>());
  }

  /** Number of leaves appended so far. */
  public long size() {
    return size;
  }

  /**
   * Appends a leaf by its leaf hash ({@link MerkleHash#leafHash}) and returns its index.
   *
   * @throws IllegalArgumentException if {@code leafHash} is not 32 bytes
   * @throws IllegalStateException if the tree is full
   */
  public long append(byte[] leafHash) {
    MerkleHash.requireHash(leafHash, "leafHash");
    if (size == Integer.MAX_VALUE) {
      throw new IllegalStateException("InMemoryTree is full");
    }
    long index = size;
    byte[] cur = leafHash.clone();
    levels.get(0).add(cur);
    long i = index;
    int level = 0;
    while ((i & 1) == 1) {
      byte[] left = levels.get(level).get((int) (i - 1));
      cur = MerkleHash.nodeHash(left, cur);
      level++;
      i >>>= 1;
      if (levels.size() == level) {
        levels.add(new ArrayList<>());
      }
      levels.get(level).add(cur);
    }
    size = index + 1;
    return index;
  }

  /** Appends the leaf whose data is {@code data} (hashing it) and returns its index. */
  public long appendData(byte[] data) {
    return append(MerkleHash.leafHash(data));
  }

  /**
   * The leaf hash at {@code index}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= index < size()}
   */
  public byte[] leafHash(long index) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("index " + index + " not in [0, " + size + ")");
    }
    return levels.get(0).get((int) index).clone();
  }

  /** The root at the current size ({@link MerkleHash#emptyRoot()} if empty). */
  public byte[] root() {
    return root(size);
  }

  /** {@inheritDoc} Any {@code size <= size()}. */
  @Override
  public byte[] root(long size) {
    checkSize(size);
    return NodeSource.super.root(size);
  }

  @Override
  public byte[] hash(long start, long end) {
    if (start < 0 || end <= start || end > size) {
      throw new IllegalArgumentException("range [" + start + ", " + end + ") not within [0, "
          + size + ")");
    }
    return node(start, end).clone();
  }

  /** Like {@link #hash} without checks or copying; may return a stored array. */
  private byte[] node(long start, long end) {
    long n = end - start;
    if (MerkleMath.isPowerOfTwo(n) && (start & (n - 1)) == 0) {
      int level = Long.numberOfTrailingZeros(n);
      return levels.get(level).get((int) (start >>> level));
    }
    long mid = start + MerkleMath.split(n);
    return MerkleHash.nodeHash(node(start, mid), node(mid, end));
  }

  /** {@inheritDoc} Requires {@code size <= size()}. */
  @Override
  public List<byte[]> inclusionProof(long index, long size) {
    checkSize(size);
    return NodeSource.super.inclusionProof(index, size);
  }

  /** {@inheritDoc} Requires {@code n <= size()}. */
  @Override
  public List<byte[]> consistencyProof(long m, long n) {
    checkSize(n);
    return NodeSource.super.consistencyProof(m, n);
  }

  /**
   * The {@link CompactRange} of the first {@code size} leaves: the perfect subtrees that a
   * writer would hold had it appended exactly those leaves.
   *
   * @throws IllegalArgumentException unless {@code 0 <= size <= size()}
   */
  public CompactRange compactRange(long size) {
    checkSize(size);
    List<byte[]> hashes = new ArrayList<>(Long.bitCount(size));
    long start = 0;
    for (int level = 63; level >= 0; level--) {
      if ((size & (1L << level)) != 0) {
        hashes.add(levels.get(level).get((int) (start >>> level)));
        start += 1L << level;
      }
    }
    return CompactRange.of(size, hashes);
  }

  private void checkSize(long size) {
    if (size < 0 || size > this.size) {
      throw new IllegalArgumentException("size " + size + " not in [0, " + this.size + "]");
    }
  }

  /** Convenience for callers holding leaf data: an in-memory tree over {@code data}. */
  public static InMemoryTree ofData(List<byte[]> data) {
    InMemoryTree t = new InMemoryTree();
    for (byte[] d : Objects.requireNonNull(data, "data")) {
      t.appendData(d);
    }
    return t;
  }
}
