package dev.aegis.verticles.runtime;

import dev.aegis.pipeline.ports.BehaviorResult;
import dev.aegis.pipeline.ports.BehaviorScorer;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The first behavioural signal: per-agent call velocity. Calls are counted in one-second buckets
 * over a sliding 60 s window; the velocity risk is 0 up to {@code callsPerMinuteThreshold}, then
 * rises linearly to 1.0 at four times the threshold. The signal is reported as the anomaly score
 * (and half of it as behaviour risk), so a runaway agent is throttled and then escalated by the
 * decision engine. In-process, approximate under races (counters are not locked together), and
 * bounded: idle agents are dropped by {@link #sweep}.
 */
public final class VelocityBehaviorScorer implements BehaviorScorer {

  private static final int WINDOW = 60;

  private static final class Window {
    final AtomicLongArray counts = new AtomicLongArray(WINDOW);
    final AtomicLongArray seconds = new AtomicLongArray(WINDOW);
    volatile long lastSeen;
  }

  private final double threshold;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  public VelocityBehaviorScorer(double callsPerMinuteThreshold) {
    this.threshold = callsPerMinuteThreshold;
  }

  @Override
  public Future<BehaviorResult> score(String tenantId, String agentId, String tool, long nowMillis) {
    long sec = nowMillis / 1000;
    Window w = windows.computeIfAbsent(tenantId + ":" + agentId, k -> new Window());
    w.lastSeen = sec;
    int slot = (int) (sec % WINDOW);
    if (w.seconds.get(slot) != sec) {
      w.seconds.set(slot, sec);
      w.counts.set(slot, 0);
    }
    w.counts.incrementAndGet(slot);
    long total = 0;
    for (int i = 0; i < WINDOW; i++) {
      if (sec - w.seconds.get(i) < WINDOW) {
        total += w.counts.get(i);
      }
    }
    double velocity = total <= threshold ? 0.0 : Math.min(1.0, (total - threshold) / (3.0 * threshold));
    List<String> flags = velocity > 0 ? List.of("velocity_above_baseline") : List.of();
    return Future.succeededFuture(new BehaviorResult(velocity * 0.5, velocity, 0.0, 0.0, flags, "ok"));
  }

  /** Drops agents idle for more than the window. */
  public void sweep(long nowMillis) {
    long sec = nowMillis / 1000;
    windows.values().removeIf(w -> sec - w.lastSeen > WINDOW);
  }
}
