package dev.aegis.storage.redis;

import dev.aegis.pipeline.ports.CounterStore;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Objects;

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
  private final LuaScript script;

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
    this.script = new LuaScript(script);
  }

  @Override
  public Future<Long> increment(String key, long ttlMillis) {
    if (key == null) {
      return Future.failedFuture(new NullPointerException("key"));
    }
    if (ttlMillis <= 0) {
      return Future.failedFuture(new IllegalArgumentException("ttlMillis must be > 0, got " + ttlMillis));
    }
    return script.call(redis, KEY_PREFIX + key, Long.toString(ttlMillis)).map(RedisCounterStore::toCount);
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
    return script.evalFallbacks();
  }

  /** SHA-1 of the script as Redis computes it. */
  public String scriptSha() {
    return script.sha();
  }

  private static long toCount(Response r) {
    if (r == null) {
      throw new IllegalStateException("unexpected counter reply: null");
    }
    return r.toLong(); // an integer reply, or a bulk string holding one (GET)
  }


  static String loadScript() {
    return LuaScript.load(SCRIPT_RESOURCE);
  }

}
