package dev.aegis.pipeline.stages;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.Stage;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.ports.KillSwitchView;
import io.vertx.core.Future;

/**
 * Stage 0: refuses every action of a tenant whose kill switch is engaged (403
 * {@code kill_switch_engaged}), and fails closed (503) when the switch state is unknown. Reads
 * local state only. Runs after auth, since the tenant comes from the verified credential.
 */
public final class KillSwitchStage implements Stage {

  private static final Future<Verdict> ENGAGED = Future.succeededFuture(Verdict.deny(403,
      "kill_switch_engaged", "The tenant's kill switch is engaged; all agent actions are halted"));
  private static final Future<Verdict> UNKNOWN = Future.succeededFuture(Verdict.deny(503,
      "kill_switch_state_unknown", "The kill switch state cannot be confirmed; failing closed"));
  private static final Future<Verdict> PROCEED = Future.succeededFuture(Verdict.proceed());

  private final KillSwitchView view;

  public KillSwitchStage(KillSwitchView view) {
    this.view = view;
  }

  @Override
  public StageId id() {
    return StageId.KILL_SWITCH;
  }

  @Override
  public Future<Verdict> apply(RequestContext ctx) {
    return switch (view.state(ctx.tenantId())) {
      case ENGAGED -> ENGAGED;
      case UNKNOWN -> UNKNOWN;
      case DISENGAGED -> PROCEED;
    };
  }
}
