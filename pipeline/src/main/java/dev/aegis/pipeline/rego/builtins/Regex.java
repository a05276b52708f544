package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinContext;
import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.StrV;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
      for (int[] m : findAll(name, p, s, n)) {
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
      for (int[] m : findAll(name, p, s, n)) {
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
      for (int[] m : findAll("regex.split", p, s, -1)) {
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
      Compiled c = compiled("regex.replace", pat);
      StringBuilder sb = new StringBuilder(s.length());
      int last = 0;
      for (int[] m : findAll("regex.replace", c.pattern(), s, -1)) {
        sb.append(s, last, m[0]);
        expand(sb, repl, s, m, c.names());
        Args.checkSize("regex.replace", sb);
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
      return Value.bool(p.matcher(BoundedInput.of(s, name)).find());
    });
  }

  private static Value match(String name, BuiltinContext ctx, Value[] a) {
    String pat = Args.str(name, a, 0);
    String s = Args.str(name, a, 1);
    return Value.bool(pattern(name, ctx, pat).matcher(BoundedInput.of(s, name)).find());
  }

  /** The compiled pattern, memoised per query; a syntax error is a built-in error. */
  private static final PatternCache<String, Object> CACHE = new PatternCache<>(500);

  /** The compiled pattern (cached process-wide); a syntax error is a built-in error. */
  static Pattern pattern(String name, BuiltinContext ctx, String pat) {
    return compiled(name, pat).pattern();
  }

  static Compiled compiled(String name, String pat) {
    Object p = CACHE.get(pat, k -> {
      try {
        return translateAndCompile(pat);
      } catch (PatternSyntaxException e) {
        return "error parsing regexp: " + e.getDescription() + ": `" + pat + "`";
      } catch (IllegalArgumentException e) {
        return "error parsing regexp: " + e.getMessage();
      }
    });
    if (p instanceof String err) {
      throw BuiltinError.builtin(name, err);
    }
    return (Compiled) p;
  }

  /** Only \n ends a line (for . ^ $), and (?i) folds case across Unicode as RE2's does. */
  static final int FLAGS = Pattern.UNIX_LINES | Pattern.UNICODE_CASE;

  static Pattern compile(String goPattern) {
    return translateAndCompile(goPattern).pattern();
  }

  /** A compiled RE2 pattern and the numbers of its named groups. */
  record Compiled(Pattern pattern, Map<String, Integer> names) {
  }

  static Compiled translateAndCompile(String goPattern) {
    Translator t = new Translator(goPattern);
    String java = t.run();
    return new Compiled(Pattern.compile(java, FLAGS), t.names);
  }

  /** The Java regex for an RE2 pattern (named groups become plain groups). */
  static String translate(String goPattern) {
    return new Translator(goPattern).run();
  }

  /**
   * Translates RE2 syntax to java.util.regex: named groups {@code (?P<n>} and {@code (?<n>}
   * become numbered groups (Java's group names are narrower than RE2's), octal escapes,
   * {@code \p{Greek}} scripts, POSIX classes, a literal {@code [} or {@code &} inside classes,
   * braces that are not a repetition as literals, and {@code $} meaning end of text unless the
   * pattern turns on multi-line mode. Constructs RE2 rejects (look-around, back-references,
   * atomic groups, possessive quantifiers) are rejected here too.
   */
  static final class Translator {
    private static final Pattern REPEAT = Pattern.compile("\\{\\d+(,\\d*)?\\}");
    private static final Pattern MULTILINE = Pattern.compile("\\(\\?[a-zA-Z]*m[a-zA-Z-]*[:)]");

    private final String p;
    private final StringBuilder sb;
    private final boolean multiline;
    final Map<String, Integer> names = new HashMap<>();
    private int groups;

    Translator(String p) {
      this.p = p;
      this.sb = new StringBuilder(p.length() + 8);
      this.multiline = MULTILINE.matcher(p).find();
    }

    String run() {
      int i = 0;
      int n = p.length();
      while (i < n) {
        char c = p.charAt(i);
        switch (c) {
          case '\\' -> i = escape(i, false);
          case '[' -> i = charClass(i);
          case '(' -> i = group(i);
          case '{' -> {
            Matcher m = REPEAT.matcher(p).region(i, n);
            if (m.lookingAt() && i > 0) {
              sb.append(m.group());
              i = m.end();
              if (i < n && p.charAt(i) == '+') {
                throw new IllegalArgumentException("invalid nested repetition operator: `}+`");
              }
            } else {
              sb.append("\\{");
              i++;
            }
          }
          case '}' -> {
            sb.append("\\}");
            i++;
          }
          case '$' -> {
            sb.append(multiline ? "$" : "\\z");
            i++;
          }
          case '+', '*', '?' -> {
            sb.append(c);
            i++;
            if (i < n && p.charAt(i) == '+') {
              throw new IllegalArgumentException("invalid nested repetition operator: `" + c + "+`");
            }
          }
          default -> {
            sb.append(c);
            i++;
          }
        }
      }
      return sb.toString();
    }

    private int group(int i) {
      int n = p.length();
      if (i + 1 < n && p.charAt(i + 1) == '?') {
        int nameStart = -1;
        if (p.startsWith("(?P<", i)) {
          nameStart = i + 4;
        } else if (p.startsWith("(?<", i) && !p.startsWith("(?<=", i) && !p.startsWith("(?<!", i)) {
          nameStart = i + 3;
        }
        if (nameStart >= 0) {
          int end = p.indexOf('>', nameStart);
          String name = end < 0 ? "" : p.substring(nameStart, end);
          if (name.isEmpty() || !name.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_')) {
            throw new IllegalArgumentException("invalid named capture: `" + p.substring(i) + "`");
          }
          if (names.containsKey(name)) {
            throw new IllegalArgumentException("duplicate capture group name: `" + name + "`");
          }
          names.put(name, ++groups);
          sb.append('(');
          return end + 1;
        }
        char d = i + 2 < n ? p.charAt(i + 2) : ')';
        if (d == '=' || d == '!' || d == '>' || d == '<' || d == 'P' || d == '#') {
          throw new IllegalArgumentException("invalid or unsupported Perl syntax: `(?" + d + "`");
        }
        sb.append("(?");
        return i + 2;
      }
      groups++;
      sb.append('(');
      return i + 1;
    }

    /** Translates the escape at i (a backslash); returns the index after it. */
    private int escape(int i, boolean inClass) {
      int n = p.length();
      if (i + 1 >= n) {
        throw new IllegalArgumentException("trailing backslash at end of expression: ``");
      }
      char d = p.charAt(i + 1);
      if (d >= '0' && d <= '7') {
        // octal: \0 plus up to two digits, or \1-\7 followed by at least one more digit
        int j = i + 1;
        int max = i + 4;
        int v = 0;
        while (j < n && j < max && p.charAt(j) >= '0' && p.charAt(j) <= '7') {
          v = v * 8 + (p.charAt(j) - '0');
          j++;
        }
        if (d != '0' && j == i + 2) {
          throw new IllegalArgumentException("invalid escape sequence: `\\" + d + "`");
        }
        sb.append(String.format("\\x{%x}", v));
        return j;
      }
      if (d == '8' || d == '9' || d == 'Z' || d == 'k' || d == 'R' || d == 'X' || d == 'G'
          || d == 'h' || d == 'H' || d == 'V' || d == 'e' || d == 'c' || d == 'N'
          || d == 'g' || d == 'K' || d == 'o') {
        throw new IllegalArgumentException("invalid escape sequence: `\\" + d + "`");
      }
      if (d == 'Q' && !inClass) {
        int e = p.indexOf("\\E", i + 2);
        int stop = e < 0 ? n : e;
        String lit = p.substring(i + 2, stop);
        if (!lit.isEmpty()) {
          sb.append(Pattern.quote(lit));
        }
        return e < 0 ? n : e + 2;
      }
      if (d == 'p' || d == 'P') {
        boolean neg = d == 'P';
        String name;
        int next;
        if (i + 2 < n && p.charAt(i + 2) == '{') {
          int e = p.indexOf('}', i + 3);
          if (e < 0) {
            throw new IllegalArgumentException("invalid character class range: `" + p.substring(i) + "`");
          }
          name = p.substring(i + 3, e);
          next = e + 1;
        } else if (i + 2 < n) {
          name = String.valueOf(p.charAt(i + 2));
          next = i + 3;
        } else {
          throw new IllegalArgumentException("invalid character class range: `\\" + d + "`");
        }
        if (name.startsWith("^")) {
          neg = !neg;
          name = name.substring(1);
        }
        String javaName = name.length() <= 2 ? name : name.equals("Any") ? null : "Is" + name;
        if (javaName == null) {
          sb.append(neg ? "[^\\x{0}-\\x{10FFFF}]" : "[\\x{0}-\\x{10FFFF}]");
        } else {
          sb.append(neg ? "\\P{" : "\\p{").append(javaName).append('}');
        }
        return next;
      }
      if (d == 'z' && !inClass) {
        sb.append("\\z");
        return i + 2;
      }
      // RE2's \b, \B and \s are ASCII-only; Java's \b also sees Unicode letters as word
      // characters and its \s includes \v, so spell them out
      if (d == 'b' && !inClass) {
        sb.append("(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))");
        return i + 2;
      }
      if (d == 'B' && !inClass) {
        sb.append("(?:(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_])|(?<![0-9A-Za-z_])(?![0-9A-Za-z_]))");
        return i + 2;
      }
      if (d == 's') {
        sb.append(inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]");
        return i + 2;
      }
      if (d == 'S') {
        String notSpace = "\\x{0}-\\x{8}\\x{b}\\x{e}-\\x{1f}\\x{21}-\\x{10FFFF}";
        sb.append(inClass ? notSpace : "[" + notSpace + "]");
        return i + 2;
      }
      sb.append('\\').append(d);
      return i + 2;
    }

    private int charClass(int i) {
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
            String cls = posix(neg ? name.substring(1) : name, neg);
            if (cls == null) {
              throw new IllegalArgumentException("invalid character class range: `[:" + name + ":]`");
            }
            sb.append(cls);
            i = e + 2;
            continue;
          }
        }
        if (c == '\\') {
          i = escape(i, true);
          continue;
        }
        if (c == '[' || c == '&' || c == '^') {
          sb.append('\\').append(c);
          i++;
          continue;
        }
        sb.append(c);
        i++;
      }
      throw new IllegalArgumentException("missing closing ]: `" + p.substring(p.lastIndexOf('[')) + "`");
    }

    private static String posix(String name, boolean neg) {
      if (name.equals("word")) {
        return neg ? "\\W" : "\\w";
      }
      String cls = switch (name) {
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
        case "xdigit" -> "XDigit";
        default -> null;
      };
      return cls == null ? null : (neg ? "\\P{" : "\\p{") + cls + "}";
    }
  }

  /**
   * Go's FindAll: match positions as {start, end, g1start, g1end, ...}; an empty match right
   * after the previous match is skipped; {@code n < 0} means all.
   */
  static List<int[]> findAll(String name, Pattern p, String s, int n) {
    List<int[]> out = new ArrayList<>();
    if (n == 0) {
      return out;
    }
    Matcher m = p.matcher(BoundedInput.of(s, name));
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
  private static void expand(StringBuilder sb, String tpl, String s, int[] m,
      Map<String, Integer> names) {
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
        g = names.getOrDefault(name, -1);
      }
      if (g >= 0 && 2 * g + 1 < m.length && m[2 * g] >= 0) {
        sb.append(s, m[2 * g], m[2 * g + 1]);
      }
      i = next;
    }
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
      return Pattern.compile(sb.toString(), FLAGS);
    } catch (PatternSyntaxException e) {
      throw BuiltinError.builtin(name, "error parsing regexp: " + e.getDescription());
    }
  }
}
