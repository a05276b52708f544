package dev.aegis.storage.redis;

import dev.aegis.pipeline.ports.CounterStore;
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
 * Cluster-wide fixed-window {@link CounterStore} in Redis, the same semantics as {@link
 * dev.aegis.storage.inproc.InProcessCounterStore}.
 *
 * <ul>
 *   <li>{@link #increment} runs one atomic Lua script ({@value #SCRIPT_RESOURCE}): {@code INCR},
 *       then {@code PEXPIRE} when the key was just created, so the window starts at the first
 *       increment and is never extended. The script is read once and called with {@code EVALSHA};
 *       on {@code NOSCRIPT} (first use, Redis restart, {@code SCRIPT FLUSH}) the call is retried
 *       once with {@code EVAL}, which caches it again.
 *   <li>{@link #get} is {@code GET} (absent = 0), {@link #reset} is {@code DEL}.
 *   <li>Keys are {@value #KEY_PREFIX}{@code <key>} and always carry a TTL.
 *   <li>Any Redis error fails the returned future; the caller decides whether to fail open.
 * </ul>
 */
public final class RedisCounterStore implements CounterStore {

  /** Prefix of every key this store writes. */
  public static final String KEY_PREFIX = "aegis:cnt:";

  /** Classpath location of the Lua script. */
  public static final String SCRIPT_RESOURCE = "/redis/fixed_window_counter.lua";

  private static final String SCRIPT = loadScript();

  private final RedisAPI redis;
  private final String script;
  private final String sha;
  private final AtomicLong evalFallbacks = new AtomicLong();

  /**
   * @param redis client (pooled {@code Redis} or a single connection wrapped by {@code
   *     RedisAPI.api(...)})
   */
  public RedisCounterStore(RedisAPI redis) {
    this(redis, SCRIPT);
  }

  /** Visible for tests: a variant of the script (e.g. with a nonce) to exercise NOSCRIPT. */
  RedisCounterStore(RedisAPI redis, String script) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.script = Objects.requireNonNull(script, "script");
    this.sha = sha1Hex(script);
  }

  @Override
  public Future<Long> increment(String key, long ttlMillis) {
    if (key == null) {
      return Future.failedFuture(new NullPointerException("key"));
    }
    if (ttlMillis <= 0) {
      return Future.failedFuture(new IllegalArgumentException("ttlMillis must be > 0, got " + ttlMillis));
    }
    String redisKey = KEY_PREFIX + key;
    String ttl = Long.toString(ttlMillis);
    try {
      return redis.evalsha(List.of(sha, "1", redisKey, ttl))
          .recover(err -> {
            if (isNoScript(err)) {
              evalFallbacks.incrementAndGet();
              return redis.eval(List.of(script, "1", redisKey, ttl));
            }
            return Future.failedFuture(err);
          })
          .map(RedisCounterStore::toCount);
    } catch (RuntimeException e) { // a client that throws instead of failing the future
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<Long> get(String key) {
    if (key == null) {
      return Future.failedFuture(new NullPointerException("key"));
    }
    try {
      return redis.get(KEY_PREFIX + key).map(r -> r == null ? 0L : toCount(r));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<Void> reset(String key) {
    if (key == null) {
      return Future.failedFuture(new NullPointerException("key"));
    }
    try {
      return redis.del(List.of(KEY_PREFIX + key)).mapEmpty();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Number of increments that met NOSCRIPT and were retried with EVAL. */
  public long evalFallbacks() {
    return evalFallbacks.get();
  }

  /** SHA-1 of the script as Redis computes it. */
  public String scriptSha() {
    return sha;
  }

  private static long toCount(Response r) {
    if (r == null) {
      throw new IllegalStateException("unexpected counter reply: null");
    }
    return r.toLong(); // an integer reply, or a bulk string holding one (GET)
  }

  private static boolean isNoScript(Throwable err) {
    String msg = err.getMessage();
    return msg != null && msg.startsWith("NOSCRIPT");
  }

  static String loadScript() {
    try (InputStream in = RedisCounterStore.class.getResourceAsStream(SCRIPT_RESOURCE)) {
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
