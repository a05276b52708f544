package dev.aegis.verticles.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.rego.CompiledPolicy;
import dev.aegis.pipeline.rego.QueryOptions;
import dev.aegis.pipeline.rego.RegoCompiler;
import dev.aegis.pipeline.rego.RegoError;
import dev.aegis.pipeline.rego.Values;
import dev.aegis.storage.pg.PgPolicyStore;
import dev.aegis.verticles.http.ApiError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tenant contract on the real Rego engine: deny / escalate entries (strings and objects) and
 * the decision they make, {@code test_} rules, the package rule and limits of uploads, the
 * canonical digest, and the replay of audited decisions.
 */
class TenantPolicyContractTest {

  static final String POLICY = """
      package aegis.tenant

      import data.aegis.tenant.lib

      deny contains {"id": "tenant.no_prod_db", "reason": "prod database", "severity": "high"} if {
        input.tool == "db.query"
        lib.is_prod(input.payload.db)
      }

      deny contains "tenant.no_critical_agents" if input.agent.risk_level == "critical"

      escalate contains {"id": "tenant.shell_review", "reason": "shell needs review", "severity": "medium"} if {
        input.tool == "shell.exec"
      }

      test_prod_denied if {
        count(deny) > 0 with input as {"tool": "db.query", "payload": {"db": "prod-main"}, "agent": {"risk_level": "low"}}
      }

      test_fails if {
        count(deny) > 0 with input as {"tool": "http.get", "payload": {}, "agent": {"risk_level": "low"}}
      }
      """;
  static final String LIB = """
      package aegis.tenant.lib

      is_prod(db) if db in {"prod-main", "prod-replica"}
      """;

  static CompiledPolicy compile() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("policy.rego", POLICY);
    m.put("lib.rego", LIB);
    return RegoCompiler.compile(m);
  }

  static TenantDecision decide(CompiledPolicy c, JsonObject input) {
    return TenantDecision.evaluate(c, Values.fromJava(input), QueryOptions.DEFAULT);
  }

  static JsonObject input(String tool, JsonObject payload, String risk) {
    return new JsonObject().put("tool", tool).put("payload", payload)
        .put("agent", new JsonObject().put("risk_level", risk));
  }

  /** Verifies an object deny decides DENY with its id and reason; the package helper is used. */
  @Test
  void should_deny_with_the_rule_id_of_an_object_entry() {
    TenantDecision d = decide(compile(), input("db.query", new JsonObject().put("db", "prod-main"), "low"));
    assertThat(d.decision()).isEqualTo("DENY");
    assertThat(d.ruleId()).isEqualTo("tenant.no_prod_db");
    assertThat(d.reason()).isEqualTo("prod database");
    assertThat(d.deny()).hasSize(1);
    assertThat(d.deny().getJsonObject(0).getString("severity")).isEqualTo("high");
    assertThat(d.escalate()).isEmpty();
  }

  /** Verifies a string deny entry is its own id, and deny wins over escalate. */
  @Test
  void should_deny_with_a_string_entry_over_an_escalation() {
    TenantDecision d = decide(compile(), input("shell.exec", new JsonObject(), "critical"));
    assertThat(d.decision()).isEqualTo("DENY");
    assertThat(d.ruleId()).isEqualTo("tenant.no_critical_agents");
    assertThat(d.escalate()).hasSize(1);
  }

  /** Verifies escalate alone gives ESCALATE and nothing gives ALLOW. */
  @Test
  void should_escalate_or_allow() {
    CompiledPolicy c = compile();
    TenantDecision e = decide(c, input("shell.exec", new JsonObject(), "low"));
    assertThat(e.decision()).isEqualTo("ESCALATE");
    assertThat(e.ruleId()).isEqualTo("tenant.shell_review");
    TenantDecision a = decide(c, input("db.query", new JsonObject().put("db", "staging"), "low"));
    assertThat(a.decision()).isEqualTo("ALLOW");
    assertThat(a.ruleId()).isNull();
    assertThat(a.deny()).isEmpty();
  }

  /** Verifies a policy without deny/escalate rules allows everything. */
  @Test
  void should_allow_when_the_policy_defines_no_contract_rules() {
    CompiledPolicy c = RegoCompiler.compile(Map.of("p.rego", "package aegis.tenant\n\nx := 1\n"));
    assertThat(decide(c, input("db.query", new JsonObject(), "low")).decision()).isEqualTo("ALLOW");
  }

  /** Verifies test_ rules run and report pass / fail by name. */
  @Test
  void should_run_test_rules() {
    JsonObject r = PolicyTestRunner.run(compile());
    assertThat(r.getInteger("total")).isEqualTo(2);
    assertThat(r.getInteger("passed")).isEqualTo(1);
    assertThat(r.getInteger("failed")).isEqualTo(1);
    Map<String, Boolean> byName = new LinkedHashMap<>();
    r.getJsonArray("results").forEach(o -> byName.put(((JsonObject) o).getString("name"),
        ((JsonObject) o).getBoolean("passed")));
    assertThat(byName).containsEntry("data.aegis.tenant.test_prod_denied", true)
        .containsEntry("data.aegis.tenant.test_fails", false);
  }

  /** Verifies syntax errors carry OPA's code and a location. */
  @Test
  void should_report_parse_errors_with_line_and_column() {
    assertThatThrownBy(() -> RegoCompiler.compile(Map.of("bad.rego", "package aegis.tenant\n\ndeny contains x if {\n")))
        .isInstanceOf(RegoError.class)
        .satisfies(e -> {
          RegoError re = (RegoError) e;
          assertThat(re.code()).isEqualTo("rego_parse_error");
          assertThat(re.line()).isGreaterThan(0);
          assertThat(re.file()).isEqualTo("bad.rego");
        });
  }

  /** Verifies the package rule: aegis.tenant and sub-packages only, located at the package name. */
  @Test
  void should_refuse_modules_outside_the_tenant_package() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("ok.rego", "package aegis.tenant\n");
    m.put("sub.rego", "# helper\npackage aegis.tenant.helpers\n");
    m.put("evil.rego", "# comment\n\npackage aegis.platform\n");
    m.put("prefix.rego", "package aegis.tenantx\n");
    JsonArray errors = PolicyModules.packageErrors(m);
    assertThat(errors).hasSize(2);
    JsonObject evil = errors.getJsonObject(0);
    assertThat(evil.getString("file")).isEqualTo("evil.rego");
    assertThat(evil.getString("code")).isEqualTo("package_not_allowed");
    assertThat(evil.getInteger("line")).isEqualTo(3);
    assertThat(evil.getInteger("column")).isEqualTo(9);
    assertThat(errors.getJsonObject(1).getString("file")).isEqualTo("prefix.rego");
    assertThat(PolicyModules.allowedPackage("data.aegis.tenant.x")).isTrue();
    assertThat(PolicyModules.allowedPackage("aegis")).isFalse();
  }

  /** Verifies body parsing: source as policy.rego, bad names, limits with stable keys. */
  @Test
  void should_parse_bodies_and_enforce_limits() {
    assertThat(PolicyModules.fromBody(new JsonObject().put("source", "package aegis.tenant"), true))
        .containsOnlyKeys("policy.rego");
    assertThat(PolicyModules.fromBody(new JsonObject(), false)).isNull();
    assertThatThrownBy(() -> PolicyModules.fromBody(new JsonObject(), true))
        .isInstanceOf(ApiError.class).extracting(e -> ((ApiError) e).key()).isEqualTo("validation_error");
    assertThatThrownBy(() -> PolicyModules.fromBody(new JsonObject().put("modules",
        new JsonObject().put("../x.rego", "package aegis.tenant")), true))
        .isInstanceOf(ApiError.class).extracting(e -> ((ApiError) e).key()).isEqualTo("validation_error");
    JsonObject many = new JsonObject();
    for (int i = 0; i <= PolicyModules.MAX_MODULES; i++) {
      many.put("m" + i + ".rego", "package aegis.tenant");
    }
    assertThatThrownBy(() -> PolicyModules.fromBody(new JsonObject().put("modules", many), true))
        .isInstanceOf(ApiError.class).extracting(e -> ((ApiError) e).key()).isEqualTo("too_many_modules");
    String big = "package aegis.tenant\n" + "#".repeat(PolicyModules.MAX_MODULE_CHARS);
    assertThatThrownBy(() -> PolicyModules.fromBody(new JsonObject().put("source", big), true))
        .isInstanceOf(ApiError.class).satisfies(e -> {
          assertThat(((ApiError) e).status()).isEqualTo(413);
          assertThat(((ApiError) e).key()).isEqualTo("policy_too_large");
        });
  }

  /** Verifies the digest ignores module order and changes with the content. */
  @Test
  void should_digest_modules_canonically() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("a.rego", "package aegis.tenant");
    a.put("b.rego", "package aegis.tenant.b");
    Map<String, String> b = new LinkedHashMap<>();
    b.put("b.rego", "package aegis.tenant.b");
    b.put("a.rego", "package aegis.tenant");
    assertThat(PolicyModules.sha256(a)).isEqualTo(PolicyModules.sha256(b)).hasSize(64);
    b.put("a.rego", "package aegis.tenant ");
    assertThat(PolicyModules.sha256(a)).isNotEqualTo(PolicyModules.sha256(b));
  }

  static PgPolicyStore.Decision row(String requestId, String tool, String risk, String decision, JsonObject meta) {
    return new PgPolicyStore.Decision("00000000-0000-0000-0000-0000000000aa", requestId, "agent-1", "agent one", risk,
        tool, decision, null, meta, OffsetDateTime.parse("2026-11-27T10:00:00Z"));
  }

  /** Verifies replay counts, changed decisions with examples, and that platform denials stay. */
  @Test
  void should_simulate_a_candidate_against_audited_decisions() {
    List<PgPolicyStore.Decision> rows = List.of(
        row("r1", "shell.exec", "low", "allow", new JsonObject()),                       // -> escalate
        row("r2", "http.get", "critical", "allow", new JsonObject()),                    // -> deny
        row("r3", "http.get", "low", "allow", new JsonObject()),                         // unchanged
        row("r4", "shell.exec", "low", "deny",                                           // platform: stays deny
            new JsonObject().put("stage", 4).put("rule_id", "hard_deny.shell.rm_root")),
        row("r5", "http.get", "low", "deny",                                             // old tenant rule: lifted
            new JsonObject().put("stage", 4).put("rule_id", "tenant.old_rule")),
        row("r6", "http.get", "low", "monitor", new JsonObject()));                      // unchanged (allow)
    JsonObject r = PolicySimulation.run(compile(), rows);
    assertThat(r.getInteger("total")).isEqualTo(6);
    assertThat(r.getInteger("would_deny")).isEqualTo(2);
    assertThat(r.getInteger("would_escalate")).isEqualTo(1);
    assertThat(r.getInteger("would_allow")).isEqualTo(3);
    assertThat(r.getInteger("changed")).isEqualTo(3);
    Map<String, String> after = new LinkedHashMap<>();
    r.getJsonArray("examples").forEach(o -> after.put(((JsonObject) o).getString("request_id"),
        ((JsonObject) o).getString("before") + ">" + ((JsonObject) o).getString("after")));
    assertThat(after).containsExactly(Map.entry("r1", "allow>escalate"), Map.entry("r2", "allow>deny"),
        Map.entry("r5", "deny>allow"));
    assertThat(r.getJsonArray("examples").getJsonObject(1).getString("rule_id")).isEqualTo("tenant.no_critical_agents");
  }
}
