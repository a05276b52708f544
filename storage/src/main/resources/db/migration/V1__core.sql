-- Aegis core schema: one schema per service, tenant_id on every row.
CREATE SCHEMA IF NOT EXISTS identity;
CREATE SCHEMA IF NOT EXISTS registry;
CREATE SCHEMA IF NOT EXISTS decision;
CREATE SCHEMA IF NOT EXISTS audit;

CREATE TABLE identity.tenants (
  id                            uuid PRIMARY KEY,
  name                          text NOT NULL,
  tier                          text NOT NULL DEFAULT 'basic',
  requests_per_second           double precision,
  burst                         integer,
  agent_requests_per_second     double precision,
  agent_burst                   integer,
  daily_request_cap             bigint NOT NULL DEFAULT 10000000,
  monthly_request_cap           bigint NOT NULL DEFAULT 100000000,
  daily_inference_cost_cap_usd  numeric(14,2) NOT NULL DEFAULT 1000,
  degraded_mode_policy          text NOT NULL DEFAULT 'block_high_risk'
      CHECK (degraded_mode_policy IN ('block_high_risk', 'block_all', 'allow_with_audit')),
  is_active                     boolean NOT NULL DEFAULT true,
  created_at                    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE identity.users (
  id                 uuid PRIMARY KEY,
  tenant_id          uuid NOT NULL REFERENCES identity.tenants(id),
  email              text NOT NULL UNIQUE,
  password_hash      text NOT NULL,
  role               text NOT NULL CHECK (role IN ('ADMIN', 'SECURITY', 'AUDITOR', 'VIEWER')),
  full_name          text,
  is_active          boolean NOT NULL DEFAULT true,
  is_platform_admin  boolean NOT NULL DEFAULT false,
  last_login         timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_tenant ON identity.users (tenant_id);

CREATE TABLE identity.agent_credentials (
  id           uuid PRIMARY KEY,
  agent_id     uuid NOT NULL UNIQUE,
  tenant_id    uuid NOT NULL,
  secret_hash  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);
CREATE INDEX agent_credentials_tenant ON identity.agent_credentials (tenant_id);

-- Token signing keys (ES256). Old keys stay for verification until their tokens expire.
CREATE TABLE identity.signing_keys (
  kid          text PRIMARY KEY,
  alg          text NOT NULL,
  private_key  bytea NOT NULL,
  public_key   bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz
);

CREATE TABLE registry.agents (
  id           uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL,
  name         text NOT NULL,
  description  text,
  owner_id     text,
  status       text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'QUARANTINED')),
  risk_level   text NOT NULL DEFAULT 'low' CHECK (risk_level IN ('low', 'medium', 'high', 'critical')),
  metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
  deleted_at   timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX agents_tenant_name ON registry.agents (tenant_id, name) WHERE deleted_at IS NULL;
CREATE INDEX agents_tenant_created ON registry.agents (tenant_id, created_at DESC);

CREATE TABLE registry.permissions (
  id          uuid PRIMARY KEY,
  agent_id    uuid NOT NULL REFERENCES registry.agents(id) ON DELETE CASCADE,
  tenant_id   uuid NOT NULL,
  tool_name   text NOT NULL,
  action      text NOT NULL CHECK (action IN ('ALLOW', 'DENY')),
  granted_by  text,
  expires_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agent_id, tool_name)
);
CREATE INDEX permissions_tenant ON registry.permissions (tenant_id);

CREATE TABLE decision.kill_switches (
  tenant_id      uuid PRIMARY KEY,
  engaged        boolean NOT NULL,
  reason         text,
  actor          text,
  engaged_at     timestamptz,
  disengaged_at  timestamptz,
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- The audit chain. One writer per (tenant, shard) assigns chain_index; the unique constraint makes
-- a fork impossible even if two writers ever raced.
CREATE TABLE audit.audit_logs (
  seq             bigserial PRIMARY KEY,
  id              uuid NOT NULL UNIQUE,
  tenant_id       uuid NOT NULL,
  org_id          uuid NOT NULL,
  agent_id        text,
  action          text NOT NULL,
  tool            text,
  decision        text NOT NULL,
  reason          text,
  metadata_json   jsonb NOT NULL DEFAULT '{}'::jsonb,
  request_id      text,
  event_hash      char(64) NOT NULL,
  prev_hash       char(64) NOT NULL,
  hash_version    smallint NOT NULL DEFAULT 1,
  chain_shard     smallint NOT NULL,
  chain_index     bigint NOT NULL,
  billing_status  text NOT NULL DEFAULT 'pending',
  created_at      timestamptz NOT NULL,
  UNIQUE (tenant_id, chain_shard, chain_index)
);
CREATE INDEX audit_logs_tenant_created ON audit.audit_logs (tenant_id, created_at DESC);
CREATE INDEX audit_logs_tenant_agent_created ON audit.audit_logs (tenant_id, agent_id, created_at DESC);
CREATE INDEX audit_logs_tenant_action_created ON audit.audit_logs (tenant_id, action, created_at DESC);
CREATE INDEX audit_logs_tenant_request ON audit.audit_logs (tenant_id, request_id);

CREATE FUNCTION audit.forbid_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_logs is append-only' USING ERRCODE = 'P0001';
END;
$$;
CREATE TRIGGER audit_logs_no_update BEFORE UPDATE OR DELETE ON audit.audit_logs
  FOR EACH ROW EXECUTE FUNCTION audit.forbid_mutation();
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit.audit_logs
  FOR EACH STATEMENT EXECUTE FUNCTION audit.forbid_mutation();
