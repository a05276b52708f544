package dev.aegis.pipeline.policy;

import dev.aegis.pipeline.ports.PolicyResult;
import dev.aegis.pipeline.ports.PolicyResult.RuleHit;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Value.BoolV;
import dev.aegis.pipeline.rego.Value.NullV;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.ObjV;
import dev.aegis.pipeline.rego.Value.SetV;
import dev.aegis.pipeline.rego.Value.StrV;
import dev.aegis.pipeline.rego.Values;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a policy decision document, as the platform bundle's {@code data.aegis.platform.decision}
 * (local engine) or an OPA server's Data API {@code result} (remote mode) returns it, into a
 * {@link PolicyResult}:
 *
 * <pre>
 * allow            boolean   required
 * deny             array|set of {id, severity, reason?, signal?}; default []
 * escalate         boolean, or array|set of {id, severity, reason?, signal?}; default false
 * escalations      array|set of escalate entries, read when escalate is a boolean; default []
 * rule_id          string|null   the rule to report; default: the first hard deny, else the
 *                                first deny, else the first escalate
 * reason           string|null
 * risk_adjustment  number        default 0
 * </pre>
 *
 * <p>Strict, because a misread decision must never allow: a document that is not an object, lacks
 * {@code allow}, or has a field of the wrong type, a deny entry without a string {@code id}, or
 * a severity outside {critical, high, medium, low, info} throws {@link MalformedOutput}; the
 * caller fails the evaluation, and stage 4 fails closed (503 {@code policy_unavailable}).
 * Unknown fields are ignored. {@code allow: true} beside a non-empty {@code deny} is a deny
 * (the deny list wins). A deny id starting {@code hard_deny.} makes the result a hard deny.
 * Each deny becomes a hit with effect {@code deny}, each escalate entry a hit with effect
 * {@code escalate}; a hit's signal is the entry's {@code signal}, else its id.
 */
public final class PolicyOutput {

  /** The id prefix of a platform hard deny (not overridable, forces DENY). */
  public static final String HARD_DENY_PREFIX = "hard_deny.";
  /** The rule id reported when {@code allow} is false and nothing else says why. */
  public static final String DEFAULT_DENY_RULE = "policy.not_allowed";
  static final Set<String> SEVERITIES = Set.of("critical", "high", "medium", "low", "info");

  /** A decision document that cannot be read safely. */
  public static final class MalformedOutput extends IllegalArgumentException {
    public MalformedOutput(String message) {
      super(message);
    }
  }

  private PolicyOutput() {
  }

  /** Reads an OPA Data API {@code result} (a Vert.x JSON object). */
  public static PolicyResult fromJson(JsonObject output, String policyVersion) {
    if (output == null) {
      throw new MalformedOutput("the decision is undefined");
    }
    return fromValue(Values.fromJava(output), policyVersion);
  }

  /** Reads a decision document; throws {@link MalformedOutput} when it is not one. */
  public static PolicyResult fromValue(Value output, String policyVersion) {
    if (output == null) {
      throw new MalformedOutput("the decision is undefined");
    }
    if (!(output instanceof ObjV doc)) {
      throw new MalformedOutput("the decision must be an object, got " + output.typeName());
    }
    Value allowV = doc.get("allow");
    if (!(allowV instanceof BoolV allow)) {
      throw new MalformedOutput(allowV == null ? "the decision has no 'allow'"
          : "'allow' must be a boolean, got " + allowV.typeName());
    }
    List<RuleHit> denies = entries(doc.get("deny"), "deny");
    List<RuleHit> escalates;
    boolean escalate;
    Value escV = doc.get("escalate");
    if (escV == null || escV instanceof NullV) {
      escalates = List.of();
      escalate = false;
    } else if (escV instanceof BoolV b) {
      // the platform bundle's shape: a flag, with its hits in 'escalations'
      escalates = entries(doc.get("escalations"), "escalate");
      escalate = b.value() || !escalates.isEmpty();
    } else {
      escalates = entries(escV, "escalate");
      escalate = !escalates.isEmpty();
    }
    String ruleId = optionalString(doc, "rule_id");
    String reason = optionalString(doc, "reason");
    double risk = 0.0;
    Value riskV = doc.get("risk_adjustment");
    if (riskV != null && !(riskV instanceof NullV)) {
      if (!(riskV instanceof NumV n)) {
        throw new MalformedOutput("'risk_adjustment' must be a number, got " + riskV.typeName());
      }
      risk = n.doubleValue();
      if (!Double.isFinite(risk)) {
        throw new MalformedOutput("'risk_adjustment' is out of range");
      }
    }
    boolean hardDeny = denies.stream().anyMatch(h -> h.id().startsWith(HARD_DENY_PREFIX));
    boolean allowed = allow.value() && denies.isEmpty();
    if (ruleId == null) {
      ruleId = firstId(denies, escalates, hardDeny);
      if (ruleId == null && !allowed) {
        ruleId = DEFAULT_DENY_RULE;
      }
    }
    if (reason == null) {
      reason = reasonOf(ruleId, denies, escalates);
    }
    List<RuleHit> hits = new ArrayList<>(denies.size() + escalates.size());
    hits.addAll(denies);
    hits.addAll(escalates);
    return new PolicyResult(allowed, hardDeny, escalate, ruleId, reason, risk, List.copyOf(hits),
        policyVersion);
  }

  private static String firstId(List<RuleHit> denies, List<RuleHit> escalates, boolean hardDeny) {
    if (hardDeny) {
      for (RuleHit h : denies) {
        if (h.id().startsWith(HARD_DENY_PREFIX)) {
          return h.id();
        }
      }
    }
    if (!denies.isEmpty()) {
      return denies.get(0).id();
    }
    return escalates.isEmpty() ? null : escalates.get(0).id();
  }

  private static String reasonOf(String ruleId, List<RuleHit> denies, List<RuleHit> escalates) {
    if (ruleId == null) {
      return null;
    }
    for (List<RuleHit> l : List.of(denies, escalates)) {
      for (RuleHit h : l) {
        if (h.id().equals(ruleId)) {
          return h.reason();
        }
      }
    }
    return null;
  }

  /** deny / escalate entries: absent or null is empty; otherwise an array or set of objects. */
  private static List<RuleHit> entries(Value v, String field) {
    if (v == null || v instanceof NullV) {
      return List.of();
    }
    Iterable<Value> items;
    if (v instanceof ArrV a) {
      items = a;
    } else if (v instanceof SetV s) {
      items = s;
    } else {
      throw new MalformedOutput("'" + field + "' must be an array or a set, got " + v.typeName());
    }
    List<RuleHit> out = new ArrayList<>();
    for (Value item : items) {
      if (!(item instanceof ObjV o)) {
        throw new MalformedOutput("each '" + field + "' entry must be an object {id, severity},"
            + " got " + item.typeName());
      }
      String id = requiredString(o, "id", field);
      if (id.isBlank()) {
        throw new MalformedOutput("a '" + field + "' entry has an empty id");
      }
      String severity = requiredString(o, "severity", field);
      if (!SEVERITIES.contains(severity)) {
        throw new MalformedOutput("'" + field + "' entry " + id + " has severity '" + severity
            + "', expected one of " + SEVERITIES);
      }
      String reason = optionalString(o, "reason");
      String signal = optionalString(o, "signal");
      out.add(new RuleHit(id, signal == null ? id : signal, severity, field, reason));
    }
    return out;
  }

  private static String requiredString(ObjV o, String key, String field) {
    Value v = o.get(key);
    if (!(v instanceof StrV s)) {
      throw new MalformedOutput("a '" + field + "' entry needs a string '" + key + "'"
          + (v == null ? "" : ", got " + v.typeName()));
    }
    return s.value();
  }

  private static String optionalString(ObjV o, String key) {
    Value v = o.get(key);
    if (v == null || v instanceof NullV) {
      return null;
    }
    if (!(v instanceof StrV s)) {
      throw new MalformedOutput("'" + key + "' must be a string, got " + v.typeName());
    }
    return s.value();
  }
}
