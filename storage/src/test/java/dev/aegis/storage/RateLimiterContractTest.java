package dev.aegis.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.aegis.pipeline.ports.RateLimiter;
import dev.aegis.pipeline.ports.RateLimiter.Result;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link RateLimiter} contract, shared by every implementation (in-process, Redis, fail-open).
 * Subclasses only say how to build the limiter.
 *
 * <p>Timing-based checks use slow rates (1/s) for "immediate" bursts, so the few milliseconds a
 * test takes cannot refill a whole token, and measure elapsed time where a refill could matter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class RateLimiterContractTest {

  /** Slack for the wall-clock waits and for Redis' microsecond rounding. */
  protected static final double TOLERANCE_SECONDS = 0.002;

  protected Vertx vertx;
  protected RateLimiter limiter;
  private String keyPrefix;

  /** Builds the limiter under test; called once per class, after {@link #vertx} exists. */
  protected abstract RateLimiter createLimiter(Vertx vertx) throws Exception;

  /** Releases whatever {@link #createLimiter} opened. */
  protected void closeLimiter() throws Exception {}

  /** Vert.x with a tight blocked-thread check: an event-loop block over 100 ms is reported. */
  protected static Vertx newStrictVertx() {
    return Vertx.vertx(new VertxOptions()
        .setMaxEventLoopExecuteTime(100)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(100)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
  }

  @BeforeAll
  void setUpLimiter() throws Exception {
    vertx = newStrictVertx();
    limiter = createLimiter(vertx);
  }

  @AfterAll
  void tearDownLimiter() throws Exception {
    try {
      closeLimiter();
    } finally {
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  @BeforeEach
  void newKeyPrefix(TestInfo info) {
    // Random per test, so runs (and parallel builds sharing one Redis) never collide.
    keyPrefix = "contract:" + UUID.randomUUID() + ":" + info.getTestMethod().map(m -> m.getName()).orElse("t");
  }

  protected String key(String name) {
    return keyPrefix + ":" + name;
  }

  protected Result acquire(String key, double rate, int burst) throws Exception {
    return await(limiter.tryAcquire(key, rate, burst));
  }

  protected static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void freshKeyAllowsExactlyBurstThenDenies() throws Exception {
    String k = key("k");
    for (int i = 0; i < 5; i++) {
      Result r = acquire(k, 1.0, 5);
      assertThat(r.allowed()).as("call %d", i + 1).isTrue();
      assertThat(r.retryAfterSeconds()).isZero();
      assertThat(r.remaining()).as("remaining after call %d", i + 1).isEqualTo(4 - i);
    }
    Result denied = acquire(k, 1.0, 5);
    assertThat(denied.allowed()).isFalse();
    assertThat(denied.remaining()).isZero();
    assertThat(denied.retryAfterSeconds()).isGreaterThan(0.0).isLessThanOrEqualTo(1.0 + TOLERANCE_SECONDS);
  }

  @Test
  void deniedCallsKeepDenyingAndConsumeNothing() throws Exception {
    String k = key("k");
    for (int i = 0; i < 3; i++) {
      assertThat(acquire(k, 0.5, 3).allowed()).isTrue();
    }
    double previous = Double.MAX_VALUE;
    for (int i = 0; i < 20; i++) {
      Result r = acquire(k, 0.5, 3);
      assertThat(r.allowed()).isFalse();
      assertThat(r.remaining()).isZero();
      // 1/rate = 2 s; the wait only shrinks as time passes, it never grows with denied calls
      assertThat(r.retryAfterSeconds()).isGreaterThan(0.0).isLessThanOrEqualTo(2.0 + TOLERANCE_SECONDS)
          .isLessThanOrEqualTo(previous + TOLERANCE_SECONDS);
      previous = r.retryAfterSeconds();
    }
  }

  @Test
  void remainingCountsDownFromBurstMinusOne() throws Exception {
    String k = key("k");
    List<Long> remaining = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      remaining.add(acquire(k, 1.0, 10).remaining());
    }
    assertThat(remaining).containsExactly(9L, 8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L, 0L);
  }

  @Test
  void oneMoreIsAllowedAfterWaitingOneInterval() throws Exception {
    double rate = 10.0; // one token per 100 ms
    String k = key("k");
    assertThat(acquire(k, rate, 2).allowed()).isTrue();
    assertThat(acquire(k, rate, 2).allowed()).isTrue();
    long drainedAt = System.nanoTime();
    Result denied = acquire(k, rate, 2);
    assertThat(denied.allowed()).isFalse();
    assertThat(denied.retryAfterSeconds()).isGreaterThan(0.0).isLessThanOrEqualTo(1.0 / rate + TOLERANCE_SECONDS);

    Thread.sleep((long) Math.ceil(1000.0 / rate) + 20);

    Result again = acquire(k, rate, 2);
    long now = System.nanoTime();
    assertThat(again.allowed()).isTrue();
    assertThat(again.remaining()).isZero();
    if ((now - drainedAt) / 1e9 < 1.8 / rate) { // less than two tokens can have refilled
      assertThat(acquire(k, rate, 2).allowed()).isFalse();
    }
  }

  @Test
  void retryAfterIsEnough() throws Exception {
    double rate = 4.0;
    String k = key("k");
    assertThat(acquire(k, rate, 1).allowed()).isTrue();
    Result denied = acquire(k, rate, 1);
    assertThat(denied.allowed()).isFalse();
    Thread.sleep((long) Math.ceil(denied.retryAfterSeconds() * 1000) + 10);
    assertThat(acquire(k, rate, 1).allowed()).as("allowed once retryAfter has passed").isTrue();
  }

  @Test
  void keysAreIndependent() throws Exception {
    String a = key("a");
    String b = key("b");
    assertThat(acquire(a, 1.0, 2).allowed()).isTrue();
    assertThat(acquire(a, 1.0, 2).allowed()).isTrue();
    assertThat(acquire(a, 1.0, 2).allowed()).isFalse();

    Result b1 = acquire(b, 1.0, 2);
    assertThat(b1.allowed()).isTrue();
    assertThat(b1.remaining()).isEqualTo(1);
    assertThat(acquire(b, 1.0, 2).allowed()).isTrue();
    assertThat(acquire(b, 1.0, 2).allowed()).isFalse();
    assertThat(acquire(key("c"), 1.0, 2).remaining()).isEqualTo(1);
  }

  @Test
  void burstOfOne() throws Exception {
    String k = key("k");
    Result first = acquire(k, 1.0, 1);
    assertThat(first.allowed()).isTrue();
    assertThat(first.remaining()).isZero();
    Result second = acquire(k, 1.0, 1);
    assertThat(second.allowed()).isFalse();
    assertThat(second.remaining()).isZero();
    assertThat(second.retryAfterSeconds()).isGreaterThan(0.9).isLessThanOrEqualTo(1.0 + TOLERANCE_SECONDS);
  }

  @Test
  void fractionalRateReportsTheMatchingWait() throws Exception {
    String k = key("k");
    assertThat(acquire(k, 0.25, 1).allowed()).isTrue();
    Result denied = acquire(k, 0.25, 1);
    assertThat(denied.allowed()).isFalse();
    assertThat(denied.retryAfterSeconds()).isCloseTo(4.0, within(0.05)).isLessThanOrEqualTo(4.0 + TOLERANCE_SECONDS);
  }

  @Test
  void concurrentCallersNeverOverAdmit() throws Exception {
    int threads = 8;
    int callsPerThread = 200;
    int burst = 50;
    double rate = 1.0;
    String k = key("hot");
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger admitted = new AtomicInteger();
    ConcurrentLinkedQueue<Long> remainingSeen = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<Void>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      workers.add(done);
      Thread worker = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < callsPerThread; i++) {
            Result r = acquire(k, rate, burst);
            if (r.allowed()) {
              admitted.incrementAndGet();
              remainingSeen.add(r.remaining());
            }
          }
          done.complete(null);
        } catch (Throwable e) {
          done.completeExceptionally(e);
        }
      }, "rl-contract-" + t);
      worker.start();
    }
    long t0 = System.nanoTime();
    start.countDown();
    CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(50, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - t0) / 1e9;

    // Exactly one burst; a run slower than a second may legitimately have earned refills.
    long refillBound = (long) Math.floor(elapsed * rate);
    assertThat(admitted.get()).as("admitted in %.3f s", elapsed)
        .isGreaterThanOrEqualTo(burst)
        .isLessThanOrEqualTo(burst + (int) refillBound);
    if (refillBound == 0) {
      assertThat(admitted.get()).isEqualTo(burst);
      // every token was handed out once: remaining values are a permutation of 49..0
      List<Long> expected = new ArrayList<>();
      for (long r = burst - 1; r >= 0; r--) {
        expected.add(r);
      }
      assertThat(remainingSeen).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void eventLoopCallersOnSeveralContextsShareOneBucket() throws Exception {
    int contexts = 4;
    int callsPerContext = 50;
    int burst = 20;
    String k = key("loops");
    AtomicInteger admitted = new AtomicInteger();
    List<Future<Void>> all = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int c = 0; c < contexts; c++) {
      Context ctx = vertx.getOrCreateContext(); // a new event-loop context per call from here
      Promise<Void> done = Promise.promise();
      all.add(done.future());
      ctx.runOnContext(v -> chain(ctx, k, burst, callsPerContext, admitted, done));
    }
    await(Future.all(all));
    double elapsed = (System.nanoTime() - t0) / 1e9;
    assertThat(admitted.get()).isGreaterThanOrEqualTo(burst).isLessThanOrEqualTo(burst + (int) Math.floor(elapsed));
  }

  /** Sequential calls on an event loop, each issued from the previous one's callback. */
  private void chain(Context ctx, String k, int burst, int left, AtomicInteger admitted, Promise<Void> done) {
    if (left == 0) {
      done.complete();
      return;
    }
    limiter.tryAcquire(k, 1.0, burst).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
        return;
      }
      if (!Context.isOnEventLoopThread()) {
        done.fail(new AssertionError("callback left the event loop: " + Thread.currentThread()));
        return;
      }
      if (ar.result().allowed()) {
        admitted.incrementAndGet();
      }
      chain(ctx, k, burst, left - 1, admitted, done);
    });
  }

  @Test
  void invalidArgumentsFailTheFuture() {
    for (double rate : new double[] {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> acquire(key("bad"), rate, 1))
          .as("rate %s", rate)
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> acquire(key("bad"), 1.0, 0))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalArgumentException.class);
  }
}
