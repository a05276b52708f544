package dev.aegis.pipeline.merkle;

import static dev.aegis.pipeline.merkle.MerkleFixtures.CT_LEAVES;
import static dev.aegis.pipeline.merkle.MerkleFixtures.CT_ROOTS;
import static dev.aegis.pipeline.merkle.MerkleFixtures.hex;
import static dev.aegis.pipeline.merkle.MerkleFixtures.unhex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.merkle.MerkleMath.Range;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Published constants, the RFC 9162 §2.1.5 worked example and the hashing primitives. */
class MerkleKnownAnswersTest {

  static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @Test
  void emptyRoot() {
    assertThat(MerkleHash.EMPTY_ROOT_HEX).isEqualTo(EMPTY);
    assertThat(hex(MerkleHash.emptyRoot())).isEqualTo(EMPTY);
    assertThat(hex(MerkleNaive.sha256((byte) -1))).isEqualTo(EMPTY);
    assertThat(hex(new InMemoryTree().root())).isEqualTo(EMPTY);
    assertThat(hex(new CompactRange().root())).isEqualTo(EMPTY);
    // A fresh copy each time: mutating one cannot poison the constant.
    MerkleHash.emptyRoot()[0] ^= 1;
    assertThat(hex(MerkleHash.emptyRoot())).isEqualTo(EMPTY);
  }

  @Test
  void ctReferenceRoots() {
    assertThat(hex(MerkleHash.leafHash(new byte[0]))).isEqualTo(CT_ROOTS.get(0));
    InMemoryTree tree = new InMemoryTree();
    CompactRange cr = new CompactRange();
    for (int i = 0; i < CT_LEAVES.size(); i++) {
      tree.appendData(CT_LEAVES.get(i));
      cr.append(MerkleHash.leafHash(CT_LEAVES.get(i)));
      assertThat(hex(tree.root())).as("size %d", i + 1).isEqualTo(CT_ROOTS.get(i));
      assertThat(hex(cr.root())).as("size %d", i + 1).isEqualTo(CT_ROOTS.get(i));
      assertThat(hex(MerkleNaive.mth(CT_LEAVES.subList(0, i + 1)))).isEqualTo(CT_ROOTS.get(i));
    }
    assertThat(hex(tree.root(1)))
        .isEqualTo("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    assertThat(hex(tree.root(8)))
        .isEqualTo("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
  }

  @Test
  void ctReferenceInclusionProof() {
    // certificate-transparency MerkleTreeTest: PATH(0, D[8]) (also transparency-dev vector 1).
    InMemoryTree tree = InMemoryTree.ofData(CT_LEAVES);
    assertThat(MerkleFixtures.hexAll(tree.inclusionProof(0, 8))).containsExactly(
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
  }

  @Test
  void split() {
    assertThat(MerkleMath.split(2)).isEqualTo(1);
    assertThat(MerkleMath.split(3)).isEqualTo(2);
    assertThat(MerkleMath.split(4)).isEqualTo(2);
    assertThat(MerkleMath.split(5)).isEqualTo(4);
    assertThat(MerkleMath.split(8)).isEqualTo(4);
    assertThat(MerkleMath.split(9)).isEqualTo(8);
    assertThat(MerkleMath.split(Long.MAX_VALUE)).isEqualTo(1L << 62);
    for (int n = 2; n < 5000; n++) {
      assertThat(MerkleMath.split(n)).isEqualTo(MerkleNaive.k(n));
    }
    assertThatThrownBy(() -> MerkleMath.split(1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MerkleMath.split(0)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * RFC 9162 §2.1.5 example tree of seven leaves d0..d6: a..f,j are leaves 0..6, g=[0,2),
   * h=[2,4), i=[4,6), k=[0,4), l=[4,7).
   */
  @Test
  void rfcExampleShapes() {
    Range b = new Range(1, 2);
    Range c = new Range(2, 3);
    Range d = new Range(3, 4);
    Range f = new Range(5, 6);
    Range j = new Range(6, 7);
    Range g = new Range(0, 2);
    Range h = new Range(2, 4);
    Range i = new Range(4, 6);
    Range k = new Range(0, 4);
    Range l = new Range(4, 7);
    assertThat(MerkleMath.inclusionProof(0, 7)).containsExactly(b, h, l);
    assertThat(MerkleMath.inclusionProof(3, 7)).containsExactly(c, g, l);
    assertThat(MerkleMath.inclusionProof(4, 7)).containsExactly(f, j, k);
    assertThat(MerkleMath.inclusionProof(6, 7)).containsExactly(i, k);
    assertThat(MerkleMath.consistencyProof(3, 7)).containsExactly(c, d, g, l);
    assertThat(MerkleMath.consistencyProof(4, 7)).containsExactly(l);
    assertThat(MerkleMath.consistencyProof(6, 7)).containsExactly(i, j, k);
    assertThat(MerkleMath.inclusionProof(0, 1)).isEmpty();
    assertThat(MerkleMath.consistencyProof(0, 7)).isEmpty();
    assertThat(MerkleMath.consistencyProof(7, 7)).isEmpty();
  }

  @Test
  void proofLengthsMatchShapes() {
    for (long n = 1; n <= 300; n++) {
      final long size = n;
      for (long x = 0; x < n; x++) {
        final long leaf = x;
        List<Range> inc = MerkleMath.inclusionProof(x, n);
        assertThat(MerkleMath.inclusionProofLength(x, n)).isEqualTo(inc.size());
        assertThat(inc).allMatch(r -> r.end() <= size && (leaf < r.start() || leaf >= r.end()));
      }
      for (long m = 0; m <= n; m++) {
        List<Range> con = MerkleMath.consistencyProof(m, n);
        assertThat(MerkleMath.consistencyProofLength(m, n)).as("%d %d", m, n)
            .isEqualTo(con.size());
        // Every element is a perfect subtree or a ragged right edge of the new tree.
        assertThat(con).allMatch(r -> r.isPerfect() || r.end() == size);
      }
    }
    long big = (1L << 62) + 12345;
    assertThat(MerkleMath.inclusionProof(big - 1, big))
        .hasSize(MerkleMath.inclusionProofLength(big - 1, big));
    assertThat(MerkleMath.consistencyProof(big - 7, big))
        .hasSize(MerkleMath.consistencyProofLength(big - 7, big));
    assertThatThrownBy(() -> MerkleMath.inclusionProof(5, 5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MerkleMath.inclusionProof(-1, 5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MerkleMath.consistencyProof(6, 5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Range(3, 3)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hashPrimitives() {
    byte[] a = MerkleHash.leafHash(unhex("00"));
    byte[] b = MerkleHash.leafHash(unhex("10"));
    byte[] ab = new byte[64];
    System.arraycopy(a, 0, ab, 0, 32);
    System.arraycopy(b, 0, ab, 32, 32);
    assertThat(MerkleHash.nodeHash(a, b)).isEqualTo(MerkleNaive.sha256((byte) 1, a, b))
        .isNotEqualTo(MerkleHash.leafHash(ab)); // domain separation
    assertThat(MerkleHash.leafHash(ab, 32, 32)).isEqualTo(MerkleHash.leafHash(b));
    assertThatThrownBy(() -> MerkleHash.nodeHash(a, new byte[31]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MerkleHash.nodeHash(null, b))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MerkleHash.leafHash(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void hashingIsThreadSafe() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Boolean>> jobs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        long seed = t;
        jobs.add(() -> {
          Random r = new Random(seed);
          for (int i = 0; i < 2000; i++) {
            byte[] x = new byte[r.nextInt(100)];
            r.nextBytes(x);
            byte[] y = MerkleHash.leafHash(x);
            byte[] z = MerkleHash.nodeHash(y, y);
            if (!MerkleHash.equal(y, MerkleNaive.sha256((byte) 0, x))
                || !MerkleHash.equal(z, MerkleNaive.sha256((byte) 1, y, y))) {
              return false;
            }
          }
          return true;
        });
      }
      for (Future<Boolean> f : pool.invokeAll(jobs)) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
