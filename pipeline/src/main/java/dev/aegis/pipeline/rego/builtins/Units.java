package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.RegoError;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.NumV;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/** {@code units.parse} (SI and binary suffixes, {@code m} is milli) and {@code units.parse_bytes}. */
final class Units {
  private static final int MAX_EXPONENT_DIGITS = 6;
  /** Go's float64 0.001, which OPA uses as the milli factor. */
  private static final BigDecimal MILLI = new BigDecimal(0.001);

  private Units() {
  }

  static void register(Builtins.Registrar r) {
    r.add("units.parse", 1, (ctx, a) -> parse(Args.str("units.parse", a, 0)));
    r.add("units.parse_bytes", 1, (ctx, a) -> parseBytes(Args.str("units.parse_bytes", a, 0)));
  }

  private static RegoError err(String name, String msg) {
    return BuiltinError.builtin(name, msg);
  }

  static Value parseBytes(String raw) {
    String name = "units.parse_bytes";
    String s = raw.toLowerCase(Locale.ROOT).replace("\"", "");
    if (s.contains(" ")) {
      throw err(name, "spaces not allowed in resource strings");
    }
    String[] nu = split(name, s);
    if (nu[0].isEmpty()) {
      throw err(name, "no byte amount provided");
    }
    long m = switch (nu[1]) {
      case "" -> 1;
      case "kb", "k" -> 1000L;
      case "kib", "ki" -> 1L << 10;
      case "mb", "m" -> 1000_000L;
      case "mib", "mi" -> 1L << 20;
      case "gb", "g" -> 1000_000_000L;
      case "gib", "gi" -> 1L << 30;
      case "tb", "t" -> 1000_000_000_000L;
      case "tib", "ti" -> 1L << 40;
      case "pb", "p" -> 1000_000_000_000_000L;
      case "pib", "pi" -> 1L << 50;
      case "eb", "e" -> 1000_000_000_000_000_000L;
      case "eib", "ei" -> 1L << 60;
      default -> throw err(name, "byte unit " + nu[1] + " not recognized");
    };
    BigDecimal n = Types.parseGoFloat(nu[0]);
    if (n == null) {
      throw err(name, "could not parse byte amount to a number");
    }
    BigDecimal v = n.multiply(BigDecimal.valueOf(m));
    return v.scale() <= 0 ? Arithmetic.number(v) : Arithmetic.number(v.setScale(0, RoundingMode.DOWN));
  }

  static Value parse(String raw) {
    String name = "units.parse";
    String s = raw.replace("\"", "");
    if (s.contains(" ")) {
      throw err(name, "spaces not allowed in resource strings");
    }
    String[] nu = split(name, s);
    if (nu[0].isEmpty()) {
      throw err(name, "no amount provided");
    }
    String unit = nu[1];
    if (unit.length() > 1) {
      unit = unit.charAt(0) + unit.substring(1).toLowerCase(Locale.ROOT);
    }
    BigDecimal x = switch (unit) {
      case "m" -> MILLI;
      case "" -> BigDecimal.ONE;
      case "k", "K" -> BigDecimal.valueOf(1000L);
      case "ki", "Ki" -> BigDecimal.valueOf(1L << 10);
      case "M" -> BigDecimal.valueOf(1000_000L);
      case "mi", "Mi" -> BigDecimal.valueOf(1L << 20);
      case "g", "G" -> BigDecimal.valueOf(1000_000_000L);
      case "gi", "Gi" -> BigDecimal.valueOf(1L << 30);
      case "t", "T" -> BigDecimal.valueOf(1000_000_000_000L);
      case "ti", "Ti" -> BigDecimal.valueOf(1L << 40);
      case "p", "P" -> BigDecimal.valueOf(1000_000_000_000_000L);
      case "pi", "Pi" -> BigDecimal.valueOf(1L << 50);
      case "e", "E" -> BigDecimal.valueOf(1000_000_000_000_000_000L);
      case "ei", "Ei" -> BigDecimal.valueOf(1L << 60);
      default -> throw err(name, "unit " + unit + " not recognized");
    };
    BigDecimal n = Types.parseGoFloat(nu[0]);
    if (n == null) {
      throw err(name, "could not parse amount to a number");
    }
    BigDecimal v = n.multiply(x);
    if (v.signum() == 0 || v.stripTrailingZeros().scale() <= 0) {
      return Arithmetic.number(v);
    }
    return NumV.of(v.setScale(10, RoundingMode.HALF_UP));
  }

  /** OPA's extractNumAndUnit: {number, unit}, either possibly empty. */
  private static String[] split(String name, String s) {
    int first = -1;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean num = c >= '0' && c <= '9' || c == '.';
      if (!num && c != 'e' && c != 'E' && c != '+' && c != '-') {
        first = i;
        break;
      }
      if (c == 'e' || c == 'E') {
        if (i == s.length() - 1 || !isDigit(s.charAt(i + 1)) && s.charAt(i + 1) != '+'
            && s.charAt(i + 1) != '-') {
          first = i;
          break;
        }
        if (s.charAt(i + 1) == '+' || s.charAt(i + 1) == '-') {
          i++;
        }
        int end = i + 1;
        while (end < s.length() && isDigit(s.charAt(end))) {
          end++;
        }
        if (end - (i + 1) > MAX_EXPONENT_DIGITS) {
          throw err(name, "exponent too large");
        }
      }
    }
    if (first == -1) {
      return new String[] {s, ""};
    }
    if (first == 0) {
      return new String[] {"", s};
    }
    return new String[] {s.substring(0, first), s.substring(first)};
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
