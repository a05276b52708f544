package dev.aegis.pipeline.ports;

/**
 * Proof that an audit row was committed.
 *
 * @param auditId row id
 * @param eventHash the row's hash
 * @param prevHash the previous row's hash in the same (tenant, shard) chain
 * @param chainShard the shard
 * @param chainIndex the row's position in its shard chain (0-based)
 * @param createdAt ISO-8601 timestamp of the row
 */
public record AuditReceipt(String auditId, String eventHash, String prevHash, int chainShard,
    long chainIndex, String createdAt) {}
