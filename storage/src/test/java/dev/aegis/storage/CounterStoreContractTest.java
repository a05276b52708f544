package dev.aegis.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.ports.CounterStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link CounterStore} contract, shared by the in-process and Redis stores. Subclasses only
 * say how to build the store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class CounterStoreContractTest {

  protected Vertx vertx;
  protected CounterStore store;
  private String keyPrefix;

  /** Builds the store under test; called once per class, after {@link #vertx} exists. */
  protected abstract CounterStore createStore(Vertx vertx) throws Exception;

  /** Releases whatever {@link #createStore} opened. */
  protected void closeStore() throws Exception {}

  @BeforeAll
  void setUpStore() throws Exception {
    vertx = OnceStoreContractTest.newStrictVertx();
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
    keyPrefix = "contract:" + UUID.randomUUID() + ":" + info.getTestMethod().map(m -> m.getName()).orElse("t");
  }

  protected String key(String name) {
    return keyPrefix + ":" + name;
  }

  protected long inc(String key, long ttlMillis) throws Exception {
    return await(store.increment(key, ttlMillis));
  }

  protected long get(String key) throws Exception {
    return await(store.get(key));
  }

  protected static <T> T await(Future<T> future) throws Exception {
    return OnceStoreContractTest.await(future);
  }

  @Test
  void incrementCounts() throws Exception {
    String k = key("acct");
    assertThat(inc(k, 10_000)).isEqualTo(1);
    assertThat(inc(k, 10_000)).isEqualTo(2);
    assertThat(inc(k, 10_000)).isEqualTo(3);
    assertThat(get(k)).isEqualTo(3);
  }

  @Test
  void absentKeyIsZero() throws Exception {
    assertThat(get(key("never"))).isZero();
  }

  @Test
  void resetDeletesTheCountAndStartsAFreshWindow() throws Exception {
    String k = key("acct");
    inc(k, 10_000);
    inc(k, 10_000);
    await(store.reset(k));
    assertThat(get(k)).isZero();
    assertThat(inc(k, 150)).isEqualTo(1);
    Thread.sleep(250);
    assertThat(get(k)).as("the new window has the new TTL").isZero();
  }

  @Test
  void resettingAnAbsentKeySucceeds() throws Exception {
    await(store.reset(key("never")));
    assertThat(get(key("never"))).isZero();
  }

  @Test
  void countResetsWhenTheWindowEnds() throws Exception {
    String k = key("ip");
    assertThat(inc(k, 150)).isEqualTo(1);
    assertThat(inc(k, 150)).isEqualTo(2);
    Thread.sleep(250);
    assertThat(get(k)).isZero();
    assertThat(inc(k, 150)).isEqualTo(1);
  }

  @Test
  void windowIsFixedFromTheFirstIncrement() throws Exception {
    String k = key("ip");
    long t0 = System.nanoTime();
    assertThat(inc(k, 400)).isEqualTo(1);
    Thread.sleep(200);
    long second = inc(k, 400);
    if ((System.nanoTime() - t0) / 1_000_000 < 390) {
      assertThat(second).isEqualTo(2);
    }
    Thread.sleep(300); // 500 ms after the first increment: past a fixed window, inside a sliding one
    assertThat(get(k)).isZero();
    assertThat(inc(k, 400)).isEqualTo(1);
  }

  @Test
  void laterTtlsAreIgnored() throws Exception {
    String k = key("ip");
    assertThat(inc(k, 150)).isEqualTo(1);
    assertThat(inc(k, 60_000)).isEqualTo(2);
    Thread.sleep(250);
    assertThat(get(k)).as("the window is the first increment's").isZero();
  }

  @Test
  void keysAreIndependent() throws Exception {
    inc(key("a"), 10_000);
    inc(key("a"), 10_000);
    assertThat(inc(key("b"), 10_000)).isEqualTo(1);
    assertThat(get(key("a"))).isEqualTo(2);
    await(store.reset(key("a")));
    assertThat(get(key("b"))).isEqualTo(1);
  }

  @Test
  void concurrentIncrementsAreExact() throws Exception {
    int threads = 8;
    int perThread = 100;
    String k = key("hot");
    CountDownLatch go = new CountDownLatch(1);
    ConcurrentLinkedQueue<Long> seen = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      CompletableFuture<Void> d = new CompletableFuture<>();
      done.add(d);
      new Thread(() -> {
        try {
          go.await();
          for (int i = 0; i < perThread; i++) {
            seen.add(inc(k, 60_000));
          }
          d.complete(null);
        } catch (Throwable e) {
          d.completeExceptionally(e);
        }
      }, "cnt-contract-" + t).start();
    }
    go.countDown();
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    long total = (long) threads * perThread;
    assertThat(get(k)).isEqualTo(total);
    assertThat(seen).as("every count handed out exactly once")
        .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
  }

  @Test
  void concurrentIncrementsFromEventLoopsAreExact() throws Exception {
    String k = key("loops");
    List<Future<Long>> all = new ArrayList<>();
    for (int c = 0; c < 32; c++) {
      Context ctx = vertx.getOrCreateContext();
      Promise<Long> p = Promise.promise();
      all.add(p.future());
      ctx.runOnContext(v -> store.increment(k, 60_000).onComplete(p));
    }
    await(Future.all(all));
    assertThat(all).extracting(Future::result)
        .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 32).boxed().toList());
    assertThat(get(k)).isEqualTo(32);
  }

  @Test
  void invalidArgumentsFailTheFuture() throws Exception {
    String k = key("bad");
    OnceStoreContractTest.assertFails(store.increment(null, 1_000), NullPointerException.class);
    OnceStoreContractTest.assertFails(store.increment(k, 0), IllegalArgumentException.class);
    OnceStoreContractTest.assertFails(store.increment(k, -1), IllegalArgumentException.class);
    OnceStoreContractTest.assertFails(store.get(null), NullPointerException.class);
    OnceStoreContractTest.assertFails(store.reset(null), NullPointerException.class);
    assertThat(get(k)).as("nothing was counted").isZero();
  }
}
