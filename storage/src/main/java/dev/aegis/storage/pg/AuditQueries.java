package dev.aegis.storage.pg;

/** SQL of the audit store, in one place. */
final class AuditQueries {

  static final String INSERT = "INSERT INTO audit.audit_logs (id, tenant_id, org_id, agent_id,"
      + " action, tool, decision, reason, metadata_json, request_id, event_hash, prev_hash,"
      + " hash_version, chain_shard, chain_index, created_at)"
      + " VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

  static final String TAILS = "SELECT DISTINCT ON (tenant_id, chain_shard) tenant_id, chain_shard,"
      + " chain_index, event_hash FROM audit.audit_logs"
      + " ORDER BY tenant_id, chain_shard, chain_index DESC";

  static final String COLUMNS = "seq, id, tenant_id, agent_id, action, tool, decision, reason,"
      + " metadata_json, request_id, event_hash, prev_hash, hash_version, chain_shard, chain_index,"
      + " created_at";

  static final String CHAIN_PAGE = "SELECT " + COLUMNS + " FROM audit.audit_logs"
      + " WHERE tenant_id = $1 AND (chain_shard, chain_index) > ($2, $3)"
      + " ORDER BY chain_shard, chain_index LIMIT $4";

  static final String BY_ID = "SELECT " + COLUMNS + " FROM audit.audit_logs"
      + " WHERE tenant_id = $1 AND id = $2";

  private AuditQueries() {}
}
