package dev.aegis.verticles.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.detect.ActionText;
import dev.aegis.pipeline.policy.DecisionCache;
import dev.aegis.pipeline.policy.PlatformBundle;
import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.ports.PolicyResult;
import dev.aegis.pipeline.ports.PolicyResult.RuleHit;
import dev.aegis.pipeline.ports.ShadowRecorder.ShadowDecision;
import dev.aegis.pipeline.ports.TenantPolicySource;
import dev.aegis.pipeline.ports.TenantPolicySource.TenantPolicy;
import dev.aegis.pipeline.rego.CompiledPolicy;
import dev.aegis.pipeline.rego.RegoCompiler;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Values;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stage 4 in-process ({@link RegoPolicyEngine}): the real platform bundle plus a tenant policy
 * from a fake source, merged so the tenant layer only adds; the decision cache keyed by revision;
 * fail-closed errors; the shadow policy beside the live one; the step budget.
 */
class RegoPolicyEngineTest {

  static final String TENANT = "tenant-1";
  static final String PLATFORM_REVISION = "platform-test";
  static CompiledPolicy platform;
  static Value platformData;

  FakeSource source;
  DecisionCache cache;
  List<ShadowDecision> shadows;
  RegoPolicyEngine engine;

  /** A mutable tenant policy source: one tenant, live and shadow set by the test. */
  static final class FakeSource implements TenantPolicySource {
    volatile TenantPolicy active;
    volatile TenantPolicy shadow;

    @Override
    public TenantPolicy active(String tenantId) {
      return TENANT.equals(tenantId) ? active : null;
    }

    @Override
    public TenantPolicy shadow(String tenantId) {
      return TENANT.equals(tenantId) ? shadow : null;
    }
  }

  @BeforeAll
  static void compilePlatform() {
    platform = RegoCompiler.compile(PlatformBundle.modules());
    platformData = Values.fromJava(new JsonObject().put("aegis", new JsonObject().put("config",
        new JsonObject().put("allowed_domains", new JsonArray().add("example.com")))));
  }

  @BeforeEach
  void setUp() {
    source = new FakeSource();
    cache = new DecisionCache(1000, Duration.ofMinutes(1));
    shadows = new CopyOnWriteArrayList<>();
    engine = engine(platform);
  }

  RegoPolicyEngine engine(CompiledPolicy p) {
    return new RegoPolicyEngine(p, PLATFORM_REVISION, platformData, source, cache, Duration.ofMinutes(1),
        shadows::add, Clock.systemUTC());
  }

  static TenantPolicy tenantPolicy(String revision, String source) {
    return new TenantPolicy(TENANT, UUID.randomUUID().toString(), 3, revision, Map.of("policy.rego", source),
        RegoCompiler.compile(Map.of("policy.rego", source)));
  }

  static PolicyInput action(String tool, JsonObject payload) {
    return new PolicyInput(TENANT, "agent-1", "Agent One", "low", tool, payload, ActionText.of(null, payload),
        "req-" + UUID.randomUUID(), List.of());
  }

  static PolicyInput query(String sql) {
    return action("db.query", new JsonObject().put("query", sql));
  }

  static PolicyInput rmRoot() {
    return action("shell.exec", new JsonObject().put("command", "rm -rf /"));
  }

  /** The engine answers synchronously: the future is complete when evaluate returns. */
  static PolicyResult ok(Future<PolicyResult> f) {
    assertThat(f.isComplete()).as("evaluated synchronously").isTrue();
    assertThat(f.succeeded()).as("evaluation failed: %s", f.cause()).isTrue();
    return f.result();
  }

  static Throwable failed(Future<PolicyResult> f) {
    assertThat(f.isComplete()).as("evaluated synchronously").isTrue();
    assertThat(f.failed()).as("expected a failure, got %s", f.succeeded() ? f.result() : null).isTrue();
    return f.cause();
  }

  static final String DENY_PAYROLL = """
      package aegis.tenant

      deny contains {"id": "no_payroll", "reason": "payroll is off limits", "severity": "critical"} if {
        input.tool == "db.query"
        contains(input.payload.query, "payroll")
      }
      """;

  static final String DENY_EVERYTHING = """
      package aegis.tenant

      deny contains {"id": "everything", "reason": "nothing goes", "severity": "medium"} if true
      """;

  // ---------------------------------------------------------------- merging

  /** Verifies a clean action with no tenant policy and with a non-matching one is allowed and clean. */
  @Test
  void should_allow_a_clean_action() {
    PolicyResult none = ok(engine.evaluate(query("SELECT 1")));
    assertThat(none.allowed()).isTrue();
    assertThat(none.hardDeny()).isFalse();
    assertThat(none.escalate()).isFalse();
    assertThat(none.ruleId()).isNull();
    assertThat(none.hits()).isEmpty();
    assertThat(none.policyVersion()).isEqualTo(PLATFORM_REVISION);

    source.active = tenantPolicy("7", DENY_PAYROLL);
    PolicyResult r = ok(engine.evaluate(query("SELECT name FROM customers")));
    assertThat(r.allowed()).isTrue();
    assertThat(r.hardDeny()).isFalse();
    assertThat(r.ruleId()).isNull();
    assertThat(r.hits()).isEmpty();
    assertThat(r.policyVersion()).isEqualTo(PLATFORM_REVISION + "+t7");
  }

  /** Verifies a platform hard deny keeps its own rule id, with or without a tenant deny beside it. */
  @Test
  void should_keep_the_platform_hard_deny_and_its_rule_id() {
    PolicyResult alone = ok(engine.evaluate(rmRoot()));
    assertThat(alone.allowed()).isFalse();
    assertThat(alone.hardDeny()).isTrue();
    assertThat(alone.ruleId()).isEqualTo("hard_deny.shell.rm_root");

    source.active = tenantPolicy("1", DENY_EVERYTHING);
    PolicyResult both = ok(engine.evaluate(rmRoot()));
    assertThat(both.allowed()).isFalse();
    assertThat(both.hardDeny()).isTrue();
    assertThat(both.ruleId()).isEqualTo("hard_deny.shell.rm_root");
    assertThat(both.reason()).isEqualTo(alone.reason());
    assertThat(both.hits()).extracting(RuleHit::id).contains("hard_deny.shell.rm_root", "tenant.everything");
  }

  /** Verifies a tenant deny on a platform-clean action: hard deny, tenant.-prefixed id, hit with severity. */
  @Test
  void should_deny_hard_on_a_tenant_deny() {
    source.active = tenantPolicy("2", DENY_PAYROLL);
    PolicyResult r = ok(engine.evaluate(query("SELECT * FROM payroll")));
    assertThat(r.allowed()).isFalse();
    assertThat(r.hardDeny()).isTrue();
    assertThat(r.escalate()).isFalse();
    assertThat(r.ruleId()).isEqualTo("tenant.no_payroll");
    assertThat(r.reason()).isEqualTo("payroll is off limits");
    assertThat(r.policyVersion()).isEqualTo(PLATFORM_REVISION + "+t2");
    assertThat(r.hits()).containsExactly(new RuleHit("tenant.no_payroll", "tenant_policy", "critical", "deny",
        "payroll is off limits"));
  }

  /** Verifies a string entry: id and reason are the string, severity high; an id already prefixed is kept. */
  @Test
  void should_accept_string_entries() {
    source.active = tenantPolicy("3", """
        package aegis.tenant

        deny contains "no_db" if input.tool == "db.query"
        deny contains "tenant.prefixed" if input.tool == "db.query"
        """);
    PolicyResult r = ok(engine.evaluate(query("SELECT 1")));
    assertThat(r.allowed()).isFalse();
    assertThat(r.hardDeny()).isTrue();
    assertThat(r.ruleId()).startsWith("tenant.").isIn("tenant.no_db", "tenant.prefixed");
    assertThat(r.hits()).extracting(RuleHit::id).containsExactlyInAnyOrder("tenant.no_db", "tenant.prefixed");
    assertThat(r.hits()).extracting(RuleHit::severity).containsOnly("high");
    assertThat(r.hits()).extracting(RuleHit::effect).containsOnly("deny");
    assertThat(r.hits()).extracting(RuleHit::id).doesNotContain("tenant.tenant.prefixed");
  }

  /** Verifies a tenant escalate on a platform-clean action sets the flag and reports the tenant rule. */
  @Test
  void should_escalate_on_a_tenant_escalate() {
    source.active = tenantPolicy("4", """
        package aegis.tenant

        escalate contains {"id": "big_export", "reason": "exports need review", "severity": "medium"} if {
          input.tool == "db.query"
          contains(input.payload.query, "export")
        }
        """);
    PolicyResult r = ok(engine.evaluate(query("SELECT export FROM t")));
    assertThat(r.allowed()).isTrue();
    assertThat(r.hardDeny()).isFalse();
    assertThat(r.escalate()).isTrue();
    assertThat(r.ruleId()).isEqualTo("tenant.big_export");
    assertThat(r.reason()).isEqualTo("exports need review");
    assertThat(r.hits()).containsExactly(new RuleHit("tenant.big_export", "tenant_policy", "medium", "escalate",
        "exports need review"));
    // and a tenant escalate beside a platform hard deny changes nothing about the deny
    source.active = tenantPolicy("5", """
        package aegis.tenant

        escalate contains "review_shell" if input.tool == "shell.exec"
        """);
    PolicyResult hard = ok(engine.evaluate(rmRoot()));
    assertThat(hard.allowed()).isFalse();
    assertThat(hard.hardDeny()).isTrue();
    assertThat(hard.ruleId()).isEqualTo("hard_deny.shell.rm_root");
  }

  /** Verifies a tenant policy cannot lift a platform deny by defining allow or an empty deny. */
  @Test
  void should_not_let_a_tenant_remove_a_platform_deny() {
    for (String src : List.of("""
        package aegis.tenant

        allow := true
        """, """
        package aegis.tenant

        deny := set()
        escalate := set()
        """, """
        package aegis.tenant

        deny := []
        decision := {"allow": true}
        """)) {
      source.active = tenantPolicy(UUID.randomUUID().toString(), src);
      PolicyResult r = ok(engine.evaluate(rmRoot()));
      assertThat(r.allowed()).as(src).isFalse();
      assertThat(r.hardDeny()).as(src).isTrue();
      assertThat(r.ruleId()).as(src).isEqualTo("hard_deny.shell.rm_root");
    }
  }

  // ---------------------------------------------------------------- cache

  /** Verifies the same action is evaluated once, and again after a new tenant revision. */
  @Test
  void should_cache_by_action_and_tenant_revision() {
    source.active = tenantPolicy("10", DENY_PAYROLL);
    PolicyInput in = query("SELECT * FROM payroll");
    PolicyResult first = ok(engine.evaluate(in));
    assertThat(cache.hits()).isZero();
    assertThat(cache.misses()).isEqualTo(1);
    // another request id, same action: served from the cache
    PolicyInput again = new PolicyInput(in.tenantId(), in.agentId(), in.agentName(), in.agentRiskLevel(),
        in.tool(), in.payload(), in.scanText(), "req-other", in.inferenceFlags());
    PolicyResult second = ok(engine.evaluate(again));
    assertThat(cache.hits()).isEqualTo(1);
    assertThat(cache.misses()).isEqualTo(1);
    assertThat(second).isEqualTo(first);

    // a new revision (a lenient policy) is evaluated afresh: the old deny is not served
    source.active = tenantPolicy("11", """
        package aegis.tenant

        deny contains "other" if input.tool == "nothing"
        """);
    PolicyResult third = ok(engine.evaluate(in));
    assertThat(cache.hits()).isEqualTo(1);
    assertThat(cache.misses()).isEqualTo(2);
    assertThat(third.allowed()).isTrue();
    assertThat(third.policyVersion()).isEqualTo(PLATFORM_REVISION + "+t11");
    assertThat(cache.bypasses()).isZero();
  }

  /** Verifies a tenant policy that reads the clock is evaluated every time and never cached. */
  @Test
  void should_never_cache_a_clock_reading_policy() {
    source.active = tenantPolicy("20", """
        package aegis.tenant

        deny contains "after_hours" if {
          input.tool == "db.query"
          time.now_ns() > 0
        }
        """);
    PolicyInput in = query("SELECT 1");
    for (int i = 0; i < 3; i++) {
      PolicyResult r = ok(engine.evaluate(in));
      assertThat(r.ruleId()).isEqualTo("tenant.after_hours");
    }
    assertThat(cache.bypasses()).isEqualTo(3);
    assertThat(cache.hits()).isZero();
    assertThat(cache.size()).isZero();
  }

  // ---------------------------------------------------------------- failing closed

  /** Verifies a runtime error in the tenant policy fails the future (and is not cached). */
  @Test
  void should_fail_closed_on_a_tenant_runtime_error() {
    source.active = tenantPolicy("30", """
        package aegis.tenant

        x := 1 if input.tool == "db.query"
        x := 2 if input.tool == "db.query"

        deny contains "conflict" if x == 1
        """);
    Throwable e = failed(engine.evaluate(query("SELECT 1")));
    assertThat(e.getMessage()).isNotBlank();
    assertThat(cache.size()).isZero();
    // the platform-only path of another tenant is unaffected
    PolicyInput other = new PolicyInput("tenant-2", "agent-9", "A", "low", "db.query",
        new JsonObject().put("query", "SELECT 1"), "{\"query\":\"SELECT 1\"}", "req-x", List.of());
    assertThat(ok(engine.evaluate(other)).allowed()).isTrue();
  }

  /** Verifies an undefined or malformed platform decision fails the future. */
  @Test
  void should_fail_closed_on_an_undefined_or_malformed_platform_decision() {
    RegoPolicyEngine undefined = engine(RegoCompiler.compile(Map.of("p.rego", """
        package aegis.platform

        decision := {"allow": true} if input.tool == "never.called"
        """)));
    assertThat(failed(undefined.evaluate(query("SELECT 1"))).getMessage()).contains("undefined");

    RegoPolicyEngine malformed = engine(RegoCompiler.compile(Map.of("p.rego", """
        package aegis.platform

        decision := "yes"
        """)));
    assertThat(failed(malformed.evaluate(query("SELECT 1")))).isNotNull();

    RegoPolicyEngine noAllow = engine(RegoCompiler.compile(Map.of("p.rego", """
        package aegis.platform

        decision := {"deny": []}
        """)));
    assertThat(failed(noAllow.evaluate(query("SELECT 1")))).isNotNull();
    assertThat(cache.size()).isZero();
  }

  /** Verifies a runaway tenant policy hits the step budget and fails quickly instead of hanging. */
  @Test
  void should_stop_a_runaway_policy_at_the_step_budget() {
    source.active = tenantPolicy("40", """
        package aegis.tenant

        deny contains "huge" if {
          pairs := [[x, y] | some x in numbers.range(1, 100000); some y in numbers.range(1, 100000)]
          count(pairs) > 0
        }
        """);
    long t0 = System.nanoTime();
    Throwable e = failed(engine.evaluate(query("SELECT 1")));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(ms).as("ended by the budget, not by finishing").isLessThan(5_000);
    assertThat(e.getMessage()).contains("budget");
  }

  // ---------------------------------------------------------------- shadow

  static final String SHADOW_DENY_PAYROLL = """
      package aegis.tenant

      deny contains {"id": "shadow_payroll", "reason": "payroll in shadow"} if contains(input.payload.query, "payroll")
      """;

  /** Verifies a shadow that denies what live allows is recorded once, as would-have-blocked. */
  @Test
  void should_record_a_shadow_that_would_have_blocked() {
    source.shadow = tenantPolicy("50", SHADOW_DENY_PAYROLL);
    PolicyInput in = query("SELECT * FROM payroll");
    PolicyResult r = ok(engine.evaluate(in));
    assertThat(r.allowed()).as("the shadow is never enforced").isTrue();
    assertThat(r.ruleId()).isNull();
    assertThat(shadows).hasSize(1);
    ShadowDecision d = shadows.get(0);
    assertThat(d.wouldHaveBlocked()).isTrue();
    assertThat(d.liveDecision()).isEqualTo("ALLOW");
    assertThat(d.shadowDecision()).isEqualTo("DENY");
    assertThat(d.ruleId()).isEqualTo("tenant.shadow_payroll");
    assertThat(d.reason()).isEqualTo("payroll in shadow");
    assertThat(d.tenantId()).isEqualTo(TENANT);
    assertThat(d.requestId()).isEqualTo(in.requestId());
    assertThat(d.tool()).isEqualTo("db.query");
    assertThat(d.shadowVersionId()).isEqualTo(source.shadow.versionId());
    assertThat(d.shadowVersion()).isEqualTo(3);
  }

  /** Verifies a shadow deciding like live records nothing (both allow, and both deny). */
  @Test
  void should_record_nothing_when_shadow_equals_live() {
    source.active = tenantPolicy("60", DENY_PAYROLL);
    source.shadow = tenantPolicy("60", SHADOW_DENY_PAYROLL);
    assertThat(ok(engine.evaluate(query("SELECT * FROM payroll"))).allowed()).isFalse();
    assertThat(ok(engine.evaluate(query("SELECT 1"))).allowed()).isTrue();
    assertThat(shadows).isEmpty();
  }

  /** Verifies a shadow policy that fails at runtime leaves the request's result untouched. */
  @Test
  void should_ignore_a_failing_shadow() {
    source.active = tenantPolicy("70", DENY_PAYROLL);
    source.shadow = tenantPolicy("70", """
        package aegis.tenant

        x := 1 if input.tool == "db.query"
        x := 2 if input.tool == "db.query"

        deny contains "conflict" if x == 1
        """);
    PolicyResult denied = ok(engine.evaluate(query("SELECT * FROM payroll")));
    assertThat(denied.ruleId()).isEqualTo("tenant.no_payroll");
    PolicyResult allowed = ok(engine.evaluate(query("SELECT 1")));
    assertThat(allowed.allowed()).isTrue();
    assertThat(shadows).isEmpty();
  }
}
