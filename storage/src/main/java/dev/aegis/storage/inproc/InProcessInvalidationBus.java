package dev.aegis.storage.inproc;

import dev.aegis.pipeline.ports.InvalidationBus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-process {@link InvalidationBus} on the Vert.x event bus: a message on channel {@code c} is
 * {@linkplain io.vertx.core.eventbus.EventBus#publish published} to the address {@value
 * #ADDRESS_PREFIX}{@code c}, and every {@link #subscribe} registers one consumer there.
 *
 * <p>Every bus built on the same {@link Vertx} shares those addresses, so they all see each
 * other's messages (one process, one delivery per handler). The message is copied when published
 * and the event bus copies it again for each consumer, so handlers never share an instance. A
 * consumer runs on the context that called {@link #subscribe} (a fresh event-loop context when
 * called from a non-Vert.x thread). Anything else sent to these addresses that is not a {@link
 * JsonObject} is logged and dropped.
 */
public final class InProcessInvalidationBus implements InvalidationBus {

  /** Event-bus address prefix; the channel name follows. */
  public static final String ADDRESS_PREFIX = "aegis.invalidate.";

  private static final Logger LOG = LoggerFactory.getLogger(InProcessInvalidationBus.class);

  private final Vertx vertx;
  private final Set<MessageConsumer<Object>> consumers = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * @param vertx the Vert.x instance whose event bus carries the messages
   */
  public InProcessInvalidationBus(Vertx vertx) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
  }

  /** The event-bus address of a channel. */
  public static String address(String channel) {
    return ADDRESS_PREFIX + channel;
  }

  @Override
  public Future<Void> publish(String channel, JsonObject message) {
    if (channel == null || message == null) {
      return Future.failedFuture(new NullPointerException(channel == null ? "channel" : "message"));
    }
    if (channel.isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException("channel must not be empty"));
    }
    if (closed) {
      return Future.failedFuture(new IllegalStateException("invalidation bus closed"));
    }
    JsonObject snapshot;
    try {
      snapshot = message.copy(); // delivery is asynchronous; the caller may reuse its object
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalArgumentException("message is not JSON: " + e.getMessage(), e));
    }
    vertx.eventBus().publish(address(channel), snapshot);
    return Future.succeededFuture();
  }

  @Override
  public void subscribe(String channel, Consumer<JsonObject> handler) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(handler, "handler");
    if (channel.isEmpty()) {
      throw new IllegalArgumentException("channel must not be empty");
    }
    if (closed) {
      throw new IllegalStateException("invalidation bus closed");
    }
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(address(channel), msg -> {
      Object body = msg.body();
      if (!(body instanceof JsonObject json)) {
        LOG.warn("dropping non-JSON message on {}: {}", msg.address(), body == null ? null : body.getClass().getName());
        return;
      }
      try {
        handler.accept(json);
      } catch (Throwable t) {
        LOG.warn("invalidation handler for channel {} failed", channel, t);
      }
    });
    consumers.add(consumer);
    if (closed && consumers.remove(consumer)) { // lost a race with close()
      consumer.unregister();
      throw new IllegalStateException("invalidation bus closed");
    }
  }

  @Override
  public Future<Void> close() {
    closed = true;
    List<Future<Void>> pending = new ArrayList<>();
    for (MessageConsumer<Object> c : consumers) {
      if (consumers.remove(c)) {
        pending.add(c.unregister());
      }
    }
    return Future.join(pending).mapEmpty();
  }
}
