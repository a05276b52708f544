package dev.aegis.pipeline.stages;

import static dev.aegis.pipeline.PipelineFixtures.assertProceeds;
import static dev.aegis.pipeline.PipelineFixtures.authenticatedCtx;
import static dev.aegis.pipeline.PipelineFixtures.behavior;
import static dev.aegis.pipeline.PipelineFixtures.cleanPolicy;
import static dev.aegis.pipeline.PipelineFixtures.decision;
import static dev.aegis.pipeline.PipelineFixtures.escalatePolicy;
import static dev.aegis.pipeline.PipelineFixtures.hardDenyPolicy;
import static dev.aegis.pipeline.PipelineFixtures.respond;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.decision.Action;
import dev.aegis.pipeline.decision.DecisionEngine;
import dev.aegis.pipeline.decision.SignalWeights;
import dev.aegis.pipeline.ports.PolicyResult;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EnforcementStageTest {

  private final EnforcementStage cut = new EnforcementStage();
  private final DecisionStage decisionStage = new DecisionStage(new DecisionEngine(SignalWeights.DEFAULT));

  private static RequestContext decided(Action action, double risk, PolicyResult policy) {
    RequestContext ctx = authenticatedCtx();
    ctx.policy(policy);
    ctx.decision(decision(action, risk, List.of()));
    return ctx;
  }

  /** Runs stage 6 and then stage 7 on the given signals. */
  private Verdict decideAndEnforce(PolicyResult policy, double inferenceRisk) {
    RequestContext ctx = authenticatedCtx();
    ctx.policy(policy);
    ctx.behavior(behavior(0));
    ctx.inferenceRisk(inferenceRisk);
    assertProceeds(decisionStage.apply(ctx));
    return cut.apply(ctx).result();
  }

  @Test
  void should_identify_as_stage_7() {
    assertThat(cut.id()).isEqualTo(StageId.ENFORCEMENT);
  }

  @ParameterizedTest
  @EnumSource(value = Action.class, names = {"ALLOW", "MONITOR"})
  void should_proceed_when_allow_or_monitor(Action action) {
    assertProceeds(cut.apply(decided(action, 0.35, cleanPolicy())));
  }

  @Test
  void should_deny_429_throttled_when_throttle() {
    // WHEN
    Verdict.Respond r = respond(cut.apply(decided(Action.THROTTLE, 0.6, cleanPolicy())));

    // THEN
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.errorKey()).isEqualTo("throttled");
    assertThat(r.extra().getString("limit_type")).isEqualTo("risk_throttle");
    assertThat(r.extra().getDouble("retry_after")).isEqualTo(1.0);
    assertThat(r.headers()).containsEntry("Retry-After", "1");
  }

  @Test
  void should_deny_403_approval_required_with_rule_when_escalate() {
    Verdict.Respond r = respond(cut.apply(decided(Action.ESCALATE, 0.7,
        escalatePolicy("escalate.wire.large", "money_transfer_external"))));

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.errorKey()).isEqualTo("approval_required");
    assertThat(r.detail()).contains("escalate.wire.large");
  }

  @Test
  void should_deny_403_policy_denied_when_kill() {
    Verdict.Respond r = respond(cut.apply(decided(Action.KILL, 0.95, cleanPolicy())));

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.errorKey()).isEqualTo("policy_denied");
    assertThat(r.detail()).contains("0.95");
  }

  @Test
  void should_deny_403_policy_denied_naming_rule_when_deny() {
    Verdict.Respond r = respond(cut.apply(decided(Action.DENY, 0.9,
        hardDenyPolicy("hard_deny.shell.rm_root", "destructive_shell_command"))));

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.errorKey()).isEqualTo("policy_denied");
    assertThat(r.detail()).isEqualTo("Blocked by hard_deny.shell.rm_root: blocked by hard_deny.shell.rm_root");
  }

  // ---- stage 6 + stage 7 together ----

  @Test
  void should_deny_403_policy_denied_when_policy_hard_denies() {
    Verdict v = decideAndEnforce(hardDenyPolicy("hard_deny.sql.drop_table", "destructive_sql_ddl"), 0);

    assertThat(v).isInstanceOfSatisfying(Verdict.Respond.class, r -> {
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.errorKey()).isEqualTo("policy_denied");
    });
  }

  @Test
  void should_deny_403_approval_required_when_only_escalate_rule_fires() {
    Verdict v = decideAndEnforce(escalatePolicy("escalate.k8s.delete_prod", "k8s_destruction"), 0);

    assertThat(v).isInstanceOfSatisfying(Verdict.Respond.class, r -> {
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.errorKey()).isEqualTo("approval_required");
    });
  }

  @Test
  void should_deny_429_throttled_when_pii_only_inference_risk_080() {
    Verdict v = decideAndEnforce(cleanPolicy(), 0.80);

    assertThat(v).isInstanceOfSatisfying(Verdict.Respond.class, r -> {
      assertThat(r.status()).isEqualTo(429);
      assertThat(r.errorKey()).isEqualTo("throttled");
    });
  }

  @Test
  void should_proceed_when_clean_policy_and_low_risk() {
    assertThat(decideAndEnforce(cleanPolicy(), 0.1)).isSameAs(Verdict.proceed());
  }
}
