package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Value.NullV;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.ObjV;
import dev.aegis.pipeline.rego.Value.SetV;
import dev.aegis.pipeline.rego.Value.StrV;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Object functions: {@code object.get object.remove object.union object.union_n object.filter
 * object.keys object.subset json.filter json.remove}.
 */
final class Objects {
  private Objects() {
  }

  static void register(Builtins.Registrar r) {
    r.add("object.get", 3, (ctx, a) -> get(a));
    r.add("object.keys", 1, (ctx, a) -> {
      ObjV o = Args.obj("object.keys", a, 0);
      return o.size() == 0 ? Value.EMPTY_SET : new SetV(new TreeSet<>(o.map().keySet()));
    });
    r.add("object.remove", 2, (ctx, a) -> {
      ObjV o = Args.obj("object.remove", a, 0);
      TreeSet<Value> keys = keys("object.remove", a[1]);
      TreeMap<Value, Value> out = new TreeMap<>();
      for (Map.Entry<Value, Value> e : o.map().entrySet()) {
        if (!keys.contains(e.getKey())) {
          out.put(e.getKey(), e.getValue());
        }
      }
      return out.size() == o.size() ? o : obj(out);
    });
    r.add("object.filter", 2, (ctx, a) -> {
      ObjV o = Args.obj("object.filter", a, 0);
      TreeSet<Value> keys = keys("object.filter", a[1]);
      TreeMap<Value, Value> out = new TreeMap<>();
      for (Value k : keys) {
        Value v = o.get(k);
        if (v != null) {
          out.put(k, v);
        }
      }
      return obj(out);
    });
    r.add("object.union", 2, (ctx, a) -> {
      ObjV x = Args.obj("object.union", a, 0);
      ObjV y = Args.obj("object.union", a, 1);
      return merge(x, y);
    });
    r.add("object.union_n", 1, (ctx, a) -> {
      ArrV arr = Args.arr("object.union_n", a, 0);
      ObjV acc = Value.EMPTY_OBJECT;
      for (Value v : arr) {
        if (!(v instanceof ObjV o)) {
          throw Args.element("object.union_n", 1, arr, v, "object");
        }
        acc = merge(acc, o);
      }
      return acc;
    });
    r.add("object.subset", 2, (ctx, a) -> {
      Value sup = a[0];
      Value sub = a[1];
      boolean ok = sup instanceof ObjV && sub instanceof ObjV
          || sup instanceof SetV && sub instanceof SetV
          || sup instanceof ArrV && (sub instanceof ArrV || sub instanceof SetV);
      if (!ok) {
        throw BuiltinError.type(
            "object.subset: both arguments object.subset must be of the same type or array and set");
      }
      return Value.bool(subset(sup, sub));
    });
    r.add("json.filter", 2, (ctx, a) -> {
      ObjV o = Args.obj("json.filter", a, 0);
      ObjV filter = pathsToObject(paths("json.filter", a[1]));
      return filter(o, filter);
    });
    r.add("json.remove", 2, (ctx, a) -> {
      ObjV o = Args.obj("json.remove", a, 0);
      ObjV filter = pathsToObject(paths("json.remove", a[1]));
      return remove(o, filter);
    });
  }

  static ObjV obj(TreeMap<Value, Value> m) {
    return m.isEmpty() ? Value.EMPTY_OBJECT : new ObjV(m);
  }

  private static Value get(Value[] a) {
    ObjV o = Args.obj("object.get", a, 0);
    Value key = a[1];
    Value dflt = a[2];
    if (!(key instanceof ArrV path)) {
      Value v = o.get(key);
      return v != null ? v : dflt;
    }
    if (path.size() == 0) {
      return o;
    }
    Value cur = o;
    for (Value k : path) {
      Value next = null;
      if (cur instanceof ObjV x) {
        next = x.get(k);
      } else if (cur instanceof ArrV x && k instanceof NumV n) {
        Integer i = n.intValueExact();
        next = i != null && i >= 0 && i < x.size() ? x.get(i) : null;
      } else if (cur instanceof SetV x) {
        next = x.contains(k) ? k : null;
      }
      if (next == null) {
        return dflt;
      }
      cur = next;
    }
    return cur;
  }

  private static TreeSet<Value> keys(String name, Value v) {
    if (v instanceof ArrV a) {
      return new TreeSet<>(a.items());
    }
    if (v instanceof SetV s) {
      return new TreeSet<>(s.items());
    }
    if (v instanceof ObjV o) {
      return new TreeSet<>(o.map().keySet());
    }
    throw Args.oneOf(name, 2, v, "object", "set", "array");
  }

  /** Recursive merge, {@code y} winning on conflicts that are not object/object. */
  static ObjV merge(ObjV x, ObjV y) {
    if (y.size() == 0) {
      return x;
    }
    if (x.size() == 0) {
      return y;
    }
    TreeMap<Value, Value> out = new TreeMap<>(x.map());
    for (Map.Entry<Value, Value> e : y.map().entrySet()) {
      Value old = out.get(e.getKey());
      if (old instanceof ObjV p && e.getValue() instanceof ObjV q) {
        out.put(e.getKey(), merge(p, q));
      } else {
        out.put(e.getKey(), e.getValue());
      }
    }
    return new ObjV(out);
  }

  private static boolean subset(Value sup, Value sub) {
    if (sup instanceof ObjV p && sub instanceof ObjV q) {
      for (Map.Entry<Value, Value> e : q.map().entrySet()) {
        Value v = p.get(e.getKey());
        if (v == null) {
          return false;
        }
        Value w = e.getValue();
        boolean nested = v instanceof ObjV && w instanceof ObjV
            || v instanceof SetV && w instanceof SetV
            || v instanceof ArrV && w instanceof ArrV;
        if (nested ? !subset(v, w) : !v.equals(w)) {
          return false;
        }
      }
      return true;
    }
    if (sup instanceof SetV p && sub instanceof SetV q) {
      return p.items().containsAll(q.items());
    }
    if (sup instanceof ArrV p && sub instanceof SetV q) {
      // OPA counts array elements found in the set down to zero (so duplicates count, and an
      // empty set is not a subset of an array)
      int unmatched = q.size();
      for (Value v : p) {
        if (q.contains(v)) {
          unmatched--;
        }
        if (unmatched == 0) {
          return true;
        }
      }
      return false;
    }
    if (sup instanceof ArrV p && sub instanceof ArrV q) {
      if (q.size() == 0) {
        return true;
      }
      outer:
      for (int i = 0; i + q.size() <= p.size(); i++) {
        for (int j = 0; j < q.size(); j++) {
          if (!p.get(i + j).equals(q.get(j))) {
            continue outer;
          }
        }
        return true;
      }
      return false;
    }
    return sup.equals(sub);
  }

  // ------------------------------------------------------------------ json.filter / remove

  private static List<List<Value>> paths(String name, Value v) {
    List<List<Value>> out = new ArrayList<>();
    if (!(v instanceof ArrV) && !(v instanceof SetV)) {
      throw Args.oneOf(name, 2, v, "set", "array");
    }
    @SuppressWarnings("unchecked")
    Iterable<Value> items = (Iterable<Value>) v;
    for (Value p : items) {
      List<Value> segs = new ArrayList<>();
      if (p instanceof StrV s) {
        if (!s.value().isEmpty()) {
          String t = s.value();
          int i = 0;
          while (i < t.length() && t.charAt(i) == '/') {
            i++;
          }
          for (String part : Strings.split(t.substring(i), "/")) {
            segs.add(Args.s(part.replace("~1", "/").replace("~0", "~")));
          }
        }
      } else if (p instanceof ArrV arr) {
        segs.addAll(arr.items());
      } else {
        throw Args.operandErr(name, 2, "must be one of {set, array} containing string paths or "
            + "array of path segments but got " + p.typeName());
      }
      out.add(segs);
    }
    return out;
  }

  /** Builds the nested filter object: path leaves are null. */
  private static ObjV pathsToObject(List<List<Value>> paths) {
    TreeMap<Value, Object> root = new TreeMap<>();
    for (List<Value> path : paths) {
      if (path.isEmpty()) {
        continue;
      }
      TreeMap<Value, Object> node = root;
      boolean done = false;
      for (int i = 0; i < path.size() - 1 && !done; i++) {
        Object child = node.get(path.get(i));
        if (child == null) {
          TreeMap<Value, Object> m = new TreeMap<>();
          node.put(path.get(i), m);
          node = m;
        } else if (child instanceof TreeMap<?, ?> m) {
          @SuppressWarnings("unchecked")
          TreeMap<Value, Object> next = (TreeMap<Value, Object>) m;
          node = next;
        } else {
          done = true;
        }
      }
      if (!done) {
        node.put(path.get(path.size() - 1), Value.NULL);
      }
    }
    return (ObjV) freeze(root);
  }

  private static Value freeze(Object node) {
    if (node instanceof TreeMap<?, ?> m) {
      TreeMap<Value, Value> out = new TreeMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put((Value) e.getKey(), freeze(e.getValue()));
      }
      return obj(out);
    }
    return (Value) node;
  }

  /** OPA's Object.Filter. */
  static Value filter(Value v, Value f) {
    if (f instanceof NullV || !(f instanceof ObjV filter)) {
      return v;
    }
    if (v instanceof ArrV a) {
      List<Value> out = new ArrayList<>();
      for (int i = 0; i < a.size(); i++) {
        Value sub = filter.get(Args.s(Integer.toString(i)));
        if (sub != null) {
          out.add(filter(a.get(i), sub));
        }
      }
      return new ArrV(out);
    }
    if (v instanceof SetV s) {
      TreeSet<Value> out = new TreeSet<>();
      for (Value x : s) {
        Value sub = filter.get(x);
        if (sub != null) {
          out.add(filter(x, sub));
        }
      }
      return out.isEmpty() ? Value.EMPTY_SET : new SetV(out);
    }
    if (v instanceof ObjV o) {
      TreeMap<Value, Value> out = new TreeMap<>();
      for (Map.Entry<Value, Value> e : filter.map().entrySet()) {
        Value x = o.get(e.getKey());
        if (x != null) {
          out.put(e.getKey(), filter(x, e.getValue()));
        }
      }
      return obj(out);
    }
    return v;
  }

  /** OPA's jsonRemove: null (not Java null) leaves of the filter drop values; returns null when dropped. */
  static Value remove(Value v, Value f) {
    if (f == null) {
      return v;
    }
    if (f instanceof NullV) {
      return null;
    }
    if (!(f instanceof ObjV filter)) {
      return v;
    }
    if (v instanceof ObjV o) {
      TreeMap<Value, Value> out = new TreeMap<>();
      for (Map.Entry<Value, Value> e : o.map().entrySet()) {
        Value x = remove(e.getValue(), filter.get(e.getKey()));
        if (x != null) {
          out.put(e.getKey(), x);
        }
      }
      return obj(out);
    }
    if (v instanceof SetV s) {
      TreeSet<Value> out = new TreeSet<>();
      for (Value x : s) {
        Value y = remove(x, filter.get(x));
        if (y != null) {
          out.add(y);
        }
      }
      return out.isEmpty() ? Value.EMPTY_SET : new SetV(out);
    }
    if (v instanceof ArrV a) {
      List<Value> out = new ArrayList<>();
      for (int i = 0; i < a.size(); i++) {
        Value y = remove(a.get(i), filter.get(Args.s(Integer.toString(i))));
        if (y != null) {
          out.add(y);
        }
      }
      return new ArrV(out);
    }
    return v;
  }
}
