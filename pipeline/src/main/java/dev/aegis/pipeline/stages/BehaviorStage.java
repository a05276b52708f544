package dev.aegis.pipeline.stages;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.Stage;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.decision.Findings;
import dev.aegis.pipeline.ports.BehaviorResult;
import dev.aegis.pipeline.ports.BehaviorScorer;
import io.vertx.core.Future;
import java.util.List;

/**
 * Stage 5: behavioural signals. When the scorer fails, the tenant's degraded-mode policy decides
 * (SPEC stage 5): {@code block_high_risk} (default) treats behaviour as high risk when earlier
 * signals were not clean, else low; {@code block_all} treats it as high risk;
 * {@code allow_with_audit} scores 0 and records {@code behavior_skipped}. Never fails itself.
 */
public final class BehaviorStage implements Stage {

  private final BehaviorScorer scorer;

  public BehaviorStage(BehaviorScorer scorer) {
    this.scorer = scorer;
  }

  @Override
  public StageId id() {
    return StageId.BEHAVIOR;
  }

  @Override
  public Future<Verdict> apply(RequestContext ctx) {
    Future<BehaviorResult> f;
    try {
      f = scorer.score(ctx.tenantId(), ctx.agentId(), ctx.tool(), System.currentTimeMillis());
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.transform(ar -> {
      ctx.behavior(ar.succeeded() ? ar.result() : degraded(ctx));
      return Future.succeededFuture(Verdict.proceed());
    });
  }

  static BehaviorResult degraded(RequestContext ctx) {
    String mode = ctx.tenant() == null ? "block_high_risk" : ctx.tenant().degradedModePolicy();
    boolean clean = (ctx.policy() == null || ctx.policy().allowed()) && ctx.inferenceRisk() < 0.30;
    switch (mode == null ? "block_high_risk" : mode) {
      case "block_all" -> {
        ctx.findings().add(Findings.BEHAVIOR_DEGRADED_BLOCKED);
        return new BehaviorResult(1.0, 0, 0, 0, List.of("behavior_degraded", "block_all"), "degraded");
      }
      case "allow_with_audit" -> {
        ctx.findings().add(Findings.BEHAVIOR_DEGRADED_FAIL_OPEN);
        return new BehaviorResult(0, 0, 0, 0, List.of("behavior_skipped"), "skipped");
      }
      default -> {
        if (clean) {
          ctx.findings().add(Findings.BEHAVIOR_DEGRADED_LOW_RISK_ALLOWED);
          return new BehaviorResult(0, 0, 0, 0, List.of("behavior_degraded", "block_high_risk"), "degraded");
        }
        ctx.findings().add(Findings.BEHAVIOR_DEGRADED_BLOCKED);
        return new BehaviorResult(1.0, 0, 0, 0, List.of("behavior_degraded", "block_high_risk"), "degraded");
      }
    }
  }
}
