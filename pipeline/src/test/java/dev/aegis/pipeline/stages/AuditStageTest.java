package dev.aegis.pipeline.stages;

import static dev.aegis.pipeline.PipelineFixtures.AGENT;
import static dev.aegis.pipeline.PipelineFixtures.REQUEST_ID;
import static dev.aegis.pipeline.PipelineFixtures.TENANT;
import static dev.aegis.pipeline.PipelineFixtures.TOOL;
import static dev.aegis.pipeline.PipelineFixtures.assertProceeds;
import static dev.aegis.pipeline.PipelineFixtures.authenticatedCtx;
import static dev.aegis.pipeline.PipelineFixtures.cause;
import static dev.aegis.pipeline.PipelineFixtures.cleanPolicy;
import static dev.aegis.pipeline.PipelineFixtures.ctx;
import static dev.aegis.pipeline.PipelineFixtures.decision;
import static dev.aegis.pipeline.PipelineFixtures.hardDenyPolicy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.decision.Action;
import dev.aegis.pipeline.ports.AuditEvent;
import dev.aegis.pipeline.ports.AuditReceipt;
import dev.aegis.pipeline.ports.BehaviorResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuditStageTest {

  private static final AuditReceipt RECEIPT = new AuditReceipt("audit-1", "a".repeat(64), "0".repeat(64), 3, 0,
      "2026-01-01T00:00:00Z");

  private final List<AuditEvent> appended = new ArrayList<>();
  private final AuditStage cut = new AuditStage(event -> {
    appended.add(event);
    return Future.succeededFuture(RECEIPT);
  });

  private AuditEvent onlyEvent() {
    assertThat(appended).hasSize(1);
    return appended.get(0);
  }

  /** A request that went through stage 6 with the given action and was allowed. */
  private static RequestContext allowed(Action action, double risk) {
    RequestContext ctx = authenticatedCtx();
    ctx.policy(cleanPolicy());
    ctx.decision(decision(action, risk, List.of()));
    return ctx;
  }

  @Test
  void should_identify_as_stage_10() {
    assertThat(cut.id()).isEqualTo(StageId.AUDIT);
  }

  @Test
  void should_proceed_without_append_when_request_never_authenticated() {
    // GIVEN a 401 from stage 1
    RequestContext ctx = ctx();
    ctx.terminal(StageId.AUTH, Verdict.deny(401, "missing_credentials", "x"));

    // WHEN
    assertProceeds(cut.apply(ctx));

    // THEN
    assertThat(appended).isEmpty();
    assertThat(ctx.auditReceipt()).isNull();
  }

  @Test
  void should_append_allow_event_and_keep_receipt_when_allowed() {
    // GIVEN
    RequestContext ctx = allowed(Action.ALLOW, 0.12);
    ctx.stageMicros(StageId.AUTH, 120);
    ctx.stageMicros(StageId.DECISION, 45);

    // WHEN
    assertProceeds(cut.apply(ctx));

    // THEN
    AuditEvent e = onlyEvent();
    assertThat(e.tenantId()).isEqualTo(TENANT);
    assertThat(e.agentId()).isEqualTo(AGENT);
    assertThat(e.action()).isEqualTo("tool_execution");
    assertThat(e.tool()).isEqualTo(TOOL);
    assertThat(e.decision()).isEqualTo("allow");
    assertThat(e.reason()).isEqualTo("allowed");
    assertThat(e.requestId()).isEqualTo(REQUEST_ID);
    JsonObject meta = e.metadata();
    assertThat(meta.getInteger("status")).isEqualTo(200);
    assertThat(meta.getValue("stage")).isNull();
    assertThat(meta.getDouble("risk_score")).isEqualTo(0.12);
    assertThat(meta.getString("policy_version")).isEqualTo("v1");
    assertThat(meta.getJsonArray("diagnostic_flags")).isEqualTo(new JsonArray().add("flag.a"));
    assertThat(meta.getString("actor")).isEqualTo("sub-agent");
    assertThat(meta.getString("role")).isEqualTo("agent");
    assertThat(meta.getJsonObject("stage_us")).isEqualTo(new JsonObject().put("1", 120L).put("6", 45L));
    assertThat(ctx.auditReceipt()).isSameAs(RECEIPT);
  }

  @Test
  void should_append_monitor_event_with_reason_monitored() {
    RequestContext ctx = allowed(Action.MONITOR, 0.4);

    cut.apply(ctx);

    assertThat(onlyEvent().decision()).isEqualTo("monitor");
    assertThat(onlyEvent().reason()).isEqualTo("monitored");
  }

  @Test
  void should_append_deny_when_stage_3_refused_before_decision() {
    // GIVEN a 403 from the inference proxy: no decision was made
    RequestContext ctx = authenticatedCtx();
    ctx.findings().add("prompt_injection_detected");
    ctx.inferenceRisk(0.95);
    ctx.terminal(StageId.INFERENCE_PROXY, Verdict.deny(403, "tool_not_permitted", "no grant"));

    // WHEN
    assertProceeds(cut.apply(ctx));

    // THEN
    AuditEvent e = onlyEvent();
    assertThat(e.decision()).isEqualTo("deny");
    assertThat(e.reason()).isEqualTo("tool_not_permitted");
    assertThat(e.metadata().getInteger("status")).isEqualTo(403);
    assertThat(e.metadata().getInteger("stage")).isEqualTo(3);
    assertThat(e.metadata().getJsonArray("findings")).isEqualTo(new JsonArray().add("prompt_injection_detected"));
    assertThat(e.metadata().getValue("risk_score")).isNull();
    assertThat(e.metadata().getDouble("inference_risk")).isEqualTo(0.95);
  }

  @ParameterizedTest(name = "{0} at stage 7 -> {1}")
  @CsvSource({
      "ESCALATE, escalate, approval_required",
      "KILL,     kill,     policy_denied",
      "DENY,     deny,     policy_denied",
  })
  void should_record_decided_action_when_enforcement_refused(Action action, String wire, String key) {
    // GIVEN
    RequestContext ctx = authenticatedCtx();
    ctx.policy(hardDenyPolicy("hard_deny.shell.rm_root", "destructive_shell_command"));
    ctx.decision(decision(action, 0.9, List.of("policy_deny")));
    ctx.terminal(StageId.ENFORCEMENT, Verdict.deny(403, key, "x"));

    // WHEN
    cut.apply(ctx);

    // THEN
    AuditEvent e = onlyEvent();
    assertThat(e.decision()).isEqualTo(wire);
    assertThat(e.reason()).isEqualTo(key);
    assertThat(e.metadata().getString("rule_id")).isEqualTo("hard_deny.shell.rm_root");
    assertThat(e.metadata().getJsonArray("findings")).isEqualTo(new JsonArray().add("policy_deny"));
    assertThat(e.metadata().getInteger("stage")).isEqualTo(7);
  }

  @ParameterizedTest(name = "{0} {1} from {2} -> {3}")
  @CsvSource({
      "429, rate_limited,        RATE_LIMIT,  throttle",
      "429, throttled,           ENFORCEMENT, throttle",
      "503, policy_unavailable,  POLICY,      error",
      "504, decision_timeout,    BEHAVIOR,    error",
      "502, upstream_unavailable, EXECUTION,  error",
      "403, kill_switch_engaged, KILL_SWITCH, deny",
      "413, payload_too_large,   INFERENCE_PROXY, deny",
  })
  void should_map_terminal_status_to_decision(int status, String key, StageId stage, String expected) {
    // GIVEN
    RequestContext ctx = authenticatedCtx();
    if (stage == StageId.ENFORCEMENT) {
      ctx.policy(cleanPolicy());
      ctx.decision(decision(Action.THROTTLE, 0.6, List.of()));
    }
    ctx.terminal(stage, Verdict.deny(status, key, "x"));

    // WHEN
    cut.apply(ctx);

    // THEN
    assertThat(onlyEvent().decision()).isEqualTo(expected);
    assertThat(onlyEvent().reason()).isEqualTo(key);
    assertThat(onlyEvent().metadata().getInteger("status")).isEqualTo(status);
    assertThat(onlyEvent().metadata().getInteger("stage")).isEqualTo(stage.number());
  }

  @Test
  void should_record_behaviour_status_and_redactions_when_present() {
    RequestContext ctx = allowed(Action.ALLOW, 0.1);
    ctx.behavior(new BehaviorResult(0.0, 0, 0, 0, List.of("behavior_skipped"), "skipped"));
    ctx.redactions(2);

    cut.apply(ctx);

    JsonObject meta = onlyEvent().metadata();
    assertThat(meta.getJsonObject("behavior")).isEqualTo(new JsonObject().put("service_status", "skipped").put("risk", 0.0));
    assertThat(meta.getInteger("redactions")).isEqualTo(2);
  }

  @Test
  void should_fail_future_when_sink_fails() {
    // GIVEN
    AuditStage failing = new AuditStage(event -> Future.failedFuture(new IllegalStateException("pg down")));
    RequestContext ctx = allowed(Action.ALLOW, 0.0);

    // WHEN
    Future<Verdict> f = failing.apply(ctx);

    // THEN
    assertThat(cause(f)).hasMessage("pg down");
    assertThat(ctx.auditReceipt()).isNull();
  }
}
