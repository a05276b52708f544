package dev.aegis.storage.pg;

/**
 * SQL of the policy store ({@code policy} schema, V8). Every statement is scoped by
 * {@code tenant_id = $1}.
 */
final class PolicyQueries {
  private PolicyQueries() {}

  static final String META_COLUMNS = "id, tenant_id, version, name, description, sha256, status,"
      + " created_by, created_at, activated_at";
  static final String VERSION_COLUMNS = META_COLUMNS + ", modules";
  static final String POINTER_COLUMNS = "tenant_id, active_version_id, shadow_version_id, revision,"
      + " activated_at, updated_at";

  static final String ENSURE_POINTER = "INSERT INTO policy.tenant_policies (tenant_id) VALUES ($1)"
      + " ON CONFLICT (tenant_id) DO NOTHING";
  static final String LOCK_POINTER = "SELECT " + POINTER_COLUMNS + " FROM policy.tenant_policies"
      + " WHERE tenant_id = $1 FOR UPDATE";
  static final String POINTER = "SELECT " + POINTER_COLUMNS + " FROM policy.tenant_policies"
      + " WHERE tenant_id = $1";
  static final String POINTERS = "SELECT " + POINTER_COLUMNS + " FROM policy.tenant_policies";

  static final String INSERT_VERSION = "INSERT INTO policy.policy_versions (id, tenant_id, version,"
      + " name, description, modules, sha256, created_by) SELECT $2::uuid, $1::uuid,"
      + " COALESCE(max(version), 0) + 1, $3::text, $4::text, $5::jsonb, $6::text, $7::text"
      + " FROM policy.policy_versions"
      + " WHERE tenant_id = $1 RETURNING " + VERSION_COLUMNS;
  static final String VERSION = "SELECT " + VERSION_COLUMNS + " FROM policy.policy_versions"
      + " WHERE tenant_id = $1 AND id = $2";
  static final String VERSIONS = "SELECT " + META_COLUMNS + " FROM policy.policy_versions"
      + " WHERE tenant_id = $1 ORDER BY version DESC LIMIT $2 OFFSET $3";
  static final String COUNT_VERSIONS = "SELECT count(*) FROM policy.policy_versions WHERE tenant_id = $1";

  static final String ARCHIVE_ACTIVE = "UPDATE policy.policy_versions SET status = 'archived'"
      + " WHERE tenant_id = $1 AND status = 'active'";
  static final String MARK_ACTIVE = "UPDATE policy.policy_versions SET status = 'active',"
      + " activated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING " + META_COLUMNS;
  static final String SET_ACTIVE = "UPDATE policy.tenant_policies SET active_version_id = $2,"
      + " revision = revision + 1, activated_at = now(), updated_by = $3, updated_at = now()"
      + " WHERE tenant_id = $1 RETURNING " + POINTER_COLUMNS;
  static final String SET_SHADOW = "UPDATE policy.tenant_policies SET shadow_version_id = $2,"
      + " revision = revision + 1, updated_by = $3, updated_at = now()"
      + " WHERE tenant_id = $1 RETURNING " + POINTER_COLUMNS;
  static final String INSERT_ACTIVATION = "INSERT INTO policy.policy_activations (tenant_id,"
      + " revision, kind, version_id, previous_version_id, actor) VALUES ($1, $2, $3, $4, $5, $6)";
  /** The version a rollback from {@code $2} returns to: recorded by the row that made it active. */
  static final String ROLLBACK_TARGET = "SELECT previous_version_id FROM policy.policy_activations"
      + " WHERE tenant_id = $1 AND version_id = $2 AND kind IN ('activate', 'rollback')"
      + " ORDER BY revision DESC LIMIT 1";

  /**
   * The tenant's most recent gateway decisions with the agent's name and risk level (as they are
   * now; deleted agents keep theirs).
   */
  static final String RECENT_DECISIONS = "SELECT l.request_id, l.agent_id, l.tool, l.decision,"
      + " l.reason, l.metadata_json, l.created_at, a.name AS agent_name, a.risk_level"
      + " FROM audit.audit_logs l LEFT JOIN registry.agents a"
      + " ON a.tenant_id = l.tenant_id AND a.id::text = l.agent_id"
      + " WHERE l.tenant_id = $1 AND l.action = 'tool_execution' AND l.tool IS NOT NULL"
      + " ORDER BY l.created_at DESC, l.seq DESC LIMIT $2";
}
