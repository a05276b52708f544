package dev.aegis.pipeline;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the stages of the request path in a fixed order, then the always-run tail.
 *
 * <p>The runner owns what stages must not: per-stage timing (reported to a {@link StageObserver}),
 * the request deadline (504 {@code decision_timeout} when it passes), the failure mode of each
 * stage (fail open: counted and skipped; fail closed: a 503 with the stage's error key), and the
 * tail, which runs whether the chain proceeded, answered early or failed. A failure of the tail
 * (no durable evidence) replaces the answer with its fail-closed response.
 */
public final class PipelineRunner {

  /** What to do when a stage's future fails or throws. */
  public enum FailureMode { OPEN, CLOSED }

  /**
   * A stage in the chain with its failure policy.
   *
   * @param stage the stage
   * @param failureMode fail open or closed
   * @param onError the answer when it fails closed
   */
  public record Step(Stage stage, FailureMode failureMode, Verdict.Respond onError) {
    public static Step closed(Stage stage, int status, String errorKey, String detail) {
      return new Step(stage, FailureMode.CLOSED, Verdict.deny(status, errorKey, detail));
    }

    public static Step open(Stage stage) {
      return new Step(stage, FailureMode.OPEN, null);
    }
  }

  private static final Verdict.Respond TIMEOUT = Verdict.deny(504, "decision_timeout",
      "The decision did not complete within the request deadline");

  private final List<Step> chain;
  private final Step tail;
  private final StageObserver observer;

  /**
   * @param chain the stages in execution order (cheap denies first); validated for duplicates
   * @param tail the always-run stage (audit)
   * @param observer receives timings and outcomes
   */
  public PipelineRunner(List<Step> chain, Step tail, StageObserver observer) {
    this.chain = List.copyOf(chain);
    this.tail = tail;
    this.observer = observer;
    java.util.EnumSet<StageId> seen = java.util.EnumSet.noneOf(StageId.class);
    for (Step s : chain) {
      if (!seen.add(s.stage().id())) {
        throw new IllegalArgumentException("stage listed twice: " + s.stage().id());
      }
    }
    if (seen.contains(tail.stage().id())) {
      throw new IllegalArgumentException("tail stage also in chain: " + tail.stage().id());
    }
  }

  /** The execution order (for startup logging and tests). */
  public List<StageId> order() {
    return chain.stream().map(s -> s.stage().id()).toList();
  }

  /**
   * Runs the chain and the tail. The returned future always succeeds; the outcome is in
   * {@code ctx} ({@link RequestContext#terminal()} is null when the request was allowed).
   */
  public Future<RequestContext> run(RequestContext ctx) {
    return runFrom(0, ctx).transform(ignored -> runTail(ctx)).map(v -> ctx);
  }

  private Future<Void> runFrom(int index, RequestContext ctx) {
    int i = index;
    while (i < chain.size()) {
      Step step = chain.get(i);
      StageId id = step.stage().id();
      if (System.nanoTime() >= ctx.deadlineNanos()) {
        observer.onStage(id, StageObserver.Outcome.TIMEOUT, 0);
        ctx.terminal(id, TIMEOUT);
        return Future.succeededFuture();
      }
      long t0 = System.nanoTime();
      Future<Verdict> f = invoke(step.stage(), ctx);
      if (f.isComplete()) {
        if (handle(step, ctx, f, t0)) {
          return Future.succeededFuture();
        }
        i++;
        continue;
      }
      long remaining = Math.max(1, (ctx.deadlineNanos() - System.nanoTime() + 999_999) / 1_000_000);
      int next = i + 1;
      return f.timeout(remaining, TimeUnit.MILLISECONDS).transform(ar -> {
        if (handle(step, ctx, ar, t0)) {
          return Future.succeededFuture();
        }
        return runFrom(next, ctx);
      });
    }
    return Future.succeededFuture();
  }

  /** @return true when the chain must stop */
  private boolean handle(Step step, RequestContext ctx, AsyncResult<Verdict> ar, long t0) {
    StageId id = step.stage().id();
    long nanos = System.nanoTime() - t0;
    ctx.stageMicros(id, nanos / 1000);
    if (ar.succeeded()) {
      Verdict v = ar.result();
      if (v instanceof Verdict.Respond r) {
        observer.onStage(id, StageObserver.Outcome.RESPOND, nanos);
        ctx.terminal(id, r);
        return true;
      }
      observer.onStage(id, StageObserver.Outcome.PROCEED, nanos);
      return false;
    }
    // the runner's own deadline timer (rounded up to whole ms; 2 ms of timer slack tolerated)
    if (ar.cause() instanceof TimeoutException && System.nanoTime() >= ctx.deadlineNanos() - 2_000_000L) {
      observer.onStage(id, StageObserver.Outcome.TIMEOUT, nanos);
      ctx.terminal(id, TIMEOUT);
      return true;
    }
    if (step.failureMode() == FailureMode.OPEN) {
      observer.onStage(id, StageObserver.Outcome.FAIL_OPEN, nanos);
      return false;
    }
    observer.onStage(id, StageObserver.Outcome.ERROR, nanos);
    ctx.terminal(id, step.onError());
    return true;
  }

  private Future<Void> runTail(RequestContext ctx) {
    long t0 = System.nanoTime();
    return invoke(tail.stage(), ctx).transform(ar -> {
      long nanos = System.nanoTime() - t0;
      ctx.stageMicros(tail.stage().id(), nanos / 1000);
      if (ar.succeeded()) {
        observer.onStage(tail.stage().id(),
            ar.result() instanceof Verdict.Respond ? StageObserver.Outcome.RESPOND
                : StageObserver.Outcome.PROCEED, nanos);
        if (ar.result() instanceof Verdict.Respond r) {
          ctx.overrideTerminal(tail.stage().id(), r);
        }
      } else {
        observer.onStage(tail.stage().id(), StageObserver.Outcome.ERROR, nanos);
        if (tail.failureMode() == FailureMode.CLOSED) {
          ctx.overrideTerminal(tail.stage().id(), tail.onError());
        }
      }
      return Future.<Void>succeededFuture();
    });
  }

  private static Future<Verdict> invoke(Stage stage, RequestContext ctx) {
    try {
      Future<Verdict> f = stage.apply(ctx);
      return f == null ? Future.failedFuture(new IllegalStateException(stage.id() + " returned null")) : f;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Unmodifiable view of the failure policy per stage (for docs and tests). */
  public Map<StageId, FailureMode> failureModes() {
    java.util.EnumMap<StageId, FailureMode> m = new java.util.EnumMap<>(StageId.class);
    chain.forEach(s -> m.put(s.stage().id(), s.failureMode()));
    m.put(tail.stage().id(), tail.failureMode());
    return java.util.Collections.unmodifiableMap(m);
  }
}
