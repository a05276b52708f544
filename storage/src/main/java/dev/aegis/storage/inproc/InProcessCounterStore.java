package dev.aegis.storage.inproc;

import dev.aegis.pipeline.ports.CounterStore;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Single-host {@link CounterStore}, the in-process twin of {@code RedisCounterStore} (same contract
 * tests).
 *
 * <p><b>Algorithm.</b> A {@link ConcurrentHashMap} maps each key to an immutable {@link Window}
 * (count, expiry instant). {@link #increment} is one {@link ConcurrentHashMap#compute} per call,
 * atomic per key: an absent or expired window is replaced by {@code (1, now + ttl)}, a live one by
 * {@code (count + 1, same expiry)} — a fixed window, like {@code INCR} + {@code PEXPIRE} on
 * creation in Redis. A window is expired from the instant {@code now - expiresAt >= 0}, compared
 * wrap-safely on a monotonic nanosecond clock. The count saturates at {@link Long#MAX_VALUE}.
 *
 * <p><b>Bounded memory.</b> Expired windows are removed lazily (at most once per {@code
 * sweepInterval}, by whichever caller notices first) and by {@link #evictExpired()}, which a
 * periodic timer may call. At most {@code maxKeys} keys are held (approximately: concurrent
 * creations may overshoot by the number of racing threads). When the store is full, one extra sweep
 * is tried (at most once per second); if it frees nothing, an increment of a new key fails rather
 * than silently dropping live counts (which would let a flood of fresh keys reset, say, a
 * brute-force counter). Each entry costs roughly 120 bytes plus the key.
 *
 * <p>Every call answers immediately (the returned future is already complete) and never blocks.
 */
public final class InProcessCounterStore implements CounterStore {

  /** Default maximum number of counters. */
  public static final int DEFAULT_MAX_KEYS = 1_000_000;

  /** Default minimum time between two lazy sweeps. */
  public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(10);

  /** Minimum time between two sweeps forced by a full store. */
  static final long FORCED_SWEEP_GAP_NANOS = ExpiringMap.FORCED_SWEEP_GAP_NANOS;

  private final ExpiringMap<Window> windows;

  /** Uses {@link System#nanoTime()}, {@link #DEFAULT_MAX_KEYS} and {@link #DEFAULT_SWEEP_INTERVAL}. */
  public InProcessCounterStore() {
    this(System::nanoTime);
  }

  /**
   * @param nanoClock monotonic clock in nanoseconds (tests inject a fake one)
   */
  public InProcessCounterStore(LongSupplier nanoClock) {
    this(nanoClock, DEFAULT_MAX_KEYS, DEFAULT_SWEEP_INTERVAL);
  }

  /**
   * @param nanoClock monotonic clock in nanoseconds
   * @param maxKeys maximum number of counters, >= 1
   * @param sweepInterval minimum time between two lazy sweeps done on a caller's thread; {@link
   *     Duration#ZERO} disables lazy sweeping (then call {@link #evictExpired()} periodically)
   */
  public InProcessCounterStore(LongSupplier nanoClock, int maxKeys, Duration sweepInterval) {
    this.windows = new ExpiringMap<>(Window::expiresAt, nanoClock, maxKeys, sweepInterval);
  }

  @Override
  public Future<Long> increment(String key, long ttlMillis) {
    if (key == null) {
      return Future.failedFuture(new NullPointerException("key"));
    }
    if (ttlMillis <= 0) {
      return Future.failedFuture(new IllegalArgumentException("ttlMillis must be > 0, got " + ttlMillis));
    }
    long now = windows.now();
    if (!windows.admit(key, now)) {
      return Future.failedFuture(new IllegalStateException(
          "counter store full; refusing rather than dropping live counts"));
    }
    long expiresAt = now + ExpiringMap.toNanos(ttlMillis);
    Window w = windows.compute(key, (k, current) -> {
      if (current == null || windows.expired(current, now)) {
        return new Window(1, expiresAt);
      }
      long next = current.count == Long.MAX_VALUE ? Long.MAX_VALUE : current.count + 1;
      return new Window(next, current.expiresAt);
    });
    return Future.succeededFuture(w.count);
  }

  @Override
  public Future<Long> get(String key) {
    if (key == null) {
      return Future.failedFuture(new NullPointerException("key"));
    }
    Window w = windows.get(key);
    return Future.succeededFuture(w == null || windows.expired(w, windows.now()) ? 0L : w.count);
  }

  @Override
  public Future<Void> reset(String key) {
    if (key == null) {
      return Future.failedFuture(new NullPointerException("key"));
    }
    windows.remove(key);
    return Future.succeededFuture();
  }

  /**
   * Removes every expired window. Safe to call concurrently with {@link #increment}: a window is
   * removed only if it is still expired at the moment of removal.
   *
   * @return the number of keys removed
   */
  public int evictExpired() {
    return windows.evictExpired(windows.now());
  }

  /** Number of counters currently held in memory (expired ones included until swept). */
  public int size() {
    return windows.size();
  }

  /**
   * @param count increments in this window
   * @param expiresAt clock reading at which the window ends
   */
  private record Window(long count, long expiresAt) {}
}
