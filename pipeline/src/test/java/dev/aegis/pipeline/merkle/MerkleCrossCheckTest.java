package dev.aegis.pipeline.merkle;

import static dev.aegis.pipeline.merkle.MerkleFixtures.hex;
import static dev.aegis.pipeline.merkle.MerkleFixtures.hexAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The incremental structures against the naive recursive RFC 9162 definitions
 * ({@link MerkleNaive}), exhaustively for small trees.
 */
class MerkleCrossCheckTest {

  static final int MAX_ROOT = 1024;
  static final int MAX_PROOF = 128;

  static List<byte[]> data;
  /** naiveRoots[s] = MTH of the first s leaves. */
  static String[] naiveRoots;
  static InMemoryTree tree;

  @BeforeAll
  static void setUp() {
    data = MerkleFixtures.leafData(0, MAX_ROOT);
    naiveRoots = new String[MAX_ROOT + 1];
    for (int s = 0; s <= MAX_ROOT; s++) {
      naiveRoots[s] = hex(MerkleNaive.mth(data.subList(0, s)));
    }
    tree = InMemoryTree.ofData(data);
  }

  @Test
  void inMemoryTreeRootMatchesNaiveForEverySize() {
    InMemoryTree growing = new InMemoryTree();
    assertThat(hex(growing.root())).isEqualTo(naiveRoots[0]);
    for (int s = 1; s <= MAX_ROOT; s++) {
      assertThat(growing.appendData(data.get(s - 1))).isEqualTo(s - 1);
      assertThat(hex(growing.root())).as("current root, size %d", s).isEqualTo(naiveRoots[s]);
    }
    for (int s = 0; s <= MAX_ROOT; s++) {
      assertThat(hex(tree.root(s))).as("past root, size %d", s).isEqualTo(naiveRoots[s]);
    }
  }

  @Test
  void compactRangeRootMatchesNaiveForEverySize() {
    CompactRange cr = new CompactRange();
    assertThat(hex(cr.root())).isEqualTo(naiveRoots[0]);
    for (int s = 1; s <= MAX_ROOT; s++) {
      cr.append(MerkleHash.leafHash(data.get(s - 1)));
      assertThat(cr.size()).isEqualTo(s);
      assertThat(cr.hashes()).hasSize(Long.bitCount(s));
      assertThat(hex(cr.root())).as("size %d", s).isEqualTo(naiveRoots[s]);
      assertThat(tree.compactRange(s)).isEqualTo(cr);
      CompactRange restored = CompactRange.fromBytes(cr.toBytes());
      assertThat(restored).isEqualTo(cr);
      assertThat(hex(restored.root())).isEqualTo(naiveRoots[s]);
    }
  }

  @Test
  void everyInclusionProofUpTo128MatchesNaiveAndVerifies() {
    int proofs = 0;
    for (int size = 1; size <= MAX_PROOF; size++) {
      byte[] root = tree.root(size);
      List<byte[]> d = data.subList(0, size);
      for (int i = 0; i < size; i++) {
        List<byte[]> proof = tree.inclusionProof(i, size);
        assertThat(hexAll(proof)).as("PATH(%d, D[%d])", i, size)
            .isEqualTo(hexAll(MerkleNaive.path(i, d)));
        assertThat(proof).hasSize(MerkleMath.inclusionProofLength(i, size));
        byte[] leaf = MerkleHash.leafHash(data.get(i));
        MerkleVerifier.verifyInclusion(i, size, leaf, proof, root);
        assertThat(hex(MerkleVerifier.rootFromInclusionProof(i, size, leaf, proof)))
            .isEqualTo(naiveRoots[size]);
        proofs++;
      }
    }
    assertThat(proofs).isEqualTo(MAX_PROOF * (MAX_PROOF + 1) / 2);
  }

  @Test
  void everyConsistencyPairUpTo128MatchesNaiveAndVerifies() {
    int pairs = 0;
    for (int n = 1; n <= MAX_PROOF; n++) {
      List<byte[]> d = data.subList(0, n);
      byte[] rootN = tree.root(n);
      for (int m = 1; m <= n; m++) {
        List<byte[]> proof = tree.consistencyProof(m, n);
        assertThat(hexAll(proof)).as("PROOF(%d, D[%d])", m, n)
            .isEqualTo(hexAll(MerkleNaive.proof(m, d)));
        assertThat(proof).hasSize(MerkleMath.consistencyProofLength(m, n));
        MerkleVerifier.verifyConsistency(m, n, tree.root(m), rootN, proof);
        pairs++;
      }
      // Every tree extends the empty tree.
      MerkleVerifier.verifyConsistency(0, n, MerkleHash.emptyRoot(), rootN, List.of());
    }
    assertThat(pairs).isEqualTo(MAX_PROOF * (MAX_PROOF + 1) / 2);
  }

  @Test
  void hashOfEveryRangeMatchesNaive() {
    // Including unaligned ranges, which proofs never need but hash() accepts.
    for (int start = 0; start < 64; start++) {
      for (int end = start + 1; end <= 64; end++) {
        assertThat(hex(tree.hash(start, end))).as("[%d, %d)", start, end)
            .isEqualTo(hex(MerkleNaive.mth(data.subList(start, end))));
      }
    }
  }
}
