package dev.aegis.storage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.ports.OnceStore;
import dev.aegis.storage.OnceStoreContractTest;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shared contract against a real Redis, plus Redis specifics (key prefix, TTL, errors).
 * Connects to {@code aegis.test.redis.url} (default {@code redis://127.0.0.1:6379}); an unreachable
 * Redis FAILS this class. Keys are random per test.
 */
class RedisOnceStoreTest extends OnceStoreContractTest {

  static final String URL = System.getProperty("aegis.test.redis.url", "redis://127.0.0.1:6379");

  private Redis client;
  private RedisAPI api;

  @Override
  protected OnceStore createStore(Vertx vertx) throws Exception {
    client = Redis.createClient(vertx, new RedisOptions().setConnectionString(URL).setMaxPoolSize(16).setMaxPoolWaiting(1024));
    api = RedisAPI.api(client);
    requireRedis(api);
    return new RedisOnceStore(api);
  }

  /** Fails (never skips) when the test Redis is down. */
  static void requireRedis(RedisAPI api) {
    Response pong;
    try {
      pong = await(api.ping(List.of()));
    } catch (Exception e) {
      throw new AssertionError("Redis is not reachable at " + URL
          + " (aegis.test.redis.url); run scripts/test-env.sh first", e);
    }
    assertThat(pong.toString()).isEqualTo("PONG");
  }

  @Override
  protected void closeStore() throws Exception {
    if (client != null) {
      await(client.close());
    }
  }

  @Test
  void keysArePrefixedAndExpireAfterTheTtl() throws Exception {
    String k = key("jti");
    assertThat(firstUse(k, 5_000)).isTrue();
    String redisKey = RedisOnceStore.KEY_PREFIX + k;
    assertThat(await(api.exists(List.of(redisKey))).toLong()).isEqualTo(1);
    assertThat(await(api.exists(List.of(k))).toLong()).as("unprefixed key").isZero();
    assertThat(await(api.pttl(redisKey)).toLong()).isBetween(4_000L, 5_000L);
  }

  @Test
  void aReplayLeavesTheTtlAlone() throws Exception {
    String k = key("jti");
    String redisKey = RedisOnceStore.KEY_PREFIX + k;
    assertThat(firstUse(k, 5_000)).isTrue();
    await(api.pexpire(List.of(redisKey, "3000"))); // as if time had passed
    assertThat(firstUse(k, 60_000)).isFalse();
    assertThat(await(api.pttl(redisKey)).toLong()).isBetween(2_000L, 3_000L);
  }

  @Test
  void anUnreachableRedisFailsTheFuture() throws Exception {
    Redis dead = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:1"));
    try {
      var f = new RedisOnceStore(RedisAPI.api(dead)).firstUse(key("k"), 1_000);
      Throwable err = f.toCompletionStage().toCompletableFuture().handle((r, e) -> e).get();
      assertThat(err).isNotNull();
    } finally {
      await(dead.close());
    }
  }
}
