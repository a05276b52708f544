package dev.aegis.verticles.policy;

import dev.aegis.pipeline.policy.PolicyInputDocument;
import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.rego.CompiledPolicy;
import dev.aegis.pipeline.rego.QueryOptions;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.storage.pg.PgPolicyStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Replays audited gateway decisions against a candidate tenant policy (read-only).
 *
 * <p>Each row becomes the policy input document ({@link PolicyInputDocument}) from what the audit
 * log holds: tenant, agent id, the agent's current name and risk level, tool, request id, the
 * row's time and its findings and diagnostic flags. The audit log does not keep the action's
 * arguments, so {@code payload} is {@code {}} and {@code text} is empty: rules on the payload are
 * not exercised by a replay.
 *
 * <p>{@code before} is the recorded decision, as {@code allow} (allow, monitor), {@code escalate}
 * or {@code deny} (deny, kill, throttle, error). {@code after} is the candidate's decision on top
 * of the part of {@code before} the candidate does not replace: a denial or escalation made by the
 * tenant's previous policy (rule id starting with {@code tenant.} or {@code aegis.tenant}) is
 * replaced, anything else (platform hard denies, earlier stages) stays. The
 * stricter of the two wins (deny &gt; escalate &gt; allow).
 */
public final class PolicySimulation {

  public static final int MAX_EXAMPLES = 20;

  private PolicySimulation() {}

  /** {@code {total, would_allow, would_deny, would_escalate, changed, examples, errors}}. */
  public static JsonObject run(CompiledPolicy candidate, List<PgPolicyStore.Decision> rows) {
    int allow = 0;
    int deny = 0;
    int escalate = 0;
    int changed = 0;
    int errors = 0;
    JsonArray examples = new JsonArray();
    for (PgPolicyStore.Decision row : rows) {
      String before = normalise(row.decision());
      TenantDecision d;
      try {
        d = TenantDecision.evaluate(candidate, input(row), QueryOptions.DEFAULT);
      } catch (RuntimeException e) {
        // an evaluation error fails closed in the gateway
        errors++;
        d = new TenantDecision(TenantDecision.DENY, new JsonArray(), new JsonArray(), "eval_error",
            e.getMessage());
      }
      String after = stricter(kept(row, before), d.decision().toLowerCase(Locale.ROOT));
      switch (after) {
        case "deny" -> deny++;
        case "escalate" -> escalate++;
        default -> allow++;
      }
      if (!after.equals(before)) {
        changed++;
        if (examples.size() < MAX_EXAMPLES) {
          examples.add(new JsonObject().put("request_id", row.requestId()).put("tool", row.tool())
              .put("agent_id", row.agentId()).put("before", before).put("after", after)
              .put("rule_id", d.ruleId()).put("at", row.createdAt() == null ? null : row.createdAt().toString()));
        }
      }
    }
    return new JsonObject().put("total", rows.size()).put("would_allow", allow).put("would_deny", deny)
        .put("would_escalate", escalate).put("changed", changed).put("examples", examples)
        .put("errors", errors);
  }

  /** The input document of an audited decision. */
  static Value input(PgPolicyStore.Decision row) {
    List<String> flags = new ArrayList<>();
    JsonObject meta = row.metadata();
    for (String key : new String[] {"findings", "diagnostic_flags"}) {
      JsonArray a = meta.getValue(key) instanceof JsonArray j ? j : null;
      if (a != null) {
        a.forEach(x -> {
          if (x instanceof String s && !flags.contains(s)) {
            flags.add(s);
          }
        });
      }
    }
    PolicyInput in = new PolicyInput(row.tenantId(), row.agentId(), row.agentName(), row.riskLevel(),
        row.tool(), new JsonObject(), "", row.requestId(), flags);
    Instant at = row.createdAt() == null ? Instant.now() : row.createdAt().toInstant();
    return PolicyInputDocument.build(in, at);
  }

  static String normalise(String decision) {
    if (decision == null) {
      return "deny";
    }
    switch (decision.toLowerCase(Locale.ROOT)) {
      case "allow", "monitor":
        return "allow";
      case "escalate":
        return "escalate";
      default:
        return "deny";
    }
  }

  /** The part of the recorded decision that a new tenant policy does not replace. */
  static String kept(PgPolicyStore.Decision row, String before) {
    if (before.equals("allow")) {
      return "allow";
    }
    // only the tenant layer reports ids under tenant.* (RegoPolicyEngine.TENANT_PREFIX); the
    // stage that answered is the enforcement stage, whoever decided, so it is not a criterion
    String rule = row.metadata().getValue("rule_id") instanceof String r ? r : null;
    boolean tenantRule = rule != null
        && (rule.startsWith("aegis.tenant") || rule.startsWith("tenant."));
    return tenantRule ? "allow" : before;
  }

  static String stricter(String a, String b) {
    return rank(a) >= rank(b) ? a : b;
  }

  private static int rank(String d) {
    return switch (d) {
      case "deny" -> 2;
      case "escalate" -> 1;
      default -> 0;
    };
  }
}
