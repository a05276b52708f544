package dev.aegis.pipeline.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every transparency-dev/merkle JSON vector under {@code shared/testdata/merkle}
 * ({@code inclusion/**} and {@code consistency/**}), read from disk at test time.
 *
 * <p>Format: {@code leafIdx, treeSize, root, leafHash, proof} (inclusion) or
 * {@code size1, size2, root1, root2, proof} (consistency); hashes base64; indexes unsigned 64-bit
 * (index 0 minus one is 18446744073709551615, i.e. -1 as a Java long, which the verifier
 * rejects); {@code "proof": null} is Go's nil slice, i.e. the empty proof; {@code wantErr} true
 * means {@link MerkleVerifier} must throw {@link ProofException}, false that it must return
 * normally.
 */
class MerkleVectorsTest {

  static final Path DIR = dev.aegis.pipeline.TestData.dir("merkle");

  /** The CT reference tree: the vectors are proofs over its leaves. */
  static final InMemoryTree CT = InMemoryTree.ofData(MerkleFixtures.CT_LEAVES);

  static Stream<String> inclusionVectors() {
    return vectors("inclusion").stream();
  }

  static Stream<String> consistencyVectors() {
    return vectors("consistency").stream();
  }

  /** Relative paths of all JSON files under {@code DIR/kind}, sorted; fails if there are none. */
  static List<String> vectors(String kind) {
    Path dir = DIR.resolve(kind);
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("Merkle test vectors missing: " + dir
          + " (expected /work/shared/testdata/merkle; working dir "
          + System.getProperty("user.dir") + ")");
    }
    try (Stream<Path> s = Files.walk(dir)) {
      List<String> out = s.filter(p -> p.toString().endsWith(".json") && Files.isRegularFile(p))
          .map(p -> DIR.relativize(p).toString()).sorted().toList();
      if (out.isEmpty()) {
        throw new IllegalStateException("no .json vectors under " + dir);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void corpusIsThere() throws IOException {
    List<String> inc = vectors("inclusion");
    List<String> con = vectors("consistency");
    // Every JSON file in the corpus is one of the two kinds (nothing silently skipped).
    long allJson;
    try (Stream<Path> s = Files.walk(DIR)) {
      allJson = s.filter(p -> p.toString().endsWith(".json")).count();
    }
    assertThat(inc.size() + con.size()).isEqualTo(allJson);
    assertThat(inc).filteredOn(f -> f.endsWith("happy-path.json")).hasSizeGreaterThanOrEqualTo(3);
    assertThat(con).filteredOn(f -> f.endsWith("happy-path.json")).hasSizeGreaterThanOrEqualTo(3);
    System.out.printf("merkle vectors: %d inclusion + %d consistency = %d files%n", inc.size(),
        con.size(), inc.size() + con.size());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inclusionVectors")
  void inclusion(String file) {
    JsonObject v = read(file);
    long index = u64(v, "leafIdx");
    long size = u64(v, "treeSize");
    byte[] root = b64(v.getString("root"));
    byte[] leaf = b64(v.getString("leafHash"));
    List<byte[]> proof = proof(v);
    String ctx = file + " (" + v.getString("desc") + ")";
    if (v.getBoolean("wantErr")) {
      assertThatThrownBy(() -> MerkleVerifier.verifyInclusion(index, size, leaf, proof, root))
          .as(ctx).isInstanceOf(ProofException.class);
    } else {
      assertThatCode(() -> MerkleVerifier.verifyInclusion(index, size, leaf, proof, root))
          .as(ctx).doesNotThrowAnyException();
      assertThat(MerkleVerifier.rootFromInclusionProof(index, size, leaf, proof)).as(ctx)
          .isEqualTo(root);
      // The vectors are proofs over the CT reference tree: we must generate the same proof.
      assertThat(CT.root(size)).as(ctx).isEqualTo(root);
      assertThat(CT.leafHash(index)).as(ctx).isEqualTo(leaf);
      assertThat(MerkleFixtures.hexAll(CT.inclusionProof(index, size))).as(ctx)
          .isEqualTo(MerkleFixtures.hexAll(proof));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("consistencyVectors")
  void consistency(String file) {
    JsonObject v = read(file);
    long m = u64(v, "size1");
    long n = u64(v, "size2");
    byte[] root1 = b64(v.getString("root1"));
    byte[] root2 = b64(v.getString("root2"));
    List<byte[]> proof = proof(v);
    String ctx = file + " (" + v.getString("desc") + ")";
    if (v.getBoolean("wantErr")) {
      assertThatThrownBy(() -> MerkleVerifier.verifyConsistency(m, n, root1, root2, proof))
          .as(ctx).isInstanceOf(ProofException.class);
    } else {
      assertThatCode(() -> MerkleVerifier.verifyConsistency(m, n, root1, root2, proof))
          .as(ctx).doesNotThrowAnyException();
      assertThat(CT.root(m)).as(ctx).isEqualTo(root1);
      assertThat(CT.root(n)).as(ctx).isEqualTo(root2);
      assertThat(MerkleFixtures.hexAll(CT.consistencyProof(m, n))).as(ctx)
          .isEqualTo(MerkleFixtures.hexAll(proof));
    }
  }

  private static JsonObject read(String file) {
    try {
      JsonObject v = new JsonObject(Files.readString(DIR.resolve(file), StandardCharsets.UTF_8));
      assertThat(v.getValue("wantErr")).as("wantErr in " + file).isInstanceOf(Boolean.class);
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An unsigned 64-bit JSON integer as the Java long with the same bits. */
  private static long u64(JsonObject v, String key) {
    Object n = v.getValue(key);
    assertThat(n).as(key).isInstanceOf(Number.class);
    BigInteger b = n instanceof BigInteger bi ? bi : BigInteger.valueOf(((Number) n).longValue());
    assertThat(b.signum() >= 0 && b.bitLength() <= 64).as(key + " is a uint64").isTrue();
    return b.longValue();
  }

  private static byte[] b64(String s) {
    return Base64.getDecoder().decode(s);
  }

  /** {@code null} (Go's nil slice) is the empty proof. */
  private static List<byte[]> proof(JsonObject v) {
    JsonArray a = v.getJsonArray("proof");
    List<byte[]> out = new ArrayList<>();
    if (a != null) {
      for (int i = 0; i < a.size(); i++) {
        out.add(b64(a.getString(i)));
      }
    }
    return out;
  }
}
