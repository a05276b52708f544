package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.verticles.identity.AttackTokens;
import dev.aegis.verticles.identity.TokenService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The JWT attack vectors (RFC 8725; jwt_tool "-M at") over HTTP against a running node, each on
 * {@code POST /execute} (with a valid agent in {@code X-Agent-ID}, a granted tool that is forwarded
 * to a counting upstream) and on a management route ({@code GET /agents}). Every vector must get
 * its exact 401 (403 for tenant and role failures) JSON envelope, stop at stage 1 (the reply says
 * {@code stage: 1} and carries no {@code audit_id}), write no audit row for its
 * {@code X-Request-ID} (checked over the API as the tenant's admin, and in every tenant with
 * JDBC), and cause no upstream call and no request to the attacker's {@code jku}/{@code x5u}
 * host. Claim vectors are signed with the node's real key (read from its database), so only the
 * claim is wrong. Last, jwt_tool's "persistence" control: valid credentials still work.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AttackJwtTest {

  static final String TENANT_A = AegisNode.DEMO_TENANT;

  AttackNode n;
  String adminA;
  String adminAId;
  String tenantB;
  String adminB;
  String[] agent;
  TokenService.SigningKey key;
  AttackTokens forge;
  /** Every refused request id (checked against the audit table at the end). */
  final List<String> refusedRequestIds = new CopyOnWriteArrayList<>();
  /** Observed outcomes, printed at the end: vector, route, status, key. */
  final List<String> observed = new CopyOnWriteArrayList<>();
  int controlExecutions;

  @BeforeAll
  void start() throws Exception {
    n = AttackNode.start("attack");
    JsonObject s = n.session(AegisNode.ADMIN_EMAIL, TENANT_A);
    adminA = s.getString("access_token");
    adminAId = s.getString("user_id");
    tenantB = n.seedTenant("tenant b");
    String emailB = "admin-b-" + tenantB + "@beta.example";
    n.seedUser(tenantB, emailB, "ADMIN", null);
    adminB = n.login(emailB, tenantB);
    agent = n.agent(adminA, TENANT_A, "attack-target", AttackNode.CANARY_TOOL);
    key = n.activeKey();
    JsonArray jwks = new JsonObject(n.http.get("/.well-known/jwks.json", Map.of()).raw()).getJsonArray("keys");
    assertThat(jwks.stream().map(k -> ((JsonObject) k).getString("kid"))).contains(key.kid());
    forge = new AttackTokens(key.kid(), key.privateKey(), key.publicKey(), adminAId, TENANT_A, n.canaryUrl());
  }

  @AfterAll
  void stop() throws Exception {
    System.out.println("AttackJwtTest observed outcomes (vector | route | status | error):");
    observed.forEach(o -> System.out.println("  " + o));
    if (n != null) {
      n.close();
    }
  }

  // ---------------------------------------------------------------- probes

  /** What one route must answer. */
  record Expect(int status, String error, String detail) {}

  static Expect expect(int status, String error, String detail) {
    return new Expect(status, error, detail);
  }

  /**
   * Sends the credential headers to {@code POST /execute} and {@code GET /agents} and checks each
   * reply, the absence of an audit row, and that no upstream was called.
   */
  void probe(String name, Map<String, String> credential, Expect onExecute, Expect onAgents) {
    long upstreamBefore = upstreamCalls();
    Map<String, String> h = new java.util.HashMap<>(credential);
    h.putIfAbsent("X-Agent-ID", agent[0]);
    refusedOnExecute(name, h, onExecute);
    refusedOn(name, "GET", "/agents", null, credential, onAgents);
    assertThat(upstreamCalls()).as(name + ": upstream calls").isEqualTo(upstreamBefore);
  }

  /** One refused {@code POST /execute}: the reply, stage 1, no audit id, no row. */
  void refusedOnExecute(String name, Map<String, String> headers, Expect e) {
    Http.Reply ex = refusedOn(name, "POST", "/execute", new JsonObject().put("tool", AttackNode.CANARY_TOOL)
        .put("payload", new JsonObject().put("nonce", UUID.randomUUID().toString())), headers, e);
    JsonObject body = ex.json();
    assertThat(body.getInteger("stage")).as(name + " stage on /execute: " + ex.raw()).isEqualTo(1);
    assertThat(body.containsKey("audit_id")).as(name + " audit_id: " + ex.raw()).isFalse();
    assertThat(body.containsKey("decision_id")).as(name + " decision_id").isFalse();
    assertThat(body.containsKey("event_hash")).as(name + " event_hash").isFalse();
    assertThat(body.containsKey("decision")).as(name + " decision").isFalse();
  }

  /** One refused request on any route, with its own X-Request-ID. */
  Http.Reply refusedOn(String name, String method, String path, JsonObject body, Map<String, String> headers, Expect e) {
    String rid = "atk-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> h = new java.util.HashMap<>(headers);
    h.put("X-Request-ID", rid);
    Http.Reply r = n.send(method, path, body, h);
    check(name, method + " " + path, rid, r, e);
    assertThat(r.raw()).as(name).doesNotContain("attack-target");
    return r;
  }

  void check(String name, String route, String rid, Http.Reply r, Expect e) {
    observed.add(String.format("%-40s | %-13s | %d | %s", name, route, r.status(),
        r.json() == null ? r.raw() : r.error()));
    assertThat(r.status()).as(name + " " + route + ": " + r.raw()).isEqualTo(e.status());
    JsonObject j = r.json();
    assertThat(j).as(name + " " + route + " JSON envelope").isNotNull();
    assertThat(j.getBoolean("success")).isFalse();
    assertThat(j.getValue("data")).isNull();
    assertThat(j.getString("error")).as(name + " " + route + " error").isEqualTo(e.error());
    if (e.detail() != null) {
      assertThat(j.getString("detail")).as(name + " " + route + " detail").isEqualTo(e.detail());
    }
    assertThat(j.getJsonObject("meta").getString("code")).isEqualTo(e.error().toUpperCase(java.util.Locale.ROOT));
    assertThat(j.getJsonObject("meta").getString("request_id")).isEqualTo(rid);
    assertThat(r.header("X-Request-ID")).isEqualTo(rid);
    assertThat(r.header("content-type")).startsWith("application/json");
    // no audit row for a request refused at stage 1
    assertThat(n.auditRows(adminA, rid)).as(name + " " + route + " audit rows").isEmpty();
    refusedRequestIds.add(rid);
  }

  long upstreamCalls() {
    return n.canaryRequests.stream().filter(s -> s.endsWith(" /tool")).count();
  }

  /** Both routes answer the same 401. */
  void refused401(String name, String token, String error, String detail) {
    Expect e = expect(401, error, detail);
    probe(name, AttackNode.headers(token), e, e);
  }

  // ---------------------------------------------------------------- tests

  /** Verifies the positive controls first: the forge's template and the real admin token pass on both routes. */
  @Test
  @Order(1)
  void should_accept_the_positive_controls() {
    for (String token : new String[] {forge.valid(), adminA}) {
      controlOk(token);
    }
  }

  void controlOk(String token) {
    Map<String, String> h = AttackNode.headers(token, "X-Agent-ID", agent[0]);
    Http.Reply ex = n.http.post("/execute", new JsonObject().put("tool", AttackNode.CANARY_TOOL)
        .put("payload", new JsonObject().put("nonce", UUID.randomUUID().toString())), h);
    assertThat(ex.status()).as(ex.raw()).isEqualTo(200);
    assertThat(ex.data().getString("audit_id")).isNotBlank();
    assertThat(ex.data().getJsonObject("result").getBoolean("executed")).as(ex.raw()).isTrue();
    controlExecutions++;
    Http.Reply ag = n.http.get("/agents", Http.bearer(token));
    assertThat(ag.status()).as(ag.raw()).isEqualTo(200);
    assertThat(ag.raw()).contains(agent[0]);
  }

  /** Verifies every stateless vector of the catalogue on both routes. */
  @TestFactory
  @Order(2)
  Stream<DynamicTest> should_refuse_every_forged_token() {
    List<AttackTokens.Vector> all = forge.vectors();
    assertThat(all).hasSizeGreaterThanOrEqualTo(30);
    return all.stream().map(v -> DynamicTest.dynamicTest(v.name(), () -> {
      if (v.detail().equals(AttackTokens.TOO_LARGE)) {
        oversized(v);
      } else {
        refused401(v.name(), v.token(), v.error(), v.detail());
      }
    }));
  }

  /**
   * The token over 8 KB: over HTTP/1.1 (16 KB header limit), and as the h2c upgrade request, it
   * reaches stage 1 and is refused before parsing; as a stream of an HTTP/2 connection (h2c, the
   * JDK client's default) the header list exceeds the server's 8 KB SETTINGS_MAX_HEADER_LIST_SIZE
   * and the codec answers 431 (no JSON body) before any handler runs.
   */
  void oversized(AttackTokens.Vector v) {
    assertThat(v.token().length()).isBetween(TokenService.MAX_TOKEN_CHARS + 1, 15_000);
    long upstreamBefore = upstreamCalls();
    Expect e = expect(401, v.error(), v.detail());
    for (String[] route : new String[][] {{"POST", "/execute"}, {"GET", "/agents"}}) {
      String rid = "atk-" + v.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
      JsonObject body = route[0].equals("POST") ? new JsonObject().put("tool", AttackNode.CANARY_TOOL)
          .put("payload", new JsonObject().put("nonce", UUID.randomUUID().toString())) : null;
      AttackNode.Versioned h1 = n.sendVia(java.net.http.HttpClient.Version.HTTP_1_1, route[0], route[1], body,
          AttackNode.headers(v.token(), "X-Agent-ID", agent[0], "X-Request-ID", rid));
      assertThat(h1.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
      check(v.name() + "_http1", route[0] + " " + route[1], rid, h1.reply(), e);
      if (route[1].equals("/execute")) {
        assertThat(h1.reply().json().getInteger("stage")).isEqualTo(1);
        assertThat(h1.reply().json().containsKey("audit_id")).isFalse();
      }
      // the first request of a connection is the HTTP/1.1 upgrade request; warm it up first
      assertThat(n.sendVia(java.net.http.HttpClient.Version.HTTP_2, "GET", "/health", null, Map.of()).version())
          .isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
      String rid2 = "atk-" + v.name() + "-h2-" + UUID.randomUUID().toString().substring(0, 8);
      AttackNode.Versioned h2 = n.sendVia(java.net.http.HttpClient.Version.HTTP_2, route[0], route[1], body,
          AttackNode.headers(v.token(), "X-Agent-ID", agent[0], "X-Request-ID", rid2));
      observed.add(String.format("%-40s | %-13s | %d | %s (%s)", v.name() + "_h2c", route[0] + " " + route[1],
          h2.reply().status(), h2.reply().raw().isEmpty() ? "<empty body>" : h2.reply().raw(), h2.version()));
      assertThat(h2.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
      assertThat(h2.reply().status()).as(h2.reply().raw()).isEqualTo(431);
      assertThat(n.auditRowsAnyTenant(rid2)).isZero();
      refusedRequestIds.add(rid2);
    }
    assertThat(upstreamCalls()).isEqualTo(upstreamBefore);
  }

  /** Verifies that invalid UTF-8 in the payload is refused (RFC 8725 §3.7). */
  @Test
  @Order(3)
  void should_refuse_invalid_utf8() {
    for (AttackTokens.Vector v : forge.invalidUtf8()) {
      refused401(v.name(), v.token(), v.error(), null);
    }
  }

  /** Verifies missing, empty and non-Bearer credentials, and a bad token in the acp_token cookie. */
  @Test
  @Order(4)
  void should_refuse_missing_and_malformed_credentials() {
    Expect missing = expect(401, "missing_credentials", null);
    probe("no_authorization", Map.of(), missing, missing);
    Expect malformed = expect(401, "invalid_token", "A Bearer credential is required");
    probe("basic_scheme", Map.of("Authorization", "Basic YWRtaW46YWRtaW4="), malformed, malformed);
    probe("bearer_without_token", Map.of("Authorization", "Bearer"), malformed, malformed);
    probe("token_without_scheme", Map.of("Authorization", forge.valid()), malformed, malformed);
    // /execute reads only the Authorization header; management routes also read the acp_token cookie
    String none = forge.vectors().get(0).token();
    probe("cookie_alg_none", Map.of("Cookie", "acp_token=" + none), missing,
        expect(401, "invalid_token", AttackTokens.PARSE));
  }

  /** Verifies a token revoked with POST /auth/revoke (by token and by jti) is refused on both routes. */
  @Test
  @Order(5)
  void should_refuse_revoked_tokens() {
    String t = n.login(AegisNode.ADMIN_EMAIL, TENANT_A);
    controlOk(t);
    Http.Reply rev = n.http.post("/auth/revoke", new JsonObject().put("token", t), Http.bearer(t));
    assertThat(rev.status()).as(rev.raw()).isEqualTo(200);
    assertThat(rev.data().getBoolean("revoked")).isTrue();
    refused401("revoked_by_token", t, "token_revoked", "The token has been revoked");

    String t2 = n.login(AegisNode.ADMIN_EMAIL, TENANT_A);
    String jti = n.http.post("/auth/introspect", new JsonObject().put("token", t2), Http.bearer(adminA))
        .data().getString("jti");
    Http.Reply byJti = n.http.post("/auth/revoke", new JsonObject().put("jti", jti), Http.bearer(adminA));
    assertThat(byJti.status()).as(byJti.raw()).isEqualTo(200);
    refused401("revoked_by_jti", t2, "token_revoked", "The token has been revoked");
  }

  /** Verifies a logged-out token (and its refresh token) no longer works. */
  @Test
  @Order(6)
  void should_refuse_a_logged_out_token() {
    JsonObject s = n.session(AegisNode.ADMIN_EMAIL, TENANT_A);
    String t = s.getString("access_token");
    controlOk(t);
    Http.Reply out = n.http.post("/auth/logout", new JsonObject(), Http.bearer(t));
    assertThat(out.status()).as(out.raw()).isEqualTo(200);
    refused401("logged_out", t, "token_revoked", "The token has been revoked");
    Http.Reply refresh = n.http.post("/auth/refresh", new JsonObject().put("refresh_token",
        s.getString("refresh_token")), Map.of());
    assertThat(refresh.status()).as(refresh.raw()).isEqualTo(401);
    assertThat(refresh.error()).isEqualTo("refresh_token_reused");
  }

  /** Verifies that rotating an agent's secret revokes the agent tokens issued with the old one. */
  @Test
  @Order(7)
  void should_refuse_an_agent_token_after_its_secret_was_rotated() {
    String[] a = n.agent(adminA, TENANT_A, "attack-rotated", AttackNode.CANARY_TOOL);
    Http.Reply ok = n.http.post("/execute", new JsonObject().put("tool", AttackNode.CANARY_TOOL)
        .put("payload", new JsonObject().put("nonce", UUID.randomUUID().toString())),
        AttackNode.headers(a[1], "X-Agent-ID", a[0]));
    assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
    controlExecutions++;
    Http.Reply rotate = n.http.post("/auth/credentials", new JsonObject().put("agent_id", a[0]), Http.bearer(adminA));
    assertThat(rotate.status()).as(rotate.raw()).isEqualTo(201);
    Expect revoked = expect(401, "token_revoked", "The token has been revoked");
    probe("agent_secret_rotated", AttackNode.headers(a[1], "X-Agent-ID", a[0]), revoked, revoked);
  }

  /** Verifies a valid tenant-A token with X-Tenant-ID of tenant B: 403 tenant_mismatch at stage 1, no row. */
  @Test
  @Order(8)
  void should_refuse_a_tenant_mismatch() {
    Expect mismatch = expect(403, "tenant_mismatch", "X-Tenant-ID does not match the credential's tenant");
    probe("tenant_a_admin_with_tenant_b_header", AttackNode.headers(adminA, "X-Tenant-ID", tenantB), mismatch, mismatch);
    probe("tenant_a_agent_with_tenant_b_header", AttackNode.headers(agent[1], "X-Tenant-ID", tenantB), mismatch,
        mismatch);
    probe("tenant_b_admin_with_tenant_a_header", AttackNode.headers(adminB, "X-Tenant-ID", TENANT_A), mismatch,
        mismatch);
    // the tenant header is compared exactly: another spelling of the same tenant is a mismatch, not a match
    assertThat(tenantB.toUpperCase()).isNotEqualTo(tenantB);
    probe("tenant_header_upper_case", AttackNode.headers(adminB, "X-Tenant-ID", tenantB.toUpperCase()), mismatch,
        mismatch);
  }

  /** Verifies role failures: an agent token on admin routes, a VIEWER on /execute and on writes (403, stage 1). */
  @Test
  @Order(9)
  void should_refuse_insufficient_roles() {
    String email = "viewer-" + UUID.randomUUID() + "@aegis.local";
    n.seedUser(TENANT_A, email, "VIEWER", null);
    String viewer = n.login(email, TENANT_A);
    Expect agentRefused = expect(403, "insufficient_role", "Agent credentials may only call /execute");
    Map<String, String> agentCred = AttackNode.headers(agent[1]);
    refusedOn("agent_token_get_agents", "GET", "/agents", null, agentCred, agentRefused);
    refusedOn("agent_token_create_agent", "POST", "/agents", new JsonObject().put("name", "sneaky-agent"),
        agentCred, agentRefused);
    refusedOn("agent_token_create_api_key", "POST", "/api-keys", new JsonObject().put("name", "k").put("role", "ADMIN"),
        agentCred, agentRefused);
    refusedOn("agent_token_kill_switch", "POST", "/decision/kill-switch/" + TENANT_A,
        new JsonObject().put("action", "engage"), agentCred, agentRefused);
    refusedOn("agent_token_audit_logs", "GET", "/audit/logs", null, agentCred, agentRefused);
    refusedOn("agent_token_rotate_keys", "POST", "/admin/keys/rotate", null, agentCred, agentRefused);
    // a VIEWER may read agents but neither execute nor write
    refusedOnExecute("viewer_on_execute", AttackNode.headers(viewer, "X-Agent-ID", agent[0]),
        expect(403, "insufficient_role", "Executing actions requires the agent, ADMIN or SECURITY role"));
    refusedOn("viewer_create_agent", "POST", "/agents", new JsonObject().put("name", "viewer-agent"),
        AttackNode.headers(viewer), expect(403, "insufficient_role", null));
    // an agent token bound to another agent
    refusedOnExecute("agent_token_other_agent_id", AttackNode.headers(agent[1], "X-Agent-ID",
        UUID.randomUUID().toString()), expect(403, "agent_mismatch", "X-Agent-ID does not match the agent credential"));
    // an agent token's own tenant header that is right still passes (control for the gate)
    Http.Reply own = n.http.post("/execute", new JsonObject().put("tool", AttackNode.CANARY_TOOL)
        .put("payload", new JsonObject().put("nonce", UUID.randomUUID().toString())),
        AttackNode.headers(agent[1], "X-Agent-ID", agent[0], "X-Tenant-ID", TENANT_A));
    assertThat(own.status()).as(own.raw()).isEqualTo(200);
    controlExecutions++;
    assertThat(n.http.get("/agents", Http.bearer(viewer)).status()).isEqualTo(200);
  }

  /** Verifies API key failures: a wrong suffix is invalid_api_key, a revoked key api_key_revoked. */
  @Test
  @Order(10)
  void should_refuse_bad_and_revoked_api_keys() {
    Http.Reply created = n.http.post("/api-keys", new JsonObject().put("name", "attack-key").put("role", "ADMIN"),
        Http.bearer(adminA));
    assertThat(created.status()).as(created.raw()).isEqualTo(201);
    String apiKey = created.data().getString("key");
    controlOk(apiKey);
    char last = apiKey.charAt(apiKey.length() - 1);
    String wrongSuffix = apiKey.substring(0, apiKey.length() - 1) + (last == 'A' ? 'B' : 'A');
    refused401("api_key_wrong_suffix", wrongSuffix, "invalid_api_key", "Unknown API key");
    refused401("api_key_prefix_only", "acp_", "invalid_api_key", "Unknown API key");
    refused401("api_key_too_long", "acp_" + "A".repeat(200), "invalid_api_key", "Unknown API key");
    Http.Reply del = n.http.delete("/api-keys/" + created.data().getString("id"), Http.bearer(adminA));
    assertThat(del.status()).as(del.raw()).isEqualTo(200);
    refused401("api_key_revoked", apiKey, "api_key_revoked", "The API key has been revoked");
  }

  /** Verifies jwt_tool's persistence check: after every bad credential, valid ones still work. */
  @Test
  @Order(100)
  void should_still_accept_valid_credentials_after_all_attacks() {
    controlOk(adminA);
    controlOk(forge.valid());
    Http.Reply me = n.http.get("/auth/me", Http.bearer(adminB));
    assertThat(me.status()).as(me.raw()).isEqualTo(200);
    // nothing reached the attacker's host; the upstream saw the control calls only
    assertThat(n.canaryRequests.stream().filter(s -> !s.endsWith(" /tool")).toList()).isEmpty();
    assertThat(upstreamCalls()).isEqualTo(controlExecutions);
    // and no refused request left an audit row in any tenant
    assertThat(refusedRequestIds).hasSizeGreaterThan(60);
    assertThat(n.count("SELECT count(*) FROM audit.audit_logs WHERE request_id = ANY(?)",
        (Object) refusedRequestIds.toArray(new String[0]))).isZero();
  }
}
