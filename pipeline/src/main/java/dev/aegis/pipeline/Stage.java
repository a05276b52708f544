package dev.aegis.pipeline;

import io.vertx.core.Future;

/**
 * One step of the request path.
 *
 * <p>Contract: {@link #apply} inspects and enriches the {@link RequestContext} and completes with
 * {@link Verdict#proceed()} to let the next stage run, or with a terminal {@link Verdict.Respond}
 * that stops the chain. A stage never writes the HTTP response itself; the {@link PipelineRunner}
 * does. A stage must not block: it runs on an event loop. Constructors only capture
 * collaborators; all work happens inside {@code apply}. A failed future is treated by the runner
 * according to the stage's failure mode (fail open or fail closed).
 */
public interface Stage {

  /** The stable identity of this stage (number and name). */
  StageId id();

  /**
   * Runs the stage for one request.
   *
   * @param ctx the per-request state, never null
   * @return a future verdict; failing the future signals an infrastructure error
   */
  Future<Verdict> apply(RequestContext ctx);
}
