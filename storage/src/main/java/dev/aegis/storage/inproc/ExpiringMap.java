package dev.aegis.storage.inproc;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The bounded, self-sweeping map behind the in-process once-store and counter store: entries
 * carry an expiry instant on a monotonic nanosecond clock (compared wrap-safely); expired ones are
 * removed lazily (at most once per {@code sweepInterval}, by whichever caller notices first) and by
 * {@link #evictExpired}. At most {@code maxKeys} keys are held (approximately: concurrent creations
 * may overshoot by the number of racing threads); when full, one extra sweep is tried at most once
 * per second and a new key is refused if it frees nothing — a live entry is never dropped. Thread
 * safe; never blocks.
 */
final class ExpiringMap<V> {

  /** Minimum time between two sweeps forced by a full map. */
  static final long FORCED_SWEEP_GAP_NANOS = 1_000_000_000L;

  /** Caps a TTL so that expiry instants never overflow (about 73 years). */
  static final long MAX_SPAN_NANOS = 1L << 61;

  private final ConcurrentHashMap<String, V> entries = new ConcurrentHashMap<>();
  private final ToLongFunction<V> expiresAt;
  private final LongSupplier nanoClock;
  private final int maxKeys;
  private final long sweepIntervalNanos;
  private final AtomicLong nextLazySweepAt;
  private final AtomicLong lastForcedSweepAt;

  /**
   * @param expiresAt the clock reading at which an entry ends
   * @param nanoClock monotonic clock in nanoseconds
   * @param maxKeys maximum number of keys, >= 1
   * @param sweepInterval minimum time between two lazy sweeps; {@link Duration#ZERO} disables them
   */
  ExpiringMap(ToLongFunction<V> expiresAt, LongSupplier nanoClock, int maxKeys, Duration sweepInterval) {
    this.expiresAt = expiresAt;
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    if (maxKeys < 1 || sweepInterval.isNegative()) {
      throw new IllegalArgumentException("maxKeys must be >= 1 and sweepInterval >= 0");
    }
    this.maxKeys = maxKeys;
    this.sweepIntervalNanos = Math.min(sweepInterval.toNanos(), MAX_SPAN_NANOS);
    long now = nanoClock.getAsLong();
    this.nextLazySweepAt = new AtomicLong(now + sweepIntervalNanos);
    this.lastForcedSweepAt = new AtomicLong(now - FORCED_SWEEP_GAP_NANOS);
  }

  static long toNanos(long ttlMillis) {
    return ttlMillis >= MAX_SPAN_NANOS / 1_000_000L ? MAX_SPAN_NANOS : ttlMillis * 1_000_000L;
  }

  long now() {
    return nanoClock.getAsLong();
  }

  boolean expired(V entry, long now) {
    return now - expiresAt.applyAsLong(entry) >= 0;
  }

  /**
   * Sweeps when one is due, then tells whether {@code key} may be written: it exists already, or
   * there is room (after a forced sweep when full).
   */
  boolean admit(String key, long now) {
    if (sweepIntervalNanos != 0) {
      long due = nextLazySweepAt.get();
      if (now - due >= 0 && nextLazySweepAt.compareAndSet(due, now + sweepIntervalNanos)) {
        evictExpired(now);
      }
    }
    if (entries.containsKey(key) || entries.size() < maxKeys) {
      return true;
    }
    long last = lastForcedSweepAt.get();
    if (now - last >= FORCED_SWEEP_GAP_NANOS && lastForcedSweepAt.compareAndSet(last, now)) {
      evictExpired(now);
    }
    return entries.size() < maxKeys;
  }

  V compute(String key, BiFunction<String, V, V> f) {
    return entries.compute(key, f);
  }

  V get(String key) {
    return entries.get(key);
  }

  void remove(String key) {
    entries.remove(key);
  }

  /**
   * Removes every expired entry; an entry is removed only if it is still expired at the moment of
   * removal, so a racing write that renewed it survives.
   *
   * @return the number of keys removed
   */
  int evictExpired(long now) {
    int[] evicted = new int[1];
    for (Map.Entry<String, V> e : entries.entrySet()) {
      if (expired(e.getValue(), now)) {
        entries.computeIfPresent(e.getKey(), (k, current) -> {
          if (expired(current, now)) {
            evicted[0]++;
            return null;
          }
          return current;
        });
      }
    }
    return evicted[0];
  }

  int size() {
    return entries.size();
  }
}
