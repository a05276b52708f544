package dev.aegis.storage.inproc;

import dev.aegis.pipeline.ports.OnceStore;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Single-host {@link OnceStore}, the in-process twin of {@code RedisOnceStore} (same contract
 * tests).
 *
 * <p><b>Algorithm.</b> A {@link ConcurrentHashMap} maps each remembered key to the clock reading at
 * which it is forgotten. {@link #firstUse} is one {@link ConcurrentHashMap#compute} per call, which
 * is atomic per key: an absent or expired entry is replaced by {@code now + ttl} (first use), a
 * live entry is left untouched (replay; the window is not extended). A key is expired from the
 * instant {@code now - expiresAt >= 0}, compared wrap-safely on a monotonic nanosecond clock.
 *
 * <p><b>Bounded memory.</b> Expired entries are removed lazily (at most once per {@code
 * sweepInterval}, by whichever caller notices first) and by {@link #evictExpired()}, which a
 * periodic timer may call. At most {@code maxKeys} keys are held (approximately: concurrent first
 * uses may overshoot by the number of racing threads). When the store is full, one extra sweep is
 * tried (at most once per second); if it frees nothing, the call fails instead of evicting a live
 * key, because forgetting a live key would admit a replay. Each entry costs roughly 100 bytes plus
 * the key.
 *
 * <p>Every call answers immediately (the returned future is already complete) and never blocks;
 * a sweep costs time linear in the number of keys, so with very many keys call {@link
 * #evictExpired()} from a periodic timer or a worker instead of relying on the lazy sweep.
 */
public final class InProcessOnceStore implements OnceStore {

  /** Default maximum number of remembered keys. */
  public static final int DEFAULT_MAX_KEYS = 1_000_000;

  /** Default minimum time between two lazy sweeps. */
  public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(10);

  /** Minimum time between two sweeps forced by a full store. */
  static final long FORCED_SWEEP_GAP_NANOS = ExpiringMap.FORCED_SWEEP_GAP_NANOS;

  private final ExpiringMap<Long> expiries;

  /** Uses {@link System#nanoTime()}, {@link #DEFAULT_MAX_KEYS} and {@link #DEFAULT_SWEEP_INTERVAL}. */
  public InProcessOnceStore() {
    this(System::nanoTime);
  }

  /**
   * @param nanoClock monotonic clock in nanoseconds (tests inject a fake one)
   */
  public InProcessOnceStore(LongSupplier nanoClock) {
    this(nanoClock, DEFAULT_MAX_KEYS, DEFAULT_SWEEP_INTERVAL);
  }

  /**
   * @param nanoClock monotonic clock in nanoseconds
   * @param maxKeys maximum number of remembered keys, >= 1
   * @param sweepInterval minimum time between two lazy sweeps done on a caller's thread; {@link
   *     Duration#ZERO} disables lazy sweeping (then call {@link #evictExpired()} periodically)
   */
  public InProcessOnceStore(LongSupplier nanoClock, int maxKeys, Duration sweepInterval) {
    this.expiries = new ExpiringMap<>(Long::longValue, nanoClock, maxKeys, sweepInterval);
  }

  @Override
  public Future<Boolean> firstUse(String key, long ttlMillis) {
    if (key == null) {
      return Future.failedFuture(new NullPointerException("key"));
    }
    if (ttlMillis <= 0) {
      return Future.failedFuture(new IllegalArgumentException("ttlMillis must be > 0, got " + ttlMillis));
    }
    long now = expiries.now();
    if (!expiries.admit(key, now)) {
      return Future.failedFuture(new IllegalStateException(
          "once store full; refusing rather than forgetting a live key"));
    }
    long expiresAt = now + ExpiringMap.toNanos(ttlMillis);
    boolean[] first = new boolean[1];
    expiries.compute(key, (k, current) -> {
      if (current != null && now - current < 0) {
        return current; // remembered: a replay, the window is not extended
      }
      first[0] = true;
      return expiresAt;
    });
    return Future.succeededFuture(first[0]);
  }

  /**
   * Removes every expired key. Safe to call concurrently with {@link #firstUse}: an entry is
   * removed only if it is still expired at the moment of removal.
   *
   * @return the number of keys removed
   */
  public int evictExpired() {
    return expiries.evictExpired(expiries.now());
  }

  /** Number of keys currently held in memory (expired ones included until swept). */
  public int size() {
    return expiries.size();
  }
}
