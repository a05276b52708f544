package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.ObjV;
import dev.aegis.pipeline.rego.Value.SetV;

/**
 * The {@code in} operator: {@code internal.member_2(x, coll)} and
 * {@code internal.member_3(key, value, coll)}. Both are false, never undefined, when absent.
 */
final class Membership {
  private Membership() {
  }

  static void register(Builtins.Registrar r) {
    r.add("internal.member_2", 2, (ctx, a) -> Value.bool(member(a[0], a[1])));
    r.add("internal.member_3", 3, (ctx, a) -> Value.bool(memberWithKey(a[0], a[1], a[2])));
  }

  static boolean member(Value x, Value coll) {
    if (coll instanceof SetV s) {
      return s.contains(x);
    }
    if (coll instanceof ArrV arr) {
      for (Value v : arr) {
        if (v.equals(x)) {
          return true;
        }
      }
      return false;
    }
    if (coll instanceof ObjV o) {
      for (Value v : o.map().values()) {
        if (v.equals(x)) {
          return true;
        }
      }
    }
    return false;
  }

  static boolean memberWithKey(Value key, Value val, Value coll) {
    if (coll instanceof SetV s) {
      return s.contains(key) && key.equals(val);
    }
    if (coll instanceof ObjV o) {
      Value v = o.get(key);
      return v != null && v.equals(val);
    }
    if (coll instanceof ArrV arr && key instanceof NumV n) {
      Integer i = n.intValueExact();
      return i != null && i >= 0 && i < arr.size() && arr.get(i).equals(val);
    }
    return false;
  }
}
