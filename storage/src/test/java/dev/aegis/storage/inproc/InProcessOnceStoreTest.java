package dev.aegis.storage.inproc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.ports.OnceStore;
import dev.aegis.storage.OnceStoreContractTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The shared contract on a real clock, plus injected-clock tests of expiry and memory bounds. */
class InProcessOnceStoreTest extends OnceStoreContractTest {

  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;

  @Override
  protected OnceStore createStore(Vertx vertx) {
    return new InProcessOnceStore();
  }

  private static boolean now(InProcessOnceStore store, String key, long ttlMillis) {
    Future<Boolean> f = store.firstUse(key, ttlMillis);
    assertThat(f.succeeded()).as("an in-process answer is immediate: %s", f.cause()).isTrue();
    return f.result();
  }

  @Test
  void keyExpiresExactlyAtItsTtl() {
    AtomicLong clock = new AtomicLong(42);
    InProcessOnceStore store = new InProcessOnceStore(clock::get);
    assertThat(now(store, "k", 100)).isTrue();
    clock.addAndGet(100 * MS - 1);
    assertThat(now(store, "k", 100)).as("1 ns before expiry").isFalse();
    clock.addAndGet(1);
    assertThat(now(store, "k", 100)).as("at expiry").isTrue();
  }

  @Test
  void clockWrapAroundAndHugeTtlsAreHandled() {
    AtomicLong clock = new AtomicLong(Long.MAX_VALUE - S);
    InProcessOnceStore store = new InProcessOnceStore(clock::get, 10, Duration.ZERO);
    assertThat(now(store, "wraps", 2_000)).isTrue();
    clock.addAndGet(1_500 * MS); // past Long.MAX_VALUE
    assertThat(now(store, "wraps", 2_000)).isFalse();
    clock.addAndGet(500 * MS);
    assertThat(now(store, "wraps", 2_000)).isTrue();

    assertThat(now(store, "forever", Long.MAX_VALUE)).isTrue();
    clock.addAndGet(1_000L * 24 * 3600 * S); // 1000 days later
    assertThat(now(store, "forever", Long.MAX_VALUE)).isFalse();
  }

  @Test
  void evictExpiredRemovesOnlyExpiredKeys() {
    AtomicLong clock = new AtomicLong();
    InProcessOnceStore store = new InProcessOnceStore(clock::get, 100, Duration.ZERO);
    now(store, "short", 100);
    now(store, "long", 1_000);
    assertThat(store.size()).isEqualTo(2);
    clock.set(100 * MS - 1);
    assertThat(store.evictExpired()).isZero();
    clock.set(100 * MS);
    assertThat(store.evictExpired()).isEqualTo(1);
    assertThat(store.size()).isEqualTo(1);
    assertThat(now(store, "long", 1_000)).as("still remembered").isFalse();
    clock.set(S);
    assertThat(store.evictExpired()).isEqualTo(1);
    assertThat(store.size()).isZero();
  }

  @Test
  void lazySweepBoundsMemory() {
    AtomicLong clock = new AtomicLong();
    InProcessOnceStore store = new InProcessOnceStore(clock::get, 1_000_000, Duration.ofSeconds(10));
    for (int i = 0; i < 10_000; i++) {
      now(store, "jti-" + i, 1_000);
    }
    clock.set(5 * S);
    now(store, "early", 60_000);
    assertThat(store.size()).as("no sweep before the interval").isEqualTo(10_001);
    clock.set(10 * S);
    now(store, "trigger", 1_000);
    assertThat(store.size()).as("only live keys remain").isEqualTo(2);
  }

  @Test
  void aFullStoreRefusesNewKeysRatherThanForgettingLiveOnes() {
    AtomicLong clock = new AtomicLong();
    InProcessOnceStore store = new InProcessOnceStore(clock::get, 2, Duration.ZERO);
    assertThat(now(store, "a", 10_000)).isTrue();
    assertThat(now(store, "b", 100)).isTrue();

    Future<Boolean> refused = store.firstUse("c", 10_000);
    assertThat(refused.failed()).isTrue();
    assertThat(refused.cause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("full");
    assertThat(now(store, "a", 10_000)).as("known keys still answer").isFalse();

    clock.set(200 * MS); // "b" expired, but a forced sweep ran less than a second ago
    assertThat(store.firstUse("c", 10_000).failed()).isTrue();
    assertThat(now(store, "b", 100)).as("an expired key may be reused when full").isTrue();

    clock.set(S + 300 * MS); // "b" expired again; a forced sweep is allowed now
    assertThat(now(store, "c", 10_000)).isTrue();
    assertThat(store.size()).isEqualTo(2);
    assertThat(now(store, "a", 10_000)).as("the live key survived").isFalse();
  }

  @Test
  void sweeperRacingCallersNeverForgetsALiveKey() throws Exception {
    // The clock stands still and every key is live: a sweeper spinning on evictExpired() must never
    // remove one, or a second caller would see "first use" again.
    AtomicLong clock = new AtomicLong(7 * S);
    InProcessOnceStore store = new InProcessOnceStore(clock::get, 1_000_000, Duration.ZERO);
    for (int round = 0; round < 20; round++) {
      String k = "hot-" + round;
      // an expired entry for the same key, so the sweeper has something to race on
      now(store, k, 1);
      clock.addAndGet(MS);
      AtomicBoolean stop = new AtomicBoolean();
      Thread sweeper = new Thread(() -> {
        while (!stop.get()) {
          store.evictExpired();
        }
      });
      AtomicInteger trues = new AtomicInteger();
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        CompletableFuture<Void> d = new CompletableFuture<>();
        done.add(d);
        new Thread(() -> {
          try {
            go.await();
            for (int i = 0; i < 50; i++) {
              if (store.firstUse(k, 60_000).result()) {
                trues.incrementAndGet();
              }
            }
            d.complete(null);
          } catch (Throwable e) {
            d.completeExceptionally(e);
          }
        }).start();
      }
      sweeper.start();
      go.countDown();
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
      stop.set(true);
      sweeper.join();
      assertThat(trues.get()).as("round %d", round).isEqualTo(1);
    }
  }
}
