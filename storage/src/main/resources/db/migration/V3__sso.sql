-- SSO: per-tenant OpenID Connect providers and the login attempts (state, nonce, PKCE verifier).

-- One row per (tenant, provider slug). The client secret is stored so that the gateway can
-- authenticate at the provider's token endpoint; it is never returned by the API.
CREATE TABLE identity.sso_providers (
  tenant_id          uuid NOT NULL REFERENCES identity.tenants(id),
  provider           text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  display_name       text NOT NULL,
  issuer             text NOT NULL,
  client_id          text NOT NULL,
  client_secret      text,
  token_auth_method  text NOT NULL DEFAULT 'client_secret_basic'
      CHECK (token_auth_method IN ('client_secret_basic', 'client_secret_post', 'none')),
  redirect_uri       text NOT NULL,
  scopes             text NOT NULL DEFAULT 'openid email profile',
  role_claim         text,
  -- {"claim-value": "ROLE"}; ROLE is one of the four user roles
  role_mapping       jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(role_mapping) = 'object'),
  -- the role of users no mapping matched; never ADMIN (ADMIN is only granted by a mapping)
  default_role       text NOT NULL DEFAULT 'VIEWER' CHECK (default_role IN ('SECURITY', 'AUDITOR', 'VIEWER')),
  -- e-mail domains allowed to sign in; empty means any
  allowed_domains    jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(allowed_domains) = 'array'),
  enabled            boolean NOT NULL DEFAULT true,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, provider),
  CHECK (token_auth_method = 'none' OR client_secret IS NOT NULL)
);

-- A started login: the state is shown once (in the authorization URL) and stored as its SHA-256
-- (hex). Single use (used_at), valid for 10 minutes.
CREATE TABLE identity.sso_states (
  state_hash      char(64) PRIMARY KEY,
  tenant_id       uuid NOT NULL,
  provider        text NOT NULL,
  nonce           text NOT NULL,
  code_verifier   text NOT NULL,
  redirect_uri    text NOT NULL,
  redirect_after  text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  used_at         timestamptz
);
CREATE INDEX sso_states_expires ON identity.sso_states (expires_at);
