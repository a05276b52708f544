package dev.aegis.storage.pg;

/** SQL of the identity store. */
final class IdentityQueries {
  static final String TENANT = "SELECT id, name, tier, requests_per_second, burst,"
      + " agent_requests_per_second, agent_burst, degraded_mode_policy, is_active"
      + " FROM identity.tenants WHERE id = $1";
  static final String INSERT_TENANT = "INSERT INTO identity.tenants (id, name, tier, is_active)"
      + " VALUES ($1, $2, $3, true) ON CONFLICT (id) DO NOTHING";
  static final String USER_BY_EMAIL = "SELECT id, tenant_id, email, password_hash, role, full_name,"
      + " is_active, is_platform_admin FROM identity.users WHERE lower(email) = lower($1)";
  static final String INSERT_USER = "INSERT INTO identity.users (id, tenant_id, email, password_hash,"
      + " role, full_name, is_platform_admin) VALUES ($1, $2, $3, $4, $5, $6, $7)";
  static final String USER_BY_ID = "SELECT id, tenant_id, email, password_hash, role, full_name,"
      + " is_active, is_platform_admin FROM identity.users WHERE tenant_id = $1 AND id = $2";
  static final String TOUCH_LOGIN = "UPDATE identity.users SET last_login = now() WHERE id = $1";
  static final String UPSERT_CREDENTIAL = "INSERT INTO identity.agent_credentials (id, agent_id,"
      + " tenant_id, secret_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (agent_id) DO UPDATE"
      + " SET secret_hash = EXCLUDED.secret_hash, created_at = now(), revoked_at = NULL"
      + " WHERE identity.agent_credentials.tenant_id = EXCLUDED.tenant_id";
  static final String CREDENTIAL = "SELECT agent_id, tenant_id, secret_hash, revoked_at"
      + " FROM identity.agent_credentials WHERE agent_id = $1";
  static final String SIGNING_KEYS = "SELECT kid, alg, private_key, public_key, created_at"
      + " FROM identity.signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC";
  static final String INSERT_SIGNING_KEY = "INSERT INTO identity.signing_keys (kid, alg,"
      + " private_key, public_key) VALUES ($1, $2, $3, $4)";

  private IdentityQueries() {}
}
