-- Registry completion: quarantine state, list filters, tool inventory.
ALTER TABLE registry.agents
  ADD COLUMN quarantined_at     timestamptz,
  ADD COLUMN quarantine_reason  text;

-- GET /agents?status=&risk_level=&q= (name prefix) within a tenant, live agents only.
CREATE INDEX agents_tenant_status ON registry.agents (tenant_id, status) WHERE deleted_at IS NULL;
CREATE INDEX agents_tenant_risk ON registry.agents (tenant_id, risk_level) WHERE deleted_at IS NULL;
CREATE INDEX agents_tenant_name_prefix ON registry.agents (tenant_id, name text_pattern_ops)
  WHERE deleted_at IS NULL;

-- Grant lookups by agent within a tenant, and the per-tenant tool inventory (GET /registry/tools).
CREATE INDEX permissions_tenant_agent ON registry.permissions (tenant_id, agent_id);
CREATE INDEX permissions_tenant_tool ON registry.permissions (tenant_id, tool_name);
