package dev.aegis.pipeline.ports;

import io.vertx.core.json.JsonObject;

/**
 * One audit row to append.
 *
 * @param tenantId tenant (never null)
 * @param agentId agent id or actor id, may be null
 * @param action what happened ({@code tool_execution}, {@code kill_switch_engaged}, ...)
 * @param tool tool name, may be null
 * @param decision allow, monitor, throttle, escalate, kill, deny, error
 * @param reason short reason, may be null
 * @param requestId the request id, may be null
 * @param metadata findings, risk score, rule id, stage timings...
 */
public record AuditEvent(String tenantId, String agentId, String action, String tool,
    String decision, String reason, String requestId, JsonObject metadata) {}
