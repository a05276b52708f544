package dev.aegis.storage.pg;

/** SQL of the registry store. */
final class RegistryQueries {
  static final String AGENT_COLUMNS = "id, tenant_id, name, description, owner_id, status,"
      + " risk_level, metadata, created_at, updated_at";
  static final String INSERT_AGENT = "INSERT INTO registry.agents (id, tenant_id, name, description,"
      + " owner_id, risk_level, metadata) VALUES ($1, $2, $3, $4, $5, $6, $7)";
  static final String AGENT = "SELECT " + AGENT_COLUMNS + " FROM registry.agents"
      + " WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL";
  static final String LIST_AGENTS = "SELECT " + AGENT_COLUMNS + " FROM registry.agents"
      + " WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id LIMIT $2 OFFSET $3";
  static final String COUNT_AGENTS = "SELECT count(*) FROM registry.agents"
      + " WHERE tenant_id = $1 AND deleted_at IS NULL";
  static final String INSERT_GRANT = "INSERT INTO registry.permissions (id, agent_id, tenant_id,"
      + " tool_name, action, granted_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
  static final String GRANTS = "SELECT id, agent_id, tool_name, action, granted_by, expires_at,"
      + " created_at FROM registry.permissions WHERE tenant_id = $1 AND agent_id = $2"
      + " ORDER BY tool_name";

  private RegistryQueries() {}
}
