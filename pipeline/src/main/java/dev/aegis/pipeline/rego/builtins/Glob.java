package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Value.StrV;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code glob.match} with gobwas/glob semantics, compiled to a regex: {@code *} matches any run
 * of non-delimiter characters, {@code **} any run at all, {@code ?} one non-delimiter character,
 * {@code [abc]}/{@code [!a-z]} one character in/not in the list, {@code {a,b}} alternatives and
 * {@code \} escapes. Delimiters: {@code null} means none, {@code []} means {@code "."}.
 */
final class Glob {
  private static final PatternCache<List<Object>, Object> CACHE = new PatternCache<>(500);

  private Glob() {
  }

  static void register(Builtins.Registrar r) {
    r.add("glob.match", 3, (ctx, a) -> {
      String pat = Args.str("glob.match", a, 0);
      List<Integer> delims = new ArrayList<>();
      if (a[1] instanceof ArrV arr) {
        for (Value v : arr) {
          if (!(v instanceof StrV s)) {
            throw Args.element("glob.match", 2, arr, v, "string");
          }
          if (s.value().codePointCount(0, s.value().length()) != 1) {
            throw Args.element("glob.match", 2, arr, v, "rune");
          }
          delims.add(s.value().codePointAt(0));
        }
        if (delims.isEmpty()) {
          delims.add((int) '.');
        }
      } else if (!(a[1] instanceof Value.NullV)) {
        throw Args.oneOf("glob.match", 2, a[1], "array", "null");
      }
      String s = Args.str("glob.match", a, 2);
      Object p = CACHE.get(List.of(pat, delims), k -> {
        try {
          return Pattern.compile(toRegex(pat, delims), Pattern.DOTALL);
        } catch (IllegalArgumentException e) {
          return e.getMessage();
        }
      });
      if (p instanceof String err) {
        throw BuiltinError.builtin("glob.match", err);
      }
      return Value.bool(((Pattern) p).matcher(BoundedInput.of(s, "glob.match")).matches());
    });
    r.add("glob.quote_meta", 1, (ctx, a) -> {
      String s = Args.str("glob.quote_meta", a, 0);
      StringBuilder sb = new StringBuilder(s.length() + 4);
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if ("*?[]{}\\".indexOf(c) >= 0) {
          sb.append('\\');
        }
        sb.append(c);
      }
      return Args.s(sb.toString());
    });
  }

  static String toRegex(String pat, List<Integer> delims) {
    String notDelim;
    if (delims.isEmpty()) {
      notDelim = ".";
    } else {
      notDelim = classOf(delims);
    }
    StringBuilder sb = new StringBuilder();
    int[] pos = {0};
    parse(pat, pos, sb, notDelim, 0);
    if (pos[0] < pat.length()) {
      throw new IllegalArgumentException("unexpected '" + pat.charAt(pos[0]) + "' in glob");
    }
    return sb.toString();
  }

  private static String classOf(List<Integer> delims) {
    StringBuilder d = new StringBuilder("[^");
    for (int c : delims) {
      d.append(String.format("\\x{%x}", c));
    }
    return d.append(']').toString();
  }

  /** Parses until end, or an unnested ',' / '}' when inside braces (depth &gt; 0). */
  private static void parse(String p, int[] pos, StringBuilder sb, String notDelim, int depth) {
    int n = p.length();
    while (pos[0] < n) {
      char c = p.charAt(pos[0]);
      switch (c) {
        case '*' -> {
          if (pos[0] + 1 < n && p.charAt(pos[0] + 1) == '*') {
            sb.append(".*");
            pos[0] += 2;
          } else {
            sb.append(notDelim).append('*');
            pos[0]++;
          }
        }
        case '?' -> {
          sb.append(notDelim);
          pos[0]++;
        }
        case '[' -> {
          // gobwas: "[lo-hi]" is a range, anything else up to ']' a list ('!' negates either)
          int i = pos[0] + 1;
          boolean neg = i < n && p.charAt(i) == '!';
          if (neg) {
            i++;
          }
          sb.append(neg ? "[^" : "[");
          if (i + 2 < n && p.charAt(i + 1) == '-') {
            int lo = p.codePointAt(i);
            int hiAt = i + Character.charCount(lo) + 1;
            int hi = p.codePointAt(hiAt);
            i = hiAt + Character.charCount(hi);
            sb.append(String.format("\\x{%x}-\\x{%x}", lo, hi));
          } else {
            boolean any = false;
            while (i < n && p.charAt(i) != ']') {
              if (p.charAt(i) == '\\' && i + 1 < n) {
                i++;
              }
              int cp = p.codePointAt(i);
              sb.append(String.format("\\x{%x}", cp));
              i += Character.charCount(cp);
              any = true;
            }
            if (!any) {
              throw new IllegalArgumentException("empty glob character list");
            }
          }
          if (i >= n || p.charAt(i) != ']') {
            throw new IllegalArgumentException("expected close range character");
          }
          sb.append(']');
          pos[0] = i + 1;
        }
        case '{' -> {
          pos[0]++;
          sb.append("(?:");
          while (true) {
            parse(p, pos, sb, notDelim, depth + 1);
            if (pos[0] >= n) {
              throw new IllegalArgumentException("unexpected end of input in glob alternatives");
            }
            char d = p.charAt(pos[0]++);
            if (d == '}') {
              break;
            }
            sb.append('|');
          }
          sb.append(')');
        }
        case '}', ',' -> {
          if (depth > 0) {
            return;
          }
          sb.append(Pattern.quote(String.valueOf(c)));
          pos[0]++;
        }
        case '\\' -> {
          if (pos[0] + 1 >= n) {
            throw new IllegalArgumentException("unexpected end of input after escape in glob");
          }
          int cp = p.codePointAt(pos[0] + 1);
          sb.append(String.format("\\x{%x}", cp));
          pos[0] += 1 + Character.charCount(cp);
        }
        default -> {
          int cp = p.codePointAt(pos[0]);
          if (Character.isLetterOrDigit(cp)) {
            sb.appendCodePoint(cp);
          } else {
            sb.append(String.format("\\x{%x}", cp));
          }
          pos[0] += Character.charCount(cp);
        }
      }
    }
  }
}
