package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.storage.pg.PgUrls;
import dev.aegis.storage.pg.ScratchDatabase;
import dev.aegis.verticles.identity.PasswordHasher;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Black-box tests of the registry (SPEC §3.3) over HTTP on a real node and a scratch database:
 * agent update (with mass-assignment protection), soft delete, quarantine and release, grant
 * revocation and expiry, the summary, the tool inventory, agent profiles, list filters, roles and
 * tenant isolation on every route. Every change that the hot path must honour is checked on the
 * very next {@code /execute}, and the propagation is timed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryApiTest {

  static final String TENANT_A = AegisNode.DEMO_TENANT;
  static final String PASSWORD = "correct horse battery staple";
  static final long PROPAGATION_LIMIT_MS = 1_000;
  static final JsonObject SELECT = new JsonObject().put("query", "SELECT id FROM orders WHERE id = 42");

  ScratchDatabase db;
  AegisNode node;
  Http http;
  String tenantB;
  String adminA;
  String adminB;
  String viewerA;
  /** Time from a change's answer to the answer of the next request that must see it. */
  final List<Long> propagationMillis = new java.util.concurrent.CopyOnWriteArrayList<>();

  final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> blocked =
      new ch.qos.logback.core.read.ListAppender<>();

  @BeforeAll
  void start() throws Exception {
    ch.qos.logback.classic.Logger checker = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker");
    blocked.start();
    checker.addAppender(blocked);
    db = ScratchDatabase.create(TestEnv.pgUrl(), "registry");
    int port = TestEnv.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("AEGIS_PG_URL", db.url());
    env.put("AEGIS_PORT", Integer.toString(port));
    env.put("AEGIS_ADMIN_PASSWORD", PASSWORD);
    env.put("AEGIS_INSTANCES", "2");
    env.put("AEGIS_MAX_EVENT_LOOP_MS", "100");
    env.put("AEGIS_LIMITS_AGENT_RPS", "50");
    env.put("AEGIS_LIMITS_AGENT_BURST", "100");
    env.put("AEGIS_LIMITS_TENANT_RPS", "10000");
    env.put("AEGIS_LIMITS_TENANT_BURST", "10000");
    node = AegisNode.start(AegisConfig.fromEnv(env));
    http = new Http(port);
    tenantB = UUID.randomUUID().toString();
    seedTenant(tenantB);
    seedUser(tenantB, "admin-b-" + tenantB + "@example.com", "ADMIN");
    String viewerEmail = "viewer-a-" + UUID.randomUUID() + "@example.com";
    seedUser(TENANT_A, viewerEmail, "VIEWER");
    adminA = login(AegisNode.ADMIN_EMAIL, TENANT_A);
    adminB = login("admin-b-" + tenantB + "@example.com", tenantB);
    viewerA = login(viewerEmail, TENANT_A);
    warmUp();
    // cold start (class loading, first connections, JIT) may exceed the limit once; requests may not
    blocked.list.clear();
  }

  @AfterAll
  void stop() throws Exception {
    System.out.println("registry change -> next /execute (ms): " + propagationMillis);
    assertThat(blocked.list).as("event loops blocked longer than 100 ms").isEmpty();
    if (node != null) {
      node.close();
    }
    if (db != null) {
      db.close();
    }
  }

  /** Runs every registry route once, so that the tests measure warm paths. */
  void warmUp() {
    for (int i = 0; i < 2; i++) {
      String[] ag = agent(adminA, TENANT_A, "low", "db.query");
      execute(ag[1], ag[0], "db.query", SELECT);
      patch("/agents/" + ag[0], new JsonObject().put("description", "warm"), adminA);
      http.post("/agents/" + ag[0] + "/quarantine", new JsonObject().put("reason", "warm"), Http.bearer(adminA));
      execute(ag[1], ag[0], "db.query", SELECT);
      http.post("/agents/" + ag[0] + "/release", new JsonObject(), Http.bearer(adminA));
      http.get("/agents/" + ag[0] + "/profile", Http.bearer(adminA));
      http.get("/agents/summary", Http.bearer(adminA));
      http.get("/registry/tools", Http.bearer(adminA));
      http.get("/agents?q=agent&status=ACTIVE&risk_level=low", Http.bearer(adminA));
      String perm = http.get("/agents/" + ag[0] + "/permissions", Http.bearer(adminA)).data()
          .getJsonArray("items").getJsonObject(0).getString("id");
      http.delete("/agents/" + ag[0] + "/permissions/" + perm, Http.bearer(adminA));
      http.delete("/agents/" + ag[0], Http.bearer(adminA));
    }
  }

  // ---------------------------------------------------------------- helpers

  Connection jdbc() throws SQLException {
    return DriverManager.getConnection(PgUrls.jdbc(PgUrls.options(db.url())));
  }

  void seedTenant(String tenant) throws SQLException {
    try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement(
        "INSERT INTO identity.tenants (id, name) VALUES (?::uuid, 'tenant " + tenant.substring(0, 8) + "')")) {
      s.setString(1, tenant);
      s.executeUpdate();
    }
  }

  void seedUser(String tenant, String email, String role) throws SQLException {
    try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement("INSERT INTO identity.users"
        + " (id, tenant_id, email, password_hash, role) VALUES (?::uuid, ?::uuid, ?, ?, ?)")) {
      s.setString(1, UUID.randomUUID().toString());
      s.setString(2, tenant);
      s.setString(3, email);
      s.setString(4, new PasswordHasher(1024, 1, 1).hash(PASSWORD));
      s.setString(5, role);
      s.executeUpdate();
    }
  }

  /** A fresh tenant with an ADMIN; returns its token (for exact counts). */
  String freshTenantAdmin(String[] tenantOut) throws SQLException {
    String tenant = UUID.randomUUID().toString();
    String email = "admin-" + tenant + "@example.com";
    seedTenant(tenant);
    seedUser(tenant, email, "ADMIN");
    tenantOut[0] = tenant;
    return login(email, tenant);
  }

  String login(String email, String tenant) {
    Http.Reply r = http.post("/auth/token", new JsonObject().put("email", email).put("password", PASSWORD),
        Map.of("X-Tenant-ID", tenant));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return r.data().getString("access_token");
  }

  static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  JsonObject createAgent(String adminToken, String name, String risk) {
    Http.Reply a = http.post("/agents", new JsonObject().put("name", name).put("risk_level", risk),
        Http.bearer(adminToken));
    assertThat(a.status()).as(a.raw()).isEqualTo(201);
    return a.data();
  }

  JsonObject grant(String adminToken, String agentId, String tool, String action) {
    Http.Reply g = http.post("/agents/" + agentId + "/permissions",
        new JsonObject().put("tool_name", tool).put("action", action), Http.bearer(adminToken));
    assertThat(g.status()).as(g.raw()).isEqualTo(201);
    return g.data();
  }

  String agentToken(String adminToken, String tenant, String agentId) {
    Http.Reply cred = http.post("/auth/credentials", new JsonObject().put("agent_id", agentId), Http.bearer(adminToken));
    assertThat(cred.status()).as(cred.raw()).isEqualTo(201);
    Http.Reply tok = http.post("/auth/agent/token", new JsonObject().put("agent_id", agentId)
        .put("secret", cred.data().getString("secret")), Map.of("X-Tenant-ID", tenant));
    assertThat(tok.status()).as(tok.raw()).isEqualTo(200);
    return tok.data().getString("access_token");
  }

  /** Creates an agent with ALLOW grants and returns {agentId, agentToken}. */
  String[] agent(String adminToken, String tenant, String risk, String... tools) {
    String id = createAgent(adminToken, uniqueName("agent"), risk).getString("id");
    for (String tool : tools) {
      grant(adminToken, id, tool, "ALLOW");
    }
    return new String[] {id, agentToken(adminToken, tenant, id)};
  }

  /**
   * Calls /execute; each call carries a fresh nonce, so that repeating an action is not refused
   * by stage 1's replay window (these tests repeat the same action on purpose).
   */
  Http.Reply execute(String token, String agentId, String tool, JsonObject payload) {
    Map<String, String> h = new HashMap<>(Http.bearer(token));
    h.put("X-Agent-ID", agentId);
    JsonObject p = payload.copy().put("nonce", UUID.randomUUID().toString());
    return http.post("/execute", new JsonObject().put("tool", tool).put("payload", p), h);
  }

  Http.Reply patch(String path, JsonObject body, String token) {
    return http.raw("PATCH", path, body.encode(),
        Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"));
  }

  Http.Reply postEmpty(String path, String token) {
    return http.raw("POST", path, "", Http.bearer(token));
  }

  /**
   * Runs the change, then the very next request, and checks the next request already sees the
   * change well within the propagation limit (time from the change's answer to the next answer).
   */
  Http.Reply nextRequestAfter(Http.Reply change, int changeStatus, Supplier<Http.Reply> next) {
    assertThat(change.status()).as(change.raw()).isEqualTo(changeStatus);
    long t0 = System.nanoTime();
    Http.Reply r = next.get();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(ms).as("propagation of the change to the next request (ms)").isLessThan(PROPAGATION_LIMIT_MS);
    propagationMillis.add(ms);
    return r;
  }

  JsonArray auditRows(String adminToken, String query) {
    Http.Reply r = http.get("/audit/logs?" + query, Http.bearer(adminToken));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return r.data().getJsonArray("items");
  }

  List<JsonObject> auditRowsFor(String adminToken, String action, String agentId) {
    return auditRows(adminToken, "limit=1000&action=" + action).stream().map(o -> (JsonObject) o)
        .filter(o -> o.encode().contains(agentId)).toList();
  }

  static void assertError(Http.Reply r, int status, String key) {
    assertThat(r.status()).as(r.raw()).isEqualTo(status);
    assertThat(r.error()).as(r.raw()).isEqualTo(key);
  }

  static List<String> ids(Http.Reply list) {
    return list.data().getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  // ---------------------------------------------------------------- PATCH /agents/{id}

  /** Verifies PATCH changes the updatable fields, bumps updated_at, audits and validates. */
  @Test
  void should_update_an_agent() throws Exception {
    JsonObject created = createAgent(adminA, uniqueName("patch"), "low");
    String id = created.getString("id");
    Thread.sleep(5);
    String newName = uniqueName("renamed");
    Http.Reply r = patch("/agents/" + id, new JsonObject().put("name", newName)
        .put("description", "reads orders").put("risk_level", "HIGH")
        .put("metadata", new JsonObject().put("team", "support")).put("owner_id", "owner-7"), adminA);
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    JsonObject d = r.data();
    assertThat(d.getString("name")).isEqualTo(newName);
    assertThat(d.getString("description")).isEqualTo("reads orders");
    assertThat(d.getString("risk_level")).isEqualTo("high");
    assertThat(d.getJsonObject("metadata").getString("team")).isEqualTo("support");
    assertThat(d.getString("owner_id")).isEqualTo("owner-7");
    assertThat(d.getString("tenant_id")).isEqualTo(TENANT_A);
    assertThat(d.getString("status")).isEqualTo("ACTIVE");
    assertThat(d.getString("created_at")).isEqualTo(created.getString("created_at"));
    assertThat(OffsetDateTime.parse(d.getString("updated_at")))
        .isAfter(OffsetDateTime.parse(created.getString("updated_at")));
    assertThat(http.get("/agents/" + id, Http.bearer(viewerA)).data().getString("name")).isEqualTo(newName);
    // description may be cleared
    Http.Reply clear = patch("/agents/" + id, new JsonObject().putNull("description"), adminA);
    assertThat(clear.status()).as(clear.raw()).isEqualTo(200);
    assertThat(clear.data().getString("description")).isNull();
    // audited
    List<JsonObject> rows = auditRowsFor(adminA, "agent_updated", id);
    assertThat(rows).hasSize(2);
    assertThat(rows).anyMatch(row -> row.getJsonObject("metadata_json").getString("risk_level", "").equals("high"));
    assertThat(rows).noneMatch(row -> row.encode().contains("reads orders"));
  }

  /** Verifies PATCH's 400 (validation), 403 (role), 404 (ids) and 409 (name taken) paths. */
  @Test
  void should_refuse_invalid_updates() {
    JsonObject other = createAgent(adminA, uniqueName("taken"), "low");
    String id = createAgent(adminA, uniqueName("valid"), "low").getString("id");
    for (JsonObject bad : List.of(
        new JsonObject().put("name", "Bad Name!"),
        new JsonObject().put("name", "ab-"),
        new JsonObject().putNull("name"),
        new JsonObject().put("name", 7),
        new JsonObject().put("risk_level", "extreme"),
        new JsonObject().putNull("risk_level"),
        new JsonObject().put("metadata", "text"),
        new JsonObject().put("owner_id", " "),
        new JsonObject().put("description", "x".repeat(2001)),
        new JsonObject())) {
      assertError(patch("/agents/" + id, bad, adminA), 400, "validation_error");
    }
    Http.Reply taken = patch("/agents/" + id, new JsonObject().put("name", other.getString("name")), adminA);
    assertError(taken, 409, "conflict");
    assertError(patch("/agents/" + id, new JsonObject().put("description", "x"), viewerA), 403, "insufficient_role");
    assertError(patch("/agents/not-a-uuid", new JsonObject().put("description", "x"), adminA), 404, "not_found");
    assertError(patch("/agents/" + UUID.randomUUID(), new JsonObject().put("description", "x"), adminA), 404, "not_found");
    Http.Reply malformed = http.raw("PATCH", "/agents/" + id, "{\"description\": ",
        Map.of("Authorization", "Bearer " + adminA, "Content-Type", "application/json"));
    assertError(malformed, 400, "invalid_json");
    JsonObject now = http.get("/agents/" + id, Http.bearer(adminA)).data();
    assertThat(now.getString("risk_level")).isEqualTo("low");
    assertThat(now.getString("description")).isNull();
  }

  /** Verifies mass assignment: tenant_id, status, id, timestamps in a PATCH are 400 and change nothing. */
  @Test
  void should_refuse_mass_assignment() throws Exception {
    JsonObject before = createAgent(adminA, uniqueName("mass"), "low");
    String id = before.getString("id");
    Map<String, Object> forbidden = new HashMap<>();
    forbidden.put("tenant_id", tenantB);
    forbidden.put("status", "ACTIVE");
    forbidden.put("id", UUID.randomUUID().toString());
    forbidden.put("created_at", "2020-01-01T00:00:00Z");
    forbidden.put("updated_at", "2020-01-01T00:00:00Z");
    forbidden.put("deleted_at", "2020-01-01T00:00:00Z");
    forbidden.put("quarantined_at", "2020-01-01T00:00:00Z");
    forbidden.put("quarantine_reason", "x");
    forbidden.put("org_id", UUID.randomUUID().toString());
    forbidden.put("is_admin", true);
    for (Map.Entry<String, Object> e : forbidden.entrySet()) {
      // alone, and smuggled next to an allowed field
      for (JsonObject body : List.of(new JsonObject().put(e.getKey(), e.getValue()),
          new JsonObject().put("description", "smuggled").put(e.getKey(), e.getValue()))) {
        Http.Reply r = patch("/agents/" + id, body, adminA);
        assertError(r, 400, "validation_error");
        assertThat(r.json().getString("detail")).as(r.raw()).contains("'" + e.getKey() + "'");
      }
    }
    Http.Reply q = patch("/agents/" + id, new JsonObject().put("status", "QUARANTINED"), adminA);
    assertError(q, 400, "validation_error");
    JsonObject after = http.get("/agents/" + id, Http.bearer(adminA)).data();
    assertThat(after).isEqualTo(before);
    assertThat(http.get("/agents/" + id, Http.bearer(adminB)).status()).isEqualTo(404);
    try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement(
        "SELECT tenant_id::text, status, deleted_at FROM registry.agents WHERE id = ?::uuid")) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(TENANT_A);
        assertThat(rs.getString(2)).isEqualTo("ACTIVE");
        assertThat(rs.getObject(3)).isNull();
      }
    }
    assertThat(auditRowsFor(adminA, "agent_updated", id)).isEmpty();
  }

  // ---------------------------------------------------------------- DELETE /agents/{id}

  /** Verifies soft delete: 404 afterwards everywhere, /execute 404 at once, grants revoked, name reusable. */
  @Test
  void should_soft_delete_an_agent() throws Exception {
    String name = uniqueName("doomed");
    String id = createAgent(adminA, name, "medium").getString("id");
    grant(adminA, id, "db.query", "ALLOW");
    grant(adminA, id, "shell.exec", "DENY");
    String token = agentToken(adminA, TENANT_A, id);
    assertThat(execute(token, id, "db.query", SELECT).status()).isEqualTo(200);

    Http.Reply del = http.delete("/agents/" + id, Http.bearer(adminA));
    // the deleted agent's own token is revoked at once; an admin acting for it finds no agent
    Http.Reply next = nextRequestAfter(del, 200, () -> execute(token, id, "db.query", SELECT));
    assertError(next, 401, "token_revoked");
    assertError(execute(adminA, id, "db.query", SELECT), 404, "agent_not_found");
    assertThat(del.data().getBoolean("deleted")).isTrue();
    assertThat(del.data().getInteger("grants_revoked")).isEqualTo(2);
    assertThat(del.data().getString("deleted_at")).isNotBlank();

    assertError(http.get("/agents/" + id, Http.bearer(adminA)), 404, "not_found");
    assertError(http.get("/agents/" + id + "/permissions", Http.bearer(adminA)), 404, "not_found");
    assertError(http.get("/agents/" + id + "/profile", Http.bearer(adminA)), 404, "not_found");
    assertError(patch("/agents/" + id, new JsonObject().put("description", "x"), adminA), 404, "not_found");
    assertError(http.delete("/agents/" + id, Http.bearer(adminA)), 404, "not_found");
    assertError(http.post("/agents/" + id + "/quarantine", new JsonObject().put("reason", "x"), Http.bearer(adminA)),
        404, "not_found");
    assertError(http.post("/agents/" + id + "/permissions", new JsonObject().put("tool_name", "db.query"),
        Http.bearer(adminA)), 404, "not_found");
    assertThat(ids(http.get("/agents?limit=1000", Http.bearer(adminA)))).doesNotContain(id);
    try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement(
        "SELECT (SELECT deleted_at IS NOT NULL FROM registry.agents WHERE id = ?::uuid),"
            + " (SELECT count(*) FROM registry.permissions WHERE agent_id = ?::uuid)")) {
      s.setString(1, id);
      s.setString(2, id);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        assertThat(rs.getBoolean(1)).as("row kept, deleted_at set").isTrue();
        assertThat(rs.getLong(2)).as("grants revoked").isZero();
      }
    }
    // the name is free again
    JsonObject reborn = createAgent(adminA, name, "low");
    assertThat(reborn.getString("id")).isNotEqualTo(id);
    // the old agent's token stays revoked
    assertError(execute(token, id, "db.query", SELECT), 401, "token_revoked");
    List<JsonObject> rows = auditRowsFor(adminA, "agent_deleted", id);
    assertThat(rows).hasSize(1);
    // 403 for readers, 404 for malformed ids
    String other = createAgent(adminA, uniqueName("keep"), "low").getString("id");
    assertError(http.delete("/agents/" + other, Http.bearer(viewerA)), 403, "insufficient_role");
    assertError(http.delete("/agents/xyz", Http.bearer(adminA)), 404, "not_found");
    assertThat(http.get("/agents/" + other, Http.bearer(adminA)).status()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- quarantine and release

  /** Verifies quarantine stops the agent on its very next request and release lets it go again. */
  @Test
  void should_quarantine_and_release_an_agent() {
    String[] ag = agent(adminA, TENANT_A, "low", "db.query");
    String id = ag[0];
    assertThat(execute(ag[1], id, "db.query", SELECT).status()).isEqualTo(200);

    Http.Reply q = http.post("/agents/" + id + "/quarantine", new JsonObject().put("reason", "leaking data"),
        Http.bearer(adminA));
    Http.Reply denied = nextRequestAfter(q, 200, () -> execute(ag[1], id, "db.query", SELECT));
    assertError(denied, 403, "agent_quarantined");
    assertThat(denied.json().getString("audit_id")).isNotBlank();
    assertThat(q.data().getString("status")).isEqualTo("QUARANTINED");
    assertThat(q.data().getString("quarantine_reason")).isEqualTo("leaking data");
    assertThat(q.data().getString("quarantined_at")).isNotBlank();
    JsonObject got = http.get("/agents/" + id, Http.bearer(viewerA)).data();
    assertThat(got.getString("status")).isEqualTo("QUARANTINED");
    assertThat(ids(http.get("/agents?status=quarantined&limit=1000", Http.bearer(adminA)))).contains(id);
    assertThat(ids(http.get("/agents?status=ACTIVE&limit=1000", Http.bearer(adminA)))).doesNotContain(id);
    // an admin acting for the agent (and an oddly written id) is refused too
    assertError(execute(adminA, id.toUpperCase(), "db.query", SELECT), 403, "agent_quarantined");
    // again: 409; no reason: 400; readers: 403
    assertError(http.post("/agents/" + id + "/quarantine", new JsonObject().put("reason", "again"),
        Http.bearer(adminA)), 409, "conflict");
    assertError(postEmpty("/agents/" + id + "/quarantine", adminA), 400, "validation_error");
    assertError(http.post("/agents/" + id + "/quarantine", new JsonObject().put("reason", 5),
        Http.bearer(adminA)), 400, "validation_error");
    assertError(http.post("/agents/" + id + "/release", new JsonObject(), Http.bearer(viewerA)), 403,
        "insufficient_role");
    assertError(http.post("/agents/" + id + "/quarantine", new JsonObject().put("reason", "x"),
        Http.bearer(ag[1])), 403, "insufficient_role");

    Http.Reply rel = http.post("/agents/" + id + "/release", new JsonObject().put("reason", "fixed"),
        Http.bearer(adminA));
    Http.Reply ok = nextRequestAfter(rel, 200, () -> execute(ag[1], id, "db.query", SELECT));
    assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
    assertThat(rel.data().getString("status")).isEqualTo("ACTIVE");
    assertThat(rel.data().getString("quarantined_at")).isNull();
    assertThat(rel.data().getString("quarantine_reason")).isNull();
    assertError(http.post("/agents/" + id + "/release", new JsonObject(), Http.bearer(adminA)), 409, "conflict");
    assertError(http.delete("/agents/" + id + "/quarantine", Http.bearer(adminA)), 409, "conflict");

    // DELETE /agents/{id}/quarantine is a release too
    Http.Reply q2 = http.post("/agents/" + id + "/quarantine", new JsonObject().put("reason", "second"),
        Http.bearer(adminA));
    assertError(nextRequestAfter(q2, 200, () -> execute(ag[1], id, "db.query", SELECT)), 403, "agent_quarantined");
    Http.Reply rel2 = http.delete("/agents/" + id + "/quarantine", Http.bearer(adminA));
    assertThat(nextRequestAfter(rel2, 200, () -> execute(ag[1], id, "db.query", SELECT)).status()).isEqualTo(200);

    assertThat(auditRowsFor(adminA, "agent_quarantined", id)).hasSize(2);
    assertThat(auditRowsFor(adminA, "agent_quarantine_released", id)).hasSize(2);
    assertError(http.post("/agents/" + UUID.randomUUID() + "/quarantine", new JsonObject().put("reason", "x"),
        Http.bearer(adminA)), 404, "not_found");
    assertError(http.post("/agents/" + UUID.randomUUID() + "/release", new JsonObject(), Http.bearer(adminA)),
        404, "not_found");
    assertError(http.post("/agents/nope/release", new JsonObject(), Http.bearer(adminA)), 404, "not_found");
  }

  // ---------------------------------------------------------------- grants

  /** Verifies revoking a grant refuses the tool on the very next request; 404 for others' grants. */
  @Test
  void should_revoke_a_grant() {
    String[] ag = agent(adminA, TENANT_A, "low");
    String id = ag[0];
    JsonObject g = grant(adminA, id, "db.query", "ALLOW");
    grant(adminA, id, "http.get", "ALLOW");
    String[] other = agent(adminA, TENANT_A, "low");
    JsonObject otherGrant = grant(adminA, other[0], "db.query", "ALLOW");
    assertThat(execute(ag[1], id, "db.query", SELECT).status()).isEqualTo(200);

    // another agent's grant through this agent's path: 404, nothing revoked
    assertError(http.delete("/agents/" + id + "/permissions/" + otherGrant.getString("id"), Http.bearer(adminA)),
        404, "not_found");
    assertError(http.delete("/agents/" + id + "/permissions/not-a-uuid", Http.bearer(adminA)), 404, "not_found");
    assertError(http.delete("/agents/" + id + "/permissions/" + g.getString("id"), Http.bearer(viewerA)),
        403, "insufficient_role");

    Http.Reply rev = http.delete("/agents/" + id + "/permissions/" + g.getString("id"), Http.bearer(adminA));
    Http.Reply denied = nextRequestAfter(rev, 200, () -> execute(ag[1], id, "db.query", SELECT));
    assertError(denied, 403, "tool_not_permitted");
    assertThat(rev.data().getBoolean("revoked")).isTrue();
    assertThat(rev.data().getString("tool_name")).isEqualTo("db.query");
    assertThat(execute(ag[1], id, "http.get", new JsonObject().put("url", "https://example.com/x")).status())
        .isEqualTo(200);
    assertError(http.delete("/agents/" + id + "/permissions/" + g.getString("id"), Http.bearer(adminA)),
        404, "not_found");
    JsonArray left = http.get("/agents/" + id + "/permissions", Http.bearer(adminA)).data().getJsonArray("items");
    assertThat(left).hasSize(1);
    assertThat(left.getJsonObject(0).getString("tool_name")).isEqualTo("http.get");
    assertThat(http.get("/agents/" + other[0] + "/permissions", Http.bearer(adminA)).data()
        .getJsonArray("items")).hasSize(1);
    assertThat(execute(other[1], other[0], "db.query", SELECT).status()).isEqualTo(200);
    assertThat(auditRowsFor(adminA, "permission_revoke", id)).hasSize(1);
    // granting again after a revoke works, and is effective on the next request
    Http.Reply again = http.post("/agents/" + id + "/permissions", new JsonObject().put("tool_name", "db.query"),
        Http.bearer(adminA));
    assertThat(nextRequestAfter(again, 201, () -> execute(ag[1], id, "db.query", SELECT)).status()).isEqualTo(200);
  }

  /** Verifies grant validation: 409 on duplicates, 400 on bad tool names, actions and expiries. */
  @Test
  void should_validate_grants() {
    String id = createAgent(adminA, uniqueName("grants"), "low").getString("id");
    grant(adminA, id, "crm.lookup_ticket", "ALLOW");
    assertError(http.post("/agents/" + id + "/permissions", new JsonObject().put("tool_name", "crm.lookup_ticket")
        .put("action", "DENY"), Http.bearer(adminA)), 409, "conflict");
    for (JsonObject bad : List.of(
        new JsonObject(),
        new JsonObject().put("tool_name", "Crm.Lookup"),
        new JsonObject().put("tool_name", "crm..lookup"),
        new JsonObject().put("tool_name", "1tool"),
        new JsonObject().put("tool_name", "db.read").put("action", "MAYBE"),
        new JsonObject().put("tool_name", "db.read").put("expires_at", "tomorrow"),
        new JsonObject().put("tool_name", "db.read").put("expires_at", "2030-01-01T00:00:00"),
        new JsonObject().put("tool_name", "db.read")
            .put("expires_at", OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(1).toString()))) {
      assertError(http.post("/agents/" + id + "/permissions", bad, Http.bearer(adminA)), 400, "validation_error");
    }
    assertError(http.post("/agents/" + id + "/permissions", new JsonObject().put("tool_name", "db.read"),
        Http.bearer(viewerA)), 403, "insufficient_role");
    assertError(http.post("/agents/" + UUID.randomUUID() + "/permissions", new JsonObject().put("tool_name", "db.read"),
        Http.bearer(adminA)), 404, "not_found");
    String future = OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).toString();
    JsonObject g = grant(adminA, id, "db.read", "deny");
    assertThat(g.getString("action")).isEqualTo("DENY");
    Http.Reply withExpiry = http.post("/agents/" + id + "/permissions", new JsonObject().put("tool_name", "db.write")
        .put("expires_at", future), Http.bearer(adminA));
    assertThat(withExpiry.status()).as(withExpiry.raw()).isEqualTo(201);
    assertThat(withExpiry.data().getBoolean("expired")).isFalse();
    assertThat(http.get("/agents/" + id + "/permissions", Http.bearer(viewerA)).data().getJsonArray("items"))
        .hasSize(3);
  }

  /** Verifies an expired grant is refused and listed as expired, including while the agent is cached. */
  @Test
  void should_refuse_expired_grants() throws Exception {
    // a grant already expired (written directly): refused, and shown with expired=true
    String[] ag = agent(adminA, TENANT_A, "low", "http.get");
    try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement("INSERT INTO registry.permissions"
        + " (id, agent_id, tenant_id, tool_name, action, granted_by, expires_at)"
        + " VALUES (?::uuid, ?::uuid, ?::uuid, 'db.query', 'ALLOW', 'test', now() - interval '5 seconds')")) {
      s.setString(1, UUID.randomUUID().toString());
      s.setString(2, ag[0]);
      s.setString(3, TENANT_A);
      s.executeUpdate();
    }
    assertError(execute(ag[1], ag[0], "db.query", SELECT), 403, "tool_not_permitted");
    JsonArray items = http.get("/agents/" + ag[0] + "/permissions", Http.bearer(adminA)).data().getJsonArray("items");
    assertThat(items).hasSize(2);
    for (Object o : items) {
      JsonObject g = (JsonObject) o;
      assertThat(g.getBoolean("expired")).as(g.encode()).isEqualTo(g.getString("tool_name").equals("db.query"));
    }

    // a grant that expires while the agent is cached: allowed before, refused after, no invalidation
    String[] ag2 = agent(adminA, TENANT_A, "low");
    OffsetDateTime expiresAt = OffsetDateTime.now(ZoneOffset.UTC).plusNanos(1_500_000_000L);
    Http.Reply g = http.post("/agents/" + ag2[0] + "/permissions", new JsonObject().put("tool_name", "db.query")
        .put("expires_at", expiresAt.toString()), Http.bearer(adminA));
    assertThat(g.status()).as(g.raw()).isEqualTo(201);
    Http.Reply before = execute(ag2[1], ag2[0], "db.query", SELECT);
    assertThat(before.status()).as(before.raw()).isEqualTo(200);
    long wait = java.time.Duration.between(OffsetDateTime.now(ZoneOffset.UTC), expiresAt).toMillis() + 50;
    if (wait > 0) {
      Thread.sleep(wait);
    }
    long t0 = System.nanoTime();
    assertError(execute(ag2[1], ag2[0], "db.query", SELECT), 403, "tool_not_permitted");
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(PROPAGATION_LIMIT_MS);
    JsonObject listed = http.get("/agents/" + ag2[0] + "/permissions", Http.bearer(adminA)).data()
        .getJsonArray("items").getJsonObject(0);
    assertThat(listed.getBoolean("expired")).isTrue();
    assertThat(OffsetDateTime.parse(listed.getString("expires_at")).toInstant())
        .isEqualTo(expiresAt.toInstant().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
  }

  // ---------------------------------------------------------------- summary, tools, profile, list

  /** Verifies the summary's exact counts in a fresh tenant, and that it shows only the caller's tenant. */
  @Test
  void should_summarise_the_registry() throws Exception {
    String[] t = new String[1];
    String admin = freshTenantAdmin(t);
    Http.Reply empty = http.get("/agents/summary", Http.bearer(admin));
    assertThat(empty.status()).as(empty.raw()).isEqualTo(200);
    assertThat(empty.data().getLong("total")).isZero();
    assertThat(empty.data().getJsonObject("by_status").getLong("ACTIVE")).isZero();
    assertThat(empty.data().getJsonObject("by_risk_level").getLong("critical")).isZero();

    String a1 = createAgent(admin, uniqueName("s"), "low").getString("id");
    String a2 = createAgent(admin, uniqueName("s"), "high").getString("id");
    String a3 = createAgent(admin, uniqueName("s"), "critical").getString("id");
    String a4 = createAgent(admin, uniqueName("s"), "high").getString("id");
    grant(admin, a1, "db.query", "ALLOW");
    grant(admin, a2, "db.query", "DENY");
    grant(admin, a2, "http.get", "ALLOW");
    grant(admin, a4, "shell.exec", "ALLOW");
    assertThat(http.post("/agents/" + a2 + "/quarantine", new JsonObject().put("reason", "r"),
        Http.bearer(admin)).status()).isEqualTo(200);
    assertThat(http.delete("/agents/" + a4, Http.bearer(admin)).status()).isEqualTo(200);

    Http.Reply r = http.get("/agents/summary", Http.bearer(admin));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    JsonObject d = r.data();
    assertThat(d.getLong("total")).isEqualTo(3);
    assertThat(d.getLong("deleted")).isEqualTo(1);
    assertThat(d.getJsonObject("by_status")).isEqualTo(new JsonObject().put("ACTIVE", 2L).put("QUARANTINED", 1L));
    assertThat(d.getJsonObject("by_risk_level")).isEqualTo(new JsonObject().put("low", 1L).put("medium", 0L)
        .put("high", 1L).put("critical", 1L));
    assertThat(d.getLong("grants")).isEqualTo(3);
    assertThat(d.getLong("expired_grants")).isZero();
    assertThat(a3).isNotBlank();
    // readers may see it, agents may not; tenant B's summary does not count these agents
    assertThat(http.get("/agents/summary", Http.bearer(viewerA)).status()).isEqualTo(200);
    String[] agB = agent(adminB, tenantB, "low");
    assertError(http.get("/agents/summary", Http.bearer(agB[1])), 403, "insufficient_role");
    JsonObject b = http.get("/agents/summary", Http.bearer(adminB)).data();
    try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement(
        "SELECT count(*) FROM registry.agents WHERE tenant_id = ?::uuid AND deleted_at IS NULL")) {
      s.setString(1, tenantB);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        assertThat(b.getLong("total")).isEqualTo(rs.getLong(1));
      }
    }
    assertThat(b.getJsonObject("by_risk_level").getLong("critical")).isZero();
  }

  /** Verifies /registry/tools lists the tenant's granted tools with ALLOW/DENY and agent counts only. */
  @Test
  void should_list_the_tenant_tool_inventory() throws Exception {
    String[] t = new String[1];
    String admin = freshTenantAdmin(t);
    String a1 = createAgent(admin, uniqueName("t"), "low").getString("id");
    String a2 = createAgent(admin, uniqueName("t"), "low").getString("id");
    String a3 = createAgent(admin, uniqueName("t"), "low").getString("id");
    grant(admin, a1, "crm.lookup_ticket", "ALLOW");
    grant(admin, a2, "crm.lookup_ticket", "ALLOW");
    grant(admin, a3, "crm.lookup_ticket", "DENY");
    grant(admin, a1, "tenant-c-only.tool", "DENY");
    grant(admin, a3, "gone.tool", "ALLOW");
    assertThat(http.delete("/agents/" + a3, Http.bearer(admin)).status()).isEqualTo(200);
    grant(admin, a2, "db.query", "ALLOW");

    Http.Reply r = http.get("/registry/tools", Http.bearer(admin));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    JsonArray items = r.data().getJsonArray("items");
    assertThat(r.data().getInteger("total")).isEqualTo(3);
    Map<String, JsonObject> byTool = new HashMap<>();
    items.forEach(o -> byTool.put(((JsonObject) o).getString("tool_name"), (JsonObject) o));
    assertThat(byTool).containsOnlyKeys("crm.lookup_ticket", "tenant-c-only.tool", "db.query");
    assertThat(byTool.get("crm.lookup_ticket").getLong("allow")).isEqualTo(2);
    assertThat(byTool.get("crm.lookup_ticket").getLong("deny")).isZero();
    assertThat(byTool.get("crm.lookup_ticket").getLong("agents")).isEqualTo(2);
    assertThat(byTool.get("tenant-c-only.tool").getLong("deny")).isEqualTo(1);
    assertThat(byTool.get("db.query").getLong("agents")).isEqualTo(1);
    // other tenants see none of it
    assertThat(http.get("/registry/tools", Http.bearer(adminB)).raw()).doesNotContain("tenant-c-only.tool");
    assertThat(http.get("/registry/tools", Http.bearer(adminA)).raw()).doesNotContain("tenant-c-only.tool");
    assertThat(http.get("/registry/tools", Http.bearer(viewerA)).status()).isEqualTo(200);
    assertError(http.get("/registry/tools", Map.of()), 401, "missing_credentials");
  }

  /** Verifies the profile: the agent, its grants and its audited activity (decisions, last seen, top tools). */
  @Test
  void should_profile_an_agent() {
    String[] ag = agent(adminA, TENANT_A, "medium", "db.query", "http.get");
    Http.Reply fresh = http.get("/agents/" + ag[0] + "/profile", Http.bearer(viewerA));
    assertThat(fresh.status()).as(fresh.raw()).isEqualTo(200);
    // rows written before any action (e.g. the agent's token issuance) count as activity too
    JsonObject before = fresh.data().getJsonObject("activity");
    long totalBefore = before.getLong("total");
    long allowBefore = before.getJsonObject("decisions").getLong("allow", 0L);
    assertThat(before.getJsonArray("top_tools")).isEmpty();
    JsonObject never = createAgent(adminA, uniqueName("idle"), "low");
    JsonObject idle = http.get("/agents/" + never.getString("id") + "/profile", Http.bearer(viewerA)).data();
    assertThat(idle.getJsonObject("activity").getLong("total")).isZero();
    assertThat(idle.getJsonObject("activity").getString("last_seen")).isNull();
    assertThat(idle.getJsonArray("grants")).isEmpty();

    for (int i = 0; i < 3; i++) {
      assertThat(execute(ag[1], ag[0], "db.query", SELECT).status()).isEqualTo(200);
    }
    assertThat(execute(ag[1], ag[0], "http.get", new JsonObject().put("url", "https://example.com")).status())
        .isEqualTo(200);
    assertThat(execute(ag[1], ag[0], "shell.exec", new JsonObject().put("command", "ls")).status()).isEqualTo(403);

    Http.Reply r = http.get("/agents/" + ag[0] + "/profile", Http.bearer(adminA));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    JsonObject d = r.data();
    assertThat(d.getJsonObject("agent").getString("id")).isEqualTo(ag[0]);
    assertThat(d.getJsonArray("grants")).hasSize(2);
    JsonObject act = d.getJsonObject("activity");
    assertThat(act.getInteger("window_days")).isEqualTo(7);
    assertThat(act.getLong("total")).isEqualTo(totalBefore + 5);
    assertThat(act.getJsonObject("decisions").getLong("allow")).isEqualTo(allowBefore + 4);
    assertThat(act.getJsonObject("decisions").getLong("deny")).isGreaterThanOrEqualTo(1);
    assertThat(act.getString("last_seen")).isNotBlank();
    JsonArray top = act.getJsonArray("top_tools");
    assertThat(top.getJsonObject(0).getString("tool")).isEqualTo("db.query");
    assertThat(top.getJsonObject(0).getLong("count")).isEqualTo(3);
    assertThat(top.size()).isEqualTo(3);
    assertError(http.get("/agents/" + UUID.randomUUID() + "/profile", Http.bearer(adminA)), 404, "not_found");
    assertError(http.get("/agents/bad/profile", Http.bearer(adminA)), 404, "not_found");
    assertError(http.get("/agents/" + ag[0] + "/profile", Http.bearer(ag[1])), 403, "insufficient_role");
  }

  /** Verifies the list filters status, risk_level and q (name prefix), with limit/offset and totals. */
  @Test
  void should_filter_the_agent_list() throws Exception {
    String[] t = new String[1];
    String admin = freshTenantAdmin(t);
    String x1 = createAgent(admin, "billing-one", "low").getString("id");
    String x2 = createAgent(admin, "billing-two", "high").getString("id");
    String x3 = createAgent(admin, "billing_three", "high").getString("id");
    String y1 = createAgent(admin, "support-bot", "high").getString("id");
    assertThat(http.post("/agents/" + x2 + "/quarantine", new JsonObject().put("reason", "r"),
        Http.bearer(admin)).status()).isEqualTo(200);
    Map<String, String> h = Http.bearer(admin);

    Http.Reply all = http.get("/agents", h);
    assertThat(all.data().getLong("total")).isEqualTo(4);
    Http.Reply prefix = http.get("/agents?q=billing", h);
    assertThat(ids(prefix)).containsExactlyInAnyOrder(x1, x2, x3);
    assertThat(prefix.data().getLong("total")).isEqualTo(3);
    assertThat(ids(http.get("/agents?q=billing-", h))).containsExactlyInAnyOrder(x1, x2);
    assertThat(ids(http.get("/agents?q=billing_", h))).containsExactly(x3);
    assertThat(ids(http.get("/agents?q=BILLING-T", h))).containsExactly(x2);
    assertThat(ids(http.get("/agents?q=illing", h))).isEmpty();
    assertThat(ids(http.get("/agents?risk_level=high", h))).containsExactlyInAnyOrder(x2, x3, y1);
    assertThat(ids(http.get("/agents?status=QUARANTINED", h))).containsExactly(x2);
    Http.Reply combined = http.get("/agents?status=ACTIVE&risk_level=high&q=b", h);
    assertThat(ids(combined)).containsExactly(x3);
    assertThat(combined.data().getLong("total")).isEqualTo(1);
    Http.Reply page = http.get("/agents?risk_level=high&limit=2&offset=0", h);
    assertThat(ids(page)).hasSize(2);
    assertThat(page.data().getLong("total")).isEqualTo(3);
    Http.Reply page2 = http.get("/agents?risk_level=high&limit=2&offset=2", h);
    assertThat(ids(page2)).hasSize(1).doesNotContainAnyElementsOf(ids(page));
    assertError(http.get("/agents?status=DELETED", h), 400, "validation_error");
    assertError(http.get("/agents?risk_level=extreme", h), 400, "validation_error");
    assertError(http.get("/agents?q=" + java.net.URLEncoder.encode("b%'", java.nio.charset.StandardCharsets.UTF_8), h),
        400, "validation_error");
    assertError(http.get("/agents?limit=0", h), 400, "validation_error");
    // only the caller's tenant
    assertThat(ids(http.get("/agents?q=billing&limit=1000", Http.bearer(adminA)))).doesNotContain(x1, x2, x3);
    assertThat(ids(http.get("/agents?q=support-bot&limit=1000", Http.bearer(adminB)))).doesNotContain(y1);
  }

  // ---------------------------------------------------------------- tenant isolation

  /** Verifies that tenant B's admin gets 404 on tenant A's agent on every new route, and nothing changes. */
  @Test
  void should_isolate_tenants_on_every_registry_route() {
    String[] ag = agent(adminA, TENANT_A, "low", "db.query");
    String id = ag[0];
    String permId = http.get("/agents/" + id + "/permissions", Http.bearer(adminA)).data()
        .getJsonArray("items").getJsonObject(0).getString("id");
    assertThat(execute(ag[1], id, "db.query", SELECT).status()).isEqualTo(200);
    Map<String, String> b = Http.bearer(adminB);

    assertError(patch("/agents/" + id, new JsonObject().put("description", "owned"), adminB), 404, "not_found");
    assertError(patch("/agents/" + id, new JsonObject().put("risk_level", "critical"), adminB), 404, "not_found");
    assertError(http.post("/agents/" + id + "/quarantine", new JsonObject().put("reason", "hostile"), b), 404, "not_found");
    assertError(http.post("/agents/" + id + "/release", new JsonObject(), b), 404, "not_found");
    assertError(http.delete("/agents/" + id + "/quarantine", b), 404, "not_found");
    assertError(http.delete("/agents/" + id + "/permissions/" + permId, b), 404, "not_found");
    assertError(http.get("/agents/" + id + "/profile", b), 404, "not_found");
    assertError(http.get("/agents/" + id + "/permissions", b), 404, "not_found");
    assertError(http.delete("/agents/" + id, b), 404, "not_found");
    // B's own agent path with A's grant id is not found either
    String[] agB = agent(adminB, tenantB, "low", "db.query");
    assertError(http.delete("/agents/" + agB[0] + "/permissions/" + permId, b), 404, "not_found");
    // the 404s give nothing away
    Http.Reply p = http.get("/agents/" + id + "/profile", b);
    assertThat(p.raw()).doesNotContain(TENANT_A);
    // A's header with B's token is a tenant mismatch
    assertError(http.get("/agents/summary", Http.bearer(adminB, "X-Tenant-ID", TENANT_A)), 403, "tenant_mismatch");

    // nothing of A changed, and A's agent still works
    JsonObject a = http.get("/agents/" + id, Http.bearer(adminA)).data();
    assertThat(a.getString("status")).isEqualTo("ACTIVE");
    assertThat(a.getString("description")).isNull();
    assertThat(a.getString("risk_level")).isEqualTo("low");
    assertThat(http.get("/agents/" + id + "/permissions", Http.bearer(adminA)).data().getJsonArray("items")).hasSize(1);
    assertThat(execute(ag[1], id, "db.query", SELECT).status()).isEqualTo(200);
    // B's own agent still has its grant
    assertThat(execute(agB[1], agB[0], "db.query", SELECT).status()).isEqualTo(200);
  }
}
