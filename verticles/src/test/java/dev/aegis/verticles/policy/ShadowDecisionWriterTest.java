package dev.aegis.verticles.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.ports.ShadowRecorder.ShadowDecision;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ShadowDecisionWriter} against an in-memory sink: batching by size and by timer, the
 * overflow counter, failures that never reach the caller, the would-have-blocked event and the
 * flush on close.
 */
class ShadowDecisionWriterTest {

  Vertx vertx;
  final List<List<ShadowDecision>> batches = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static ShadowDecision d(int i, String live, String shadow) {
    return new ShadowDecision("00000000-0000-0000-0000-00000000000a", "req-" + i, "agent", "shell.exec",
        "00000000-0000-0000-0000-0000000000b1", 2, live, shadow, "rule-" + i, "reason", Instant.now());
  }

  static void waitFor(BooleanSupplier c, String what) throws InterruptedException {
    long end = System.currentTimeMillis() + 10_000;
    while (!c.getAsBoolean()) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  ShadowDecisionWriter.BatchSink collecting() {
    return b -> {
      batches.add(List.copyOf(b));
      return Future.succeededFuture();
    };
  }

  int rows() {
    return batches.stream().mapToInt(List::size).sum();
  }

  /** Records from an event loop, as stage 4 does. */
  void onLoop(Runnable r) throws Exception {
    Promise<Void> p = Promise.promise();
    vertx.runOnContext(v -> {
      r.run();
      p.complete();
    });
    p.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void should_write_full_batches_without_waiting_for_the_timer() throws Exception {
    ShadowDecisionWriter w = new ShadowDecisionWriter(vertx, collecting(), 10_000, 50, 60_000);
    onLoop(() -> {
      for (int i = 0; i < 120; i++) {
        w.record(d(i, "ALLOW", "DENY"));
      }
    });
    waitFor(() -> rows() >= 100, "two full batches");
    assertThat(batches.get(0)).hasSize(50);
    assertThat(batches.get(1)).hasSize(50);
    assertThat(batches.get(0).get(0).requestId()).isEqualTo("req-0");
    Thread.sleep(200);
    assertThat(rows()).as("the partial batch waits for the (60 s) timer").isEqualTo(100);
    assertThat(w.pending()).isEqualTo(20);
    w.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(rows()).isEqualTo(120);
    assertThat(w.written()).isEqualTo(120);
    assertThat(w.recorded()).isEqualTo(120);
  }

  @Test
  void should_flush_a_partial_batch_on_the_timer() throws Exception {
    ShadowDecisionWriter w = new ShadowDecisionWriter(vertx, collecting(), 10_000, 500, 50);
    onLoop(() -> {
      for (int i = 0; i < 7; i++) {
        w.record(d(i, "ALLOW", "ESCALATE"));
      }
    });
    waitFor(() -> rows() == 7, "the timer flush");
    assertThat(batches).hasSize(1);
    assertThat(w.written()).isEqualTo(7);
  }

  @Test
  void should_drop_the_newest_and_count_them_when_the_queue_is_full() throws Exception {
    Promise<Void> hold = Promise.promise();
    AtomicInteger calls = new AtomicInteger();
    List<ShadowDecision> stored = new CopyOnWriteArrayList<>();
    ShadowDecisionWriter w = new ShadowDecisionWriter(vertx, b -> {
      calls.incrementAndGet();
      stored.addAll(b);
      return hold.future(); // the database hangs
    }, 100, 10, 20);
    onLoop(() -> {
      for (int i = 0; i < 10; i++) {
        w.record(d(i, "ALLOW", "DENY"));
      }
    });
    waitFor(() -> calls.get() == 1, "the first insert");
    onLoop(() -> {
      for (int i = 10; i < 250; i++) {
        w.record(d(i, "ALLOW", "DENY"));
      }
    });
    assertThat(w.pending()).isEqualTo(100);
    assertThat(w.dropped()).isEqualTo(140);
    assertThat(calls.get()).as("one insert in flight at a time").isEqualTo(1);
    hold.complete();
    w.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(w.written()).isEqualTo(110);
    assertThat(stored).extracting(ShadowDecision::requestId).contains("req-0", "req-109").doesNotContain("req-110");
  }

  @Test
  void should_never_throw_when_the_sink_fails_or_throws() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    ShadowDecisionWriter w = new ShadowDecisionWriter(vertx, b -> {
      if (calls.incrementAndGet() % 2 == 0) {
        throw new IllegalStateException("boom");
      }
      return Future.failedFuture("db down");
    }, 1000, 5, 20);
    List<Throwable> thrown = new ArrayList<>();
    onLoop(() -> {
      for (int i = 0; i < 20; i++) {
        try {
          w.record(d(i, "ALLOW", "DENY"));
        } catch (Throwable t) {
          thrown.add(t);
        }
      }
      try {
        w.record(null);
      } catch (Throwable t) {
        thrown.add(t);
      }
    });
    waitFor(() -> w.failed() == 20, "every row to fail");
    assertThat(thrown).isEmpty();
    assertThat(w.written()).isZero();
    assertThat(calls.get()).isEqualTo(4);
    // still working afterwards
    w.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void should_publish_would_have_blocked_only_when_live_allowed() throws Exception {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(ShadowDecisionWriter.WOULD_HAVE_BLOCKED, m -> events.add(m.body()))
        .completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ShadowDecisionWriter w = new ShadowDecisionWriter(vertx, collecting(), 1000, 500, 20);
    onLoop(() -> {
      w.record(d(1, "ALLOW", "DENY"));
      w.record(d(2, "DENY", "ALLOW"));
      w.record(d(3, "ESCALATE", "DENY"));
      w.record(d(4, "ALLOW", "ESCALATE"));
    });
    waitFor(() -> events.size() == 2 && rows() == 4, "two events and four rows");
    Thread.sleep(100);
    assertThat(events).extracting(e -> e.getString("request_id")).containsExactlyInAnyOrder("req-1", "req-4");
    JsonObject e = events.stream().filter(x -> x.getString("request_id").equals("req-1")).findFirst().orElseThrow();
    assertThat(e.getString("type")).isEqualTo("would_have_blocked");
    assertThat(e.getString("tenant_id")).isEqualTo("00000000-0000-0000-0000-00000000000a");
    assertThat(e.getString("shadow_decision")).isEqualTo("DENY");
    assertThat(e.getInteger("shadow_version")).isEqualTo(2);
  }

  @Test
  void should_write_everything_pending_on_close_and_refuse_later_records() throws Exception {
    ShadowDecisionWriter w = new ShadowDecisionWriter(vertx, b -> {
      batches.add(List.copyOf(b));
      Promise<Void> p = Promise.promise();
      vertx.setTimer(20, t -> p.complete()); // a slow database
      return p.future();
    }, 10_000, 100, 60_000);
    onLoop(() -> {
      for (int i = 0; i < 350; i++) {
        w.record(d(i, "ALLOW", "DENY"));
      }
    });
    w.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(rows()).isEqualTo(350);
    assertThat(w.written()).isEqualTo(350);
    assertThat(w.pending()).isZero();
    assertThat(batches).allSatisfy(b -> assertThat(b.size()).isLessThanOrEqualTo(100));
    onLoop(() -> w.record(d(999, "ALLOW", "DENY")));
    assertThat(w.dropped()).isEqualTo(1);
    assertThat(w.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isNull();
  }
}
