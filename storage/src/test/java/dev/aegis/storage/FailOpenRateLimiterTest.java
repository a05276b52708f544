package dev.aegis.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.ports.RateLimiter;
import dev.aegis.pipeline.ports.RateLimiter.Result;
import dev.aegis.storage.inproc.InProcessRateLimiter;
import dev.aegis.storage.redis.RedisRateLimiter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** DESIGN.md §8: the Redis rate-limit store fails open to local limits, and every time is counted. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FailOpenRateLimiterTest {

  private Vertx vertx;

  @BeforeAll
  void start() {
    vertx = RateLimiterContractTest.newStrictVertx();
  }

  @AfterAll
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Counts calls and answers from an in-process limiter. */
  private static final class CountingLimiter implements RateLimiter {
    final InProcessRateLimiter inner = new InProcessRateLimiter();
    final AtomicInteger calls = new AtomicInteger();
    volatile double lastRate;
    volatile int lastBurst;

    @Override
    public Future<Result> tryAcquire(String key, double ratePerSecond, int burst) {
      calls.incrementAndGet();
      lastRate = ratePerSecond;
      lastBurst = burst;
      return inner.tryAcquire(key, ratePerSecond, burst);
    }
  }

  @Test
  void healthyPrimaryAnswersAndNothingIsCounted() throws Exception {
    CountingLimiter primary = new CountingLimiter();
    CountingLimiter local = new CountingLimiter();
    FailOpenRateLimiter limiter = new FailOpenRateLimiter(primary, local, 500, 1);
    for (int i = 0; i < 3; i++) {
      assertThat(await(limiter.tryAcquire("k", 1.0, 3)).remaining()).isEqualTo(2 - i);
    }
    assertThat(await(limiter.tryAcquire("k", 1.0, 3)).allowed()).isFalse();
    assertThat(primary.calls.get()).isEqualTo(4);
    assertThat(local.calls.get()).isZero();
    assertThat(limiter.fallbacks()).isZero();
  }

  @Test
  void failingPrimaryFallsBackToTheLocalLimiterAndCounts() throws Exception {
    RateLimiter down = (key, rate, burst) -> Future.failedFuture(new IllegalStateException("connection refused"));
    FailOpenRateLimiter limiter = new FailOpenRateLimiter(down, 500);
    for (int i = 0; i < 5; i++) {
      Result r = await(limiter.tryAcquire("k", 1.0, 5));
      assertThat(r.allowed()).isTrue();
      assertThat(r.remaining()).isEqualTo(4 - i);
    }
    Result denied = await(limiter.tryAcquire("k", 1.0, 5));
    assertThat(denied.allowed()).as("local limits still apply").isFalse();
    assertThat(denied.retryAfterSeconds()).isGreaterThan(0).isLessThanOrEqualTo(1.0);
    assertThat(limiter.fallbacks()).isEqualTo(6);
    for (int i = 0; i < 100; i++) {
      limiter.tryAcquire("other-" + i, 1.0, 5);
    }
    assertThat(limiter.fallbacks()).isEqualTo(106);
    assertThat(limiter.warningsLogged()).as("at most one warning per 10 s").isEqualTo(1);
  }

  @Test
  void throwingPrimaryFallsBack() throws Exception {
    RateLimiter broken = (key, rate, burst) -> {
      throw new IllegalStateException("client closed");
    };
    FailOpenRateLimiter limiter = new FailOpenRateLimiter(broken, 500);
    assertThat(await(limiter.tryAcquire("k", 1.0, 1)).allowed()).isTrue();
    assertThat(limiter.fallbacks()).isEqualTo(1);
  }

  @Test
  void silentPrimaryTimesOutOnAnEventLoop() throws Exception {
    RateLimiter hanging = (key, rate, burst) -> Promise.<Result>promise().future();
    FailOpenRateLimiter limiter = new FailOpenRateLimiter(hanging, 100);
    Context ctx = vertx.getOrCreateContext();
    CompletableFuture<Result> answer = new CompletableFuture<>();
    AtomicBoolean onEventLoop = new AtomicBoolean();
    long t0 = System.nanoTime();
    ctx.runOnContext(v -> limiter.tryAcquire("k", 1.0, 2).onComplete(ar -> {
      onEventLoop.set(Context.isOnEventLoopThread());
      if (ar.succeeded()) {
        answer.complete(ar.result());
      } else {
        answer.completeExceptionally(ar.cause());
      }
    }));
    Result r = answer.get(5, TimeUnit.SECONDS);
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.allowed()).isTrue();
    assertThat(r.remaining()).isEqualTo(1);
    assertThat(tookMs).isBetween(90L, 1_000L);
    assertThat(onEventLoop).isTrue();
    assertThat(limiter.fallbacks()).isEqualTo(1);
  }

  @Test
  void unreachableRedisFallsBackQuickly() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) { // a port nobody listens on once closed
      port = s.getLocalPort();
    }
    Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:" + port));
    try {
      RedisRateLimiter redis = new RedisRateLimiter(RedisAPI.api(client));
      assertThatThrownBy(() -> await(redis.tryAcquire("k", 1.0, 2)))
          .as("the Redis limiter itself fails").isInstanceOf(ExecutionException.class);

      FailOpenRateLimiter limiter = new FailOpenRateLimiter(redis, 2_000);
      long t0 = System.nanoTime();
      assertThat(await(limiter.tryAcquire("k", 1.0, 2)).remaining()).isEqualTo(1);
      assertThat(await(limiter.tryAcquire("k", 1.0, 2)).remaining()).isEqualTo(0);
      assertThat(await(limiter.tryAcquire("k", 1.0, 2)).allowed()).isFalse();
      assertThat((System.nanoTime() - t0) / 1_000_000).as("refused connections do not wait for the timeout").isLessThan(2_000);
      assertThat(limiter.fallbacks()).isEqualTo(3);
    } finally {
      await(client.close());
    }
  }

  @Test
  void recoversAsSoonAsThePrimaryAnswersAgain() throws Exception {
    AtomicBoolean up = new AtomicBoolean(false);
    CountingLimiter healthy = new CountingLimiter();
    RateLimiter flaky = (key, rate, burst) ->
        up.get() ? healthy.tryAcquire(key, rate, burst) : Future.failedFuture("down");
    FailOpenRateLimiter limiter = new FailOpenRateLimiter(flaky, 200);
    await(limiter.tryAcquire("k", 1.0, 5));
    await(limiter.tryAcquire("k", 1.0, 5));
    assertThat(limiter.fallbacks()).isEqualTo(2);
    up.set(true);
    assertThat(await(limiter.tryAcquire("k", 1.0, 5)).remaining()).as("primary's own bucket").isEqualTo(4);
    assertThat(limiter.fallbacks()).isEqualTo(2);
    assertThat(healthy.calls.get()).isEqualTo(1);
  }

  @Test
  void localShareDividesTheLimitAcrossNodes() throws Exception {
    CountingLimiter local = new CountingLimiter();
    FailOpenRateLimiter limiter = new FailOpenRateLimiter(
        (key, rate, burst) -> Future.failedFuture("down"), local, 200, 4);
    int admitted = 0;
    for (int i = 0; i < 20; i++) {
      if (await(limiter.tryAcquire("k", 8.0, 10)).allowed()) {
        admitted++;
      }
    }
    assertThat(local.lastRate).isEqualTo(2.0);
    assertThat(local.lastBurst).isEqualTo(2);
    assertThat(admitted).isEqualTo(2);
    // a burst smaller than the node count still admits one per node
    await(limiter.tryAcquire("tiny", 1.0, 1));
    assertThat(local.lastBurst).isEqualTo(1);
  }

  @Test
  void invalidArgumentsAreNotAnOutage() {
    CountingLimiter primary = new CountingLimiter();
    FailOpenRateLimiter limiter = new FailOpenRateLimiter(primary, 200);
    assertThatThrownBy(() -> await(limiter.tryAcquire("k", 0.0, 1)))
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> await(limiter.tryAcquire(null, 1.0, 1)))
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat(limiter.fallbacks()).isZero();
    assertThat(primary.calls.get()).isZero();
  }
}
