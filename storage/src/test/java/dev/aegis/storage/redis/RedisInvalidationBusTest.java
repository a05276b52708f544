package dev.aegis.storage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.ports.InvalidationBus;
import dev.aegis.storage.InvalidationBusContractTest;
import dev.aegis.storage.OnceStoreContractTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shared contract against a real Redis: every bus has its own client (own pool, own subscriber
 * connection), so {@code here} and {@code there} behave as two gateways. Plus Redis specifics:
 * reconnect after the subscriber connection is killed, wire format, local delivery without Redis.
 *
 * <p>Connects to {@code aegis.test.redis.url}; an unreachable Redis FAILS this class. Channels are
 * random per test, and only this test's own connections are killed ({@code CLIENT KILL ID}), so
 * builds sharing one Redis do not disturb each other.
 */
class RedisInvalidationBusTest extends InvalidationBusContractTest {

  private Redis adminClient;
  private RedisAPI admin;

  @BeforeAll
  void connectAdmin() {
    adminClient = Redis.createClient(vertx, RedisOnceStoreTest.URL);
    admin = RedisAPI.api(adminClient);
    RedisOnceStoreTest.requireRedis(admin);
  }

  @AfterAll
  void closeAdmin() throws Exception {
    if (adminClient != null) {
      await(adminClient.close());
    }
  }

  @Override
  protected InvalidationBus newBus(Vertx vertx) {
    // its own client: own pool, own subscriber connection; room for a burst of PUBLISHes
    return new RedisInvalidationBus(vertx, new RedisOptions()
        .setConnectionString(RedisOnceStoreTest.URL).setMaxPoolSize(8).setMaxPoolWaiting(1024));
  }

  @Override
  protected Future<Void> subscribed(InvalidationBus bus) {
    return ((RedisInvalidationBus) bus).whenSubscribed();
  }

  private void publishRaw(String channel, String payload) throws Exception {
    await(admin.publish(RedisInvalidationBus.CHANNEL_PREFIX + channel, payload));
  }

  @Test
  void keepsWorkingAfterTheSubscriberConnectionIsKilled() throws Exception {
    RedisInvalidationBus remoteBus = (RedisInvalidationBus) there;
    String ch = channel("killswitch");
    Recorder remote = new Recorder();
    AtomicInteger resubscribed = new AtomicInteger();
    remoteBus.onResubscribed(resubscribed::incrementAndGet);
    there.subscribe(ch, remote);
    ready(there);

    long id = remoteBus.subscriberClientId();
    assertThat(id).isPositive();
    String clients = await(admin.client(List.of("LIST", "TYPE", "pubsub"))).toString();
    assertThat(clients).contains("id=" + id + " ").contains("name=aegis-inv-" + remoteBus.processId());

    assertThat(await(admin.client(List.of("KILL", "ID", Long.toString(id)))).toLong()).isEqualTo(1);

    // publish until a message sent after the reconnect arrives (messages in the gap are lost)
    long deadline = System.nanoTime() + 5_000_000_000L;
    int sent = 0;
    while (remote.count() == 0) {
      assertThat(System.nanoTime() - deadline).as("no delivery within 5 s of the kill").isNegative();
      await(here.publish(ch, new JsonObject().put("attempt", sent++)));
      Thread.sleep(100);
    }
    assertThat(remoteBus.reconnects()).isEqualTo(1);
    assertThat(resubscribed.get()).isEqualTo(1);
    assertThat(remoteBus.subscriberClientId()).isPositive().isNotEqualTo(id);

    // and it keeps delivering every message now
    int before = remote.count();
    await(here.publish(ch, new JsonObject().put("after", true)));
    remote.awaitCount(before + 1, DELIVERY_MILLIS);
  }

  @Test
  void aChannelAddedLaterJoinsTheSameConnection() throws Exception {
    RedisInvalidationBus remoteBus = (RedisInvalidationBus) there;
    Recorder first = new Recorder();
    Recorder second = new Recorder();
    there.subscribe(channel("first"), first);
    ready(there);
    long id = remoteBus.subscriberClientId();
    there.subscribe(channel("second"), second);
    ready(there);
    assertThat(remoteBus.subscriberClientId()).isEqualTo(id);
    await(here.publish(channel("second"), new JsonObject().put("n", 2)));
    await(here.publish(channel("first"), new JsonObject().put("n", 1)));
    first.awaitCount(1, DELIVERY_MILLIS);
    second.awaitCount(1, DELIVERY_MILLIS);
    assertThat(remoteBus.reconnects()).isZero();
  }

  @Test
  void wireFormatEnvelopeRawJsonAndGarbage() throws Exception {
    RedisInvalidationBus remoteBus = (RedisInvalidationBus) there;
    String ch = channel("wire");
    Recorder remote = new Recorder();
    there.subscribe(ch, remote);
    ready(there);

    publishRaw(ch, "not json at all");
    publishRaw(ch, "[1, 2]");
    publishRaw(ch, new JsonObject().put("origin", remoteBus.processId()).put("message", new JsonObject().put("n", 0)).encode());
    publishRaw(ch, new JsonObject().put("origin", "other-gateway").put("message", new JsonObject().put("n", 1)).encode());
    publishRaw(ch, new JsonObject().put("tenant", "t-1").encode()); // an operator's redis-cli PUBLISH
    remote.awaitCount(2, DELIVERY_MILLIS);
    Thread.sleep(QUIET_MILLIS);

    assertThat(remote.messages).containsExactly(new JsonObject().put("n", 1), new JsonObject().put("tenant", "t-1"));
    assertThat(remoteBus.malformedMessages()).isEqualTo(2);
  }

  @Test
  void theLocalProcessIsServedEvenWhenRedisIsUnreachable() throws Exception {
    Redis dead = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:1"));
    RedisInvalidationBus offline = new RedisInvalidationBus(vertx, dead,
        Duration.ofMillis(20), Duration.ofMillis(100), Duration.ZERO);
    try {
      String ch = channel("offline");
      Recorder local = new Recorder();
      offline.subscribe(ch, local);
      Throwable err = offline.publish(ch, new JsonObject().put("halt", true))
          .toCompletionStage().toCompletableFuture().handle((r, e) -> e).get();
      assertThat(err).as("the PUBLISH failed").isNotNull();
      local.awaitCount(1, DELIVERY_MILLIS);
      Thread.sleep(QUIET_MILLIS); // several reconnect attempts happen meanwhile
      assertThat(local.messages).containsExactly(new JsonObject().put("halt", true));
      assertThat(offline.subscriberClientId()).isEqualTo(-1);
    } finally {
      await(offline.close());
      await(dead.close());
    }
  }

  @ParameterizedTest
  @EnumSource(ProtocolVersion.class)
  void aFastHeartbeatKeepsAHealthyConnection(ProtocolVersion protocol) throws Exception {
    // PINGs interleave with pushed messages: both protocols' reply routing must keep every message
    Redis client = Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(RedisOnceStoreTest.URL).setPreferredProtocolVersion(protocol));
    RedisInvalidationBus beating = new RedisInvalidationBus(vertx, client,
        Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMillis(20));
    try {
      String ch = channel("heartbeat");
      Recorder rec = new Recorder();
      beating.subscribe(ch, rec);
      await(beating.whenSubscribed());
      long id = beating.subscriberClientId();
      for (int i = 0; i < 20; i++) { // messages interleave with PINGs for ~400 ms
        await(here.publish(ch, new JsonObject().put("i", i)));
        Thread.sleep(20);
      }
      try {
        rec.awaitCount(20, DELIVERY_MILLIS);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; reconnects: " + beating.reconnects(), e);
      }
      assertThat(rec.messages).extracting(m -> m.getInteger("i")).doesNotHaveDuplicates().hasSize(20);
      assertThat(beating.reconnects()).isZero();
      assertThat(beating.subscriberClientId()).isEqualTo(id);
    } finally {
      await(beating.close());
      await(client.close());
    }
  }

  @Test
  void closeReleasesTheSubscriberConnection() throws Exception {
    RedisInvalidationBus remoteBus = (RedisInvalidationBus) there;
    there.subscribe(channel("release"), new Recorder());
    ready(there);
    long id = remoteBus.subscriberClientId();
    await(there.close());
    long deadline = System.nanoTime() + 2_000_000_000L;
    while (await(admin.client(List.of("LIST", "ID", Long.toString(id)))).toString().contains("id=" + id + " ")) {
      assertThat(System.nanoTime() - deadline).as("connection %d still open", id).isNegative();
      Thread.sleep(20);
    }
    OnceStoreContractTest.assertFails(remoteBus.whenSubscribed(), IllegalStateException.class);
  }

  @Test
  void aSilentlyDeadConnectionIsDetectedByTheHeartbeat() throws Exception {
    // A TCP proxy that can stop forwarding without closing anything: the subscriber sees no FIN,
    // only unanswered PINGs.
    FreezingProxy proxy = FreezingProxy.start(vertx, java.net.URI.create(RedisOnceStoreTest.URL));
    Redis viaProxy = Redis.createClient(vertx, "redis://127.0.0.1:" + proxy.port());
    RedisInvalidationBus bus = new RedisInvalidationBus(vertx, viaProxy, false,
        Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMillis(50), 300);
    try {
      String ch = channel("silent");
      Recorder rec = new Recorder();
      bus.subscribe(ch, rec);
      await(bus.whenSubscribed());
      long id = bus.subscriberClientId();
      await(here.publish(ch, new JsonObject().put("n", 0)));
      rec.awaitCount(1, DELIVERY_MILLIS);

      proxy.freezeExisting();
      long deadline = System.nanoTime() + 5_000_000_000L;
      int n = 1;
      while (rec.count() < 2) {
        assertThat(System.nanoTime() - deadline).as("no delivery within 5 s of the freeze").isNegative();
        await(here.publish(ch, new JsonObject().put("n", n++)));
        Thread.sleep(100);
      }
      assertThat(bus.reconnects()).isEqualTo(1);
      assertThat(bus.subscriberClientId()).isPositive().isNotEqualTo(id);
    } finally {
      await(bus.close());
      await(viaProxy.close());
      await(proxy.close());
    }
  }

  /** Forwards TCP to Redis; {@link #freezeExisting()} silently stops the current connections. */
  private static final class FreezingProxy {
    private final io.vertx.core.net.NetServer server;
    private final java.util.Set<java.util.concurrent.atomic.AtomicBoolean> frozenFlags =
        java.util.concurrent.ConcurrentHashMap.newKeySet();

    private FreezingProxy(io.vertx.core.net.NetServer server) {
      this.server = server;
    }

    static FreezingProxy start(Vertx vertx, java.net.URI target) throws Exception {
      io.vertx.core.net.NetClient client = vertx.createNetClient();
      io.vertx.core.net.NetServer server = vertx.createNetServer();
      FreezingProxy proxy = new FreezingProxy(server);
      server.connectHandler(front -> {
        front.pause();
        var frozen = new java.util.concurrent.atomic.AtomicBoolean();
        proxy.frozenFlags.add(frozen);
        client.connect(target.getPort(), target.getHost()).onComplete(ar -> {
          if (ar.failed()) {
            front.close();
            return;
          }
          io.vertx.core.net.NetSocket back = ar.result();
          front.handler(buf -> {
            if (!frozen.get()) {
              back.write(buf);
            }
          });
          back.handler(buf -> {
            if (!frozen.get()) {
              front.write(buf);
            }
          });
          front.closeHandler(v -> back.close());
          back.closeHandler(v -> front.close());
          front.resume();
        });
      });
      await(server.listen(0, "127.0.0.1"));
      return proxy;
    }

    int port() {
      return server.actualPort();
    }

    void freezeExisting() {
      frozenFlags.forEach(f -> f.set(true));
    }

    Future<Void> close() {
      return server.close();
    }
  }
}
