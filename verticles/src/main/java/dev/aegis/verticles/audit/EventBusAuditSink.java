package dev.aegis.verticles.audit;

import dev.aegis.pipeline.ports.AuditEvent;
import dev.aegis.pipeline.ports.AuditReceipt;
import dev.aegis.pipeline.ports.AuditSink;
import dev.aegis.verticles.bus.Addresses;
import dev.aegis.verticles.bus.LocalCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

/** Sends audit events to the writer verticle and waits for the committed receipt. */
public final class EventBusAuditSink implements AuditSink {

  private final Vertx vertx;
  private final DeliveryOptions options;

  /** @param timeoutMillis how long to wait for the commit before failing closed */
  public EventBusAuditSink(Vertx vertx, long timeoutMillis) {
    this.vertx = vertx;
    LocalCodec.register(vertx, AuditEvent.class);
    LocalCodec.register(vertx, AuditReceipt.class);
    this.options = new DeliveryOptions().setSendTimeout(timeoutMillis).setLocalOnly(true);
  }

  @Override
  public Future<AuditReceipt> append(AuditEvent event) {
    return vertx.eventBus().<AuditReceipt>request(Addresses.AUDIT_APPEND, event, options)
        .map(Message::body);
  }
}
