package dev.aegis.storage;

import dev.aegis.pipeline.ports.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** With its primary down, the fail-open wrapper still honours the whole contract (locally). */
class FailOpenRateLimiterContractTest extends RateLimiterContractTest {

  @Override
  protected RateLimiter createLimiter(Vertx vertx) {
    RateLimiter down = (key, rate, burst) -> Future.failedFuture(new IllegalStateException("store down"));
    return new FailOpenRateLimiter(down, 250);
  }
}
