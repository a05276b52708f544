package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinContext;
import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.RegoError;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.StrV;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Regular expressions with Go RE2 syntax, run on {@code java.util.regex} after translation
 * ({@link #translate}). Compiled patterns are cached process-wide ({@link PatternCache}).
 */
final class Regex {
  private Regex() {
  }

  static void register(Builtins.Registrar r) {
    r.add("regex.match", 2, (ctx, a) -> match("regex.match", ctx, a));
    r.add("re_match", 2, (ctx, a) -> match("re_match", ctx, a));
    r.add("regex.is_valid", 1, (ctx, a) -> {
      if (!(a[0] instanceof StrV s)) {
        return Value.FALSE;
      }
      try {
        compile(s.value());
        return Value.TRUE;
      } catch (IllegalArgumentException e) {
        return Value.FALSE;
      }
    });
    r.add("regex.find_n", 3, (ctx, a) -> {
      String name = "regex.find_n";
      String pat = Args.str(name, a, 0);
      String s = Args.str(name, a, 1);
      int n = Args.integer(name, a, 2);
      Pattern p = pattern(name, ctx, pat);
      List<Value> out = new ArrayList<>();
      for (int[] m : findAll(p, s, n)) {
        out.add(Args.s(s.substring(m[0], m[1])));
      }
      return new Value.ArrV(out);
    });
    r.add("regex.find_all_string_submatch_n", 3, (ctx, a) -> {
      String name = "regex.find_all_string_submatch_n";
      String pat = Args.str(name, a, 0);
      String s = Args.str(name, a, 1);
      int n = Args.integer(name, a, 2);
      Pattern p = pattern(name, ctx, pat);
      List<Value> out = new ArrayList<>();
      for (int[] m : findAll(p, s, n)) {
        List<Value> groups = new ArrayList<>(m.length / 2);
        for (int g = 0; g < m.length; g += 2) {
          groups.add(m[g] < 0 ? StrV.EMPTY : Args.s(s.substring(m[g], m[g + 1])));
        }
        out.add(new Value.ArrV(groups));
      }
      return new Value.ArrV(out);
    });
    r.add("regex.split", 2, (ctx, a) -> {
      String pat = Args.str("regex.split", a, 0);
      String s = Args.str("regex.split", a, 1);
      Pattern p = pattern("regex.split", ctx, pat);
      List<Value> out = new ArrayList<>();
      if (!pat.isEmpty() && s.isEmpty()) {
        out.add(StrV.EMPTY);
        return new Value.ArrV(out);
      }
      int beg = 0;
      int end = 0;
      for (int[] m : findAll(p, s, -1)) {
        end = m[0];
        if (m[1] != 0) {
          out.add(Args.s(s.substring(beg, end)));
        }
        beg = m[1];
      }
      if (end != s.length()) {
        out.add(Args.s(s.substring(beg)));
      }
      return new Value.ArrV(out);
    });
    r.add("regex.replace", 3, (ctx, a) -> {
      String s = Args.str("regex.replace", a, 0);
      String pat = Args.str("regex.replace", a, 1);
      String repl = Args.str("regex.replace", a, 2);
      Pattern p = pattern("regex.replace", ctx, pat);
      StringBuilder sb = new StringBuilder(s.length());
      int last = 0;
      for (int[] m : findAll(p, s, -1)) {
        sb.append(s, last, m[0]);
        expand(sb, repl, s, m, p);
        last = m[1];
      }
      if (last == 0 && sb.length() == 0) {
        return a[0];
      }
      sb.append(s, last, s.length());
      return Args.s(sb.toString());
    });
    r.add("regex.template_match", 4, (ctx, a) -> {
      String name = "regex.template_match";
      String tpl = Args.str(name, a, 0);
      String s = Args.str(name, a, 1);
      String start = Args.str(name, a, 2);
      String end = Args.str(name, a, 3);
      if (start.length() != 1) {
        throw BuiltinError.builtin(name, "start delimiter has to be exactly one character long but is "
            + start.length() + " long");
      }
      if (end.length() != 1) {
        throw BuiltinError.builtin(name, "end delimiter has to be exactly one character long but is "
            + start.length() + " long");
      }
      Pattern p = ctx.<List<String>, Pattern>memo(List.of("regex.template", tpl, start, end),
          k -> template(name, tpl, start.charAt(0), end.charAt(0)));
      return Value.bool(p.matcher(s).find());
    });
  }

  private static Value match(String name, BuiltinContext ctx, Value[] a) {
    String pat = Args.str(name, a, 0);
    String s = Args.str(name, a, 1);
    return Value.bool(pattern(name, ctx, pat).matcher(s).find());
  }

  /** The compiled pattern, memoised per query; a syntax error is a built-in error. */
  private static final PatternCache<String, Object> CACHE = new PatternCache<>(500);

  /** The compiled pattern (cached process-wide); a syntax error is a built-in error. */
  static Pattern pattern(String name, BuiltinContext ctx, String pat) {
    Object p = CACHE.get(pat, k -> {
      try {
        return compile(pat);
      } catch (PatternSyntaxException e) {
        return "error parsing regexp: " + e.getDescription() + ": `" + pat + "`";
      } catch (IllegalArgumentException e) {
        return "error parsing regexp: " + e.getMessage();
      }
    });
    if (p instanceof String err) {
      throw BuiltinError.builtin(name, err);
    }
    return (Pattern) p;
  }

  static Pattern compile(String goPattern) {
    return Pattern.compile(translate(goPattern), Pattern.UNIX_LINES);
  }

  /**
   * Translates RE2 syntax to java.util.regex: {@code (?P<n>} named groups, POSIX classes, a
   * literal {@code [} or {@code &&} inside classes, and {@code $} meaning end of text unless the
   * pattern turns on multi-line mode. Constructs RE2 rejects (look-around, back-references,
   * atomic groups, possessive quantifiers) are rejected here too.
   */
  static String translate(String p) {
    StringBuilder sb = new StringBuilder(p.length() + 8);
    boolean multiline = p.contains("(?m") || p.matches(".*\\(\\?[a-zA-Z]*m[a-zA-Z-]*[:)].*");
    int i = 0;
    int n = p.length();
    while (i < n) {
      char c = p.charAt(i);
      if (c == '\\') {
        if (i + 1 >= n) {
          throw new IllegalArgumentException("trailing backslash at end of expression");
        }
        char d = p.charAt(i + 1);
        if (d >= '1' && d <= '9' || d == 'Z' || d == 'k' || d == 'R' || d == 'X' || d == 'G'
            || d == 'h' || d == 'H' || d == 'V' || d == 'e' || d == 'c') {
          throw new IllegalArgumentException("invalid escape sequence: `\\" + d + "`");
        }
        if (d == 'Q') {
          int e = p.indexOf("\\E", i + 2);
          int stop = e < 0 ? n : e;
          sb.append(Pattern.quote(p.substring(i + 2, stop)));
          i = e < 0 ? n : e + 2;
          continue;
        }
        if (d == 'z') {
          sb.append("\\z");
        } else {
          sb.append(c).append(d);
        }
        i += 2;
        continue;
      }
      if (c == '[') {
        i = translateClass(p, i, sb);
        continue;
      }
      if (c == '(' && i + 2 < n && p.charAt(i + 1) == '?') {
        char d = p.charAt(i + 2);
        if (d == 'P' && i + 3 < n && p.charAt(i + 3) == '<') {
          sb.append("(?<");
          i += 4;
          continue;
        }
        if (d == '=' || d == '!' || d == '>' || (d == '<' && i + 3 < n
            && (p.charAt(i + 3) == '=' || p.charAt(i + 3) == '!'))) {
          throw new IllegalArgumentException("invalid or unsupported Perl syntax: `(?" + d + "`");
        }
      }
      if ((c == '+' || c == '*' || c == '?' || c == '}') && i + 1 < n && p.charAt(i + 1) == '+') {
        throw new IllegalArgumentException("invalid nested repetition operator: `" + c + "+`");
      }
      if (c == '$' && !multiline) {
        sb.append("\\z");
        i++;
        continue;
      }
      sb.append(c);
      i++;
    }
    return sb.toString();
  }

  private static int translateClass(String p, int i, StringBuilder sb) {
    int n = p.length();
    sb.append('[');
    i++;
    if (i < n && p.charAt(i) == '^') {
      sb.append('^');
      i++;
    }
    boolean first = true;
    while (i < n) {
      char c = p.charAt(i);
      if (c == ']') {
        if (!first) {
          sb.append(']');
          return i + 1;
        }
        sb.append("\\]");
        first = false;
        i++;
        continue;
      }
      first = false;
      if (c == '[' && i + 1 < n && p.charAt(i + 1) == ':') {
        int e = p.indexOf(":]", i + 2);
        if (e > 0) {
          String name = p.substring(i + 2, e);
          boolean neg = name.startsWith("^");
          String cls = posix(neg ? name.substring(1) : name);
          if (cls == null) {
            throw new IllegalArgumentException("invalid character class range: `[:" + name + ":]`");
          }
          sb.append(neg ? "\\P{" : "\\p{").append(cls).append('}');
          i = e + 2;
          continue;
        }
      }
      if (c == '\\' && i + 1 < n) {
        sb.append(c).append(p.charAt(i + 1));
        i += 2;
        continue;
      }
      if (c == '[' || c == '&' || c == '^' && !first) {
        sb.append('\\').append(c);
        i++;
        continue;
      }
      sb.append(c);
      i++;
    }
    throw new IllegalArgumentException("missing closing ]: `" + p.substring(p.lastIndexOf('[')) + "`");
  }

  private static String posix(String name) {
    return switch (name) {
      case "alnum" -> "Alnum";
      case "alpha" -> "Alpha";
      case "ascii" -> "ASCII";
      case "blank" -> "Blank";
      case "cntrl" -> "Cntrl";
      case "digit" -> "Digit";
      case "graph" -> "Graph";
      case "lower" -> "Lower";
      case "print" -> "Print";
      case "punct" -> "Punct";
      case "space" -> "Space";
      case "upper" -> "Upper";
      case "word" -> "Alnum}_\\p{Alnum";
      case "xdigit" -> "XDigit";
      default -> null;
    };
  }

  /**
   * Go's FindAll: match positions as {start, end, g1start, g1end, ...}; an empty match right
   * after the previous match is skipped; {@code n < 0} means all.
   */
  static List<int[]> findAll(Pattern p, String s, int n) {
    List<int[]> out = new ArrayList<>();
    if (n == 0) {
      return out;
    }
    Matcher m = p.matcher(s);
    int prevEnd = -1;
    while (m.find()) {
      if (m.start() == m.end() && m.start() == prevEnd) {
        continue;
      }
      int[] pos = new int[(m.groupCount() + 1) * 2];
      for (int g = 0; g <= m.groupCount(); g++) {
        pos[2 * g] = m.start(g);
        pos[2 * g + 1] = m.end(g);
      }
      out.add(pos);
      prevEnd = m.end();
      if (n > 0 && out.size() >= n) {
        break;
      }
    }
    return out;
  }

  /** Go's Regexp.Expand: $1, ${1}, $name, ${name}, $$. */
  private static void expand(StringBuilder sb, String tpl, String s, int[] m, Pattern p) {
    int i = 0;
    int n = tpl.length();
    while (i < n) {
      char c = tpl.charAt(i);
      if (c != '$' || i + 1 >= n) {
        sb.append(c);
        i++;
        continue;
      }
      if (tpl.charAt(i + 1) == '$') {
        sb.append('$');
        i += 2;
        continue;
      }
      String name;
      int next;
      if (tpl.charAt(i + 1) == '{') {
        int e = tpl.indexOf('}', i + 2);
        if (e < 0) {
          sb.append(c);
          i++;
          continue;
        }
        name = tpl.substring(i + 2, e);
        next = e + 1;
      } else {
        int j = i + 1;
        while (j < n && (Character.isLetterOrDigit(tpl.charAt(j)) || tpl.charAt(j) == '_')) {
          j++;
        }
        name = tpl.substring(i + 1, j);
        next = j;
      }
      if (name.isEmpty()) {
        sb.append(c);
        i++;
        continue;
      }
      int g = -1;
      if (name.chars().allMatch(Character::isDigit)) {
        try {
          g = Integer.parseInt(name);
        } catch (NumberFormatException e) {
          g = -1;
        }
      } else {
        g = groupIndex(p.pattern(), name);
      }
      if (g >= 0 && 2 * g + 1 < m.length && m[2 * g] >= 0) {
        sb.append(s, m[2 * g], m[2 * g + 1]);
      }
      i = next;
    }
  }

  /** The number of the capturing group called {@code name} in a Java pattern, or -1. */
  static int groupIndex(String javaPattern, String name) {
    int count = 0;
    boolean inClass = false;
    for (int i = 0; i < javaPattern.length(); i++) {
      char c = javaPattern.charAt(i);
      if (c == '\\') {
        if (javaPattern.startsWith("Q", i + 1)) {
          int e = javaPattern.indexOf("\\E", i + 2);
          i = e < 0 ? javaPattern.length() : e + 1;
        } else {
          i++;
        }
      } else if (inClass) {
        inClass = c != ']';
      } else if (c == '[') {
        inClass = true;
        if (javaPattern.startsWith("]", i + 1) || javaPattern.startsWith("^]", i + 1)) {
          i += javaPattern.charAt(i + 1) == '^' ? 2 : 1;
        }
      } else if (c == '(') {
        if (!javaPattern.startsWith("?", i + 1)) {
          count++;
        } else if (javaPattern.startsWith("?<", i + 1) && !javaPattern.startsWith("?<=", i + 1)
            && !javaPattern.startsWith("?<!", i + 1)) {
          count++;
          if (javaPattern.startsWith("?<" + name + ">", i + 1)) {
            return count;
          }
        }
      }
    }
    return -1;
  }

  private static Pattern template(String name, String tpl, char start, char end) {
    List<Integer> idx = new ArrayList<>();
    int level = 0;
    int open = 0;
    for (int i = 0; i < tpl.length(); i++) {
      char c = tpl.charAt(i);
      if (c == start) {
        if (++level == 1) {
          open = i;
        }
      } else if (c == end) {
        if (--level == 0) {
          idx.add(open);
          idx.add(i + 1);
        } else if (level < 0) {
          throw BuiltinError.builtin(name, "unbalanced braces in " + GoFmt.quote(tpl, false));
        }
      }
    }
    if (level != 0) {
      throw BuiltinError.builtin(name, "unbalanced braces in " + GoFmt.quote(tpl, false));
    }
    StringBuilder sb = new StringBuilder("^");
    int last = 0;
    for (int i = 0; i < idx.size(); i += 2) {
      String raw = tpl.substring(last, idx.get(i));
      last = idx.get(i + 1);
      String patt = tpl.substring(idx.get(i) + 1, last - 1);
      sb.append(raw.isEmpty() ? "" : Pattern.quote(raw)).append("(?:").append(translate(patt))
          .append(')');
    }
    String raw = tpl.substring(last);
    sb.append(raw.isEmpty() ? "" : Pattern.quote(raw)).append("\\z");
    try {
      return Pattern.compile(sb.toString(), Pattern.UNIX_LINES);
    } catch (PatternSyntaxException e) {
      throw BuiltinError.builtin(name, "error parsing regexp: " + e.getDescription());
    }
  }
}
