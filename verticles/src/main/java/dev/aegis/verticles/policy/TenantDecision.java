package dev.aegis.verticles.policy;

import dev.aegis.pipeline.rego.CompiledPolicy;
import dev.aegis.pipeline.rego.QueryOptions;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Values;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The decision of a tenant policy under the tenant contract (issue #5 item 4): the policy may
 * define {@code deny contains x} and {@code escalate contains x} in {@code package aegis.tenant},
 * where x is a string or an object with {@code id}, {@code reason} and {@code severity}. Any deny
 * makes the decision {@code DENY} (rule id: the first deny's id, in Rego's value order), else any
 * escalate makes it {@code ESCALATE}, else {@code ALLOW}.
 *
 * @param decision ALLOW, DENY or ESCALATE
 * @param deny the deny entries as JSON (strings or objects)
 * @param escalate the escalate entries as JSON
 * @param ruleId id of the entry that decided (null for ALLOW)
 * @param reason its reason (null for ALLOW)
 */
public record TenantDecision(String decision, JsonArray deny, JsonArray escalate, String ruleId, String reason) {

  public static final String ALLOW = "ALLOW";
  public static final String DENY = "DENY";
  public static final String ESCALATE = "ESCALATE";
  public static final String DENY_REF = "aegis.tenant.deny";
  /** Prefix of every reported tenant rule id, so no tenant rule poses as a platform rule. */
  public static final String TENANT_PREFIX = "tenant.";
  public static final String ESCALATE_REF = "aegis.tenant.escalate";

  /** Evaluates the contract's two documents against {@code input} (no external data). */
  public static TenantDecision evaluate(CompiledPolicy policy, Value input, QueryOptions options) {
    JsonArray deny = entries(policy.evalRef(DENY_REF, input, Value.EMPTY_OBJECT, options));
    JsonArray escalate = entries(policy.evalRef(ESCALATE_REF, input, Value.EMPTY_OBJECT, options));
    if (!deny.isEmpty()) {
      return new TenantDecision(DENY, deny, escalate, id(deny.getValue(0)), reason(deny.getValue(0)));
    }
    if (!escalate.isEmpty()) {
      return new TenantDecision(ESCALATE, deny, escalate, id(escalate.getValue(0)), reason(escalate.getValue(0)));
    }
    return new TenantDecision(ALLOW, deny, escalate, null, null);
  }

  /** The entries of a deny / escalate document: the members of a set or array, else the value. */
  static JsonArray entries(Value v) {
    JsonArray out = new JsonArray();
    if (v == null || v instanceof Value.NullV) {
      return out;
    }
    if (v instanceof Value.SetV || v instanceof Value.ArrV) {
      for (Value x : (Iterable<Value>) v) {
        out.add(json(x));
      }
    } else if (v instanceof Value.BoolV b) {
      if (b.value()) {
        out.add("deny");
      }
    } else {
      out.add(json(v));
    }
    return out;
  }

  /** A Rego value as a Vert.x JSON value. */
  public static Object json(Value v) {
    Object o = Values.toJava(v);
    if (o instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) m;
      return new JsonObject(map);
    }
    if (o instanceof List<?> l) {
      return new JsonArray(new java.util.ArrayList<>(l));
    }
    return o;
  }

  /** The reported id of an entry: always under {@code tenant.} (as stage 4 reports it). */
  static String id(Object entry) {
    String raw;
    if (entry instanceof JsonObject o) {
      Object id = o.getValue("id");
      raw = id == null ? null : String.valueOf(id);
    } else {
      raw = entry == null ? null : String.valueOf(entry);
    }
    return reportedId(raw);
  }

  /** {@code raw} under {@value #TENANT_PREFIX} (unchanged when already there; null stays null). */
  public static String reportedId(String raw) {
    return raw == null || raw.startsWith(TENANT_PREFIX) ? raw : TENANT_PREFIX + raw;
  }

  static String reason(Object entry) {
    if (entry instanceof JsonObject o) {
      Object r = o.getValue("reason");
      return r == null ? id(entry) : String.valueOf(r);
    }
    return entry == null ? null : String.valueOf(entry);
  }

  public JsonObject toJson() {
    return new JsonObject().put("decision", decision).put("deny", deny).put("escalate", escalate)
        .put("rule_id", ruleId).put("reason", reason);
  }
}
