package dev.aegis.pipeline.ports;

import java.util.List;

/**
 * Behavioural signals in [0,1].
 *
 * @param behaviorRisk overall behaviour risk
 * @param anomaly anomaly score
 * @param costRisk cost risk
 * @param crossAgentRisk cross-agent risk
 * @param flags diagnostic flags
 * @param serviceStatus ok, degraded or skipped
 */
public record BehaviorResult(double behaviorRisk, double anomaly, double costRisk,
    double crossAgentRisk, List<String> flags, String serviceStatus) {}
