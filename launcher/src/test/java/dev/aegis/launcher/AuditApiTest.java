package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The audit API over HTTP on a real node: {@code POST /audit/logs/search} (filters, JSONB
 * {@code metadata_filter}, limit validation), {@code GET /audit/logs/summary}, {@code
 * /audit/logs/{id}/receipt}, {@code /explain} and {@code /notes} (append-only), role gates and
 * tenant isolation. Every tenant here is fresh, so the counts are exact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditApiTest {

  AttackNode n;
  final String r = UUID.randomUUID().toString().substring(0, 8);
  String tenantA;
  String adminA;
  String adminASubject;
  String viewerA;
  String auditorA;
  String securityA;
  String[] agentA;
  String tenantB;
  String adminB;
  String[] agentB;
  String auditB;

  final List<String> allowIds = new ArrayList<>();
  final List<String> denyIds = new ArrayList<>();
  String denyRuleId;
  String refusedId;
  String httpGetId;

  @BeforeAll
  void start() throws Exception {
    n = AttackNode.start("auditapi");
    tenantA = n.seedTenant("audit-a-" + r);
    adminASubject = n.seedUser(tenantA, "admin-a-" + r + "@acme.example", "ADMIN", "Admin A");
    n.seedUser(tenantA, "viewer-a-" + r + "@acme.example", "VIEWER", "Viewer A");
    n.seedUser(tenantA, "auditor-a-" + r + "@acme.example", "AUDITOR", "Auditor A");
    n.seedUser(tenantA, "security-a-" + r + "@acme.example", "SECURITY", "Security A");
    adminA = n.login("admin-a-" + r + "@acme.example", tenantA);
    viewerA = n.login("viewer-a-" + r + "@acme.example", tenantA);
    auditorA = n.login("auditor-a-" + r + "@acme.example", tenantA);
    securityA = n.login("security-a-" + r + "@acme.example", tenantA);
    tenantB = n.seedTenant("audit-b-" + r);
    n.seedUser(tenantB, "admin-b-" + r + "@beta.example", "ADMIN", "Admin B");
    adminB = n.login("admin-b-" + r + "@beta.example", tenantB);

    agentA = n.agent(adminA, tenantA, "agent-a-" + r, "db.query", "http.get");
    for (int i = 0; i < 3; i++) {
      allowIds.add(exec(agentA, "db.query", new JsonObject().put("query", "SELECT " + i + " FROM orders"), 200));
    }
    for (int i = 0; i < 2; i++) {
      Http.Reply d = execReply(agentA, "db.query", new JsonObject().put("query", "DROP TABLE users"));
      assertThat(d.status()).as(d.raw()).isEqualTo(403);
      denyRuleId = d.json().getString("rule_id");
      denyIds.add(d.json().getString("audit_id"));
    }
    assertThat(denyRuleId).startsWith("hard_deny.sql");
    httpGetId = exec(agentA, "http.get", new JsonObject().put("url", "https://example.com/status"), 200);
    Http.Reply refused = execReply(agentA, "shell.exec", new JsonObject().put("command", "ls"));
    assertThat(refused.status()).as(refused.raw()).isEqualTo(403);
    refusedId = refused.json().getString("audit_id");

    agentB = n.agent(adminB, tenantB, "agent-b-" + r, "db.query");
    auditB = exec(agentB, "db.query", new JsonObject().put("query", "SELECT 'b-secret-" + r + "'"), 200);
    Http.Reply noteB = n.http.post("/audit/logs/" + auditB + "/notes", new JsonObject().put("note_type", "analysis")
        .put("body", "b-note-" + r), Http.bearer(adminB));
    assertThat(noteB.status()).as(noteB.raw()).isEqualTo(201);
  }

  @AfterAll
  void stop() throws Exception {
    if (n != null) {
      n.close();
    }
  }

  Http.Reply execReply(String[] agent, String tool, JsonObject payload) {
    // identical requests within 1 s are refused as replays: every payload carries a nonce
    return n.http.post("/execute", new JsonObject().put("tool", tool)
        .put("payload", payload.copy().put("nonce", UUID.randomUUID().toString())),
        AttackNode.headers(agent[1], "X-Agent-ID", agent[0]));
  }

  String exec(String[] agent, String tool, JsonObject payload, int status) {
    Http.Reply x = execReply(agent, tool, payload);
    assertThat(x.status()).as(x.raw()).isEqualTo(status);
    return status == 200 ? x.data().getString("audit_id") : x.json().getString("audit_id");
  }

  Http.Reply search(String token, JsonObject body) {
    return n.http.post("/audit/logs/search", body, Http.bearer(token));
  }

  static List<String> ids(Http.Reply x) {
    List<String> out = new ArrayList<>();
    x.data().getJsonArray("items").forEach(o -> out.add(((JsonObject) o).getString("id")));
    return out;
  }

  // ---------------------------------------------------------------- search

  /** Verifies search by decision, tool, agent and a JSONB metadata filter (containment). */
  @Test
  void should_search_by_filters_and_metadata() {
    Http.Reply deny = search(adminA, new JsonObject().put("decision", "deny").put("tool", "db.query"));
    assertThat(deny.status()).as(deny.raw()).isEqualTo(200);
    assertThat(ids(deny)).containsExactlyInAnyOrderElementsOf(denyIds);

    Http.Reply byRule = search(adminA, new JsonObject().put("metadata_filter", new JsonObject().put("rule_id", denyRuleId)));
    assertThat(byRule.status()).as(byRule.raw()).isEqualTo(200);
    assertThat(ids(byRule)).containsExactlyInAnyOrderElementsOf(denyIds);
    assertThat(byRule.data().getJsonArray("items").getJsonObject(0).getJsonObject("metadata_json")
        .getString("rule_id")).isEqualTo(denyRuleId);

    // containment of an array element
    Http.Reply byFinding = search(adminA, new JsonObject().put("metadata_filter",
        new JsonObject().put("findings", new JsonArray().add("policy_deny"))));
    assertThat(ids(byFinding)).containsAll(denyIds).doesNotContainAnyElementsOf(allowIds);

    Http.Reply allowDb = search(adminA, new JsonObject().put("tool", "db.query").put("decision", "allow")
        .put("agent_id", agentA[0]));
    assertThat(ids(allowDb)).containsExactlyInAnyOrderElementsOf(allowIds);

    Http.Reply http = search(adminA, new JsonObject().put("tool", "http.get"));
    assertThat(ids(http)).containsExactly(httpGetId);

    Http.Reply none = search(adminA, new JsonObject().put("metadata_filter", new JsonObject().put("rule_id", "no.such.rule")));
    assertThat(none.data().getJsonArray("items")).isEmpty();

    Http.Reply paged = search(auditorA, new JsonObject().put("tool", "db.query").put("limit", 2).put("offset", 1));
    assertThat(paged.status()).as(paged.raw()).isEqualTo(200);
    assertThat(paged.data().getJsonArray("items")).hasSize(2);
    assertThat(paged.data().getInteger("limit")).isEqualTo(2);

    Http.Reply window = search(adminA, new JsonObject().put("tool", "db.query").put("start_date", "2999-01-01"));
    assertThat(window.data().getJsonArray("items")).isEmpty();
  }

  /** Verifies the body validation: limit <= 100, integer types, object filter, dates, unknown fields. */
  @Test
  void should_validate_the_search_body() {
    for (JsonObject bad : List.of(new JsonObject().put("limit", 101), new JsonObject().put("limit", 0),
        new JsonObject().put("limit", "10"), new JsonObject().put("limit", 1.5), new JsonObject().put("offset", -1),
        new JsonObject().put("metadata_filter", "rule_id=x"), new JsonObject().put("metadata_filter", new JsonArray()),
        new JsonObject().put("decision", 5), new JsonObject().put("start_date", "yesterday"),
        new JsonObject().put("tool", "x".repeat(300)), new JsonObject().put("colour", "red"))) {
      Http.Reply x = search(adminA, bad);
      assertThat(x.status()).as(bad.encode() + ": " + x.raw()).isEqualTo(400);
      assertThat(x.error()).isEqualTo("validation_error");
    }
    Http.Reply max = search(adminA, new JsonObject().put("limit", 100));
    assertThat(max.status()).as(max.raw()).isEqualTo(200);
    Http.Reply bad = n.http.raw("POST", "/audit/logs/search", "{\"limit\": ", AttackNode.headers(adminA,
        "Content-Type", "application/json"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.error()).isEqualTo("invalid_json");
  }

  // ---------------------------------------------------------------- summary

  /** Verifies the summary counts equal the rows produced (and the database), and the window. */
  @Test
  void should_summarise_exactly_what_was_produced() {
    Http.Reply x = n.http.get("/audit/logs/summary", Http.bearer(auditorA));
    assertThat(x.status()).as(x.raw()).isEqualTo(200);
    JsonObject d = x.data();
    long total = n.count("SELECT count(*) FROM audit.audit_logs WHERE tenant_id = ?::uuid", tenantA);
    assertThat(d.getLong("total")).isEqualTo(total);
    JsonObject byAction = d.getJsonObject("by_action");
    assertThat(byAction.getLong("tool_execution")).isEqualTo(7L);
    assertThat(byAction.getMap().values().stream().mapToLong(v -> ((Number) v).longValue()).sum()).isEqualTo(total);
    JsonObject byDecision = d.getJsonObject("by_decision");
    assertThat(byDecision.getMap().values().stream().mapToLong(v -> ((Number) v).longValue()).sum()).isEqualTo(total);
    assertThat(byDecision.getLong("deny")).isEqualTo(n.count("SELECT count(*) FROM audit.audit_logs"
        + " WHERE tenant_id = ?::uuid AND decision = 'deny'", tenantA)).isGreaterThanOrEqualTo(3L);
    JsonArray byTool = d.getJsonArray("by_tool");
    assertThat(byTool.getJsonObject(0).encode()).isEqualTo(new JsonObject().put("tool", "db.query").put("count", 5).encode());
    assertThat(byTool.stream().map(o -> ((JsonObject) o).getString("tool")).toList())
        .containsExactlyInAnyOrder("db.query", "http.get", "shell.exec");
    assertThat(d.getString("first_timestamp")).isNotNull().isLessThanOrEqualTo(d.getString("last_timestamp"));
    assertThat(x.raw()).doesNotContain(agentB[0]).doesNotContain(tenantB);

    Http.Reply future = n.http.get("/audit/logs/summary?start_date=2999-01-01", Http.bearer(adminA));
    assertThat(future.status()).as(future.raw()).isEqualTo(200);
    assertThat(future.data().getLong("total")).isZero();
    assertThat(future.data().getString("first_timestamp")).isNull();
    Http.Reply past = n.http.get("/audit/logs/summary?start_date=2000-01-01&end_date=2999-01-01", Http.bearer(adminA));
    assertThat(past.data().getLong("total")).isGreaterThanOrEqualTo(total);
    Http.Reply badWindow = n.http.get("/audit/logs/summary?start_date=2999-01-01&end_date=2000-01-01", Http.bearer(adminA));
    assertThat(badWindow.status()).isEqualTo(400);
    assertThat(n.http.get("/audit/logs/summary?end_date=nope", Http.bearer(adminA)).error()).isEqualTo("validation_error");
  }

  // ---------------------------------------------------------------- receipt and explain

  /** Verifies the receipt route answers exactly like GET /receipts/{id}, and the signature verifies. */
  @Test
  void should_serve_the_same_receipt_as_the_receipts_route() {
    String id = denyIds.get(0);
    Http.Reply a = n.http.get("/audit/logs/" + id + "/receipt", Http.bearer(auditorA));
    assertThat(a.status()).as(a.raw()).isEqualTo(200);
    Http.Reply b = n.http.get("/receipts/" + id, Http.bearer(auditorA));
    JsonObject da = a.data();
    assertThat(da.getJsonObject("receipt").getString("execution_id")).isEqualTo(id);
    assertThat(da.getJsonObject("receipt").encode()).isEqualTo(b.data().getJsonObject("receipt").encode());
    assertThat(da.getString("signature")).isEqualTo(b.data().getString("signature"));
    assertThat(da.getString("public_key_fingerprint")).isEqualTo(b.data().getString("public_key_fingerprint"));
    assertThat(da.getJsonObject("inclusion")).isNotNull();
    Http.Reply v = n.http.post("/receipts/verify", da, Http.bearer(auditorA));
    assertThat(v.data().getBoolean("valid")).as(v.raw()).isTrue();
    assertThat(n.http.get("/audit/logs/" + UUID.randomUUID() + "/receipt", Http.bearer(adminA)).status()).isEqualTo(404);
    assertThat(n.http.get("/audit/logs/nope/receipt", Http.bearer(adminA)).error()).isEqualTo("not_found");
  }

  /** Verifies the explanation names the decision, stage, rule, findings, risk and chain position. */
  @Test
  void should_explain_a_decision() {
    Http.Reply x = n.http.get("/audit/logs/" + denyIds.get(0) + "/explain", Http.bearer(securityA));
    assertThat(x.status()).as(x.raw()).isEqualTo(200);
    JsonObject row = x.data().getJsonObject("row");
    JsonObject e = x.data().getJsonObject("explanation");
    assertThat(row.getString("id")).isEqualTo(denyIds.get(0));
    assertThat(e.getString("decision")).isEqualTo("deny");
    assertThat(e.getString("rule_id")).isEqualTo(denyRuleId);
    assertThat(e.getJsonArray("findings").getList()).contains("policy_deny");
    assertThat(e.getInteger("stage")).isNotNull();
    assertThat(e.getString("stage_name")).isNotBlank();
    assertThat(e.getJsonObject("chain").getLong("chain_index")).isEqualTo(row.getLong("chain_index"));
    assertThat(e.getJsonObject("chain").getLong("tree_size")).isGreaterThan(row.getLong("leaf_index"));
    assertThat(e.getString("summary")).contains("deny").contains(denyRuleId).contains("db.query")
        .contains("Chain position");
    Http.Reply allow = n.http.get("/audit/logs/" + allowIds.get(0) + "/explain", Http.bearer(adminA));
    assertThat(allow.data().getJsonObject("explanation").getString("summary")).contains("'allow'");
    assertThat(n.http.get("/audit/logs/" + auditB + "/explain", Http.bearer(adminA)).status()).isEqualTo(404);
  }

  // ---------------------------------------------------------------- notes

  /** Verifies notes: added (audited as audit_note_added), listed in order, validated, append-only. */
  @Test
  void should_append_and_list_notes() throws Exception {
    String id = refusedId;
    Http.Reply first = n.http.post("/audit/logs/" + id + "/notes", new JsonObject().put("note_type", "false_positive")
        .put("body", "expected: ls is harmless"), Http.bearer(auditorA));
    assertThat(first.status()).as(first.raw()).isEqualTo(201);
    assertThat(first.data().getString("note_type")).isEqualTo("false_positive");
    assertThat(first.data().getString("audit_id")).isEqualTo(id);
    assertThat(first.data().getString("author")).isNotBlank();
    Http.Reply second = n.http.post("/audit/logs/" + id + "/notes", new JsonObject().put("note_type", "escalated")
        .put("body", "x".repeat(4000)), Http.bearer(adminA));
    assertThat(second.status()).as(second.raw()).isEqualTo(201);
    assertThat(second.data().getString("author")).isEqualTo(adminASubject);

    Http.Reply list = n.http.get("/audit/logs/" + id + "/notes", Http.bearer(auditorA));
    assertThat(list.status()).as(list.raw()).isEqualTo(200);
    JsonArray items = list.data().getJsonArray("items");
    assertThat(items).hasSize(2);
    assertThat(items.getJsonObject(0).getString("id")).isEqualTo(first.data().getString("id"));
    assertThat(items.getJsonObject(1).getString("note_type")).isEqualTo("escalated");
    assertThat(n.http.get("/audit/logs/" + allowIds.get(1) + "/notes", Http.bearer(adminA)).data()
        .getJsonArray("items")).isEmpty();

    // each note is itself audited
    Http.Reply audited = search(adminA, new JsonObject().put("action", "audit_note_added")
        .put("metadata_filter", new JsonObject().put("audit_id", id)));
    assertThat(audited.data().getJsonArray("items")).hasSize(2);

    for (JsonObject bad : List.of(new JsonObject().put("note_type", "opinion").put("body", "x"),
        new JsonObject().put("note_type", "analysis"), new JsonObject().put("note_type", "analysis").put("body", "   "),
        new JsonObject().put("note_type", "analysis").put("body", "x".repeat(4001)),
        new JsonObject().put("note_type", 3).put("body", "x"))) {
      Http.Reply x = n.http.post("/audit/logs/" + id + "/notes", bad, Http.bearer(adminA));
      assertThat(x.status()).as(bad.encode()).isEqualTo(400);
      assertThat(x.error()).isEqualTo("validation_error");
    }
    assertThat(n.http.post("/audit/logs/" + UUID.randomUUID() + "/notes", new JsonObject().put("note_type", "analysis")
        .put("body", "x"), Http.bearer(adminA)).status()).isEqualTo(404);

    {
      Connection c = n.jdbc();
      assertThatThrownBy(() -> c.createStatement().executeUpdate("UPDATE audit.audit_notes SET body = 'rewritten'"))
          .hasMessageContaining("append-only")
          .satisfies(t -> assertThat(((java.sql.SQLException) t).getSQLState()).isEqualTo("P0001"));
      assertThatThrownBy(() -> c.createStatement().executeUpdate("DELETE FROM audit.audit_notes"))
          .hasMessageContaining("append-only");
    }
    assertThat(n.http.get("/audit/logs/" + id + "/notes", Http.bearer(adminA)).data().getJsonArray("items")).hasSize(2);
  }

  // ---------------------------------------------------------------- role gates and isolation

  /** Verifies VIEWER and agent credentials get 403 insufficient_role on every new route. */
  @Test
  void should_refuse_viewers_and_agents() {
    String id = allowIds.get(0);
    for (String token : new String[] {viewerA, agentA[1]}) {
      Map<String, String> h = AttackNode.headers(token, "X-Agent-ID", agentA[0]);
      List<Http.Reply> replies = List.of(
          n.send("POST", "/audit/logs/search", new JsonObject(), h),
          n.send("GET", "/audit/logs/summary", null, h),
          n.send("GET", "/audit/logs/" + id + "/receipt", null, h),
          n.send("GET", "/audit/logs/" + id + "/explain", null, h),
          n.send("GET", "/audit/logs/" + id + "/notes", null, h),
          n.send("POST", "/audit/logs/" + id + "/notes", new JsonObject().put("note_type", "analysis").put("body", "x"), h));
      for (Http.Reply x : replies) {
        assertThat(x.status()).as(x.raw()).isEqualTo(403);
        assertThat(x.error()).isEqualTo("insufficient_role");
      }
    }
    assertThat(n.http.get("/audit/logs/summary", Map.of()).status()).isEqualTo(401);
    assertThat(n.count("SELECT count(*) FROM audit.audit_notes WHERE audit_id = ?::uuid AND body = 'x'", id)).isZero();
  }

  /** Verifies tenant A never sees tenant B's rows, notes or counts, and cannot write on B's rows. */
  @Test
  void should_isolate_tenants() {
    long bNotes = n.count("SELECT count(*) FROM audit.audit_notes WHERE tenant_id = ?::uuid", tenantB);
    long bRows = n.count("SELECT count(*) FROM audit.audit_logs WHERE tenant_id = ?::uuid", tenantB);
    Map<String, String> a = Http.bearer(adminA);
    for (String path : new String[] {"/receipt", "/explain", "/notes"}) {
      Http.Reply x = n.http.get("/audit/logs/" + auditB + path, a);
      assertThat(x.status()).as(path + ": " + x.raw()).isEqualTo(404);
      assertThat(x.error()).isEqualTo("not_found");
      assertThat(x.raw()).doesNotContain("b-note-").doesNotContain(tenantB);
    }
    Http.Reply write = n.http.post("/audit/logs/" + auditB + "/notes", new JsonObject().put("note_type", "analysis")
        .put("body", "from a"), a);
    assertThat(write.status()).isEqualTo(404);
    Http.Reply s = search(adminA, new JsonObject().put("agent_id", agentB[0]));
    assertThat(s.data().getJsonArray("items")).isEmpty();
    Http.Reply s2 = search(adminA, new JsonObject().put("metadata_filter", new JsonObject().put("actor", agentB[0])));
    assertThat(s2.data().getJsonArray("items")).isEmpty();
    Http.Reply all = search(adminA, new JsonObject().put("limit", 100));
    assertThat(all.raw()).doesNotContain(auditB).doesNotContain(tenantB).doesNotContain(agentB[0]);
    // B's own view is intact and its counts are its own
    Http.Reply bSummary = n.http.get("/audit/logs/summary", Http.bearer(adminB));
    assertThat(bSummary.data().getLong("total")).isEqualTo(bRows);
    assertThat(bSummary.data().getJsonObject("by_action").getLong("tool_execution")).isEqualTo(1L);
    assertThat(n.http.get("/audit/logs/" + auditB + "/notes", Http.bearer(adminB)).data().getJsonArray("items"))
        .hasSize(1);
    assertThat(n.count("SELECT count(*) FROM audit.audit_notes WHERE tenant_id = ?::uuid", tenantB)).isEqualTo(bNotes);
    assertThat(n.count("SELECT count(*) FROM audit.audit_logs WHERE tenant_id = ?::uuid", tenantB)).isEqualTo(bRows);
    // a tenant header naming B with A's token is refused
    assertThat(n.http.get("/audit/logs/summary", Http.bearer(adminA, "X-Tenant-ID", tenantB)).status()).isEqualTo(403);
  }
}
