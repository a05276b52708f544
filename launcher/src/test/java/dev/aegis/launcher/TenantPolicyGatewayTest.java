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
 * Tenant policies enforced at stage 4 on a real node, through {@code /execute} (issue #5): an
 * activated tenant deny is a 403 with the {@code tenant.}-prefixed rule id and an audited DENY
 * carrying the policy revision; a tenant escalate is an approval answer; a rollback takes effect
 * on the next request (no stale cached decision); a shadow policy never blocks but is listed;
 * one tenant's policy never touches another's requests; the platform's hard denies stay.
 * Event loops must never be blocked longer than the node's limit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantPolicyGatewayTest {

  static final String DENY_PAYROLL = """
      package aegis.tenant

      deny contains {"id": "no_payroll", "reason": "payroll is off limits", "severity": "critical"} if {
        input.tool == "db.query"
        contains(input.payload.query, "payroll")
      }
      """;

  static final String ESCALATE_EXPORT = """
      package aegis.tenant

      escalate contains {"id": "export_review", "reason": "exports need a human", "severity": "medium"} if {
        input.tool == "db.query"
        contains(input.payload.query, "export")
      }
      """;

  AttackNode n;
  final String r = UUID.randomUUID().toString().substring(0, 8);

  final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> blocked =
      new ch.qos.logback.core.read.ListAppender<>();

  @BeforeAll
  void start() throws Exception {
    ch.qos.logback.classic.Logger checker = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker");
    blocked.start();
    checker.addAppender(blocked);
    n = AttackNode.start("tenantpolicygw");
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

  /** A fresh tenant: {tenantId, admin token, agent id, agent token}. */
  String[] tenant(String label) {
    String t = n.seedTenant("tpgw " + label + " " + r);
    String email = label + "-" + UUID.randomUUID().toString().substring(0, 8) + "@tpgw.example";
    n.seedUser(t, email, "ADMIN", "A");
    String admin = n.login(email, t);
    String[] agent = n.agent(admin, t, "tpgw-agent-" + label + "-" + r, "db.query", "shell.exec");
    return new String[] {t, admin, agent[0], agent[1]};
  }

  Http.Reply execute(String[] t, String tool, JsonObject payload) {
    return n.http.post("/execute", new JsonObject().put("tool", tool).put("payload", payload),
        AttackNode.headers(t[3], "X-Agent-ID", t[2]));
  }

  static JsonObject query(String sql) {
    return new JsonObject().put("query", sql).put("nonce", UUID.randomUUID().toString());
  }

  /** Uploads and activates; returns the activation's revision. */
  String activate(String admin, String source) {
    Http.Reply up = n.http.post("/policy/upload", new JsonObject().put("source", source), Http.bearer(admin));
    assertThat(up.status()).as(up.raw()).isEqualTo(201);
    Http.Reply a = n.http.post("/policy/versions/" + up.data().getString("id") + "/activate", new JsonObject(),
        Http.bearer(admin));
    assertThat(a.status()).as(a.raw()).isEqualTo(200);
    return a.data().getString("revision");
  }

  /** The audit row of a request (polled: the writer commits in batches). */
  Map<String, Object> auditRow(String requestId) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5_000;
    while (true) {
      List<Map<String, Object>> rows = n.query("SELECT decision, reason, metadata_json::text AS m"
          + " FROM audit.audit_logs WHERE request_id = ?", requestId);
      if (!rows.isEmpty() || System.currentTimeMillis() > deadline) {
        assertThat(rows).as("audit row of " + requestId).hasSize(1);
        return rows.get(0);
      }
      Thread.sleep(50);
    }
  }

  /** The local engine's decision cache hits, from the node's Prometheus metrics. */
  double cacheHits() {
    String metrics = n.http.get("/metrics", Map.of()).raw();
    for (String line : metrics.split("\n")) {
      if (line.startsWith("aegis_policy_cache_hits_total{") && line.contains("engine=\"local\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no aegis_policy_cache_hits_total{engine=\"local\"} in /metrics");
  }

  // ---------------------------------------------------------------- deny

  /** Verifies an activated tenant deny: 403 with tenant.no_payroll, audited DENY with the revision. */
  @Test
  void should_deny_with_the_tenant_rule_and_audit_it() throws Exception {
    String[] t = tenant("deny");
    String revision = activate(t[1], DENY_PAYROLL);

    Http.Reply x = execute(t, "db.query", query("SELECT salary FROM payroll"));
    assertThat(x.status()).as(x.raw()).isEqualTo(403);
    assertThat(x.error()).as(x.raw()).isEqualTo("policy_denied");
    assertThat(x.json().getString("rule_id")).isEqualTo("tenant.no_payroll");
    assertThat(x.json().getString("policy_id")).isEqualTo("tenant.no_payroll");
    assertThat(x.json().getString("decision")).isEqualToIgnoringCase("deny");
    assertThat(x.json().getString("detail")).contains("tenant.no_payroll").contains("payroll is off limits");
    String requestId = x.json().getString("request_id");
    assertThat(requestId).isNotBlank();

    Map<String, Object> row = auditRow(requestId);
    assertThat(row.get("decision").toString()).isEqualToIgnoringCase("deny");
    JsonObject meta = new JsonObject(row.get("m").toString());
    assertThat(meta.getString("rule_id")).isEqualTo("tenant.no_payroll");
    assertThat(meta.getString("policy_version")).startsWith("platform-").endsWith("+t" + revision);
    assertThat(meta.getInteger("status")).isEqualTo(403);

    Http.Reply ok = execute(t, "db.query", query("SELECT name FROM customers"));
    assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
    assertThat(ok.json().toString()).doesNotContain("tenant.no_payroll");
  }

  /**
   * Verifies a runaway tenant policy (millions of solutions) fails closed with 503
   * policy_unavailable within the request's time budget, without blocking an event loop (the
   * class-level check), and that other tenants are unaffected.
   */
  @Test
  void should_fail_closed_quickly_on_a_runaway_tenant_policy() throws Exception {
    String[] t = tenant("runaway");
    activate(t[1], """
        package aegis.tenant

        deny contains "too_many" if {
          pairs := [[x, y] | some x in numbers.range(1, 100000); some y in numbers.range(1, 100000)]
          count(pairs) > 0
        }
        """);
    long t0 = System.nanoTime();
    Http.Reply x = execute(t, "db.query", query("SELECT 1"));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(x.status()).as(x.raw()).isEqualTo(503);
    assertThat(x.error()).isEqualTo("policy_unavailable");
    assertThat(ms).as("answered within the policy time budget plus overhead").isLessThan(1_000);
    String[] other = tenant("bystander");
    assertThat(execute(other, "db.query", query("SELECT 1")).status()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- escalate

  /** Verifies a tenant escalate rule answers with the approval status and its rule id. */
  @Test
  void should_escalate_on_a_tenant_escalate_rule() throws Exception {
    String[] t = tenant("esc");
    activate(t[1], ESCALATE_EXPORT);
    Http.Reply x = execute(t, "db.query", query("SELECT export FROM orders"));
    assertThat(x.status()).as(x.raw()).isEqualTo(403);
    assertThat(x.error()).as(x.raw()).isEqualTo("approval_required");
    assertThat(x.json().getString("action")).isEqualTo("ESCALATE");
    assertThat(x.json().getString("rule_id")).isEqualTo("tenant.export_review");
    Map<String, Object> row = auditRow(x.json().getString("request_id"));
    assertThat(row.get("decision").toString()).isEqualToIgnoringCase("escalate");
    assertThat(new JsonObject(row.get("m").toString()).getString("rule_id")).isEqualTo("tenant.export_review");
    assertThat(execute(t, "db.query", query("SELECT 1")).status()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- rollback

  /** Verifies a rollback lifts the deny on the very next identical request (no stale cache entry). */
  @Test
  void should_stop_denying_right_after_a_rollback() throws Exception {
    String[] t = tenant("rollback");
    activate(t[1], "package aegis.tenant\n\ndeny contains \"never\" if input.tool == \"never\"\n");
    activate(t[1], DENY_PAYROLL);
    // the same action each time (same payload, so the same cache key); spaced past the 1 s replay window
    JsonObject same = query("SELECT * FROM payroll WHERE id = 7");
    Http.Reply first = execute(t, "db.query", same);
    assertThat(first.status()).as(first.raw()).isEqualTo(403);
    Thread.sleep(1_100);
    double hits = cacheHits();
    Http.Reply cached = execute(t, "db.query", same);
    assertThat(cached.status()).as(cached.raw()).isEqualTo(403);
    assertThat(cached.json().getString("rule_id")).isEqualTo("tenant.no_payroll");
    assertThat(cacheHits()).as("the identical action was served from the decision cache").isGreaterThan(hits);

    Http.Reply back = n.http.post("/policy/rollback", new JsonObject(), Http.bearer(t[1]));
    assertThat(back.status()).as(back.raw()).isEqualTo(200);
    String revision = back.data().getString("revision");
    Thread.sleep(1_100);
    Http.Reply after = execute(t, "db.query", same);
    assertThat(after.status()).as(after.raw()).isEqualTo(200);
    Map<String, Object> row = auditRow(after.data().getString("request_id"));
    JsonObject meta = new JsonObject(row.get("m").toString());
    assertThat(meta.getString("rule_id")).isNull();
    if (revision != null) {
      assertThat(meta.getString("policy_version")).endsWith("+t" + revision);
    }
  }

  // ---------------------------------------------------------------- shadow

  /** Verifies a shadow policy that would deny lets the request through and lists the divergence. */
  @Test
  void should_allow_and_list_what_a_shadow_would_deny() throws Exception {
    String[] t = tenant("shadow");
    activate(t[1], "package aegis.tenant\n\ndeny contains \"never\" if input.tool == \"never\"\n");
    Http.Reply up = n.http.post("/policy/upload", new JsonObject().put("source", DENY_PAYROLL), Http.bearer(t[1]));
    assertThat(up.status()).as(up.raw()).isEqualTo(201);
    String shadowId = up.data().getString("id");
    Http.Reply sh = n.http.post("/policy/versions/" + shadowId + "/shadow", new JsonObject(), Http.bearer(t[1]));
    assertThat(sh.status()).as(sh.raw()).isEqualTo(200);

    Http.Reply x = execute(t, "db.query", query("SELECT salary FROM payroll"));
    assertThat(x.status()).as("a shadow is never enforced: " + x.raw()).isEqualTo(200);
    String requestId = x.data().getString("request_id");
    assertThat(requestId).isNotBlank();

    JsonObject found = null;
    long deadline = System.currentTimeMillis() + 2_000;
    while (found == null && System.currentTimeMillis() < deadline) {
      Http.Reply list = n.http.get("/policy/shadow/decisions", Http.bearer(t[1]));
      assertThat(list.status()).as(list.raw()).isEqualTo(200);
      for (Object o : list.data().getJsonArray("decisions")) {
        if (requestId.equals(((JsonObject) o).getString("request_id"))) {
          found = (JsonObject) o;
        }
      }
      if (found == null) {
        Thread.sleep(100);
      }
    }
    assertThat(found).as("shadow decision of " + requestId + " listed within 2 s").isNotNull();
    assertThat(found.getString("live_decision")).isEqualTo("ALLOW");
    assertThat(found.getString("shadow_decision")).isEqualTo("DENY");
    assertThat(found.getString("rule_id")).isEqualTo("tenant.no_payroll");
    assertThat(found.getString("shadow_version_id")).isEqualTo(shadowId);
    assertThat(found.getString("tool")).isEqualTo("db.query");
    // an action the shadow agrees with is not listed
    Http.Reply agreed = execute(t, "db.query", query("SELECT 1"));
    assertThat(agreed.status()).isEqualTo(200);
    Thread.sleep(500);
    String agreedId = agreed.data().getString("request_id");
    JsonArray all = n.http.get("/policy/shadow/decisions", Http.bearer(t[1])).data().getJsonArray("decisions");
    assertThat(all.stream().map(o -> ((JsonObject) o).getString("request_id"))).doesNotContain(agreedId);
  }

  // ---------------------------------------------------------------- isolation

  /** Verifies tenant B's deny never affects tenant A's identical requests. */
  @Test
  void should_keep_one_tenants_policy_to_itself() throws Exception {
    String[] a = tenant("iso-a");
    String[] b = tenant("iso-b");
    activate(b[1], DENY_PAYROLL);
    Http.Reply denied = execute(b, "db.query", query("SELECT salary FROM payroll"));
    assertThat(denied.status()).as(denied.raw()).isEqualTo(403);
    assertThat(denied.json().getString("rule_id")).isEqualTo("tenant.no_payroll");
    Http.Reply allowed = execute(a, "db.query", query("SELECT salary FROM payroll"));
    assertThat(allowed.status()).as(allowed.raw()).isEqualTo(200);
    Map<String, Object> row = auditRow(allowed.data().getString("request_id"));
    JsonObject meta = new JsonObject(row.get("m").toString());
    assertThat(meta.getString("rule_id")).isNull();
    assertThat(meta.getString("policy_version")).doesNotContain("+t");
  }

  // ---------------------------------------------------------------- platform

  /** Verifies the platform hard deny stays, with an empty tenant policy active. */
  @Test
  void should_keep_the_platform_hard_deny_under_an_empty_tenant_policy() throws Exception {
    String[] t = tenant("platform");
    activate(t[1], "package aegis.tenant\n");
    Http.Reply x = execute(t, "shell.exec", new JsonObject().put("command", "rm -rf /")
        .put("nonce", UUID.randomUUID().toString()));
    assertThat(x.status()).as(x.raw()).isEqualTo(403);
    assertThat(x.error()).isEqualTo("policy_denied");
    assertThat(x.json().getString("rule_id")).isEqualTo("hard_deny.shell.rm_root");
    Map<String, Object> row = auditRow(x.json().getString("request_id"));
    assertThat(row.get("decision").toString()).isEqualToIgnoringCase("deny");
    assertThat(new JsonObject(row.get("m").toString()).getString("rule_id")).isEqualTo("hard_deny.shell.rm_root");
  }
}
