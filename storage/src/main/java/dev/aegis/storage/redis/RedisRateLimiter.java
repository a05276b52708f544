package dev.aegis.storage.redis;

import dev.aegis.pipeline.ports.RateLimiter;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.Objects;

/**
 * Cluster-wide token bucket in Redis: one atomic Lua script ({@code redis/token_bucket.lua}),
 * the same algorithm as {@link dev.aegis.storage.inproc.InProcessRateLimiter}.
 *
 * <ul>
 *   <li>The script is read from the classpath once; its SHA-1 is computed locally. Calls use
 *       {@code EVALSHA}; on {@code NOSCRIPT} (first use, Redis restart, {@code SCRIPT FLUSH}) the
 *       call is retried once with {@code EVAL}, which also caches the script again.
 *   <li>The script reads the clock with Redis {@code TIME}, so gateway clock skew changes nothing.
 *   <li>Keys are {@value #KEY_PREFIX}{@code <key>} and expire once the bucket would be full again
 *       plus one second, so idle keys never accumulate.
 *   <li>Any Redis error fails the returned future; the caller (typically {@code
 *       FailOpenRateLimiter}) decides whether to fail open.
 * </ul>
 */
public final class RedisRateLimiter implements RateLimiter {

  /** Prefix of every key this limiter writes. */
  public static final String KEY_PREFIX = "aegis:rl:";

  /** Classpath location of the Lua script. */
  public static final String SCRIPT_RESOURCE = "/redis/token_bucket.lua";

  private static final String SCRIPT = loadScript();

  private final RedisAPI redis;
  private final LuaScript script;

  /**
   * @param redis client (pooled {@code Redis} or a single connection wrapped by {@code
   *     RedisAPI.api(...)})
   */
  public RedisRateLimiter(RedisAPI redis) {
    this(redis, SCRIPT);
  }

  /** Visible for tests: a variant of the script (e.g. with a nonce) to exercise NOSCRIPT. */
  RedisRateLimiter(RedisAPI redis, String script) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.script = new LuaScript(script);
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
    // Double.toString never uses a locale; Lua's tonumber reads its output, exponent included.
    return script.call(redis, KEY_PREFIX + key, Double.toString(ratePerSecond), Integer.toString(burst))
        .map(RedisRateLimiter::toResult);
  }

  /** Number of calls that met NOSCRIPT and were retried with EVAL. */
  public long evalFallbacks() {
    return script.evalFallbacks();
  }

  /** SHA-1 of the script as Redis computes it ({@code SCRIPT LOAD} would return the same). */
  public String scriptSha() {
    return script.sha();
  }

  private static Result toResult(Response r) {
    if (r == null || r.size() != 3) {
      throw new IllegalStateException("unexpected token bucket reply: " + r);
    }
    boolean allowed = r.get(0).toLong() == 1L;
    double retryAfter = allowed ? 0.0 : r.get(1).toLong() / 1e6;
    return new Result(allowed, retryAfter, r.get(2).toLong());
  }


  static String loadScript() {
    return LuaScript.load(SCRIPT_RESOURCE);
  }

}
