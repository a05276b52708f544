package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The tenant policy lifecycle over HTTP on a real node (issue #5 item 5): upload with syntax,
 * package and size checks, versions, activation and rollback, shadow, evaluate, test, simulate,
 * audit rows of every change, tenant scoping and role gates.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicyApiTest {

  static final String DENY_SHELL = """
      package aegis.tenant

      deny contains {"id": "tenant.no_shell", "reason": "no shell here", "severity": "high"} if {
        input.tool == "shell.exec"
      }

      escalate contains "tenant.review_http" if input.tool == "http.post"

      test_shell_denied if {
        count(deny) == 1 with input as {"tool": "shell.exec"}
      }

      test_wrong if {
        count(deny) == 1 with input as {"tool": "db.query"}
      }
      """;

  AttackNode n;
  final String r = UUID.randomUUID().toString().substring(0, 8);
  String tenantA;
  String adminA;
  String securityA;
  String viewerA;
  String auditorA;
  String tenantB;
  String adminB;
  String versionB;

  /** Captures Vert.x blocked-thread warnings: compiling and evaluating must stay off the event loops. */
  final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> blocked =
      new ch.qos.logback.core.read.ListAppender<>();

  @BeforeAll
  void start() throws Exception {
    ch.qos.logback.classic.Logger checker = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker");
    blocked.start();
    checker.addAppender(blocked);
    n = AttackNode.start("policyapi");
    tenantA = n.seedTenant("policy a " + r);
    n.seedUser(tenantA, "admin-a-" + r + "@policy.example", "ADMIN", "A");
    n.seedUser(tenantA, "sec-a-" + r + "@policy.example", "SECURITY", "S");
    n.seedUser(tenantA, "viewer-a-" + r + "@policy.example", "VIEWER", "V");
    n.seedUser(tenantA, "auditor-a-" + r + "@policy.example", "AUDITOR", "U");
    adminA = n.login("admin-a-" + r + "@policy.example", tenantA);
    securityA = n.login("sec-a-" + r + "@policy.example", tenantA);
    viewerA = n.login("viewer-a-" + r + "@policy.example", tenantA);
    auditorA = n.login("auditor-a-" + r + "@policy.example", tenantA);
    tenantB = n.seedTenant("policy b " + r);
    n.seedUser(tenantB, "admin-b-" + r + "@policy.example", "ADMIN", "B");
    adminB = n.login("admin-b-" + r + "@policy.example", tenantB);
    Http.Reply up = upload(adminB, new JsonObject().put("source", DENY_SHELL).put("description", "b's policy")
        .put("activate", true));
    assertThat(up.status()).as(up.raw()).isEqualTo(201);
    versionB = up.data().getString("id");
    // cold start (class loading, first connections, JIT) may exceed the limit once; requests may not
    blocked.list.clear();
  }

  @AfterAll
  void stop() throws Exception {
    assertThat(blocked.list).as("event loops blocked longer than the node's limit").isEmpty();
    if (n != null) {
      n.close();
    }
  }

  Http.Reply upload(String token, JsonObject body) {
    return n.http.post("/policy/upload", body, Http.bearer(token));
  }

  Http.Reply post(String token, String path, JsonObject body) {
    return n.http.post(path, body == null ? new JsonObject() : body, Http.bearer(token));
  }

  /** A fresh tenant with its own admin (tests that need a clean version history). */
  String freshAdmin() {
    String t = n.seedTenant("policy fresh " + UUID.randomUUID());
    String email = "fresh-" + UUID.randomUUID().toString().substring(0, 8) + "@policy.example";
    n.seedUser(t, email, "ADMIN", "F");
    return n.login(email, t);
  }

  static String policy(String marker) {
    return "package aegis.tenant\n\ndeny contains \"" + marker + "\" if input.tool == \"" + marker + "\"\n";
  }

  long auditRows(String tenant, String action) {
    return n.count("SELECT count(*) FROM audit.audit_logs WHERE tenant_id = ?::uuid AND action = ?", tenant, action);
  }

  static void assertError(Http.Reply x, int status, String key) {
    assertThat(x.status()).as(x.raw()).isEqualTo(status);
    assertThat(x.error()).as(x.raw()).isEqualTo(key);
  }

  // ---------------------------------------------------------------- upload, list, fetch

  /** Verifies upload → 201 draft version 1, 2, ..., the list, the fetch with modules, and the audit row. */
  @Test
  void should_upload_list_and_fetch_versions() {
    String admin = freshAdmin();
    String tenant = claimsTenant(admin);
    Http.Reply v1 = upload(admin, new JsonObject().put("modules", new JsonObject()
        .put("main.rego", DENY_SHELL).put("helpers.rego", "package aegis.tenant.helpers\n\nx := 1\n"))
        .put("description", "first").put("name", "baseline"));
    assertThat(v1.status()).as(v1.raw()).isEqualTo(201);
    JsonObject d1 = v1.data();
    assertThat(d1.getInteger("version")).isEqualTo(1);
    assertThat(d1.getString("status")).isEqualTo("draft");
    assertThat(d1.getBoolean("active")).isFalse();
    assertThat(d1.getString("sha256")).hasSize(64);
    assertThat(d1.getJsonArray("files").getList()).containsExactlyInAnyOrder("main.rego", "helpers.rego");
    assertThat(d1.getString("tenant_id")).isEqualTo(tenant);
    assertThat(auditRows(tenant, "policy_uploaded")).isEqualTo(1);
    assertThat(n.query("SELECT metadata_json::text AS m FROM audit.audit_logs WHERE tenant_id = ?::uuid"
        + " AND action = 'policy_uploaded'", tenant).get(0).get("m").toString()).contains(d1.getString("id"));

    Http.Reply v2 = upload(admin, new JsonObject().put("source", policy("two")));
    assertThat(v2.status()).as(v2.raw()).isEqualTo(201);
    assertThat(v2.data().getInteger("version")).isEqualTo(2);
    assertThat(v2.data().getJsonArray("files").getList()).containsExactly("policy.rego");

    Http.Reply list = n.http.get("/policy/versions", Http.bearer(admin));
    assertThat(list.status()).as(list.raw()).isEqualTo(200);
    assertThat(list.data().getLong("total")).isEqualTo(2);
    JsonArray items = list.data().getJsonArray("items");
    assertThat(items.getJsonObject(0).getInteger("version")).isEqualTo(2);
    assertThat(items.getJsonObject(0).containsKey("modules")).isFalse();
    assertThat(list.data().getString("active_version_id")).isNull();

    Http.Reply one = n.http.get("/policy/versions/" + d1.getString("id"), Http.bearer(admin));
    assertThat(one.status()).as(one.raw()).isEqualTo(200);
    assertThat(one.data().getJsonObject("modules").getString("main.rego")).isEqualTo(DENY_SHELL);
    assertThat(one.data().getString("description")).isEqualTo("first");
    assertThat(one.data().getString("name")).isEqualTo("baseline");
  }

  String claimsTenant(String token) {
    return n.http.get("/auth/me", Http.bearer(token)).data().getString("tenant_id");
  }

  /** Verifies a syntax error is 400 policy_invalid with code, file, line and column; nothing is stored. */
  @Test
  void should_refuse_invalid_rego_with_its_location() {
    String admin = freshAdmin();
    Http.Reply x = upload(admin, new JsonObject().put("modules", new JsonObject()
        .put("broken.rego", "package aegis.tenant\n\ndeny contains x if {\n  x := \n")));
    assertError(x, 400, "policy_invalid");
    JsonObject e = x.json().getJsonArray("errors").getJsonObject(0);
    assertThat(e.getString("code")).isEqualTo("rego_parse_error");
    assertThat(e.getString("file")).isEqualTo("broken.rego");
    assertThat(e.getInteger("line")).isGreaterThanOrEqualTo(3);
    assertThat(e.getInteger("column")).isPositive();
    assertThat(e.getString("message")).isNotBlank();
    Http.Reply type = upload(admin, new JsonObject().put("source",
        "package aegis.tenant\n\ndeny contains x if {\n  x := no_such_function(1)\n}\n"));
    assertError(type, 400, "policy_invalid");
    assertThat(type.json().getJsonArray("errors").getJsonObject(0).getString("code")).isEqualTo("rego_type_error");
    assertThat(n.http.get("/policy/versions", Http.bearer(admin)).data().getLong("total")).isZero();
  }

  /** Verifies modules outside aegis.tenant(.*) are refused with the package's location. */
  @Test
  void should_refuse_modules_outside_the_tenant_package() {
    Http.Reply x = upload(adminA, new JsonObject().put("modules", new JsonObject()
        .put("ok.rego", "package aegis.tenant\n").put("evil.rego", "package aegis.platform\n\ndeny contains \"x\"\n")));
    assertError(x, 400, "policy_invalid");
    JsonObject e = x.json().getJsonArray("errors").getJsonObject(0);
    assertThat(e.getString("code")).isEqualTo("package_not_allowed");
    assertThat(e.getString("file")).isEqualTo("evil.rego");
    assertThat(e.getInteger("line")).isEqualTo(1);
    assertThat(e.getInteger("column")).isEqualTo(9);
    assertError(upload(adminA, new JsonObject().put("source", "package system\n")), 400, "policy_invalid");
  }

  /** Verifies body validation and limits answer with stable keys. */
  @Test
  void should_validate_bodies_and_limits() {
    assertError(upload(adminA, new JsonObject()), 400, "validation_error");
    assertError(upload(adminA, new JsonObject().put("source", "package aegis.tenant").put("modules",
        new JsonObject().put("a.rego", "package aegis.tenant"))), 400, "validation_error");
    assertError(upload(adminA, new JsonObject().put("modules", new JsonObject().put("a.txt", "package aegis.tenant"))),
        400, "validation_error");
    assertError(upload(adminA, new JsonObject().put("source", "package aegis.tenant").put("activate", "yes")),
        400, "validation_error");
    JsonObject many = new JsonObject();
    for (int i = 0; i < 65; i++) {
      many.put("m" + i + ".rego", "package aegis.tenant");
    }
    assertError(upload(adminA, new JsonObject().put("modules", many)), 400, "too_many_modules");
    // the node's body limit is 64 KiB: larger policies are refused before parsing
    assertError(upload(adminA, new JsonObject().put("source", "package aegis.tenant\n" + "#".repeat(70_000))),
        413, "payload_too_large");
  }

  /** Verifies a large policy (hundreds of rules, ~45 KB) is accepted and compiled without blocking an event loop. */
  @Test
  void should_compile_large_policies_off_the_event_loop() {
    String admin = freshAdmin();
    StringBuilder src = new StringBuilder("package aegis.tenant\n\n");
    int rules = 0;
    while (src.length() < 45_000) {
      src.append("deny contains {\"id\": \"tenant.r").append(rules).append("\", \"reason\": \"tool ").append(rules)
          .append("\"} if {\n  input.tool == \"tool.").append(rules).append("\"\n  input.agent.risk_level != \"none\"\n}\n");
      rules++;
    }
    Http.Reply up = upload(admin, new JsonObject().put("source", src.toString()).put("activate", true));
    assertThat(up.status()).as(up.raw()).isEqualTo(201);
    Http.Reply e = post(admin, "/policy/evaluate", new JsonObject().put("input", new JsonObject()
        .put("tool", "tool." + (rules - 1)).put("agent", new JsonObject().put("risk_level", "low"))));
    assertThat(e.status()).as(e.raw()).isEqualTo(200);
    assertThat(e.data().getString("rule_id")).isEqualTo("tenant.r" + (rules - 1));
  }

  // ---------------------------------------------------------------- activation, rollback

  /** Verifies activate, the live revision (evaluate answers with it), rollback step by step, and audit rows. */
  @Test
  void should_activate_and_roll_back() {
    String admin = freshAdmin();
    String tenant = claimsTenant(admin);
    assertError(post(admin, "/policy/evaluate", new JsonObject().put("input", new JsonObject())), 404, "no_active_policy");
    String v1 = upload(admin, new JsonObject().put("source", policy("one"))).data().getString("id");
    String v2 = upload(admin, new JsonObject().put("source", policy("two"))).data().getString("id");
    assertError(post(admin, "/policy/rollback", null), 409, "nothing_to_roll_back");

    Http.Reply a1 = post(admin, "/policy/versions/" + v1 + "/activate", null);
    assertThat(a1.status()).as(a1.raw()).isEqualTo(200);
    assertThat(a1.data().getString("active_version_id")).isEqualTo(v1);
    assertThat(a1.data().getBoolean("changed")).isTrue();
    String rev1 = a1.data().getString("revision");
    assertThat(evaluate(admin, "one").getString("decision")).isEqualTo("DENY");
    assertThat(evaluate(admin, "one").getInteger("version")).isEqualTo(1);

    Http.Reply a2 = post(securityA.equals(admin) ? admin : admin, "/policy/versions/" + v2 + "/activate", null);
    assertThat(a2.status()).as(a2.raw()).isEqualTo(200);
    assertThat(Long.parseLong(a2.data().getString("revision"))).isGreaterThan(Long.parseLong(rev1));
    assertThat(a2.data().getString("previous_version_id")).isEqualTo(v1);
    JsonObject e2 = evaluate(admin, "two");
    assertThat(e2.getString("decision")).isEqualTo("DENY");
    assertThat(e2.getInteger("version")).isEqualTo(2);
    assertThat(evaluate(admin, "one").getString("decision")).isEqualTo("ALLOW");
    JsonObject listed = n.http.get("/policy/versions", Http.bearer(admin)).data();
    assertThat(listed.getString("active_version_id")).isEqualTo(v2);
    assertThat(listed.getJsonArray("items").getJsonObject(1).getString("status")).isEqualTo("archived");
    // activating the active version again changes nothing (no new revision, no audit row)
    Http.Reply again = post(admin, "/policy/versions/" + v2 + "/activate", null);
    assertThat(again.data().getBoolean("changed")).isFalse();
    assertThat(again.data().getString("revision")).isEqualTo(a2.data().getString("revision"));

    Http.Reply back = post(admin, "/policy/rollback", null);
    assertThat(back.status()).as(back.raw()).isEqualTo(200);
    assertThat(back.data().getString("active_version_id")).isEqualTo(v1);
    assertThat(evaluate(admin, "one").getInteger("version")).isEqualTo(1);
    assertError(post(admin, "/policy/rollback", null), 409, "nothing_to_roll_back");

    assertThat(auditRows(tenant, "policy_activated")).isEqualTo(2);
    assertThat(auditRows(tenant, "policy_rolled_back")).isEqualTo(1);
  }

  /** Verifies {@code activate: true} on upload makes the version live at once. */
  @Test
  void should_activate_on_upload_when_asked() {
    String admin = freshAdmin();
    Http.Reply up = upload(admin, new JsonObject().put("source", policy("now")).put("activate", true));
    assertThat(up.status()).as(up.raw()).isEqualTo(201);
    assertThat(up.data().getBoolean("active")).isTrue();
    assertThat(up.data().getString("status")).isEqualTo("active");
    assertThat(evaluate(admin, "now").getString("decision")).isEqualTo("DENY");
    assertThat(auditRows(claimsTenant(admin), "policy_activated")).isEqualTo(1);
  }

  JsonObject evaluate(String token, String tool) {
    Http.Reply x = post(token, "/policy/evaluate", new JsonObject().put("input", new JsonObject().put("tool", tool)
        .put("nonce", UUID.randomUUID().toString())));
    assertThat(x.status()).as(x.raw()).isEqualTo(200);
    return x.data();
  }

  // ---------------------------------------------------------------- evaluate, test, simulate

  /** Verifies evaluate on the active policy, a given version and a custom query, per the contract. */
  @Test
  void should_evaluate_the_tenant_contract() {
    String admin = freshAdmin();
    String id = upload(admin, new JsonObject().put("source", DENY_SHELL)).data().getString("id");
    Http.Reply byVersion = post(admin, "/policy/evaluate", new JsonObject().put("version_id", id)
        .put("input", new JsonObject().put("tool", "shell.exec")));
    assertThat(byVersion.status()).as(byVersion.raw()).isEqualTo(200);
    JsonObject d = byVersion.data();
    assertThat(d.getString("decision")).isEqualTo("DENY");
    assertThat(d.getString("rule_id")).isEqualTo("tenant.no_shell");
    assertThat(d.getJsonArray("deny").getJsonObject(0).getString("reason")).isEqualTo("no shell here");
    assertThat(d.getInteger("version")).isEqualTo(1);
    assertThat(d.getJsonObject("result").getJsonArray("deny")).hasSize(1);

    JsonObject esc = post(admin, "/policy/evaluate", new JsonObject().put("version_id", id)
        .put("input", new JsonObject().put("tool", "http.post"))).data();
    assertThat(esc.getString("decision")).isEqualTo("ESCALATE");
    assertThat(esc.getJsonArray("escalate").getList()).containsExactly("tenant.review_http");

    JsonObject q = post(admin, "/policy/evaluate", new JsonObject().put("version_id", id)
        .put("query", "data.aegis.tenant.escalate").put("input", new JsonObject().put("tool", "http.post"))).data();
    assertThat(q.getJsonArray("result").getList()).containsExactly("tenant.review_http");
    JsonObject rows = post(admin, "/policy/evaluate", new JsonObject().put("version_id", id)
        .put("query", "x := count(data.aegis.tenant.deny)").put("input", new JsonObject().put("tool", "shell.exec")))
        .data();
    assertThat(rows.getJsonArray("result").getJsonObject(0).getInteger("x")).isEqualTo(1);

    assertError(post(admin, "/policy/evaluate", new JsonObject().put("input", "x")), 400, "validation_error");
    assertError(post(admin, "/policy/evaluate", new JsonObject().put("version_id", UUID.randomUUID().toString())),
        404, "not_found");
  }

  /** Verifies /policy/test runs test_ rules of given modules, of a version and of the active policy. */
  @Test
  void should_run_policy_tests() {
    String admin = freshAdmin();
    Http.Reply t = post(admin, "/policy/test", new JsonObject().put("source", DENY_SHELL));
    assertThat(t.status()).as(t.raw()).isEqualTo(200);
    assertThat(t.data().getInteger("passed")).isEqualTo(1);
    assertThat(t.data().getInteger("failed")).isEqualTo(1);
    JsonArray results = t.data().getJsonArray("results");
    assertThat(results).hasSize(2);
    assertThat(results.stream().map(o -> ((JsonObject) o).getString("name") + "=" + ((JsonObject) o).getBoolean("passed")))
        .containsExactlyInAnyOrder("data.aegis.tenant.test_shell_denied=true", "data.aegis.tenant.test_wrong=false");
    assertError(post(admin, "/policy/test", null), 404, "no_active_policy");
    String id = upload(admin, new JsonObject().put("source", DENY_SHELL).put("activate", true)).data().getString("id");
    assertThat(post(admin, "/policy/test", null).data().getInteger("passed")).isEqualTo(1);
    assertThat(post(admin, "/policy/test", new JsonObject().put("version_id", id)).data().getInteger("total"))
        .isEqualTo(2);
    assertError(post(admin, "/policy/test", new JsonObject().put("source", "package aegis.tenant\n\ntest_x if {")),
        400, "policy_invalid");
  }

  /** Verifies simulate replays the tenant's audited decisions (and only the tenant's) against a candidate. */
  @Test
  void should_simulate_a_candidate_on_recent_decisions() {
    String t = n.seedTenant("policy sim " + r);
    String email = "sim-" + r + "@policy.example";
    n.seedUser(t, email, "ADMIN", "S");
    String admin = n.login(email, t);
    String[] agent = n.agent(admin, t, "sim-agent-" + r, "db.query", "crm.lookup");
    for (int i = 0; i < 3; i++) {
      Http.Reply x = n.http.post("/execute", new JsonObject().put("tool", "db.query")
          .put("payload", new JsonObject().put("query", "SELECT 1").put("nonce", UUID.randomUUID().toString())),
          AttackNode.headers(agent[1], "X-Agent-ID", agent[0]));
      assertThat(x.status()).as(x.raw()).isEqualTo(200);
    }
    Http.Reply crm = n.http.post("/execute", new JsonObject().put("tool", "crm.lookup")
        .put("payload", new JsonObject().put("nonce", UUID.randomUUID().toString())),
        AttackNode.headers(agent[1], "X-Agent-ID", agent[0]));
    assertThat(crm.status()).as(crm.raw()).isEqualTo(200);
    String candidate = """
        package aegis.tenant

        deny contains {"id": "tenant.no_db", "reason": "db off", "severity": "high"} if input.tool == "db.query"
        escalate contains "tenant.crm_review" if {
          input.tool == "crm.lookup"
          input.agent.risk_level == "low"
        }
        """;
    Http.Reply s = post(admin, "/policy/simulate", new JsonObject().put("source", candidate).put("limit", 100));
    assertThat(s.status()).as(s.raw()).isEqualTo(200);
    JsonObject d = s.data();
    assertThat(d.getInteger("total")).isEqualTo(4);
    assertThat(d.getInteger("would_deny")).isEqualTo(3);
    assertThat(d.getInteger("would_escalate")).isEqualTo(1);
    assertThat(d.getInteger("would_allow")).isZero();
    assertThat(d.getInteger("changed")).isEqualTo(4);
    JsonObject ex = d.getJsonArray("examples").getJsonObject(0);
    assertThat(ex.getString("before")).isEqualTo("allow");
    assertThat(List.of("deny", "escalate")).contains(ex.getString("after"));
    assertThat(ex.getString("request_id")).isNotBlank();
    assertThat(d.getJsonArray("examples").stream().map(o -> ((JsonObject) o).getString("rule_id")))
        .contains("tenant.no_db", "tenant.crm_review");
    // a harmless candidate changes nothing; limit 1 replays one row
    JsonObject none = post(admin, "/policy/simulate", new JsonObject().put("source", policy("nothing"))
        .put("limit", 1)).data();
    assertThat(none.getInteger("total")).isEqualTo(1);
    assertThat(none.getInteger("changed")).isZero();
    assertError(post(admin, "/policy/simulate", new JsonObject()), 400, "validation_error");
    assertError(post(admin, "/policy/simulate", new JsonObject().put("source", candidate).put("limit", 0)), 400,
        "validation_error");
    // another tenant's rows are not replayed
    JsonObject a = post(adminA, "/policy/simulate", new JsonObject().put("source", candidate)).data();
    assertThat(a.getInteger("total")).isZero();
  }

  // ---------------------------------------------------------------- shadow

  /** Verifies setting and clearing the shadow version, with audit rows. */
  @Test
  void should_set_and_clear_the_shadow_version() {
    String admin = freshAdmin();
    String tenant = claimsTenant(admin);
    String v1 = upload(admin, new JsonObject().put("source", policy("live")).put("activate", true)).data().getString("id");
    String v2 = upload(admin, new JsonObject().put("source", policy("candidate"))).data().getString("id");
    Http.Reply s = post(admin, "/policy/versions/" + v2 + "/shadow", null);
    assertThat(s.status()).as(s.raw()).isEqualTo(200);
    assertThat(s.data().getString("shadow_version_id")).isEqualTo(v2);
    assertThat(s.data().getString("active_version_id")).isEqualTo(v1);
    assertThat(n.http.get("/policy/versions", Http.bearer(admin)).data().getString("shadow_version_id")).isEqualTo(v2);
    assertThat(n.node.tenantPolicies().shadow(tenant).versionId()).isEqualTo(v2);
    assertThat(n.node.tenantPolicies().active(tenant).versionId()).isEqualTo(v1);
    assertThat(auditRows(tenant, "policy_shadow_set")).isEqualTo(1);
    Http.Reply c = n.http.delete("/policy/shadow", Http.bearer(admin));
    assertThat(c.status()).as(c.raw()).isEqualTo(200);
    assertThat(c.data().getString("shadow_version_id")).isNull();
    assertThat(n.node.tenantPolicies().shadow(tenant)).isNull();
    assertThat(auditRows(tenant, "policy_shadow_cleared")).isEqualTo(1);
    assertThat(n.http.delete("/policy/shadow", Http.bearer(admin)).data().getBoolean("changed")).isFalse();
  }

  // ---------------------------------------------------------------- isolation and roles

  /** Verifies another tenant's version is not found on every route that takes an id. */
  @Test
  void should_not_find_another_tenants_versions() {
    assertError(n.http.get("/policy/versions/" + versionB, Http.bearer(adminA)), 404, "not_found");
    assertError(post(adminA, "/policy/versions/" + versionB + "/activate", null), 404, "not_found");
    assertError(post(adminA, "/policy/versions/" + versionB + "/shadow", null), 404, "not_found");
    assertError(post(adminA, "/policy/evaluate", new JsonObject().put("version_id", versionB)), 404, "not_found");
    assertError(post(adminA, "/policy/test", new JsonObject().put("version_id", versionB)), 404, "not_found");
    assertError(post(adminA, "/policy/simulate", new JsonObject().put("version_id", versionB)), 404, "not_found");
    assertError(n.http.get("/policy/versions/" + UUID.randomUUID(), Http.bearer(adminA)), 404, "not_found");
    assertError(n.http.get("/policy/versions/not-a-uuid", Http.bearer(adminA)), 404, "not_found");
    assertThat(n.http.get("/policy/versions", Http.bearer(adminA)).raw()).doesNotContain(versionB);
    // B's policy is still active and untouched
    Http.Reply b = n.http.get("/policy/versions", Http.bearer(adminB));
    assertThat(b.data().getString("active_version_id")).isEqualTo(versionB);
  }

  /** Verifies the role gates: reads for every management role, changes for ADMIN and SECURITY only. */
  @Test
  void should_gate_by_role() {
    Http.Reply up = upload(securityA, new JsonObject().put("source", policy("sec")));
    assertThat(up.status()).as(up.raw()).isEqualTo(201);
    String id = up.data().getString("id");
    for (String token : new String[] {viewerA, auditorA}) {
      assertError(upload(token, new JsonObject().put("source", policy("x"))), 403, "insufficient_role");
      assertError(post(token, "/policy/versions/" + id + "/activate", null), 403, "insufficient_role");
      assertError(post(token, "/policy/rollback", null), 403, "insufficient_role");
      assertError(post(token, "/policy/evaluate", new JsonObject()), 403, "insufficient_role");
      assertError(post(token, "/policy/simulate", new JsonObject()), 403, "insufficient_role");
      assertError(n.http.delete("/policy/shadow", Http.bearer(token)), 403, "insufficient_role");
      assertThat(n.http.get("/policy/versions", Http.bearer(token)).status()).isEqualTo(200);
      assertThat(n.http.get("/policy/versions/" + id, Http.bearer(token)).status()).isEqualTo(200);
    }
    assertError(n.http.get("/policy/versions", Map.of()), 401, "missing_credentials");
  }
}
