-- Refresh tokens (rotating, one family per login), revocations, API keys, signing-key lifetimes.

CREATE TABLE identity.refresh_tokens (
  id          uuid PRIMARY KEY,
  family_id   uuid NOT NULL,
  tenant_id   uuid NOT NULL,
  user_id     uuid NOT NULL,
  token_hash  char(64) NOT NULL UNIQUE,
  issued_at   timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family ON identity.refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON identity.refresh_tokens (tenant_id, user_id);

-- Revoked access-token ids (jti) and token families, kept until the tokens they cover expire.
CREATE TABLE identity.revocations (
  id          text PRIMARY KEY,
  tenant_id   uuid NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('jti', 'family')),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz NOT NULL DEFAULT now(),
  actor       text,
  reason      text
);
CREATE INDEX revocations_expiry ON identity.revocations (expires_at);

CREATE TABLE identity.api_keys (
  id            uuid PRIMARY KEY,
  tenant_id     uuid NOT NULL,
  name          text NOT NULL,
  prefix        text NOT NULL,
  key_hash      char(64) NOT NULL UNIQUE,
  role          text NOT NULL CHECK (role IN ('ADMIN', 'SECURITY', 'AUDITOR', 'VIEWER', 'agent')),
  agent_id      uuid,
  scopes        jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_by    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  expires_at    timestamptz,
  revoked_at    timestamptz,
  CHECK ((role = 'agent') = (agent_id IS NOT NULL))
);
CREATE INDEX api_keys_tenant ON identity.api_keys (tenant_id, created_at DESC);

-- A retired signing key still verifies tokens until verify_until (its last token's expiry).
ALTER TABLE identity.signing_keys ADD COLUMN verify_until timestamptz;
