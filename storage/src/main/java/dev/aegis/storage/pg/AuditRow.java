package dev.aegis.storage.pg;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One row of {@code audit.audit_logs}, hash already computed.
 */
public record AuditRow(UUID id, UUID tenantId, String agentId, String action, String tool,
    String decision, String reason, JsonObject metadata, String requestId, String eventHash,
    String prevHash, int hashVersion, int chainShard, long chainIndex, OffsetDateTime createdAt,
    long seq) {

  /** JSON form served by the audit API. */
  public JsonObject toJson() {
    return new JsonObject().put("id", id.toString()).put("seq", seq)
        .put("tenant_id", tenantId.toString()).put("org_id", tenantId.toString())
        .put("agent_id", agentId).put("action", action).put("tool", tool)
        .put("decision", decision).put("reason", reason).put("metadata_json", metadata)
        .put("request_id", requestId).put("event_hash", eventHash).put("prev_hash", prevHash)
        .put("hash_version", hashVersion).put("chain_shard", chainShard)
        .put("chain_index", chainIndex).put("timestamp", createdAt.toString())
        .put("created_at", createdAt.toString());
  }
}
