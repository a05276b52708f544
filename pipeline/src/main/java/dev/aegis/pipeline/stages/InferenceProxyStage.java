package dev.aegis.pipeline.stages;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.Stage;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.detect.ActionText;
import dev.aegis.pipeline.detect.InferenceScanner;
import dev.aegis.pipeline.ports.AgentDirectory;
import io.vertx.core.Future;

/**
 * Stage 3: the inference proxy. Refuses oversized actions (413 {@code payload_too_large}),
 * unknown agents (404 {@code agent_not_found}), quarantined agents (403
 * {@code agent_quarantined}) and tools the agent holds no live ALLOW grant for (403
 * {@code tool_not_permitted}); then scans the action once for injection, PII, SQL injection,
 * path traversal and risky shape, and records the risk signal and findings for stage 6.
 */
public final class InferenceProxyStage implements Stage {

  private final InferenceScanner scanner;
  private final AgentDirectory agents;
  private final int maxPayloadChars;

  /**
   * @param scanner the detector set
   * @param agents agent and grant lookup
   * @param maxPayloadChars the largest scannable action text (SPEC: 5,000 chars)
   */
  public InferenceProxyStage(InferenceScanner scanner, AgentDirectory agents, int maxPayloadChars) {
    this.scanner = scanner;
    this.agents = agents;
    this.maxPayloadChars = maxPayloadChars;
  }

  @Override
  public StageId id() {
    return StageId.INFERENCE_PROXY;
  }

  @Override
  public Future<Verdict> apply(RequestContext ctx) {
    if (ctx.actionText().length() > maxPayloadChars) {
      return Future.succeededFuture(Verdict.deny(413, "payload_too_large",
          "The action payload exceeds " + maxPayloadChars + " characters"));
    }
    return agents.find(ctx.tenantId(), ctx.agentId()).map(agent -> {
      if (agent == null) {
        return Verdict.deny(404, "agent_not_found", "No such agent in this tenant");
      }
      ctx.agent(agent);
      if (agent.quarantined()) {
        return Verdict.deny(403, "agent_quarantined", "The agent is quarantined");
      }
      if (!agent.mayCall(ctx.tool(), System.currentTimeMillis())) {
        return Verdict.deny(403, "tool_not_permitted",
            "The agent holds no ALLOW grant for tool '" + ctx.tool() + "'");
      }
      dev.aegis.pipeline.detect.InferenceReport report =
          scanner.scan(ctx.actionText(), ActionText.depth(ctx.payload()));
      ctx.inferenceRisk(report.risk());
      ctx.inferenceFlags().addAll(report.flags());
      ctx.findings().addAll(report.findings());
      return Verdict.proceed();
    });
  }
}
