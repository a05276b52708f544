package dev.aegis.pipeline.rego.conformance;

import dev.aegis.pipeline.rego.RegoError;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Values;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks an evaluation outcome against a case's expectations the way OPA's own runner does
 * ({@code v1/topdown/exported_test.go}):
 *
 * <ul>
 *   <li>Rows are compared as a set of objects (row order and duplicate rows do not matter).</li>
 *   <li>Each bound value is first turned into its JSON form, as OPA serialises a result: sets
 *       become arrays in sorted order, non-string object keys become their JSON text. YAML has no
 *       sets, so this is the only faithful comparison.</li>
 *   <li>Numbers compare by value ({@code 1} equals {@code 1.0}; YAML may give either).</li>
 *   <li>With {@code sort_bindings}, a bound array is compared without regard to its order
 *       (OPA sorts the value it got; this runner sorts both sides).</li>
 *   <li>{@code want_error} must be a substring of the error message, {@code want_error_code}
 *       must equal {@link RegoError#code()}; an error nobody expected fails the case.</li>
 * </ul>
 *
 * <p>Pure functions over values: no evaluator needed.
 */
public final class ResultMatcher {

  private ResultMatcher() {
  }

  /**
   * Checks one case's outcome.
   *
   * @param rows result rows (empty when undefined or when evaluation raised {@code error})
   * @param error the Rego error evaluation raised, or null
   * @return null when every expectation holds, else why not (the first expectation that fails)
   */
  public static String check(ConformanceCase c, List<Map<String, Value>> rows, RegoError error) {
    if (c.wantError() != null) {
      if (error == null) {
        return "want error containing \"" + c.wantError() + "\", got no error, result "
            + describeRows(rows);
      }
      if (!errorTextMatches(c.wantError(), error)) {
        return "want error containing \"" + c.wantError() + "\", got: " + error.getMessage();
      }
    }
    if (c.wantErrorCode() != null) {
      if (error == null) {
        return "want error " + c.wantErrorCode() + ", got no error, result " + describeRows(rows);
      }
      if (!c.wantErrorCode().equals(error.code())) {
        return "want error " + c.wantErrorCode() + ", got: " + error.getMessage();
      }
    }
    if (error != null && c.wantError() == null && c.wantErrorCode() == null) {
      return "unexpected error: " + error.getMessage();
    }
    if (c.wantResult() != null) {
      String diff = compareRows(c.wantResult(), rows, c.sortBindings());
      if (diff != null) {
        return diff;
      }
    }
    if (c.wantDefined() != null && c.wantDefined() == rows.isEmpty()) {
      return c.wantDefined() ? "want defined, got undefined" : "want undefined, got "
          + describeRows(rows);
    }
    return null;
  }

  /**
   * True when {@code want} is a substring of the error's message, either as this engine renders
   * it ({@code file:line:col: code: detail}) or as OPA renders a located error
   * ({@code file:line: code: detail}), which the upstream expectations quote.
   */
  public static boolean errorTextMatches(String want, RegoError error) {
    String msg = error.getMessage() == null ? "" : error.getMessage();
    return msg.contains(want) || opaMessage(error).contains(want);
  }

  /** OPA's rendering of an error: {@code file:row: code: message}, or without a location. */
  public static String opaMessage(RegoError e) {
    String body = e.code() + ": " + e.detail();
    if (e.file() != null && !e.file().isEmpty()) {
      return e.file() + ":" + e.line() + ": " + body;
    }
    if (e.line() > 0) {
      return e.line() + ":" + e.column() + ": " + body;
    }
    return body;
  }

  /**
   * Compares expected rows (YAML, plain Java) with rows got.
   *
   * @return null when equal as sets of rows, else {@code want ... got ...}
   */
  public static String compareRows(List<Map<String, Object>> want, List<Map<String, Value>> got,
      boolean sortBindings) {
    TreeSet<Value> w = new TreeSet<>(Values::compare);
    for (Map<String, Object> row : want) {
      Map<String, Value> r = new LinkedHashMap<>();
      row.forEach((k, v) -> r.put(k, normalise(expected(v), sortBindings)));
      w.add(Values.fromJava(r));
    }
    TreeSet<Value> g = new TreeSet<>(Values::compare);
    for (Map<String, Value> row : got) {
      Map<String, Value> r = new LinkedHashMap<>();
      row.forEach((k, v) -> r.put(k, normalise(asJson(v), sortBindings)));
      g.add(Values.fromJava(r));
    }
    if (w.size() == g.size() && w.containsAll(g) && g.containsAll(w)) {
      return null;
    }
    return "want " + Values.toJson(new ArrV(new ArrayList<>(w))) + ", got "
        + Values.toJson(new ArrV(new ArrayList<>(g)));
  }

  /** A value as OPA's result would serialise it (sets to sorted arrays, keys to strings). */
  public static Value asJson(Value v) {
    return v == null ? Value.NULL : Values.fromJava(Values.toJava(v));
  }

  /** An expected YAML value (Map, List, String, Number, Boolean, null) as a value. */
  public static Value expected(Object yaml) {
    return Values.fromJava(numbersAsDecimals(yaml));
  }

  private static Object numbersAsDecimals(Object o) {
    if (o instanceof Double d && !d.isNaN() && !d.isInfinite()) {
      return new BigDecimal(Double.toString(d));
    }
    if (o instanceof Float f && !f.isNaN() && !f.isInfinite()) {
      return new BigDecimal(Float.toString(f));
    }
    if ((o instanceof Double || o instanceof Float)) {
      return String.valueOf(o);
    }
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), numbersAsDecimals(v)));
      return out;
    }
    if (o instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object x : l) {
        out.add(numbersAsDecimals(x));
      }
      return out;
    }
    return o;
  }

  private static Value normalise(Value v, boolean sortBindings) {
    if (sortBindings && v instanceof ArrV a) {
      List<Value> items = new ArrayList<>();
      a.forEach(items::add);
      items.sort(Values::compare);
      return new ArrV(items);
    }
    return v;
  }

  /** Rows as compact JSON text, for messages. */
  public static String describeRows(List<Map<String, Value>> rows) {
    if (rows.isEmpty()) {
      return "undefined";
    }
    List<Value> out = new ArrayList<>();
    for (Map<String, Value> row : rows) {
      Map<String, Value> r = new LinkedHashMap<>();
      row.forEach((k, v) -> r.put(k, asJson(v)));
      out.add(Values.fromJava(r));
    }
    return Values.toJson(new ArrV(out));
  }
}
