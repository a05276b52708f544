package dev.aegis.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.ports.InvalidationBus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link InvalidationBus} contract, shared by the in-process and Redis buses. Each test builds
 * two buses: {@link #here} (the publisher's process) and {@link #there} (another process: for
 * Redis a second bus with its own client and connections). Channels are random per test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class InvalidationBusContractTest {

  /** How long a delivery may take in these tests. */
  protected static final long DELIVERY_MILLIS = 1_000;

  /** How long to keep watching for a duplicate or stray delivery. */
  protected static final long QUIET_MILLIS = 250;

  protected Vertx vertx;
  protected InvalidationBus here;
  protected InvalidationBus there;
  private final List<InvalidationBus> opened = new ArrayList<>();
  private String channelPrefix;

  /** Builds a bus that behaves as a separate process; each call returns a new instance. */
  protected abstract InvalidationBus newBus(Vertx vertx) throws Exception;

  /** Completes once the bus's subscriptions so far are in effect (cluster transports are async). */
  protected Future<Void> subscribed(InvalidationBus bus) {
    return Future.succeededFuture();
  }

  @BeforeAll
  void setUpVertx() {
    vertx = OnceStoreContractTest.newStrictVertx();
  }

  @AfterAll
  void tearDownVertx() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @BeforeEach
  void newBuses(TestInfo info) throws Exception {
    channelPrefix = "contract." + UUID.randomUUID() + "." + info.getTestMethod().map(m -> m.getName()).orElse("t");
    here = open();
    there = open();
  }

  @AfterEach
  void closeBuses() throws Exception {
    for (InvalidationBus bus : opened) {
      await(bus.close());
    }
    opened.clear();
  }

  protected InvalidationBus open() throws Exception {
    InvalidationBus bus = newBus(vertx);
    opened.add(bus);
    return bus;
  }

  protected String channel(String name) {
    return channelPrefix + "." + name;
  }

  protected static <T> T await(Future<T> future) throws Exception {
    return OnceStoreContractTest.await(future);
  }

  protected void ready(InvalidationBus... buses) throws Exception {
    for (InvalidationBus bus : buses) {
      await(subscribed(bus));
    }
  }

  /** Collects deliveries, noting whether each ran on an event loop. */
  public static final class Recorder implements Consumer<JsonObject> {
    public final ConcurrentLinkedQueue<JsonObject> messages = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<Thread> threads = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<Boolean> onEventLoop = new ConcurrentLinkedQueue<>();

    public Recorder() {}

    @Override
    public void accept(JsonObject m) {
      threads.add(Thread.currentThread());
      onEventLoop.add(Context.isOnEventLoopThread());
      messages.add(m);
    }

    public int count() {
      return messages.size();
    }

    /** Waits until at least {@code n} messages arrived; fails after {@code millis}. */
    public void awaitCount(int n, long millis) throws InterruptedException {
      long deadline = System.nanoTime() + millis * 1_000_000L;
      while (messages.size() < n) {
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("expected " + n + " message(s) within " + millis + " ms, got " + messages);
        }
        Thread.sleep(5);
      }
    }
  }

  @Test
  void subscriberInAnotherProcessReceivesWithinOneSecond() throws Exception {
    String ch = channel("killswitch");
    Recorder remote = new Recorder();
    there.subscribe(ch, remote);
    ready(there);
    JsonObject msg = new JsonObject().put("tenant", "t-1").put("halted", true);
    long t0 = System.nanoTime();
    await(here.publish(ch, msg));
    remote.awaitCount(1, DELIVERY_MILLIS);
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(DELIVERY_MILLIS);
    assertThat(remote.messages).containsExactly(msg);
  }

  @Test
  void publishersOwnProcessReceivesExactlyOnce() throws Exception {
    String ch = channel("policy");
    Recorder local = new Recorder();
    Recorder remote = new Recorder();
    here.subscribe(ch, local);
    there.subscribe(ch, remote);
    ready(here, there);

    await(here.publish(ch, new JsonObject().put("rev", 1)));
    local.awaitCount(1, DELIVERY_MILLIS);
    remote.awaitCount(1, DELIVERY_MILLIS);
    // and the other way round
    await(there.publish(ch, new JsonObject().put("rev", 2)));
    local.awaitCount(2, DELIVERY_MILLIS);
    remote.awaitCount(2, DELIVERY_MILLIS);
    Thread.sleep(QUIET_MILLIS); // time for a duplicate (e.g. a local echo via the cluster) to show up

    assertThat(local.messages).extracting(m -> m.getInteger("rev")).containsExactlyInAnyOrder(1, 2);
    assertThat(remote.messages).extracting(m -> m.getInteger("rev")).containsExactlyInAnyOrder(1, 2);
  }

  @Test
  void unsubscribedChannelsReceiveNothing() throws Exception {
    String ch = channel("grants");
    Recorder localGrants = new Recorder();
    Recorder remoteGrants = new Recorder();
    Recorder remoteOther = new Recorder();
    here.subscribe(ch, localGrants);
    there.subscribe(ch, remoteGrants);
    there.subscribe(channel("other"), remoteOther);
    ready(here, there);

    await(here.publish(channel("nobody"), new JsonObject().put("n", 1)));
    await(here.publish(ch + ".sub", new JsonObject().put("n", 2))); // prefix match must not count
    await(here.publish(ch.substring(0, ch.length() - 1), new JsonObject().put("n", 3)));
    await(here.publish(ch, new JsonObject().put("n", 4)));
    localGrants.awaitCount(1, DELIVERY_MILLIS);
    remoteGrants.awaitCount(1, DELIVERY_MILLIS);
    Thread.sleep(QUIET_MILLIS);

    assertThat(localGrants.messages).extracting(m -> m.getInteger("n")).containsExactly(4);
    assertThat(remoteGrants.messages).extracting(m -> m.getInteger("n")).containsExactly(4);
    assertThat(remoteOther.messages).isEmpty();
  }

  @Test
  void everyHandlerGetsItsOwnCopy() throws Exception {
    String ch = channel("quota");
    List<JsonObject> mutated = new ArrayList<>();
    Recorder clean = new Recorder();
    Recorder localClean = new Recorder();
    there.subscribe(ch, m -> {
      m.put("tampered", true);
      synchronized (mutated) {
        mutated.add(m);
      }
    });
    there.subscribe(ch, clean);
    here.subscribe(ch, m -> m.put("tampered", true));
    here.subscribe(ch, localClean);
    ready(here, there);

    JsonObject msg = new JsonObject().put("tenant", "t-9");
    await(here.publish(ch, msg));
    msg.put("after-publish", true); // the caller may reuse its object
    clean.awaitCount(1, DELIVERY_MILLIS);
    localClean.awaitCount(1, DELIVERY_MILLIS);
    Thread.sleep(QUIET_MILLIS);

    JsonObject expected = new JsonObject().put("tenant", "t-9");
    assertThat(clean.messages).containsExactly(expected);
    assertThat(localClean.messages).containsExactly(expected);
    synchronized (mutated) {
      assertThat(mutated).hasSize(1);
    }
  }

  @Test
  void handlersRunOnAnEventLoop() throws Exception {
    String ch = channel("loop");
    Recorder local = new Recorder();
    Recorder remote = new Recorder();
    here.subscribe(ch, local); // from the test thread: a fresh event-loop context
    there.subscribe(ch, remote);
    ready(here, there);
    await(here.publish(ch, new JsonObject()));
    local.awaitCount(1, DELIVERY_MILLIS);
    remote.awaitCount(1, DELIVERY_MILLIS);
    assertThat(local.onEventLoop).containsOnly(true);
    assertThat(remote.onEventLoop).containsOnly(true);
  }

  @Test
  void handlersRunOnTheSubscribingContext() throws Exception {
    String ch = channel("ctx");
    Context ctx = vertx.getOrCreateContext();
    CompletableFuture<Thread> loopThread = new CompletableFuture<>();
    Recorder remote = new Recorder();
    ctx.runOnContext(v -> {
      there.subscribe(ch, remote);
      loopThread.complete(Thread.currentThread());
    });
    Thread expected = loopThread.get(5, TimeUnit.SECONDS);
    ready(there);
    for (int i = 0; i < 3; i++) {
      await(here.publish(ch, new JsonObject().put("i", i)));
    }
    remote.awaitCount(3, DELIVERY_MILLIS);
    assertThat(remote.threads).containsOnly(expected);
  }

  @Test
  void aFailingHandlerAffectsNeitherOthersNorLaterMessages() throws Exception {
    String ch = channel("boom");
    Recorder remote = new Recorder();
    Recorder local = new Recorder();
    there.subscribe(ch, m -> {
      throw new IllegalStateException("handler bug (expected by the test)");
    });
    there.subscribe(ch, remote);
    here.subscribe(ch, m -> {
      throw new IllegalStateException("handler bug (expected by the test)");
    });
    here.subscribe(ch, local);
    ready(here, there);
    await(here.publish(ch, new JsonObject().put("n", 1)));
    await(here.publish(ch, new JsonObject().put("n", 2)));
    remote.awaitCount(2, DELIVERY_MILLIS);
    local.awaitCount(2, DELIVERY_MILLIS);
    assertThat(remote.messages).extracting(m -> m.getInteger("n")).containsExactlyInAnyOrder(1, 2);
  }

  @Test
  void aBurstOfMessagesArrives() throws Exception {
    String ch = channel("burst");
    Recorder remote = new Recorder();
    there.subscribe(ch, remote);
    ready(there);
    List<Future<Void>> sent = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      sent.add(here.publish(ch, new JsonObject().put("i", i)));
    }
    await(Future.all(sent));
    remote.awaitCount(100, 2 * DELIVERY_MILLIS);
    assertThat(remote.messages).extracting(m -> m.getInteger("i")).doesNotHaveDuplicates().hasSize(100);
  }

  @Test
  void aClosedBusRefusesAndDeliversNothing() throws Exception {
    String ch = channel("closed");
    Recorder closedRecorder = new Recorder();
    Recorder stillOpen = new Recorder();
    there.subscribe(ch, closedRecorder);
    here.subscribe(ch, stillOpen);
    ready(here, there);
    await(there.close());
    await(there.close()); // idempotent

    OnceStoreContractTest.assertFails(there.publish(ch, new JsonObject()), IllegalStateException.class);
    assertThatThrownBy(() -> there.subscribe(ch, m -> { })).isInstanceOf(IllegalStateException.class);
    await(here.publish(ch, new JsonObject().put("after", "close")));
    stillOpen.awaitCount(1, DELIVERY_MILLIS);
    Thread.sleep(QUIET_MILLIS);
    assertThat(closedRecorder.messages).isEmpty();
  }

  @Test
  void invalidArgumentsAreRejected() {
    String ch = channel("bad");
    OnceStoreContractTest.assertFails(here.publish(null, new JsonObject()), NullPointerException.class);
    OnceStoreContractTest.assertFails(here.publish(ch, null), NullPointerException.class);
    OnceStoreContractTest.assertFails(here.publish("", new JsonObject()), IllegalArgumentException.class);
    assertThatThrownBy(() -> here.subscribe(null, m -> { })).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> here.subscribe(ch, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> here.subscribe("", m -> { })).isInstanceOf(IllegalArgumentException.class);
  }
}
