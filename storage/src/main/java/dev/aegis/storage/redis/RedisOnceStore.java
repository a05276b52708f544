package dev.aegis.storage.redis;

import dev.aegis.pipeline.ports.OnceStore;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.util.List;
import java.util.Objects;

/**
 * Cluster-wide {@link OnceStore}: {@code SET aegis:once:<key> 1 NX PX <ttl>}, one atomic command.
 * {@code OK} means the key was absent (first use); a null reply means it is still remembered (a
 * replay, whose TTL is left alone). Expiry is Redis' own, so gateway clocks play no part. Any Redis
 * error fails the returned future.
 */
public final class RedisOnceStore implements OnceStore {

  /** Prefix of every key this store writes. */
  public static final String KEY_PREFIX = "aegis:once:";

  private final RedisAPI redis;

  /**
   * @param redis client (pooled {@code Redis} or a single connection wrapped by {@code
   *     RedisAPI.api(...)})
   */
  public RedisOnceStore(RedisAPI redis) {
    this.redis = Objects.requireNonNull(redis, "redis");
  }

  @Override
  public Future<Boolean> firstUse(String key, long ttlMillis) {
    if (key == null) {
      return Future.failedFuture(new NullPointerException("key"));
    }
    if (ttlMillis <= 0) {
      return Future.failedFuture(new IllegalArgumentException("ttlMillis must be > 0, got " + ttlMillis));
    }
    try {
      return redis.set(List.of(KEY_PREFIX + key, "1", "NX", "PX", Long.toString(ttlMillis)))
          .map(reply -> reply != null && "OK".equals(reply.toString()));
    } catch (RuntimeException e) { // a client that throws instead of failing the future
      return Future.failedFuture(e);
    }
  }
}
