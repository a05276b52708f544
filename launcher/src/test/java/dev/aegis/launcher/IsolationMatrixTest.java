package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
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
 * The tenant-isolation matrix (OWASP API1 BOLA, API5 function-level authorization), driven by the
 * node's route table ({@link AegisNode#routeTable()}, read from a router built exactly like the
 * served one): every route must have an entry in {@link #specs()} — a new route without one fails
 * {@link #should_have_an_isolation_spec_for_every_route()} — and every entry must still be a
 * route.
 *
 * <p>Tenants A and B are ordinary tenants (neither admin is a platform admin). B's objects carry
 * canary strings. For every route, tenant A's ADMIN calls it with B's real object ids (agents,
 * grants, users, API keys, kill switch tenant, SSO provider, tokens) and with random UUIDs: each
 * call gets its exact status and error key, and no reply contains any B canary (unless the
 * request itself carried it). List routes never show B's objects. Afterwards B's objects, re-read
 * as B, are unchanged, and B's row counts in every table (audit included) are the same as before.
 * Function level: for every credentialed route, an agent token, a VIEWER and an AUDITOR of A get
 * exactly the refusal the route's role gate defines.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IsolationMatrixTest {

  static final Set<String> WRITERS = Set.of("ADMIN", "SECURITY");
  static final Set<String> READERS = Set.of("ADMIN", "SECURITY", "AUDITOR", "VIEWER");
  static final Set<String> AUDIT_READERS = Set.of("ADMIN", "SECURITY", "AUDITOR");
  static final Set<String> ADMIN = Set.of("ADMIN");
  static final Set<String> ANYONE = Set.of("ADMIN", "SECURITY", "AUDITOR", "VIEWER", "agent");
  static final Set<String> EXECUTORS = Set.of("ADMIN", "SECURITY", "agent");
  static final Set<String> PUBLIC = Set.of();

  AttackNode n;
  final String r = UUID.randomUUID().toString().substring(0, 8);

  // tenant A (the attacker's tenant)
  String tenantA;
  String adminA;
  String adminAId;
  String[] agentA;
  String permA;
  String userA;
  String keyA;
  String viewerA;
  String auditorA;

  // tenant B (the victim), with canaries
  String tenantB;
  String adminBEmail;
  String adminB;
  String[] agentB;
  String permB;
  String userB;
  String userBEmail;
  String keyBId;
  String keyB;
  String slugB;
  String requestB;
  String auditB;
  String policyB;
  String shadowRowB;
  final Map<String, String> canaries = new LinkedHashMap<>();

  JsonObject beforeB;
  Map<String, Long> countsB;
  final List<String> coverage = new CopyOnWriteArrayList<>();

  @BeforeAll
  void start() throws Exception {
    n = AttackNode.start("isolation");
    tenantA = n.seedTenant("Acme " + r);
    adminAId = n.seedUser(tenantA, "admin-a-" + r + "@acme.example", "ADMIN", "Admin A");
    adminA = n.login("admin-a-" + r + "@acme.example", tenantA);
    tenantB = n.seedTenant("canary-b-tenant-" + r);
    adminBEmail = "canary-b-admin-" + r + "@beta.example";
    n.seedUser(tenantB, adminBEmail, "ADMIN", "canary-b-admin-name-" + r);
    adminB = n.login(adminBEmail, tenantB);

    // B's objects, created through the API as B
    agentB = n.agent(adminB, tenantB, "canary-b-agent-" + r, "canaryb.tool");
    permB = n.http.get("/agents/" + agentB[0] + "/permissions", Http.bearer(adminB)).data().getJsonArray("items")
        .getJsonObject(0).getString("id");
    Http.Reply exec = n.http.post("/execute", new JsonObject().put("tool", "canaryb.tool")
        .put("payload", new JsonObject().put("note", "canary-b-payload-" + r)),
        AttackNode.headers(agentB[1], "X-Agent-ID", agentB[0]));
    assertThat(exec.status()).as(exec.raw()).isEqualTo(200);
    requestB = exec.data().getString("request_id");
    auditB = exec.data().getString("audit_id");
    userBEmail = "canary-b-user-" + r + "@beta.example";
    Http.Reply u = n.http.post("/users", new JsonObject().put("email", userBEmail).put("password", AttackNode.PASSWORD)
        .put("role", "VIEWER").put("full_name", "canary-b-user-name-" + r), Http.bearer(adminB));
    assertThat(u.status()).as(u.raw()).isEqualTo(201);
    userB = u.data().getString("id");
    Http.Reply k = n.http.post("/api-keys", new JsonObject().put("name", "canary-b-key-" + r).put("role", "VIEWER"),
        Http.bearer(adminB));
    assertThat(k.status()).as(k.raw()).isEqualTo(201);
    keyBId = k.data().getString("id");
    keyB = k.data().getString("key");
    slugB = "canaryb-" + r;
    Http.Reply sso = n.http.post("/auth/sso/config", new JsonObject().put("provider", slugB)
        .put("display_name", "Beta SSO").put("issuer", "https://idp.canary-b-" + r + ".example")
        .put("client_id", "canary-b-client-" + r).put("client_secret", "canary-b-secret-" + r)
        .put("redirect_uri", "https://app.beta.example/callback"), Http.bearer(adminB));
    assertThat(sso.status()).as(sso.raw()).isEqualTo(201);
    Http.Reply ks = n.http.post("/decision/kill-switch/" + tenantB, new JsonObject().put("action", "engage")
        .put("reason", "canary-b-reason-" + r), Http.bearer(adminB));
    assertThat(ks.status()).as(ks.raw()).isEqualTo(200);

    Http.Reply pol = n.http.post("/policy/upload", new JsonObject().put("description", "canary-b-policy-" + r)
        .put("activate", true).put("modules", new JsonObject().put("canary-b-module.rego",
            "package aegis.tenant\n\ndeny contains \"canary-b-rule-" + r + "\" if input.tool == \"canaryb.tool\"\n")),
        Http.bearer(adminB));
    assertThat(pol.status()).as(pol.raw()).isEqualTo(201);
    policyB = pol.data().getString("id");
    // a would-have-blocked shadow decision of B, recorded as stage 4 records it
    dev.aegis.pipeline.ports.ShadowRecorder rec = n.node.shadowRecorder();
    n.node.vertx().runOnContext(v -> rec.record(new dev.aegis.pipeline.ports.ShadowRecorder.ShadowDecision(tenantB,
        "canary-b-shadow-request-" + r, agentB[0], "canaryb.tool", policyB, 1, "ALLOW", "DENY",
        "canary-b-shadow-rule-" + r, "canary-b-shadow-reason-" + r, java.time.Instant.now())));
    for (int i = 0; i < 200 && n.count("SELECT count(*) FROM policy.shadow_decisions WHERE tenant_id = ?::uuid",
        tenantB) == 0; i++) {
      Thread.sleep(50);
    }
    shadowRowB = Long.toString(n.count("SELECT max(id) FROM policy.shadow_decisions WHERE tenant_id = ?::uuid",
        tenantB));
    assertThat(shadowRowB).as("B's shadow decision written").isNotEqualTo("0");

    canaries.put("canary prefix", "canary-b");
    canaries.put("tenant B", tenantB);
    canaries.put("B agent id", agentB[0]);
    canaries.put("B agent token", agentB[1]);
    canaries.put("B agent secret", agentB[2]);
    canaries.put("B grant id", permB);
    canaries.put("B user id", userB);
    canaries.put("B API key id", keyBId);
    canaries.put("B API key", keyB);
    canaries.put("B admin token", adminB);
    canaries.put("B request id", requestB);
    canaries.put("B audit id", auditB);
    canaries.put("B sso slug", slugB);
    canaries.put("B policy version id", policyB);

    // A's own objects and principals
    agentA = n.agent(adminA, tenantA, "agent-a-" + r, "db.query");
    permA = n.http.get("/agents/" + agentA[0] + "/permissions", Http.bearer(adminA)).data().getJsonArray("items")
        .getJsonObject(0).getString("id");
    userA = createUser(adminA, "viewer-a-" + r + "@acme.example", "VIEWER");
    createUser(adminA, "auditor-a-" + r + "@acme.example", "AUDITOR");
    viewerA = n.login("viewer-a-" + r + "@acme.example", tenantA);
    auditorA = n.login("auditor-a-" + r + "@acme.example", tenantA);
    Http.Reply ka = n.http.post("/api-keys", new JsonObject().put("name", "key-a").put("role", "VIEWER"),
        Http.bearer(adminA));
    assertThat(ka.status()).as(ka.raw()).isEqualTo(201);
    keyA = ka.data().getString("id");

    beforeB = snapshotB();
    countsB = countsB();
  }

  @AfterAll
  void stop() throws Exception {
    System.out.println("IsolationMatrixTest coverage (route | call | status error):");
    coverage.stream().sorted().forEach(c -> System.out.println("  " + c));
    if (n != null) {
      n.close();
    }
  }

  String createUser(String admin, String email, String role) {
    Http.Reply u = n.http.post("/users", new JsonObject().put("email", email).put("password", AttackNode.PASSWORD)
        .put("role", role), Http.bearer(admin));
    assertThat(u.status()).as(u.raw()).isEqualTo(201);
    return u.data().getString("id");
  }

  static String rnd() {
    return UUID.randomUUID().toString();
  }

  // ---------------------------------------------------------------- the route specs

  /** One call and its exact expected answer ({@code error} null: a success, checked by {@code check}). */
  record Call(String label, String method, String path, JsonObject body, Map<String, String> headers, int status,
      String error, java.util.function.Consumer<Http.Reply> check) {}

  /**
   * What a route is: the roles its gate lets through ({@link #PUBLIC}: no credential), whether
   * it also needs a platform admin, and the isolation calls tenant A makes on it.
   */
  record Spec(Set<String> roles, boolean platform, Function<IsolationMatrixTest, List<Call>> calls) {}

  Call a(String label, String method, String path, JsonObject body, int status, String error) {
    return new Call(label, method, path, body, Http.bearer(adminA), status, error, x -> {});
  }

  Call a(String label, String method, String path, JsonObject body, int status, java.util.function.Consumer<Http.Reply> check) {
    return new Call(label, method, path, body, Http.bearer(adminA), status, null, check);
  }

  Call anon(String label, String method, String path, JsonObject body, Map<String, String> headers, int status,
      String error) {
    return new Call(label, method, path, body, headers, status, error, x -> {});
  }

  /** The list of a list route: 200 and none of B's objects (the canary check runs on every reply). */
  Call list(String label, String path) {
    return a(label, "GET", path, null, 200, x -> assertThat(x.data()).isNotNull());
  }

  static JsonObject body(Object... kv) {
    JsonObject o = new JsonObject();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      o.put((String) kv[i], kv[i + 1]);
    }
    return o;
  }

  JsonObject execBody() {
    return body("tool", "db.query", "payload", body("query", "SELECT 1", "nonce", rnd()));
  }

  /** Every route of the gateway, keyed "METHOD /path" as {@link AegisNode#routeTable()} spells it. */
  static Map<String, Spec> specs() {
    Map<String, Spec> m = new TreeMap<>();
    // ---- health (public, no tenant data)
    m.put("GET /health", new Spec(PUBLIC, false, t -> List.of(t.anon("public", "GET", "/health", null, Map.of(), 200, null))));
    m.put("GET /readiness", new Spec(PUBLIC, false, t -> List.of(t.anon("public", "GET", "/readiness", null, Map.of(), 200,
        null))));
    m.put("GET /metrics", new Spec(PUBLIC, false, t -> List.of(t.anon("public", "GET", "/metrics", null, Map.of(), 200,
        null))));
    // ---- auth
    m.put("POST /auth/token", new Spec(PUBLIC, false, t -> List.of(t.anon("b_user_with_a_tenant_header", "POST",
        "/auth/token", body("email", t.userBEmail, "password", AttackNode.PASSWORD), Map.of("X-Tenant-ID", t.tenantA),
        401, "invalid_credentials"))));
    m.put("POST /auth/login", new Spec(PUBLIC, false, t -> List.of(t.anon("b_user_with_a_tenant_header", "POST",
        "/auth/login", body("email", t.userBEmail, "password", AttackNode.PASSWORD), Map.of("X-Tenant-ID", t.tenantA),
        401, "invalid_credentials"))));
    m.put("POST /auth/refresh", new Spec(PUBLIC, false, t -> List.of(t.anon("guessed_refresh_token", "POST",
        "/auth/refresh", body("refresh_token", "art_" + rnd().replace("-", "")), Map.of(), 401, "invalid_refresh_token"))));
    m.put("POST /auth/logout", new Spec(ANYONE, false, t -> {
      String own = t.n.login("admin-a-" + t.r + "@acme.example", t.tenantA);
      return List.of(new Call("own_session_only", "POST", "/auth/logout", new JsonObject(), Http.bearer(own), 200, null,
          x -> assertThat(x.data().getBoolean("logged_out")).isTrue()));
    }));
    m.put("POST /auth/revoke", new Spec(ANYONE, false, t -> List.of(
        t.a("b_admin_token", "POST", "/auth/revoke", body("token", t.adminB), 404, "not_found"),
        t.a("b_agent_token", "POST", "/auth/revoke", body("token", t.agentB[1]), 404, "not_found"))));
    m.put("POST /auth/introspect", new Spec(ANYONE, false, t -> List.of(
        t.a("b_admin_token", "POST", "/auth/introspect", body("token", t.adminB), 200,
            x -> assertThat(x.data().getBoolean("active")).isFalse()),
        t.a("b_api_key", "POST", "/auth/introspect", body("token", t.keyB), 200,
            x -> assertThat(x.data().encode()).isEqualTo("{\"active\":false}")))));
    m.put("GET /.well-known/jwks.json", new Spec(PUBLIC, false, t -> List.of(t.anon("public", "GET",
        "/.well-known/jwks.json", null, Map.of(), 200, null))));
    m.put("POST /auth/agent/token", new Spec(PUBLIC, false, t -> List.of(
        t.anon("b_agent_wrong_secret", "POST", "/auth/agent/token", body("agent_id", t.agentB[0], "secret", "acs_wrong"),
            Map.of("X-Tenant-ID", t.tenantA), 401, "invalid_credentials"),
        t.anon("b_agent_right_secret_a_tenant_header", "POST", "/auth/agent/token",
            body("agent_id", t.agentB[0], "secret", t.agentB[2]), Map.of("X-Tenant-ID", t.tenantA), 401,
            "invalid_credentials"))));
    m.put("POST /auth/credentials", new Spec(WRITERS, false, t -> List.of(
        t.a("b_agent", "POST", "/auth/credentials", body("agent_id", t.agentB[0]), 404, "not_found"),
        t.a("random", "POST", "/auth/credentials", body("agent_id", rnd()), 404, "not_found"))));
    m.put("DELETE /auth/credentials/:agentId", new Spec(WRITERS, false, t -> List.of(
        t.a("b_agent", "DELETE", "/auth/credentials/" + t.agentB[0], null, 404, "not_found"),
        t.a("random", "DELETE", "/auth/credentials/" + rnd(), null, 404, "not_found"))));
    // ---- agents
    m.put("POST /agents", new Spec(WRITERS, false, t -> List.of(
        // names are per tenant: B's agent name is free in A (no 409 that would reveal it exists)
        t.a("same_name_as_b_agent", "POST", "/agents", body("name", "canary-b-agent-" + t.r), 201, x -> {
          assertThat(x.data().getString("tenant_id")).isEqualTo(t.tenantA);
          assertThat(x.data().getString("id")).isNotEqualTo(t.agentB[0]);
          // A's own copy carries B's name: remove it so A's later lists stay canary-free
          assertThat(t.n.http.delete("/agents/" + x.data().getString("id"), Http.bearer(t.adminA)).status())
              .isEqualTo(200);
        }))));
    m.put("GET /agents", new Spec(READERS, false, t -> List.of(t.list("list", "/agents?limit=1000"),
        t.list("name_prefix_of_b", "/agents?q=canary-b-agent"),
        t.a("status_filter", "GET", "/agents?status=ACTIVE&limit=1000", null, 200, x -> {}))));
    m.put("GET /agents/summary", new Spec(READERS, false, t -> List.of(t.a("summary", "GET", "/agents/summary", null, 200,
        x -> assertThat(x.data().getLong("total")).isEqualTo(t.n.count(
            "SELECT count(*) FROM registry.agents WHERE tenant_id = ?::uuid", t.tenantA))))));
    m.put("GET /agents/:id", new Spec(READERS, false, t -> t.onAgent("GET", "", null)));
    m.put("PATCH /agents/:id", new Spec(WRITERS, false, t -> t.onAgent("PATCH", "", body("description", "pwned"))));
    m.put("DELETE /agents/:id", new Spec(WRITERS, false, t -> t.onAgent("DELETE", "", null)));
    m.put("POST /agents/:id/quarantine", new Spec(WRITERS, false, t -> t.onAgent("POST", "/quarantine",
        body("reason", "pwned"))));
    m.put("DELETE /agents/:id/quarantine", new Spec(WRITERS, false, t -> t.onAgent("DELETE", "/quarantine", null)));
    m.put("POST /agents/:id/release", new Spec(WRITERS, false, t -> t.onAgent("POST", "/release", body("reason", "x"))));
    m.put("GET /agents/:id/profile", new Spec(READERS, false, t -> t.onAgent("GET", "/profile", null)));
    m.put("POST /agents/:id/permissions", new Spec(WRITERS, false, t -> t.onAgent("POST", "/permissions",
        body("tool_name", "shell.exec", "action", "ALLOW"))));
    m.put("GET /agents/:id/permissions", new Spec(READERS, false, t -> t.onAgent("GET", "/permissions", null)));
    m.put("DELETE /agents/:id/permissions/:perm_id", new Spec(WRITERS, false, t -> List.of(
        t.a("b_agent_b_grant", "DELETE", "/agents/" + t.agentB[0] + "/permissions/" + t.permB, null, 404, "not_found"),
        t.a("a_agent_b_grant", "DELETE", "/agents/" + t.agentA[0] + "/permissions/" + t.permB, null, 404, "not_found"),
        t.a("b_agent_a_grant", "DELETE", "/agents/" + t.agentB[0] + "/permissions/" + t.permA, null, 404, "not_found"),
        t.a("random", "DELETE", "/agents/" + rnd() + "/permissions/" + rnd(), null, 404, "not_found"))));
    m.put("GET /registry/tools", new Spec(READERS, false, t -> List.of(t.a("list", "GET", "/registry/tools", null, 200,
        x -> assertThat(x.raw()).doesNotContain("canaryb.tool")))));
    // ---- kill switch: another tenant's is 403 tenant_mismatch
    for (String method : new String[] {"GET", "POST", "DELETE"}) {
      m.put(method + " /decision/kill-switch/:tenantId", new Spec(WRITERS, false, t -> List.of(
          t.a("b_tenant", method, "/decision/kill-switch/" + t.tenantB, method.equals("POST")
              ? body("action", "disengage", "reason", "pwned") : null, 403, "tenant_mismatch"),
          t.a("random", method, "/decision/kill-switch/" + rnd(), method.equals("POST")
              ? body("action", "engage") : null, 403, "tenant_mismatch"))));
    }
    // ---- audit
    m.put("GET /audit/logs", new Spec(AUDIT_READERS, false, t -> List.of(t.list("list", "/audit/logs?limit=1000"),
        t.a("b_request_id", "GET", "/audit/logs?request_id=" + t.requestB, null, 200,
            x -> assertThat(x.data().getJsonArray("items")).isEmpty()),
        t.a("b_agent_id", "GET", "/audit/logs?agent_id=" + t.agentB[0], null, 200,
            x -> assertThat(x.data().getJsonArray("items")).isEmpty()),
        t.a("b_tool", "GET", "/audit/logs?tool=canaryb.tool", null, 200,
            x -> assertThat(x.data().getJsonArray("items")).isEmpty()))));
    m.put("GET /audit/logs/verify", new Spec(AUDIT_READERS, false, t -> List.of(t.a("verify", "GET", "/audit/logs/verify",
        null, 200, x -> assertThat(x.data().getLong("rows_checked")).isEqualTo(t.n.count(
            "SELECT count(*) FROM audit.audit_logs WHERE tenant_id = ?::uuid", t.tenantA))))));
    m.put("POST /audit/logs/search", new Spec(AUDIT_READERS, false, t -> List.of(
        // (A's own management rows may carry B's names, e.g. the same-name agent of POST /agents)
        t.a("all_decisions", "POST", "/audit/logs/search", body("limit", 100, "action", "tool_execution"), 200,
            x -> assertThat(x.data()).isNotNull()),
        t.a("b_request_id", "POST", "/audit/logs/search", body("request_id", t.requestB), 200,
            x -> assertThat(x.data().getJsonArray("items")).isEmpty()),
        t.a("b_tool", "POST", "/audit/logs/search", body("tool", "canaryb.tool"), 200,
            x -> assertThat(x.data().getJsonArray("items")).isEmpty()),
        t.a("b_metadata", "POST", "/audit/logs/search", body("metadata_filter", body("actor", t.agentB[0])), 200,
            x -> assertThat(x.data().getJsonArray("items")).isEmpty()))));
    m.put("GET /audit/logs/summary", new Spec(AUDIT_READERS, false, t -> List.of(t.a("own_counts_only", "GET",
        "/audit/logs/summary", null, 200, x -> {
          assertThat(x.data().getLong("total")).isEqualTo(t.n.count(
              "SELECT count(*) FROM audit.audit_logs WHERE tenant_id = ?::uuid", t.tenantA));
          assertThat(x.raw()).doesNotContain("canaryb.tool");
        }))));
    m.put("GET /audit/logs/:id/receipt", new Spec(AUDIT_READERS, false, t -> t.onAuditRow("GET", "/receipt", null)));
    m.put("GET /audit/logs/:id/explain", new Spec(AUDIT_READERS, false, t -> t.onAuditRow("GET", "/explain", null)));
    m.put("GET /audit/logs/:id/notes", new Spec(AUDIT_READERS, false, t -> {
      // B's row carries a canary note (written directly: no audit row, so B's counts stay put)
      t.n.update("INSERT INTO audit.audit_notes (id, tenant_id, audit_id, note_type, body, author)"
          + " VALUES (?::uuid, ?::uuid, ?::uuid, 'analysis', ?, 'b')", rnd(), t.tenantB, t.auditB, "canary-b-note-" + t.r);
      return t.onAuditRow("GET", "/notes", null);
    }));
    m.put("POST /audit/logs/:id/notes", new Spec(AUDIT_READERS, false, t -> {
      List<Call> calls = new ArrayList<>(t.onAuditRow("POST", "/notes", body("note_type", "analysis", "body", "pwned")));
      calls.add(t.a("b_row_no_note_written", "GET", "/audit/logs/summary", null, 200, x -> assertThat(t.n.count(
          "SELECT count(*) FROM audit.audit_notes WHERE audit_id = ?::uuid AND body = 'pwned'", t.auditB)).isZero()));
      return calls;
    }));
    m.put("GET /audit/export/bundle", new Spec(AUDIT_READERS, false, t -> List.of(
        t.a("own_log_only", "GET", "/audit/export/bundle", null, 200, x -> {
          assertThat(x.json().getString("tenant_id")).isEqualTo(t.tenantA);
          assertThat(x.json().getJsonArray("rows")).isNotEmpty().allSatisfy(
              row -> assertThat(((JsonObject) row).getString("tenant_id")).isEqualTo(t.tenantA));
          assertThat(x.raw()).doesNotContain(t.tenantB).doesNotContain(t.auditB);
        }),
        t.a("bad_date", "GET", "/audit/export/bundle?from=yesterday", null, 400, "validation_error"))));
    m.put("POST /admin/evidence-keys/rotate", new Spec(ADMIN, true, t -> List.of(t.a("not_platform_admin", "POST",
        "/admin/evidence-keys/rotate", new JsonObject(), 403, "platform_admin_required"))));
    // ---- transparency and receipts
    m.put("GET /transparency/keys", new Spec(PUBLIC, false, t -> List.of(t.anon("public", "GET",
        "/transparency/keys", null, Map.of(), 200, null))));
    m.put("GET /receipts/key", new Spec(PUBLIC, false, t -> List.of(t.anon("public", "GET",
        "/receipts/key", null, Map.of(), 200, null))));
    m.put("GET /transparency/checkpoint", new Spec(AUDIT_READERS, false, t -> List.of(t.a("own_log_only", "GET",
        "/transparency/checkpoint", null, 200, x -> assertThat(x.raw()).contains("aegis/audit/" + t.tenantA)
            .doesNotContain(t.tenantB)))));
    m.put("GET /transparency/inclusion/:executionId", new Spec(AUDIT_READERS, false, t -> List.of(
        t.a("b_execution", "GET", "/transparency/inclusion/" + t.auditB, null, 404, "not_found"),
        t.a("random", "GET", "/transparency/inclusion/" + rnd(), null, 404, "not_found"))));
    m.put("GET /receipts/:executionId", new Spec(AUDIT_READERS, false, t -> List.of(
        t.a("b_execution", "GET", "/receipts/" + t.auditB, null, 404, "not_found"),
        t.a("random", "GET", "/receipts/" + rnd(), null, 404, "not_found"))));
    m.put("GET /transparency/consistency", new Spec(AUDIT_READERS, false, t -> List.of(
        t.a("beyond_own_log", "GET", "/transparency/consistency?first=1&second=100000000", null, 400,
            "validation_error"))));
    m.put("POST /receipts/verify", new Spec(AUDIT_READERS, false, t -> List.of(
        t.a("garbage", "POST", "/receipts/verify", body("receipt", "x"), 200,
            x -> assertThat(x.data().getBoolean("valid")).isFalse()))));
    // daily transparency roots (RootRoutes): only the caller's tenant, whatever date or body is sent
    m.put("GET /transparency/roots", new Spec(AUDIT_READERS, false, t -> List.of(t.a("own_roots_only", "GET",
        "/transparency/roots?limit=366", null, 200, x -> x.data().getJsonArray("items").forEach(o ->
            assertThat(((JsonObject) o).getString("tenant_id")).isEqualTo(t.tenantA))))));
    m.put("GET /transparency/roots/:date", new Spec(AUDIT_READERS, false, t -> List.of(
        t.a("compute_own_today", "POST", "/transparency/compute", body(), 200,
            x -> assertThat(x.data().getString("tenant_id")).isEqualTo(t.tenantA)),
        t.a("today_own_root_only", "GET", "/transparency/roots/" + java.time.LocalDate.now(java.time.ZoneOffset.UTC),
            null, 200, x -> assertThat(x.data().getString("tenant_id")).isEqualTo(t.tenantA)),
        t.a("day_without_root", "GET", "/transparency/roots/2001-01-01", null, 404, "not_found"),
        t.a("not_a_date", "GET", "/transparency/roots/not-a-date", null, 400, "validation_error"))));
    m.put("POST /transparency/verify-root", new Spec(AUDIT_READERS, false, t -> List.of(
        t.a("garbage", "POST", "/transparency/verify-root", body("signed_root_payload", "x"), 200,
            x -> assertThat(x.data().getBoolean("valid")).isFalse()))));
    m.put("POST /transparency/compute", new Spec(WRITERS, false, t -> List.of(
        t.a("own_tenant_only", "POST", "/transparency/compute", body(), 200,
            x -> assertThat(x.data().getString("tenant_id")).isEqualTo(t.tenantA)))));
    // ---- API keys
    m.put("POST /api-keys/validate", new Spec(PUBLIC, false, t -> List.of(new Call("b_key_with_a_tenant_header", "POST",
        "/api-keys/validate", body("key", t.keyB), Map.of("X-Tenant-ID", t.tenantA), 200, null,
        x -> assertThat(x.data().encode()).isEqualTo("{\"valid\":false}")))));
    m.put("POST /api-keys", new Spec(ADMIN, false, t -> List.of(
        t.a("agent_key_for_b_agent", "POST", "/api-keys", body("name", "x", "role", "agent", "agent_id", t.agentB[0]),
            404, "not_found"))));
    m.put("GET /api-keys", new Spec(WRITERS, false, t -> List.of(t.list("list", "/api-keys?limit=1000"))));
    m.put("DELETE /api-keys/:id", new Spec(ADMIN, false, t -> List.of(
        t.a("b_key", "DELETE", "/api-keys/" + t.keyBId, null, 404, "not_found"),
        t.a("random", "DELETE", "/api-keys/" + rnd(), null, 404, "not_found"))));
    // ---- signing keys
    m.put("POST /admin/keys/rotate", new Spec(ADMIN, true, t -> List.of(
        t.a("not_platform_admin", "POST", "/admin/keys/rotate", null, 403, "platform_admin_required"))));
    // ---- users
    m.put("GET /auth/me", new Spec(ANYONE, false, t -> List.of(t.a("me", "GET", "/auth/me", null, 200,
        x -> assertThat(x.data().getString("tenant_id")).isEqualTo(t.tenantA)))));
    m.put("POST /users/accept-invite", new Spec(PUBLIC, false, t -> List.of(t.anon("guessed_invite", "POST",
        "/users/accept-invite", body("token", "inv_" + rnd().replace("-", ""), "password", AttackNode.PASSWORD), Map.of(),
        400, "invalid_invite"))));
    m.put("POST /users/invite", new Spec(ADMIN, false, t -> List.of(
        t.a("b_user_email", "POST", "/users/invite", body("email", t.userBEmail, "role", "VIEWER"), 409, "conflict"))));
    for (String path : new String[] {"/users", "/auth/users"}) {
      m.put("POST " + path, new Spec(ADMIN, false, t -> List.of(
          t.a("b_user_email", "POST", path, body("email", t.userBEmail, "password", AttackNode.PASSWORD, "role", "VIEWER"),
              409, "conflict"))));
    }
    m.put("GET /users", new Spec(AUDIT_READERS, false, t -> List.of(t.list("list", "/users?limit=1000"),
        t.list("with_deleted", "/users?limit=1000&include_deleted=true"))));
    m.put("GET /users/:id", new Spec(AUDIT_READERS, false, t -> t.onUser("GET", null)));
    m.put("PATCH /users/:id", new Spec(ADMIN, false, t -> t.onUser("PATCH", body("role", "ADMIN"))));
    m.put("DELETE /users/:id", new Spec(ADMIN, false, t -> t.onUser("DELETE", null)));
    // ---- tenants
    m.put("POST /auth/tenants", new Spec(READERS, true, t -> List.of(t.a("not_platform_admin", "POST", "/auth/tenants",
        body("name", "x", "admin_email", "x-" + t.r + "@x.example", "admin_password", AttackNode.PASSWORD), 403,
        "platform_admin_required"))));
    m.put("GET /auth/tenants/:id", new Spec(READERS, false, t -> List.of(
        t.a("b_tenant", "GET", "/auth/tenants/" + t.tenantB, null, 404, "not_found"),
        t.a("random", "GET", "/auth/tenants/" + rnd(), null, 404, "not_found"))));
    m.put("GET /admin/tenants", new Spec(READERS, true, t -> List.of(
        t.a("not_platform_admin", "GET", "/admin/tenants", null, 403, "platform_admin_required"))));
    m.put("GET /admin/tenants/:id", new Spec(READERS, true, t -> List.of(
        t.a("b_tenant", "GET", "/admin/tenants/" + t.tenantB, null, 403, "platform_admin_required"),
        t.a("random", "GET", "/admin/tenants/" + rnd(), null, 403, "platform_admin_required"))));
    m.put("PATCH /admin/tenants/:id", new Spec(READERS, true, t -> List.of(
        t.a("b_tenant", "PATCH", "/admin/tenants/" + t.tenantB, body("is_active", false), 403, "platform_admin_required"),
        t.a("random", "PATCH", "/admin/tenants/" + rnd(), body("name", "x"), 403, "platform_admin_required"))));
    m.put("GET /tenant/quota", new Spec(READERS, false, t -> List.of(t.a("own", "GET", "/tenant/quota", null, 200,
        x -> assertThat(x.data().getString("tenant_id")).isEqualTo(t.tenantA)))));
    // ---- SSO
    m.put("GET /auth/sso/config", new Spec(ADMIN, false, t -> List.of(t.a("list", "GET", "/auth/sso/config", null, 200,
        x -> assertThat(x.data().getJsonArray("items")).isEmpty()))));
    m.put("POST /auth/sso/config", new Spec(ADMIN, false, t -> List.of(
        t.a("b_tenant_in_body", "POST", "/auth/sso/config", body("tenant_id", t.tenantB, "provider", t.slugB,
            "issuer", "https://idp.evil.example", "client_id", "evil", "client_secret", "evil",
            "redirect_uri", "https://evil.example/cb"), 403, "tenant_mismatch"))));
    m.put("POST /auth/sso/config/test", new Spec(ADMIN, false, t -> List.of(
        t.a("b_provider", "POST", "/auth/sso/config/test", body("provider", t.slugB), 404, "sso_not_configured"),
        t.a("b_tenant_in_body", "POST", "/auth/sso/config/test", body("provider", t.slugB, "tenant_id", t.tenantB), 403,
            "tenant_mismatch"))));
    m.put("DELETE /auth/sso/config/:provider", new Spec(ADMIN, false, t -> List.of(
        t.a("b_provider", "DELETE", "/auth/sso/config/" + t.slugB, null, 404, "sso_not_configured"))));
    m.put("GET /auth/sso/providers", new Spec(PUBLIC, false, t -> List.of(t.anon("a_tenant", "GET",
        "/auth/sso/providers?tenant_id=" + t.tenantA, null, Map.of(), 200, null))));
    m.put("GET /auth/sso/:provider", new Spec(PUBLIC, false, t -> List.of(t.anon("b_provider_a_tenant", "GET",
        "/auth/sso/" + t.slugB + "?tenant_id=" + t.tenantA, null, Map.of("Accept", "application/json"), 404,
        "sso_not_configured"))));
    m.put("GET /auth/sso/:provider/callback", new Spec(PUBLIC, false, t -> List.of(t.anon("b_provider_guessed_state",
        "GET", "/auth/sso/" + t.slugB + "/callback?code=x&state=" + rnd(), null, Map.of(), 400, "invalid_state"))));
    // ---- tenant policies (issue #5): versions are per tenant; B's ids are not found
    m.put("POST /policy/upload", new Spec(WRITERS, false, t -> List.of(t.a("own_tenant_only", "POST", "/policy/upload",
        body("source", "package aegis.tenant\n", "tenant_id", t.tenantB), 201, x -> {
          assertThat(x.data().getString("tenant_id")).isEqualTo(t.tenantA);
          assertThat(x.data().getInteger("version")).isEqualTo((int) t.n.count(
              "SELECT count(*) FROM policy.policy_versions WHERE tenant_id = ?::uuid", t.tenantA));
        }))));
    m.put("GET /policy/versions", new Spec(READERS, false, t -> List.of(t.a("own_versions_only", "GET",
        "/policy/versions?limit=1000", null, 200, x -> assertThat(x.data().getJsonArray("items")).allSatisfy(
            v -> assertThat(((JsonObject) v).getString("tenant_id")).isEqualTo(t.tenantA))))));
    m.put("GET /policy/versions/:id", new Spec(READERS, false, t -> t.onPolicy("GET", "", null)));
    m.put("POST /policy/versions/:id/activate", new Spec(WRITERS, false, t -> t.onPolicy("POST", "/activate", body())));
    m.put("POST /policy/versions/:id/shadow", new Spec(WRITERS, false, t -> t.onPolicy("POST", "/shadow", body())));
    m.put("POST /policy/rollback", new Spec(WRITERS, false, t -> List.of(t.a("own_history_only", "POST",
        "/policy/rollback", body(), 409, "nothing_to_roll_back"))));
    m.put("GET /policy/shadow/decisions", new Spec(READERS, false, t -> List.of(
        t.a("own_rows_only", "GET", "/policy/shadow/decisions?limit=1000", null, 200,
            x -> assertThat(x.data().getJsonArray("decisions")).isEmpty()),
        t.a("b_row_as_cursor", "GET", "/policy/shadow/decisions?before=" + t.shadowRowB, null, 200,
            x -> assertThat(x.data().getJsonArray("decisions")).isEmpty()))));
    m.put("GET /policy/shadow/summary", new Spec(READERS, false, t -> List.of(t.a("own_shadow_only", "GET",
        "/policy/shadow/summary", null, 200, x -> {
          assertThat(x.data().getValue("shadow_version")).isNull();
          assertThat(x.data().getLong("would_have_blocked")).isZero();
          assertThat(x.data().getJsonObject("by_rule")).isEmpty();
        }))));
    m.put("DELETE /policy/shadow", new Spec(WRITERS, false, t -> List.of(t.a("own_pointer_only", "DELETE",
        "/policy/shadow", null, 200, x -> assertThat(x.data().getString("tenant_id")).isEqualTo(t.tenantA)))));
    m.put("POST /policy/evaluate", new Spec(WRITERS, false, t -> List.of(
        t.a("b_version", "POST", "/policy/evaluate", body("version_id", t.policyB, "input", body()), 404, "not_found"),
        t.a("own_active_only", "POST", "/policy/evaluate", body("input", body("tool", "canaryb.tool")), 404,
            "no_active_policy"))));
    m.put("POST /policy/test", new Spec(WRITERS, false, t -> List.of(
        t.a("b_version", "POST", "/policy/test", body("version_id", t.policyB), 404, "not_found"),
        t.a("random", "POST", "/policy/test", body("version_id", rnd()), 404, "not_found"))));
    m.put("POST /policy/simulate", new Spec(WRITERS, false, t -> List.of(
        t.a("b_version", "POST", "/policy/simulate", body("version_id", t.policyB), 404, "not_found"),
        t.a("own_rows_only", "POST", "/policy/simulate", body("source",
            "package aegis.tenant\n\ndeny contains \"all\" if true\n", "limit", 5000), 200, x -> {
              assertThat(x.data().getLong("total")).isEqualTo(t.n.count("SELECT count(*) FROM audit.audit_logs"
                  + " WHERE tenant_id = ?::uuid AND action = 'tool_execution' AND tool IS NOT NULL", t.tenantA));
              assertThat(x.raw()).doesNotContain("canaryb.tool");
            }))));
    // ---- OPA bundle of the caller's ACTIVE policy only (A has none here: 404, never B's bundle)
    for (String path : new String[] {"/policy/bundle", "/policy/bundle.tar.gz"}) {
      m.put("GET " + path, new Spec(READERS, false, t -> List.of(
          t.a("own_policy_only", "GET", path, null, 404, "policy_not_found"),
          new Call("b_tenant_header", "GET", path, null, Http.bearer(t.adminA, "X-Tenant-ID", t.tenantB), 403,
              "tenant_mismatch", x -> {}))));
    }
    // ---- execute (stage 3 looks the agent up in the caller's tenant only)
    m.put("POST /execute", new Spec(EXECUTORS, false, t -> List.of(
        new Call("a_admin_b_agent", "POST", "/execute", t.execBody(),
            AttackNode.headers(t.adminA, "X-Agent-ID", t.agentB[0]), 404, "agent_not_found", x -> {}),
        new Call("a_agent_token_b_agent", "POST", "/execute", t.execBody(),
            AttackNode.headers(t.agentA[1], "X-Agent-ID", t.agentB[0]), 403, "agent_mismatch", x -> {}),
        new Call("random_agent", "POST", "/execute", t.execBody(),
            AttackNode.headers(t.adminA, "X-Agent-ID", rnd()), 404, "agent_not_found", x -> {}))));
    m.put("POST /execute/:tool", new Spec(EXECUTORS, false, t -> List.of(
        new Call("a_admin_b_agent_b_tool", "POST", "/execute/canaryb.tool", body("payload", body("nonce", rnd())),
            AttackNode.headers(t.adminA, "X-Agent-ID", t.agentB[0]), 404, "agent_not_found", x -> {}))));
    return m;
  }

  /** A's admin on an agent route with B's agent id and with a random id: 404 not_found. */
  List<Call> onAgent(String method, String suffix, JsonObject body) {
    return List.of(a("b_agent", method, "/agents/" + agentB[0] + suffix, body, 404, "not_found"),
        a("random", method, "/agents/" + rnd() + suffix, body, 404, "not_found"),
        a("malformed_id", method, "/agents/not-a-uuid" + suffix, body, 404, "not_found"));
  }

  /** A's admin on an audit-row route with B's row id, a random id and a malformed id: 404 not_found. */
  List<Call> onAuditRow(String method, String suffix, JsonObject body) {
    return List.of(a("b_row", method, "/audit/logs/" + auditB + suffix, body, 404, "not_found"),
        a("random", method, "/audit/logs/" + rnd() + suffix, body, 404, "not_found"),
        a("malformed_id", method, "/audit/logs/not-a-uuid" + suffix, body, 404, "not_found"));
  }

  /** A's admin on a policy version route with B's version id, a random id and a malformed id: 404 not_found. */
  List<Call> onPolicy(String method, String suffix, JsonObject body) {
    return List.of(a("b_version", method, "/policy/versions/" + policyB + suffix, body, 404, "not_found"),
        a("random", method, "/policy/versions/" + rnd() + suffix, body, 404, "not_found"),
        a("malformed_id", method, "/policy/versions/not-a-uuid" + suffix, body, 404, "not_found"));
  }

  List<Call> onUser(String method, JsonObject body) {
    return List.of(a("b_user", method, "/users/" + userB, body, 404, "not_found"),
        a("random", method, "/users/" + rnd(), body, 404, "not_found"));
  }

  // ---------------------------------------------------------------- tests

  /** Verifies the spec table is exactly the router's route table (a new route needs an isolation spec). */
  @Test
  @Order(1)
  void should_have_an_isolation_spec_for_every_route() {
    List<String> table = n.node.routeTable();
    assertThat(table).isNotEmpty();
    Set<String> routes = new TreeSet<>(table);
    assertThat(routes).as("routes served but without an isolation spec in IsolationMatrixTest.specs()")
        .isSubsetOf(specs().keySet());
    assertThat(specs().keySet()).as("specs for routes the router no longer has").isSubsetOf(routes);
    assertThat(routes).noneMatch(x -> x.startsWith("ANY "));
  }

  /** Verifies BOLA on every route: A's admin with B's ids and random ids gets the exact refusal and no B data. */
  @TestFactory
  @Order(2)
  Stream<DynamicTest> should_isolate_tenant_b_on_every_route() {
    return specs().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
      for (Call c : e.getValue().calls().apply(this)) {
        run(e.getKey(), c);
      }
    }));
  }

  void run(String route, Call c) {
    Http.Reply x = n.send(c.method(), c.path(), c.body(), c.headers());
    String what = route + " [" + c.label() + "] " + c.method() + " " + c.path();
    coverage.add(String.format("%-42s | %-36s | %d %s", route, c.label(), x.status(),
        x.json() == null ? "" : x.json().getString("error") == null ? "" : x.json().getString("error")));
    assertThat(x.status()).as(what + ": " + x.raw()).isEqualTo(c.status());
    if (x.header("content-type") != null && x.header("content-type").startsWith("application/json")) {
      assertThat(x.json()).as(what).isNotNull();
      assertThat(x.json().getString("error")).as(what + ": " + x.raw()).isEqualTo(c.error());
    }
    c.check().accept(x);
    assertNoLeak(what, c, x);
  }

  /** No B canary in a reply unless the request itself carried it. */
  void assertNoLeak(String what, Call c, Http.Reply x) {
    String request = c.path() + " " + (c.body() == null ? "" : c.body().encode()) + " " + c.headers();
    String reply = x.raw() + " " + x.headers();
    canaries.forEach((name, value) -> {
      if (!request.contains(value)) {
        assertThat(reply).as(what + " leaks " + name).doesNotContain(value);
      }
    });
  }

  /** Verifies function-level authorization: agent, VIEWER and AUDITOR tokens get exactly the role gate's refusal. */
  @TestFactory
  @Order(3)
  Stream<DynamicTest> should_refuse_roles_below_each_routes_gate() {
    Map<String, String> principals = new LinkedHashMap<>();
    principals.put("agent", agentA[1]);
    principals.put("VIEWER", viewerA);
    principals.put("AUDITOR", auditorA);
    List<DynamicTest> tests = new ArrayList<>();
    specs().forEach((route, spec) -> {
      if (spec.roles().isEmpty()) {
        return;
      }
      principals.forEach((role, token) -> {
        Expect e = functionLevel(route, spec, role);
        if (e == null) {
          return;
        }
        tests.add(DynamicTest.dynamicTest(route + " as " + role, () -> {
          String[] mp = route.split(" ", 2);
          String path = ownPath(mp[1]);
          JsonObject b = mp[0].equals("GET") || mp[0].equals("DELETE") ? null
              : route.equals("POST /auth/revoke") ? body("jti", rnd())
              : route.startsWith("POST /execute") ? execBody() : new JsonObject();
          Map<String, String> h = AttackNode.headers(token, "X-Agent-ID", agentA[0]);
          Http.Reply x = n.send(mp[0], path, b, h);
          coverage.add(String.format("%-42s | %-36s | %d %s", route, "as " + role, x.status(),
              x.json() == null ? "" : x.json().getString("error")));
          assertThat(x.status()).as(route + " as " + role + ": " + x.raw()).isEqualTo(e.status());
          assertThat(x.json().getString("error")).as(route + " as " + role).isEqualTo(e.error());
          if (route.startsWith("POST /execute")) {
            assertThat(x.json().getInteger("stage")).isEqualTo(1);
            assertThat(x.json().containsKey("audit_id")).isFalse();
          }
        }));
      });
    });
    assertThat(tests.size()).isGreaterThan(100);
    return tests.stream();
  }

  record Expect(int status, String error) {}

  /** The refusal a role gets on a route, or null when the role is let through (not probed here). */
  static Expect functionLevel(String route, Spec spec, String role) {
    if (route.equals("POST /auth/revoke") && !role.equals("ADMIN") && !role.equals("SECURITY")) {
      return new Expect(403, "insufficient_role"); // revoking by jti needs ADMIN or SECURITY (in the handler)
    }
    if (!spec.roles().contains(role)) {
      return new Expect(403, "insufficient_role");
    }
    if (spec.platform()) {
      return new Expect(403, "platform_admin_required");
    }
    if (route.equals("GET /auth/tenants/:id")) {
      return new Expect(404, "not_found"); // only its own ADMIN (or a platform admin) may read a tenant
    }
    return null;
  }

  /** The route's path with A's own ids (if a gate failed open, the harm would stay in tenant A). */
  String ownPath(String template) {
    String p = template;
    if (p.startsWith("/users/")) {
      p = p.replace(":id", userA);
    } else if (p.startsWith("/api-keys/")) {
      p = p.replace(":id", keyA);
    } else if (p.contains("tenants/")) {
      p = p.replace(":id", tenantA);
    } else {
      p = p.replace(":id", agentA[0]);
    }
    return p.replace(":perm_id", permA).replace(":agentId", agentA[0]).replace(":tenantId", tenantA)
        .replace(":provider", "none-" + r).replace(":tool", "db.query");
  }

  /** Verifies B's objects, re-read as B, and B's row counts in every table are unchanged. */
  @Test
  @Order(4)
  void should_leave_tenant_b_unchanged() {
    assertThat(snapshotB().encodePrettily()).isEqualTo(beforeB.encodePrettily());
    assertThat(countsB()).isEqualTo(countsB);
  }

  /** Verifies that A's admin cannot revoke a token of tenant B by its jti. */
  @Test
  @Order(5)
  void should_not_revoke_another_tenants_token_by_jti() {
    String victim = n.login(adminBEmail, tenantB);
    String jti = n.http.post("/auth/introspect", body("token", victim), Http.bearer(victim)).data().getString("jti");
    Http.Reply rev = n.http.post("/auth/revoke", body("jti", jti), Http.bearer(adminA));
    // A may get 200 (a no-op in its own tenant) or 404; either way B's token must keep working
    assertThat(rev.status()).as(rev.raw()).isIn(200, 404);
    Http.Reply me = n.http.get("/auth/me", Http.bearer(victim));
    assertThat(me.status()).as(me.raw()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- B's state

  JsonObject snapshotB() {
    Map<String, String> b = Http.bearer(adminB);
    JsonObject s = new JsonObject();
    s.put("agent", n.http.get("/agents/" + agentB[0], b).json());
    s.put("grants", n.http.get("/agents/" + agentB[0] + "/permissions", b).json());
    s.put("user", n.http.get("/users/" + userB, b).json());
    s.put("agents", n.http.get("/agents?limit=1000", b).data());
    JsonObject keys = n.http.get("/api-keys", b).data();
    // last_used_at is written (at most once a minute) whenever the key is presented, by anyone holding it
    keys.getJsonArray("items").forEach(k -> ((JsonObject) k).remove("last_used_at"));
    s.put("api_keys", keys);
    s.put("kill_switch", n.http.get("/decision/kill-switch/" + tenantB, b).data());
    s.put("sso", n.http.get("/auth/sso/config", b).data());
    s.put("tenant", n.http.get("/auth/tenants/" + tenantB, b).data());
    s.put("me", n.http.get("/auth/me", b).status());
    s.put("policies", n.http.get("/policy/versions", b).data());
    s.put("policy", n.http.get("/policy/versions/" + policyB, b).data());
    s.put("agent_token", n.http.post("/auth/introspect", body("token", agentB[1]), b).data().getBoolean("active"));
    s.put("api_key", n.http.post("/api-keys/validate", body("key", keyB), Map.of()).data());
    // strip the request ids of the envelopes
    for (String k : new String[] {"agent", "grants", "user"}) {
      s.getJsonObject(k).remove("meta");
    }
    return s;
  }

  Map<String, Long> countsB() {
    Map<String, Long> c = new TreeMap<>();
    for (String table : new String[] {"registry.agents", "registry.permissions", "identity.users", "identity.api_keys",
        "identity.agent_credentials", "identity.sso_providers", "decision.kill_switches", "audit.audit_logs",
        "identity.revocations", "identity.user_invites", "identity.refresh_tokens", "policy.policy_versions",
        "policy.tenant_policies", "policy.policy_activations", "policy.shadow_decisions"}) {
      c.put(table, n.count("SELECT count(*) FROM " + table + " WHERE tenant_id = ?::uuid", tenantB));
    }
    c.put("agents deleted", n.count("SELECT count(*) FROM registry.agents WHERE tenant_id = ?::uuid AND deleted_at IS NOT NULL",
        tenantB));
    c.put("api keys revoked", n.count("SELECT count(*) FROM identity.api_keys WHERE tenant_id = ?::uuid"
        + " AND revoked_at IS NOT NULL", tenantB));
    c.put("credentials revoked", n.count("SELECT count(*) FROM identity.agent_credentials WHERE tenant_id = ?::uuid"
        + " AND revoked_at IS NOT NULL", tenantB));
    c.put("revocations of B tokens (any tenant)", n.count("SELECT count(*) FROM identity.revocations r"
        + " WHERE r.id LIKE 'fam:agent:" + agentB[0] + "%'"));
    for (String token : new String[] {adminB, agentB[1]}) {
      String jti = n.http.post("/auth/introspect", body("token", token), Http.bearer(adminB)).data().getString("jti");
      c.put("revocations of B token " + jti.substring(0, 8) + " (any tenant)",
          n.count("SELECT count(*) FROM identity.revocations WHERE id = ?", "jti:" + jti));
    }
    c.put("tenant rows", n.count("SELECT count(*) FROM identity.tenants WHERE id = ?::uuid AND is_active", tenantB));
    return c;
  }
}
