package dev.aegis.pipeline.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.audit.AuditChain;
import dev.aegis.pipeline.evidence.Checkpoint;
import dev.aegis.pipeline.evidence.DailyRoot;
import dev.aegis.pipeline.evidence.Ed25519Keys;
import dev.aegis.pipeline.evidence.ReceiptFields;
import dev.aegis.pipeline.evidence.Receipts;
import dev.aegis.pipeline.evidence.SignedNote;
import dev.aegis.pipeline.merkle.InMemoryTree;
import dev.aegis.pipeline.merkle.MerkleHash;
import dev.aegis.pipeline.verify.Report.Check;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The offline verifier on synthetic bundles: a clean one verifies, each tampering is named. */
class BundleVerifierTest {

  static final String TENANT = "11111111-2222-3333-4444-555555555555";
  static final Ed25519Keys.KeyPair KEY = Ed25519Keys.KeyPair.of(Ed25519Keys.generate());

  /** A bundle of n rows with checkpoints every {@code every} leaves and at n. */
  static JsonObject bundle(int n, int every) {
    JsonArray rows = new JsonArray();
    JsonArray cps = new JsonArray();
    Map<Integer, String[]> tails = new HashMap<>();
    InMemoryTree tree = new InMemoryTree();
    Instant t0 = Instant.parse("2026-11-27T10:00:00.123456Z");
    SignedNote.Signer signer = SignedNote.Signer.of("aegis-audit", KEY.privateKey());
    for (int i = 0; i < n; i++) {
      String id = UUID.nameUUIDFromBytes(("row" + i).getBytes()).toString();
      String req = "req-" + i;
      int shard = AuditChain.shardOf(req, 16);
      String[] tail = tails.get(shard);
      String prev = tail == null ? AuditChain.GENESIS : tail[0];
      long idx = tail == null ? 0 : Long.parseLong(tail[1]) + 1;
      String decision = i % 3 == 0 ? "deny" : "allow";
      String hash = AuditChain.eventHash(prev, TENANT, "agent-" + (i % 5), "execute", "db.query",
          decision, req);
      String ts = DateTimeFormatter.ISO_INSTANT.format(t0.plus(i * 1000L, ChronoUnit.MICROS));
      byte[] leaf = MerkleHash.leafHash(Receipts.leafInput(new ReceiptFields(id, TENANT,
          "agent-" + (i % 5), "db.query", "execute", decision, "reason " + i, req, ts, hash, prev, shard), i));
      tree.append(leaf);
      rows.add(new JsonObject().put("id", id).put("tenant_id", TENANT).put("agent_id", "agent-" + (i % 5))
          .put("action", "execute").put("tool", "db.query").put("decision", decision)
          .put("reason", "reason " + i).put("request_id", req).put("event_hash", hash).put("prev_hash", prev)
          .put("chain_shard", shard).put("chain_index", idx).put("leaf_index", (long) i)
          .put("leaf_hash", HexFormat.of().formatHex(leaf)).put("created_at", ts));
      tails.put(shard, new String[] {hash, Long.toString(idx)});
      if ((i + 1) % every == 0 || i == n - 1) {
        cps.add(new Checkpoint("aegis/audit/" + TENANT, i + 1, tree.root()).sign(signer));
      }
    }
    return new JsonObject().put("format_version", "aegis-bundle/1").put("tenant_id", TENANT)
        .put("generated_at", "2026-11-27T11:00:00Z").put("rows", rows).put("checkpoints", cps)
        .put("public_keys", new JsonObject().put(KEY.fingerprint(), KEY.publicKeyPem()))
        .put("roots", new JsonArray());
  }

  static Report verify(JsonObject b) {
    try {
      return BundleVerifier.verify(b.encode());
    } catch (BundleVerifier.UnreadableBundleException e) {
      throw new AssertionError(e);
    }
  }

  static JsonArray rows(JsonObject b) {
    return b.getJsonArray("rows");
  }

  @Test
  void should_accept_an_untouched_bundle() {
    Report r = verify(bundle(200, 17));
    assertThat(r.valid()).as(r.toText()).isTrue();
    assertThat(r.stats().getLong("leaves")).isEqualTo(200);
    assertThat(r.stats().getLong("checkpoints_ok")).isEqualTo(12);
    assertThat(r.toJson().getBoolean("valid")).isTrue();
    assertThat(r.toText()).contains("VALID");
  }

  @Test
  void should_name_the_row_whose_chain_field_changed() {
    for (String field : new String[] {"decision", "agent_id", "tool", "request_id"}) {
      JsonObject b = bundle(100, 10);
      JsonObject row = rows(b).getJsonObject(42);
      row.put(field, row.getString(field) + "x");
      Report r = verify(b);
      assertThat(r.valid()).isFalse();
      assertThat(r.firstFailure().row().id()).as(field).isEqualTo(row.getString("id"));
      assertThat(r.firstFailure().check()).isIn(Check.CHAIN, Check.LEAF_HASH);
      assertThat(r.failures()).anyMatch(f -> f.check() == Check.CHECKPOINT_ROOT);
    }
  }

  @Test
  void should_name_the_row_whose_reason_or_timestamp_changed() {
    for (String field : new String[] {"reason", "created_at"}) {
      JsonObject b = bundle(100, 10);
      JsonObject row = rows(b).getJsonObject(7);
      row.put(field, row.getString(field) + "x");
      Report r = verify(b);
      assertThat(r.firstFailure().check()).as(field).isEqualTo(Check.LEAF_HASH);
      assertThat(r.firstFailure().row().leafIndex()).isEqualTo(7);
      // with the stated leaf hash forged too, only the signed root catches it, within [0, 10)
      row.remove("leaf_hash");
      r = verify(b);
      assertThat(r.firstFailure().check()).isEqualTo(Check.CHECKPOINT_ROOT);
      assertThat(r.firstFailure().extra().getLong("suspect_from")).isEqualTo(0);
      assertThat(r.firstFailure().extra().getLong("suspect_to")).isEqualTo(10);
    }
  }

  @Test
  void should_name_a_deleted_swapped_and_forged_row_and_a_truncated_tail() {
    JsonObject b = bundle(100, 10);
    String after = rows(b).getJsonObject(31).getString("id");
    rows(b).remove(30);
    Report r = verify(b);
    assertThat(r.firstFailure().check()).isEqualTo(Check.LEAF_SEQUENCE);
    assertThat(r.firstFailure().extra().getLong("expected_leaf_index")).isEqualTo(30);
    assertThat(r.firstFailure().row().id()).isEqualTo(after);

    b = bundle(100, 10);
    JsonObject a = rows(b).getJsonObject(20);
    JsonObject c = rows(b).getJsonObject(60);
    rows(b).set(20, c);
    rows(b).set(60, a);
    r = verify(b);
    assertThat(r.firstFailure().row().position()).isEqualTo(20);
    assertThat(r.firstFailure().row().id()).isEqualTo(c.getString("id"));

    // a forged row placed before the genuine one, with a valid chain hash and leaf hash
    b = bundle(100, 10);
    JsonObject orig = rows(b).getJsonObject(55);
    JsonObject forged = orig.copy().put("id", UUID.randomUUID().toString()).put("decision", "allow")
        .put("agent_id", "forger");
    forged.put("event_hash", AuditChain.eventHash(forged.getString("prev_hash"), TENANT, "forger",
        "execute", forged.getString("tool"), "allow", forged.getString("request_id")));
    forged.remove("leaf_hash");
    rows(b).add(55, forged);
    r = verify(b);
    assertThat(r.firstFailure().row().id()).as(r.toText()).isEqualTo(forged.getString("id"));
    assertThat(r.failures()).anyMatch(f -> f.check() == Check.FORGED_ROW
        && f.row().id().equals(forged.getString("id")));

    b = bundle(100, 10);
    for (int i = 0; i < 5; i++) {
      rows(b).remove(rows(b).size() - 1);
    }
    r = verify(b);
    assertThat(r.firstFailure().check()).isEqualTo(Check.TRUNCATED);
    assertThat(r.firstFailure().extra().getLong("missing_from")).isEqualTo(95);
    assertThat(r.firstFailure().extra().getLong("expected_tree_size")).isEqualTo(100);
  }

  @Test
  void should_refuse_rows_beyond_the_last_checkpoint_and_foreign_signatures() {
    JsonObject b = bundle(100, 10);
    JsonArray cps = b.getJsonArray("checkpoints");
    cps.remove(cps.size() - 1);
    cps.remove(cps.size() - 1); // last is now size 80
    Report r = verify(b);
    assertThat(r.firstFailure().check()).isEqualTo(Check.UNCOVERED_ROW);
    assertThat(r.firstFailure().row().leafIndex()).isEqualTo(80);

    b = bundle(30, 10);
    Ed25519Keys.KeyPair other = Ed25519Keys.KeyPair.of(Ed25519Keys.generate());
    b.put("public_keys", new JsonObject().put(other.fingerprint(), other.publicKeyPem()));
    r = verify(b);
    assertThat(r.failures()).anyMatch(f -> f.check() == Check.CHECKPOINT_SIGNATURE);
    b.put("public_keys", new JsonObject().put(other.fingerprint(), KEY.publicKeyPem()));
    assertThat(verify(b).failures()).anyMatch(f -> f.check() == Check.PUBLIC_KEY);
  }

  @Test
  void should_check_daily_roots_signatures_and_links() {
    JsonObject b = bundle(10, 10);
    DailyRoot d1 = new DailyRoot("2026-11-25", "a".repeat(64), TENANT, 3, null, null, null, "2026-11-26T00:00:00Z");
    DailyRoot d2 = new DailyRoot("2026-11-26", "b".repeat(64), TENANT, 3, null, null, "a".repeat(64), "2026-11-27T00:00:00Z");
    DailyRoot d3 = new DailyRoot("2026-11-27", "c".repeat(64), TENANT, 3, null, null, "f".repeat(64), "2026-11-28T00:00:00Z");
    b.put("roots", new JsonArray().add(d1.sign(KEY).toJson()).add(d2.sign(KEY).toJson()));
    assertThat(verify(b).valid()).isTrue();
    b.getJsonArray("roots").add(d3.sign(KEY).toJson());
    Report r = verify(b);
    assertThat(r.firstFailure().check()).isEqualTo(Check.DAILY_ROOT);
    assertThat(r.firstFailure().extra().getString("root_date")).isEqualTo("2026-11-27");
  }

  @Test
  void should_detect_every_random_single_tampering() {
    Random rnd = new Random(7);
    JsonObject clean = bundle(300, 7);
    int exact = 0;
    for (int trial = 0; trial < 300; trial++) {
      JsonObject b = clean.copy();
      JsonArray rows = rows(b);
      int p = rnd.nextInt(rows.size());
      JsonObject row = rows.getJsonObject(p);
      String id = row.getString("id");
      int kind = rnd.nextInt(4);
      Report r;
      switch (kind) {
        case 0 -> {
          String f = new String[] {"decision", "reason", "agent_id", "tool", "request_id", "created_at"}[rnd.nextInt(6)];
          row.put(f, row.getString(f) + "!");
          r = verify(b);
          exact += id.equals(r.firstFailure().row().id()) ? 1 : 0;
        }
        case 1 -> {
          rows.remove(p);
          r = verify(b);
          exact += p == rows.size() ? (r.firstFailure().check() == Check.TRUNCATED ? 1 : 0)
              : r.firstFailure().extra().getLong("expected_leaf_index") == p ? 1 : 0;
        }
        case 2 -> {
          int q = rnd.nextInt(rows.size());
          if (q == p) {
            q = (p + 1) % rows.size();
          }
          JsonObject other = rows.getJsonObject(q);
          rows.set(p, other);
          rows.set(q, row);
          r = verify(b);
          exact += r.firstFailure().row().position() == Math.min(p, q) ? 1 : 0;
        }
        default -> {
          int cut = 1 + rnd.nextInt(20);
          for (int i = 0; i < cut; i++) {
            rows.remove(rows.size() - 1);
          }
          r = verify(b);
          exact += r.firstFailure().check() == Check.TRUNCATED
              && r.firstFailure().extra().getLong("missing_from") == rows.size() ? 1 : 0;
        }
      }
      assertThat(r.valid()).as("trial " + trial + " kind " + kind).isFalse();
    }
    assertThat(exact).isEqualTo(300);
  }

  @Test
  void should_refuse_unreadable_input() {
    assertThatThrownBy(() -> BundleVerifier.verify("not json")).isInstanceOf(BundleVerifier.UnreadableBundleException.class);
    assertThatThrownBy(() -> BundleVerifier.verify("{\"format_version\":\"x\"}"))
        .isInstanceOf(BundleVerifier.UnreadableBundleException.class);
    assertThatThrownBy(() -> BundleVerifier.verify("[1]")).isInstanceOf(BundleVerifier.UnreadableBundleException.class);
  }
}
