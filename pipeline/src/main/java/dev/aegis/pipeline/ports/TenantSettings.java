package dev.aegis.pipeline.ports;

/**
 * Per-tenant settings read on the hot path.
 *
 * @param tenantId tenant
 * @param requestsPerSecond token bucket refill rate for the tenant
 * @param burst token bucket capacity for the tenant
 * @param agentRequestsPerSecond per-agent refill rate
 * @param agentBurst per-agent capacity
 * @param degradedModePolicy block_high_risk, block_all or allow_with_audit
 */
public record TenantSettings(String tenantId, double requestsPerSecond, int burst,
    double agentRequestsPerSecond, int agentBurst, String degradedModePolicy) {}
