package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Value.BoolV;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.ObjV;
import dev.aegis.pipeline.rego.Value.SetV;
import dev.aegis.pipeline.rego.Value.StrV;
import dev.aegis.pipeline.rego.Values;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * {@code yaml.marshal yaml.unmarshal yaml.is_valid} on SnakeYAML with its safe constructor (no
 * Java types, alias expansion capped) and, like Go's YAML-to-JSON path, timestamps kept as
 * strings.
 */
final class Yaml {
  private Yaml() {
  }

  static void register(Builtins.Registrar r) {
    r.add("yaml.marshal", 1, (ctx, a) -> Args.s(dumper().dump(toJava(a[0]))));
    r.add("yaml.unmarshal", 1, (ctx, a) -> {
      String s = Args.str("yaml.unmarshal", a, 0);
      try {
        return load(s);
      } catch (RuntimeException e) {
        throw BuiltinError.builtin("yaml.unmarshal", firstLine(e));
      }
    });
    r.add("yaml.is_valid", 1, (ctx, a) -> {
      if (!(a[0] instanceof StrV s)) {
        return Value.FALSE;
      }
      try {
        load(s.value());
        return Value.TRUE;
      } catch (RuntimeException e) {
        return Value.FALSE;
      }
    });
  }

  /** The first document as a value; every later document of the stream must parse too. */
  private static Value load(String text) {
    Value first = null;
    for (Object doc : loader().loadAll(text)) {
      Value v = fromYaml(doc);
      if (first == null) {
        first = v;
      }
    }
    return first == null ? Value.NULL : first;
  }

  private static String firstLine(RuntimeException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl > 0 ? m.substring(0, nl) : m;
  }

  private static org.yaml.snakeyaml.Yaml loader() {
    LoaderOptions lo = new LoaderOptions();
    lo.setAllowDuplicateKeys(false);
    lo.setMaxAliasesForCollections(50);
    lo.setCodePointLimit(4 * 1024 * 1024);
    DumperOptions dop = new DumperOptions();
    return new org.yaml.snakeyaml.Yaml(new SafeConstructor(lo), new Representer(dop), dop, lo,
        new NoTimestampResolver());
  }

  private static org.yaml.snakeyaml.Yaml dumper() {
    DumperOptions dop = new DumperOptions();
    dop.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    dop.setIndent(2);
    dop.setIndicatorIndent(0);
    dop.setSplitLines(false);
    return new org.yaml.snakeyaml.Yaml(new Representer(dop), dop);
  }

  /** Resolves booleans, numbers, null and merge keys but leaves timestamps as strings. */
  static final class NoTimestampResolver extends Resolver {
    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.BOOL, BOOL, "yYnNtTfFoO");
      addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.INT, INT, "-+0123456789");
      addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.FLOAT, FLOAT, "-+0123456789.");
      addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.MERGE, MERGE, "<");
      addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL, NULL, "~nN\0");
      addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL, EMPTY, null);
    }
  }

  private static Object toJava(Value v) {
    if (v instanceof NumV n) {
      if (n.isInteger() && !Arithmetic.huge(n.value())) {
        BigInteger i = n.value().toBigInteger();
        return i.bitLength() < 64 ? (Object) i.longValue() : i;
      }
      return n.value().doubleValue();
    }
    if (v instanceof StrV s) {
      return s.value();
    }
    if (v instanceof BoolV b) {
      return b.value();
    }
    if (v instanceof ArrV || v instanceof SetV) {
      List<Object> out = new ArrayList<>();
      @SuppressWarnings("unchecked")
      Iterable<Value> items = (Iterable<Value>) v;
      for (Value x : items) {
        out.add(toJava(x));
      }
      return out;
    }
    if (v instanceof ObjV o) {
      Map<String, Object> out = new TreeMap<>();
      for (Map.Entry<Value, Value> e : o.map().entrySet()) {
        String k = e.getKey() instanceof StrV s ? s.value() : Values.toJson(e.getKey());
        out.put(k, toJava(e.getValue()));
      }
      return new LinkedHashMap<>(out);
    }
    return null;
  }

  private static Value fromYaml(Object o) {
    if (o == null) {
      return Value.NULL;
    }
    if (o instanceof String s) {
      return Args.s(s);
    }
    if (o instanceof Boolean b) {
      return Value.bool(b);
    }
    if (o instanceof Integer || o instanceof Long) {
      return NumV.of(((Number) o).longValue());
    }
    if (o instanceof BigInteger i) {
      return NumV.of(i);
    }
    if (o instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        throw new IllegalArgumentException("json: unsupported value: " + d);
      }
      return Arithmetic.number(new BigDecimal(Double.toString(d)));
    }
    if (o instanceof Map<?, ?> m) {
      TreeMap<Value, Value> out = new TreeMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        Object k = e.getKey();
        String key = k instanceof String s ? s : String.valueOf(k);
        out.put(Args.s(key), fromYaml(e.getValue()));
      }
      return Objects.obj(out);
    }
    if (o instanceof Collection<?> c) {
      List<Value> out = new ArrayList<>(c.size());
      for (Object x : c) {
        out.add(fromYaml(x));
      }
      return new ArrV(out);
    }
    if (o instanceof byte[] b) {
      return Args.s(java.util.Base64.getEncoder().encodeToString(b));
    }
    return Args.s(String.valueOf(o));
  }
}
