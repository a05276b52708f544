package dev.aegis.pipeline.decision;

import java.util.List;

/**
 * Everything the decision engine fuses (SPEC section 5, {@code DecisionContext}).
 *
 * @param policyAllowed false when a policy rule denied
 * @param policyReason the policy's reason, may be null
 * @param policyRiskAdjustment added to the raw score, clamped to +-0.30
 * @param policyHardDeny forces DENY with score >= 0.90
 * @param inferenceRisk signal in [0,1]
 * @param behaviorRisk signal in [0,1]
 * @param anomalyScore signal in [0,1]
 * @param costRisk signal in [0,1]
 * @param crossAgentRisk signal in [0,1]
 * @param confidence confidence in [0,1]
 * @param falsePositiveRate learning discount input in [0,1]
 * @param extraFindings canonical findings raised by earlier stages
 * @param diagnosticFlags upstream rule ids and classifier flags (never findings)
 */
public record DecisionInput(boolean policyAllowed, String policyReason, double policyRiskAdjustment,
    boolean policyHardDeny, double inferenceRisk, double behaviorRisk, double anomalyScore,
    double costRisk, double crossAgentRisk, double confidence, double falsePositiveRate,
    List<String> extraFindings, List<String> diagnosticFlags) {}
