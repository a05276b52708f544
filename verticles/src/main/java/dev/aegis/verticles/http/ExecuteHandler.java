package dev.aegis.verticles.http;

import dev.aegis.pipeline.PipelineRunner;
import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.decision.Decision;
import dev.aegis.pipeline.detect.ActionText;
import dev.aegis.pipeline.ports.AuditReceipt;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@code POST /execute} and {@code POST /execute/{tool}}: resolves the tool (path, body
 * {@code tool} / {@code tool_name}, or {@code X-ACP-Tool}) and the arguments ({@code payload},
 * {@code arguments}, {@code parameters} or {@code input}), runs the pipeline, and renders the
 * outcome. Every answer carries the decision, risk, findings, request id and the audit row's id
 * and hash (when a row was written).
 */
public final class ExecuteHandler {

  private static final String[] PAYLOAD_FIELDS = {"payload", "arguments", "parameters", "input"};

  private final PipelineRunner runner;
  private final long timeoutMillis;
  private final Map<dev.aegis.pipeline.decision.Action, Counter> decisions =
      new EnumMap<>(dev.aegis.pipeline.decision.Action.class);

  public ExecuteHandler(PipelineRunner runner, long timeoutMillis, MeterRegistry metrics) {
    this.runner = runner;
    this.timeoutMillis = timeoutMillis;
    for (var a : dev.aegis.pipeline.decision.Action.values()) {
      decisions.put(a, Counter.builder("aegis_decisions_total").tag("action", a.name())
          .description("decisions by action").register(metrics));
    }
  }

  public void handle(RoutingContext rc) {
    JsonObject body = Bodies.json(rc);
    String tool = rc.pathParam("tool");
    if (tool == null) {
      tool = firstString(body, "tool", "tool_name");
    }
    if (tool == null) {
      tool = rc.request().getHeader("X-ACP-Tool");
    }
    if (tool == null || tool.isBlank()) {
      Envelope.error(rc, 400, "missing_tool", "The tool name is required (path, body 'tool' or X-ACP-Tool)");
      return;
    }
    if (tool.length() > 200 || !AgentRoutes.TOOL_NAME.matcher(tool).matches()) {
      Envelope.error(rc, 400, "invalid_tool", "The tool name must match " + AgentRoutes.TOOL_NAME.pattern());
      return;
    }
    JsonObject payload = null;
    for (String f : PAYLOAD_FIELDS) {
      Object v = body.getValue(f);
      if (v == null) {
        continue;
      }
      if (!(v instanceof JsonObject o)) {
        Envelope.error(rc, 400, "invalid_payload", "'" + f + "' must be a JSON object");
        return;
      }
      payload = o;
      break;
    }
    if (payload == null) {
      payload = new JsonObject();
    }
    long now = System.nanoTime();
    RequestContext ctx = new RequestContext(Envelope.requestId(rc), now, now + timeoutMillis * 1_000_000L,
        rc.request().getHeader("Authorization"), rc.request().getHeader("X-Tenant-ID"),
        rc.request().getHeader("X-Agent-ID"), rc.request().remoteAddress() == null ? null
            : rc.request().remoteAddress().hostAddress(), tool, body, payload,
        ActionText.of(body, payload));
    runner.run(ctx).onComplete(ar -> {
      if (ar.failed()) {
        Envelope.fail(rc, ar.cause());
        return;
      }
      render(rc, ctx);
    });
  }

  private void render(RoutingContext rc, RequestContext ctx) {
    Decision d = ctx.decision();
    if (d != null) {
      decisions.get(d.action()).increment();
    }
    Verdict.Respond t = ctx.terminal();
    AuditReceipt receipt = ctx.auditReceipt();
    if (t == null) {
      JsonObject data = decisionFields(ctx).put("allowed", true).put("result", ctx.result());
      Envelope.ok(rc, 200, data);
      return;
    }
    t.headers().forEach((k, v) -> rc.response().putHeader(k, v));
    JsonObject extra = decisionFields(ctx);
    extra.put("reason", d != null && d.policyReason() != null ? d.policyReason() : t.errorKey());
    if (receipt != null) {
      extra.put("decision_id", receipt.auditId());
    }
    if (ctx.policy() != null && ctx.policy().ruleId() != null) {
      extra.put("rule_id", ctx.policy().ruleId()).put("policy_id", ctx.policy().ruleId());
    }
    if (d != null) {
      extra.put("risk_score", d.risk());
    }
    t.extra().forEach(e -> extra.put(e.getKey(), e.getValue()));
    Envelope.error(rc, t.status(), t.errorKey(), t.detail(), extra);
  }

  private static JsonObject decisionFields(RequestContext ctx) {
    Decision d = ctx.decision();
    AuditReceipt r = ctx.auditReceipt();
    JsonObject o = new JsonObject().put("request_id", ctx.requestId()).put("tool", ctx.tool())
        .put("agent_id", ctx.agentId());
    if (d != null) {
      o.put("decision", d.action().wire()).put("action", d.action().name()).put("risk", d.risk())
          .put("risk_level", d.riskLevel()).put("findings", new JsonArray(d.findings()))
          .put("signals_evaluated", d.signalsEvaluatedJson());
    } else {
      o.put("findings", new JsonArray(ctx.findings()));
    }
    if (ctx.terminalStage() != null) {
      o.put("stage", ctx.terminalStage().number());
    }
    if (r != null) {
      o.put("audit_id", r.auditId()).put("event_hash", r.eventHash()).put("prev_hash", r.prevHash())
          .put("chain_shard", r.chainShard()).put("chain_index", r.chainIndex());
    }
    return o;
  }

  private static String firstString(JsonObject o, String... names) {
    for (String n : names) {
      if (o.getValue(n) instanceof String s) {
        return s;
      }
    }
    return null;
  }
}
