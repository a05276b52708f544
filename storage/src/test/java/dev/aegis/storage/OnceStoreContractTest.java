package dev.aegis.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.ports.OnceStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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
 * The {@link OnceStore} contract, shared by the in-process and Redis stores. Subclasses only say
 * how to build the store. TTLs are a few hundred milliseconds so that the whole class stays fast
 * while the sleeps keep a wide margin over scheduling noise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class OnceStoreContractTest {

  protected Vertx vertx;
  protected OnceStore store;
  private String keyPrefix;

  /** Builds the store under test; called once per class, after {@link #vertx} exists. */
  protected abstract OnceStore createStore(Vertx vertx) throws Exception;

  /** Releases whatever {@link #createStore} opened. */
  protected void closeStore() throws Exception {}

  /** Vert.x with a tight blocked-thread check: an event-loop block over 100 ms is reported. */
  public static Vertx newStrictVertx() {
    return Vertx.vertx(new VertxOptions()
        .setMaxEventLoopExecuteTime(100)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(100)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
  }

  @BeforeAll
  void setUpStore() throws Exception {
    vertx = newStrictVertx();
    store = createStore(vertx);
  }

  @AfterAll
  void tearDownStore() throws Exception {
    try {
      closeStore();
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

  protected boolean firstUse(String key, long ttlMillis) throws Exception {
    return await(store.firstUse(key, ttlMillis));
  }

  public static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void firstUseIsTrueThenReplaysAreFalse() throws Exception {
    String k = key("jti");
    assertThat(firstUse(k, 10_000)).isTrue();
    assertThat(firstUse(k, 10_000)).isFalse();
    assertThat(firstUse(k, 10_000)).isFalse();
  }

  @Test
  void keyIsUsableAgainAfterItsTtl() throws Exception {
    String k = key("jti");
    assertThat(firstUse(k, 150)).isTrue();
    assertThat(firstUse(k, 150)).isFalse();
    Thread.sleep(250);
    assertThat(firstUse(k, 150)).as("forgotten after the TTL").isTrue();
    assertThat(firstUse(k, 150)).as("and remembered again").isFalse();
  }

  @Test
  void replaysDoNotExtendTheWindow() throws Exception {
    String k = key("jti");
    long t0 = System.nanoTime();
    assertThat(firstUse(k, 400)).isTrue();
    Thread.sleep(200);
    boolean replay = firstUse(k, 400);
    long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
    if (elapsedMs < 390) { // a very slow machine may legitimately have passed the window
      assertThat(replay).as("replay at %d ms", elapsedMs).isFalse();
    }
    Thread.sleep(300); // 500 ms after the first use: past its window, inside a replay-extended one
    assertThat(firstUse(k, 400)).as("the window ran from the first use").isTrue();
  }

  @Test
  void keysAreIndependent() throws Exception {
    assertThat(firstUse(key("a"), 10_000)).isTrue();
    assertThat(firstUse(key("b"), 10_000)).isTrue();
    assertThat(firstUse(key("a"), 10_000)).isFalse();
    assertThat(firstUse(key("b"), 10_000)).isFalse();
    assertThat(firstUse(key("c"), 10_000)).isTrue();
  }

  @Test
  void sixteenConcurrentFirstUsesOnOneKeyYieldExactlyOneTrue() throws Exception {
    for (int round = 0; round < 20; round++) {
      String k = key("hot-" + round);
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Boolean>> answers = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        answers.add(answer);
        threads.add(new Thread(() -> {
          try {
            go.await();
            store.firstUse(k, 10_000).onComplete(ar -> {
              if (ar.succeeded()) {
                answer.complete(ar.result());
              } else {
                answer.completeExceptionally(ar.cause());
              }
            });
          } catch (Throwable e) {
            answer.completeExceptionally(e);
          }
        }, "once-contract-" + t));
      }
      threads.forEach(Thread::start);
      go.countDown();
      int trues = 0;
      for (CompletableFuture<Boolean> answer : answers) {
        if (answer.get(10, TimeUnit.SECONDS)) {
          trues++;
        }
      }
      assertThat(trues).as("round %d", round).isEqualTo(1);
    }
  }

  @Test
  void concurrentFirstUsesFromEventLoopsYieldExactlyOneTrue() throws Exception {
    String k = key("loops");
    AtomicInteger trues = new AtomicInteger();
    List<Future<Void>> all = new ArrayList<>();
    for (int c = 0; c < 16; c++) {
      Context ctx = vertx.getOrCreateContext();
      Promise<Void> done = Promise.promise();
      all.add(done.future());
      ctx.runOnContext(v -> store.firstUse(k, 10_000).onComplete(ar -> {
        if (ar.failed()) {
          done.fail(ar.cause());
        } else {
          if (ar.result()) {
            trues.incrementAndGet();
          }
          done.complete();
        }
      }));
    }
    await(Future.all(all));
    assertThat(trues.get()).isEqualTo(1);
  }

  @Test
  void invalidArgumentsFailTheFutureAndRememberNothing() throws Exception {
    String k = key("bad");
    assertFails(store.firstUse(null, 1_000), NullPointerException.class);
    assertFails(store.firstUse(k, 0), IllegalArgumentException.class);
    assertFails(store.firstUse(k, -5), IllegalArgumentException.class);
    assertThat(firstUse(k, 10_000)).as("nothing was remembered").isTrue();
  }

  public static void assertFails(Future<?> f, Class<? extends Throwable> type) {
    Throwable cause = f.toCompletionStage().toCompletableFuture()
        .handle((r, e) -> e instanceof ExecutionException || e instanceof java.util.concurrent.CompletionException ? e.getCause() : e)
        .join();
    assertThat(cause).isInstanceOf(type);
  }
}
