package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.ArrV;
import java.util.ArrayList;
import java.util.List;

/** Array functions: {@code array.concat array.slice array.reverse array.flatten}. */
final class Arrays {
  private Arrays() {
  }

  static void register(Builtins.Registrar r) {
    r.add("array.concat", 2, (ctx, a) -> {
      ArrV x = Args.arr("array.concat", a, 0);
      ArrV y = Args.arr("array.concat", a, 1);
      if (y.size() == 0) {
        return x;
      }
      if (x.size() == 0) {
        return y;
      }
      List<Value> out = new ArrayList<>(x.size() + y.size());
      out.addAll(x.items());
      out.addAll(y.items());
      return new ArrV(out);
    });
    r.add("array.slice", 3, (ctx, a) -> {
      ArrV x = Args.arr("array.slice", a, 0);
      int start = Args.integer("array.slice", a, 1);
      int stop = Args.integer("array.slice", a, 2);
      stop = Math.max(0, Math.min(stop, x.size()));
      start = Math.max(0, Math.min(start, stop));
      return new ArrV(new ArrayList<>(x.items().subList(start, stop)));
    });
    r.add("array.reverse", 1, (ctx, a) -> {
      ArrV x = Args.arr("array.reverse", a, 0);
      List<Value> out = new ArrayList<>(x.items());
      java.util.Collections.reverse(out);
      return new ArrV(out);
    });
    r.add("array.flatten", 1, (ctx, a) -> {
      ArrV x = Args.arr("array.flatten", a, 0);
      List<Value> out = new ArrayList<>(x.size());
      for (Value v : x) {
        if (v instanceof ArrV inner) {
          out.addAll(inner.items());
        } else {
          out.add(v);
        }
      }
      return new ArrV(out);
    });
  }
}
