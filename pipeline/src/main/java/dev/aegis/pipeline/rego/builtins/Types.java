package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.BoolV;
import dev.aegis.pipeline.rego.Value.NullV;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.StrV;
import java.math.BigDecimal;
import java.util.Locale;

/** Type tests ({@code is_number ... type_name}) and the {@code to_number} cast. */
final class Types {
  private Types() {
  }

  static void register(Builtins.Registrar r) {
    r.add("is_number", 1, (ctx, a) -> Value.bool(a[0] instanceof NumV));
    r.add("is_string", 1, (ctx, a) -> Value.bool(a[0] instanceof StrV));
    r.add("is_boolean", 1, (ctx, a) -> Value.bool(a[0] instanceof BoolV));
    r.add("is_array", 1, (ctx, a) -> Value.bool(a[0] instanceof Value.ArrV));
    r.add("is_set", 1, (ctx, a) -> Value.bool(a[0] instanceof Value.SetV));
    r.add("is_object", 1, (ctx, a) -> Value.bool(a[0] instanceof Value.ObjV));
    r.add("is_null", 1, (ctx, a) -> Value.bool(a[0] instanceof NullV));
    r.add("type_name", 1, (ctx, a) -> Args.s(a[0].typeName()));
    r.add("to_number", 1, (ctx, a) -> toNumber(a[0]));
  }

  static Value toNumber(Value v) {
    if (v instanceof NullV) {
      return NumV.of(0);
    }
    if (v instanceof BoolV b) {
      return NumV.of(b.value() ? 1 : 0);
    }
    if (v instanceof NumV) {
      return v;
    }
    if (v instanceof StrV s) {
      String t = s.value();
      String bare = t.replaceFirst("^[+-]+", "").toLowerCase(Locale.ROOT);
      if (bare.equals("inf") || bare.equals("infinity") || bare.equals("nan")) {
        throw BuiltinError.operand("to_number", 1, "valid number string", v);
      }
      BigDecimal d = parseGoFloat(t);
      if (d == null) {
        throw BuiltinError.builtin("to_number",
            "strconv.ParseFloat: parsing " + GoFmt.quote(t, false) + ": invalid syntax");
      }
      if (Double.isInfinite(d.doubleValue())) {
        throw BuiltinError.builtin("to_number",
            "strconv.ParseFloat: parsing " + GoFmt.quote(t, false) + ": value out of range");
      }
      return Arithmetic.number(d);
    }
    throw Args.oneOf("to_number", 1, v, "null", "boolean", "number", "string");
  }

  /** Decimal text as Go's ParseFloat accepts it (no hex or underscores), or null. */
  static BigDecimal parseGoFloat(String t) {
    if (t.isEmpty() || t.indexOf('_') >= 0) {
      return null;
    }
    char last = t.charAt(t.length() - 1);
    if (!Character.isDigit(last) && last != '.') {
      return null;
    }
    try {
      return new BigDecimal(t.startsWith("+") ? t.substring(1) : t);
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }
}
