package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.audit.AuditChain;
import dev.aegis.pipeline.evidence.ReceiptFields;
import dev.aegis.pipeline.evidence.Receipts;
import dev.aegis.pipeline.merkle.MerkleHash;
import dev.aegis.pipeline.verify.BundleVerifier;
import dev.aegis.pipeline.verify.Report;
import dev.aegis.pipeline.verify.Report.Check;
import dev.aegis.storage.pg.PgUrls;
import dev.aegis.storage.pg.ScratchDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Tamper evidence end to end (RELIABILITY §1 goal 2): a real node writes a few hundred rows, the
 * bundle is exported over HTTP and verified offline; then 1,000 single tamperings of copies of
 * the bundle and 20 real database tamperings (append-only trigger disabled as the superuser) must
 * each be reported, naming exactly the tampered row (or, for a truncated tail, the missing size).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TamperEvidenceTest {

  static final String TENANT = AegisNode.DEMO_TENANT;
  static final String PASSWORD = "correct horse battery staple";
  static final int ROWS = 300;

  ScratchDatabase db;
  AegisNode node;
  Http http;
  String admin;

  @BeforeAll
  void start() throws Exception {
    db = ScratchDatabase.create(TestEnv.pgUrl(), "tamper");
    int port = TestEnv.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("AEGIS_PG_URL", db.url());
    env.put("AEGIS_PORT", Integer.toString(port));
    env.put("AEGIS_ADMIN_PASSWORD", PASSWORD);
    env.put("AEGIS_INSTANCES", "2");
    env.put("AEGIS_LIMITS_AGENT_RPS", "100000");
    env.put("AEGIS_LIMITS_AGENT_BURST", "100000");
    env.put("AEGIS_LIMITS_TENANT_RPS", "100000");
    env.put("AEGIS_LIMITS_TENANT_BURST", "100000");
    node = AegisNode.start(AegisConfig.fromEnv(env));
    http = new Http(port);
    Http.Reply login = http.post("/auth/token", new JsonObject().put("email", AegisNode.ADMIN_EMAIL)
        .put("password", PASSWORD), Map.of("X-Tenant-ID", TENANT));
    assertThat(login.status()).as(login.raw()).isEqualTo(200);
    admin = login.data().getString("access_token");
    produceRows();
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (db != null) {
      db.close();
    }
  }

  // ------------------------------------------------------------------------------ fixtures

  String[] agent() {
    Http.Reply a = http.post("/agents", new JsonObject().put("name", "tamper-" + UUID.randomUUID().toString().substring(0, 8))
        .put("risk_level", "low"), Http.bearer(admin));
    assertThat(a.status()).as(a.raw()).isEqualTo(201);
    String id = a.data().getString("id");
    assertThat(http.post("/agents/" + id + "/permissions", new JsonObject().put("tool_name", "db.query")
        .put("action", "ALLOW"), Http.bearer(admin)).status()).isEqualTo(201);
    Http.Reply cred = http.post("/auth/credentials", new JsonObject().put("agent_id", id), Http.bearer(admin));
    assertThat(cred.status()).as(cred.raw()).isEqualTo(201);
    Http.Reply tok = http.post("/auth/agent/token", new JsonObject().put("agent_id", id)
        .put("secret", cred.data().getString("secret")), Map.of("X-Tenant-ID", TENANT));
    assertThat(tok.status()).as(tok.raw()).isEqualTo(200);
    return new String[] {id, tok.data().getString("access_token")};
  }

  /** A mix of allows and denies (hard-deny SQL, tools without a grant), each with a nonce. */
  void produceRows() throws Exception {
    String[] ag = agent();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> fs = new ArrayList<>();
      for (int i = 0; i < ROWS; i++) {
        int n = i;
        fs.add(pool.submit(() -> {
          String tool = n % 7 == 0 ? "shell.exec" : "db.query";
          String q = n % 3 == 0 ? "DROP TABLE t" + n : "SELECT " + n + " FROM orders";
          Map<String, String> h = new HashMap<>(Http.bearer(ag[1]));
          h.put("X-Agent-ID", ag[0]);
          return http.post("/execute", new JsonObject().put("tool", tool).put("payload",
              new JsonObject().put("query", q).put("nonce", UUID.randomUUID().toString())), h).status();
        }));
      }
      int allowed = 0;
      for (Future<Integer> f : fs) {
        int st = f.get();
        assertThat(st).isIn(200, 403);
        allowed += st == 200 ? 1 : 0;
      }
      assertThat(allowed).isBetween(ROWS / 3, ROWS - ROWS / 3);
    } finally {
      pool.shutdownNow();
    }
  }

  long leafCount() throws Exception {
    try (Connection c = connect(); PreparedStatement s = c.prepareStatement(
        "SELECT count(*) FROM audit.audit_logs WHERE tenant_id = ?::uuid AND leaf_index IS NOT NULL")) {
      s.setString(1, TENANT);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  Connection connect() throws Exception {
    return DriverManager.getConnection(PgUrls.jdbc(PgUrls.options(db.url())));
  }

  /** Waits until a signed checkpoint covers every committed row. */
  long awaitCheckpoint() throws Exception {
    long want = leafCount();
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      Http.Reply cp = http.get("/transparency/checkpoint", Http.bearer(admin, "Accept", "application/json"));
      assertThat(cp.status()).as(cp.raw()).isEqualTo(200);
      long size = cp.data().getLong("tree_size");
      if (size >= want) {
        return size;
      }
      assertThat(System.currentTimeMillis()).as("checkpoint covering " + want).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  JsonObject export() {
    Http.Reply r = http.get("/audit/export/bundle?from=2000-01-01&to=2100-01-01", Http.bearer(admin));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return new JsonObject(r.raw());
  }

  static Report verify(JsonObject bundle) {
    try {
      return BundleVerifier.verify(bundle.encode());
    } catch (BundleVerifier.UnreadableBundleException e) {
      throw new AssertionError(e);
    }
  }

  // ---------------------------------------------------------------------------------- tests

  /** Verifies the clean bundle, 1,000 random tamperings of copies of it, and the CLI exit codes. */
  @Test
  void should_name_every_tampered_row_of_an_exported_bundle() throws Exception {
    long size = awaitCheckpoint();
    JsonObject clean = export();
    JsonArray rows = clean.getJsonArray("rows");
    assertThat(rows.size()).isGreaterThanOrEqualTo(ROWS);
    assertThat(clean.getJsonArray("checkpoints")).isNotEmpty();
    assertThat(clean.getString("format_version")).isEqualTo("aegis-bundle/1");
    Report ok = verify(clean);
    assertThat(ok.valid()).as(ok.toText()).isTrue();
    assertThat(ok.stats().getLong("leaves")).isEqualTo(rows.size()).isGreaterThanOrEqualTo(size);

    Random rnd = new Random(20261127);
    String[] fields = {"decision", "reason", "agent_id", "tool", "request_id", "created_at"};
    int tried = 0;
    int detected = 0;
    int exact = 0;
    Map<String, Integer> perKind = new java.util.TreeMap<>();
    List<String> misses = new ArrayList<>();
    for (int trial = 0; trial < 1000; trial++) {
      JsonObject b = clean.copy();
      JsonArray rs = b.getJsonArray("rows");
      int n = rs.size();
      int p = rnd.nextInt(n);
      int kind = rnd.nextInt(10);
      String label;
      boolean named;
      Report r;
      if (kind < 6) {
        String f = fields[kind];
        label = "field:" + f;
        JsonObject row = rs.getJsonObject(p);
        String old = row.getString(f);
        String v = f.equals("decision") ? ("allow".equals(old) ? "deny" : "allow")
            : f.equals("created_at") ? old.replace("Z", "1Z") : (old == null ? "" : old) + "~";
        row.put(f, v);
        r = verify(b);
        named = r.firstFailure() != null && r.firstFailure().row() != null
            && row.getString("id").equals(r.firstFailure().row().id());
      } else if (kind == 6) {
        label = "delete";
        rs.remove(p);
        r = verify(b);
        Report.Failure f = r.firstFailure();
        named = f != null && (p == n - 1
            ? f.check() == Check.TRUNCATED && f.extra().getLong("missing_from") == p
            : f.check() == Check.LEAF_SEQUENCE && f.extra().getLong("expected_leaf_index") == p);
      } else if (kind == 7) {
        label = "swap";
        int q = rnd.nextInt(n - 1);
        q = q >= p ? q + 1 : q;
        JsonObject a = rs.getJsonObject(p);
        JsonObject c = rs.getJsonObject(q);
        rs.set(p, c);
        rs.set(q, a);
        r = verify(b);
        Report.Failure f = r.firstFailure();
        named = f != null && f.row() != null && f.row().position() == Math.min(p, q)
            && List.of(a.getString("id"), c.getString("id")).contains(f.row().id());
      } else if (kind == 8) {
        label = "insert_forged";
        int at = rnd.nextInt(n + 1);
        JsonObject forged = forge(rs.getJsonObject(Math.min(at, n - 1)));
        rs.add(at, forged);
        r = verify(b);
        named = r.firstFailure() != null && r.firstFailure().row() != null
            && forged.getString("id").equals(r.firstFailure().row().id());
      } else {
        label = "truncate";
        int cut = 1 + rnd.nextInt(Math.min(50, n - 1));
        for (int i = 0; i < cut; i++) {
          rs.remove(rs.size() - 1);
        }
        r = verify(b);
        Report.Failure f = r.firstFailure();
        named = f != null && f.check() == Check.TRUNCATED && f.extra().getLong("missing_from") == n - cut
            && f.extra().getLong("expected_tree_size") == n;
      }
      tried++;
      perKind.merge(label, 1, Integer::sum);
      detected += r.valid() ? 0 : 1;
      exact += named ? 1 : 0;
      if (!named && misses.size() < 5) {
        misses.add(label + " at " + p + ": " + r.firstFailure());
      }
    }
    System.out.printf("TamperEvidenceTest: bundle of %d rows; %d tamperings tried, %d detected, %d named exactly; %s%n",
        rows.size(), tried, detected, exact, perKind);
    assertThat(misses).isEmpty();
    assertThat(detected).isEqualTo(1000);
    assertThat(exact).isEqualTo(1000);

    // the jar command, in process
    Path dir = Files.createDirectories(Path.of("target", "tamper-evidence")); // kept as a CI artifact
    Path good = dir.resolve("good.json");
    Files.writeString(good, clean.encode());
    JsonObject bad = clean.copy();
    bad.getJsonArray("rows").getJsonObject(5).put("decision", "kill");
    Path badFile = dir.resolve("bad.json");
    Files.writeString(badFile, bad.encode());
    Path garbage = dir.resolve("garbage.json");
    Files.writeString(garbage, "{not json");
    assertThat(cli(good.toString()).code).isZero();
    Cli t = cli(badFile.toString());
    assertThat(t.code).isEqualTo(1);
    assertThat(t.out).contains("INVALID").contains(bad.getJsonArray("rows").getJsonObject(5).getString("id"));
    Cli j = cli(badFile.toString(), "--json");
    assertThat(j.code).isEqualTo(1);
    assertThat(new JsonObject(j.out).getJsonObject("first_failure").getJsonObject("row").getString("id"))
        .isEqualTo(bad.getJsonArray("rows").getJsonObject(5).getString("id"));
    assertThat(cli(garbage.toString()).code).isEqualTo(2);
    assertThat(cli(dir.resolve("missing.json").toString()).code).isEqualTo(2);
  }

  record Cli(int code, String out) {}

  static Cli cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    int code = Main.verify(args, ps, ps);
    return new Cli(code, out.toString(StandardCharsets.UTF_8));
  }

  /** A forged row claiming the place of {@code model}: new id, other content, valid hashes. */
  static JsonObject forge(JsonObject model) {
    JsonObject f = model.copy().put("id", UUID.randomUUID().toString()).put("agent_id", "forger")
        .put("decision", "allow").put("reason", "forged");
    String hash = AuditChain.eventHash(f.getString("prev_hash"), f.getString("tenant_id"), "forger",
        f.getString("action"), f.getString("tool"), "allow", f.getString("request_id"));
    f.put("event_hash", hash);
    byte[] leaf = MerkleHash.leafHash(Receipts.leafInput(new ReceiptFields(f.getString("id"),
        f.getString("tenant_id"), "forger", f.getString("tool"), f.getString("action"), "allow", "forged",
        f.getString("request_id"), f.getString("created_at"), hash, f.getString("prev_hash"),
        f.getInteger("chain_shard")), f.getLong("leaf_index")));
    return f.put("leaf_hash", HexFormat.of().formatHex(leaf));
  }

  /** Real tamperings of the database (issue #4: 1,000 random positions). */
  private static final int DB_TAMPERINGS = Integer.getInteger("aegis.test.dbTampers", 1000);

  /**
   * Verifies that every tampering done directly in PostgreSQL (append-only trigger disabled by the
   * superuser) is named exactly by the offline verifier: a changed field, a deleted row, two rows
   * reordered (their leaf positions swapped) and a forged row inserted, at random positions, each
   * undone before the next.
   */
  @Test
  void should_name_rows_tampered_in_the_database() throws Exception {
    awaitCheckpoint();
    JsonObject clean = export();
    assertThat(verify(clean).valid()).isTrue();
    JsonArray rows = clean.getJsonArray("rows");
    Random rnd = new Random(42);
    String[] kinds = {"decision", "agent_id", "reason", "tool", "request_id", "delete", "swap", "insert"};
    java.util.Map<String, Integer> named = new java.util.TreeMap<>();
    int chainNamed = 0;
    int chainTampers = 0;
    try (Connection c = connect(); Statement st = c.createStatement()) {
      for (int i = 0; i < DB_TAMPERINGS; i++) {
        int pos = rnd.nextInt(rows.size());
        JsonObject row = rows.getJsonObject(pos);
        String id = row.getString("id");
        long leaf = row.getLong("leaf_index");
        String kind = kinds[i % kinds.length];
        // the neighbour for a swap, and the id of a forged row
        JsonObject other = rows.getJsonObject(pos + 1 < rows.size() ? pos + 1 : pos - 1);
        String forged = java.util.UUID.randomUUID().toString();
        String part = partition(c, id);
        String otherPart = partition(c, other.getString("id"));
        trigger(st, part, false);
        trigger(st, otherPart, false);
        try {
          switch (kind) {
            case "delete" -> {
              st.execute("CREATE TEMP TABLE saved AS SELECT * FROM audit.audit_logs WHERE id = '" + id + "'");
              st.executeUpdate("DELETE FROM audit.audit_logs WHERE id = '" + id + "'");
            }
            case "swap" -> {
              st.executeUpdate("UPDATE audit.audit_logs SET leaf_index = -1 WHERE id = '" + id + "'");
              st.executeUpdate("UPDATE audit.audit_logs SET leaf_index = " + leaf + " WHERE id = '"
                  + other.getString("id") + "'");
              st.executeUpdate("UPDATE audit.audit_logs SET leaf_index = " + other.getLong("leaf_index")
                  + " WHERE id = '" + id + "'");
            }
            case "insert" -> st.executeUpdate("INSERT INTO audit.audit_logs (seq, id, tenant_id, org_id, agent_id,"
                + " action, tool, decision, reason, metadata_json, request_id, event_hash, prev_hash, hash_version,"
                + " chain_shard, chain_index, leaf_index, leaf_hash, subtree_hashes, billing_status, created_at)"
                + " SELECT nextval('audit.audit_logs_seq_seq'), '" + forged + "', tenant_id, org_id, agent_id,"
                + " action, tool, CASE WHEN decision = 'allow' THEN 'deny' ELSE 'allow' END, reason,"
                + " metadata_json, request_id, event_hash, prev_hash, hash_version, chain_shard, chain_index,"
                + " leaf_index, leaf_hash, subtree_hashes, billing_status, created_at"
                + " FROM audit.audit_logs WHERE id = '" + id + "'");
            default -> {
              try (PreparedStatement u = c.prepareStatement("UPDATE audit.audit_logs SET " + kind
                  + " = ? WHERE id = ?::uuid")) {
                u.setString(1, kind.equals("decision") ? ("allow".equals(row.getString(kind)) ? "deny" : "allow")
                    : row.getString(kind) + "-tampered");
                u.setString(2, id);
                assertThat(u.executeUpdate()).isEqualTo(1);
              }
            }
          }
        } finally {
          trigger(st, part, true);
          trigger(st, otherPart, true);
        }
        Report r = verify(export());
        Report.Failure f = r.firstFailure();
        assertThat(r.valid()).as(kind).isFalse();
        boolean ok = switch (kind) {
          case "delete" -> leaf == rows.size() - 1
              ? f.check() == Check.TRUNCATED && f.extra().getLong("missing_from") == leaf
              : f.check() == Check.LEAF_SEQUENCE && f.extra().getLong("expected_leaf_index") == leaf;
          case "swap" -> f.row() != null && (id.equals(f.row().id()) || other.getString("id").equals(f.row().id()));
          case "insert" -> r.toText().contains(forged);
          default -> f.row() != null && id.equals(f.row().id());
        };
        assertThat(ok).as(kind + " of " + id + " (leaf " + leaf + "): " + r.toText()).isTrue();
        named.merge(kind, 1, Integer::sum);
        if ((kind.equals("decision") || kind.equals("agent_id")) && i < 40) {
          chainTampers++;
          Http.Reply v = http.get("/audit/logs/verify", Http.bearer(admin));
          assertThat(v.data().getBoolean("valid")).isFalse();
          assertThat(v.data().getJsonArray("violations").stream()
              .map(o -> ((JsonObject) o).getString("id"))).contains(id);
          chainNamed++;
        }
        // undo
        trigger(st, part, false);
        trigger(st, otherPart, false);
        try {
          switch (kind) {
            case "delete" -> {
              st.executeUpdate("INSERT INTO audit.audit_logs SELECT * FROM saved");
              st.execute("DROP TABLE saved");
            }
            case "swap" -> {
              st.executeUpdate("UPDATE audit.audit_logs SET leaf_index = -1 WHERE id = '" + id + "'");
              st.executeUpdate("UPDATE audit.audit_logs SET leaf_index = " + other.getLong("leaf_index")
                  + " WHERE id = '" + other.getString("id") + "'");
              st.executeUpdate("UPDATE audit.audit_logs SET leaf_index = " + leaf + " WHERE id = '" + id + "'");
            }
            case "insert" -> st.executeUpdate("DELETE FROM audit.audit_logs WHERE id = '" + forged + "'");
            default -> {
              try (PreparedStatement u = c.prepareStatement("UPDATE audit.audit_logs SET " + kind
                  + " = ? WHERE id = ?::uuid")) {
                u.setString(1, row.getString(kind));
                u.setString(2, id);
                assertThat(u.executeUpdate()).isEqualTo(1);
              }
            }
          }
        } finally {
          trigger(st, part, true);
          trigger(st, otherPart, true);
        }
      }
    }
    System.out.printf("TamperEvidenceTest: %d database tamperings named exactly %s; %d/%d chain-level ones named by"
        + " GET /audit/logs/verify%n", DB_TAMPERINGS, named, chainNamed, chainTampers);
    assertThat(named.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(DB_TAMPERINGS);
    Report again = verify(export());
    assertThat(again.valid()).as(again.toText()).isTrue();
    assertThat(http.get("/audit/logs/verify", Http.bearer(admin)).data().getBoolean("valid")).isTrue();
  }

  static String partition(Connection c, String id) throws Exception {
    try (PreparedStatement s = c.prepareStatement(
        "SELECT tableoid::regclass::text FROM audit.audit_logs WHERE id = ?::uuid")) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /** The append-only trigger is a user trigger cloned onto each partition: toggle it there. */
  static void trigger(Statement st, String partition, boolean enable) throws Exception {
    st.execute("ALTER TABLE " + partition + (enable ? " ENABLE" : " DISABLE") + " TRIGGER USER");
  }
}
