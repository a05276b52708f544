package dev.aegis.pipeline.ports;

import io.vertx.core.Future;

/**
 * Token bucket: refills at {@code ratePerSecond} up to {@code burst}; each call takes one token.
 * The Redis and in-process implementations pass the same contract tests.
 */
public interface RateLimiter {

  /**
   * @param key bucket key (e.g. {@code tenant:<id>})
   * @param ratePerSecond refill rate, > 0
   * @param burst bucket capacity, >= 1
   * @return whether a token was taken and, if not, the seconds until one is available
   */
  Future<Result> tryAcquire(String key, double ratePerSecond, int burst);

  /**
   * @param allowed a token was taken
   * @param retryAfterSeconds seconds until the next token (0 when allowed)
   * @param remaining whole tokens left after this call
   */
  record Result(boolean allowed, double retryAfterSeconds, long remaining) {}
}
