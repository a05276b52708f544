package dev.aegis.pipeline.decision;

import java.util.List;
import java.util.Set;

/**
 * The canonical findings vocabulary (14 strings). Anything else is a bug: {@link #requireCanonical}
 * rejects it, and upstream rule ids and classifier flags go only into diagnostic flags.
 */
public final class Findings {
  public static final String POLICY_DENY = "policy_deny";
  public static final String AUTONOMY_DENIED_ACTION = "autonomy_denied_action";
  public static final String AUTONOMY_MAX_COST_EXCEEDED = "autonomy_max_cost_exceeded";
  public static final String AUTONOMY_MAX_RUNTIME_EXCEEDED = "autonomy_max_runtime_exceeded";
  public static final String PATH_TRAVERSAL_DETECTED = "path_traversal_detected";
  public static final String SQL_INJECTION_DETECTED = "sql_injection_detected";
  public static final String PROMPT_INJECTION_DETECTED = "prompt_injection_detected";
  public static final String DATA_EXFILTRATION_DETECTED = "data_exfiltration_detected";
  public static final String ANOMALOUS_BEHAVIOR_DETECTED = "anomalous_behavior_detected";
  public static final String APPROVAL_REQUIRED = "approval_required";
  public static final String BEHAVIOR_DEGRADED_BLOCKED = "behavior_degraded_blocked";
  public static final String BEHAVIOR_DEGRADED_FAIL_OPEN = "behavior_degraded_fail_open";
  public static final String BEHAVIOR_DEGRADED_LOW_RISK_ALLOWED = "behavior_degraded_low_risk_allowed";
  public static final String INFERENCE_PROXY_BLOCKED = "inference_proxy_blocked";

  public static final Set<String> ALL = Set.of(POLICY_DENY, AUTONOMY_DENIED_ACTION,
      AUTONOMY_MAX_COST_EXCEEDED, AUTONOMY_MAX_RUNTIME_EXCEEDED, PATH_TRAVERSAL_DETECTED,
      SQL_INJECTION_DETECTED, PROMPT_INJECTION_DETECTED, DATA_EXFILTRATION_DETECTED,
      ANOMALOUS_BEHAVIOR_DETECTED, APPROVAL_REQUIRED, BEHAVIOR_DEGRADED_BLOCKED,
      BEHAVIOR_DEGRADED_FAIL_OPEN, BEHAVIOR_DEGRADED_LOW_RISK_ALLOWED, INFERENCE_PROXY_BLOCKED);

  private Findings() {}

  /** @throws IllegalArgumentException when any finding is outside the canonical vocabulary */
  public static List<String> requireCanonical(List<String> findings) {
    for (String f : findings) {
      if (!ALL.contains(f)) {
        throw new IllegalArgumentException("non-canonical finding: " + f);
      }
    }
    return findings;
  }
}
