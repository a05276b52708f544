package dev.aegis.pipeline.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.ports.PolicyResult;
import dev.aegis.pipeline.ports.PolicyResult.RuleHit;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Values;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyOutputTest {

  static PolicyResult read(String json) {
    return PolicyOutput.fromValue(Values.parseJson(json), "rev-7");
  }

  @Test
  void should_read_a_clean_allow() {
    PolicyResult r = read("{\"allow\": true, \"deny\": [], \"risk_adjustment\": 0}");
    assertThat(r.allowed()).isTrue();
    assertThat(r.hardDeny()).isFalse();
    assertThat(r.escalate()).isFalse();
    assertThat(r.ruleId()).isNull();
    assertThat(r.hits()).isEmpty();
    assertThat(r.policyVersion()).isEqualTo("rev-7");
  }

  @Test
  void should_read_a_deny_with_its_rule_and_hits() {
    PolicyResult r = read("{\"allow\": false, \"deny\": [{\"id\": \"tenant.no_prod_writes\", \"severity\": \"high\","
        + " \"reason\": \"writes to prod\"}], \"rule_id\": \"tenant.no_prod_writes\", \"reason\": \"writes to prod\","
        + " \"risk_adjustment\": 0.2}");
    assertThat(r.allowed()).isFalse();
    assertThat(r.hardDeny()).isFalse();
    assertThat(r.ruleId()).isEqualTo("tenant.no_prod_writes");
    assertThat(r.reason()).isEqualTo("writes to prod");
    assertThat(r.riskAdjustment()).isEqualTo(0.2);
    assertThat(r.hits()).containsExactly(new RuleHit("tenant.no_prod_writes", "tenant.no_prod_writes", "high",
        "deny", "writes to prod"));
  }

  @Test
  void should_mark_hard_denies_and_report_the_hard_rule_first() {
    PolicyResult r = read("{\"allow\": false, \"deny\": [{\"id\": \"tenant.a\", \"severity\": \"low\"},"
        + " {\"id\": \"hard_deny.shell.rm_root\", \"severity\": \"critical\", \"signal\": \"destructive_shell_command\","
        + " \"reason\": \"rm -rf /\"}]}");
    assertThat(r.hardDeny()).isTrue();
    assertThat(r.ruleId()).isEqualTo("hard_deny.shell.rm_root");
    assertThat(r.reason()).isEqualTo("rm -rf /");
    assertThat(r.hits()).extracting(RuleHit::signal).containsExactly("tenant.a", "destructive_shell_command");
    assertThat(r.hits()).extracting(RuleHit::effect).containsOnly("deny");
  }

  @Test
  void should_take_escalate_hits_from_escalations_when_escalate_is_a_flag() {
    PolicyResult r = read("{\"allow\": true, \"escalate\": true, \"escalations\": [{\"id\":"
        + " \"escalate.k8s.delete\", \"severity\": \"high\", \"signal\": \"k8s_delete\"}]}");
    assertThat(r.escalate()).isTrue();
    assertThat(r.ruleId()).isEqualTo("escalate.k8s.delete");
    assertThat(r.hits()).extracting(PolicyResult.RuleHit::effect).containsExactly("escalate");
    assertThat(r.hits()).extracting(PolicyResult.RuleHit::signal).containsExactly("k8s_delete");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> read("{\"allow\": true,"
        + " \"escalate\": false, \"escalations\": [{\"id\": 1}]}"))
        .isInstanceOf(PolicyOutput.MalformedOutput.class);
  }

  @Test
  void should_read_escalate_as_a_flag_or_as_entries() {
    PolicyResult flag = read("{\"allow\": true, \"escalate\": true, \"rule_id\": \"escalate.wire\"}");
    assertThat(flag.allowed()).isTrue();
    assertThat(flag.escalate()).isTrue();
    assertThat(flag.ruleId()).isEqualTo("escalate.wire");
    PolicyResult entries = read("{\"allow\": true, \"escalate\": [{\"id\": \"escalate.money.wire_transfer\","
        + " \"severity\": \"high\", \"reason\": \"wire over limit\"}]}");
    assertThat(entries.escalate()).isTrue();
    assertThat(entries.allowed()).isTrue();
    assertThat(entries.ruleId()).isEqualTo("escalate.money.wire_transfer");
    assertThat(entries.reason()).isEqualTo("wire over limit");
    assertThat(entries.hits()).containsExactly(new RuleHit("escalate.money.wire_transfer",
        "escalate.money.wire_transfer", "high", "escalate", "wire over limit"));
    assertThat(read("{\"allow\": true, \"escalate\": []}").escalate()).isFalse();
  }

  @Test
  void should_let_a_deny_entry_win_over_allow_true() {
    PolicyResult r = read("{\"allow\": true, \"deny\": [{\"id\": \"x\", \"severity\": \"medium\"}]}");
    assertThat(r.allowed()).isFalse();
    assertThat(r.ruleId()).isEqualTo("x");
  }

  @Test
  void should_name_a_rule_when_allow_is_false_without_denies() {
    PolicyResult r = read("{\"allow\": false}");
    assertThat(r.allowed()).isFalse();
    assertThat(r.ruleId()).isEqualTo(PolicyOutput.DEFAULT_DENY_RULE);
  }

  @Test
  void should_read_rego_sets_as_produced_by_partial_rules() {
    Value doc = Value.ObjV.builder().put("allow", Value.FALSE)
        .put("deny", Value.SetV.of(Value.ObjV.builder().put("id", Value.str("hard_deny.sql.drop"))
            .put("severity", Value.str("critical")).build()))
        .build();
    PolicyResult r = PolicyOutput.fromValue(doc, "v");
    assertThat(r.hardDeny()).isTrue();
    assertThat(r.ruleId()).isEqualTo("hard_deny.sql.drop");
  }

  @Test
  void should_read_opa_json_answers_like_rego_values() {
    JsonObject result = new JsonObject("{\"allow\": false, \"deny\": [{\"id\": \"hard_deny.paths.etc_shadow\","
        + " \"severity\": \"critical\"}], \"risk_adjustment\": 0.3, \"decision_extra\": 1}");
    PolicyResult r = PolicyOutput.fromJson(result, "opa:r1");
    assertThat(r.hardDeny()).isTrue();
    assertThat(r.riskAdjustment()).isEqualTo(0.3);
    assertThat(r.policyVersion()).isEqualTo("opa:r1");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "[]", "\"allow\"", "true", "{}", "{\"allow\": \"true\"}", "{\"allow\": 1}",
      "{\"allow\": true, \"deny\": \"x\"}", "{\"allow\": true, \"deny\": {\"id\": \"x\"}}",
      "{\"allow\": true, \"deny\": [\"x\"]}", "{\"allow\": true, \"deny\": [{\"severity\": \"high\"}]}",
      "{\"allow\": true, \"deny\": [{\"id\": 3, \"severity\": \"high\"}]}",
      "{\"allow\": true, \"deny\": [{\"id\": \"\", \"severity\": \"high\"}]}",
      "{\"allow\": true, \"deny\": [{\"id\": \"x\"}]}",
      "{\"allow\": true, \"deny\": [{\"id\": \"x\", \"severity\": \"apocalyptic\"}]}",
      "{\"allow\": true, \"escalate\": \"yes\"}", "{\"allow\": true, \"escalate\": [{\"id\": \"e\"}]}",
      "{\"allow\": true, \"rule_id\": 5}", "{\"allow\": true, \"reason\": []}",
      "{\"allow\": true, \"risk_adjustment\": \"0.5\"}"})
  void should_refuse_malformed_decisions(String json) {
    assertThatThrownBy(() -> read(json)).isInstanceOf(PolicyOutput.MalformedOutput.class);
  }

  @Test
  void should_refuse_an_undefined_decision() {
    assertThatThrownBy(() -> PolicyOutput.fromValue(null, "v")).isInstanceOf(PolicyOutput.MalformedOutput.class);
    assertThatThrownBy(() -> PolicyOutput.fromJson(null, "v")).isInstanceOf(PolicyOutput.MalformedOutput.class);
  }
}
