package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.ObjV;
import dev.aegis.pipeline.rego.Value.SetV;
import dev.aegis.pipeline.rego.Value.StrV;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code json.patch(target, operations)}: RFC 6902 operations (add, remove, replace, move, copy,
 * test) on any value, with paths as JSON pointers ({@code "/a/0"}, {@code "-"} appends) or
 * arrays of segments; sets take their element as the last segment. As in OPA a failing
 * operation makes the result undefined rather than an error.
 */
final class JsonPatch {
  private JsonPatch() {
  }

  /** A failed operation (undefined result). */
  private static final class Failed extends Exception {
    Failed() {
      super(null, null, false, false);
    }
  }

  static void register(Builtins.Registrar r) {
    r.add("json.patch", 2, (ctx, a) -> {
      ArrV ops = Args.arr("json.patch", a, 1);
      try {
        Value doc = a[0];
        for (Value op : ops) {
          doc = apply(doc, op);
        }
        return doc;
      } catch (Failed e) {
        return null;
      }
    });
  }

  private static Value apply(Value doc, Value opv) throws Failed {
    if (!(opv instanceof ObjV op)) {
      throw new Failed();
    }
    String kind = op.get("op") instanceof StrV s ? s.value() : null;
    if (kind == null) {
      throw new Failed();
    }
    List<Value> path = path(attr(op, "path"));
    switch (kind) {
      case "add" -> {
        return insert(doc, path, 0, attr(op, "value"));
      }
      case "remove" -> {
        return remove(doc, path, 0);
      }
      case "replace" -> {
        Value value = attr(op, "value");
        return path.isEmpty() ? value : insert(remove(doc, path, 0), path, 0, value);
      }
      case "move" -> {
        List<Value> from = path(attr(op, "from"));
        Value chunk = get(doc, from);
        return insert(remove(doc, from, 0), path, 0, chunk);
      }
      case "copy" -> {
        return insert(doc, path, 0, get(doc, path(attr(op, "from"))));
      }
      case "test" -> {
        if (!get(doc, path).equals(attr(op, "value"))) {
          throw new Failed();
        }
        return doc;
      }
      default -> throw new Failed();
    }
  }

  private static Value attr(ObjV op, String name) throws Failed {
    Value v = op.get(name);
    if (v == null) {
      throw new Failed();
    }
    return v;
  }

  /** OPA's parsePath: a "/"-separated pointer (with ~1 and ~0) or an array of segments. */
  private static List<Value> path(Value p) throws Failed {
    List<Value> out = new ArrayList<>();
    if (p instanceof StrV s) {
      if (s.value().isEmpty()) {
        return out;
      }
      String t = s.value();
      int i = 0;
      while (i < t.length() && t.charAt(i) == '/') {
        i++;
      }
      for (String part : Strings.split(t.substring(i), "/")) {
        out.add(Args.s(part.replace("~1", "/").replace("~0", "~")));
      }
      return out;
    }
    if (p instanceof ArrV arr) {
      out.addAll(arr.items());
      return out;
    }
    throw new Failed();
  }

  private static int index(Value seg, int size, boolean allowEnd) throws Failed {
    Integer i = null;
    if (seg instanceof NumV n) {
      i = n.intValueExact();
    } else if (seg instanceof StrV s) {
      if (allowEnd && s.value().equals("-")) {
        return size;
      }
      String t = s.value();
      // RFC 6901 array indices: digits without leading zeros
      boolean digits = !t.isEmpty() && t.length() < 10 && t.chars().allMatch(ch -> ch >= '0' && ch <= '9')
          && (t.length() == 1 || t.charAt(0) != '0');
      i = digits ? Integer.valueOf(t) : null;
    }
    if (i == null || i < 0 || i > (allowEnd ? size : size - 1)) {
      throw new Failed();
    }
    return i;
  }

  static Value get(Value doc, List<Value> path) throws Failed {
    Value cur = doc;
    for (Value seg : path) {
      if (cur instanceof ObjV o) {
        cur = o.get(seg);
      } else if (cur instanceof ArrV a) {
        cur = a.get(index(seg, a.size(), false));
      } else if (cur instanceof SetV s) {
        cur = s.contains(seg) ? seg : null;
      } else {
        cur = null;
      }
      if (cur == null) {
        throw new Failed();
      }
    }
    return cur;
  }

  private static Value insert(Value doc, List<Value> path, int at, Value value) throws Failed {
    if (at == path.size()) {
      return value;
    }
    Value seg = path.get(at);
    boolean last = at == path.size() - 1;
    if (doc instanceof ObjV o) {
      TreeMap<Value, Value> m = new TreeMap<>(o.map());
      if (last) {
        m.put(seg, value);
      } else {
        Value child = o.get(seg);
        if (child == null) {
          throw new Failed();
        }
        m.put(seg, insert(child, path, at + 1, value));
      }
      return new ObjV(m);
    }
    if (doc instanceof ArrV a) {
      List<Value> l = new ArrayList<>(a.items());
      if (last) {
        l.add(index(seg, l.size(), true), value);
      } else {
        int i = index(seg, l.size(), false);
        l.set(i, insert(l.get(i), path, at + 1, value));
      }
      return new ArrV(l);
    }
    if (doc instanceof SetV s && last) {
      if (!seg.equals(value)) {
        throw new Failed();
      }
      TreeSet<Value> t = new TreeSet<>(s.items());
      t.add(value);
      return new SetV(t);
    }
    throw new Failed();
  }

  private static Value remove(Value doc, List<Value> path, int at) throws Failed {
    if (path.isEmpty()) {
      throw new Failed();
    }
    Value seg = path.get(at);
    boolean last = at == path.size() - 1;
    if (doc instanceof ObjV o) {
      Value child = o.get(seg);
      if (child == null) {
        throw new Failed();
      }
      TreeMap<Value, Value> m = new TreeMap<>(o.map());
      if (last) {
        m.remove(seg);
      } else {
        m.put(seg, remove(child, path, at + 1));
      }
      return Objects.obj(m);
    }
    if (doc instanceof ArrV a) {
      List<Value> l = new ArrayList<>(a.items());
      int i = index(seg, l.size(), false);
      if (last) {
        l.remove(i);
      } else {
        l.set(i, remove(l.get(i), path, at + 1));
      }
      return new ArrV(l);
    }
    if (doc instanceof SetV s && s.contains(seg)) {
      TreeSet<Value> t = new TreeSet<>(s.items());
      t.remove(seg);
      if (!last) {
        t.add(remove(seg, path, at + 1));
      }
      return t.isEmpty() ? Value.EMPTY_SET : new SetV(t);
    }
    throw new Failed();
  }
}
