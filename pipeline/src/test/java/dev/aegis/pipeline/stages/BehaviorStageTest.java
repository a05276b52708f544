package dev.aegis.pipeline.stages;

import static dev.aegis.pipeline.PipelineFixtures.AGENT;
import static dev.aegis.pipeline.PipelineFixtures.TENANT;
import static dev.aegis.pipeline.PipelineFixtures.TOOL;
import static dev.aegis.pipeline.PipelineFixtures.assertProceeds;
import static dev.aegis.pipeline.PipelineFixtures.authenticatedCtx;
import static dev.aegis.pipeline.PipelineFixtures.behavior;
import static dev.aegis.pipeline.PipelineFixtures.cleanPolicy;
import static dev.aegis.pipeline.PipelineFixtures.ctx;
import static dev.aegis.pipeline.PipelineFixtures.hardDenyPolicy;
import static dev.aegis.pipeline.PipelineFixtures.tenantSettings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.ports.BehaviorResult;
import dev.aegis.pipeline.ports.BehaviorScorer;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BehaviorStageTest {

  private static final BehaviorScorer DOWN = (t, a, tool, now) -> Future.failedFuture(new IllegalStateException("down"));

  private static RequestContext ctxWithMode(String mode) {
    RequestContext ctx = authenticatedCtx();
    ctx.tenant(tenantSettings(mode));
    ctx.policy(cleanPolicy());
    return ctx;
  }

  @Test
  void should_identify_as_stage_5() {
    assertThat(new BehaviorStage(DOWN).id()).isEqualTo(StageId.BEHAVIOR);
  }

  @Test
  void should_proceed_and_record_scorer_result() {
    // GIVEN
    List<String> asked = new ArrayList<>();
    BehaviorResult scored = new BehaviorResult(0.4, 0.2, 0.1, 0.0, List.of("velocity.p95"), "ok");
    BehaviorStage cut = new BehaviorStage((t, a, tool, now) -> {
      asked.add(t + "/" + a + "/" + tool);
      return Future.succeededFuture(scored);
    });
    RequestContext ctx = authenticatedCtx();

    // WHEN
    assertProceeds(cut.apply(ctx));

    // THEN
    assertThat(asked).containsExactly(TENANT + "/" + AGENT + "/" + TOOL);
    assertThat(ctx.behavior()).isSameAs(scored);
    assertThat(ctx.findings()).isEmpty();
  }

  @Test
  void should_allow_low_risk_when_scorer_fails_under_block_high_risk_with_clean_context() {
    // GIVEN
    RequestContext ctx = ctxWithMode("block_high_risk");

    // WHEN
    assertProceeds(new BehaviorStage(DOWN).apply(ctx));

    // THEN
    assertThat(ctx.behavior().behaviorRisk()).isZero();
    assertThat(ctx.behavior().serviceStatus()).isEqualTo("degraded");
    assertThat(ctx.findings()).containsExactly("behavior_degraded_low_risk_allowed");
  }

  @Test
  void should_block_when_scorer_fails_under_block_high_risk_with_risky_inference() {
    // GIVEN inference risk at the 0.30 line is no longer clean
    RequestContext ctx = ctxWithMode("block_high_risk");
    ctx.inferenceRisk(0.30);

    // WHEN
    assertProceeds(new BehaviorStage(DOWN).apply(ctx));

    // THEN
    assertThat(ctx.behavior().behaviorRisk()).isEqualTo(1.0);
    assertThat(ctx.findings()).containsExactly("behavior_degraded_blocked");
  }

  @Test
  void should_block_when_scorer_fails_under_block_high_risk_after_policy_deny() {
    RequestContext ctx = ctxWithMode("block_high_risk");
    ctx.policy(hardDenyPolicy("hard_deny.sql.drop_table", "destructive_sql_ddl"));

    new BehaviorStage(DOWN).apply(ctx);

    assertThat(ctx.behavior().behaviorRisk()).isEqualTo(1.0);
    assertThat(ctx.findings()).containsExactly("behavior_degraded_blocked");
  }

  @Test
  void should_block_when_scorer_fails_under_block_all_even_when_clean() {
    RequestContext ctx = ctxWithMode("block_all");

    assertProceeds(new BehaviorStage(DOWN).apply(ctx));

    assertThat(ctx.behavior().behaviorRisk()).isEqualTo(1.0);
    assertThat(ctx.behavior().flags()).contains("block_all");
    assertThat(ctx.findings()).containsExactly("behavior_degraded_blocked");
  }

  @Test
  void should_skip_with_zero_risk_when_scorer_fails_under_allow_with_audit() {
    // GIVEN even a risky context
    RequestContext ctx = ctxWithMode("allow_with_audit");
    ctx.inferenceRisk(0.9);

    // WHEN
    assertProceeds(new BehaviorStage(DOWN).apply(ctx));

    // THEN
    assertThat(ctx.behavior().behaviorRisk()).isZero();
    assertThat(ctx.behavior().serviceStatus()).isEqualTo("skipped");
    assertThat(ctx.behavior().flags()).containsExactly("behavior_skipped");
    assertThat(ctx.findings()).containsExactly("behavior_degraded_fail_open");
  }

  @Test
  void should_treat_thrown_exception_like_scorer_failure() {
    RequestContext ctx = ctxWithMode("block_all");
    BehaviorStage cut = new BehaviorStage((t, a, tool, now) -> {
      throw new IllegalStateException("thrown");
    });

    assertProceeds(cut.apply(ctx));

    assertThat(ctx.behavior().behaviorRisk()).isEqualTo(1.0);
  }

  @Test
  void should_default_to_block_high_risk_when_tenant_has_no_mode() {
    // GIVEN no tenant settings and a risky inference
    RequestContext ctx = ctx();
    ctx.inferenceRisk(0.5);

    new BehaviorStage(DOWN).apply(ctx);

    assertThat(ctx.behavior().behaviorRisk()).isEqualTo(1.0);
    assertThat(ctx.behavior().flags()).contains("block_high_risk");
  }

  @Test
  void should_not_touch_findings_when_scorer_succeeds_with_high_risk() {
    RequestContext ctx = ctxWithMode("block_all");
    BehaviorStage cut = new BehaviorStage((t, a, tool, now) -> Future.succeededFuture(behavior(0.9)));

    cut.apply(ctx);

    assertThat(ctx.behavior().behaviorRisk()).isEqualTo(0.9);
    assertThat(ctx.findings()).isEmpty();
  }
}
