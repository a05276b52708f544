-- Shadow-mode decisions (issue #5 item 5, SPEC §3.4 shadow mode): one row per request on which a
-- tenant's shadow policy decided differently from what the live policies decided at stage 4.
-- Written in batches by the gateway (ShadowDecisionWriter), read by GET /policy/shadow/decisions
-- and /policy/shadow/summary.
--
-- Retention: rows older than AEGIS_SHADOW_RETENTION_DAYS (default 30) are deleted by a periodic
-- job of every node (hourly, in chunks); the BRIN index on created_at keeps that delete cheap.
CREATE TABLE policy.shadow_decisions (
  id                 bigserial PRIMARY KEY,
  tenant_id          uuid NOT NULL,
  request_id         text,
  agent_id           text,
  tool               text,
  shadow_version_id  uuid NOT NULL,
  shadow_version     integer NOT NULL,
  live_decision      text NOT NULL CHECK (live_decision IN ('ALLOW', 'ESCALATE', 'DENY')),
  shadow_decision    text NOT NULL CHECK (shadow_decision IN ('ALLOW', 'ESCALATE', 'DENY')),
  rule_id            text,
  reason             text,
  created_at         timestamptz NOT NULL DEFAULT now()
);
-- the operator's page (newest first, id breaks ties) and the per-version summary
CREATE INDEX shadow_decisions_tenant_created ON policy.shadow_decisions (tenant_id, created_at DESC, id DESC);
CREATE INDEX shadow_decisions_tenant_version ON policy.shadow_decisions (tenant_id, shadow_version_id);
-- retention deletes by age across tenants
CREATE INDEX shadow_decisions_created_brin ON policy.shadow_decisions USING brin (created_at);
