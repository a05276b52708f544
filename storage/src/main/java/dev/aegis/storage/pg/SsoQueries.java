package dev.aegis.storage.pg;

/** SQL of the SSO store ({@code identity.sso_providers}, {@code identity.sso_states}). */
final class SsoQueries {

  static final String PROVIDER_COLUMNS = "tenant_id, provider, display_name, issuer, client_id,"
      + " client_secret, token_auth_method, redirect_uri, scopes, role_claim, role_mapping, default_role,"
      + " allowed_domains, enabled, created_at, updated_at";

  static final String PROVIDERS = "SELECT " + PROVIDER_COLUMNS + " FROM identity.sso_providers"
      + " WHERE tenant_id = $1 ORDER BY provider";

  static final String PROVIDER = "SELECT " + PROVIDER_COLUMNS + " FROM identity.sso_providers"
      + " WHERE tenant_id = $1 AND provider = $2";

  /** An enabled provider of an active tenant. */
  static final String ENABLED_PROVIDER = "SELECT " + PROVIDER_COLUMNS + " FROM identity.sso_providers p"
      + " WHERE p.tenant_id = $1 AND p.provider = $2 AND p.enabled"
      + " AND EXISTS (SELECT 1 FROM identity.tenants t WHERE t.id = p.tenant_id AND t.is_active)";

  static final String ENABLED_PROVIDERS = "SELECT p.provider, p.display_name FROM identity.sso_providers p"
      + " WHERE p.tenant_id = $1 AND p.enabled"
      + " AND EXISTS (SELECT 1 FROM identity.tenants t WHERE t.id = p.tenant_id AND t.is_active)"
      + " ORDER BY p.provider";

  /** Create or replace; an omitted (null) secret keeps the stored one. */
  static final String UPSERT_PROVIDER = "INSERT INTO identity.sso_providers (tenant_id, provider,"
      + " display_name, issuer, client_id, client_secret, token_auth_method, redirect_uri, scopes,"
      + " role_claim, role_mapping, default_role, allowed_domains, enabled)"
      + " VALUES ($1, $2, $3, $4, $5, CASE WHEN $7 = 'none' THEN NULL ELSE COALESCE($6,"
      + " (SELECT s.client_secret FROM identity.sso_providers s WHERE s.tenant_id = $1 AND s.provider = $2))"
      + " END, $7, $8, $9, $10, $11, $12, $13, $14)"
      + " ON CONFLICT (tenant_id, provider) DO UPDATE SET display_name = EXCLUDED.display_name,"
      + " issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id, client_secret = EXCLUDED.client_secret,"
      + " token_auth_method = EXCLUDED.token_auth_method, redirect_uri = EXCLUDED.redirect_uri,"
      + " scopes = EXCLUDED.scopes, role_claim = EXCLUDED.role_claim,"
      + " role_mapping = EXCLUDED.role_mapping, default_role = EXCLUDED.default_role,"
      + " allowed_domains = EXCLUDED.allowed_domains, enabled = EXCLUDED.enabled, updated_at = now()"
      + " RETURNING " + PROVIDER_COLUMNS + ", (xmax = 0) AS inserted";

  static final String DELETE_PROVIDER = "DELETE FROM identity.sso_providers WHERE tenant_id = $1"
      + " AND provider = $2";

  static final String INSERT_STATE = "INSERT INTO identity.sso_states (state_hash, tenant_id, provider,"
      + " nonce, code_verifier, redirect_uri, redirect_after, expires_at)"
      + " VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8))";

  /** Marks the state used (whatever happens next) and returns it with whether it was still live. */
  static final String CONSUME_STATE = "UPDATE identity.sso_states SET used_at = now()"
      + " WHERE state_hash = $1 AND used_at IS NULL"
      + " RETURNING tenant_id, provider, nonce, code_verifier, redirect_uri, redirect_after,"
      + " (expires_at > now()) AS live";

  static final String PURGE_STATES = "DELETE FROM identity.sso_states"
      + " WHERE expires_at < now() - interval '1 hour'";

  static final String USER_COLUMNS = "id, tenant_id, email, password_hash, role, full_name, is_active,"
      + " is_platform_admin";

  /** E-mails are unique across tenants (case-insensitively). */
  static final String USER_BY_EMAIL = "SELECT " + USER_COLUMNS + " FROM identity.users"
      + " WHERE lower(email) = lower($1)";

  /** Inserts unless the e-mail is taken (by any tenant); no row returned then. */
  static final String INSERT_USER = "INSERT INTO identity.users (id, tenant_id, email, password_hash,"
      + " role, full_name) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING "
      + USER_COLUMNS;

  static final String UPDATE_ROLE = "UPDATE identity.users SET role = $3"
      + " WHERE tenant_id = $1 AND id = $2 RETURNING " + USER_COLUMNS;

  private SsoQueries() {}
}
