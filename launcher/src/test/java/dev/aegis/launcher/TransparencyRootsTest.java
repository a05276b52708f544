package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.evidence.DailyRoot;
import dev.aegis.pipeline.evidence.Ed25519Keys;
import dev.aegis.storage.pg.PgAuditStore;
import dev.aegis.storage.pg.PgEvidenceStore;
import dev.aegis.storage.pg.PgRootStore;
import dev.aegis.storage.pg.PgUrls;
import dev.aegis.verticles.evidence.DailyRootService;
import dev.aegis.verticles.evidence.EvidenceKeys;
import dev.aegis.verticles.evidence.ProofService;
import dev.aegis.verticles.evidence.RootScheduler;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Daily transparency roots checked the way an auditor would: today's running root equals the
 * Merkle root of the log at its size and its signature verifies with the published keys only;
 * with an injected clock, closed days are sealed, a day without leaves gets the empty-epoch root
 * chained to the previous day, and a sealed root never changes; tenants are isolated; the
 * published files carry the same payload and signature. Each test uses its own fresh tenant.
 */
class TransparencyRootsTest extends AbstractGatewayApiTest {

  private static final HexFormat HEX = HexFormat.of();
  private final Path dataDir = tempDir();
  private Pool pool;

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("aegis-roots-test");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  Map<String, String> extraEnv() {
    return Map.of("AEGIS_DATA_DIR", dataDir.toString());
  }

  @AfterAll
  void closePool() throws Exception {
    if (pool != null) {
      await(pool.close());
    }
  }

  private Pool pool() {
    if (pool == null) {
      pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(PgUrls.options(db.url()))
          .using(node.vertx()).build();
    }
    return pool;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** A fresh tenant with an admin token and {@code n} audited executions: {tenant, adminToken}. */
  private String[] tenantWithTraffic(int n) throws Exception {
    String tenant = UUID.randomUUID().toString();
    String email = "roots-" + tenant + "@example.com";
    seedTenant(tenant, email);
    String admin = login(email, tenant);
    String[] ag = agent(admin, tenant, "low", "db.query");
    for (int i = 0; i < n; i++) {
      Http.Reply r = execute(ag[1], ag[0], "db.query", new JsonObject().put("query", "SELECT " + i + " FROM dual"));
      assertThat(r.status()).as(r.raw()).isEqualTo(200);
    }
    return new String[] {tenant, admin};
  }

  private Map<String, Ed25519PublicKeyParameters> publishedKeys() {
    Http.Reply keys = http.get("/transparency/keys", Map.of());
    assertThat(keys.status()).isEqualTo(200);
    Map<String, Ed25519PublicKeyParameters> out = new HashMap<>();
    keys.data().getJsonArray("keys").forEach(k -> {
      String pem = ((JsonObject) k).getString("public_key_pem");
      out.put(Ed25519Keys.fingerprintOfPem(pem), Ed25519Keys.publicKeyFromPem(pem));
    });
    return out;
  }

  private DailyRootService serviceAt(Instant now) throws Exception {
    EvidenceKeys keys = new EvidenceKeys(new PgEvidenceStore(pool()));
    await(keys.load());
    return new DailyRootService(new PgRootStore(pool()), new ProofService(new PgAuditStore(pool())), keys,
        Clock.fixed(now, ZoneOffset.UTC));
  }

  private static LocalDate today() {
    return LocalDate.now(ZoneOffset.UTC);
  }

  private JsonObject verifyRoot(String admin, JsonObject row) {
    Http.Reply v = http.post("/transparency/verify-root", row, Http.bearer(admin));
    assertThat(v.status()).as(v.raw()).isEqualTo(200);
    return v.data();
  }

  /** Verifies today's running root: the Merkle root at its size, signed, verifiable offline. */
  @Test
  void should_serve_todays_root_as_the_signed_merkle_root_at_its_size() throws Exception {
    String[] c = tenantWithTraffic(6);
    UUID tenant = UUID.fromString(c[0]);
    Http.Reply r = http.post("/transparency/compute", new JsonObject(), Http.bearer(c[1]));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    JsonObject row = r.data();
    assertThat(row.getString("tenant_id")).isEqualTo(c[0]);
    assertThat(row.getString("root_date")).isEqualTo(today().toString());
    assertThat(row.getBoolean("sealed")).isFalse();
    assertThat(row.getString("prev_root_hash")).isNull(); // the tenant's first day
    long size = row.getLong("tree_size");
    assertThat(size).isGreaterThanOrEqualTo(6);
    assertThat(row.getLong("leaf_count")).isEqualTo(size); // all leaves are from today
    byte[] expected = await(new ProofService(new PgAuditStore(pool())).root(tenant, size));
    assertThat(row.getString("root_hash")).isEqualTo(HEX.formatHex(expected));
    // leaf range = first and last leaf of the day
    JsonArray rows = auditRows(c[1], "limit=1000");
    assertThat(rows.stream().map(o -> ((JsonObject) o).getString("id")))
        .contains(row.getString("leaf_range_start_id"), row.getString("leaf_range_end_id"));
    // offline: the signature with the published keys, and the payload matches the row
    DailyRoot root = DailyRoot.verify(row.getString("signed_root_payload"), row.getString("signature"),
        row.getString("signing_key_fingerprint"), publishedKeys());
    assertThat(root.rootHash()).isEqualTo(row.getString("root_hash"));
    assertThat(root.tenantId()).isEqualTo(c[0]);
    assertThat(root.leafCount()).isEqualTo(size);
    assertThat(root.windowEnd()).isEqualTo(row.getString("window_end"));
    // served by date and in the list
    Http.Reply one = http.get("/transparency/roots/" + today(), Http.bearer(c[1]));
    assertThat(one.status()).as(one.raw()).isEqualTo(200);
    // (a scheduler round may have re-anchored it since: same day and tenant, a newer window)
    JsonObject served = one.data();
    assertThat(served.getString("tenant_id")).isEqualTo(c[0]);
    assertThat(served.getString("window_end")).isGreaterThanOrEqualTo(row.getString("window_end"));
    assertThat(served.getString("root_hash")).isEqualTo(HEX.formatHex(
        await(new ProofService(new PgAuditStore(pool())).root(tenant, served.getLong("tree_size")))));
    DailyRoot.verify(served.getString("signed_root_payload"), served.getString("signature"),
        served.getString("signing_key_fingerprint"), publishedKeys());
    Http.Reply list = http.get("/transparency/roots", Http.bearer(c[1]));
    assertThat(list.data().getJsonArray("items")).hasSize(1);
    Http.Reply none = http.get("/transparency/roots/2001-01-01", Http.bearer(c[1]));
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.error()).isEqualTo("not_found");
    assertThat(http.get("/transparency/roots/yesterday", Http.bearer(c[1])).error()).isEqualTo("validation_error");
    // the server's verifier agrees, and catches tampering
    JsonObject ok = verifyRoot(c[1], row);
    assertThat(ok.getBoolean("valid")).as(ok.encode()).isTrue();
    assertThat(ok.getBoolean("signature_valid")).isTrue();
    JsonObject tampered = verifyRoot(c[1], row.copy().put("root_hash", "00".repeat(32)));
    assertThat(tampered.getBoolean("valid")).isFalse();
    String badPayload = row.getString("signed_root_payload").replace("\"leaf_count\":" + size,
        "\"leaf_count\":" + (size + 1));
    JsonObject forged = verifyRoot(c[1], new JsonObject().put("signed_root_payload", badPayload)
        .put("signature", row.getString("signature")).put("signing_key_fingerprint",
            row.getString("signing_key_fingerprint")));
    assertThat(forged.getBoolean("valid")).isFalse();
    assertThat(forged.getString("reason")).contains("invalid_signature");
    // re-anchoring after more traffic advances the running root
    String[] ag = agent(c[1], c[0], "low", "db.query");
    assertThat(execute(ag[1], ag[0], "db.query", new JsonObject().put("query", "SELECT 99")).status()).isEqualTo(200);
    JsonObject again = http.post("/transparency/compute", new JsonObject(), Http.bearer(c[1])).data();
    assertThat(again.getLong("tree_size")).isGreaterThan(size);
    assertThat(again.getString("root_hash")).isNotEqualTo(row.getString("root_hash"));
    assertThat(again.getString("window_end")).isGreaterThanOrEqualTo(row.getString("window_end"));
  }

  /** Verifies sealing with an injected clock, the empty-epoch day, prev links and immutability. */
  @Test
  void should_seal_closed_days_chain_empty_days_and_never_change_a_sealed_root() throws Exception {
    String[] c = tenantWithTraffic(3);
    UUID tenant = UUID.fromString(c[0]);
    LocalDate d0 = today();
    JsonObject running = http.post("/transparency/compute", new JsonObject(), Http.bearer(c[1])).data();
    assertThat(running.getBoolean("sealed")).isFalse();

    // the next day, five minutes after midnight: day 0 is sealed, day 1 has no leaves
    Instant next = d0.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).plusSeconds(300);
    PgRootStore.StoredRoot d1row = await(serviceAt(next).advance(tenant));
    assertThat(d1row.rootDate()).isEqualTo(d0.plusDays(1));
    JsonObject sealed = http.get("/transparency/roots/" + d0, Http.bearer(c[1])).data();
    assertThat(sealed.getBoolean("sealed")).isTrue();
    assertThat(sealed.getString("window_end")).isEqualTo(d0.plusDays(1) + "T00:00:00.000000Z");
    assertThat(sealed.getLong("tree_size")).isGreaterThanOrEqualTo(running.getLong("tree_size"));
    assertThat(sealed.getString("root_hash")).isEqualTo(HEX.formatHex(
        await(new ProofService(new PgAuditStore(pool())).root(tenant, sealed.getLong("tree_size")))));
    JsonObject day1 = http.get("/transparency/roots/" + d0.plusDays(1), Http.bearer(c[1])).data();
    assertThat(day1.getBoolean("sealed")).isFalse();
    assertThat(day1.getLong("leaf_count")).isZero();
    assertThat(day1.getString("leaf_range_start_id")).isNull();
    assertThat(day1.getString("prev_root_hash")).isEqualTo(sealed.getString("root_hash"));
    assertThat(day1.getString("root_hash")).isEqualTo(DailyRoot.emptyEpochRoot(sealed.getString("root_hash")));
    assertThat(day1.getString("window_end")).isEqualTo(d0.plusDays(1) + "T00:05:00.000000Z");

    // two days later: day 1 sealed, day 2 chained to it
    await(serviceAt(next.plusSeconds(86_400)).advance(tenant));
    JsonArray items = http.get("/transparency/roots?since=" + d0, Http.bearer(c[1])).data().getJsonArray("items");
    assertThat(items).hasSize(3);
    assertThat(items.getJsonObject(0).getString("root_date")).isEqualTo(d0.plusDays(2).toString()); // newest first
    JsonObject day1Sealed = items.getJsonObject(1);
    assertThat(day1Sealed.getBoolean("sealed")).isTrue();
    assertThat(items.getJsonObject(0).getString("prev_root_hash")).isEqualTo(day1Sealed.getString("root_hash"));
    assertThat(http.get("/transparency/roots?since=" + d0 + "&until=" + d0 + "&limit=5", Http.bearer(c[1])).data()
        .getJsonArray("items")).hasSize(1);
    Map<String, Ed25519PublicKeyParameters> keys = publishedKeys();
    for (Object o : items) {
      JsonObject row = (JsonObject) o;
      DailyRoot.verify(row.getString("signed_root_payload"), row.getString("signature"),
          row.getString("signing_key_fingerprint"), keys);
      JsonObject v = verifyRoot(c[1], row);
      assertThat(v.getBoolean("valid")).as(v.encode()).isTrue();
      assertThat(v.getBoolean("prev_link_checked")).isEqualTo(!row.getString("root_date").equals(d0.toString()));
    }
    // a previous root that is not the previous day is refused
    JsonObject wrongPrev = verifyRoot(c[1], items.getJsonObject(0).copy().put("previous", sealed));
    assertThat(wrongPrev.getBoolean("valid")).isFalse();
    assertThat(wrongPrev.getBoolean("prev_link_valid")).isFalse();
    JsonObject rightPrev = verifyRoot(c[1], items.getJsonObject(0).copy().put("previous", day1Sealed));
    assertThat(rightPrev.getBoolean("valid")).as(rightPrev.encode()).isTrue();

    // a sealed root never changes: more traffic, a recompute, and a direct UPDATE
    String[] ag = agent(c[1], c[0], "low", "db.query");
    assertThat(execute(ag[1], ag[0], "db.query", new JsonObject().put("query", "SELECT 7")).status()).isEqualTo(200);
    http.post("/transparency/compute", new JsonObject(), Http.bearer(c[1]));
    await(serviceAt(next.plusSeconds(86_400)).advance(tenant));
    JsonObject after = http.get("/transparency/roots/" + d0, Http.bearer(c[1])).data();
    for (String k : new String[] {"root_hash", "signature", "signed_root_payload", "tree_size", "window_end",
        "computed_at"}) {
      assertThat(after.getValue(k)).as(k).isEqualTo(sealed.getValue(k));
    }
    try (Connection conn = DriverManager.getConnection(PgUrls.jdbc(PgUrls.options(db.url())))) {
      assertThatThrownBy(() -> conn.createStatement().executeUpdate("UPDATE audit.transparency_roots SET root_hash = '"
          + "0".repeat(64) + "' WHERE tenant_id = '" + c[0] + "' AND root_date = '" + d0 + "'"))
          .hasMessageContaining("immutable");
      assertThatThrownBy(() -> conn.createStatement().executeUpdate("DELETE FROM audit.transparency_roots"
          + " WHERE tenant_id = '" + c[0] + "'")).hasMessageContaining("cannot be deleted");
    }

    // publication: the files carry the same payload and signature, and the key is published
    node.vertx().eventBus().publish(RootScheduler.NUDGE, "test");
    Path file = dataDir.resolve("public-roots").resolve(c[0]).resolve(d0 + ".json");
    long deadline = System.currentTimeMillis() + 20_000;
    // the node's own scheduler (real clock) may publish a provisional root for the same date
    // first; wait for the round the nudge triggered to publish the sealed one
    while (!publishedSealed(file) && System.currentTimeMillis() < deadline) {
      node.vertx().eventBus().publish(RootScheduler.NUDGE, "test");
      Thread.sleep(200);
    }
    assertThat(file).exists();
    JsonObject published = new JsonObject(Files.readString(file));
    assertThat(published.getString("signed_root_payload")).isEqualTo(sealed.getString("signed_root_payload"));
    assertThat(published.getString("signature")).isEqualTo(sealed.getString("signature"));
    assertThat(published.getBoolean("sealed")).isTrue();
    Path keyFile = dataDir.resolve("public-roots").resolve("keys").resolve(sealed.getString("signing_key_fingerprint") + ".pem");
    assertThat(keyFile).exists();
    String pem = Files.readString(keyFile);
    assertThat(Ed25519Keys.fingerprintOfPem(pem)).isEqualTo(sealed.getString("signing_key_fingerprint"));
    DailyRoot.verify(published.getString("signed_root_payload"), published.getString("signature"),
        Ed25519Keys.fingerprintOfPem(pem), Map.of(Ed25519Keys.fingerprintOfPem(pem), Ed25519Keys.publicKeyFromPem(pem)));
  }

  /** Verifies that roots are tenant-scoped: no list, date, verify or compute shows another tenant. */
  @Test
  void should_isolate_roots_between_tenants() throws Exception {
    String[] c = tenantWithTraffic(2);
    JsonObject row = http.post("/transparency/compute", new JsonObject(), Http.bearer(c[1])).data();
    Map<String, String> b = Http.bearer(adminB);
    Http.Reply list = http.get("/transparency/roots?limit=366", b);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.raw()).doesNotContain(c[0]).doesNotContain(row.getString("root_hash"));
    Http.Reply one = http.get("/transparency/roots/" + today(), b);
    assertThat(one.raw()).doesNotContain(c[0]).doesNotContain(row.getString("root_hash"));
    Http.Reply compute = http.post("/transparency/compute", new JsonObject(), b);
    assertThat(compute.raw()).doesNotContain(c[0]);
    JsonObject v = verifyRoot(adminB, row);
    assertThat(v.getBoolean("valid")).isFalse();
    assertThat(v.getString("reason")).contains("another tenant");
    // C's own view is unchanged
    assertThat(http.get("/transparency/roots/" + today(), Http.bearer(c[1])).data().getString("tenant_id"))
        .isEqualTo(c[0]);
  }

  private static boolean publishedSealed(Path file) {
    try {
      return Files.exists(file) && new JsonObject(Files.readString(file)).getBoolean("sealed", false);
    } catch (Exception e) {
      return false; // being written
    }
  }
}
