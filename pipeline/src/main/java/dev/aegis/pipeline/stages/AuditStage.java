package dev.aegis.pipeline.stages;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.Stage;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.decision.Decision;
import dev.aegis.pipeline.ports.AuditEvent;
import dev.aegis.pipeline.ports.AuditSink;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Stage 10, the always-run tail: turns the outcome of the request (allowed, denied at any stage,
 * or failed) into one durable audit row and completes only after it committed. Requests that
 * never authenticated have no tenant and get no row (401s, as in the original). A failed append
 * fails this stage, and the runner fails the request closed (503 {@code audit_unavailable}):
 * no decision leaves the gateway without its evidence.
 */
public final class AuditStage implements Stage {

  /** The audit {@code action} of a gateway decision row. */
  public static final String ACTION = "tool_execution";

  private final AuditSink sink;

  public AuditStage(AuditSink sink) {
    this.sink = sink;
  }

  @Override
  public StageId id() {
    return StageId.AUDIT;
  }

  @Override
  public Future<Verdict> apply(RequestContext ctx) {
    if (ctx.principal() == null) {
      return Future.succeededFuture(Verdict.proceed());
    }
    AuditEvent event = event(ctx);
    return sink.append(event).map(receipt -> {
      ctx.auditReceipt(receipt);
      return Verdict.proceed();
    });
  }

  static AuditEvent event(RequestContext ctx) {
    Verdict.Respond t = ctx.terminal();
    Decision d = ctx.decision();
    String decision;
    String reason;
    if (t == null) {
      decision = d.action().wire();
      reason = d.action() == dev.aegis.pipeline.decision.Action.MONITOR ? "monitored" : "allowed";
    } else {
      reason = t.errorKey();
      if (t.status() >= 500) {
        decision = "error";
      } else if (t.status() == 429) {
        decision = "throttle";
      } else if (d != null && ctx.terminalStage() == StageId.ENFORCEMENT) {
        decision = d.action().wire();
      } else {
        decision = "deny";
      }
    }
    JsonObject meta = new JsonObject()
        .put("status", t == null ? 200 : t.status())
        .put("stage", ctx.terminalStage() == null ? null : ctx.terminalStage().number())
        .put("findings", new JsonArray(d == null ? ctx.findings() : d.findings()))
        .put("risk_score", d == null ? null : d.risk())
        .put("rule_id", ctx.policy() == null ? null : ctx.policy().ruleId())
        .put("policy_version", ctx.policy() == null ? null : ctx.policy().policyVersion())
        .put("inference_risk", ctx.inferenceRisk())
        .put("diagnostic_flags", new JsonArray(d == null ? ctx.inferenceFlags() : d.diagnosticFlags()))
        .put("actor", ctx.principal().subject())
        .put("role", ctx.principal().role());
    if (ctx.behavior() != null) {
      meta.put("behavior", new JsonObject().put("service_status", ctx.behavior().serviceStatus())
          .put("risk", ctx.behavior().behaviorRisk()));
    }
    if (ctx.redactions() > 0) {
      meta.put("redactions", ctx.redactions());
    }
    JsonObject timings = new JsonObject();
    for (StageId id : StageId.values()) {
      long us = ctx.stageMicros(id);
      if (us >= 0) {
        timings.put(Integer.toString(id.number()), us);
      }
    }
    meta.put("stage_us", timings);
    return new AuditEvent(ctx.tenantId(), ctx.agentId(), ACTION, ctx.tool(), decision, reason,
        ctx.requestId(), meta);
  }
}
