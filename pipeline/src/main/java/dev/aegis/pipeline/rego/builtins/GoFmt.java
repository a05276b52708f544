package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.StrV;
import dev.aegis.pipeline.rego.Values;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A subset of Go's {@code fmt.Sprintf} as OPA's {@code sprintf} sees its arguments: integral
 * numbers are Go ints, other numbers float64, strings strings, and every other value the string
 * of its Rego text. Supports flags {@code +-# 0}, width, precision and the verbs
 * {@code v s d b o x X e E f F g G q t c %}; mismatches print Go's {@code %!v(type=value)}.
 */
final class GoFmt {
  private GoFmt() {
  }

  /** One converted argument. */
  private record Arg(String goType, BigInteger i, Double f, String s) {
  }

  private static Arg convert(Value v) {
    if (v instanceof NumV n) {
      BigDecimal d = n.value();
      // OPA hands Go an int only for plain integer text; "1e3" (negative scale here) and
      // "1.0" become float64
      if (d.scale() == 0) {
        BigInteger bi = d.toBigIntegerExact();
        return new Arg(bi.bitLength() < 64 ? "int" : "*big.Int", bi, null, null);
      }
      return new Arg("float64", null, d.doubleValue(), null);
    }
    if (v instanceof StrV s) {
      return new Arg("string", null, null, s.value());
    }
    return new Arg("string", null, null, Values.toRego(v));
  }

  static String sprintf(String format, List<Value> values) {
    StringBuilder out = new StringBuilder(format.length() + 16);
    int argi = 0;
    int n = format.length();
    int i = 0;
    while (i < n) {
      char c = format.charAt(i);
      if (c != '%') {
        out.append(c);
        i++;
        continue;
      }
      i++;
      boolean plus = false;
      boolean minus = false;
      boolean sharp = false;
      boolean space = false;
      boolean zero = false;
      flags:
      while (i < n) {
        switch (format.charAt(i)) {
          case '+' -> plus = true;
          case '-' -> minus = true;
          case '#' -> sharp = true;
          case ' ' -> space = true;
          case '0' -> zero = !minus;
          default -> {
            break flags;
          }
        }
        i++;
      }
      int width = -1;
      if (i < n && format.charAt(i) == '*') {
        i++;
        BigInteger w = argi < values.size() ? convert(values.get(argi)).i : null;
        argi++;
        if (w == null || w.abs().compareTo(MAX_WIDTH) > 0) {
          out.append("%!(BADWIDTH)");
        } else {
          width = w.intValue();
          if (width < 0) {
            minus = true;
            width = -width;
          }
        }
      } else {
        int start = i;
        while (i < n && isDigit(format.charAt(i))) {
          i++;
        }
        if (i > start) {
          width = Integer.parseInt(format.substring(start, Math.min(i, start + 6)));
        }
      }
      int prec = -1;
      if (i < n && format.charAt(i) == '.') {
        i++;
        if (i < n && format.charAt(i) == '*') {
          i++;
          BigInteger p = argi < values.size() ? convert(values.get(argi)).i : null;
          argi++;
          if (p == null || p.abs().compareTo(MAX_WIDTH) > 0) {
            out.append("%!(BADPREC)");
          } else {
            prec = Math.max(0, p.intValue());
          }
        } else {
          int start = i;
          while (i < n && isDigit(format.charAt(i))) {
            i++;
          }
          prec = i > start ? Integer.parseInt(format.substring(start, Math.min(i, start + 6))) : 0;
        }
      }
      if (i >= n) {
        out.append("%!(NOVERB)");
        break;
      }
      int verb = format.codePointAt(i);
      i += Character.charCount(verb);
      if (verb == '%') {
        out.append('%');
        continue;
      }
      if (argi >= values.size()) {
        out.append("%!").appendCodePoint(verb).append("(MISSING)");
        continue;
      }
      Arg arg = convert(values.get(argi++));
      Spec spec = new Spec(plus, minus, sharp, space, zero, width, prec);
      out.append(format(arg, verb, spec));
    }
    if (argi < values.size()) {
      out.append("%!(EXTRA ");
      for (int k = argi; k < values.size(); k++) {
        Arg a = convert(values.get(k));
        if (k > argi) {
          out.append(", ");
        }
        out.append(a.goType).append('=').append(plain(a));
      }
      out.append(')');
    }
    return out.toString();
  }

  /** Go's fmt rejects widths and precisions above a million. */
  private static final BigInteger MAX_WIDTH = BigInteger.valueOf(1_000_000);

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int rune(BigInteger v) {
    return v.bitLength() < 32 && Character.isValidCodePoint(v.intValue()) ? v.intValue() : 0xFFFD;
  }

  private record Spec(boolean plus, boolean minus, boolean sharp, boolean space, boolean zero,
      int width, int prec) {
  }

  private static String plain(Arg a) {
    if (a.i != null) {
      return a.i.toString();
    }
    if (a.f != null) {
      return shortestG(a.f, -1, false);
    }
    return a.s;
  }

  private static String bad(Arg a, int verb) {
    return "%!" + new String(Character.toChars(verb)) + "(" + a.goType + "=" + plain(a) + ")";
  }

  private static String format(Arg a, int verb, Spec sp) {
    if (a.i != null) {
      return formatInt(a, verb, sp);
    }
    if (a.f != null) {
      return formatFloat(a, verb, sp);
    }
    return formatString(a, verb, sp);
  }

  private static String formatInt(Arg a, int verb, Spec sp) {
    BigInteger v = a.i;
    if (a.goType.equals("*big.Int")) {
      // big.Int's own Format: s and v print decimal; anything else it does not know
      if (verb == 's') {
        verb = 'd';
      } else if ("bdoOxXv".indexOf(verb) < 0) {
        return "%!" + new String(Character.toChars(verb)) + "(big.Int=" + v + ")";
      }
    }
    String digits;
    String prefix = "";
    switch (verb) {
      case 'v', 'd' -> digits = v.abs().toString();
      case 'b' -> digits = v.abs().toString(2);
      case 'o', 'O' -> {
        digits = v.abs().toString(8);
        if (verb == 'O') {
          prefix = "0o";
        } else if (sp.sharp) {
          prefix = "0";
        }
      }
      case 'x' -> {
        digits = v.abs().toString(16);
        prefix = sp.sharp ? "0x" : "";
      }
      case 'X' -> {
        digits = v.abs().toString(16).toUpperCase();
        prefix = sp.sharp ? "0X" : "";
      }
      case 'c' -> {
        return pad(new String(Character.toChars(rune(v))), sp);
      }
      case 'q' -> {
        return pad(quoteRune(rune(v)), sp);
      }
      case 'U' -> {
        String h = v.toString(16).toUpperCase();
        return pad("U+" + "0000".substring(Math.min(4, h.length())) + h, sp);
      }
      default -> {
        return bad(a, verb);
      }
    }
    if (sp.prec >= 0) {
      if (sp.prec == 0 && v.signum() == 0) {
        digits = "";
      }
      while (digits.length() < sp.prec) {
        digits = "0" + digits;
      }
    }
    String sign = v.signum() < 0 ? "-" : sp.plus ? "+" : sp.space ? " " : "";
    return padNumber(sign, prefix + digits, sp, sp.prec < 0);
  }

  private static String formatFloat(Arg a, int verb, Spec sp) {
    double d = a.f;
    String body;
    switch (verb) {
      case 'v', 'g' -> body = shortestG(Math.abs(d), sp.prec, false);
      case 'G' -> body = shortestG(Math.abs(d), sp.prec, true);
      case 'f', 'F' -> body = fixed(Math.abs(d), sp.prec < 0 ? 6 : sp.prec);
      case 'e' -> body = exp(Math.abs(d), sp.prec < 0 ? 6 : sp.prec, false);
      case 'E' -> body = exp(Math.abs(d), sp.prec < 0 ? 6 : sp.prec, true);
      default -> {
        return bad(a, verb);
      }
    }
    boolean neg = d < 0 || (d == 0 && 1 / d < 0);
    String sign = neg ? "-" : sp.plus ? "+" : sp.space ? " " : "";
    return padNumber(sign, body, sp, true);
  }

  private static String formatString(Arg a, int verb, Spec sp) {
    String s = a.s;
    switch (verb) {
      case 'v', 's' -> {
        if (sp.prec >= 0 && s.codePointCount(0, s.length()) > sp.prec) {
          s = s.substring(0, s.offsetByCodePoints(0, sp.prec));
        }
        return pad(s, sp);
      }
      case 'q' -> {
        return pad(sp.sharp && s.indexOf('`') < 0 ? "`" + s + "`" : quote(s, sp.plus), sp);
      }
      case 'x', 'X' -> {
        StringBuilder sb = new StringBuilder();
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int limit = sp.prec >= 0 ? Math.min(sp.prec, bytes.length) : bytes.length;
        for (int k = 0; k < limit; k++) {
          if (k > 0 && sp.space) {
            sb.append(' ');
          }
          if (sp.sharp && (k == 0 || sp.space)) {
            sb.append(verb == 'x' ? "0x" : "0X");
          }
          String h = String.format("%02x", bytes[k] & 0xff);
          sb.append(verb == 'X' ? h.toUpperCase() : h);
        }
        return pad(sb.toString(), sp);
      }
      default -> {
        return bad(a, verb);
      }
    }
  }

  /** Pads to the width: spaces, or zeros with the 0 flag (Go pads strings with zeros too). */
  private static String pad(String s, Spec sp) {
    int len = s.codePointCount(0, s.length());
    if (sp.width <= len) {
      return s;
    }
    if (sp.minus) {
      return s + " ".repeat(sp.width - len);
    }
    return (sp.zero ? "0" : " ").repeat(sp.width - len) + s;
  }

  private static String padNumber(String sign, String body, Spec sp, boolean zeroOk) {
    int len = sign.length() + body.length();
    if (sp.width <= len) {
      return sign + body;
    }
    int fill = sp.width - len;
    if (sp.minus) {
      return sign + body + " ".repeat(fill);
    }
    if (sp.zero && zeroOk && !body.equals("Inf") && !body.equals("NaN")) {
      return sign + "0".repeat(fill) + body;
    }
    return " ".repeat(fill) + sign + body;
  }

  // ------------------------------------------------------------------ floats

  private static String fixed(double d, int prec) {
    if (Double.isInfinite(d)) {
      return "Inf";
    }
    if (Double.isNaN(d)) {
      return "NaN";
    }
    return new BigDecimal(d).setScale(prec, RoundingMode.HALF_EVEN).toPlainString();
  }

  /** Go's %e: d.dddddde+XX. */
  private static String exp(double d, int prec, boolean upper) {
    if (Double.isInfinite(d)) {
      return "Inf";
    }
    BigDecimal v = new BigDecimal(d);
    return expOf(v, prec, upper);
  }

  private static String expOf(BigDecimal v, int prec, boolean upper) {
    int e;
    String digits;
    if (v.signum() == 0) {
      e = 0;
      digits = "0".repeat(prec + 1);
    } else {
      BigDecimal r = v.round(new java.math.MathContext(prec + 1, RoundingMode.HALF_EVEN));
      e = r.precision() - r.scale() - 1;
      digits = r.unscaledValue().abs().toString();
      while (digits.length() < prec + 1) {
        digits = digits + "0";
      }
      digits = digits.substring(0, prec + 1);
    }
    StringBuilder sb = new StringBuilder();
    sb.append(digits.charAt(0));
    if (prec > 0) {
      sb.append('.').append(digits, 1, digits.length());
    }
    sb.append(upper ? 'E' : 'e').append(e < 0 ? '-' : '+');
    int ae = Math.abs(e);
    if (ae < 10) {
      sb.append('0');
    }
    return sb.append(ae).toString();
  }

  /** Go's %g (shortest digits when prec &lt; 0, which is %v's format for floats). */
  static String shortestG(double d, int prec, boolean upper) {
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (d == 0) {
      return "0";
    }
    BigDecimal v;
    int eprec;
    if (prec < 0) {
      v = new BigDecimal(Double.toString(d)).stripTrailingZeros();
      eprec = 6;
    } else {
      int p = prec == 0 ? 1 : prec;
      v = new BigDecimal(d).round(new java.math.MathContext(p, RoundingMode.HALF_EVEN))
          .stripTrailingZeros();
      eprec = p;
    }
    int exp = v.precision() - v.scale() - 1;
    if (exp < -4 || exp >= eprec) {
      return expOf(v, v.precision() - 1, upper);
    }
    return v.toPlainString();
  }

  // ------------------------------------------------------------------ quoting

  /** Go's strconv.Quote. */
  static String quote(String s, boolean ascii) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      appendEscaped(sb, c, '"', ascii);
    }
    return sb.append('"').toString();
  }

  private static String quoteRune(int c) {
    StringBuilder sb = new StringBuilder().append('\'');
    appendEscaped(sb, c, '\'', false);
    return sb.append('\'').toString();
  }

  private static void appendEscaped(StringBuilder sb, int c, char q, boolean ascii) {
    if (c == q || c == '\\') {
      sb.append('\\').appendCodePoint(c);
      return;
    }
    switch (c) {
      case 7 -> sb.append("\\a");
      case '\b' -> sb.append("\\b");
      case '\f' -> sb.append("\\f");
      case '\n' -> sb.append("\\n");
      case '\r' -> sb.append("\\r");
      case '\t' -> sb.append("\\t");
      case 0x0B -> sb.append("\\v");
      default -> {
        if (c < 0x20 || c == 0x7f) {
          sb.append(String.format("\\x%02x", c));
        } else if (c < 0x80 || (!ascii && isPrint(c))) {
          sb.appendCodePoint(c);
        } else if (c < 0x10000) {
          sb.append(String.format("\\u%04x", c));
        } else {
          sb.append(String.format("\\U%08x", c));
        }
      }
    }
  }

  private static boolean isPrint(int c) {
    int t = Character.getType(c);
    return t != Character.CONTROL && t != Character.FORMAT && t != Character.UNASSIGNED
        && t != Character.PRIVATE_USE && t != Character.SURROGATE
        && t != Character.LINE_SEPARATOR && t != Character.PARAGRAPH_SEPARATOR
        && (t != Character.SPACE_SEPARATOR || c == ' ');
  }
}
