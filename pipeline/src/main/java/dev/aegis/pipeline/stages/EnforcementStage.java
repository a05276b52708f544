package dev.aegis.pipeline.stages;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.Stage;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.decision.Decision;
import io.vertx.core.Future;

/**
 * Stage 7: maps the decision to HTTP (SPEC stage 7). ALLOW and MONITOR proceed; THROTTLE is 429
 * {@code throttled}; ESCALATE is 403 {@code approval_required}; KILL and DENY are 403
 * {@code policy_denied} (with the rule id when a policy rule fired). Autonomy contracts and
 * approvals plug in here in a later issue.
 */
public final class EnforcementStage implements Stage {

  @Override
  public StageId id() {
    return StageId.ENFORCEMENT;
  }

  @Override
  public Future<Verdict> apply(RequestContext ctx) {
    Decision d = ctx.decision();
    String ruleId = ctx.policy() == null ? null : ctx.policy().ruleId();
    Verdict v = switch (d.action()) {
      case ALLOW, MONITOR -> Verdict.proceed();
      case THROTTLE -> Verdict.deny(429, "throttled",
              "Risk " + d.risk() + " is in the throttle band; retry later")
          .withExtra("limit_type", "risk_throttle").withExtra("retry_after", 1.0)
          .withHeader("Retry-After", "1");
      case ESCALATE -> Verdict.deny(403, "approval_required",
          "This action needs human approval" + (ruleId == null ? "" : " (" + ruleId + ")"));
      case KILL -> Verdict.deny(403, "policy_denied",
          "Blocked: risk " + d.risk() + " is in the kill band");
      case DENY -> Verdict.deny(403, "policy_denied",
          "Blocked by " + (ruleId == null ? "policy" : ruleId)
              + (ctx.policy() == null || ctx.policy().reason() == null ? "" : ": " + ctx.policy().reason()));
    };
    return Future.succeededFuture(v);
  }
}
