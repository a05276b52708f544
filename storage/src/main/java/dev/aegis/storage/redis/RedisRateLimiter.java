package dev.aegis.storage.redis;

import dev.aegis.pipeline.ports.RateLimiter;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

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
  private final String script;
  private final String sha;
  private final AtomicLong evalFallbacks = new AtomicLong();

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
    this.script = Objects.requireNonNull(script, "script");
    this.sha = sha1Hex(script);
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
    String redisKey = KEY_PREFIX + key;
    // Double.toString never uses a locale; Lua's tonumber reads its output, exponent included.
    String rate = Double.toString(ratePerSecond);
    String cap = Integer.toString(burst);
    Future<Response> reply;
    try {
      reply = redis.evalsha(List.of(sha, "1", redisKey, rate, cap))
          .recover(err -> {
            if (isNoScript(err)) {
              evalFallbacks.incrementAndGet();
              return redis.eval(List.of(script, "1", redisKey, rate, cap));
            }
            return Future.failedFuture(err);
          });
    } catch (RuntimeException e) { // a client that throws instead of failing the future
      return Future.failedFuture(e);
    }
    return reply.map(RedisRateLimiter::toResult);
  }

  /** Number of calls that met NOSCRIPT and were retried with EVAL. */
  public long evalFallbacks() {
    return evalFallbacks.get();
  }

  /** SHA-1 of the script as Redis computes it ({@code SCRIPT LOAD} would return the same). */
  public String scriptSha() {
    return sha;
  }

  private static Result toResult(Response r) {
    if (r == null || r.size() != 3) {
      throw new IllegalStateException("unexpected token bucket reply: " + r);
    }
    boolean allowed = r.get(0).toLong() == 1L;
    double retryAfter = allowed ? 0.0 : r.get(1).toLong() / 1e6;
    return new Result(allowed, retryAfter, r.get(2).toLong());
  }

  private static boolean isNoScript(Throwable err) {
    String msg = err.getMessage();
    return msg != null && msg.startsWith("NOSCRIPT");
  }

  static String loadScript() {
    try (InputStream in = RedisRateLimiter.class.getResourceAsStream(SCRIPT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + SCRIPT_RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1Hex(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 unavailable", e);
    }
  }
}
