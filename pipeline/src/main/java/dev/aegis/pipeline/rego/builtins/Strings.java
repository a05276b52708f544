package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.ObjV;
import dev.aegis.pipeline.rego.Value.SetV;
import dev.aegis.pipeline.rego.Value.StrV;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** String functions, with Go's semantics (indices count code points, not UTF-16 units). */
final class Strings {
  private Strings() {
  }

  static void register(Builtins.Registrar r) {
    r.add("concat", 2, (ctx, a) -> concat(a));
    r.add("contains", 2, (ctx, a) ->
        Value.bool(Args.str("contains", a, 0).contains(Args.str("contains", a, 1))));
    r.add("startswith", 2, (ctx, a) ->
        Value.bool(Args.str("startswith", a, 0).startsWith(Args.str("startswith", a, 1))));
    r.add("endswith", 2, (ctx, a) ->
        Value.bool(Args.str("endswith", a, 0).endsWith(Args.str("endswith", a, 1))));
    r.add("format_int", 2, (ctx, a) -> formatInt(a));
    r.add("indexof", 2, (ctx, a) -> indexOf(a));
    r.add("indexof_n", 2, (ctx, a) -> indexOfN(a));
    r.add("lower", 1, (ctx, a) -> same(a[0], mapCase(Args.str("lower", a, 0), false)));
    r.add("upper", 1, (ctx, a) -> same(a[0], mapCase(Args.str("upper", a, 0), true)));
    r.add("replace", 3, (ctx, a) -> {
      String s = Args.str("replace", a, 0);
      String old = Args.str("replace", a, 1);
      String nu = Args.str("replace", a, 2);
      return same(a[0], replaceAll("replace", s, List.of(old), List.of(nu)));
    });
    r.add("split", 2, (ctx, a) -> {
      String s = Args.str("split", a, 0);
      String d = Args.str("split", a, 1);
      return strings(split(s, d));
    });
    r.add("strings.split_n", 3, (ctx, a) -> splitN(a));
    r.add("sprintf", 2, (ctx, a) -> {
      String f = Args.str("sprintf", a, 0);
      ArrV args = Args.arr("sprintf", a, 1);
      return Args.s(GoFmt.sprintf(f, args.items()));
    });
    r.add("strings.any_prefix_match", 2, (ctx, a) -> anyMatch("strings.any_prefix_match", a, true));
    r.add("strings.any_suffix_match", 2, (ctx, a) -> anyMatch("strings.any_suffix_match", a, false));
    r.add("strings.replace_n", 2, (ctx, a) -> replaceN(a));
    r.add("strings.reverse", 1, (ctx, a) -> {
      String s = Args.str("strings.reverse", a, 0);
      return Args.s(new StringBuilder(s).reverse().toString());
    });
    r.add("strings.count", 2, (ctx, a) -> {
      String s = Args.str("strings.count", a, 0);
      String sub = Args.str("strings.count", a, 1);
      if (sub.isEmpty()) {
        return NumV.of(s.codePointCount(0, s.length()) + 1L);
      }
      int n = 0;
      for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
        n++;
      }
      return NumV.of(n);
    });
    r.add("substring", 3, (ctx, a) -> substring(a));
    r.add("trim", 2, (ctx, a) -> trim("trim", a, true, true));
    r.add("trim_left", 2, (ctx, a) -> trim("trim_left", a, true, false));
    r.add("trim_right", 2, (ctx, a) -> trim("trim_right", a, false, true));
    r.add("trim_prefix", 2, (ctx, a) -> {
      String s = Args.str("trim_prefix", a, 0);
      String p = Args.str("trim_prefix", a, 1);
      return s.startsWith(p) && !p.isEmpty() ? Args.s(s.substring(p.length())) : a[0];
    });
    r.add("trim_suffix", 2, (ctx, a) -> {
      String s = Args.str("trim_suffix", a, 0);
      String p = Args.str("trim_suffix", a, 1);
      return s.endsWith(p) && !p.isEmpty() ? Args.s(s.substring(0, s.length() - p.length())) : a[0];
    });
    r.add("trim_space", 1, (ctx, a) -> {
      String s = Args.str("trim_space", a, 0);
      int i = 0;
      int j = s.length();
      while (i < j && isSpace(s.codePointAt(i))) {
        i += Character.charCount(s.codePointAt(i));
      }
      while (j > i && isSpace(s.codePointBefore(j))) {
        j -= Character.charCount(s.codePointBefore(j));
      }
      return i == 0 && j == s.length() ? a[0] : Args.s(s.substring(i, j));
    });
  }

  /** Go's strings.ToUpper/ToLower: simple one-to-one case mapping per code point. */
  static String mapCase(String s, boolean upper) {
    boolean ascii = true;
    for (int i = 0; i < s.length() && ascii; i++) {
      ascii = s.charAt(i) < 0x80;
    }
    if (ascii) {
      return upper ? s.toUpperCase(Locale.ROOT) : s.toLowerCase(Locale.ROOT);
    }
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().forEach(c -> sb.appendCodePoint(
        upper ? Character.toUpperCase(c) : Character.toLowerCase(c)));
    return sb.toString();
  }

  private static Value same(Value orig, String result) {
    return ((StrV) orig).value().equals(result) ? orig : Args.s(result);
  }

  static ArrV strings(List<String> parts) {
    List<Value> out = new ArrayList<>(parts.size());
    for (String p : parts) {
      out.add(Args.s(p));
    }
    return new ArrV(out);
  }

  /** Go's unicode.IsSpace. */
  static boolean isSpace(int c) {
    switch (c) {
      case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0, 0x2028, 0x2029:
        return true;
      default:
        return c > 0xFF && Character.getType(c) == Character.SPACE_SEPARATOR;
    }
  }

  private static Value concat(Value[] a) {
    String sep = Args.str("concat", a, 0);
    Value coll = a[1];
    if (!(coll instanceof ArrV) && !(coll instanceof SetV)) {
      throw Args.oneOf("concat", 2, coll, "set", "array");
    }
    StringBuilder sb = new StringBuilder();
    boolean first = true;
    @SuppressWarnings("unchecked")
    Iterable<Value> items = (Iterable<Value>) coll;
    for (Value v : items) {
      if (!(v instanceof StrV s)) {
        throw Args.element("concat", 2, coll, v, "string");
      }
      if (!first) {
        sb.append(sep);
      }
      first = false;
      sb.append(s.value());
    }
    return Args.s(sb.toString());
  }

  private static Value formatInt(Value[] a) {
    NumV in = Args.num("format_int", a, 0);
    NumV base = Args.num("format_int", a, 1);
    Integer b = base.value().scale() == 0 ? base.intValueExact() : null;
    int radix;
    if (b != null && (b == 2 || b == 8 || b == 10 || b == 16)) {
      radix = b;
    } else {
      throw Args.operandErr("format_int", 2, "must be one of {2, 8, 10, 16}");
    }
    if (Arithmetic.huge(in.value())) {
      throw BuiltinError.builtin("format_int", "operand 1 is too large");
    }
    BigInteger i = in.value().toBigInteger();
    return Args.s(i.toString(radix));
  }

  /** Code-point index of the first occurrence, or -1. */
  private static Value indexOf(Value[] a) {
    String s = Args.str("indexof", a, 0);
    String sub = Args.str("indexof", a, 1);
    if (sub.isEmpty()) {
      throw BuiltinError.builtin("indexof", "empty search character");
    }
    int i = s.indexOf(sub);
    return NumV.of(i < 0 ? -1 : s.codePointCount(0, i));
  }

  private static Value indexOfN(Value[] a) {
    String s = Args.str("indexof_n", a, 0);
    String sub = Args.str("indexof_n", a, 1);
    if (sub.isEmpty()) {
      throw BuiltinError.builtin("indexof_n", "empty search character");
    }
    List<Value> out = new ArrayList<>();
    for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + Character.charCount(s.codePointAt(i)))) {
      out.add(NumV.of(s.codePointCount(0, i)));
    }
    return new ArrV(out);
  }

  /** Go's strings.Split. */
  static List<String> split(String s, String d) {
    List<String> out = new ArrayList<>();
    if (d.isEmpty()) {
      for (int i = 0; i < s.length(); ) {
        int n = Character.charCount(s.codePointAt(i));
        out.add(s.substring(i, i + n));
        i += n;
      }
      return out;
    }
    int start = 0;
    for (int i = s.indexOf(d); i >= 0; i = s.indexOf(d, start)) {
      out.add(s.substring(start, i));
      start = i + d.length();
    }
    out.add(s.substring(start));
    return out;
  }

  private static Value splitN(Value[] a) {
    String s = Args.str("strings.split_n", a, 0);
    String d = Args.str("strings.split_n", a, 1);
    int n = Args.integer("strings.split_n", a, 2);
    List<String> parts = split(s, d);
    if (n == 0) {
      return Value.EMPTY_ARRAY;
    }
    if (n > 0) {
      return strings(parts.subList(0, Math.min(n, parts.size())));
    }
    int k = (int) Math.min(-(long) n, parts.size());
    return strings(parts.subList(parts.size() - k, parts.size()));
  }

  private static List<String> stringList(String name, Value v, int pos) {
    List<String> out = new ArrayList<>();
    if (v instanceof StrV s) {
      out.add(s.value());
      return out;
    }
    if (!(v instanceof ArrV) && !(v instanceof SetV)) {
      throw Args.oneOf(name, pos, v, "string", "set", "array");
    }
    @SuppressWarnings("unchecked")
    Iterable<Value> items = (Iterable<Value>) v;
    for (Value x : items) {
      if (!(x instanceof StrV s)) {
        throw Args.element(name, pos, v, x, "string");
      }
      out.add(s.value());
    }
    return out;
  }

  private static Value anyMatch(String name, Value[] a, boolean prefix) {
    List<String> strs = stringList(name, a[0], 1);
    List<String> fixes = stringList(name, a[1], 2);
    for (String s : strs) {
      for (String f : fixes) {
        if (prefix ? s.startsWith(f) : s.endsWith(f)) {
          return Value.TRUE;
        }
      }
    }
    return Value.FALSE;
  }

  private static Value replaceN(Value[] a) {
    ObjV patterns = Args.obj("strings.replace_n", a, 0);
    String s = Args.str("strings.replace_n", a, 1);
    List<String> olds = new ArrayList<>(patterns.size());
    List<String> news = new ArrayList<>(patterns.size());
    for (Map.Entry<Value, Value> e : patterns.map().entrySet()) {
      if (!(e.getKey() instanceof StrV k)) {
        throw Args.operandErr("strings.replace_n", 1, "non-string key found in pattern object");
      }
      if (!(e.getValue() instanceof StrV v)) {
        throw Args.operandErr("strings.replace_n", 1, "non-string value found in pattern object");
      }
      olds.add(k.value());
      news.add(v.value());
    }
    return Args.s(replaceAll("strings.replace_n", s, olds, news));
  }

  /**
   * Go's strings.NewReplacer: left to right, at each position the first pattern (in order) that
   * matches is replaced; replacements are not rescanned. An empty pattern matches between runes,
   * after which the other patterns are still tried at the same position.
   */
  static String replaceAll(String name, String s, List<String> olds, List<String> news) {
    if (olds.size() == 1) {
      String old = olds.get(0);
      if (!old.isEmpty()) {
        int first = s.indexOf(old);
        if (first < 0) {
          return s;
        }
        int growth = news.get(0).length() - old.length();
        if (growth > 0) {
          long size = s.length();
          for (int i = first; i >= 0; i = s.indexOf(old, i + old.length())) {
            size += growth;
          }
          if (size > Args.MAX_RESULT_CHARS) {
            throw Args.tooLarge(name);
          }
        }
        return s.replace(old, news.get(0));
      }
    }
    StringBuilder sb = new StringBuilder(s.length());
    int i = 0;
    boolean lastEmpty = false;
    while (i <= s.length()) {
      int match = -1;
      for (int k = 0; k < olds.size(); k++) {
        String o = olds.get(k);
        if (o.isEmpty() ? !lastEmpty : s.startsWith(o, i)) {
          match = k;
          break;
        }
      }
      if (match >= 0) {
        String o = olds.get(match);
        sb.append(news.get(match));
        Args.checkSize(name, sb);
        // after an empty match, look again at the same position without the empty pattern
        lastEmpty = o.isEmpty();
        i += o.length();
        continue;
      }
      if (i == s.length()) {
        break;
      }
      int n = Character.charCount(s.codePointAt(i));
      sb.append(s, i, i + n);
      i += n;
      lastEmpty = false;
    }
    return sb.toString();
  }

  private static Value substring(Value[] a) {
    String s = Args.str("substring", a, 0);
    int start = Args.integer("substring", a, 1);
    int len = Args.integer("substring", a, 2);
    if (start < 0) {
      throw BuiltinError.builtin("substring", "negative offset");
    }
    int runes = s.codePointCount(0, s.length());
    if (start >= runes) {
      return StrV.EMPTY;
    }
    int from = s.offsetByCodePoints(0, start);
    if (len < 0 || (long) start + len >= runes) {
      return from == 0 ? a[0] : Args.s(s.substring(from));
    }
    int to = s.offsetByCodePoints(from, len);
    return Args.s(s.substring(from, to));
  }

  private static Value trim(String name, Value[] a, boolean left, boolean right) {
    String s = Args.str(name, a, 0);
    String cut = Args.str(name, a, 1);
    int i = 0;
    int j = s.length();
    if (left) {
      while (i < j && cut.indexOf(s.codePointAt(i)) >= 0) {
        i += Character.charCount(s.codePointAt(i));
      }
    }
    if (right) {
      while (j > i && cut.indexOf(s.codePointBefore(j)) >= 0) {
        j -= Character.charCount(s.codePointBefore(j));
      }
    }
    return i == 0 && j == s.length() ? a[0] : Args.s(s.substring(i, j));
  }
}
