package dev.aegis.pipeline.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Table tests of the SPEC section 5 fusion. Every expected score was worked out by hand from
 * {@code raw = 0.35·inference + 0.30·behavior + 0.15·anomaly + 0.10·cost + 0.10·cross_agent + adj},
 * then boost, policy floor, learning discount, clamp and 4-decimal rounding.
 */
class DecisionEngineTest {

  private final DecisionEngine cut = new DecisionEngine(SignalWeights.DEFAULT);

  private static DecisionInput input(double inference, double behavior, double anomaly, double cost,
      double cross, double adj, boolean allowed, boolean hardDeny, double fpr, List<String> extra) {
    return new DecisionInput(allowed, allowed ? null : "denied by test", adj, hardDeny, inference,
        behavior, anomaly, cost, cross, 0.9, fpr, extra, List.of("diag.flag"));
  }

  private static DecisionInput signals(double inference, double behavior, double anomaly, double cost,
      double cross) {
    return input(inference, behavior, anomaly, cost, cross, 0, true, false, 0, List.of());
  }

  @ParameterizedTest(name = "{0}: risk {10} -> {11}")
  @CsvSource({
      // label,          inf,      beh,    anom,   cost,   cross,  adj,     allowed, hard, fpr,    risk,   action,   level
      // ---- threshold bands (policy allowed, no discount) ----
      "zero,             0,        0,      0,      0,      0,      0,       true,  false, 0,      0.0,    ALLOW,    LOW",
      "allow_mid,        0.5,      0.2,    0,      0,      0,      0,       true,  false, 0,      0.235,  ALLOW,    LOW",
      "allow_edge,       0,        0,      0,      0,      0,      0.2999,  true,  false, 0,      0.2999, ALLOW,    LOW",
      "monitor_edge,     0,        0,      0,      0,      0,      0.30,    true,  false, 0,      0.3,    MONITOR,  MONITOR",
      "monitor_mid,      0.6,      0.5,    0,      0,      0,      0,       true,  false, 0,      0.36,   MONITOR,  MONITOR",
      "monitor_top,      0.4,      0.4,    0.4,    0.4,    0.4,    0.0999,  true,  false, 0,      0.4999, MONITOR,  MONITOR",
      "throttle_edge,    0.5,      0.5,    0.5,    0.5,    0.5,    0,       true,  false, 0,      0.5,    THROTTLE, MEDIUM",
      "throttle_mid,     0.6,      0.6,    0.6,    0.6,    0.6,    0,       true,  false, 0,      0.6,    THROTTLE, MEDIUM",
      "throttle_top,     0.6,      0.6,    0.6,    0.6,    0.6,    0.0999,  true,  false, 0,      0.6999, THROTTLE, MEDIUM",
      "escalate_edge,    0.7,      0.7,    0.7,    0.7,    0.7,    0,       true,  false, 0,      0.7,    ESCALATE, HIGH",
      "escalate_top,     0.7,      0.7,    0.7,    0.7,    0.7,    0.1999,  true,  false, 0,      0.8999, ESCALATE, HIGH",
      "kill_edge,        0.79,     0.79,   0.79,   0.79,   0.79,   0.11,    true,  false, 0,      0.9,    KILL,     CRITICAL",
      "kill_mid,         0.92,     0.92,   0.92,   0.92,   0.92,   0,       true,  false, 0,      0.92,   KILL,     CRITICAL",
      // ---- boosts: max signal >= 0.95 -> raw >= 0.95; >= 0.80 -> raw >= 0.60 ----
      "boost95_inf,      0.95,     0,      0,      0,      0,      0,       true,  false, 0,      0.95,   KILL,     CRITICAL",
      "boost95_beh,      0,        0.96,   0,      0,      0,      0,       true,  false, 0,      0.95,   KILL,     CRITICAL",
      "boost95_cross,    0,        0,      0,      0,      0.95,   0,       true,  false, 0,      0.95,   KILL,     CRITICAL",
      "boost95_anom,     0,        0,      1.0,    0,      0,      0,       true,  false, 0,      0.95,   KILL,     CRITICAL",
      "boost80_inf,      0.9499,   0,      0,      0,      0,      0,       true,  false, 0,      0.6,    THROTTLE, MEDIUM",
      "boost80_cost,     0,        0,      0,      0.80,   0,      0,       true,  false, 0,      0.6,    THROTTLE, MEDIUM",
      "no_boost_7999,    0,        0,      0.7999, 0,      0,      0,       true,  false, 0,      0.12,   ALLOW,    LOW",
      "boost_not_lower,  0.96,     0.96,   0.96,   0.96,   0.96,   0,       true,  false, 0,      0.96,   KILL,     CRITICAL",
      "boost80_not_low,  0.85,     0.85,   0.85,   0.85,   0.85,   0,       true,  false, 0,      0.85,   ESCALATE, HIGH",
      "boost_then_disc,  0.8,      0,      0,      0,      0,      0,       true,  false, 0.5,    0.45,   MONITOR,  MONITOR",
      // ---- policy floor 0.70 on deny, no discount ----
      "floor_zero,       0,        0,      0,      0,      0,      0,       false, false, 0,      0.7,    ESCALATE, HIGH",
      "floor_no_disc,    0,        0,      0,      0,      0,      0,       false, false, 1.0,    0.7,    ESCALATE, HIGH",
      "floor_neg_adj,    0,        0,      0,      0,      0,      -0.30,   false, false, 0,      0.7,    ESCALATE, HIGH",
      "floor_not_lower,  0.8,      0.8,    0.8,    0.8,    0.8,    0,       false, false, 0,      0.8,    ESCALATE, HIGH",
      "floor_and_boost,  1.0,      0,      0,      0,      0,      0,       false, false, 0,      0.95,   KILL,     CRITICAL",
      // ---- learning discount min(fpr*0.30, 0.20), only when allowed ----
      "disc_half,        0.5,      0.5,    0.5,    0.5,    0.5,    0,       true,  false, 0.5,    0.35,   MONITOR,  MONITOR",
      "disc_tenth,       0.5,      0.5,    0.5,    0.5,    0.5,    0,       true,  false, 0.1,    0.47,   MONITOR,  MONITOR",
      "disc_capped,      0.5,      0.5,    0.5,    0.5,    0.5,    0,       true,  false, 1.0,    0.3,    MONITOR,  MONITOR",
      "disc_cap_edge,    0.5,      0.5,    0.5,    0.5,    0.5,    0,       true,  false, 0.6667, 0.3,    MONITOR,  MONITOR",
      "disc_to_zero,     0,        0,      0,      0,      0,      0,       true,  false, 1.0,    0.0,    ALLOW,    LOW",
      "disc_band_drop,   0.7,      0.7,    0.7,    0.7,    0.7,    0,       true,  false, 0.4,    0.58,   THROTTLE, MEDIUM",
      // ---- adjustment clamped to +-0.30 ----
      "adj_over,         0,        0,      0,      0,      0,      0.5,     true,  false, 0,      0.3,    MONITOR,  MONITOR",
      "adj_one,          0.5,      0.5,    0.5,    0.5,    0.5,    1.0,     true,  false, 0,      0.8,    ESCALATE, HIGH",
      "adj_minus_one,    0.5,      0.5,    0.5,    0.5,    0.5,    -1.0,    true,  false, 0,      0.2,    ALLOW,    LOW",
      "adj_minus_02,     0.5,      0.5,    0.5,    0.5,    0.5,    -0.2,    true,  false, 0,      0.3,    MONITOR,  MONITOR",
      "adj_minus_03,     0.5,      0.5,    0.5,    0.5,    0.5,    -0.3,    true,  false, 0,      0.2,    ALLOW,    LOW",
      // ---- hard deny: DENY with score >= 0.90 ----
      "hard_zero,        0,        0,      0,      0,      0,      0,       false, true,  0,      0.9,    DENY,     CRITICAL",
      "hard_boosted,     1.0,      0,      0,      0,      0,      0,       false, true,  0,      0.95,   DENY,     CRITICAL",
      "hard_allowed,     0,        0,      0,      0,      0,      0,       true,  true,  0,      0.9,    DENY,     CRITICAL",
      "hard_clamped,     1.0,      1.0,    1.0,    1.0,    1.0,    0.3,     false, true,  0,      1.0,    DENY,     CRITICAL",
      // ---- clamping to [0,1] ----
      "clamp_top,        1.0,      1.0,    1.0,    1.0,    1.0,    0.3,     true,  false, 0,      1.0,    KILL,     CRITICAL",
      "signal_over_one,  5.0,      0,      0,      0,      0,      0,       true,  false, 0,      0.95,   KILL,     CRITICAL",
      "signal_negative,  -1.0,     0.5,    0,      0,      0,      0,       true,  false, 0,      0.15,   ALLOW,    LOW",
      "fpr_over_one,     0.5,      0.5,    0.5,    0.5,    0.5,    0,       true,  false, 2.0,    0.3,    MONITOR,  MONITOR",
      "fpr_negative,     0.5,      0.5,    0.5,    0.5,    0.5,    0,       true,  false, -1.0,   0.5,    THROTTLE, MEDIUM",
      // ---- rounding to 4 decimals ----
      "round_down,       0.123456, 0,      0,      0,      0,      0,       true,  false, 0,      0.0432, ALLOW,    LOW",
      "round_up,         0.5,      0,      0,      0.4567, 0,      0,       true,  false, 0,      0.2207, ALLOW,    LOW",
      "round_tiny,       0,        0.33337,0,      0,      0,      0,       true,  false, 0,      0.1,    ALLOW,    LOW",
      // ---- NaN inputs count as 0 ----
      "nan_signal,       NaN,      0.5,    0,      0,      0,      0,       true,  false, 0,      0.15,   ALLOW,    LOW",
      "nan_adj,          0.5,      0.5,    0.5,    0.5,    0.5,    NaN,     true,  false, 0,      0.5,    THROTTLE, MEDIUM",
      "nan_fpr,          0.5,      0.5,    0.5,    0.5,    0.5,    0,       true,  false, NaN,    0.5,    THROTTLE, MEDIUM",
      "nan_all_denied,   NaN,      NaN,    NaN,    NaN,    NaN,    NaN,     false, false, NaN,    0.7,    ESCALATE, HIGH",
  })
  void should_map_signals_to_risk_and_action(String label, double inference, double behavior,
      double anomaly, double cost, double cross, double adj, boolean allowed, boolean hardDeny,
      double fpr, double expectedRisk, Action expectedAction, String expectedLevel) {
    // GIVEN
    DecisionInput in = input(inference, behavior, anomaly, cost, cross, adj, allowed, hardDeny, fpr, List.of());

    // WHEN
    Decision d = cut.evaluate(in);

    // THEN (scores are rounded to 4 decimals, so they compare exactly)
    assertThat(d.risk()).as(label).isEqualTo(expectedRisk);
    assertThat(d.action()).as(label).isEqualTo(expectedAction);
    assertThat(d.riskLevel()).as(label).isEqualTo(expectedLevel);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      // label,            inf,    beh,    anom,   cost,   cross,  allowed, findings ('|' separated)
      "inference_at,       0.60,   0,      0,      0,      0,      true,  ''",
      "inference_above,    0.61,   0,      0,      0,      0,      true,  prompt_injection_detected",
      "behavior_at,        0,      0.60,   0,      0,      0,      true,  ''",
      "behavior_above,     0,      0.6001, 0,      0,      0,      true,  anomalous_behavior_detected",
      "anomaly_at,         0,      0,      0.70,   0,      0,      true,  ''",
      "anomaly_above,      0,      0,      0.7001, 0,      0,      true,  anomalous_behavior_detected",
      "cost_at,            0,      0,      0,      0.50,   0,      true,  ''",
      "cost_above,         0,      0,      0,      0.5001, 0,      true,  autonomy_max_cost_exceeded",
      "cross_at,           0,      0,      0,      0,      0.40,   true,  ''",
      "cross_above,        0,      0,      0,      0,      0.4001, true,  anomalous_behavior_detected",
      "policy_deny,        0,      0,      0,      0,      0,      false, policy_deny",
      "anomalous_once,     0,      0.7,    0.8,    0,      0.5,    true,  anomalous_behavior_detected",
      "all,                0.9,    0.9,    0.9,    0.9,    0.9,    false, policy_deny|prompt_injection_detected|anomalous_behavior_detected|autonomy_max_cost_exceeded",
  })
  void should_emit_finding_only_when_signal_is_strictly_above_threshold(String label, double inference,
      double behavior, double anomaly, double cost, double cross, boolean allowed, String expected) {
    // GIVEN
    DecisionInput in = input(inference, behavior, anomaly, cost, cross, 0, allowed, false, 0, List.of());

    // WHEN
    Decision d = cut.evaluate(in);

    // THEN
    List<String> want = expected.isEmpty() ? List.of() : Arrays.asList(expected.split("\\|"));
    assertThat(d.findings()).as(label).containsExactlyElementsOf(want);
  }

  @Test
  void should_report_thresholds_and_triggered_flags_per_signal() {
    // WHEN
    Decision d = cut.evaluate(signals(0.61, 0.60, 0.71, 0.2, 0.41));

    // THEN
    assertThat(d.signalsEvaluated()).containsOnlyKeys("inference", "behavior", "anomaly", "cost", "cross_agent");
    assertThat(d.signalsEvaluated().get("inference")).isEqualTo(new Decision.SignalEval(0.61, 0.60, true));
    assertThat(d.signalsEvaluated().get("behavior")).isEqualTo(new Decision.SignalEval(0.60, 0.60, false));
    assertThat(d.signalsEvaluated().get("anomaly")).isEqualTo(new Decision.SignalEval(0.71, 0.70, true));
    assertThat(d.signalsEvaluated().get("cost")).isEqualTo(new Decision.SignalEval(0.2, 0.50, false));
    assertThat(d.signalsEvaluated().get("cross_agent")).isEqualTo(new Decision.SignalEval(0.41, 0.40, true));
  }

  @Test
  void should_append_extra_canonical_findings_after_signal_findings_without_duplicates() {
    // GIVEN a policy deny plus findings raised by earlier stages (one of them a duplicate)
    DecisionInput in = input(0, 0, 0, 0, 0, 0, false, true, 0,
        List.of(Findings.SQL_INJECTION_DETECTED, Findings.POLICY_DENY));

    // WHEN
    Decision d = cut.evaluate(in);

    // THEN
    assertThat(d.findings()).containsExactly("policy_deny", "sql_injection_detected");
    assertThat(d.diagnosticFlags()).containsExactly("diag.flag");
    assertThat(d.policyReason()).isEqualTo("denied by test");
  }

  @Test
  void should_reject_non_canonical_extra_finding() {
    // GIVEN a rule id smuggled in as a finding
    DecisionInput in = input(0, 0, 0, 0, 0, 0, true, false, 0, List.of("hard_deny.security.sql_injection"));

    // WHEN / THEN
    assertThatThrownBy(() -> cut.evaluate(in))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hard_deny.security.sql_injection");
  }

  @Test
  void should_expose_weighted_components() {
    // WHEN
    Decision d = cut.evaluate(input(1.0, 0.5, 0.2, 0.4, 0.3, 0.1, true, false, 0, List.of()));

    // THEN components are weight * signal: 0.35, 0.15, 0.03, 0.04, 0.03 and the clamped adjustment
    assertThat(d.components().get("inference")).isCloseTo(0.35, within(1e-12));
    assertThat(d.components().get("behavior")).isCloseTo(0.15, within(1e-12));
    assertThat(d.components().get("anomaly")).isCloseTo(0.03, within(1e-12));
    assertThat(d.components().get("cost")).isCloseTo(0.04, within(1e-12));
    assertThat(d.components().get("cross_agent")).isCloseTo(0.03, within(1e-12));
    assertThat(d.components().get("policy_adjustment")).isCloseTo(0.1, within(1e-12));
  }

  @Test
  void should_clamp_confidence_to_unit_interval() {
    DecisionInput in = new DecisionInput(true, null, 0, false, 0, 0, 0, 0, 0, 1.7, 0, List.of(), List.of());

    assertThat(cut.evaluate(in).confidence()).isEqualTo(1.0);
  }

  @Test
  void should_use_tenant_weights_when_given() {
    // GIVEN all weight on the cost signal
    DecisionEngine costOnly = new DecisionEngine(new SignalWeights(0, 0, 0, 1.0, 0));

    // WHEN cost 0.55: raw 0.55 (no boost, max < 0.80)
    Decision d = costOnly.evaluate(signals(0.5, 0.5, 0, 0.55, 0));

    // THEN
    assertThat(d.risk()).isEqualTo(0.55);
    assertThat(d.action()).isEqualTo(Action.THROTTLE);
  }

  @ParameterizedTest(name = "riskLevel({0}) = {1}")
  @CsvSource({
      "0.0,    LOW",
      "0.2999, LOW",
      "0.3,    MONITOR",
      "0.4999, MONITOR",
      "0.5,    MEDIUM",
      "0.6999, MEDIUM",
      "0.7,    HIGH",
      "0.8999, HIGH",
      "0.9,    CRITICAL",
      "1.0,    CRITICAL",
  })
  void should_label_risk_level(double score, String level) {
    assertThat(DecisionEngine.riskLevel(score)).isEqualTo(level);
  }

  @Test
  void should_default_to_code_weights_summing_to_one() {
    SignalWeights w = SignalWeights.DEFAULT;

    assertThat(List.of(w.inference(), w.behavior(), w.anomaly(), w.cost(), w.crossAgent()))
        .containsExactly(0.35, 0.30, 0.15, 0.10, 0.10);
  }

  @ParameterizedTest(name = "weights {0},{1},{2},{3},{4} accepted")
  @CsvSource({
      "0.35,   0.30, 0.15, 0.10, 0.10",
      "0.3505, 0.30, 0.15, 0.10, 0.10",
      "0.3495, 0.30, 0.15, 0.10, 0.10",
      "1.0,    0,    0,    0,    0",
      "0.2,    0.2,  0.2,  0.2,  0.2",
  })
  void should_accept_weights_summing_to_one_within_tolerance(double a, double b, double c, double d, double e) {
    SignalWeights w = new SignalWeights(a, b, c, d, e);

    assertThat(w.inference()).isEqualTo(a);
  }

  @ParameterizedTest(name = "weights {0},{1},{2},{3},{4} rejected")
  @CsvSource({
      "0.352, 0.30, 0.15, 0.10, 0.10",
      "0.348, 0.30, 0.15, 0.10, 0.10",
      "0.5,   0.5,  0.5,  0,    0",
      "0,     0,    0,    0,    0",
      "1.1,   -0.1, 0,    0,    0",
      "NaN,   0.30, 0.15, 0.10, 0.10",
  })
  void should_reject_weights_not_summing_to_one_or_negative(double a, double b, double c, double d, double e) {
    assertThatThrownBy(() -> new SignalWeights(a, b, c, d, e)).isInstanceOf(IllegalArgumentException.class);
  }
}
