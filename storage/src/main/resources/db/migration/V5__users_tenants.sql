-- Users and tenants: tenant settings and quota bounds, soft-deleted users, single-use invites.

-- Tenants: free-form settings, last change, and bounds on the quota columns (null rates mean
-- "the configured default").
ALTER TABLE identity.tenants
  ADD COLUMN IF NOT EXISTS settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN IF NOT EXISTS updated_at  timestamptz NOT NULL DEFAULT now();
ALTER TABLE identity.tenants
  ADD CONSTRAINT tenants_settings_object CHECK (jsonb_typeof(settings) = 'object'),
  ADD CONSTRAINT tenants_rps_positive CHECK (requests_per_second IS NULL OR requests_per_second > 0),
  ADD CONSTRAINT tenants_burst_positive CHECK (burst IS NULL OR burst >= 1),
  ADD CONSTRAINT tenants_agent_rps_positive
      CHECK (agent_requests_per_second IS NULL OR agent_requests_per_second > 0),
  ADD CONSTRAINT tenants_agent_burst_positive CHECK (agent_burst IS NULL OR agent_burst >= 1),
  ADD CONSTRAINT tenants_caps_non_negative CHECK (daily_request_cap >= 0 AND monthly_request_cap >= 0
      AND daily_inference_cost_cap_usd >= 0);
CREATE INDEX IF NOT EXISTS tenants_created ON identity.tenants (created_at, id);

-- Users: soft delete keeps the row (and its e-mail, which stays taken); a deleted user is never
-- active, so the login check on is_active refuses it.
ALTER TABLE identity.users
  ADD COLUMN IF NOT EXISTS updated_at  timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN IF NOT EXISTS deleted_at  timestamptz;
ALTER TABLE identity.users
  ADD CONSTRAINT users_deleted_inactive CHECK (deleted_at IS NULL OR NOT is_active);
-- Login compares lower(email): two rows differing only in case must not exist.
CREATE UNIQUE INDEX IF NOT EXISTS users_email_lower ON identity.users (lower(email));
CREATE INDEX IF NOT EXISTS users_tenant_created ON identity.users (tenant_id, created_at, id);

-- Invites: the token is shown once; only its SHA-256 (hex) is stored. Single use, 24 h.
CREATE TABLE identity.user_invites (
  token_hash        char(64) PRIMARY KEY,
  tenant_id         uuid NOT NULL REFERENCES identity.tenants(id),
  email             text NOT NULL,
  role              text NOT NULL CHECK (role IN ('ADMIN', 'SECURITY', 'AUDITOR', 'VIEWER')),
  full_name         text,
  invited_by        text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  expires_at        timestamptz NOT NULL,
  accepted_at       timestamptz,
  accepted_user_id  uuid
);
CREATE INDEX user_invites_tenant ON identity.user_invites (tenant_id, created_at DESC);
