package dev.aegis.pipeline.decision;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The engine's answer.
 *
 * @param action the action
 * @param risk fused score in [0,1], 4 decimals
 * @param confidence confidence in [0,1]
 * @param riskLevel CRITICAL, HIGH, MEDIUM, MONITOR or LOW
 * @param findings canonical findings
 * @param signalsEvaluated per signal: score, threshold, triggered
 * @param components the weighted contribution of each signal
 * @param diagnosticFlags upstream rule ids and classifier flags
 * @param policyReason the policy's reason, may be null
 */
public record Decision(Action action, double risk, double confidence, String riskLevel,
    List<String> findings, Map<String, SignalEval> signalsEvaluated, Map<String, Double> components,
    List<String> diagnosticFlags, String policyReason) {

  /** One signal against its threshold. */
  public record SignalEval(double score, double threshold, boolean triggered) {}

  /** JSON form of {@code signals_evaluated}. */
  public JsonObject signalsEvaluatedJson() {
    JsonObject o = new JsonObject();
    signalsEvaluated.forEach((k, v) -> o.put(k, new JsonObject().put("score", v.score())
        .put("threshold", v.threshold()).put("triggered", v.triggered())));
    return o;
  }

  /** JSON form of {@code metadata}. */
  public JsonObject metadataJson(SignalWeights w) {
    JsonObject comps = new JsonObject();
    components.forEach(comps::put);
    return new JsonObject().put("risk_level", riskLevel)
        .put("weights", new JsonObject().put("inference", w.inference()).put("behavior", w.behavior())
            .put("anomaly", w.anomaly()).put("cost", w.cost()).put("cross_agent", w.crossAgent()))
        .put("components", comps)
        .put("policy_reason", policyReason)
        .put("diagnostic_flags", new JsonArray(diagnosticFlags));
  }
}
