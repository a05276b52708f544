package dev.aegis.verticles.opa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.ports.PolicyResult;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The remote OPA mode against {@link OpaDataApiStub} (no OPA binary exists on this machine). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteOpaPolicyEngineTest {

  Vertx vertx;
  OpaDataApiStub opa;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    opa = OpaDataApiStub.start(vertx);
  }

  @AfterAll
  void stop() throws Exception {
    opa.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void reset() {
    opa.mode = OpaDataApiStub.Mode.NORMAL;
    opa.requiredToken = null;
    opa.decisions.clear();
    opa.decisions.put("aegis/platform/decision", OpaDataApiStub::platformDecision);
    opa.received.clear();
    opa.calls.set(0);
  }

  /** (tests that expect an answer allow 5 s: the first call of a cold JVM loads Netty and Jackson) */
  RemoteOpaPolicyEngine engine(int timeoutMs, long cacheTtlMs, String token) {
    return new RemoteOpaPolicyEngine(vertx, new RemoteOpaConfig(opa.url(), null, timeoutMs, token, cacheTtlMs, 100),
        tenant -> "rev-" + tenant, null);
  }

  static PolicyInput input(String tool, JsonObject payload) {
    return new PolicyInput("tenant-1", "agent-1", "billing-bot", "high", tool, payload, payload.encode(),
        "req-" + UUID.randomUUID(), List.of("pii_card_number"));
  }

  static PolicyResult await(Future<PolicyResult> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static Throwable failure(Future<PolicyResult> f) throws Exception {
    try {
      f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the evaluation to fail closed");
  }

  @Test
  void should_post_the_input_document_and_read_an_allow() throws Exception {
    PolicyResult r = await(engine(5000, 0, null).evaluate(input("crm.lookup", new JsonObject().put("id", 7))));
    assertThat(r.allowed()).isTrue();
    assertThat(r.hardDeny()).isFalse();
    assertThat(r.escalate()).isFalse();
    assertThat(r.policyVersion()).isEqualTo("opa:rev-tenant-1");
    OpaDataApiStub.Received got = opa.received.get(0);
    assertThat(got.path()).isEqualTo("aegis/platform/decision");
    assertThat(got.headers().get("content-type")).isEqualTo("application/json");
    assertThat(got.headers()).doesNotContainKey("authorization");
    JsonObject in = got.body().getJsonObject("input");
    assertThat(in.getString("tenant_id")).isEqualTo("tenant-1");
    assertThat(in.getString("agent_id")).isEqualTo("agent-1");
    assertThat(in.getJsonObject("agent").getString("risk_level")).isEqualTo("high");
    assertThat(in.getJsonObject("agent").getString("name")).isEqualTo("billing-bot");
    assertThat(in.getString("tool")).isEqualTo("crm.lookup");
    assertThat(in.getJsonObject("payload").getInteger("id")).isEqualTo(7);
    assertThat(in.getJsonArray("findings").getList()).containsExactly("pii_card_number");
    assertThat(in.getString("request_id")).startsWith("req-");
    assertThat(java.time.Instant.parse(in.getString("time"))).isNotNull();
  }

  @Test
  void should_read_deny_hard_deny_and_escalate() throws Exception {
    RemoteOpaPolicyEngine e = engine(5000, 0, null);
    PolicyResult deny = await(e.evaluate(input("db.write", new JsonObject().put("env", "prod"))));
    assertThat(deny.allowed()).isFalse();
    assertThat(deny.hardDeny()).isFalse();
    assertThat(deny.ruleId()).isEqualTo("tenant.no_prod");
    assertThat(deny.reason()).isEqualTo("No prod writes");
    PolicyResult hard = await(e.evaluate(input("shell.exec", new JsonObject().put("cmd", "rm -rf /"))));
    assertThat(hard.allowed()).isFalse();
    assertThat(hard.hardDeny()).isTrue();
    assertThat(hard.ruleId()).isEqualTo("hard_deny.shell.rm_root");
    assertThat(hard.riskAdjustment()).isEqualTo(0.3);
    assertThat(hard.hits()).extracting(PolicyResult.RuleHit::effect).containsExactly("deny");
    PolicyResult esc = await(e.evaluate(input("wire.transfer", new JsonObject().put("amount", 250_000))));
    assertThat(esc.allowed()).isTrue();
    assertThat(esc.escalate()).isTrue();
  }

  @Test
  void should_fail_closed_on_an_undefined_decision() throws Exception {
    opa.decisions.clear();
    Throwable t = failure(engine(5000, 0, null).evaluate(input("crm.lookup", new JsonObject())));
    assertThat(t).isInstanceOf(RemoteOpaPolicyEngine.OpaUnavailable.class);
    assertThat(((RemoteOpaPolicyEngine.OpaUnavailable) t).reason()).isEqualTo("undefined");
    assertThat(opa.calls.get()).isEqualTo(1);
  }

  @Test
  void should_fail_closed_on_a_server_error() throws Exception {
    opa.mode = OpaDataApiStub.Mode.ERROR_500;
    Throwable t = failure(engine(5000, 0, null).evaluate(input("crm.lookup", new JsonObject())));
    assertThat(((RemoteOpaPolicyEngine.OpaUnavailable) t).reason()).isEqualTo("status");
    assertThat(t.getMessage()).contains("500").contains("internal_error");
  }

  @Test
  void should_fail_closed_on_a_malformed_answer() throws Exception {
    opa.mode = OpaDataApiStub.Mode.MALFORMED;
    Throwable t = failure(engine(5000, 0, null).evaluate(input("crm.lookup", new JsonObject())));
    assertThat(((RemoteOpaPolicyEngine.OpaUnavailable) t).reason()).isEqualTo("malformed");
    opa.mode = OpaDataApiStub.Mode.RESULT_NOT_OBJECT;
    Throwable t2 = failure(engine(5000, 0, null).evaluate(input("crm.lookup", new JsonObject())));
    assertThat(((RemoteOpaPolicyEngine.OpaUnavailable) t2).reason()).isEqualTo("malformed");
    // a decision without allow is not read as an allow
    opa.mode = OpaDataApiStub.Mode.NORMAL;
    opa.decisions.put("aegis/platform/decision", in -> new JsonObject().put("deny", new io.vertx.core.json.JsonArray()));
    Throwable t3 = failure(engine(5000, 0, null).evaluate(input("crm.lookup", new JsonObject())));
    assertThat(((RemoteOpaPolicyEngine.OpaUnavailable) t3).reason()).isEqualTo("malformed");
  }

  @Test
  void should_fail_closed_within_the_timeout_when_opa_is_slow() throws Exception {
    opa.mode = OpaDataApiStub.Mode.SLOW;
    opa.slowMillis = 2_000;
    long t0 = System.nanoTime();
    Throwable t = failure(engine(200, 0, null).evaluate(input("crm.lookup", new JsonObject())));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(((RemoteOpaPolicyEngine.OpaUnavailable) t).reason()).isEqualTo("timeout");
    assertThat(ms).as("failed at the deadline, not when OPA answered").isGreaterThanOrEqualTo(190).isLessThan(1_500);
  }

  @Test
  void should_fail_closed_when_opa_is_down() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    RemoteOpaPolicyEngine e = new RemoteOpaPolicyEngine(vertx, new RemoteOpaConfig("http://127.0.0.1:" + port, null,
        500, null, 60_000, 100), t -> "r", null);
    Throwable t = failure(e.evaluate(input("crm.lookup", new JsonObject())));
    assertThat(((RemoteOpaPolicyEngine.OpaUnavailable) t).reason()).isIn("unreachable", "timeout");
    assertThat(e.cache().size()).as("failures are not cached").isZero();
  }

  @Test
  void should_serve_a_repeated_action_from_the_cache_without_calling_opa() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RemoteOpaPolicyEngine e = new RemoteOpaPolicyEngine(vertx, new RemoteOpaConfig(opa.url(), null, 5000, null,
        60_000, 100), tenant -> "rev-1", registry);
    JsonObject payload = new JsonObject().put("env", "prod");
    PolicyResult first = await(e.evaluate(input("db.write", payload)));
    PolicyResult second = await(e.evaluate(input("db.write", payload.copy())));
    assertThat(opa.calls.get()).isEqualTo(1);
    assertThat(second).isEqualTo(first);
    assertThat(e.cache().hits()).isEqualTo(1);
    // a different action is a different key
    await(e.evaluate(input("db.write", new JsonObject().put("env", "dev"))));
    assertThat(opa.calls.get()).isEqualTo(2);
    String scrape = registry.scrape();
    assertThat(scrape).contains("aegis_policy_cache_hits_total{engine=\"remote\"} 1.0");
    assertThat(scrape).contains("aegis_opa_requests_total{outcome=\"ok\"} 2.0");
  }

  @Test
  void should_send_the_bearer_token() throws Exception {
    opa.requiredToken = "s3cr3t-opa-token";
    PolicyResult r = await(engine(5000, 0, "s3cr3t-opa-token").evaluate(input("crm.lookup", new JsonObject())));
    assertThat(r.allowed()).isTrue();
    assertThat(opa.received.get(0).headers().get("authorization")).isEqualTo("Bearer s3cr3t-opa-token");
    Throwable t = failure(engine(5000, 0, "wrong").evaluate(input("crm.lookup", new JsonObject())));
    assertThat(t.getMessage()).contains("401").doesNotContain("wrong");
    assertThat(new RemoteOpaConfig(opa.url(), null, 100, "s3cr3t-opa-token", 0, 1).toString())
        .doesNotContain("s3cr3t");
  }

  @Test
  void should_use_the_configured_decision_path() throws Exception {
    opa.decisions.put("acme/gateway/verdict", in -> new JsonObject().put("allow", false));
    RemoteOpaPolicyEngine e = new RemoteOpaPolicyEngine(vertx, new RemoteOpaConfig(opa.url() + "/",
        "/acme/gateway/verdict", 5000, null, 0, 1), t -> "r", null);
    PolicyResult r = await(e.evaluate(input("crm.lookup", new JsonObject())));
    assertThat(r.allowed()).isFalse();
    assertThat(opa.received.get(0).path()).isEqualTo("acme/gateway/verdict");
  }

  @Test
  void should_warm_up_against_opa_health_and_report_a_down_server() throws Exception {
    engine(5000, 0, null).warmUp().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Future<Void> down = new RemoteOpaPolicyEngine(vertx, new RemoteOpaConfig("http://127.0.0.1:" + port, null, 100,
        null, 0, 1), t -> "r", null).warmUp();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> down.toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    assertThat(opa.calls.get()).as("warm-up never asks for a decision").isEqualTo(1);
    assertThat(opa.received).isEmpty();
  }

  @Test
  void should_read_the_mode_from_the_environment() {
    assertThat(RemoteOpaConfig.fromEnv(Map.of())).isNull();
    assertThat(RemoteOpaConfig.fromEnv(Map.of("AEGIS_POLICY_MODE", "local"))).isNull();
    RemoteOpaConfig c = RemoteOpaConfig.fromEnv(Map.of("AEGIS_POLICY_MODE", "remote", "AEGIS_OPA_URL",
        "http://opa:8181"));
    assertThat(c.decisionUrl()).isEqualTo("http://opa:8181/v1/data/aegis/platform/decision");
    assertThat(c.timeoutMillis()).isEqualTo(250);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RemoteOpaConfig.fromEnv(Map.of("AEGIS_POLICY_MODE",
        "remote"))).hasMessageContaining("AEGIS_OPA_URL");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RemoteOpaConfig.fromEnv(Map.of("AEGIS_POLICY_MODE",
        "maybe"))).hasMessageContaining("local or remote");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RemoteOpaConfig("http://opa:8181",
        "a/../b", 10, null, 0, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
