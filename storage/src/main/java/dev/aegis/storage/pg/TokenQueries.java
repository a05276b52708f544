package dev.aegis.storage.pg;

/** SQL of refresh tokens, revocations, API keys and signing-key rotation. */
final class TokenQueries {
  static final String INSERT_REFRESH = "INSERT INTO identity.refresh_tokens (id, family_id, tenant_id,"
      + " user_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5, $6)";
  /** Marks a refresh token used, atomically; returns the row only for the first use. */
  static final String USE_REFRESH = "UPDATE identity.refresh_tokens SET used_at = now()"
      + " WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()"
      + " RETURNING id, family_id, tenant_id, user_id";
  static final String REFRESH_BY_HASH = "SELECT id, family_id, tenant_id, user_id, used_at, revoked_at,"
      + " expires_at FROM identity.refresh_tokens WHERE token_hash = $1";
  static final String REVOKE_FAMILY = "UPDATE identity.refresh_tokens SET revoked_at = now()"
      + " WHERE family_id = $1 AND revoked_at IS NULL";
  static final String INSERT_REVOCATION = "INSERT INTO identity.revocations (id, tenant_id, kind,"
      + " expires_at, actor, reason) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING";
  static final String LIVE_REVOCATIONS = "SELECT id, expires_at FROM identity.revocations"
      + " WHERE expires_at > now()";
  static final String INSERT_API_KEY = "INSERT INTO identity.api_keys (id, tenant_id, name, prefix,"
      + " key_hash, role, agent_id, scopes, created_by, expires_at)"
      + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
  static final String API_KEY_COLUMNS = "id, tenant_id, name, prefix, role, agent_id, scopes,"
      + " created_by, created_at, last_used_at, expires_at, revoked_at";
  static final String API_KEY_BY_HASH = "SELECT " + API_KEY_COLUMNS + " FROM identity.api_keys"
      + " WHERE key_hash = $1";
  static final String API_KEYS = "SELECT " + API_KEY_COLUMNS + " FROM identity.api_keys"
      + " WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT $2 OFFSET $3";
  static final String REVOKE_API_KEY = "UPDATE identity.api_keys SET revoked_at = now()"
      + " WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING key_hash";
  static final String API_KEY_HASH = "SELECT key_hash, revoked_at FROM identity.api_keys"
      + " WHERE tenant_id = $1 AND id = $2";
  static final String TOUCH_API_KEY = "UPDATE identity.api_keys SET last_used_at = now() WHERE id = $1";
  static final String REVOKE_CREDENTIAL = "UPDATE identity.agent_credentials SET revoked_at = now()"
      + " WHERE tenant_id = $1 AND agent_id = $2 AND revoked_at IS NULL RETURNING secret_hash";
  static final String VERIFYING_KEYS = "SELECT kid, alg, private_key, public_key, retired_at"
      + " FROM identity.signing_keys WHERE retired_at IS NULL OR verify_until > now()"
      + " ORDER BY (retired_at IS NULL) DESC, created_at DESC";
  static final String RETIRE_KEYS = "UPDATE identity.signing_keys SET retired_at = now(),"
      + " verify_until = now() + make_interval(secs => $1) WHERE retired_at IS NULL";

  private TokenQueries() {}
}
