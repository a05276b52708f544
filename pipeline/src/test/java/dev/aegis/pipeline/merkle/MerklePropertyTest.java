package dev.aegis.pipeline.merkle;

import static dev.aegis.pipeline.merkle.MerkleFixtures.flip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded random properties on trees of up to 2^16 leaves: genuine proofs verify; flipping any
 * single bit of any proof element, the leaf hash or a root is rejected. (No jqwik in this
 * module; a fixed-seed {@link Random} keeps failures reproducible.)
 */
class MerklePropertyTest {

  static final int MAX = 1 << 16;
  static final long SEED = 0xAE615L;
  static final int TRIALS = 250;
  static final int EXHAUSTIVE_TRIALS = 6;

  static InMemoryTree tree;
  static CompactRange[] snapshots;
  static long[] snapshotSizes;

  @BeforeAll
  static void build() {
    Random r = new Random(SEED);
    snapshotSizes = r.longs(200, 1, MAX + 1).sorted().toArray();
    snapshots = new CompactRange[snapshotSizes.length];
    tree = new InMemoryTree();
    CompactRange cr = new CompactRange();
    int next = 0;
    for (int i = 0; i < MAX; i++) {
      byte[] leaf = MerkleHash.leafHash(MerkleFixtures.leafData(i));
      tree.append(leaf);
      cr.append(leaf);
      while (next < snapshotSizes.length && snapshotSizes[next] == cr.size()) {
        snapshots[next++] = cr.copy();
      }
    }
  }

  static void rejected(ThrowingCallable call, String what) {
    assertThatThrownBy(call).as(what).isInstanceOf(ProofException.class);
  }

  @Test
  void compactRangeMatchesTreeAtRandomSizes() {
    for (int i = 0; i < snapshots.length; i++) {
      long s = snapshotSizes[i];
      assertThat(snapshots[i].size()).isEqualTo(s);
      assertThat(snapshots[i].root()).as("size %d", s).isEqualTo(tree.root(s));
      assertThat(tree.compactRange(s)).isEqualTo(snapshots[i]);
    }
  }

  @Test
  void randomInclusionProofsVerifyAndResistBitFlips() {
    Random r = new Random(SEED + 1);
    for (int t = 0; t < TRIALS; t++) {
      long size = 1 + r.nextInt(MAX);
      long index = (long) (r.nextDouble() * size);
      checkInclusion(r, index, size, t < EXHAUSTIVE_TRIALS);
    }
    // Edges: first and last leaf of the full tree and of a power-of-two-plus-one tree.
    checkInclusion(r, 0, MAX, false);
    checkInclusion(r, MAX - 1, MAX, false);
    checkInclusion(r, (MAX >> 1), (MAX >> 1) + 1, false);
  }

  private void checkInclusion(Random r, long index, long size, boolean everyBit) {
    byte[] leaf = tree.leafHash(index);
    byte[] root = tree.root(size);
    List<byte[]> proof = tree.inclusionProof(index, size);
    String at = "index " + index + " size " + size;
    MerkleVerifier.verifyInclusion(index, size, leaf, proof, root);
    for (int i = 0; i < proof.size(); i++) {
      for (int bit : bits(r, everyBit)) {
        List<byte[]> bad = flip(proof, i, bit);
        rejected(() -> MerkleVerifier.verifyInclusion(index, size, leaf, bad, root),
            at + " proof[" + i + "] bit " + bit);
      }
    }
    for (int bit : bits(r, everyBit)) {
      rejected(() -> MerkleVerifier.verifyInclusion(index, size, leaf, proof, flip(root, bit)),
          at + " root bit " + bit);
      rejected(() -> MerkleVerifier.verifyInclusion(index, size, flip(leaf, bit), proof, root),
          at + " leaf bit " + bit);
    }
  }

  @Test
  void randomConsistencyProofsVerifyAndResistBitFlips() {
    Random r = new Random(SEED + 2);
    for (int t = 0; t < TRIALS; t++) {
      long n = 1 + r.nextInt(MAX);
      long m = 1 + (long) (r.nextDouble() * n);
      checkConsistency(r, m, n, t < EXHAUSTIVE_TRIALS);
    }
    checkConsistency(r, 1, MAX, false);
    checkConsistency(r, MAX - 1, MAX, false);
    checkConsistency(r, MAX >> 1, MAX, false);
    checkConsistency(r, (MAX >> 1) + 1, MAX, false);
    checkConsistency(r, MAX, MAX, false);
  }

  private void checkConsistency(Random r, long m, long n, boolean everyBit) {
    byte[] rootM = tree.root(m);
    byte[] rootN = tree.root(n);
    List<byte[]> proof = tree.consistencyProof(m, n);
    String at = "m " + m + " n " + n;
    MerkleVerifier.verifyConsistency(m, n, rootM, rootN, proof);
    for (int i = 0; i < proof.size(); i++) {
      for (int bit : bits(r, everyBit)) {
        List<byte[]> bad = flip(proof, i, bit);
        rejected(() -> MerkleVerifier.verifyConsistency(m, n, rootM, rootN, bad),
            at + " proof[" + i + "] bit " + bit);
      }
    }
    for (int bit : bits(r, everyBit)) {
      rejected(() -> MerkleVerifier.verifyConsistency(m, n, flip(rootM, bit), rootN, proof),
          at + " rootM bit " + bit);
      rejected(() -> MerkleVerifier.verifyConsistency(m, n, rootM, flip(rootN, bit), proof),
          at + " rootN bit " + bit);
    }
    if (m < n) {
      // A proof between other sizes never passes for these roots.
      rejected(() -> MerkleVerifier.verifyConsistency(m, n, rootN, rootM, proof), at + " swapped");
    }
  }

  /** All 256 bit positions, or two random ones. */
  private static int[] bits(Random r, boolean every) {
    if (every) {
      int[] all = new int[MerkleHash.HASH_SIZE * 8];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      return all;
    }
    return new int[] {r.nextInt(256), r.nextInt(256)};
  }
}
