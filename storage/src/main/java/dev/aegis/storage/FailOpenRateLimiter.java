package dev.aegis.storage;

import dev.aegis.pipeline.ports.RateLimiter;
import dev.aegis.storage.inproc.InProcessRateLimiter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fail-open wrapper (DESIGN.md §8: "Redis rate-limit store: fail open to local limits, counted").
 *
 * <p>Every call goes to the primary (cluster-wide, Redis) limiter. When the primary fails, throws,
 * or has not answered within {@code timeoutMillis}, the call is answered by a local limiter instead,
 * {@link #fallbacks()} is incremented, and a warning is logged at most once per {@value
 * #LOG_EVERY_SECONDS} s. Nothing is sticky: the next call tries the primary again, so recovery is
 * immediate once the primary answers.
 *
 * <p>The local limiter can be given a share of the limit ({@code localShareDivisor} = number of
 * gateway nodes): it then admits {@code rate / n} per second with a burst of {@code max(1, burst /
 * n)}, so the cluster as a whole stays close to the configured limit while Redis is down
 * (RELIABILITY.md §3 goal 1).
 */
public final class FailOpenRateLimiter implements RateLimiter {

  static final long LOG_EVERY_SECONDS = 10;
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(LOG_EVERY_SECONDS);
  private static final Logger LOG = LoggerFactory.getLogger(FailOpenRateLimiter.class);

  private final RateLimiter primary;
  private final RateLimiter local;
  private final long timeoutMillis;
  private final int localShareDivisor;
  private final AtomicLong fallbacks = new AtomicLong();
  private final AtomicLong lastLogAt;
  private final AtomicLong warningsLogged = new AtomicLong();

  /** Falls back to a fresh {@link InProcessRateLimiter} with the full limit. */
  public FailOpenRateLimiter(RateLimiter primary, long timeoutMillis) {
    this(primary, new InProcessRateLimiter(), timeoutMillis, 1);
  }

  /**
   * @param primary the shared limiter (Redis)
   * @param local the per-node limiter used while the primary is unavailable
   * @param timeoutMillis how long to wait for the primary, > 0
   * @param localShareDivisor divide rate and burst by this on fallback (number of nodes), >= 1
   */
  public FailOpenRateLimiter(
      RateLimiter primary, RateLimiter local, long timeoutMillis, int localShareDivisor) {
    this.primary = Objects.requireNonNull(primary, "primary");
    this.local = Objects.requireNonNull(local, "local");
    if (timeoutMillis <= 0) {
      throw new IllegalArgumentException("timeoutMillis must be > 0");
    }
    if (localShareDivisor < 1) {
      throw new IllegalArgumentException("localShareDivisor must be >= 1");
    }
    this.timeoutMillis = timeoutMillis;
    this.localShareDivisor = localShareDivisor;
    this.lastLogAt = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
  }

  @Override
  public Future<Result> tryAcquire(String key, double ratePerSecond, int burst) {
    if (key == null || !(ratePerSecond > 0) || Double.isInfinite(ratePerSecond) || burst < 1) {
      // a caller bug, not an unavailable store: neither limiter is asked, nothing is counted
      return Future.failedFuture(new IllegalArgumentException(
          "key must be non-null, ratePerSecond finite and > 0, burst >= 1; got "
              + key + ", " + ratePerSecond + ", " + burst));
    }
    Future<Result> fromPrimary;
    try {
      fromPrimary = primary.tryAcquire(key, ratePerSecond, burst);
      if (fromPrimary == null) {
        fromPrimary = Future.failedFuture(new IllegalStateException("primary returned null"));
      }
    } catch (RuntimeException e) {
      fromPrimary = Future.failedFuture(e);
    }
    Context caller = Vertx.currentContext();
    // timeout() returns the future itself when it is already complete, and cancels its timer
    // as soon as the primary answers.
    Future<Result> answer = fromPrimary
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .recover(err -> fallback(key, ratePerSecond, burst, err));
    return onCallerContext(answer, caller);
  }

  /**
   * A primary that answers with a context-less future would otherwise complete the timeout on
   * Netty's global executor, and the caller's callbacks would run there instead of on its event
   * loop. Hop back to the caller's context when needed.
   */
  private static Future<Result> onCallerContext(Future<Result> answer, Context caller) {
    if (caller == null || answer.isComplete()) {
      return answer; // callbacks added later run on the thread that adds them, i.e. the caller's
    }
    Promise<Result> delivered = Promise.promise();
    answer.onComplete(ar -> {
      if (Vertx.currentContext() == caller) {
        delivered.handle(ar);
      } else {
        caller.runOnContext(v -> delivered.handle(ar));
      }
    });
    return delivered.future();
  }

  private Future<Result> fallback(String key, double ratePerSecond, int burst, Throwable cause) {
    long n = fallbacks.incrementAndGet();
    maybeLog(n, cause);
    int div = localShareDivisor;
    return local.tryAcquire(key, ratePerSecond / div, Math.max(1, burst / div));
  }

  private void maybeLog(long total, Throwable cause) {
    long now = System.nanoTime();
    long last = lastLogAt.get();
    if (now - last >= LOG_EVERY_NANOS && lastLogAt.compareAndSet(last, now)) {
      warningsLogged.incrementAndGet();
      LOG.warn("rate-limit store unavailable ({}), failing open to the local limiter; "
          + "{} fallbacks so far", String.valueOf(cause), total);
    }
  }

  /** Calls answered by the local limiter because the primary failed or timed out. */
  public long fallbacks() {
    return fallbacks.get();
  }

  /** Visible for tests: how many fallback warnings were logged. */
  long warningsLogged() {
    return warningsLogged.get();
  }
}
