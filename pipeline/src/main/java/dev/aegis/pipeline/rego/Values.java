package dev.aegis.pipeline.rego;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Value.BoolV;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.ObjV;
import dev.aegis.pipeline.rego.Value.SetV;
import dev.aegis.pipeline.rego.Value.StrV;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Ordering, JSON conversion and printing of {@link Value}s. */
public final class Values {
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.USE_FAST_BIG_NUMBER_PARSER).build();

  private Values() {
  }

  // ------------------------------------------------------------------ order

  /** OPA's total order over values. */
  public static int compare(Value a, Value b) {
    if (a == b) {
      return 0;
    }
    if (a instanceof StrV x && b instanceof StrV y) {
      return x.value().compareTo(y.value()); // object keys: the common case first
    }
    int r = Integer.compare(a.rank(), b.rank());
    if (r != 0) {
      return r;
    }
    if (a instanceof BoolV x) {
      return Boolean.compare(x.value(), ((BoolV) b).value());
    }
    if (a instanceof NumV x) {
      return x.value().compareTo(((NumV) b).value());
    }
    if (a instanceof StrV x) {
      return x.value().compareTo(((StrV) b).value());
    }
    if (a instanceof ArrV x) {
      ArrV y = (ArrV) b;
      int n = Math.min(x.size(), y.size());
      for (int i = 0; i < n; i++) {
        int c = compare(x.get(i), y.get(i));
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(x.size(), y.size());
    }
    if (a instanceof ObjV x) {
      ObjV y = (ObjV) b;
      Iterator<Map.Entry<Value, Value>> i = x.map().entrySet().iterator();
      Iterator<Map.Entry<Value, Value>> j = y.map().entrySet().iterator();
      while (i.hasNext() && j.hasNext()) {
        Map.Entry<Value, Value> p = i.next();
        Map.Entry<Value, Value> q = j.next();
        int c = compare(p.getKey(), q.getKey());
        if (c != 0) {
          return c;
        }
        c = compare(p.getValue(), q.getValue());
        if (c != 0) {
          return c;
        }
      }
      return Boolean.compare(i.hasNext(), j.hasNext());
    }
    if (a instanceof SetV x) {
      SetV y = (SetV) b;
      Iterator<Value> i = x.iterator();
      Iterator<Value> j = y.iterator();
      while (i.hasNext() && j.hasNext()) {
        int c = compare(i.next(), j.next());
        if (c != 0) {
          return c;
        }
      }
      return Boolean.compare(i.hasNext(), j.hasNext());
    }
    return 0;
  }

  // ------------------------------------------------------------------ JSON in

  /** Parses JSON text into a value (numbers keep full precision). */
  public static Value parseJson(String text) {
    try (JsonParser p = JSON.createParser(text)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new IllegalArgumentException("empty JSON document");
      }
      Value v = read(p, t);
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("trailing data after JSON value");
      }
      return v;
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static Value read(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT -> {
        TreeMap<Value, Value> m = new TreeMap<>();
        JsonToken n;
        while ((n = p.nextToken()) == JsonToken.FIELD_NAME) {
          String k = p.currentName();
          m.put(new StrV(k), read(p, p.nextToken()));
        }
        return m.isEmpty() ? Value.EMPTY_OBJECT : new ObjV(m);
      }
      case START_ARRAY -> {
        List<Value> l = new ArrayList<>();
        JsonToken n;
        while ((n = p.nextToken()) != JsonToken.END_ARRAY) {
          l.add(read(p, n));
        }
        return new ArrV(l);
      }
      case VALUE_STRING -> {
        return new StrV(p.getText());
      }
      case VALUE_NUMBER_INT -> {
        if (p.getNumberType() == JsonParser.NumberType.INT
            || p.getNumberType() == JsonParser.NumberType.LONG) {
          return NumV.of(p.getLongValue());
        }
        return NumV.of(p.getBigIntegerValue());
      }
      case VALUE_NUMBER_FLOAT -> {
        return NumV.of(p.getDecimalValue());
      }
      case VALUE_TRUE -> {
        return Value.TRUE;
      }
      case VALUE_FALSE -> {
        return Value.FALSE;
      }
      case VALUE_NULL -> {
        return Value.NULL;
      }
      default -> throw new IllegalArgumentException("unexpected JSON token " + t);
    }
  }

  /**
   * Converts a Java JSON-like object (Vert.x JsonObject/JsonArray, Map, List, String, Number,
   * Boolean, null, or a Value) to a value.
   */
  public static Value fromJava(Object o) {
    if (o == null) {
      return Value.NULL;
    }
    if (o instanceof Value v) {
      return v;
    }
    if (o instanceof String s) {
      return new StrV(s);
    }
    if (o instanceof Boolean b) {
      return Value.bool(b);
    }
    if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
      return NumV.of(((Number) o).longValue());
    }
    if (o instanceof BigDecimal d) {
      return NumV.of(d);
    }
    if (o instanceof BigInteger i) {
      return NumV.of(i);
    }
    if (o instanceof Number n) {
      return NumV.ofDouble(n.doubleValue());
    }
    if (o instanceof JsonObject j) {
      return fromJava(j.getMap());
    }
    if (o instanceof JsonArray a) {
      return fromJava(a.getList());
    }
    if (o instanceof Map<?, ?> m) {
      TreeMap<Value, Value> out = new TreeMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put(new StrV(String.valueOf(e.getKey())), fromJava(e.getValue()));
      }
      return out.isEmpty() ? Value.EMPTY_OBJECT : new ObjV(out);
    }
    if (o instanceof java.util.Set<?> s) {
      TreeSet<Value> out = new TreeSet<>();
      for (Object x : s) {
        out.add(fromJava(x));
      }
      return new SetV(out);
    }
    if (o instanceof Iterable<?> l) {
      List<Value> out = new ArrayList<>();
      for (Object x : l) {
        out.add(fromJava(x));
      }
      return new ArrV(out);
    }
    throw new IllegalArgumentException("not a JSON value: " + o.getClass().getName());
  }

  // ------------------------------------------------------------------ JSON out

  /**
   * Converts to plain Java JSON objects (LinkedHashMap, ArrayList, String, BigDecimal/Long,
   * Boolean, null). Sets become arrays in sorted order; non-string object keys become their JSON
   * text, as OPA does when it serialises a result.
   */
  public static Object toJava(Value v) {
    if (v instanceof BoolV b) {
      return b.value();
    }
    if (v instanceof NumV n) {
      Long l = n.longValueExact();
      if (l != null) {
        return l;
      }
      return n.isInteger() ? n.value().toBigInteger() : n.value().stripTrailingZeros();
    }
    if (v instanceof StrV s) {
      return s.value();
    }
    if (v instanceof ArrV || v instanceof SetV) {
      List<Object> out = new ArrayList<>();
      for (Value x : (Iterable<Value>) v) {
        out.add(toJava(x));
      }
      return out;
    }
    if (v instanceof ObjV o) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<Value, Value> e : o.map().entrySet()) {
        String k = e.getKey() instanceof StrV s ? s.value() : toJson(e.getKey());
        out.put(k, toJava(e.getValue()));
      }
      return out;
    }
    return null;
  }

  /** Compact JSON text (sets as sorted arrays, non-string keys as their JSON text). */
  public static String toJson(Value v) {
    StringBuilder sb = new StringBuilder();
    writeJson(sb, v);
    return sb.toString();
  }

  private static void writeJson(StringBuilder sb, Value v) {
    if (v instanceof ArrV || v instanceof SetV) {
      sb.append('[');
      boolean first = true;
      for (Value x : (Iterable<Value>) v) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        writeJson(sb, x);
      }
      sb.append(']');
    } else if (v instanceof ObjV o) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<Value, Value> e : o.map().entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        String k = e.getKey() instanceof StrV s ? s.value() : toJson(e.getKey());
        sb.append(quote(k)).append(':');
        writeJson(sb, e.getValue());
      }
      sb.append('}');
    } else {
      sb.append(v);
    }
  }

  /** Rego/JSON string literal with escapes. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  /** Rego term syntax: like JSON but sets print as {@code {a, b}} and {@code set()}. */
  public static String toRego(Value v) {
    StringBuilder sb = new StringBuilder();
    writeRego(sb, v);
    return sb.toString();
  }

  private static void writeRego(StringBuilder sb, Value v) {
    if (v instanceof ArrV a) {
      sb.append('[');
      boolean first = true;
      for (Value x : a) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        writeRego(sb, x);
      }
      sb.append(']');
    } else if (v instanceof SetV s) {
      if (s.size() == 0) {
        sb.append("set()");
        return;
      }
      sb.append('{');
      boolean first = true;
      for (Value x : s) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        writeRego(sb, x);
      }
      sb.append('}');
    } else if (v instanceof ObjV o) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<Value, Value> e : o.map().entrySet()) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        writeRego(sb, e.getKey());
        sb.append(": ");
        writeRego(sb, e.getValue());
      }
      sb.append('}');
    } else {
      sb.append(v);
    }
  }
}
