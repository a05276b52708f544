package dev.aegis.storage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.ports.CounterStore;
import dev.aegis.storage.CounterStoreContractTest;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The shared contract against a real Redis, plus Redis specifics (key prefix, TTL, NOSCRIPT, bad
 * data). Connects to {@code aegis.test.redis.url}; an unreachable Redis FAILS this class.
 */
class RedisCounterStoreTest extends CounterStoreContractTest {

  private Redis client;
  private RedisAPI api;

  @Override
  protected CounterStore createStore(Vertx vertx) throws Exception {
    client = Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(RedisOnceStoreTest.URL).setMaxPoolSize(16).setMaxPoolWaiting(1024));
    api = RedisAPI.api(client);
    RedisOnceStoreTest.requireRedis(api);
    return new RedisCounterStore(api);
  }

  @Override
  protected void closeStore() throws Exception {
    if (client != null) {
      await(client.close());
    }
  }

  private static String redisKey(String k) {
    return RedisCounterStore.KEY_PREFIX + k;
  }

  @Test
  void keysArePrefixedAndCarryTheFirstIncrementsTtl() throws Exception {
    String k = key("acct");
    inc(k, 5_000);
    assertThat(await(api.exists(List.of(redisKey(k)))).toLong()).isEqualTo(1);
    assertThat(await(api.exists(List.of(k))).toLong()).as("unprefixed key").isZero();
    assertThat(await(api.pttl(redisKey(k))).toLong()).isBetween(4_000L, 5_000L);
    await(api.pexpire(List.of(redisKey(k), "3000")));
    inc(k, 60_000);
    assertThat(await(api.pttl(redisKey(k))).toLong()).as("not extended").isBetween(2_000L, 3_000L);
  }

  @Test
  void aKeyWithoutTtlGetsOne() throws Exception {
    String k = key("legacy");
    await(api.set(List.of(redisKey(k), "7"))); // written by something else, no TTL
    assertThat(inc(k, 5_000)).isEqualTo(8);
    assertThat(await(api.pttl(redisKey(k))).toLong()).isBetween(4_000L, 5_000L);
  }

  @Test
  void missingScriptFallsBackToEvalOnceThenUsesEvalsha() throws Exception {
    String script = RedisCounterStore.loadScript() + "\n-- test nonce " + UUID.randomUUID() + "\n";
    RedisCounterStore fresh = new RedisCounterStore(api, script);
    String k = key("noscript");
    assertThat(await(fresh.increment(k, 5_000))).isEqualTo(1);
    assertThat(fresh.evalFallbacks()).isEqualTo(1);
    assertThat(await(fresh.increment(k, 5_000))).isEqualTo(2);
    assertThat(fresh.evalFallbacks()).as("cached by EVAL, EVALSHA works now").isEqualTo(1);
    Response exists = await(api.script(List.of("EXISTS", fresh.scriptSha())));
    assertThat(exists.get(0).toLong()).as("local SHA-1 matches Redis'").isEqualTo(1);
  }

  @Test
  void redisErrorsAndBadDataFailTheFuture() throws Exception {
    String wrongType = key("hash");
    await(api.hset(List.of(redisKey(wrongType), "f", "v")));
    await(api.pexpire(List.of(redisKey(wrongType), "10000")));
    Throwable err = store.increment(wrongType, 1_000).toCompletionStage().toCompletableFuture().handle((r, e) -> e).get();
    assertThat(err).isNotNull().hasMessageContaining("WRONGTYPE");

    String text = key("text");
    await(api.set(List.of(redisKey(text), "not a number", "PX", "10000")));
    assertThat(store.get(text).toCompletionStage().toCompletableFuture().handle((r, e) -> e).get()).isNotNull();
    assertThat(store.increment(text, 1_000).toCompletionStage().toCompletableFuture().handle((r, e) -> e).get()).isNotNull();
  }
}
