package dev.aegis.pipeline.ports;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * Cross-process cache invalidation (kill-switch flags, revocations, grants, quotas, policies):
 * event-bus publish inside one process, Redis pub/sub across a cluster.
 *
 * <p><b>Contract.</b>
 *
 * <ul>
 *   <li>A message published on a channel is delivered to every handler subscribed to that channel
 *       in every process, including the publisher's own process, where it is delivered exactly
 *       once per handler (never once locally and again via the cluster). Channels are matched
 *       exactly; there are no patterns.
 *   <li>Delivery is best effort and at most once: a message published while a process is
 *       disconnected from the cluster transport is lost for that process, and there is no
 *       ordering guarantee between messages. Subscribers that cache state must therefore also
 *       expire or refresh it on their own (and re-read it after an outage); the bus only makes
 *       changes visible sooner.
 *   <li>Local delivery does not depend on the cluster transport: the publisher's own process gets
 *       the message even when the returned future fails because the transport is down.
 *   <li>Every handler receives its own copy of the message, on a Vert.x context: the context that
 *       called {@link #subscribe} (a fresh event-loop context when called from a non-Vert.x
 *       thread). Handlers must not block. An exception thrown by a handler is logged and affects
 *       neither other handlers nor later messages.
 *   <li>Implementations are thread safe; {@link #publish} and {@link #subscribe} may be called
 *       from any thread.
 * </ul>
 */
public interface InvalidationBus {

  /**
   * Delivers {@code message} to the channel's local handlers and sends it to every other process.
   *
   * @param channel channel name, non-empty (e.g. {@code killswitch}, {@code policy})
   * @param message JSON-encodable payload; copied before this method returns, so the caller may
   *     reuse it
   * @return completes once the message is handed to the cluster transport (immediately for a
   *     single process); fails on invalid arguments, after {@link #close()}, or when the
   *     transport rejected the message (local handlers have still received it)
   */
  Future<Void> publish(String channel, JsonObject message);

  /**
   * Registers a handler for a channel, for the lifetime of this bus. Messages published before the
   * subscription is in effect (for the cluster transport: a round trip later) are not delivered.
   *
   * @param channel channel name, non-empty
   * @param handler called once per delivered message
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the channel is empty
   * @throws IllegalStateException after {@link #close()}
   */
  void subscribe(String channel, Consumer<JsonObject> handler);

  /**
   * Unregisters every handler and releases the transport. Idempotent.
   *
   * @return completes when the resources are released
   */
  Future<Void> close();
}
