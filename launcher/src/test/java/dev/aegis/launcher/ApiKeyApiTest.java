package dev.aegis.launcher;

import static dev.aegis.launcher.LifecycleSupport.agent;
import static dev.aegis.launcher.LifecycleSupport.email;
import static dev.aegis.launcher.LifecycleSupport.execute;
import static dev.aegis.launcher.LifecycleSupport.login;
import static dev.aegis.launcher.LifecycleSupport.seedTenant;
import static dev.aegis.launcher.LifecycleSupport.seedUser;
import static dev.aegis.launcher.LifecycleSupport.sha256Hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.storage.pg.ScratchDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Black-box tests of API keys on a real node and a scratch database: the key is shown once and
 * listed only by prefix, works as a Bearer credential with its role and scopes (management routes
 * and /execute), validation, revocation effective on the very next request, last-used tracking,
 * expiry, tenant isolation and input validation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiKeyApiTest {

  ScratchDatabase db;
  AegisNode node;
  Http http;
  String tenantA;
  String tenantB;
  String adminA;
  String securityA;
  String viewerA;
  String adminB;
  /** {agentId, agentToken, secret, permId} of a tenant-A agent allowed db.query. */
  String[] agentA;

  @BeforeAll
  void start() throws Exception {
    db = ScratchDatabase.create(TestEnv.pgUrl(), "apikeys");
    int port = TestEnv.freePort();
    node = LifecycleSupport.startNode(db.url(), port, Map.of());
    http = new Http(port);
    tenantA = seedTenant(db.url());
    tenantB = seedTenant(db.url());
    String a = email("admin-a");
    seedUser(db.url(), tenantA, a, "ADMIN");
    String sec = email("security-a");
    seedUser(db.url(), tenantA, sec, "SECURITY");
    String v = email("viewer-a");
    seedUser(db.url(), tenantA, v, "VIEWER");
    String b = email("admin-b");
    seedUser(db.url(), tenantB, b, "ADMIN");
    adminA = login(http, a);
    securityA = login(http, sec);
    viewerA = login(http, v);
    adminB = login(http, b);
    agentA = agent(http, adminA, "db.query");
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

  // ---------------------------------------------------------------- helpers

  private Http.Reply create(String bearer, JsonObject body) {
    return http.post("/api-keys", body, Http.bearer(bearer));
  }

  /** Creates a key as tenant A's ADMIN; returns the reply's data (id, key, prefix, ...). */
  private JsonObject key(JsonObject body) {
    Http.Reply r = create(adminA, body.copy().put("name", body.getString("name", "key-" + UUID.randomUUID())));
    assertThat(r.status()).as(r.raw()).isEqualTo(201);
    return r.data();
  }

  private static JsonObject body(String role) {
    return new JsonObject().put("role", role);
  }

  private JsonArray list(String bearer) {
    Http.Reply r = http.get("/api-keys?limit=1000", Http.bearer(bearer));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return r.data().getJsonArray("items");
  }

  private JsonObject listed(String id) {
    return list(adminA).stream().map(o -> (JsonObject) o).filter(o -> o.getString("id").equals(id))
        .findFirst().orElse(null);
  }

  private Http.Reply validate(String key, Map<String, String> headers) {
    return http.post("/api-keys/validate", new JsonObject().put("key", key), headers);
  }

  private static void assertError(Http.Reply r, int status, String key) {
    assertThat(r.status()).as(r.raw()).isEqualTo(status);
    assertThat(r.error()).as(r.raw()).isEqualTo(key);
  }

  private static Map<String, String> withAgent(String bearer, String agentId) {
    return Http.bearer(bearer, "X-Agent-ID", agentId);
  }

  // ---------------------------------------------------------------- create and list

  /** Verifies the key is shown once; the list shows only its prefix, never the key or its hash. */
  @Test
  void should_show_the_key_once_and_list_only_its_prefix() {
    Http.Reply r = create(adminA, new JsonObject().put("name", "ci-reader").put("role", "VIEWER")
        .put("scopes", new JsonArray().add("read")));
    assertThat(r.status()).as(r.raw()).isEqualTo(201);
    JsonObject d = r.data();
    String key = d.getString("key");
    assertThat(key).startsWith("acp_").hasSizeGreaterThan(40);
    assertThat(d.getString("prefix")).isEqualTo(key.substring(0, 12));
    assertThat(d.getString("role")).isEqualTo("VIEWER");
    assertThat(d.getJsonArray("scopes").getList()).containsExactly("read");
    assertThat(d.getString("id")).isNotBlank();

    Http.Reply l = http.get("/api-keys", Http.bearer(adminA));
    assertThat(l.status()).isEqualTo(200);
    assertThat(l.raw()).doesNotContain(key).doesNotContain(sha256Hex(key)).doesNotContain(key.substring(12));
    JsonObject item = listed(d.getString("id"));
    assertThat(item).isNotNull();
    assertThat(item.getString("prefix")).isEqualTo(key.substring(0, 12));
    assertThat(item.getString("name")).isEqualTo("ci-reader");
    assertThat(item.containsKey("key")).isFalse();
    assertThat(item.containsKey("key_hash")).isFalse();
    assertThat(item.getBoolean("revoked")).isFalse();
    // SECURITY may list (never the key), not create; VIEWER neither
    Http.Reply sec = http.get("/api-keys", Http.bearer(securityA));
    assertThat(sec.status()).isEqualTo(200);
    assertThat(sec.raw()).doesNotContain(key);
    assertError(create(securityA, body("VIEWER").put("name", "x")), 403, "insufficient_role");
    assertError(http.get("/api-keys", Http.bearer(viewerA)), 403, "insufficient_role");
    assertError(create(viewerA, body("VIEWER").put("name", "x")), 403, "insufficient_role");
  }

  // ---------------------------------------------------------------- use

  /** Verifies a key works as Bearer with exactly its role's rights. */
  @Test
  void should_authenticate_with_the_role_of_the_key() {
    String viewer = key(body("VIEWER")).getString("key");
    assertThat(http.get("/agents", Http.bearer(viewer)).status()).isEqualTo(200);
    assertError(http.post("/agents", new JsonObject().put("name", "from-viewer-key"), Http.bearer(viewer)),
        403, "insufficient_role");
    assertError(http.get("/audit/logs", Http.bearer(viewer)), 403, "insufficient_role");
    assertError(execute(http, viewer, agentA[0]), 403, "insufficient_role");
    assertError(http.get("/agents", Http.bearer(viewer, "X-Tenant-ID", tenantB)), 403, "tenant_mismatch");
    // the key sees its own tenant only
    assertThat(http.get("/agents?limit=1000", Http.bearer(viewer)).raw()).contains(agentA[0]);

    String admin = key(body("ADMIN")).getString("key");
    Http.Reply created = http.post("/agents", new JsonObject().put("name", "from-admin-key-" + UUID.randomUUID()
        .toString().substring(0, 6)).put("risk_level", "low"), Http.bearer(admin));
    assertThat(created.status()).as(created.raw()).isEqualTo(201);
    assertThat(execute(http, admin, agentA[0]).status()).isEqualTo(200);
    assertThat(http.get("/audit/logs", Http.bearer(admin)).status()).isEqualTo(200);
    // API keys have no session
    assertError(http.post("/auth/logout", null, Http.bearer(admin)), 400, "not_a_session");
    // unknown keys
    assertError(http.get("/agents", Http.bearer("acp_" + "x".repeat(43))), 401, "invalid_api_key");
  }

  /** Verifies an agent-role key bound to an agent executes as that agent, and only that. */
  @Test
  void should_execute_with_an_agent_key() {
    String k = key(body("agent").put("agent_id", agentA[0])).getString("key");
    Http.Reply ok = execute(http, k, agentA[0]);
    assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
    assertThat(ok.data().getString("decision")).isEqualTo("allow");
    String[] other = agent(http, adminA, "db.query");
    assertError(execute(http, k, other[0]), 403, "agent_mismatch");
    assertError(http.get("/agents", Http.bearer(k)), 403, "insufficient_role");
    Http.Reply deny = http.post("/execute", new JsonObject().put("tool", "db.query")
        .put("payload", new JsonObject().put("query", "DROP TABLE orders")), withAgent(k, agentA[0]));
    assertError(deny, 403, "policy_denied");
  }

  /** Verifies scopes: read allows GET only; without execute, /execute is refused. */
  @Test
  void should_enforce_scopes() {
    String read = key(body("ADMIN").put("scopes", new JsonArray().add("read"))).getString("key");
    assertThat(http.get("/agents", Http.bearer(read)).status()).isEqualTo(200);
    assertError(http.post("/agents", new JsonObject().put("name", "scoped-out").put("risk_level", "low"),
        Http.bearer(read)), 403, "insufficient_scope");
    assertError(http.delete("/api-keys/" + UUID.randomUUID(), Http.bearer(read)), 403, "insufficient_scope");
    assertError(execute(http, read, agentA[0]), 403, "insufficient_scope");

    String rw = key(body("agent").put("agent_id", agentA[0]).put("scopes", new JsonArray().add("read").add("write")))
        .getString("key");
    assertError(execute(http, rw, agentA[0]), 403, "insufficient_scope");
    String adminRw = key(body("ADMIN").put("scopes", new JsonArray().add("read").add("write"))).getString("key");
    assertError(execute(http, adminRw, agentA[0]), 403, "insufficient_scope");
    Http.Reply write = http.post("/agents", new JsonObject().put("name", "rw-" + UUID.randomUUID().toString()
        .substring(0, 6)).put("risk_level", "low"), Http.bearer(adminRw));
    assertThat(write.status()).as(write.raw()).isEqualTo(201);

    String exec = key(body("agent").put("agent_id", agentA[0]).put("scopes", new JsonArray().add("execute")))
        .getString("key");
    assertThat(execute(http, exec, agentA[0]).status()).isEqualTo(200);
  }

  /** Verifies a scoped key cannot mint a key with more scopes than its own (scope escalation). */
  @Test
  void should_not_let_a_scoped_key_mint_a_broader_key() {
    String rw = key(body("ADMIN").put("scopes", new JsonArray().add("read").add("write"))).getString("key");
    Http.Reply minted = create(rw, body("ADMIN").put("name", "escalated"));
    if (minted.status() == 201) {
      String broader = minted.data().getString("key");
      assertError(execute(http, broader, agentA[0]), 403, "insufficient_scope");
    } else {
      assertError(minted, 403, "insufficient_scope");
    }
  }

  // ---------------------------------------------------------------- validate

  /** Verifies POST /api-keys/validate: valid with tenant and role; false for unknown, foreign-header, revoked. */
  @Test
  void should_validate_keys() {
    JsonObject k = key(body("SECURITY").put("scopes", new JsonArray().add("read")));
    Http.Reply v = validate(k.getString("key"), Map.of());
    assertThat(v.status()).as(v.raw()).isEqualTo(200);
    assertThat(v.data().getBoolean("valid")).isTrue();
    assertThat(v.data().getString("tenant_id")).isEqualTo(tenantA);
    assertThat(v.data().getString("role")).isEqualTo("SECURITY");
    assertThat(v.data().getJsonArray("scopes").getList()).containsExactly("read");
    assertThat(validate(k.getString("key"), Map.of("X-Tenant-ID", tenantA)).data().getBoolean("valid")).isTrue();
    Http.Reply foreign = validate(k.getString("key"), Map.of("X-Tenant-ID", tenantB));
    assertThat(foreign.data().getBoolean("valid")).isFalse();
    assertThat(foreign.raw()).doesNotContain(tenantA);
    assertThat(validate("acp_" + "y".repeat(43), Map.of()).data().getBoolean("valid")).isFalse();
    assertThat(validate("not-an-api-key", Map.of()).data().getBoolean("valid")).isFalse();
    assertError(http.post("/api-keys/validate", new JsonObject(), Map.of()), 400, "validation_error");
    assertThat(http.delete("/api-keys/" + k.getString("id"), Http.bearer(adminA)).status()).isEqualTo(200);
    Http.Reply revoked = validate(k.getString("key"), Map.of());
    assertThat(revoked.data().getBoolean("valid")).isFalse();
    assertThat(revoked.data().containsKey("role")).isFalse();
  }

  /** Verifies introspection of an API key reports it as such. */
  @Test
  void should_introspect_an_api_key() {
    JsonObject k = key(body("AUDITOR"));
    Http.Reply r = http.post("/auth/introspect", new JsonObject().put("token", k.getString("key")), Http.bearer(adminA));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    assertThat(r.data().getBoolean("active")).isTrue();
    assertThat(r.data().getString("token_type")).isEqualTo("api_key");
    assertThat(r.data().getString("role")).isEqualTo("AUDITOR");
    assertThat(r.data().getString("tenant_id")).isEqualTo(tenantA);
    Http.Reply foreign = http.post("/auth/introspect", new JsonObject().put("token", k.getString("key")),
        Http.bearer(adminB));
    assertThat(foreign.data().getBoolean("active")).isFalse();
  }

  // ---------------------------------------------------------------- revoke, last use, expiry

  /** Verifies DELETE /api-keys/{id}: the cached key is refused on the very next request. */
  @Test
  void should_reject_a_revoked_key_on_the_next_request() {
    JsonObject k = key(body("ADMIN"));
    String key = k.getString("key");
    String agentKey = key(body("agent").put("agent_id", agentA[0])).getString("key");
    JsonObject ak = list(adminA).stream().map(o -> (JsonObject) o)
        .filter(o -> agentKey.startsWith(o.getString("prefix")) && "agent".equals(o.getString("role")))
        .findFirst().orElseThrow();
    // used (and cached) first
    assertThat(http.get("/agents", Http.bearer(key)).status()).isEqualTo(200);
    assertThat(execute(http, key, agentA[0]).status()).isEqualTo(200);
    assertThat(execute(http, agentKey, agentA[0]).status()).isEqualTo(200);

    Http.Reply del = http.delete("/api-keys/" + k.getString("id"), Http.bearer(adminA));
    assertThat(del.status()).as(del.raw()).isEqualTo(200);
    assertThat(del.data().getBoolean("revoked")).isTrue();
    Http.Reply next = http.get("/agents", Http.bearer(key));
    assertThat(next.status()).as(next.raw()).isEqualTo(401);
    assertThat(next.error()).isIn("api_key_revoked", "invalid_api_key");
    Http.Reply nextExec = execute(http, key, agentA[0]);
    assertThat(nextExec.status()).as(nextExec.raw()).isEqualTo(401);
    assertThat(nextExec.error()).isIn("api_key_revoked", "invalid_api_key");
    assertThat(listed(k.getString("id")).getBoolean("revoked")).isTrue();
    // idempotent for the owner; unknown and malformed ids are not found
    assertThat(http.delete("/api-keys/" + k.getString("id"), Http.bearer(adminA)).status()).isEqualTo(200);
    assertError(http.delete("/api-keys/" + UUID.randomUUID(), Http.bearer(adminA)), 404, "not_found");
    assertError(http.delete("/api-keys/not-a-uuid", Http.bearer(adminA)), 404, "not_found");

    // an agent key on /execute
    assertThat(http.delete("/api-keys/" + ak.getString("id"), Http.bearer(adminA)).status()).isEqualTo(200);
    Http.Reply agentNext = execute(http, agentKey, agentA[0]);
    assertThat(agentNext.status()).as(agentNext.raw()).isEqualTo(401);
    assertThat(agentNext.error()).isIn("api_key_revoked", "invalid_api_key");
  }

  /** Verifies last_used_at is null until the key is used, then set. */
  @Test
  void should_record_last_use() throws Exception {
    JsonObject k = key(body("VIEWER"));
    assertThat(listed(k.getString("id")).getValue("last_used_at")).isNull();
    assertThat(http.get("/agents", Http.bearer(k.getString("key"))).status()).isEqualTo(200);
    long deadline = System.currentTimeMillis() + 5000;
    Object last = null;
    while (last == null && System.currentTimeMillis() < deadline) {
      last = listed(k.getString("id")).getValue("last_used_at");
      if (last == null) {
        Thread.sleep(20);
      }
    }
    assertThat(last).as("last_used_at after use").isNotNull();
    assertThat(OffsetDateTime.parse((String) last)).isAfter(OffsetDateTime.now().minusMinutes(1));
  }

  /** Verifies an expired key is refused with 401, and a past expiry cannot be set. */
  @Test
  void should_refuse_an_expired_key() throws Exception {
    OffsetDateTime exp = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(2);
    JsonObject k = key(body("VIEWER").put("expires_at", exp.toString()));
    assertThat(http.get("/agents", Http.bearer(k.getString("key"))).status()).isEqualTo(200);
    assertThat(listed(k.getString("id")).getString("expires_at")).isNotNull();
    long wait = java.time.Duration.between(OffsetDateTime.now(ZoneOffset.UTC), exp).toMillis() + 300;
    Thread.sleep(Math.max(0, wait));
    Http.Reply r = http.get("/agents", Http.bearer(k.getString("key")));
    assertThat(r.status()).as(r.raw()).isEqualTo(401);
    assertThat(r.error()).isIn("api_key_expired", "invalid_api_key");
    assertThat(validate(k.getString("key"), Map.of()).data().getBoolean("valid")).isFalse();
    assertError(create(adminA, body("VIEWER").put("name", "past")
        .put("expires_at", OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(1).toString())), 400, "validation_error");
  }

  // ---------------------------------------------------------------- isolation and validation

  /** Verifies tenant B can neither see nor revoke tenant A's keys. */
  @Test
  void should_isolate_keys_between_tenants() {
    JsonObject k = key(body("VIEWER"));
    JsonObject bList = http.get("/api-keys?limit=1000", Http.bearer(adminB)).data();
    assertThat(bList.encode()).doesNotContain(k.getString("id")).doesNotContain(k.getString("prefix"));
    assertError(http.delete("/api-keys/" + k.getString("id"), Http.bearer(adminB)), 404, "not_found");
    assertThat(http.get("/agents", Http.bearer(k.getString("key"))).status()).isEqualTo(200);
    assertThat(listed(k.getString("id")).getBoolean("revoked")).isFalse();
    // B cannot bind a key to A's agent
    assertError(create(adminB, body("agent").put("name", "steal").put("agent_id", agentA[0])), 404, "not_found");
    // a B key never reaches A's agents
    Http.Reply bKey = create(adminB, body("ADMIN").put("name", "b-admin"));
    assertThat(bKey.status()).isEqualTo(201);
    String bk = bKey.data().getString("key");
    assertError(http.get("/agents/" + agentA[0], Http.bearer(bk)), 404, "not_found");
    assertError(execute(http, bk, agentA[0]), 404, "agent_not_found");
  }

  /** Verifies bad role / scope / agent_id / field combinations are 400 validation_error. */
  @Test
  void should_refuse_invalid_key_requests() {
    Map<String, JsonObject> bad = new HashMap<>();
    bad.put("unknown role", body("ROOT").put("name", "x"));
    bad.put("agent without agent_id", body("agent").put("name", "x"));
    bad.put("agent_id on a VIEWER", body("VIEWER").put("name", "x").put("agent_id", agentA[0]));
    bad.put("agent_id not a uuid", body("agent").put("name", "x").put("agent_id", "nope"));
    bad.put("unknown scope", body("ADMIN").put("name", "x").put("scopes", new JsonArray().add("admin")));
    bad.put("scopes not an array", body("ADMIN").put("name", "x").put("scopes", "read"));
    bad.put("scope not a string", body("ADMIN").put("name", "x").put("scopes", new JsonArray().add(1)));
    bad.put("missing name", body("ADMIN"));
    bad.put("bad expires_at", body("ADMIN").put("name", "x").put("expires_at", "tomorrow"));
    bad.put("mass assignment tenant_id", body("ADMIN").put("name", "x").put("tenant_id", tenantB));
    bad.put("mass assignment key", body("ADMIN").put("name", "x").put("key", "acp_mine"));
    bad.put("role not a string", new JsonObject().put("name", "x").put("role", 5));
    bad.forEach((what, b) -> {
      Http.Reply r = create(adminA, b);
      assertThat(r.status()).as(what + ": " + r.raw()).isEqualTo(400);
      assertThat(r.error()).as(what).isEqualTo("validation_error");
    });
    assertError(create(adminA, body("agent").put("name", "x").put("agent_id", UUID.randomUUID().toString())),
        404, "not_found");
    Map<String, String> text = new HashMap<>(Http.bearer(adminA));
    text.put("Content-Type", "application/json");
    assertError(http.raw("POST", "/api-keys", "{\"name\":", text), 400, "invalid_json");
    assertError(create("acp_nope", body("ADMIN").put("name", "x")), 401, "invalid_api_key");
  }
}
