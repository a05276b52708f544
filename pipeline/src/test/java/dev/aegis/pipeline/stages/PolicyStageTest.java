package dev.aegis.pipeline.stages;

import static dev.aegis.pipeline.PipelineFixtures.AGENT;
import static dev.aegis.pipeline.PipelineFixtures.REQUEST_ID;
import static dev.aegis.pipeline.PipelineFixtures.TENANT;
import static dev.aegis.pipeline.PipelineFixtures.TOOL;
import static dev.aegis.pipeline.PipelineFixtures.allowedAgent;
import static dev.aegis.pipeline.PipelineFixtures.assertProceeds;
import static dev.aegis.pipeline.PipelineFixtures.authenticated;
import static dev.aegis.pipeline.PipelineFixtures.authenticatedCtx;
import static dev.aegis.pipeline.PipelineFixtures.cause;
import static dev.aegis.pipeline.PipelineFixtures.cleanPolicy;
import static dev.aegis.pipeline.PipelineFixtures.hardDenyPolicy;
import static dev.aegis.pipeline.PipelineFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.decision.Findings;
import dev.aegis.pipeline.detect.HardDenyPolicy;
import dev.aegis.pipeline.ports.PolicyEngine;
import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.ports.PolicyResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Mostly uses a fake {@link PolicyEngine} (stage 4 only merges its answer with stage 3's security
 * findings); two tests plug in the platform {@link HardDenyPolicy}.
 */
class PolicyStageTest {

  private final List<PolicyInput> inputs = new ArrayList<>();

  private PolicyStage cut(PolicyResult answer) {
    PolicyEngine engine = in -> {
      inputs.add(in);
      return Future.succeededFuture(answer);
    };
    return new PolicyStage(engine);
  }

  private static RequestContext ctx(String... findings) {
    RequestContext ctx = authenticatedCtx();
    ctx.agent(allowedAgent());
    ctx.findings().addAll(List.of(findings));
    return ctx;
  }

  @Test
  void should_identify_as_stage_4() {
    assertThat(cut(cleanPolicy()).id()).isEqualTo(StageId.POLICY);
  }

  @Test
  void should_proceed_and_record_engine_result_when_nothing_fired() {
    // GIVEN
    RequestContext ctx = ctx();
    PolicyResult clean = cleanPolicy();

    // WHEN
    assertProceeds(cut(clean).apply(ctx));

    // THEN the stage never answers by itself; it records the result
    assertThat(ctx.policy()).isSameAs(clean);
  }

  @Test
  void should_pass_request_facts_to_engine() {
    RequestContext ctx = ctx(Findings.PROMPT_INJECTION_DETECTED);

    cut(cleanPolicy()).apply(ctx);

    assertThat(inputs).hasSize(1);
    PolicyInput in = inputs.get(0);
    assertThat(in.tenantId()).isEqualTo(TENANT);
    assertThat(in.agentId()).isEqualTo(AGENT);
    assertThat(in.agentName()).isEqualTo("billing-bot");
    assertThat(in.agentRiskLevel()).isEqualTo("low");
    assertThat(in.tool()).isEqualTo(TOOL);
    assertThat(in.payload()).isEqualTo(ctx.payload());
    assertThat(in.scanText()).isEqualTo(ctx.actionText());
    assertThat(in.requestId()).isEqualTo(REQUEST_ID);
    assertThat(in.inferenceFlags()).containsExactly("prompt_injection_detected");
  }

  @Test
  void should_turn_sql_injection_finding_into_hard_deny() {
    // GIVEN stage 3 found SQL injection and the policy itself allowed
    RequestContext ctx = ctx(Findings.SQL_INJECTION_DETECTED);

    // WHEN
    assertProceeds(cut(cleanPolicy()).apply(ctx));

    // THEN
    PolicyResult p = ctx.policy();
    assertThat(p.allowed()).isFalse();
    assertThat(p.hardDeny()).isTrue();
    assertThat(p.ruleId()).isEqualTo("hard_deny.security.sql_injection");
    assertThat(p.reason()).isEqualTo("SQL injection pattern in the action");
    assertThat(p.riskAdjustment()).isEqualTo(0.30);
    assertThat(p.policyVersion()).isEqualTo("v1");
    assertThat(p.hits()).extracting(PolicyResult.RuleHit::id, PolicyResult.RuleHit::signal, PolicyResult.RuleHit::effect)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("hard_deny.security.sql_injection", "sql_injection_detected", "deny"));
  }

  @Test
  void should_turn_path_traversal_finding_into_hard_deny() {
    RequestContext ctx = ctx(Findings.PATH_TRAVERSAL_DETECTED);

    assertProceeds(cut(cleanPolicy()).apply(ctx));

    assertThat(ctx.policy().hardDeny()).isTrue();
    assertThat(ctx.policy().ruleId()).isEqualTo("hard_deny.security.path_traversal");
  }

  @Test
  void should_keep_first_rule_and_add_all_hits_when_both_security_findings() {
    RequestContext ctx = ctx(Findings.PATH_TRAVERSAL_DETECTED, Findings.SQL_INJECTION_DETECTED);

    cut(cleanPolicy()).apply(ctx);

    assertThat(ctx.policy().ruleId()).isEqualTo("hard_deny.security.sql_injection");
    assertThat(ctx.policy().hits()).extracting(PolicyResult.RuleHit::id)
        .containsExactly("hard_deny.security.sql_injection", "hard_deny.security.path_traversal");
  }

  @Test
  void should_keep_engine_rule_when_engine_already_hard_denied() {
    // GIVEN the engine hard-denied with a higher adjustment
    PolicyResult engine = new PolicyResult(false, true, false, "hard_deny.shell.rm_root", "rm -rf /", 0.85,
        List.of(new PolicyResult.RuleHit("hard_deny.shell.rm_root", "destructive_shell_command", "critical", "deny", "x")),
        "v7");
    RequestContext ctx = ctx(Findings.SQL_INJECTION_DETECTED);

    // WHEN
    cut(engine).apply(ctx);

    // THEN
    assertThat(ctx.policy().ruleId()).isEqualTo("hard_deny.shell.rm_root");
    assertThat(ctx.policy().reason()).isEqualTo("rm -rf /");
    assertThat(ctx.policy().riskAdjustment()).isEqualTo(0.85);
    assertThat(ctx.policy().hits()).hasSize(2);
  }

  @Test
  void should_record_engine_hard_deny_as_is() {
    PolicyResult deny = hardDenyPolicy("hard_deny.sql.drop_table", "destructive_sql_ddl");
    RequestContext ctx = ctx();

    assertProceeds(cut(deny).apply(ctx));

    assertThat(ctx.policy()).isSameAs(deny);
  }

  @Test
  void should_fail_future_when_engine_fails() {
    PolicyStage cut = new PolicyStage(in -> Future.failedFuture(new IllegalStateException("opa down")));

    assertThat(cause(cut.apply(ctx()))).hasMessage("opa down");
  }

  @Test
  void should_record_platform_hard_deny_when_destructive_shell_command() {
    // GIVEN the platform rules behind the port, and an rm -rf / action
    HardDenyPolicy rules = new HardDenyPolicy(Set.of());
    PolicyStage cut = new PolicyStage(in -> Future.succeededFuture(rules.evaluate(in, "platform-1")));
    RequestContext ctx = authenticated(request().tool("shell.exec")
        .payload(new JsonObject().put("command", "rm -rf /")).build());
    ctx.agent(allowedAgent());

    // WHEN
    assertProceeds(cut.apply(ctx));

    // THEN
    assertThat(ctx.policy().allowed()).isFalse();
    assertThat(ctx.policy().hardDeny()).isTrue();
    assertThat(ctx.policy().ruleId()).startsWith("hard_deny.shell.");
    assertThat(ctx.policy().policyVersion()).isEqualTo("platform-1");
  }

  @Test
  void should_record_platform_clean_result_when_benign_query() {
    HardDenyPolicy rules = new HardDenyPolicy(Set.of());
    PolicyStage cut = new PolicyStage(in -> Future.succeededFuture(rules.evaluate(in, "platform-1")));
    RequestContext ctx = ctx();

    assertProceeds(cut.apply(ctx));

    assertThat(ctx.policy().allowed()).isTrue();
    assertThat(ctx.policy().hardDeny()).isFalse();
    assertThat(ctx.policy().hits()).isEmpty();
  }
}
