package dev.aegis.storage.inproc;

import dev.aegis.pipeline.ports.RateLimiter;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Single-host token bucket, the in-process twin of {@code RedisRateLimiter} (same algorithm, same
 * contract tests).
 *
 * <p><b>Algorithm.</b> Each key holds a token bucket of capacity {@code burst} that refills
 * continuously at {@code ratePerSecond}. Tokens are kept in fixed point, {@value #UNITS_PER_TOKEN}
 * units per token, so that one unit of refill per nanosecond equals one token per second and the
 * arithmetic stays exact for integer rates:
 *
 * <pre>
 *   units  = min(capacity, units + floor((now - stamp) * rate))    // refill, capped at burst
 *   if units >= 1 token: units -= 1 token; stamp = now; ALLOW      // take one
 *   else DENY, retry after ceil((1 token - units) / rate) ns        // nothing is written
 * </pre>
 *
 * A fresh (or evicted) key is a full bucket. A denied call writes nothing, so rejected traffic can
 * neither drain refill nor contend on the CAS. The fraction of a unit lost by the floor is at most
 * 10<sup>-9</sup> token per admitted call and always errs on the side of admitting less.
 *
 * <p><b>Concurrency.</b> Per-key state is an immutable {@link State} in an {@link AtomicReference}
 * held by a {@link ConcurrentHashMap}; updates are a lock-free CAS loop, so several event loops can
 * call {@link #tryAcquire} at once without blocking and without over-admission.
 *
 * <p><b>Bounded memory.</b> Every state records the instant its bucket is full again. A bucket that
 * has been full for longer than {@code idleMargin} is indistinguishable from a fresh key, so it is
 * removed: lazily (at most once per {@code sweepInterval}, by whichever caller notices first) and by
 * {@link #evictIdle()}, which a periodic timer may call. A full bucket is refilled at the latest
 * {@code burst / rate} after its last admitted call, so a key lives at most {@code burst/rate +
 * idleMargin + sweepInterval} after its last use. Eviction tombstones the state by CAS before
 * removing the entry, so a racing caller can never take a token from an orphaned bucket.
 *
 * <p>Rate and burst are per call; if they change for a key the bucket is re-capped at the new
 * burst and refilled at the new rate from then on.
 */
public final class InProcessRateLimiter implements RateLimiter {

  /** Fixed-point units per token; with a nanosecond clock, refill in units/ns == tokens/s. */
  public static final long UNITS_PER_TOKEN = 1_000_000_000L;

  /** Default time a bucket stays in memory after it is full again. */
  public static final Duration DEFAULT_IDLE_MARGIN = Duration.ofSeconds(1);

  /** Default minimum time between two lazy sweeps. */
  public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(10);

  /** Caps "time until full" so that timestamps never overflow (about 73 years). */
  private static final long MAX_SPAN_NANOS = 1L << 61;

  /** Tombstone: the bucket was evicted; callers holding it must look the key up again. */
  private static final State EVICTED = new State(0, 0, 0);

  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final LongSupplier nanoClock;
  private final long idleMarginNanos;
  private final long sweepIntervalNanos;
  private final AtomicLong nextSweepAt;

  /** Uses {@link System#nanoTime()} and the default idle margin and sweep interval. */
  public InProcessRateLimiter() {
    this(System::nanoTime);
  }

  /**
   * @param nanoClock monotonic clock in nanoseconds (tests inject a fake one)
   */
  public InProcessRateLimiter(LongSupplier nanoClock) {
    this(nanoClock, DEFAULT_IDLE_MARGIN, DEFAULT_SWEEP_INTERVAL);
  }

  /**
   * @param nanoClock monotonic clock in nanoseconds
   * @param idleMargin how long a bucket is kept after it is full again, >= 0
   * @param sweepInterval minimum time between two lazy sweeps done on a caller's thread; {@link
   *     Duration#ZERO} disables lazy sweeping (then call {@link #evictIdle()} periodically)
   */
  public InProcessRateLimiter(LongSupplier nanoClock, Duration idleMargin, Duration sweepInterval) {
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    if (idleMargin.isNegative() || sweepInterval.isNegative()) {
      throw new IllegalArgumentException("idleMargin and sweepInterval must be >= 0");
    }
    this.idleMarginNanos = Math.min(idleMargin.toNanos(), MAX_SPAN_NANOS);
    this.sweepIntervalNanos = Math.min(sweepInterval.toNanos(), MAX_SPAN_NANOS);
    this.nextSweepAt = new AtomicLong(nanoClock.getAsLong() + sweepIntervalNanos);
  }

  @Override
  public Future<Result> tryAcquire(String key, double ratePerSecond, int burst) {
    if (key == null) {
      return Future.failedFuture(new NullPointerException("key"));
    }
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond) || burst < 1) {
      return Future.failedFuture(new IllegalArgumentException(
          "ratePerSecond must be finite and > 0 and burst >= 1, got " + ratePerSecond + ", " + burst));
    }
    long now = nanoClock.getAsLong();
    Result result = acquire(key, ratePerSecond, burst, now);
    maybeSweep(now);
    return Future.succeededFuture(result);
  }

  private Result acquire(String key, double rate, int burst, long now) {
    long capacity = burst * UNITS_PER_TOKEN; // burst <= 2^31 - 1, so no overflow
    for (;;) {
      Bucket bucket = buckets.get(key);
      if (bucket == null) {
        bucket = buckets.computeIfAbsent(key, k -> new Bucket());
      }
      State current = bucket.get();
      if (current == EVICTED) {
        buckets.remove(key, bucket); // help the sweeper, then retry with a fresh bucket
        continue;
      }
      long units;
      long stamp;
      if (current == null) { // fresh key: full bucket
        units = capacity;
        stamp = now;
      } else {
        units = Math.min(current.units, capacity);
        long elapsed = now - current.stamp;
        if (elapsed > 0) {
          double add = elapsed * rate;
          if (add >= (double) (capacity - units)) {
            units = capacity;
          } else {
            units += (long) add; // floor: never credit more than was earned
          }
          stamp = now;
        } else {
          stamp = current.stamp; // clock did not advance (or went back): no refill
        }
      }
      if (units < UNITS_PER_TOKEN) {
        // Denied: nothing to write. Seconds until one whole token, rounded up to the nanosecond.
        double waitNanos = Math.ceil((UNITS_PER_TOKEN - units) / rate);
        return new Result(false, waitNanos / 1e9, 0);
      }
      units -= UNITS_PER_TOKEN;
      State next = new State(units, stamp, stamp + nanosUntilFull(capacity - units, rate));
      if (bucket.compareAndSet(current, next)) {
        return new Result(true, 0.0, units / UNITS_PER_TOKEN);
      }
      // lost a race with another caller (or the sweeper): recompute from the new state
    }
  }

  private static long nanosUntilFull(long missingUnits, double rate) {
    double nanos = Math.ceil(missingUnits / rate);
    return nanos >= MAX_SPAN_NANOS ? MAX_SPAN_NANOS : (long) nanos;
  }

  private void maybeSweep(long now) {
    if (sweepIntervalNanos == 0) {
      return;
    }
    long due = nextSweepAt.get();
    if (now - due >= 0 && nextSweepAt.compareAndSet(due, now + sweepIntervalNanos)) {
      evictIdle(now);
    }
  }

  /**
   * Removes every bucket that has been full for longer than the idle margin. Safe to call
   * concurrently with {@link #tryAcquire}; cost is linear in the number of keys, so with very many
   * keys call it from a worker or a periodic timer rather than relying on the lazy sweep.
   *
   * @return the number of buckets removed
   */
  public int evictIdle() {
    return evictIdle(nanoClock.getAsLong());
  }

  private int evictIdle(long now) {
    int evicted = 0;
    for (Map.Entry<String, Bucket> e : buckets.entrySet()) {
      Bucket bucket = e.getValue();
      State s = bucket.get();
      if (s == EVICTED) {
        buckets.remove(e.getKey(), bucket);
      } else if (s != null && now - s.fullAt > idleMarginNanos && bucket.compareAndSet(s, EVICTED)) {
        buckets.remove(e.getKey(), bucket);
        evicted++;
      }
    }
    return evicted;
  }

  /** Number of keys currently held in memory. */
  public int size() {
    return buckets.size();
  }

  /**
   * @param units fixed-point tokens left after the last admitted call
   * @param stamp clock reading of that refill
   * @param fullAt clock reading at which the bucket is full again
   */
  private record State(long units, long stamp, long fullAt) {}

  private static final class Bucket extends AtomicReference<State> {
    Bucket() {
      super(null); // null = never used = full
    }
  }
}
