package dev.aegis.pipeline.stages;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.Stage;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.ports.PolicyEngine;
import dev.aegis.pipeline.decision.Findings;
import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.ports.PolicyResult;
import java.util.ArrayList;
import io.vertx.core.Future;
import java.util.List;

/**
 * Stage 4: evaluates policy for the action and records the result for stage 6. It never answers
 * by itself: the decision engine turns a deny into DENY / ESCALATE. An engine failure fails the
 * future, and the runner fails closed (503 {@code policy_unavailable}).
 */
public final class PolicyStage implements Stage {

  private final PolicyEngine engine;

  public PolicyStage(PolicyEngine engine) {
    this.engine = engine;
  }

  @Override
  public StageId id() {
    return StageId.POLICY;
  }

  @Override
  public Future<Verdict> apply(RequestContext ctx) {
    PolicyInput input = new PolicyInput(ctx.tenantId(), ctx.agentId(), ctx.agent().name(),
        ctx.agent().riskLevel(), ctx.tool(), ctx.payload(), ctx.actionText(), ctx.requestId(),
        stage3Flags(ctx));
    return engine.evaluate(input).map(result -> {
      PolicyResult merged = result;
      if (ctx.findings().contains(Findings.SQL_INJECTION_DETECTED)) {
        merged = withSecurityHardDeny(merged, "hard_deny.security.sql_injection",
            "sql_injection_detected", "SQL injection pattern in the action");
      }
      if (ctx.findings().contains(Findings.PATH_TRAVERSAL_DETECTED)) {
        merged = withSecurityHardDeny(merged, "hard_deny.security.path_traversal",
            "path_traversal_detected", "Path traversal sequence in the action");
      }
      ctx.policy(merged);
      return Verdict.proceed();
    });
  }

  /** Canonical findings and diagnostic flags of stage 3 (e.g. {@code pii_card_number}). */
  static List<String> stage3Flags(RequestContext ctx) {
    List<String> all = new ArrayList<>(ctx.findings());
    all.addAll(ctx.inferenceFlags());
    return List.copyOf(all);
  }

  /**
   * The security phase of the original: SQL injection and path traversal found by stage 3 are
   * platform hard denies, whatever the policy says.
   */
  static PolicyResult withSecurityHardDeny(PolicyResult r, String ruleId, String signal, String reason) {
    List<PolicyResult.RuleHit> hits = new ArrayList<>(r.hits());
    hits.add(new PolicyResult.RuleHit(ruleId, signal, "critical", "deny", reason));
    boolean firstHard = !r.hardDeny();
    return new PolicyResult(false, true, r.escalate(), firstHard ? ruleId : r.ruleId(),
        firstHard ? reason : r.reason(), Math.max(r.riskAdjustment(), 0.30), List.copyOf(hits),
        r.policyVersion());
  }
}
