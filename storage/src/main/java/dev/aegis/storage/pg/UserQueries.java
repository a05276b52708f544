package dev.aegis.storage.pg;

/** SQL of the user store. Every query on users is scoped by tenant; no query selects the hash. */
final class UserQueries {
  static final String COLUMNS = "id, tenant_id, email, role, full_name, is_active, is_platform_admin,"
      + " last_login, created_at, updated_at, deleted_at";
  static final String USER = "SELECT " + COLUMNS + " FROM identity.users"
      + " WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL";
  static final String LIST = "SELECT " + COLUMNS + " FROM identity.users"
      + " WHERE tenant_id = $1 AND ($2 OR deleted_at IS NULL) ORDER BY created_at, id LIMIT $3 OFFSET $4";
  static final String COUNT = "SELECT count(*) FROM identity.users"
      + " WHERE tenant_id = $1 AND ($2 OR deleted_at IS NULL)";
  static final String EMAIL_TAKEN = "SELECT 1 FROM identity.users WHERE lower(email) = lower($1)";
  static final String INSERT = "INSERT INTO identity.users (id, tenant_id, email, password_hash, role,"
      + " full_name, is_active, is_platform_admin) VALUES ($1, $2, $3, $4, $5, $6, true, false)"
      + " RETURNING " + COLUMNS;
  /** $3 role (null = keep), $4 set full_name?, $5 full_name, $6 is_active (null = keep). */
  static final String UPDATE = "UPDATE identity.users SET role = COALESCE($3, role),"
      + " full_name = CASE WHEN $4 THEN $5 ELSE full_name END,"
      + " is_active = COALESCE($6, is_active), updated_at = now()"
      + " WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING " + COLUMNS;
  static final String SOFT_DELETE = "UPDATE identity.users SET deleted_at = now(), is_active = false,"
      + " updated_at = now() WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING " + COLUMNS;

  static final String INSERT_INVITE = "INSERT INTO identity.user_invites (token_hash, tenant_id, email,"
      + " role, full_name, invited_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
  /** A pending invite of an active tenant (a read; acceptance re-checks under the update). */
  static final String PENDING_INVITE = "SELECT i.tenant_id, i.email, i.role, i.full_name, i.expires_at"
      + " FROM identity.user_invites i JOIN identity.tenants t ON t.id = i.tenant_id"
      + " WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.expires_at > now() AND t.is_active";
  /** Claims the invite: at most one caller ever gets the row back. */
  static final String CLAIM_INVITE = "UPDATE identity.user_invites i SET accepted_at = now(),"
      + " accepted_user_id = $2 WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.expires_at > now()"
      + " AND EXISTS (SELECT 1 FROM identity.tenants t WHERE t.id = i.tenant_id AND t.is_active)"
      + " RETURNING i.tenant_id, i.email, i.role, i.full_name, i.expires_at";

  /** The user's sessions (refresh-token families) that can still mint or carry access tokens. */
  static final String LIVE_FAMILIES = "SELECT DISTINCT family_id FROM identity.refresh_tokens"
      + " WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL";

  private UserQueries() {}
}
