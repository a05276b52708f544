package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.SetV;
import java.util.TreeSet;

/** Set operators {@code and} ({@code &}), {@code or} ({@code |}), {@code intersection}, {@code union}. */
final class Sets {
  private Sets() {
  }

  static void register(Builtins.Registrar r) {
    r.add("and", 2, (ctx, a) -> {
      SetV x = Args.set("and", a, 0);
      SetV y = Args.set("and", a, 1);
      return intersect(x, y);
    });
    r.add("or", 2, (ctx, a) -> {
      SetV x = Args.set("or", a, 0);
      SetV y = Args.set("or", a, 1);
      if (y.size() == 0) {
        return x;
      }
      if (x.size() == 0) {
        return y;
      }
      TreeSet<Value> out = new TreeSet<>(x.items());
      out.addAll(y.items());
      return new SetV(out);
    });
    r.add("intersection", 1, (ctx, a) -> {
      SetV in = Args.set("intersection", a, 0);
      SetV result = null;
      for (Value v : in) {
        if (!(v instanceof SetV s)) {
          throw dev.aegis.pipeline.rego.BuiltinError.operand("intersection", 1, "set", v);
        }
        result = result == null ? s : intersect(result, s);
      }
      return result == null ? Value.EMPTY_SET : result;
    });
    r.add("union", 1, (ctx, a) -> {
      SetV in = Args.set("union", a, 0);
      TreeSet<Value> out = new TreeSet<>();
      for (Value v : in) {
        if (!(v instanceof SetV s)) {
          throw dev.aegis.pipeline.rego.BuiltinError.operand("union", 1, "set", v);
        }
        out.addAll(s.items());
      }
      return out.isEmpty() ? Value.EMPTY_SET : new SetV(out);
    });
  }

  static SetV intersect(SetV x, SetV y) {
    if (x.size() > y.size()) {
      SetV t = x;
      x = y;
      y = t;
    }
    TreeSet<Value> out = new TreeSet<>();
    for (Value v : x) {
      if (y.contains(v)) {
        out.add(v);
      }
    }
    return out.isEmpty() ? Value.EMPTY_SET : new SetV(out);
  }
}
