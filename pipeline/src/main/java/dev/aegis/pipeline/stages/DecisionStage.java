package dev.aegis.pipeline.stages;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.Stage;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.decision.Action;
import dev.aegis.pipeline.decision.Decision;
import dev.aegis.pipeline.decision.DecisionEngine;
import dev.aegis.pipeline.decision.DecisionInput;
import dev.aegis.pipeline.decision.Findings;
import dev.aegis.pipeline.ports.BehaviorResult;
import dev.aegis.pipeline.ports.PolicyResult;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Stage 6: fuses the inference, policy and behaviour signals into one decision with the
 * {@link DecisionEngine}. Rule ids and classifier flags go to diagnostic flags only; findings
 * stay canonical. Never answers by itself: stage 7 maps the action to HTTP.
 */
public final class DecisionStage implements Stage {

  /** Policy signals that mean data is leaving: they add {@code data_exfiltration_detected}. */
  private static final Set<String> EXFIL_SIGNALS = Set.of("external_pii_exfil",
      "bulk_pii_egress_dump", "bulk_pii_egress_above_threshold", "known_exfil_destination",
      "external_post_pii_unknown_dest");

  private final DecisionEngine engine;

  public DecisionStage(DecisionEngine engine) {
    this.engine = engine;
  }

  @Override
  public StageId id() {
    return StageId.DECISION;
  }

  @Override
  public Future<Verdict> apply(RequestContext ctx) {
    PolicyResult p = ctx.policy();
    BehaviorResult b = ctx.behavior();
    List<String> extra = new ArrayList<>(ctx.findings());
    List<String> flags = new ArrayList<>(ctx.inferenceFlags());
    for (PolicyResult.RuleHit hit : p.hits()) {
      flags.add(hit.id());
      if (EXFIL_SIGNALS.contains(hit.signal()) && !extra.contains(Findings.DATA_EXFILTRATION_DETECTED)) {
        extra.add(Findings.DATA_EXFILTRATION_DETECTED);
      }
    }
    if (p.escalate() && p.allowed() && !extra.contains(Findings.APPROVAL_REQUIRED)) {
      extra.add(Findings.APPROVAL_REQUIRED);
    }
    if (b != null) {
      flags.addAll(b.flags());
    }
    DecisionInput in = new DecisionInput(p.allowed(), p.reason(), p.riskAdjustment(), p.hardDeny(),
        ctx.inferenceRisk(), b == null ? 0 : b.behaviorRisk(), b == null ? 0 : b.anomaly(),
        b == null ? 0 : b.costRisk(), b == null ? 0 : b.crossAgentRisk(),
        b == null || "ok".equals(b.serviceStatus()) ? 0.9 : 0.5, 0.0, extra, flags);
    var decision = engine.evaluate(in);
    if (p.escalate() && p.allowed() && decision.action().ordinal() < Action.ESCALATE.ordinal()) {
      decision = new Decision(Action.ESCALATE,
          Math.max(decision.risk(), 0.70), decision.confidence(), DecisionEngine.riskLevel(Math.max(decision.risk(), 0.70)),
          decision.findings(), decision.signalsEvaluated(), decision.components(),
          decision.diagnosticFlags(), p.reason());
    }
    ctx.decision(decision);
    return Future.succeededFuture(Verdict.proceed());
  }
}
