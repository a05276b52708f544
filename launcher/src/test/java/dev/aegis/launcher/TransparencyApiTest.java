package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.evidence.Checkpoint;
import dev.aegis.pipeline.evidence.Ed25519Keys;
import dev.aegis.pipeline.evidence.ReceiptFields;
import dev.aegis.pipeline.evidence.Receipts;
import dev.aegis.pipeline.evidence.SignedNote;
import dev.aegis.pipeline.merkle.MerkleHash;
import dev.aegis.pipeline.merkle.MerkleVerifier;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The evidence API checked the way an auditor would: receipts, inclusion proofs, checkpoints and
 * consistency proofs are verified in the test with the public keys only.
 */
class TransparencyApiTest extends AbstractGatewayApiTest {

  private static final HexFormat HEX = HexFormat.of();

  @Override
  Map<String, String> extraEnv() {
    return Map.of();
  }

  private List<SignedNote.Verifier> noteKeys() {
    Http.Reply keys = http.get("/transparency/keys", Map.of());
    assertThat(keys.status()).isEqualTo(200);
    List<SignedNote.Verifier> out = new ArrayList<>();
    keys.data().getJsonArray("keys").forEach(k -> out.add(SignedNote.Verifier.of(
        ((JsonObject) k).getString("note_key_name"),
        Ed25519Keys.publicKeyFromPem(((JsonObject) k).getString("public_key_pem")))));
    return out;
  }

  private List<String> executeSome(int n) {
    String[] ag = agent(adminA, TENANT_A, "low", "db.query");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String q = i % 3 == 0 ? "DROP TABLE t" + i : "SELECT " + i + " FROM dual";
      Http.Reply r = execute(ag[1], ag[0], "db.query", new JsonObject().put("query", q));
      ids.add(r.status() == 200 ? r.data().getString("audit_id") : r.json().getString("audit_id"));
    }
    return ids;
  }

  /** Verifies a receipt offline: signature, leaf, inclusion proof and the signed checkpoint. */
  @Test
  void should_serve_receipts_that_verify_offline() {
    List<String> ids = executeSome(7);
    List<SignedNote.Verifier> keys = noteKeys();
    for (String id : ids) {
      Http.Reply r = http.get("/receipts/" + id, Http.bearer(adminA));
      assertThat(r.status()).as(r.raw()).isEqualTo(200);
      JsonObject signed = r.data();
      assertThat(signed.getString("algorithm")).isEqualTo("ed25519");
      JsonObject receipt = signed.getJsonObject("receipt");
      assertThat(receipt.getString("execution_id")).isEqualTo(id);
      String pem = http.get("/receipts/key", Map.of()).data().getString("public_key_pem");
      assertThat(Receipts.verify(signed, Map.of(Ed25519Keys.fingerprintOfPem(pem), Ed25519Keys.publicKeyFromPem(pem))))
          .isTrue();
      JsonObject inc = signed.getJsonObject("inclusion");
      byte[] leaf = MerkleHash.leafHash(Receipts.leafInput(ReceiptFields.fromJson(receipt),
          signed.getJsonObject("inclusion").getLong("leaf_index")));
      assertThat(HEX.formatHex(leaf)).isEqualTo(inc.getString("leaf_hash"));
      List<byte[]> path = new ArrayList<>();
      inc.getJsonArray("audit_path").forEach(h -> path.add(HEX.parseHex((String) h)));
      byte[] root = HEX.parseHex(inc.getString("root_hash"));
      MerkleVerifier.verifyInclusion(inc.getLong("leaf_index"), inc.getLong("tree_size"), leaf, path, root);
      Checkpoint cp = Checkpoint.verify(inc.getString("checkpoint"), "aegis/audit/" + TENANT_A, keys);
      assertThat(cp.size()).isEqualTo(inc.getLong("tree_size"));
      assertThat(cp.rootHash()).isEqualTo(root);
      // the server's verifier agrees, and catches a tampered receipt
      Http.Reply ok = http.post("/receipts/verify", signed, Http.bearer(adminA));
      assertThat(ok.data().getBoolean("valid")).as(ok.raw()).isTrue();
      JsonObject forged = signed.copy();
      forged.getJsonObject("receipt").put("decision", "allow".equals(receipt.getString("decision")) ? "deny" : "allow");
      assertThat(http.post("/receipts/verify", forged, Http.bearer(adminA)).data().getBoolean("valid")).isFalse();
    }
  }

  /** Verifies that every entry is in the same checkpointed tree and later trees extend earlier ones. */
  @Test
  void should_serve_inclusion_and_consistency_proofs() {
    executeSome(5);
    Http.Reply first = http.get("/transparency/checkpoint", Http.bearer(adminA, "Accept", "application/json"));
    assertThat(first.status()).as(first.raw()).isEqualTo(200);
    long m = first.data().getLong("tree_size");
    byte[] rootM = HEX.parseHex(first.data().getString("root_hash"));
    List<String> later = executeSome(9);
    Http.Reply text = http.get("/transparency/checkpoint", Http.bearer(adminA));
    assertThat(text.header("content-type")).startsWith("text/plain");
    Checkpoint second = Checkpoint.verify(text.raw(), "aegis/audit/" + TENANT_A, noteKeys());
    long n = second.size();
    assertThat(n).isGreaterThan(m);
    Http.Reply cons = http.get("/transparency/consistency?first=" + m + "&second=" + n, Http.bearer(adminA));
    assertThat(cons.status()).as(cons.raw()).isEqualTo(200);
    List<byte[]> proof = new ArrayList<>();
    cons.data().getJsonArray("proof").forEach(h -> proof.add(HEX.parseHex((String) h)));
    MerkleVerifier.verifyConsistency(m, n, rootM, second.rootHash(), proof);
    for (String id : later) {
      Http.Reply inc = http.get("/transparency/inclusion/" + id + "?tree_size=" + n, Http.bearer(adminA));
      assertThat(inc.status()).as(inc.raw()).isEqualTo(200);
      List<byte[]> path = new ArrayList<>();
      inc.data().getJsonArray("audit_path").forEach(h -> path.add(HEX.parseHex((String) h)));
      MerkleVerifier.verifyInclusion(inc.data().getLong("leaf_index"), n,
          HEX.parseHex(inc.data().getString("leaf_hash")), path, second.rootHash());
    }
    assertThat(http.get("/transparency/consistency?first=" + (n + 1) + "&second=" + (n + 2), Http.bearer(adminA))
        .status()).isEqualTo(400);
    // the server-side verification recomputes chains, leaves, the checkpoint root and its signature
    Http.Reply verify = http.get("/audit/logs/verify", Http.bearer(adminA));
    assertThat(verify.data().getBoolean("valid")).as(verify.raw()).isTrue();
    assertThat(verify.data().getLong("leaves_checked")).isGreaterThanOrEqualTo(n);
    assertThat(verify.data().getJsonObject("checkpoint").getBoolean("signature_valid")).isTrue();
    assertThat(verify.data().getJsonObject("checkpoint").getBoolean("root_matches_leaves")).isTrue();
  }

  /** Verifies that evidence signed before a key rotation still verifies after it. */
  @Test
  void should_keep_old_evidence_verifiable_after_key_rotation() {
    String id = executeSome(1).get(0);
    JsonObject before = http.get("/receipts/" + id, Http.bearer(adminA)).data();
    String oldFp = before.getString("public_key_fingerprint");
    assertThat(http.post("/admin/evidence-keys/rotate", new JsonObject(), Http.bearer(adminB)).status())
        .isEqualTo(403);
    Http.Reply rot = http.post("/admin/evidence-keys/rotate", new JsonObject(), Http.bearer(adminA));
    assertThat(rot.status()).as(rot.raw()).isEqualTo(200);
    String newFp = rot.data().getString("active_fingerprint");
    assertThat(newFp).isNotEqualTo(oldFp);
    JsonArray keys = http.get("/transparency/keys", Map.of()).data().getJsonArray("keys");
    assertThat(keys.stream().map(k -> ((JsonObject) k).getString("fingerprint"))).contains(oldFp, newFp);
    assertThat(http.post("/receipts/verify", before, Http.bearer(adminA)).data().getBoolean("valid")).isTrue();
    String id2 = executeSome(1).get(0);
    JsonObject after = http.get("/receipts/" + id2, Http.bearer(adminA)).data();
    assertThat(after.getString("public_key_fingerprint")).isEqualTo(newFp);
    assertThat(http.post("/receipts/verify", after, Http.bearer(adminA)).data().getBoolean("valid")).isTrue();
    Checkpoint.verify(http.get("/transparency/checkpoint", Http.bearer(adminA)).raw(), "aegis/audit/" + TENANT_A,
        noteKeys());
  }

  /** Verifies that receipts and proofs are tenant scoped. */
  @Test
  void should_not_serve_another_tenants_evidence() {
    String id = executeSome(1).get(0);
    assertThat(http.get("/receipts/" + id, Http.bearer(adminB)).status()).isEqualTo(404);
    assertThat(http.get("/transparency/inclusion/" + id, Http.bearer(adminB)).status()).isEqualTo(404);
    assertThat(http.get("/receipts/" + UUID.randomUUID(), Http.bearer(adminA)).status()).isEqualTo(404);
    String[] ag = agent(adminA, TENANT_A, "low", "db.query");
    assertThat(http.get("/receipts/" + id, Http.bearer(ag[1])).status()).isEqualTo(403);
    JsonArray keys = http.get("/transparency/keys", Map.of()).data().getJsonArray("keys");
    assertThat(keys).isNotEmpty();
  }
}
