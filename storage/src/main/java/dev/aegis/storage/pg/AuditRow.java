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
    long seq, Long leafIndex, byte[] leafHash, java.util.List<byte[]> subtreeHashes) {

  /** A row outside the Merkle log (written before it existed). */
  public AuditRow(UUID id, UUID tenantId, String agentId, String action, String tool,
      String decision, String reason, JsonObject metadata, String requestId, String eventHash,
      String prevHash, int hashVersion, int chainShard, long chainIndex, OffsetDateTime createdAt,
      long seq) {
    this(id, tenantId, agentId, action, tool, decision, reason, metadata, requestId, eventHash,
        prevHash, hashVersion, chainShard, chainIndex, createdAt, seq, null, null, java.util.List.of());
  }

  /** The row's timestamp as it appears in receipts (ISO-8601 instant, UTC). */
  public String timestamp() {
    return java.time.format.DateTimeFormatter.ISO_INSTANT.format(createdAt.toInstant());
  }

  /** JSON form served by the audit API. */
  public JsonObject toJson() {
    return new JsonObject().put("id", id.toString()).put("seq", seq)
        .put("tenant_id", tenantId.toString()).put("org_id", tenantId.toString())
        .put("agent_id", agentId).put("action", action).put("tool", tool)
        .put("decision", decision).put("reason", reason).put("metadata_json", metadata)
        .put("request_id", requestId).put("event_hash", eventHash).put("prev_hash", prevHash)
        .put("hash_version", hashVersion).put("chain_shard", chainShard)
        .put("chain_index", chainIndex).put("leaf_index", leafIndex)
        .put("timestamp", timestamp()).put("created_at", timestamp());
  }
}
