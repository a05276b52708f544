package dev.aegis.verticles.policy;

import dev.aegis.pipeline.ports.ShadowRecorder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 4's {@link ShadowRecorder}: buffers divergent shadow decisions and writes them in batches
 * (SPEC §3.4 shadow mode). {@link #record} is called on the request's event loop (any of them)
 * and never blocks nor throws: it offers the decision to a bounded queue (when the queue is full
 * the new decision is dropped and {@link #dropped()} counts it) and, when the shadow would have
 * blocked, publishes it on the local event bus at {@link #WOULD_HAVE_BLOCKED}.
 *
 * <p>A periodic timer (and reaching {@code batchSize} pending rows) drains the queue into one
 * multi-row insert at a time; a failed insert loses its rows (counted in {@link #failed()}, logged
 * at most once a minute) rather than growing memory. {@link #close()} stops the timer and writes
 * everything still pending.
 */
public final class ShadowDecisionWriter implements ShadowRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(ShadowDecisionWriter.class);

  /** Event-bus address of would-have-blocked decisions (JSON, see {@link #event}). */
  public static final String WOULD_HAVE_BLOCKED = "aegis.policy.would_have_blocked";

  public static final int DEFAULT_CAPACITY = 10_000;
  public static final int DEFAULT_BATCH = 500;
  public static final long DEFAULT_FLUSH_MILLIS = 200;

  private static final long LOG_EVERY_NANOS = 60_000_000_000L;

  /** Where batches go: one insert of the whole list. */
  @FunctionalInterface
  public interface BatchSink {
    Future<?> insert(List<ShadowDecision> batch);
  }

  private final Vertx vertx;
  private final BatchSink sink;
  private final ArrayBlockingQueue<ShadowDecision> queue;
  private final int batchSize;
  private final long timer;
  private final AtomicBoolean flushing = new AtomicBoolean();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile boolean closed;
  private final AtomicLong recorded = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
  private Promise<Void> drained;

  /**
   * @param capacity most decisions held in memory
   * @param batchSize most rows per insert; reaching it pending triggers a flush
   * @param flushMillis period of the flush timer
   */
  public ShadowDecisionWriter(Vertx vertx, BatchSink sink, int capacity, int batchSize, long flushMillis) {
    this.vertx = vertx;
    this.sink = sink;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.batchSize = batchSize;
    this.timer = vertx.setPeriodic(flushMillis, t -> flush());
  }

  public ShadowDecisionWriter(Vertx vertx, BatchSink sink) {
    this(vertx, sink, DEFAULT_CAPACITY, DEFAULT_BATCH, DEFAULT_FLUSH_MILLIS);
  }

  @Override
  public void record(ShadowDecision d) {
    try {
      if (d == null) {
        return;
      }
      recorded.incrementAndGet();
      if (closed || !queue.offer(d)) {
        dropped.incrementAndGet();
      } else if (queue.size() >= batchSize && scheduled.compareAndSet(false, true)) {
        vertx.runOnContext(v -> {
          scheduled.set(false);
          flush();
        });
      }
      if (d.wouldHaveBlocked()) {
        vertx.eventBus().publish(WOULD_HAVE_BLOCKED, event(d));
      }
    } catch (RuntimeException e) {
      logFailure("recording a shadow decision", e);
    }
  }

  /** The event-bus payload: the SSE {@code would_have_blocked} event's fields. */
  public static JsonObject event(ShadowDecision d) {
    return new JsonObject().put("type", "would_have_blocked").put("tenant_id", d.tenantId())
        .put("request_id", d.requestId()).put("agent_id", d.agentId()).put("tool", d.tool())
        .put("shadow_version_id", d.shadowVersionId()).put("shadow_version", d.shadowVersion())
        .put("live_decision", d.liveDecision()).put("shadow_decision", d.shadowDecision())
        .put("rule_id", d.ruleId()).put("reason", d.reason())
        .put("at", d.at() == null ? null : d.at().toString());
  }

  /** Starts writing what is pending unless an insert is already running (which then continues). */
  void flush() {
    if (!flushing.compareAndSet(false, true)) {
      return;
    }
    List<ShadowDecision> batch = new ArrayList<>(Math.min(batchSize, queue.size()));
    queue.drainTo(batch, batchSize);
    if (batch.isEmpty()) {
      flushing.set(false);
      onIdle();
      return;
    }
    Future<?> f;
    try {
      f = sink.insert(batch);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        written.addAndGet(batch.size());
      } else {
        failed.addAndGet(batch.size());
        logFailure("writing " + batch.size() + " shadow decisions", ar.cause());
      }
      flushing.set(false);
      if (queue.size() >= batchSize || (closed && !queue.isEmpty())) {
        flush();
      } else if (queue.isEmpty()) {
        onIdle();
      }
    });
  }

  private synchronized void onIdle() {
    if (closed && drained != null && queue.isEmpty() && !flushing.get()) {
      drained.tryComplete();
    }
  }

  /**
   * Stops the timer, refuses new decisions (counted as dropped) and writes everything pending;
   * completes when the queue is empty and the last insert finished.
   */
  public Future<Void> close() {
    synchronized (this) {
      if (drained != null) {
        return drained.future();
      }
      closed = true;
      drained = Promise.promise();
    }
    vertx.cancelTimer(timer);
    Future<Void> f = drained.future();
    vertx.runOnContext(v -> {
      flush();
      onIdle();
    });
    return f;
  }

  /** Decisions handed to {@link #record}. */
  public long recorded() {
    return recorded.get();
  }

  /** Decisions dropped because the queue was full (or the writer closed). */
  public long dropped() {
    return dropped.get();
  }

  /** Decisions stored. */
  public long written() {
    return written.get();
  }

  /** Decisions lost to a failed insert. */
  public long failed() {
    return failed.get();
  }

  /** Decisions waiting in memory. */
  public int pending() {
    return queue.size();
  }

  private void logFailure(String what, Throwable e) {
    long now = System.nanoTime();
    long last = lastLog.get();
    if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
      LOG.warn("Shadow decisions: {} failed ({} lost so far, {} dropped): {}", what, failed.get(),
          dropped.get(), String.valueOf(e));
    }
  }
}
