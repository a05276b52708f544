package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Values;

/** Comparison operators over any two values in OPA's total order. */
final class Comparison {
  private Comparison() {
  }

  static void register(Builtins.Registrar r) {
    r.add("equal", 2, (ctx, a) -> Value.bool(a[0].equals(a[1])));
    r.add("neq", 2, (ctx, a) -> Value.bool(!a[0].equals(a[1])));
    r.add("lt", 2, (ctx, a) -> Value.bool(Values.compare(a[0], a[1]) < 0));
    r.add("lte", 2, (ctx, a) -> Value.bool(Values.compare(a[0], a[1]) <= 0));
    r.add("gt", 2, (ctx, a) -> Value.bool(Values.compare(a[0], a[1]) > 0));
    r.add("gte", 2, (ctx, a) -> Value.bool(Values.compare(a[0], a[1]) >= 0));
  }
}
