package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.ObjV;
import dev.aegis.pipeline.rego.Value.SetV;
import dev.aegis.pipeline.rego.Value.StrV;
import dev.aegis.pipeline.rego.Values;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Aggregates: {@code count sum product max min sort any all}. */
final class Aggregates {
  private Aggregates() {
  }

  static void register(Builtins.Registrar r) {
    r.add("count", 1, (ctx, a) -> count(a[0]));
    r.add("sum", 1, (ctx, a) -> fold("sum", a[0], true));
    r.add("product", 1, (ctx, a) -> fold("product", a[0], false));
    r.add("max", 1, (ctx, a) -> extreme("max", a[0], true));
    r.add("min", 1, (ctx, a) -> extreme("min", a[0], false));
    r.add("sort", 1, (ctx, a) -> sort(a[0]));
    r.add("any", 1, (ctx, a) -> anyAll("any", a[0], true));
    r.add("all", 1, (ctx, a) -> anyAll("all", a[0], false));
  }

  private static Value count(Value v) {
    if (v instanceof ArrV a) {
      return NumV.of(a.size());
    }
    if (v instanceof ObjV o) {
      return NumV.of(o.size());
    }
    if (v instanceof SetV s) {
      return NumV.of(s.size());
    }
    if (v instanceof StrV s) {
      String t = s.value();
      return NumV.of(t.codePointCount(0, t.length()));
    }
    throw Args.oneOf("count", 1, v, "array", "object", "set", "string");
  }

  private static Iterable<Value> iterable(String name, Value v) {
    if (v instanceof ArrV || v instanceof SetV) {
      @SuppressWarnings("unchecked")
      Iterable<Value> it = (Iterable<Value>) v;
      return it;
    }
    throw Args.oneOf(name, 1, v, "set", "array");
  }

  private static Value fold(String name, Value coll, boolean add) {
    Iterable<Value> it = iterable(name, coll);
    long acc = add ? 0 : 1;
    BigDecimal big = null;
    for (Value v : it) {
      if (!(v instanceof NumV n)) {
        throw Args.element(name, 1, coll, v, "number");
      }
      if (big == null) {
        Long x = Arithmetic.small(n);
        if (x != null) {
          try {
            acc = add ? Math.addExact(acc, x) : Math.multiplyExact(acc, x);
            continue;
          } catch (ArithmeticException overflow) {
            // continue exactly below
          }
        }
        big = BigDecimal.valueOf(acc);
      }
      big = add ? Arithmetic.add(big, n.value()) : big.multiply(n.value());
    }
    return big == null ? NumV.of(acc) : Arithmetic.number(big);
  }

  private static Value extreme(String name, Value coll, boolean max) {
    if (coll instanceof SetV s) {
      if (s.size() == 0) {
        return null;
      }
      return max ? s.items().last() : s.items().first();
    }
    if (coll instanceof ArrV a) {
      if (a.size() == 0) {
        return null;
      }
      Value best = a.get(0);
      for (Value v : a) {
        int c = Values.compare(v, best);
        if (max ? c > 0 : c < 0) {
          best = v;
        }
      }
      return best;
    }
    throw Args.oneOf(name, 1, coll, "set", "array");
  }

  private static Value sort(Value coll) {
    if (coll instanceof SetV s) {
      return new ArrV(new ArrayList<>(s.items()));
    }
    if (coll instanceof ArrV a) {
      List<Value> l = new ArrayList<>(a.items());
      Collections.sort(l);
      return new ArrV(l);
    }
    throw Args.oneOf("sort", 1, coll, "set", "array");
  }

  private static Value anyAll(String name, Value coll, boolean any) {
    if (!(coll instanceof ArrV) && !(coll instanceof SetV)) {
      throw Args.oneOf(name, 1, coll, "array", "set");
    }
    for (Value v : iterable(name, coll)) {
      boolean t = Value.TRUE.equals(v);
      if (any && t) {
        return Value.TRUE;
      }
      if (!any && !t) {
        return Value.FALSE;
      }
    }
    return Value.bool(!any);
  }
}
