package dev.aegis.storage.inproc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.ports.CounterStore;
import dev.aegis.storage.CounterStoreContractTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The shared contract on a real clock, plus injected-clock tests of windows and memory bounds. */
class InProcessCounterStoreTest extends CounterStoreContractTest {

  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;

  @Override
  protected CounterStore createStore(Vertx vertx) {
    return new InProcessCounterStore();
  }

  private static <T> T now(Future<T> f) {
    assertThat(f.succeeded()).as("an in-process answer is immediate: %s", f.cause()).isTrue();
    return f.result();
  }

  @Test
  void windowEndsExactlyAtItsTtl() {
    AtomicLong clock = new AtomicLong(-5 * S);
    InProcessCounterStore store = new InProcessCounterStore(clock::get);
    assertThat(now(store.increment("k", 100))).isEqualTo(1);
    clock.addAndGet(100 * MS - 1);
    assertThat(now(store.increment("k", 100))).isEqualTo(2);
    assertThat(now(store.get("k"))).isEqualTo(2);
    clock.addAndGet(1);
    assertThat(now(store.get("k"))).isZero();
    assertThat(now(store.increment("k", 100))).isEqualTo(1);
  }

  @Test
  void fixedWindowWithAnInjectedClock() {
    AtomicLong clock = new AtomicLong();
    InProcessCounterStore store = new InProcessCounterStore(clock::get);
    for (int i = 1; i <= 5; i++) {
      clock.set(i * 150 * MS); // one failed login every 150 ms
      assertThat(now(store.increment("acct", 1_000))).isEqualTo(i);
    }
    clock.set(S + 150 * MS); // the first increment's window (150 ms .. 1150 ms) has ended
    assertThat(now(store.get("acct"))).isZero();
    assertThat(now(store.increment("acct", 1_000))).isEqualTo(1);
  }

  @Test
  void evictExpiredRemovesOnlyExpiredWindows() {
    AtomicLong clock = new AtomicLong();
    InProcessCounterStore store = new InProcessCounterStore(clock::get, 100, Duration.ZERO);
    store.increment("short", 100);
    store.increment("long", 1_000);
    store.increment("long", 1_000);
    clock.set(100 * MS);
    assertThat(store.evictExpired()).isEqualTo(1);
    assertThat(store.size()).isEqualTo(1);
    assertThat(now(store.get("long"))).isEqualTo(2);
    clock.set(S);
    assertThat(store.evictExpired()).isEqualTo(1);
    assertThat(store.size()).isZero();
  }

  @Test
  void lazySweepBoundsMemory() {
    AtomicLong clock = new AtomicLong();
    InProcessCounterStore store = new InProcessCounterStore(clock::get, 1_000_000, Duration.ofSeconds(10));
    for (int i = 0; i < 10_000; i++) {
      store.increment("ip-" + i, 1_000);
    }
    clock.set(5 * S);
    store.increment("early", 60_000);
    assertThat(store.size()).isEqualTo(10_001);
    clock.set(10 * S);
    store.increment("trigger", 1_000);
    assertThat(store.size()).isEqualTo(2);
  }

  @Test
  void aFullStoreRefusesNewKeysButKeepsCountingKnownOnes() {
    AtomicLong clock = new AtomicLong();
    InProcessCounterStore store = new InProcessCounterStore(clock::get, 2, Duration.ZERO);
    now(store.increment("a", 10_000));
    now(store.increment("b", 100));
    Future<Long> refused = store.increment("c", 10_000);
    assertThat(refused.failed()).isTrue();
    assertThat(refused.cause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("full");
    assertThat(now(store.increment("a", 10_000))).isEqualTo(2);
    assertThat(now(store.get("c"))).isZero();

    now(store.reset("b")); // reset frees room at once
    assertThat(now(store.increment("c", 10_000))).isEqualTo(1);

    clock.set(500 * MS);
    assertThat(store.increment("d", 10_000).failed()).as("nothing expired").isTrue();
    clock.set(10 * S); // everything expired; a forced sweep is allowed
    assertThat(now(store.increment("d", 10_000))).isEqualTo(1);
    assertThat(store.size()).isEqualTo(1);
  }
}
