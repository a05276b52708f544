package dev.aegis.pipeline.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Bounds and defensive copying of {@link InMemoryTree} and {@link CompactRange}. */
class InMemoryTreeTest {

  @Test
  void rejectsOutOfRange() {
    InMemoryTree t = InMemoryTree.ofData(MerkleFixtures.leafData(0, 5));
    assertThat(t.size()).isEqualTo(5);
    assertThatThrownBy(() -> t.root(6)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.root(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.hash(0, 6)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.hash(3, 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.hash(-1, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.leafHash(5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.inclusionProof(5, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.inclusionProof(0, 6)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.consistencyProof(6, 6)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.consistencyProof(4, 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.compactRange(6)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.append(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new InMemoryTree().inclusionProof(0, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void returnedArraysAreCopies() {
    InMemoryTree t = InMemoryTree.ofData(MerkleFixtures.leafData(0, 4));
    byte[] root = t.root();
    t.leafHash(0)[0] ^= 1;
    t.hash(0, 2)[0] ^= 1;
    t.inclusionProof(0, 4).get(0)[0] ^= 1;
    t.compactRange(4).hashes().get(0)[0] ^= 1;
    byte[] leaf = MerkleHash.leafHash(MerkleFixtures.leafData(4));
    InMemoryTree u = InMemoryTree.ofData(MerkleFixtures.leafData(0, 4));
    u.append(leaf);
    leaf[0] ^= 1; // the tree must have copied it
    assertThat(t.root()).isEqualTo(root);
    assertThat(u.root(4)).isEqualTo(root);
    assertThat(u.root()).isEqualTo(MerkleNaive.mth(MerkleFixtures.leafData(0, 5)));
  }

  @Test
  void nodeSourceAsLambda() {
    // Any hash(start, end) function gets proofs for free; here one backed by the naive MTH.
    List<byte[]> data = MerkleFixtures.leafData(0, 11);
    NodeSource naive = (s, e) -> MerkleNaive.mth(data.subList((int) s, (int) e));
    InMemoryTree t = InMemoryTree.ofData(data);
    assertThat(naive.root(11)).isEqualTo(t.root());
    assertThat(MerkleFixtures.hexAll(naive.inclusionProof(3, 11)))
        .isEqualTo(MerkleFixtures.hexAll(t.inclusionProof(3, 11)));
    assertThat(MerkleFixtures.hexAll(naive.consistencyProof(5, 11)))
        .isEqualTo(MerkleFixtures.hexAll(t.consistencyProof(5, 11)));
  }

  @Test
  void compactRangeState() {
    InMemoryTree t = InMemoryTree.ofData(MerkleFixtures.leafData(0, 13));
    CompactRange cr = t.compactRange(13);
    assertThat(cr.ranges()).containsExactly(new MerkleMath.Range(0, 8),
        new MerkleMath.Range(8, 12), new MerkleMath.Range(12, 13));
    assertThat(cr.hashes()).hasSize(3);
    for (int i = 0; i < 3; i++) {
      MerkleMath.Range r = cr.ranges().get(i);
      assertThat(cr.hashes().get(i)).isEqualTo(t.hash(r.start(), r.end()));
    }
    assertThat(cr.toBytes()).hasSize(8 + 3 * 32);
    CompactRange copy = cr.copy();
    copy.append(t.leafHash(0));
    assertThat(cr.size()).isEqualTo(13);
    assertThat(cr.root()).isEqualTo(t.root());
    assertThat(CompactRange.of(13, cr.hashes())).isEqualTo(cr).hasSameHashCodeAs(cr);

    assertThatThrownBy(() -> CompactRange.of(13, cr.hashes().subList(0, 2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CompactRange.of(-1, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CompactRange.of(1, List.of(new byte[31])))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] bytes = cr.toBytes();
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 1);
    assertThatThrownBy(() -> CompactRange.fromBytes(truncated))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CompactRange.fromBytes(new byte[3]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(CompactRange.fromBytes(new CompactRange().toBytes())).isEqualTo(new CompactRange());
    assertThatThrownBy(() -> new CompactRange().append(null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
