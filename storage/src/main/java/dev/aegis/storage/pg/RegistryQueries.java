package dev.aegis.storage.pg;

/**
 * SQL of the registry store. Every statement is scoped by {@code tenant_id = $1}; agents with
 * {@code deleted_at} set are invisible everywhere except the summary's deleted count.
 */
final class RegistryQueries {
  static final String AGENT_COLUMNS = "id, tenant_id, name, description, owner_id, status,"
      + " risk_level, metadata, quarantined_at, quarantine_reason, created_at, updated_at";
  static final String INSERT_AGENT = "INSERT INTO registry.agents (id, tenant_id, name, description,"
      + " owner_id, risk_level, metadata) VALUES ($1, $2, $3, $4, $5, $6, $7)";
  static final String AGENT = "SELECT " + AGENT_COLUMNS + " FROM registry.agents"
      + " WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL";
  /** The WHERE clause of the list and its count; filters are appended as {@code AND ...}. */
  static final String LIVE_AGENTS = " FROM registry.agents WHERE tenant_id = $1 AND deleted_at IS NULL";
  static final String FILTER_STATUS = " AND status = $";
  static final String FILTER_RISK = " AND risk_level = $";
  /**
   * Name prefix on the {@code text_pattern_ops} index: names only hold {@code [a-z0-9_-]}, all
   * below {@code '~'}, so {@code [p, p || '~')} is exactly the names starting with p.
   */
  static final String FILTER_PREFIX = " AND name ~>=~ $%1$d AND name ~<~ ($%1$d || '~')";
  static final String LIST_ORDER = " ORDER BY created_at DESC, id LIMIT $%d OFFSET $%d";
  static final String COUNT_AGENTS = "SELECT count(*) FROM registry.agents"
      + " WHERE tenant_id = $1 AND deleted_at IS NULL";
  /** An update of the given SET list (built from fixed column names only). */
  static final String UPDATE_AGENT = "UPDATE registry.agents SET %s, updated_at = now()"
      + " WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING " + AGENT_COLUMNS;
  static final String SOFT_DELETE_AGENT = "UPDATE registry.agents SET deleted_at = now(),"
      + " updated_at = now() WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL"
      + " RETURNING deleted_at";
  static final String DELETE_AGENT_GRANTS = "DELETE FROM registry.permissions"
      + " WHERE tenant_id = $1 AND agent_id = $2";
  static final String QUARANTINE = "UPDATE registry.agents SET status = 'QUARANTINED',"
      + " quarantined_at = now(), quarantine_reason = $3, updated_at = now()"
      + " WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL AND status = 'ACTIVE'"
      + " RETURNING " + AGENT_COLUMNS;
  static final String RELEASE = "UPDATE registry.agents SET status = 'ACTIVE',"
      + " quarantined_at = NULL, quarantine_reason = NULL, updated_at = now()"
      + " WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL AND status = 'QUARANTINED'"
      + " RETURNING " + AGENT_COLUMNS;
  static final String SUMMARY = "SELECT"
      + " count(*) FILTER (WHERE deleted_at IS NULL) AS total,"
      + " count(*) FILTER (WHERE deleted_at IS NOT NULL) AS deleted,"
      + " count(*) FILTER (WHERE deleted_at IS NULL AND status = 'ACTIVE') AS s_active,"
      + " count(*) FILTER (WHERE deleted_at IS NULL AND status = 'QUARANTINED') AS s_quarantined,"
      + " count(*) FILTER (WHERE deleted_at IS NULL AND risk_level = 'low') AS r_low,"
      + " count(*) FILTER (WHERE deleted_at IS NULL AND risk_level = 'medium') AS r_medium,"
      + " count(*) FILTER (WHERE deleted_at IS NULL AND risk_level = 'high') AS r_high,"
      + " count(*) FILTER (WHERE deleted_at IS NULL AND risk_level = 'critical') AS r_critical"
      + " FROM registry.agents WHERE tenant_id = $1";
  static final String GRANT_COUNTS = "SELECT count(*) AS grants,"
      + " count(*) FILTER (WHERE p.expires_at IS NOT NULL AND p.expires_at <= now()) AS expired"
      + " FROM registry.permissions p JOIN registry.agents a"
      + " ON a.id = p.agent_id AND a.tenant_id = p.tenant_id AND a.deleted_at IS NULL"
      + " WHERE p.tenant_id = $1";
  static final String INSERT_GRANT = "INSERT INTO registry.permissions (id, agent_id, tenant_id,"
      + " tool_name, action, granted_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
      + " RETURNING created_at";
  static final String GRANTS = "SELECT id, agent_id, tool_name, action, granted_by, expires_at,"
      + " created_at FROM registry.permissions WHERE tenant_id = $1 AND agent_id = $2"
      + " ORDER BY tool_name";
  static final String REVOKE_GRANT = "DELETE FROM registry.permissions"
      + " WHERE tenant_id = $1 AND agent_id = $2 AND id = $3"
      + " RETURNING id, agent_id, tool_name, action, granted_by, expires_at, created_at";
  static final String TOOLS = "SELECT p.tool_name,"
      + " count(*) FILTER (WHERE p.action = 'ALLOW') AS allow,"
      + " count(*) FILTER (WHERE p.action = 'DENY') AS deny,"
      + " count(*) FILTER (WHERE p.expires_at IS NOT NULL AND p.expires_at <= now()) AS expired,"
      + " count(DISTINCT p.agent_id) AS agents"
      + " FROM registry.permissions p JOIN registry.agents a"
      + " ON a.id = p.agent_id AND a.tenant_id = p.tenant_id AND a.deleted_at IS NULL"
      + " WHERE p.tenant_id = $1 GROUP BY p.tool_name ORDER BY p.tool_name";
  static final String ACTIVITY_DECISIONS = "SELECT decision, count(*) AS n FROM audit.audit_logs"
      + " WHERE tenant_id = $1 AND agent_id = $2 AND created_at >= now() - make_interval(days => $3)"
      + " GROUP BY decision ORDER BY decision";
  static final String ACTIVITY_TOOLS = "SELECT tool, count(*) AS n FROM audit.audit_logs"
      + " WHERE tenant_id = $1 AND agent_id = $2 AND created_at >= now() - make_interval(days => $3)"
      + " AND tool IS NOT NULL GROUP BY tool ORDER BY n DESC, tool LIMIT $4";
  static final String LAST_SEEN = "SELECT max(created_at) FROM audit.audit_logs"
      + " WHERE tenant_id = $1 AND agent_id = $2";

  private RegistryQueries() {}
}
