package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.storage.pg.ScratchDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A whole node in remote policy mode ({@code AEGIS_POLICY_MODE=remote}) against an in-test
 * server implementing OPA's Data API ({@code POST /v1/data/aegis/platform/decision}; there is no
 * OPA binary on this machine): OPA's deny becomes the gateway's DENY with OPA's rule id, and with
 * OPA down {@code /execute} fails closed with 503 {@code policy_unavailable}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemoteOpaGatewayApiTest {

  static final String PASSWORD = "correct horse battery staple";
  static final String OPA_TOKEN = "opa-" + UUID.randomUUID();
  static final String OPA_RULE = "hard_deny.remote.blocked_by_opa";

  ScratchDatabase db;
  AegisNode node;
  Http http;
  Vertx opaVertx;
  HttpServer opa;
  final List<JsonObject> opaInputs = new CopyOnWriteArrayList<>();
  final List<String> opaAuth = new CopyOnWriteArrayList<>();
  String admin;
  String agentId;
  String agentToken;

  @BeforeAll
  void start() throws Exception {
    opaVertx = Vertx.vertx();
    opa = opaVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(buf -> {
      if (!req.path().equals("/v1/data/aegis/platform/decision")) {
        req.response().setStatusCode(200).putHeader("content-type", "application/json").end("{}");
        return;
      }
      opaAuth.add(String.valueOf(req.getHeader("Authorization")));
      JsonObject input = new JsonObject(buf).getJsonObject("input");
      opaInputs.add(input);
      boolean block = input.getJsonObject("payload").getBoolean("opa_block", false);
      JsonObject result = new JsonObject().put("allow", !block).put("risk_adjustment", 0);
      if (block) {
        result.put("deny", new JsonArray().add(new JsonObject().put("id", OPA_RULE).put("severity", "critical")
            .put("reason", "Blocked by the remote OPA policy")));
      }
      req.response().putHeader("content-type", "application/json")
          .end(new JsonObject().put("result", result).put("decision_id", UUID.randomUUID().toString()).encode());
    })).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    db = ScratchDatabase.create(TestEnv.pgUrl(), "opa");
    int port = TestEnv.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("AEGIS_PG_URL", db.url());
    env.put("AEGIS_PORT", Integer.toString(port));
    env.put("AEGIS_ADMIN_PASSWORD", PASSWORD);
    env.put("AEGIS_INSTANCES", "1");
    env.put("AEGIS_POLICY_MODE", "remote");
    env.put("AEGIS_OPA_URL", "http://127.0.0.1:" + opa.actualPort());
    env.put("AEGIS_OPA_TOKEN", OPA_TOKEN);
    // generous for a cold JVM on a shared CI machine; the deadline itself is tested in verticles
    env.put("AEGIS_OPA_TIMEOUT_MS", "3000");
    node = AegisNode.start(AegisConfig.fromEnv(env));
    http = new Http(port);

    Http.Reply login = http.post("/auth/token", new JsonObject().put("email", AegisNode.ADMIN_EMAIL)
        .put("password", PASSWORD), Map.of("X-Tenant-ID", AegisNode.DEMO_TENANT));
    assertThat(login.status()).as(login.raw()).isEqualTo(200);
    admin = login.data().getString("access_token");
    Http.Reply a = http.post("/agents", new JsonObject().put("name", "opa-agent").put("risk_level", "low"),
        Http.bearer(admin));
    assertThat(a.status()).as(a.raw()).isEqualTo(201);
    agentId = a.data().getString("id");
    assertThat(http.post("/agents/" + agentId + "/permissions", new JsonObject().put("tool_name", "crm.lookup")
        .put("action", "ALLOW"), Http.bearer(admin)).status()).isEqualTo(201);
    Http.Reply cred = http.post("/auth/credentials", new JsonObject().put("agent_id", agentId), Http.bearer(admin));
    assertThat(cred.status()).as(cred.raw()).isEqualTo(201);
    Http.Reply tok = http.post("/auth/agent/token", new JsonObject().put("agent_id", agentId)
        .put("secret", cred.data().getString("secret")), Map.of("X-Tenant-ID", AegisNode.DEMO_TENANT));
    assertThat(tok.status()).as(tok.raw()).isEqualTo(200);
    agentToken = tok.data().getString("access_token");
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (db != null) {
      db.close();
    }
    opaVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  Http.Reply execute(JsonObject payload) {
    Map<String, String> h = new HashMap<>(Http.bearer(agentToken));
    h.put("X-Agent-ID", agentId);
    return http.post("/execute", new JsonObject().put("tool", "crm.lookup")
        .put("payload", payload.put("nonce", UUID.randomUUID().toString())), h);
  }

  /** Verifies the gateway asks OPA with the input document and the bearer token, and allows what OPA allows. */
  @Test
  @Order(1)
  void should_ask_opa_and_allow_what_it_allows() {
    Http.Reply r = execute(new JsonObject().put("ticket", 7));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    assertThat(opaInputs).isNotEmpty();
    JsonObject in = opaInputs.get(opaInputs.size() - 1);
    assertThat(in.getString("tenant_id")).isEqualTo(AegisNode.DEMO_TENANT);
    assertThat(in.getString("agent_id")).isEqualTo(agentId);
    assertThat(in.getString("tool")).isEqualTo("crm.lookup");
    assertThat(in.getJsonObject("payload").getInteger("ticket")).isEqualTo(7);
    assertThat(opaAuth).contains("Bearer " + OPA_TOKEN);
  }

  /** Verifies OPA's deny (an action the local platform rules would allow) is the gateway's DENY with OPA's rule id. */
  @Test
  @Order(2)
  void should_deny_what_opa_denies_with_its_rule_id() {
    Http.Reply r = execute(new JsonObject().put("ticket", 8).put("opa_block", true));
    assertThat(r.status()).as(r.raw()).isEqualTo(403);
    assertThat(r.error()).isEqualTo("policy_denied");
    assertThat(r.json().getString("decision")).isEqualTo("deny");
    assertThat(r.json().getString("rule_id")).isEqualTo(OPA_RULE);
    assertThat(r.json().getString("audit_id")).isNotBlank();
  }

  /** Verifies fail-closed: with OPA down, /execute answers 503 policy_unavailable and nothing is allowed. */
  @Test
  @Order(3)
  void should_fail_closed_when_opa_is_down() throws Exception {
    opa.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Http.Reply r = execute(new JsonObject().put("ticket", 9));
    assertThat(r.status()).as(r.raw()).isEqualTo(503);
    assertThat(r.error()).isEqualTo("policy_unavailable");
    String metrics = http.get("/metrics", Map.of()).raw();
    assertThat(metrics).contains("aegis_opa_requests_total{outcome=\"unreachable\"}");
  }
}
