package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.ports.ShadowRecorder;
import dev.aegis.pipeline.ports.ShadowRecorder.ShadowDecision;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Shadow-mode decisions on a real node (issue #5 item 5, SPEC §3.4): decisions handed to the
 * node's {@link AegisNode#shadowRecorder()} (what stage 4 calls) reach {@code policy.shadow_decisions}
 * in batches, the would-have-blocked ones are published on the event bus, and
 * {@code GET /policy/shadow/decisions} and {@code /policy/shadow/summary} show each tenant its
 * own rows only, for every management role.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShadowDecisionApiTest {

  AttackNode n;
  final String r = UUID.randomUUID().toString().substring(0, 8);
  String tenantA;
  String adminA;
  String viewerA;
  String tenantB;
  String adminB;
  String shadowA;
  final List<JsonObject> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  void start() throws Exception {
    n = AttackNode.start("shadowapi");
    tenantA = n.seedTenant("shadow a " + r);
    n.seedUser(tenantA, "admin-a-" + r + "@shadow.example", "ADMIN", "A");
    n.seedUser(tenantA, "viewer-a-" + r + "@shadow.example", "VIEWER", "V");
    adminA = n.login("admin-a-" + r + "@shadow.example", tenantA);
    viewerA = n.login("viewer-a-" + r + "@shadow.example", tenantA);
    tenantB = n.seedTenant("shadow b " + r);
    n.seedUser(tenantB, "admin-b-" + r + "@shadow.example", "ADMIN", "B");
    adminB = n.login("admin-b-" + r + "@shadow.example", tenantB);

    // A: v1 live, v2 in shadow
    assertThat(upload(adminA, "live", true).status()).isEqualTo(201);
    Http.Reply v2 = upload(adminA, "candidate", false);
    assertThat(v2.status()).as(v2.raw()).isEqualTo(201);
    shadowA = v2.data().getString("id");
    Http.Reply sh = n.http.post("/policy/versions/" + shadowA + "/shadow", new JsonObject(), Http.bearer(adminA));
    assertThat(sh.status()).as(sh.raw()).isEqualTo(200);
    n.node.vertx().eventBus().<JsonObject>consumer("aegis.policy.would_have_blocked", m -> events.add(m.body()))
        .completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() throws Exception {
    if (n != null) {
      n.close();
    }
  }

  Http.Reply upload(String token, String marker, boolean activate) {
    return n.http.post("/policy/upload", new JsonObject().put("activate", activate).put("source",
        "package aegis.tenant\n\ndeny contains \"" + marker + "\" if input.tool == \"" + marker + "\"\n"),
        Http.bearer(token));
  }

  /** Records on an event loop, as stage 4 does. */
  void record(List<ShadowDecision> ds) throws Exception {
    ShadowRecorder rec = n.node.shadowRecorder();
    Promise<Void> p = Promise.promise();
    n.node.vertx().runOnContext(v -> {
      ds.forEach(rec::record);
      p.complete();
    });
    p.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static ShadowDecision d(String tenant, String version, int v, String live, String shadow, String rule, String request) {
    return new ShadowDecision(tenant, request, "agent-" + tenant.substring(0, 4), "shell.exec", version, v, live,
        shadow, rule, rule == null ? null : "reason of " + rule, Instant.now());
  }

  long rows(String tenant) {
    return n.count("SELECT count(*) FROM policy.shadow_decisions WHERE tenant_id = ?::uuid", tenant);
  }

  void waitForRows(String tenant, long expected) throws InterruptedException {
    long end = System.currentTimeMillis() + 10_000;
    while (rows(tenant) < expected) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError("shadow rows of " + tenant + " not written: " + rows(tenant) + " < " + expected);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void should_record_page_and_summarise_the_tenants_own_decisions() throws Exception {
    String other = UUID.randomUUID().toString(); // an earlier shadow version of A
    List<ShadowDecision> a = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      a.add(d(tenantA, shadowA, 2, "ALLOW", "DENY", "candidate", "req-a-deny-" + i));
    }
    a.add(d(tenantA, shadowA, 2, "ALLOW", "ESCALATE", "review", "req-a-esc"));
    a.add(d(tenantA, shadowA, 2, "DENY", "ALLOW", null, "req-a-lenient"));
    a.add(d(tenantA, other, 1, "ALLOW", "DENY", "old", "req-a-old"));
    long before = rows(tenantA);
    record(a);
    record(List.of(d(tenantB, UUID.randomUUID().toString(), 1, "ALLOW", "DENY", "canary-b-rule-" + r,
        "canary-b-request-" + r)));
    waitForRows(tenantA, before + 6);
    waitForRows(tenantB, 1);

    // pages of 4, newest first, through next_before; a viewer may read
    List<JsonObject> all = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Http.Reply x = n.http.get("/policy/shadow/decisions?limit=4" + (cursor == null ? "" : "&before=" + cursor),
          Http.bearer(viewerA));
      assertThat(x.status()).as(x.raw()).isEqualTo(200);
      assertThat(x.raw()).doesNotContain("canary-b");
      JsonArray ds = x.data().getJsonArray("decisions");
      ds.forEach(o -> all.add((JsonObject) o));
      cursor = x.data().getString("next_before");
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(all).extracting(o -> o.getString("request_id")).contains("req-a-deny-0", "req-a-esc",
        "req-a-lenient", "req-a-old");
    assertThat(all).hasSize((int) (before + 6));
    JsonObject esc = all.stream().filter(o -> "req-a-esc".equals(o.getString("request_id"))).findFirst().orElseThrow();
    assertThat(esc.getString("shadow_version_id")).isEqualTo(shadowA);
    assertThat(esc.getInteger("shadow_version")).isEqualTo(2);
    assertThat(esc.getString("live_decision")).isEqualTo("ALLOW");
    assertThat(esc.getString("shadow_decision")).isEqualTo("ESCALATE");
    assertThat(esc.getBoolean("would_have_blocked")).isTrue();
    assertThat(esc.getString("rule_id")).isEqualTo("review");
    assertThat(esc.getString("reason")).isEqualTo("reason of review");
    assertThat(all.stream().filter(o -> "req-a-lenient".equals(o.getString("request_id"))).findFirst().orElseThrow()
        .getBoolean("would_have_blocked")).isFalse();

    Http.Reply s = n.http.get("/policy/shadow/summary", Http.bearer(viewerA));
    assertThat(s.status()).as(s.raw()).isEqualTo(200);
    assertThat(s.data().getInteger("shadow_version")).isEqualTo(2);
    assertThat(s.data().getString("shadow_version_id")).isEqualTo(shadowA);
    assertThat(s.data().getLong("would_have_blocked")).isEqualTo(4);
    assertThat(s.data().getLong("divergent")).isEqualTo(5);
    assertThat(s.data().getJsonObject("by_rule").getMap()).containsOnlyKeys("candidate", "review");
    assertThat(s.data().getJsonObject("by_rule").getLong("candidate")).isEqualTo(3);

    // B sees its own row only, and has no shadow version
    Http.Reply b = n.http.get("/policy/shadow/decisions", Http.bearer(adminB));
    assertThat(b.status()).as(b.raw()).isEqualTo(200);
    assertThat(b.data().getJsonArray("decisions")).hasSize(1);
    assertThat(b.data().getJsonArray("decisions").getJsonObject(0).getString("request_id"))
        .isEqualTo("canary-b-request-" + r);
    assertThat(b.data().getString("next_before")).isNull();
    Http.Reply bs = n.http.get("/policy/shadow/summary", Http.bearer(adminB));
    assertThat(bs.status()).as(bs.raw()).isEqualTo(200);
    assertThat(bs.data().getValue("shadow_version")).isNull();
    assertThat(bs.data().getLong("would_have_blocked")).isZero();

    // B's row id as A's cursor gives A nothing
    String bId = b.data().getJsonArray("decisions").getJsonObject(0).getString("id");
    Http.Reply ab = n.http.get("/policy/shadow/decisions?before=" + bId, Http.bearer(adminA));
    assertThat(ab.status()).as(ab.raw()).isEqualTo(200);
    assertThat(ab.data().getJsonArray("decisions")).isEmpty();

    // the would-have-blocked ones were published (A: 5 of 6; B: 1)
    long end = System.currentTimeMillis() + 5_000;
    while (events.stream().filter(e -> tenantA.equals(e.getString("tenant_id"))).count() < 5
        && System.currentTimeMillis() < end) {
      Thread.sleep(20);
    }
    assertThat(events.stream().filter(e -> tenantA.equals(e.getString("tenant_id")))
        .map(e -> e.getString("request_id"))).containsExactlyInAnyOrder("req-a-deny-0", "req-a-deny-1",
        "req-a-deny-2", "req-a-esc", "req-a-old");
    assertThat(n.node.shadowWriter().dropped()).isZero();
    assertThat(n.node.shadowWriter().failed()).isZero();
  }

  @Test
  void should_refuse_bad_paging_parameters() {
    for (String q : new String[] {"?before=abc", "?before=-3", "?limit=0", "?limit=1001", "?limit=x"}) {
      Http.Reply x = n.http.get("/policy/shadow/decisions" + q, Http.bearer(adminA));
      assertThat(x.status()).as(q + " " + x.raw()).isEqualTo(400);
      assertThat(x.error()).as(x.raw()).isEqualTo("validation_error");
    }
  }

  @Test
  void should_require_a_management_credential() {
    for (String path : new String[] {"/policy/shadow/decisions", "/policy/shadow/summary"}) {
      Http.Reply x = n.http.get(path, java.util.Map.of());
      assertThat(x.status()).as(x.raw()).isEqualTo(401);
    }
  }
}
