package dev.aegis.verticles.http;

import dev.aegis.pipeline.ports.AuditEvent;
import dev.aegis.pipeline.ports.AuditReceipt;
import dev.aegis.pipeline.ports.AuditSink;
import dev.aegis.pipeline.ports.Principal;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Writes the audit row of a management action (stage 10 for management paths). A mutation is
 * acknowledged only after its audit row committed; if the row cannot be written the client gets
 * 503 {@code audit_unavailable} (the change itself has been made and is retried idempotently).
 */
public final class ManagementAudit {

  private final AuditSink sink;

  public ManagementAudit(AuditSink sink) {
    this.sink = sink;
  }

  public Future<AuditReceipt> record(RoutingContext rc, Principal p, String tenantId, String action,
      String decision, String reason, JsonObject metadata) {
    JsonObject meta = metadata == null ? new JsonObject() : metadata.copy();
    meta.put("actor", p == null ? null : p.subject()).put("role", p == null ? null : p.role())
        .put("path", rc.normalizedPath()).put("method", rc.request().method().name());
    return sink.append(new AuditEvent(tenantId, p == null ? null : p.subject(), action, null,
        decision, reason, Envelope.requestId(rc), meta))
        .recover(e -> Future.failedFuture(new ApiError(503, "audit_unavailable",
            "The audit record of this change could not be committed")));
  }
}
