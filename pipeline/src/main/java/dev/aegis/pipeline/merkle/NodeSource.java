package dev.aegis.pipeline.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * Anything that can give the Merkle Tree Hash of a range of leaves, and therefore roots and
 * proofs: an in-memory tree ({@link InMemoryTree}), or a store of tiles or node rows.
 *
 * <p>Implementations only provide {@link #hash(long, long)}; the default methods turn the proof
 * shapes of {@link MerkleMath} into hashes. Implementations backed by a tree of known size
 * should override the defaults to reject sizes beyond it (a proof for a tree with one leaf, or
 * between equal sizes, is empty and so never calls {@code hash}).
 */
@FunctionalInterface
public interface NodeSource {

  /**
   * {@code MTH(D[start:end])}: the root of the (perfect or ragged) subtree over leaves
   * {@code [start, end)}, 32 bytes, a fresh array. Implementations must support at least the
   * ranges that {@link MerkleMath#inclusionProof} and {@link MerkleMath#consistencyProof} produce
   * and {@code [0, size)}; they may compute ragged ranges from stored perfect subtrees.
   *
   * @throws IllegalArgumentException if {@code 0 <= start < end} does not hold or the range is
   *     beyond the leaves this source holds
   */
  byte[] hash(long start, long end);

  /**
   * The root of the tree made of the first {@code size} leaves: {@code MTH(D[0:size])}, or
   * {@link MerkleHash#emptyRoot()} when {@code size == 0}.
   *
   * @throws IllegalArgumentException if {@code size} is negative or beyond this source
   */
  default byte[] root(long size) {
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
    return size == 0 ? MerkleHash.emptyRoot() : hash(0, size);
  }

  /**
   * RFC 9162 §2.1.3.1 inclusion proof of leaf {@code index} in the tree of the first
   * {@code size} leaves, bottom to top. Verify with
   * {@link MerkleVerifier#verifyInclusion}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= index < size} and the source holds
   *     {@code size} leaves
   */
  default List<byte[]> inclusionProof(long index, long size) {
    return hashes(MerkleMath.inclusionProof(index, size));
  }

  /**
   * RFC 9162 §2.1.4.1 consistency proof from the tree of the first {@code m} leaves to the tree
   * of the first {@code n} leaves, bottom to top; empty when {@code m == 0} or {@code m == n}.
   * Verify with {@link MerkleVerifier#verifyConsistency}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= m <= n} and the source holds {@code n}
   *     leaves
   */
  default List<byte[]> consistencyProof(long m, long n) {
    return hashes(MerkleMath.consistencyProof(m, n));
  }

  /** The hashes of {@code ranges}, in order. */
  default List<byte[]> hashes(List<MerkleMath.Range> ranges) {
    List<byte[]> out = new ArrayList<>(ranges.size());
    for (MerkleMath.Range r : ranges) {
      out.add(hash(r.start(), r.end()));
    }
    return out;
  }
}
