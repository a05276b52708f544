package dev.aegis.pipeline.ports;

import io.vertx.core.Future;

/**
 * Appends audit rows durably. The future completes only after the transaction holding the row
 * has committed; a failed future means the row may not exist and the request must fail closed.
 */
public interface AuditSink {
  Future<AuditReceipt> append(AuditEvent event);
}
