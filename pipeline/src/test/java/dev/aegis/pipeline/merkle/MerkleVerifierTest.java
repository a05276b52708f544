package dev.aegis.pipeline.merkle;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.merkle.ProofException.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Every rejection rule of {@link MerkleVerifier}, with its reason. */
class MerkleVerifierTest {

  static final InMemoryTree TREE = InMemoryTree.ofData(MerkleFixtures.leafData(0, 20));
  static final byte[] EMPTY = MerkleHash.emptyRoot();

  static void rejects(Reason reason, ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOf(ProofException.class)
        .matches(e -> ((ProofException) e).reason() == reason, "reason " + reason);
  }

  static byte[] leaf(int i) {
    return TREE.leafHash(i);
  }

  @Test
  void inclusionAcceptsGenuine() {
    assertThatCode(() -> MerkleVerifier.verifyInclusion(5, 13, leaf(5),
        TREE.inclusionProof(5, 13), TREE.root(13))).doesNotThrowAnyException();
    assertThatCode(() -> MerkleVerifier.verifyInclusion(0, 1, leaf(0), List.of(), TREE.root(1)))
        .doesNotThrowAnyException();
  }

  @Test
  void inclusionIndexAndSize() {
    List<byte[]> p = TREE.inclusionProof(5, 13);
    byte[] root = TREE.root(13);
    rejects(Reason.INDEX_OUT_OF_RANGE,
        () -> MerkleVerifier.verifyInclusion(13, 13, leaf(5), p, root));
    rejects(Reason.INDEX_OUT_OF_RANGE,
        () -> MerkleVerifier.verifyInclusion(14, 13, leaf(5), p, root));
    rejects(Reason.INDEX_OUT_OF_RANGE,
        () -> MerkleVerifier.verifyInclusion(-1, 13, leaf(5), p, root));
    rejects(Reason.INDEX_OUT_OF_RANGE,
        () -> MerkleVerifier.verifyInclusion(0, -1, leaf(5), p, root));
    // Size 0: nothing is included in the empty tree, with or without a proof.
    rejects(Reason.INDEX_OUT_OF_RANGE,
        () -> MerkleVerifier.verifyInclusion(0, 0, leaf(0), p, EMPTY));
    rejects(Reason.INDEX_OUT_OF_RANGE,
        () -> MerkleVerifier.verifyInclusion(0, 0, leaf(0), List.of(), EMPTY));
    rejects(Reason.INDEX_OUT_OF_RANGE,
        () -> MerkleVerifier.rootFromInclusionProof(0, 0, leaf(0), List.of()));
  }

  @Test
  void inclusionProofLength() {
    List<byte[]> p = TREE.inclusionProof(5, 13);
    byte[] root = TREE.root(13);
    List<byte[]> longer = new ArrayList<>(p);
    longer.add(root);
    List<byte[]> prefixed = new ArrayList<>(p);
    prefixed.add(0, leaf(5));
    rejects(Reason.WRONG_PROOF_SIZE,
        () -> MerkleVerifier.verifyInclusion(5, 13, leaf(5), longer, root));
    rejects(Reason.WRONG_PROOF_SIZE,
        () -> MerkleVerifier.verifyInclusion(5, 13, leaf(5), prefixed, root));
    rejects(Reason.WRONG_PROOF_SIZE,
        () -> MerkleVerifier.verifyInclusion(5, 13, leaf(5), p.subList(0, p.size() - 1), root));
    rejects(Reason.WRONG_PROOF_SIZE,
        () -> MerkleVerifier.verifyInclusion(5, 13, leaf(5), List.of(), root));
    rejects(Reason.WRONG_PROOF_SIZE,
        () -> MerkleVerifier.verifyInclusion(0, 1, leaf(0), List.of(leaf(0)), TREE.root(1)));
  }

  @Test
  void inclusionMalformed() {
    List<byte[]> p = TREE.inclusionProof(5, 13);
    byte[] root = TREE.root(13);
    rejects(Reason.MALFORMED, () -> MerkleVerifier.verifyInclusion(5, 13, null, p, root));
    rejects(Reason.MALFORMED, () -> MerkleVerifier.verifyInclusion(5, 13, leaf(5), p, null));
    rejects(Reason.MALFORMED, () -> MerkleVerifier.verifyInclusion(5, 13, leaf(5), null, root));
    rejects(Reason.MALFORMED, () -> MerkleVerifier.verifyInclusion(5, 13, new byte[31], p, root));
    rejects(Reason.MALFORMED, () -> MerkleVerifier.verifyInclusion(5, 13, leaf(5), p,
        Arrays.copyOf(root, 33)));
    List<byte[]> withNull = new ArrayList<>(p);
    withNull.set(1, null);
    rejects(Reason.MALFORMED, () -> MerkleVerifier.verifyInclusion(5, 13, leaf(5), withNull, root));
    List<byte[]> shortElem = new ArrayList<>(p);
    shortElem.set(0, Arrays.copyOf(p.get(0), 31));
    rejects(Reason.MALFORMED,
        () -> MerkleVerifier.verifyInclusion(5, 13, leaf(5), shortElem, root));
  }

  @Test
  void inclusionWrongRootOrLeaf() {
    List<byte[]> p = TREE.inclusionProof(5, 13);
    rejects(Reason.ROOT_MISMATCH,
        () -> MerkleVerifier.verifyInclusion(5, 13, leaf(5), p, TREE.root(12)));
    rejects(Reason.ROOT_MISMATCH,
        () -> MerkleVerifier.verifyInclusion(5, 13, leaf(6), p, TREE.root(13)));
    rejects(Reason.ROOT_MISMATCH, () -> MerkleVerifier.verifyInclusion(5, 13, leaf(5), p, EMPTY));
    // A leaf of a one-leaf tree is its own root; any other root is wrong.
    rejects(Reason.ROOT_MISMATCH,
        () -> MerkleVerifier.verifyInclusion(0, 1, leaf(0), List.of(), EMPTY));
    // Second preimage: a 10-leaf tree is also a 5-"leaf" tree over the pair nodes [2i, 2i+2),
    // so the proof verifies for leafHash = node [0,2) at (0, 5). Forging that needs leaf data
    // whose leaf hash is the node; the obvious candidate, the node's own preimage l || r,
    // hashes differently because of the 0x00 / 0x01 prefixes.
    List<byte[]> p10 = TREE.inclusionProof(0, 10);
    List<byte[]> p5 = p10.subList(1, p10.size());
    byte[] root10 = TREE.root(10);
    assertThatCode(() -> MerkleVerifier.verifyInclusion(0, 5, TREE.hash(0, 2), p5, root10))
        .doesNotThrowAnyException();
    byte[] lr = new byte[64];
    System.arraycopy(leaf(0), 0, lr, 0, 32);
    System.arraycopy(leaf(1), 0, lr, 32, 32);
    rejects(Reason.ROOT_MISMATCH,
        () -> MerkleVerifier.verifyInclusion(0, 5, MerkleHash.leafHash(lr), p5, root10));
  }

  @Test
  void consistencyAcceptsGenuineAndTrivial() {
    assertThatCode(() -> MerkleVerifier.verifyConsistency(7, 13, TREE.root(7), TREE.root(13),
        TREE.consistencyProof(7, 13))).doesNotThrowAnyException();
    assertThatCode(() -> MerkleVerifier.verifyConsistency(8, 8, TREE.root(8), TREE.root(8),
        List.of())).doesNotThrowAnyException();
    assertThatCode(() -> MerkleVerifier.verifyConsistency(0, 8, EMPTY, TREE.root(8), List.of()))
        .doesNotThrowAnyException();
    assertThatCode(() -> MerkleVerifier.verifyConsistency(0, 0, EMPTY, EMPTY, List.of()))
        .doesNotThrowAnyException();
  }

  @Test
  void consistencySizes() {
    List<byte[]> p = TREE.consistencyProof(7, 13);
    byte[] r7 = TREE.root(7);
    byte[] r13 = TREE.root(13);
    rejects(Reason.BAD_SIZES, () -> MerkleVerifier.verifyConsistency(13, 7, r13, r7, p));
    rejects(Reason.BAD_SIZES, () -> MerkleVerifier.verifyConsistency(-1, 13, r7, r13, p));
    rejects(Reason.BAD_SIZES, () -> MerkleVerifier.verifyConsistency(7, -1, r7, r13, p));
    rejects(Reason.BAD_SIZES, () -> MerkleVerifier.verifyConsistency(1, 0, r7, EMPTY, List.of()));
  }

  @Test
  void consistencyProofLength() {
    List<byte[]> p = TREE.consistencyProof(7, 13);
    byte[] r7 = TREE.root(7);
    byte[] r13 = TREE.root(13);
    List<byte[]> longer = new ArrayList<>(p);
    longer.add(r13);
    rejects(Reason.WRONG_PROOF_SIZE,
        () -> MerkleVerifier.verifyConsistency(7, 13, r7, r13, longer));
    rejects(Reason.WRONG_PROOF_SIZE,
        () -> MerkleVerifier.verifyConsistency(7, 13, r7, r13, p.subList(1, p.size())));
    rejects(Reason.WRONG_PROOF_SIZE,
        () -> MerkleVerifier.verifyConsistency(7, 13, r7, r13, List.of()));
    // m = 0 and m = n need an empty proof.
    rejects(Reason.WRONG_PROOF_SIZE, () -> MerkleVerifier.verifyConsistency(0, 13, EMPTY, r13, p));
    rejects(Reason.WRONG_PROOF_SIZE,
        () -> MerkleVerifier.verifyConsistency(0, 13, EMPTY, r13, List.of(r13)));
    rejects(Reason.WRONG_PROOF_SIZE,
        () -> MerkleVerifier.verifyConsistency(13, 13, r13, r13, List.of(r13)));
    rejects(Reason.WRONG_PROOF_SIZE,
        () -> MerkleVerifier.verifyConsistency(0, 0, EMPTY, EMPTY, List.of(EMPTY)));
  }

  @Test
  void consistencyMalformed() {
    List<byte[]> p = TREE.consistencyProof(7, 13);
    byte[] r7 = TREE.root(7);
    byte[] r13 = TREE.root(13);
    rejects(Reason.MALFORMED, () -> MerkleVerifier.verifyConsistency(7, 13, null, r13, p));
    rejects(Reason.MALFORMED, () -> MerkleVerifier.verifyConsistency(7, 13, r7, null, p));
    rejects(Reason.MALFORMED, () -> MerkleVerifier.verifyConsistency(7, 13, r7, r13, null));
    rejects(Reason.MALFORMED, () -> MerkleVerifier.verifyConsistency(7, 13, new byte[9], r13, p));
    rejects(Reason.MALFORMED, () -> MerkleVerifier.verifyConsistency(7, 13, r7, new byte[0], p));
    rejects(Reason.MALFORMED, () -> MerkleVerifier.verifyConsistency(0, 13, null, r13, List.of()));
    rejects(Reason.MALFORMED, () -> MerkleVerifier.verifyConsistency(13, 13, r13, null, List.of()));
    List<byte[]> withNull = new ArrayList<>(p);
    withNull.set(0, null);
    rejects(Reason.MALFORMED, () -> MerkleVerifier.verifyConsistency(7, 13, r7, r13, withNull));
    List<byte[]> garbage = new ArrayList<>(p);
    garbage.set(p.size() - 1, new byte[0]);
    rejects(Reason.MALFORMED, () -> MerkleVerifier.verifyConsistency(7, 13, r7, r13, garbage));
  }

  @Test
  void consistencyWrongRoots() {
    List<byte[]> p = TREE.consistencyProof(7, 13);
    byte[] r7 = TREE.root(7);
    byte[] r13 = TREE.root(13);
    rejects(Reason.ROOT_MISMATCH, () -> MerkleVerifier.verifyConsistency(7, 13, r13, r7, p));
    rejects(Reason.ROOT_MISMATCH,
        () -> MerkleVerifier.verifyConsistency(7, 13, TREE.root(6), r13, p));
    rejects(Reason.ROOT_MISMATCH,
        () -> MerkleVerifier.verifyConsistency(7, 13, r7, TREE.root(14), p));
    rejects(Reason.ROOT_MISMATCH,
        () -> MerkleVerifier.verifyConsistency(13, 13, r13, r7, List.of()));
    // The empty tree has exactly one root.
    rejects(Reason.ROOT_MISMATCH,
        () -> MerkleVerifier.verifyConsistency(0, 13, r7, r13, List.of()));
    rejects(Reason.ROOT_MISMATCH,
        () -> MerkleVerifier.verifyConsistency(0, 0, EMPTY, r7, List.of()));
    // Power-of-two m: the old root is not in the proof, but it is still checked.
    List<byte[]> p8 = TREE.consistencyProof(8, 13);
    rejects(Reason.ROOT_MISMATCH,
        () -> MerkleVerifier.verifyConsistency(8, 13, TREE.root(7), r13, p8));
  }
}
