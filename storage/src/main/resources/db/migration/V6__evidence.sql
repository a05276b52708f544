-- Evidence: the audit log becomes an RFC 9162 Merkle log per tenant, partitioned by month, with a
-- billing outbox written in the same transaction, signed checkpoints and daily transparency roots.

-- 1. audit_logs, partitioned by month. Rows written before this migration keep their hash chain
--    but have no leaf index: the Merkle log of a tenant starts with its first row after it.
ALTER TABLE audit.audit_logs RENAME TO audit_logs_v1;
ALTER TABLE audit.audit_logs_v1 RENAME CONSTRAINT audit_logs_pkey TO audit_logs_v1_pkey;

CREATE TABLE audit.audit_logs (
  seq             bigint NOT NULL DEFAULT nextval('audit.audit_logs_seq_seq'),
  id              uuid NOT NULL,
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
  leaf_index      bigint,
  leaf_hash       bytea,
  subtree_hashes  bytea[],
  billing_status  text NOT NULL DEFAULT 'pending',
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, created_at, seq)
) PARTITION BY RANGE (created_at);
ALTER SEQUENCE audit.audit_logs_seq_seq OWNED BY audit.audit_logs.seq;

CREATE TABLE audit.audit_logs_default PARTITION OF audit.audit_logs DEFAULT;

CREATE FUNCTION audit.ensure_month_partition(day date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  start_month date := date_trunc('month', day)::date;
  end_month date := (date_trunc('month', day) + interval '1 month')::date;
  part text := 'audit_logs_' || to_char(start_month, 'YYYY_MM');
BEGIN
  IF to_regclass('audit.' || part) IS NULL THEN
    EXECUTE format('CREATE TABLE audit.%I PARTITION OF audit.audit_logs FOR VALUES FROM (%L) TO (%L)',
                   part, start_month, end_month);
  END IF;
END;
$$;
SELECT audit.ensure_month_partition(current_date);
SELECT audit.ensure_month_partition((current_date + interval '1 month')::date);

INSERT INTO audit.audit_logs (seq, id, tenant_id, org_id, agent_id, action, tool, decision, reason,
    metadata_json, request_id, event_hash, prev_hash, hash_version, chain_shard, chain_index,
    billing_status, created_at)
  SELECT seq, id, tenant_id, org_id, agent_id, action, tool, decision, reason, metadata_json,
         request_id, event_hash, prev_hash, hash_version, chain_shard, chain_index, billing_status,
         created_at
  FROM audit.audit_logs_v1;
DROP TABLE audit.audit_logs_v1;

CREATE INDEX audit_logs_tenant_created ON audit.audit_logs (tenant_id, created_at DESC, seq DESC);
CREATE INDEX audit_logs_tenant_agent_created ON audit.audit_logs (tenant_id, agent_id, created_at DESC);
CREATE INDEX audit_logs_tenant_action_created ON audit.audit_logs (tenant_id, action, created_at DESC);
CREATE INDEX audit_logs_tenant_request ON audit.audit_logs (tenant_id, request_id);
CREATE INDEX audit_logs_tenant_chain ON audit.audit_logs (tenant_id, chain_shard, chain_index);
CREATE INDEX audit_logs_tenant_leaf ON audit.audit_logs (tenant_id, leaf_index) WHERE leaf_index IS NOT NULL;
CREATE INDEX audit_logs_id ON audit.audit_logs (id);

CREATE TRIGGER audit_logs_no_update BEFORE UPDATE OR DELETE ON audit.audit_logs
  FOR EACH ROW EXECUTE FUNCTION audit.forbid_mutation();
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit.audit_logs
  FOR EACH STATEMENT EXECUTE FUNCTION audit.forbid_mutation();

-- 2. The head of every tenant's log: its size and compact range (the roots of the perfect
--    subtrees that make up the tree). The writer advances it with compare-and-set in the same
--    transaction as the rows, so two writers can never fork a tenant's log or chains.
CREATE TABLE audit.log_heads (
  tenant_id      uuid PRIMARY KEY,
  tree_size      bigint NOT NULL,
  compact_range  bytea NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- 3. Signed checkpoints (C2SP signed-note text) and daily transparency roots.
CREATE TABLE audit.checkpoints (
  tenant_id   uuid NOT NULL,
  tree_size   bigint NOT NULL,
  root_hash   bytea NOT NULL,
  note        text NOT NULL,
  key_id      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, tree_size)
);
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE OR DELETE ON audit.checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit.forbid_mutation();

CREATE TABLE audit.transparency_roots (
  tenant_id                uuid NOT NULL,
  root_date                date NOT NULL,
  root_hash                char(64) NOT NULL,
  prev_root_hash           char(64),
  leaf_count               bigint NOT NULL,
  tree_size                bigint NOT NULL,
  leaf_range_start_id      uuid,
  leaf_range_end_id        uuid,
  window_end               timestamptz NOT NULL,
  signing_key_fingerprint  text NOT NULL,
  signed_root_payload      text NOT NULL,
  signature                text NOT NULL,
  sealed                   boolean NOT NULL DEFAULT false,
  computed_at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, root_date)
);

-- 4. Evidence signing keys (ed25519), separate from the token keys; old public keys stay forever.
CREATE TABLE audit.signing_keys (
  key_id       text PRIMARY KEY,
  algorithm    text NOT NULL DEFAULT 'ed25519',
  public_key   bytea NOT NULL,
  private_key  bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz
);

-- 5. Audit notes (append-only).
CREATE TABLE audit.audit_notes (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL,
  audit_id    uuid NOT NULL,
  note_type   text NOT NULL CHECK (note_type IN ('analysis', 'false_positive', 'confirmed_threat', 'escalated')),
  body        text NOT NULL,
  author      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_notes_row ON audit.audit_notes (tenant_id, audit_id, created_at);
CREATE TRIGGER audit_notes_no_update BEFORE UPDATE OR DELETE ON audit.audit_notes
  FOR EACH ROW EXECUTE FUNCTION audit.forbid_mutation();

-- 6. The billing outbox, written in the same transaction as the audit rows.
CREATE SCHEMA IF NOT EXISTS usage;
CREATE TABLE usage.pending_usage_events (
  audit_id     uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL,
  agent_id     text,
  tool         text,
  decision     text NOT NULL,
  request_id   text,
  created_at   timestamptz NOT NULL,
  retry_count  integer NOT NULL DEFAULT 0
);
CREATE INDEX pending_usage_events_created ON usage.pending_usage_events (created_at);
