-- Tenant Rego policies (issue #5, SPEC §3.4): immutable versions per tenant, and per tenant a
-- pointer to the live (active) version, an optional shadow version and a revision counter that
-- changes with every activation, rollback or shadow change (the cache key of stage 4).
CREATE SCHEMA IF NOT EXISTS policy;

-- One uploaded version. Modules are never changed after the insert; status moves
-- draft -> active -> archived (and back to active on a re-activation or rollback).
CREATE TABLE policy.policy_versions (
  id            uuid PRIMARY KEY,
  tenant_id     uuid NOT NULL,
  version       integer NOT NULL CHECK (version > 0),
  name          text,
  description   text,
  modules       jsonb NOT NULL,
  sha256        char(64) NOT NULL,
  status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
  created_by    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  activated_at  timestamptz,
  UNIQUE (tenant_id, version)
);
CREATE INDEX policy_versions_tenant_created ON policy.policy_versions (tenant_id, version DESC);
-- at most one active version per tenant
CREATE UNIQUE INDEX policy_versions_one_active ON policy.policy_versions (tenant_id) WHERE status = 'active';

-- The per-tenant pointers. The row is locked (FOR UPDATE) by every change of the tenant's policy,
-- which also serialises the version numbering of uploads.
CREATE TABLE policy.tenant_policies (
  tenant_id            uuid PRIMARY KEY,
  active_version_id    uuid REFERENCES policy.policy_versions(id),
  shadow_version_id    uuid REFERENCES policy.policy_versions(id),
  revision             bigint NOT NULL DEFAULT 0,
  activated_at         timestamptz,
  updated_by           text,
  updated_at           timestamptz NOT NULL DEFAULT now()
);

-- The history of the pointers, one row per revision: what became active (or shadow) and what was
-- active before, so a rollback can walk back more than one step.
CREATE TABLE policy.policy_activations (
  tenant_id            uuid NOT NULL,
  revision             bigint NOT NULL,
  kind                 text NOT NULL CHECK (kind IN ('activate', 'rollback', 'shadow_set', 'shadow_clear')),
  version_id           uuid REFERENCES policy.policy_versions(id),
  previous_version_id  uuid REFERENCES policy.policy_versions(id),
  actor                text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, revision)
);
