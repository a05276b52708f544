package dev.aegis.pipeline.stages;

import static dev.aegis.pipeline.PipelineFixtures.assertProceeds;
import static dev.aegis.pipeline.PipelineFixtures.authenticatedCtx;
import static dev.aegis.pipeline.PipelineFixtures.behavior;
import static dev.aegis.pipeline.PipelineFixtures.cleanPolicy;
import static dev.aegis.pipeline.PipelineFixtures.escalatePolicy;
import static dev.aegis.pipeline.PipelineFixtures.hardDenyPolicy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.decision.Action;
import dev.aegis.pipeline.decision.Decision;
import dev.aegis.pipeline.decision.DecisionEngine;
import dev.aegis.pipeline.decision.SignalWeights;
import dev.aegis.pipeline.ports.BehaviorResult;
import dev.aegis.pipeline.ports.PolicyResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionStageTest {

  private final DecisionStage cut = new DecisionStage(new DecisionEngine(SignalWeights.DEFAULT));

  private static RequestContext ctx(PolicyResult policy, BehaviorResult behavior, double inferenceRisk) {
    RequestContext ctx = authenticatedCtx();
    ctx.policy(policy);
    ctx.behavior(behavior);
    ctx.inferenceRisk(inferenceRisk);
    return ctx;
  }

  @Test
  void should_identify_as_stage_6() {
    assertThat(cut.id()).isEqualTo(StageId.DECISION);
  }

  @Test
  void should_allow_when_signals_are_low() {
    // GIVEN behaviour 0.1 and inference 0.2: raw = 0.35*0.2 + 0.30*0.1 = 0.10
    RequestContext ctx = ctx(cleanPolicy(), behavior(0.1), 0.2);

    // WHEN
    assertProceeds(cut.apply(ctx));

    // THEN the stage never answers by itself
    Decision d = ctx.decision();
    assertThat(d.action()).isEqualTo(Action.ALLOW);
    assertThat(d.risk()).isEqualTo(0.1);
    assertThat(d.confidence()).isEqualTo(0.9);
    assertThat(d.findings()).isEmpty();
  }

  @Test
  void should_decide_deny_with_score_090_when_policy_hard_denies() {
    // GIVEN
    RequestContext ctx = ctx(hardDenyPolicy("hard_deny.sql.drop_table", "destructive_sql_ddl"), behavior(0), 0);

    // WHEN
    assertProceeds(cut.apply(ctx));

    // THEN rule ids go to diagnostic flags, findings stay canonical
    Decision d = ctx.decision();
    assertThat(d.action()).isEqualTo(Action.DENY);
    assertThat(d.risk()).isEqualTo(0.9);
    assertThat(d.findings()).containsExactly("policy_deny");
    assertThat(d.diagnosticFlags()).contains("hard_deny.sql.drop_table");
    assertThat(d.policyReason()).isEqualTo("blocked by hard_deny.sql.drop_table");
  }

  @Test
  void should_escalate_with_approval_required_when_escalate_only_rule_fires_on_low_risk() {
    // GIVEN
    RequestContext ctx = ctx(escalatePolicy("escalate.k8s.delete_prod", "k8s_destruction"), behavior(0), 0);

    // WHEN
    assertProceeds(cut.apply(ctx));

    // THEN
    Decision d = ctx.decision();
    assertThat(d.action()).isEqualTo(Action.ESCALATE);
    assertThat(d.risk()).isEqualTo(0.7);
    assertThat(d.riskLevel()).isEqualTo("HIGH");
    assertThat(d.findings()).containsExactly("approval_required");
    assertThat(d.policyReason()).isEqualTo("needs approval: escalate.k8s.delete_prod");
  }

  @Test
  void should_keep_kill_when_escalate_rule_fires_on_kill_band_risk() {
    RequestContext ctx = ctx(escalatePolicy("escalate.k8s.delete_prod", "k8s_destruction"), behavior(0), 0.95);

    cut.apply(ctx);

    assertThat(ctx.decision().action()).isEqualTo(Action.KILL);
    assertThat(ctx.decision().risk()).isEqualTo(0.95);
    assertThat(ctx.decision().findings()).contains("approval_required");
  }

  @Test
  void should_throttle_when_pii_only_inference_risk_is_080() {
    // GIVEN raw 0.35*0.80 = 0.28, boosted to 0.60 by the >= 0.80 signal
    RequestContext ctx = ctx(cleanPolicy(), behavior(0), 0.80);

    cut.apply(ctx);

    assertThat(ctx.decision().action()).isEqualTo(Action.THROTTLE);
    assertThat(ctx.decision().risk()).isEqualTo(0.6);
  }

  @Test
  void should_add_data_exfiltration_finding_when_exfil_rule_fires() {
    RequestContext ctx = ctx(hardDenyPolicy("hard_deny.exfil.external_pii", "external_pii_exfil"), behavior(0), 0);

    cut.apply(ctx);

    assertThat(ctx.decision().findings()).containsExactly("policy_deny", "data_exfiltration_detected");
    assertThat(ctx.decision().diagnosticFlags()).contains("hard_deny.exfil.external_pii")
        .doesNotContain("data_exfiltration_detected");
  }

  @Test
  void should_carry_earlier_findings_and_flags_into_decision() {
    // GIVEN stage 3 findings and flags, behaviour flags
    RequestContext ctx = ctx(cleanPolicy(),
        new BehaviorResult(0.2, 0, 0, 0, List.of("velocity.p95"), "ok"), 0.95);
    ctx.findings().add("prompt_injection_detected");
    ctx.inferenceFlags().add("inference.injection.ignore_previous");

    // WHEN
    cut.apply(ctx);

    // THEN
    assertThat(ctx.decision().findings()).containsExactly("prompt_injection_detected");
    assertThat(ctx.decision().diagnosticFlags())
        .containsExactly("inference.injection.ignore_previous", "velocity.p95");
  }

  @Test
  void should_lower_confidence_when_behaviour_degraded() {
    RequestContext ctx = ctx(cleanPolicy(), new BehaviorResult(0, 0, 0, 0, List.of(), "degraded"), 0);

    cut.apply(ctx);

    assertThat(ctx.decision().confidence()).isEqualTo(0.5);
  }

  @Test
  void should_kill_when_degraded_behaviour_blocked() {
    // GIVEN the degraded-mode policy set behaviour risk to 1.0: boosted to 0.95
    RequestContext ctx = ctx(cleanPolicy(), new BehaviorResult(1.0, 0, 0, 0, List.of(), "degraded"), 0);
    ctx.findings().add("behavior_degraded_blocked");

    cut.apply(ctx);

    assertThat(ctx.decision().action()).isEqualTo(Action.KILL);
    assertThat(ctx.decision().findings()).contains("behavior_degraded_blocked", "anomalous_behavior_detected");
  }

  @Test
  void should_use_zero_behaviour_when_stage_5_recorded_nothing() {
    RequestContext ctx = ctx(cleanPolicy(), null, 0.5);

    cut.apply(ctx);

    assertThat(ctx.decision().risk()).isEqualTo(0.175);
    assertThat(ctx.decision().action()).isEqualTo(Action.ALLOW);
  }
}
