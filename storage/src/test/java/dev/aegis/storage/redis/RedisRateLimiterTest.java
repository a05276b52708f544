package dev.aegis.storage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.aegis.pipeline.ports.RateLimiter;
import dev.aegis.pipeline.ports.RateLimiter.Result;
import dev.aegis.storage.RateLimiterContractTest;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The shared contract against a real Redis, plus Redis specifics (key prefix, TTL, Redis clock,
 * NOSCRIPT fallback).
 *
 * <p>Connects to {@code aegis.test.redis.url} (default {@code redis://127.0.0.1:6379}). The test
 * command guarantees Redis is running, so an unreachable Redis FAILS this class instead of skipping
 * it. Every test uses its own random key prefix; nothing global (FLUSHALL, SCRIPT FLUSH) is run.
 */
class RedisRateLimiterTest extends RateLimiterContractTest {

  static final String URL = System.getProperty("aegis.test.redis.url", "redis://127.0.0.1:6379");

  private Redis client;
  private RedisAPI api;

  @Override
  protected RateLimiter createLimiter(Vertx vertx) throws Exception {
    client = Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(URL)
        .setMaxPoolSize(16)
        .setMaxPoolWaiting(1024));
    api = RedisAPI.api(client);
    Response pong;
    try {
      pong = await(api.ping(List.of()));
    } catch (Exception e) {
      throw new AssertionError("Redis is not reachable at " + URL
          + " (aegis.test.redis.url); run scripts/test-env.sh first", e);
    }
    assertThat(pong.toString()).isEqualTo("PONG");
    return new RedisRateLimiter(api);
  }

  @Override
  protected void closeLimiter() throws Exception {
    if (client != null) {
      await(client.close());
    }
  }

  private String redisKey(String k) {
    return RedisRateLimiter.KEY_PREFIX + k;
  }

  @Test
  void keysArePrefixedAndExpireOnceTheBucketWouldBeFull() throws Exception {
    String k = key("ttl");
    Result r = acquire(k, 1.0, 5);
    assertThat(r.remaining()).isEqualTo(4);
    assertThat(await(api.exists(List.of(redisKey(k)))).toLong()).isEqualTo(1);
    assertThat(await(api.exists(List.of(k))).toLong()).as("unprefixed key").isZero();
    // one token missing at 1/s: full in 1 s, expires 1 s after that
    assertThat(await(api.pttl(redisKey(k))).toLong()).isBetween(1_500L, 2_000L);

    for (int i = 0; i < 4; i++) {
      acquire(k, 1.0, 5);
    }
    assertThat(await(api.pttl(redisKey(k))).toLong()).isBetween(5_500L, 6_000L);
  }

  @Test
  void deniedCallsWriteNothing() throws Exception {
    String k = key("deny");
    acquire(k, 0.1, 1);
    Response before = await(api.hgetall(redisKey(k)));
    assertThat(acquire(k, 0.1, 1).allowed()).isFalse();
    assertThat(acquire(k, 0.1, 1).allowed()).isFalse();
    Response after = await(api.hgetall(redisKey(k)));
    assertThat(after.toString()).isEqualTo(before.toString());
  }

  @Test
  void stateIsStampedWithRedisTimeNotTheGatewayClock() throws Exception {
    String k = key("time");
    acquire(k, 1.0, 3);
    Response time = await(api.time());
    long redisNowMicros = time.get(0).toLong() * 1_000_000L + time.get(1).toLong();
    long stamp = Long.parseLong(await(api.hget(redisKey(k), "t")).toString());
    assertThat(redisNowMicros - stamp).isBetween(0L, 1_000_000L);
    assertThat(Long.parseLong(await(api.hget(redisKey(k), "u")).toString())).isEqualTo(2_000_000L);
  }

  @Test
  void missingScriptFallsBackToEvalOnceThenUsesEvalsha() throws Exception {
    // A nonce makes a script that no Redis has cached yet, without flushing anyone's cache.
    String script = RedisRateLimiter.loadScript() + "\n-- test nonce " + UUID.randomUUID() + "\n";
    RedisRateLimiter fresh = new RedisRateLimiter(api, script);
    String k = key("noscript");
    assertThat(await(fresh.tryAcquire(k, 1.0, 3)).remaining()).isEqualTo(2);
    assertThat(fresh.evalFallbacks()).isEqualTo(1);
    assertThat(await(fresh.tryAcquire(k, 1.0, 3)).remaining()).isEqualTo(1);
    assertThat(fresh.evalFallbacks()).as("cached by EVAL, EVALSHA works now").isEqualTo(1);
    Response exists = await(api.script(List.of("EXISTS", fresh.scriptSha())));
    assertThat(exists.get(0).toLong()).as("local SHA-1 matches Redis'").isEqualTo(1);
  }

  @Test
  void largeNumbersKeepTheirPrecision() throws Exception {
    // 1e9 tokens = 1e15 fixed-point units and a µs clock ~1.7e15: beyond Lua's %.14g printing
    String k = key("big");
    assertThat(acquire(k, 0.001, 1_000_000_000).remaining()).isEqualTo(999_999_999L);
    assertThat(acquire(k, 0.001, 1_000_000_000).remaining()).isEqualTo(999_999_998L);
    Result slow = acquire(key("slow"), 1e-6, 1);
    assertThat(slow.allowed()).isTrue();
    assertThat(acquire(key("slow"), 1e-6, 1).retryAfterSeconds()).isCloseTo(1e6, within(1.0));
    // these two would otherwise live for weeks in the shared Redis
    assertThat(await(api.del(List.of(redisKey(k), redisKey(key("slow"))))).toLong()).isEqualTo(2);
  }

  @Test
  void redisErrorsFailTheFuture() throws Exception {
    // A key holding the wrong type makes the script fail; the caller must see a failed future.
    String k = key("wrongtype");
    await(api.set(List.of(redisKey(k), "not a hash")));
    var f = limiter.tryAcquire(k, 1.0, 1);
    assertThat(f.toCompletionStage().toCompletableFuture().handle((r, e) -> e).get())
        .isNotNull()
        .hasMessageContaining("WRONGTYPE");
    await(api.del(List.of(redisKey(k))));
  }
}
