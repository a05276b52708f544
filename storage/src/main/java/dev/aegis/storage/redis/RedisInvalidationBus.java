package dev.aegis.storage.redis;

import dev.aegis.pipeline.ports.InvalidationBus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster-wide {@link InvalidationBus} on Redis pub/sub.
 *
 * <p><b>Wire format.</b> Channel {@code c} is the Redis channel {@value #CHANNEL_PREFIX}{@code c}.
 * A message is JSON text {@code {"origin": "<process id>", "message": {...}}}; the process id is a
 * random UUID per bus instance (one bus = one "process"). A JSON object without that envelope
 * (e.g. {@code redis-cli PUBLISH aegis:inv:policy '{"tenant":"t1"}'} by an operator) is delivered
 * as is; text that is not a JSON object is counted, logged and dropped.
 *
 * <p><b>Exactly once locally.</b> {@link #publish} hands the message to this bus's own handlers
 * directly, then {@code PUBLISH}es it; when the message comes back through the subscription its
 * origin is this bus, so it is skipped. Local handlers therefore get it once, even while Redis is
 * unreachable (the returned future then fails).
 *
 * <p><b>Subscriber connection.</b> The first {@link #subscribe} leases one dedicated connection
 * from the {@link Redis} client (it stays leased, in subscribe mode, until {@link #close()}), names
 * it {@code aegis-inv-<process id>} ({@code CLIENT SETNAME}) and {@code SUBSCRIBE}s every channel
 * that has a handler; later channels are added to the same connection. All its state lives on
 * one Vert.x context (the one that built the bus). When the connection ends, fails, or misses a
 * heartbeat {@code PING} (so a silently dead peer is noticed too), the bus reconnects with
 * exponential backoff and jitter (from {@code initialBackoff} up to {@code maxBackoff}) and
 * re-subscribes every channel; messages published in the gap are lost for this process (best
 * effort, at most once), which is why {@link #onResubscribed} exists. Connection trouble is logged
 * at most once per 10 s.
 *
 * <p>Publishing uses the client's pool ({@code PUBLISH} on any connection), never the subscriber
 * connection, so concurrent publishes are not ordered, and a burst larger than the pool can queue
 * ({@code RedisOptions} max pool size and max pool waiting) fails the excess futures.
 *
 * <p>Vert.x 5.0.x detail: a reply to a command on a subscribed connection can reach the
 * connection's message handler instead of the command's future when a push overtakes it, so the
 * heartbeat recognises its {@code PONG} on either path, and apart from {@code SUBSCRIBE} (which
 * has no reply future) no other command is sent on that connection once it has subscribed.
 */
public final class RedisInvalidationBus implements InvalidationBus {

  /** Prefix of every Redis channel this bus uses. */
  public static final String CHANNEL_PREFIX = "aegis:inv:";

  /** Prefix of the subscriber connection's client name; the process id follows. */
  public static final String CLIENT_NAME_PREFIX = "aegis-inv-";

  /** Default first reconnect delay (doubled per failed attempt, with jitter). */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);

  /** Default longest reconnect delay. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);

  /** Default interval between heartbeat PINGs on the subscriber connection. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(15);

  private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

  /** A PING counts as lost only after max(heartbeat interval, this): a busy Redis is not dead. */
  public static final long MIN_PING_TIMEOUT_MILLIS = 2_000;

  private static final Logger LOG = LoggerFactory.getLogger(RedisInvalidationBus.class);

  private final Vertx vertx;
  private final Redis redis;
  private final boolean ownsClient;
  private final Context context;
  private final String processId = UUID.randomUUID().toString();
  private final long initialBackoffMillis;
  private final long maxBackoffMillis;
  private final long heartbeatMillis;
  private final long pingTimeoutMillis;

  private final ConcurrentHashMap<String, CopyOnWriteArrayList<Subscription>> subscriptions =
      new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<Runnable> resubscribedHandlers = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Promise<Void> closePromise = Promise.promise();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final LogLimiter troubleLog = new LogLimiter();
  private final LogLimiter recoveryLog = new LogLimiter();
  private volatile long subscriberClientId = -1;
  /**
   * The current connection finished its handshake (CLIENT SETNAME / ID) and sent its SUBSCRIBE:
   * until then a new channel waits for that SUBSCRIBE instead of sending its own, because a
   * command sent while the handshake's replies are pending can have its reply routed to the
   * wrong future (Vert.x 5.0.x), leaving the connection half subscribed.
   */
  private volatile boolean handshakeDone;

  // ---- state confined to `context` ----
  private RedisConnection conn;
  private boolean connecting;
  private int failedAttempts;
  private long reconnectTimer = -1;
  private long heartbeatTimer = -1;
  private boolean pingOutstanding;
  private long pingSentAt;
  private boolean gap; // the subscription was lost since the last time it was complete
  private final Set<String> confirmed = new HashSet<>();
  private final List<Promise<Void>> readyWaiters = new ArrayList<>();

  /**
   * Uses a shared client: it publishes through the client's pool and leases one connection from it
   * for the subscription. {@link #close()} does not close the client.
   *
   * @param vertx the Vert.x instance
   * @param redis client (standalone, sentinel or replication); its pool must allow one more
   *     connection for the subscription
   */
  public RedisInvalidationBus(Vertx vertx, Redis redis) {
    this(vertx, redis, false, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_HEARTBEAT_INTERVAL,
        MIN_PING_TIMEOUT_MILLIS);
  }

  /**
   * Creates (and on {@link #close()} closes) its own client from {@code options}.
   *
   * @param vertx the Vert.x instance
   * @param options where and how to connect
   */
  public RedisInvalidationBus(Vertx vertx, RedisOptions options) {
    this(vertx, Redis.createClient(vertx, options), true,
        DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_HEARTBEAT_INTERVAL, MIN_PING_TIMEOUT_MILLIS);
  }

  /**
   * Uses a shared client (not closed by {@link #close()}) with explicit reconnect tuning.
   *
   * @param vertx the Vert.x instance
   * @param redis client
   * @param initialBackoff first reconnect delay, > 0
   * @param maxBackoff longest reconnect delay, >= initialBackoff
   * @param heartbeatInterval time between heartbeat PINGs; a PING still unanswered after one
   *     interval (and at least {@value #MIN_PING_TIMEOUT_MILLIS} ms) drops the connection; {@link
   *     Duration#ZERO} disables the heartbeat
   */
  public RedisInvalidationBus(
      Vertx vertx, Redis redis, Duration initialBackoff, Duration maxBackoff, Duration heartbeatInterval) {
    this(vertx, redis, false, initialBackoff, maxBackoff, heartbeatInterval, MIN_PING_TIMEOUT_MILLIS);
  }

  /** Visible for tests: {@code minPingTimeoutMillis} replaces {@link #MIN_PING_TIMEOUT_MILLIS}. */
  RedisInvalidationBus(Vertx vertx, Redis redis, boolean ownsClient, Duration initialBackoff,
      Duration maxBackoff, Duration heartbeatInterval, long minPingTimeoutMillis) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.redis = Objects.requireNonNull(redis, "redis");
    this.ownsClient = ownsClient;
    this.initialBackoffMillis = initialBackoff.toMillis();
    this.maxBackoffMillis = maxBackoff.toMillis();
    this.heartbeatMillis = heartbeatInterval.toMillis();
    this.pingTimeoutMillis = Math.max(heartbeatMillis, minPingTimeoutMillis);
    if (initialBackoffMillis < 1 || maxBackoffMillis < initialBackoffMillis || heartbeatMillis < 0) {
      throw new IllegalArgumentException("need 0 < initialBackoff <= maxBackoff and heartbeatInterval >= 0");
    }
    this.context = vertx.getOrCreateContext();
  }

  // ------------------------------------------------------------------ public API

  @Override
  public Future<Void> publish(String channel, JsonObject message) {
    if (channel == null || message == null) {
      return Future.failedFuture(new NullPointerException(channel == null ? "channel" : "message"));
    }
    if (channel.isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException("channel must not be empty"));
    }
    if (closed.get()) {
      return Future.failedFuture(new IllegalStateException("invalidation bus closed"));
    }
    JsonObject snapshot;
    String payload;
    try {
      snapshot = message.copy();
      payload = new JsonObject().put("origin", processId).put("message", snapshot).encode();
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalArgumentException("message is not JSON: " + e.getMessage(), e));
    }
    deliver(channel, snapshot); // exactly once locally; the echo from Redis is skipped
    try {
      return redis.send(Request.cmd(Command.PUBLISH).arg(CHANNEL_PREFIX + channel).arg(payload)).mapEmpty();
    } catch (RuntimeException e) { // a client that throws instead of failing the future
      return Future.failedFuture(e);
    }
  }

  @Override
  public void subscribe(String channel, Consumer<JsonObject> handler) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(handler, "handler");
    if (channel.isEmpty()) {
      throw new IllegalArgumentException("channel must not be empty");
    }
    if (closed.get()) {
      throw new IllegalStateException("invalidation bus closed");
    }
    Subscription sub = new Subscription(vertx.getOrCreateContext(), handler);
    boolean[] newChannel = new boolean[1];
    subscriptions.compute(channel, (k, list) -> {
      if (list == null) {
        list = new CopyOnWriteArrayList<>();
        newChannel[0] = true;
      }
      list.add(sub);
      return list;
    });
    if (newChannel[0]) {
      onContext(() -> subscribeChannel(channel));
    }
  }

  @Override
  public Future<Void> close() {
    if (closed.compareAndSet(false, true)) {
      onContext(this::shutdown);
    }
    return closePromise.future();
  }

  /**
   * Completes once every channel subscribed so far is confirmed by Redis on the live subscriber
   * connection (immediately if there is none to wait for). Messages published before that may not
   * reach this process. Useful at startup and in tests; it waits across reconnects.
   */
  public Future<Void> whenSubscribed() {
    Promise<Void> p = Promise.promise();
    onContext(() -> {
      if (closed.get()) {
        p.tryFail(new IllegalStateException("invalidation bus closed"));
      } else if (complete()) {
        p.tryComplete();
      } else {
        readyWaiters.add(p);
      }
    });
    return p.future();
  }

  /**
   * Registers a callback run (on the bus context) each time the subscription is complete again
   * after the connection was lost. Messages published during the outage were not delivered to this
   * process, so caches fed by this bus should be refreshed or flushed here.
   */
  public void onResubscribed(Runnable handler) {
    resubscribedHandlers.add(Objects.requireNonNull(handler, "handler"));
  }

  /** Random id of this bus instance, carried as {@code origin} in every message it publishes. */
  public String processId() {
    return processId;
  }

  /** Number of times the subscription was re-established after the connection was lost. */
  public long reconnects() {
    return reconnects.get();
  }

  /** Number of received messages dropped because they were not a JSON object. */
  public long malformedMessages() {
    return malformed.get();
  }

  /** Redis {@code CLIENT ID} of the current subscriber connection, -1 if none (for tests). */
  long subscriberClientId() {
    return subscriberClientId;
  }

  // ------------------------------------------------------------------ delivery

  private void deliver(String channel, JsonObject message) {
    List<Subscription> subs = subscriptions.get(channel);
    if (subs == null) {
      return;
    }
    for (Subscription sub : subs) {
      // `message` is never modified after this point; each handler gets its own copy
      sub.context.runOnContext(v -> {
        if (closed.get()) {
          return;
        }
        try {
          sub.handler.accept(message.copy());
        } catch (Throwable t) {
          LOG.warn("invalidation handler for channel {} failed", channel, t);
        }
      });
    }
  }

  private void onRemoteMessage(String redisChannel, String payload) {
    if (!redisChannel.startsWith(CHANNEL_PREFIX)) {
      return;
    }
    String channel = redisChannel.substring(CHANNEL_PREFIX.length());
    JsonObject json;
    try {
      json = new JsonObject(payload);
    } catch (DecodeException | ClassCastException e) {
      malformed.incrementAndGet();
      if (troubleLog.tryAcquire()) {
        LOG.warn("dropping malformed invalidation message on {} ({} similar problems suppressed): {}",
            redisChannel, troubleLog.drainSuppressed(), e.getMessage());
      }
      return;
    }
    if (json.getValue("origin") instanceof String origin && json.getValue("message") instanceof JsonObject inner) {
      if (!origin.equals(processId)) {
        deliver(channel, inner);
      }
    } else {
      deliver(channel, json); // not an envelope: a raw JSON object from outside Aegis
    }
  }

  // ------------------------------------------------------------------ subscriber connection
  // Everything below runs on `context`.

  private void onContext(Runnable action) {
    context.runOnContext(v -> action.run());
  }

  private void subscribeChannel(String channel) {
    if (closed.get()) {
      return;
    }
    RedisConnection c = conn;
    if (c == null) {
      connect(); // subscribes to every channel once connected
      return;
    }
    if (!handshakeDone) {
      return; // the handshake's SUBSCRIBE reads the channel set after this channel was added
    }
    c.send(Request.cmd(Command.SUBSCRIBE).arg(CHANNEL_PREFIX + channel))
        // the confirmation may come back as this command's reply instead of a push: count it too
        .onSuccess(reply -> onContext(() -> onPush(c, reply)))
        .onFailure(err -> onContext(() -> dropped(c, err)));
  }

  private void connect() {
    reconnectTimer = -1;
    if (closed.get() || conn != null || connecting) {
      return;
    }
    connecting = true;
    startHeartbeat();
    redis.connect().onComplete(ar -> onContext(() -> {
      connecting = false;
      if (ar.failed()) {
        trouble("cannot connect the Redis invalidation subscriber", ar.cause());
        scheduleReconnect();
        return;
      }
      RedisConnection c = ar.result();
      if (closed.get()) {
        c.close();
        return;
      }
      conn = c;
      handshakeDone = false;
      confirmed.clear();
      pingOutstanding = false;
      c.handler(reply -> onContext(() -> onPush(c, reply)));
      c.endHandler(v -> onContext(() -> dropped(c, null)));
      c.exceptionHandler(err -> onContext(() -> dropped(c, err)));
      c.send(Request.cmd(Command.CLIENT).arg("SETNAME").arg(CLIENT_NAME_PREFIX + processId))
          .compose(ok -> c.send(Request.cmd(Command.CLIENT).arg("ID")))
          .compose(id -> {
            subscriberClientId = id.toLong();
            // first the flag, then the snapshot: a channel added in between is sent by
            // subscribeChannel, one added before is in the snapshot (a double SUBSCRIBE is harmless)
            handshakeDone = true;
            Set<String> channels = Set.copyOf(subscriptions.keySet());
            if (channels.isEmpty()) {
              return Future.succeededFuture();
            }
            Request sub = Request.cmd(Command.SUBSCRIBE);
            channels.forEach(ch -> sub.arg(CHANNEL_PREFIX + ch));
            // Redis confirms each channel separately; Vert.x (5.0.x) hands the first confirmation
            // to this command's reply and pushes the others, so count the reply too
            return c.send(sub).map(reply -> {
              onContext(() -> onPush(c, reply));
              return (Void) null;
            });
          })
          .onFailure(err -> onContext(() -> dropped(c, err)));
    }));
  }

  private void onPush(RedisConnection c, Response reply) {
    if (c != conn || reply == null) {
      return;
    }
    if (reply.type() == ResponseType.SIMPLE || reply.type() == ResponseType.BULK) {
      // The heartbeat's PONG. Vert.x (5.0.x) hands a reply here instead of to the PING's future
      // when a pushed message overtook it: it takes the waiting promise before noticing the push.
      if ("PONG".equalsIgnoreCase(reply.toString())) {
        pingOutstanding = false;
      }
      return;
    }
    if ((reply.type() != ResponseType.PUSH && reply.type() != ResponseType.MULTI) || reply.size() < 1) {
      return;
    }
    String kind = String.valueOf(reply.get(0));
    switch (kind) {
      case "message" -> {
        if (reply.size() == 3 && reply.get(1) != null && reply.get(2) != null) {
          onRemoteMessage(reply.get(1).toString(), reply.get(2).toString());
        }
      }
      case "subscribe" -> {
        if (reply.size() >= 2 && reply.get(1) != null) {
          String redisChannel = reply.get(1).toString();
          if (redisChannel.startsWith(CHANNEL_PREFIX)) {
            confirmed.add(redisChannel.substring(CHANNEL_PREFIX.length()));
          }
          checkComplete();
        }
      }
      case "pong" -> pingOutstanding = false; // RESP2 answers PING in subscribe mode this way
      default -> { } // unsubscribe confirmations and the like
    }
  }

  private boolean complete() {
    return conn != null && confirmed.containsAll(subscriptions.keySet())
        || conn == null && subscriptions.isEmpty();
  }

  private void checkComplete() {
    if (!complete()) {
      return;
    }
    failedAttempts = 0;
    if (gap) {
      gap = false;
      reconnects.incrementAndGet();
      if (recoveryLog.tryAcquire()) {
        LOG.info("Redis invalidation subscriber re-subscribed to {} channel(s) ({} similar messages suppressed)",
            confirmed.size(), recoveryLog.drainSuppressed());
      }
      for (Runnable r : resubscribedHandlers) {
        try {
          r.run();
        } catch (Throwable t) {
          LOG.warn("onResubscribed handler failed", t);
        }
      }
    }
    List<Promise<Void>> waiters = new ArrayList<>(readyWaiters);
    readyWaiters.clear();
    waiters.forEach(Promise::tryComplete);
  }

  private void dropped(RedisConnection c, Throwable cause) {
    if (c != conn) {
      return; // an old connection, already handled
    }
    conn = null;
    subscriberClientId = -1;
    confirmed.clear();
    pingOutstanding = false;
    c.close(); // releases the lease; a subscribed connection is closed, never reused
    if (closed.get()) {
      return;
    }
    gap = true;
    trouble("lost the Redis invalidation subscriber connection", cause);
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    if (closed.get() || reconnectTimer != -1) {
      return;
    }
    long cap = initialBackoffMillis << Math.min(failedAttempts, 20);
    if (cap <= 0 || cap > maxBackoffMillis) {
      cap = maxBackoffMillis;
    }
    failedAttempts++;
    long delay = Math.max(1, cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1)); // equal jitter
    reconnectTimer = vertx.setTimer(delay, id -> onContext(this::connect));
  }

  private void startHeartbeat() {
    if (heartbeatMillis > 0 && heartbeatTimer == -1) {
      heartbeatTimer = vertx.setPeriodic(heartbeatMillis, id -> onContext(this::heartbeat));
    }
  }

  private void heartbeat() {
    RedisConnection c = conn;
    if (c == null || closed.get()) {
      return;
    }
    if (pingOutstanding) {
      long waitedMillis = (System.nanoTime() - pingSentAt) / 1_000_000L;
      if (waitedMillis >= pingTimeoutMillis) {
        dropped(c, new TimeoutException("no PONG for " + waitedMillis + " ms"));
      }
      return;
    }
    pingOutstanding = true;
    pingSentAt = System.nanoTime();
    c.send(Request.cmd(Command.PING)).onComplete(ar -> onContext(() -> {
      if (c != conn) {
        return;
      }
      if (ar.failed()) {
        dropped(c, ar.cause());
        return;
      }
      pingOutstanding = false;
      Response r = ar.result();
      // RESP2 only: a message or subscribe confirmation that arrived while the PING was waiting
      // is handed to the PING's future; route it like any push
      if (r != null && r.type() == ResponseType.MULTI) {
        onPush(c, r);
      }
    }));
  }

  private void shutdown() {
    if (reconnectTimer != -1) {
      vertx.cancelTimer(reconnectTimer);
      reconnectTimer = -1;
    }
    if (heartbeatTimer != -1) {
      vertx.cancelTimer(heartbeatTimer);
      heartbeatTimer = -1;
    }
    List<Promise<Void>> waiters = new ArrayList<>(readyWaiters);
    readyWaiters.clear();
    waiters.forEach(p -> p.tryFail(new IllegalStateException("invalidation bus closed")));
    subscriptions.clear();
    RedisConnection c = conn;
    conn = null;
    subscriberClientId = -1;
    Future<Void> released = c == null ? Future.succeededFuture() : c.close().otherwiseEmpty();
    released
        .compose(v -> ownsClient ? redis.close() : Future.<Void>succeededFuture())
        .onComplete(closePromise);
  }

  private void trouble(String what, Throwable cause) {
    if (troubleLog.tryAcquire()) {
      LOG.warn("{}; reconnecting with backoff ({} similar messages suppressed): {}",
          what, troubleLog.drainSuppressed(), cause == null ? "connection closed" : cause.toString());
    }
  }

  private record Subscription(Context context, Consumer<JsonObject> handler) {}

  /** Lets one message through per {@link #LOG_INTERVAL_NANOS}, counting the rest. */
  private static final class LogLimiter {
    private final AtomicLong nextAt = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private final AtomicLong suppressed = new AtomicLong();

    boolean tryAcquire() {
      long now = System.nanoTime();
      long due = nextAt.get();
      if (now - due >= 0 && nextAt.compareAndSet(due, now + LOG_INTERVAL_NANOS)) {
        return true;
      }
      suppressed.incrementAndGet();
      return false;
    }

    long drainSuppressed() {
      return suppressed.getAndSet(0);
    }
  }
}
