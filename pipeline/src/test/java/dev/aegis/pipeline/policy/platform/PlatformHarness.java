package dev.aegis.pipeline.policy.platform;

import dev.aegis.pipeline.detect.ActionText;
import dev.aegis.pipeline.policy.PlatformBundle;
import dev.aegis.pipeline.policy.PolicyInputDocument;
import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.rego.CompiledPolicy;
import dev.aegis.pipeline.rego.QueryOptions;
import dev.aegis.pipeline.rego.RegoCompiler;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Values;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Compiles the platform bundle once and evaluates its decision for test inputs. */
final class PlatformHarness {
  static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  private final CompiledPolicy compiled = RegoCompiler.compile(PlatformBundle.modules());

  CompiledPolicy compiled() {
    return compiled;
  }

  /** An action whose scan text is computed from the payload, as the gateway does. */
  static PolicyInput action(String tool, String risk, JsonObject payload) {
    return action(tool, risk, payload, List.of());
  }

  static PolicyInput action(String tool, String risk, JsonObject payload, List<String> flags) {
    return new PolicyInput("t1", "a1", "agent", risk, tool, payload,
        ActionText.of(null, payload), "r1", flags);
  }

  /** The data document: {@code aegis.config.allowed_domains}, or nothing when null. */
  static Value data(Collection<String> allowedDomains) {
    if (allowedDomains == null) {
      return Value.EMPTY_OBJECT;
    }
    return Values.fromJava(Map.of("aegis",
        Map.of("config", Map.of("allowed_domains", List.copyOf(allowedDomains)))));
  }

  Decision eval(PolicyInput in, Collection<String> allowedDomains) {
    return eval(PolicyInputDocument.build(in, NOW), allowedDomains);
  }

  Decision eval(Value input, Collection<String> allowedDomains) {
    return Decision.of(decisionValue(input, allowedDomains));
  }

  /** The raw decision document. */
  Value decisionValue(Value input, Collection<String> allowedDomains) {
    Value v = compiled.evalRef(PlatformBundle.DECISION, input, data(allowedDomains),
        QueryOptions.DEFAULT);
    if (v == null) {
      throw new AssertionError("data.aegis.platform.decision is undefined");
    }
    return v;
  }

  /** data.aegis.platform.decision as Java values. */
  record Decision(boolean allow, List<Hit> deny, boolean escalate, List<Hit> escalations,
      boolean hardDeny, String ruleId, String reason, double riskAdjustment, Map<String, Object> raw) {

    @SuppressWarnings("unchecked")
    static Decision of(Value v) {
      Map<String, Object> m = (Map<String, Object>) Values.toJava(v);
      return new Decision((Boolean) m.get("allow"), hits(m.get("deny")),
          (Boolean) m.get("escalate"), hits(m.get("escalations")), (Boolean) m.get("hard_deny"),
          (String) m.get("rule_id"), (String) m.get("reason"),
          ((Number) m.get("risk_adjustment")).doubleValue(), m);
    }

    private static List<Hit> hits(Object list) {
      List<Hit> out = new ArrayList<>();
      for (Object o : (List<?>) list) {
        Map<?, ?> h = (Map<?, ?>) o;
        out.add(new Hit((String) h.get("id"), (String) h.get("severity"),
            (String) h.get("signal"), (String) h.get("reason")));
      }
      return out;
    }

    /** Every hit id, deny hits then escalations. */
    Set<String> ruleIds() {
      Set<String> ids = new LinkedHashSet<>();
      deny.forEach(h -> ids.add(h.id()));
      escalations.forEach(h -> ids.add(h.id()));
      return ids;
    }

    List<String> denyIds() {
      return deny.stream().map(Hit::id).toList();
    }

    List<String> escalationIds() {
      return escalations.stream().map(Hit::id).toList();
    }
  }

  record Hit(String id, String severity, String signal, String reason) {}
}
