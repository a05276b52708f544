package dev.aegis.pipeline.ports;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The document a policy is evaluated against.
 *
 * @param tenantId tenant of the verified caller
 * @param agentId agent
 * @param agentName agent name
 * @param agentRiskLevel low, medium, high or critical
 * @param tool tool name
 * @param payload the action's arguments
 * @param scanText the raw (not normalised) text of the whole action: payload plus top-level query
 *     fields; engines normalise it themselves
 * @param requestId request id
 * @param inferenceFlags canonical findings and diagnostic flags of stage 3
 */
public record PolicyInput(String tenantId, String agentId, String agentName, String agentRiskLevel,
    String tool, JsonObject payload, String scanText, String requestId, List<String> inferenceFlags) {}
