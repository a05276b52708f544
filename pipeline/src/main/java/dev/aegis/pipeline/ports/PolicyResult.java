package dev.aegis.pipeline.ports;

import java.util.List;

/**
 * The outcome of policy evaluation (SPEC stage 4).
 *
 * @param allowed false when any deny rule fired
 * @param hardDeny a rule tagged hard_deny fired: the decision is forced to DENY
 * @param escalate an escalate-only rule fired
 * @param ruleId the first rule that fired, or null
 * @param reason human readable reason, or null
 * @param riskAdjustment added to the decision score (clamped to +-0.30 by the engine)
 * @param hits every rule that fired
 * @param policyVersion the revision that produced this result
 */
public record PolicyResult(boolean allowed, boolean hardDeny, boolean escalate, String ruleId,
    String reason, double riskAdjustment, List<RuleHit> hits, String policyVersion) {

  /** Nothing fired. */
  public static PolicyResult clean(String policyVersion) {
    return new PolicyResult(true, false, false, null, null, 0.0, List.of(), policyVersion);
  }

  /**
   * One rule that fired.
   *
   * @param id stable rule id (e.g. {@code hard_deny.shell.rm_root})
   * @param signal security signal name (e.g. {@code destructive_shell_command})
   * @param severity critical, high, medium or low
   * @param effect deny or escalate
   * @param reason why it fired
   */
  public record RuleHit(String id, String signal, String severity, String effect, String reason) {}
}
