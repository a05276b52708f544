package dev.aegis.storage.pg;

/** SQL of the audit store, in one place. */
final class AuditQueries {

  static final String INSERT = "INSERT INTO audit.audit_logs (id, tenant_id, org_id, agent_id,"
      + " action, tool, decision, reason, metadata_json, request_id, event_hash, prev_hash,"
      + " hash_version, chain_shard, chain_index, created_at, leaf_index, leaf_hash, subtree_hashes)"
      + " VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";

  static final String INSERT_OUTBOX = "INSERT INTO usage.pending_usage_events (audit_id, tenant_id,"
      + " agent_id, tool, decision, request_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

  static final String HEADS = "SELECT tenant_id, tree_size, compact_range FROM audit.log_heads";

  static final String INSERT_HEAD = "INSERT INTO audit.log_heads (tenant_id, tree_size, compact_range)"
      + " VALUES ($1, $2, $3) ON CONFLICT (tenant_id) DO NOTHING";

  static final String ADVANCE_HEAD = "UPDATE audit.log_heads SET tree_size = $2, compact_range = $3,"
      + " updated_at = now() WHERE tenant_id = $1 AND tree_size = $4";

  static final String NODES = "SELECT leaf_index, leaf_hash, subtree_hashes FROM audit.audit_logs"
      + " WHERE tenant_id = $1 AND leaf_index = ANY($2)";

  static final String BY_LEAF = "SELECT " + "seq, id, tenant_id, agent_id, action, tool, decision,"
      + " reason, metadata_json, request_id, event_hash, prev_hash, hash_version, chain_shard,"
      + " chain_index, created_at, leaf_index, leaf_hash, subtree_hashes FROM audit.audit_logs"
      + " WHERE tenant_id = $1 AND leaf_index >= $2 AND leaf_index < $3 ORDER BY leaf_index";

  static final String TAILS = "SELECT DISTINCT ON (tenant_id, chain_shard) tenant_id, chain_shard,"
      + " chain_index, event_hash FROM audit.audit_logs"
      + " ORDER BY tenant_id, chain_shard, chain_index DESC";

  static final String COLUMNS = "seq, id, tenant_id, agent_id, action, tool, decision, reason,"
      + " metadata_json, request_id, event_hash, prev_hash, hash_version, chain_shard, chain_index,"
      + " created_at, leaf_index, leaf_hash, subtree_hashes";

  static final String CHAIN_PAGE = "SELECT " + COLUMNS + " FROM audit.audit_logs"
      + " WHERE tenant_id = $1 AND (chain_shard, chain_index) > ($2, $3)"
      + " ORDER BY chain_shard, chain_index LIMIT $4";

  static final String BY_ID = "SELECT " + COLUMNS + " FROM audit.audit_logs"
      + " WHERE tenant_id = $1 AND id = $2";

  private AuditQueries() {}
}
