package dev.aegis.verticles.policy;

import dev.aegis.pipeline.rego.CompiledPolicy;
import dev.aegis.pipeline.rego.QueryOptions;
import dev.aegis.pipeline.rego.Value;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Runs a policy's {@code test_} rules the way {@code opa test} does: each rule is evaluated on
 * its own (no input, no data) and passes when its value is {@code true}; undefined, any other
 * value or an evaluation error fails it. Runs on a worker thread (user code).
 */
public final class PolicyTestRunner {

  private PolicyTestRunner() {}

  /** {@code {passed, failed, total, results: [{name, passed, error?}]}}. */
  public static JsonObject run(CompiledPolicy policy) {
    JsonArray results = new JsonArray();
    int passed = 0;
    for (String rule : policy.testRules()) {
      String path = rule.startsWith("data.") ? rule.substring(5) : rule;
      JsonObject r = new JsonObject().put("name", "data." + path);
      try {
        Value v = policy.evalRef(path, Value.EMPTY_OBJECT, Value.EMPTY_OBJECT, QueryOptions.DEFAULT);
        boolean ok = v instanceof Value.BoolV b && b.value();
        r.put("passed", ok);
        if (!ok) {
          r.put("error", v == null ? "undefined" : "value is " + TenantDecision.json(v));
        }
      } catch (RuntimeException e) {
        r.put("passed", false).put("error", e.getMessage() == null ? e.toString() : e.getMessage());
      }
      if (r.getBoolean("passed")) {
        passed++;
      }
      results.add(r);
    }
    return new JsonObject().put("passed", passed).put("failed", results.size() - passed)
        .put("total", results.size()).put("results", results);
  }
}
