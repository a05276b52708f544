package dev.aegis.pipeline.decision;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The deterministic fusion of signals into one action, exactly as SPEC section 5 describes:
 *
 * <ol>
 *   <li>clamp the policy adjustment to +-0.30;</li>
 *   <li>raw = weighted sum of the five signals + adjustment;</li>
 *   <li>boost: max signal >= 0.95 lifts raw to >= 0.95, else >= 0.80 lifts it to >= 0.60;</li>
 *   <li>policy floor: a policy deny lifts raw to >= 0.70 with no discount;</li>
 *   <li>learning discount, only when policy allowed: raw -= min(fpr * 0.30, 0.20);</li>
 *   <li>clamp to [0,1], round to 4 decimals;</li>
 *   <li>hard deny → DENY with score >= 0.90, else thresholds 0.90 KILL, 0.70 ESCALATE,
 *       0.50 THROTTLE, 0.30 MONITOR, else ALLOW.</li>
 * </ol>
 *
 * Pure and thread safe.
 */
public final class DecisionEngine {

  public static final double INFERENCE_THRESHOLD = 0.60;
  public static final double BEHAVIOR_THRESHOLD = 0.60;
  public static final double ANOMALY_THRESHOLD = 0.70;
  public static final double COST_THRESHOLD = 0.50;
  public static final double CROSS_AGENT_THRESHOLD = 0.40;

  private final SignalWeights weights;

  public DecisionEngine(SignalWeights weights) {
    this.weights = weights;
  }

  public SignalWeights weights() {
    return weights;
  }

  public Decision evaluate(DecisionInput in) {
    double inference = clamp01(in.inferenceRisk());
    double behavior = clamp01(in.behaviorRisk());
    double anomaly = clamp01(in.anomalyScore());
    double cost = clamp01(in.costRisk());
    double cross = clamp01(in.crossAgentRisk());
    double adj = Math.max(-0.30, Math.min(0.30, finite(in.policyRiskAdjustment())));

    Map<String, Double> components = new LinkedHashMap<>();
    components.put("inference", weights.inference() * inference);
    components.put("behavior", weights.behavior() * behavior);
    components.put("anomaly", weights.anomaly() * anomaly);
    components.put("cost", weights.cost() * cost);
    components.put("cross_agent", weights.crossAgent() * cross);
    components.put("policy_adjustment", adj);
    double raw = 0;
    for (double c : components.values()) {
      raw += c;
    }

    double maxSignal = Math.max(Math.max(Math.max(inference, behavior), Math.max(anomaly, cost)), cross);
    if (maxSignal >= 0.95) {
      raw = Math.max(raw, 0.95);
    } else if (maxSignal >= 0.80) {
      raw = Math.max(raw, 0.60);
    }
    if (!in.policyAllowed()) {
      raw = Math.max(raw, 0.70);
    } else {
      raw -= Math.min(clamp01(in.falsePositiveRate()) * 0.30, 0.20);
    }
    double score = round4(clamp01(raw));

    Action action;
    if (in.policyHardDeny()) {
      score = Math.max(score, 0.90);
      action = Action.DENY;
    } else if (score >= 0.90) {
      action = Action.KILL;
    } else if (score >= 0.70) {
      action = Action.ESCALATE;
    } else if (score >= 0.50) {
      action = Action.THROTTLE;
    } else if (score >= 0.30) {
      action = Action.MONITOR;
    } else {
      action = Action.ALLOW;
    }

    Map<String, Decision.SignalEval> evals = new LinkedHashMap<>();
    evals.put("inference", eval(inference, INFERENCE_THRESHOLD));
    evals.put("behavior", eval(behavior, BEHAVIOR_THRESHOLD));
    evals.put("anomaly", eval(anomaly, ANOMALY_THRESHOLD));
    evals.put("cost", eval(cost, COST_THRESHOLD));
    evals.put("cross_agent", eval(cross, CROSS_AGENT_THRESHOLD));

    LinkedHashSet<String> findings = new LinkedHashSet<>();
    if (!in.policyAllowed()) {
      findings.add(Findings.POLICY_DENY);
    }
    if (evals.get("inference").triggered()) {
      findings.add(Findings.PROMPT_INJECTION_DETECTED);
    }
    if (evals.get("behavior").triggered() || evals.get("anomaly").triggered()
        || evals.get("cross_agent").triggered()) {
      findings.add(Findings.ANOMALOUS_BEHAVIOR_DETECTED);
    }
    if (evals.get("cost").triggered()) {
      findings.add(Findings.AUTONOMY_MAX_COST_EXCEEDED);
    }
    findings.addAll(in.extraFindings());
    List<String> canonical = Findings.requireCanonical(new ArrayList<>(findings));

    return new Decision(action, score, clamp01(in.confidence()), riskLevel(score), List.copyOf(canonical),
        evals, components, List.copyOf(in.diagnosticFlags()), in.policyReason());
  }

  /** CRITICAL >= 0.9, HIGH >= 0.7, MEDIUM >= 0.5, MONITOR >= 0.3, else LOW. */
  public static String riskLevel(double score) {
    if (score >= 0.9) {
      return "CRITICAL";
    } else if (score >= 0.7) {
      return "HIGH";
    } else if (score >= 0.5) {
      return "MEDIUM";
    } else if (score >= 0.3) {
      return "MONITOR";
    }
    return "LOW";
  }

  private static Decision.SignalEval eval(double score, double threshold) {
    return new Decision.SignalEval(score, threshold, score > threshold);
  }

  private static double clamp01(double v) {
    return Double.isNaN(v) ? 0.0 : Math.max(0.0, Math.min(1.0, v));
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0.0;
  }

  private static double round4(double v) {
    return Math.round(v * 10_000.0) / 10_000.0;
  }
}
