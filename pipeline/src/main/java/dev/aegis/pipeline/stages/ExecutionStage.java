package dev.aegis.pipeline.stages;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.Stage;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.ports.ToolExecutor;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Stage 8: forwards an allowed action to its tool upstream when one is configured, within the
 * remaining deadline; otherwise answers "evaluate only" (the caller runs the tool itself).
 * Upstream failures become 502 {@code upstream_unavailable}, 504 {@code upstream_timeout} or 503
 * {@code upstream_busy} (concurrency cap).
 */
public final class ExecutionStage implements Stage {

  private final ToolExecutor executor;

  public ExecutionStage(ToolExecutor executor) {
    this.executor = executor;
  }

  @Override
  public StageId id() {
    return StageId.EXECUTION;
  }

  @Override
  public Future<Verdict> apply(RequestContext ctx) {
    if (!executor.hasUpstream(ctx.tool())) {
      ctx.result(new JsonObject().put("executed", false).put("mode", "evaluate_only"));
      return Future.succeededFuture(Verdict.proceed());
    }
    JsonObject request = new JsonObject().put("tool", ctx.tool()).put("payload", ctx.payload())
        .put("agent_id", ctx.agentId()).put("tenant_id", ctx.tenantId())
        .put("request_id", ctx.requestId());
    long budget = Math.max(1, ctx.remainingMillis());
    return executor.execute(ctx.tool(), request, budget).transform(ar -> {
      if (ar.succeeded()) {
        ctx.upstream(ar.result());
        return Future.succeededFuture(Verdict.proceed());
      }
      if (ar.cause() instanceof ToolExecutor.ExecutionFailure ef) {
        return Future.succeededFuture(Verdict.deny(ef.status(), ef.key(), ef.getMessage()));
      }
      return Future.succeededFuture(Verdict.deny(502, "upstream_unavailable", "The tool upstream failed"));
    });
  }
}
