package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.StrV;
import java.util.regex.Pattern;

/** {@code semver.is_valid} and {@code semver.compare} with OPA's lenient parser (optional "v"). */
final class Semver {
  private static final Pattern IDENTIFIERS = Pattern.compile("[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*");

  private Semver() {
  }

  /** A parsed version. */
  record Version(long major, long minor, long patch, String pre) {
  }

  static void register(Builtins.Registrar r) {
    r.add("semver.is_valid", 1, (ctx, a) ->
        Value.bool(a[0] instanceof StrV s && parse(s.value()) != null));
    r.add("semver.compare", 2, (ctx, a) -> {
      String x = Args.str("semver.compare", a, 0);
      String y = Args.str("semver.compare", a, 1);
      Version v = parse(x);
      if (v == null) {
        throw BuiltinError.builtin("semver.compare", "operand 1: string " + x + " is not a valid SemVer");
      }
      Version w = parse(y);
      if (w == null) {
        throw BuiltinError.builtin("semver.compare", "operand 2: string " + y + " is not a valid SemVer");
      }
      return NumV.of(compare(v, w));
    });
  }

  static Version parse(String s) {
    String v = s.startsWith("v") ? s.substring(1) : s;
    int plus = v.indexOf('+');
    if (plus >= 0) {
      String meta = v.substring(plus + 1);
      v = v.substring(0, plus);
      if (!meta.isEmpty() && !IDENTIFIERS.matcher(meta).matches()) {
        return null;
      }
    }
    String pre = "";
    int dash = v.indexOf('-');
    if (dash >= 0) {
      pre = v.substring(dash + 1);
      v = v.substring(0, dash);
      if (!pre.isEmpty() && !IDENTIFIERS.matcher(pre).matches()) {
        return null;
      }
    }
    String[] parts = v.split("\\.", -1);
    if (parts.length != 3) {
      return null;
    }
    try {
      return new Version(Long.parseLong(parts[0]), Long.parseLong(parts[1]),
          Long.parseLong(parts[2]), pre);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static int compare(Version v, Version o) {
    int c = Long.compare(v.major(), o.major());
    if (c == 0) {
      c = Long.compare(v.minor(), o.minor());
    }
    if (c == 0) {
      c = Long.compare(v.patch(), o.patch());
    }
    if (c != 0) {
      return Integer.signum(c);
    }
    if (v.pre().equals(o.pre())) {
      return 0;
    }
    if (v.pre().isEmpty()) {
      return 1;
    }
    if (o.pre().isEmpty()) {
      return -1;
    }
    String[] a = v.pre().split("\\.", -1);
    String[] b = o.pre().split("\\.", -1);
    for (int i = 0; ; i++) {
      if (i >= a.length || i >= b.length) {
        return Integer.compare(a.length, b.length);
      }
      boolean an = decimal(a[i]);
      boolean bn = decimal(b[i]);
      if (an != bn) {
        return an ? -1 : 1;
      }
      if (an) {
        int d = Long.compare(atoi(a[i]), atoi(b[i]));
        if (d != 0) {
          return Integer.signum(d);
        }
      } else {
        int d = a[i].compareTo(b[i]);
        if (d != 0) {
          return Integer.signum(d);
        }
      }
    }
  }

  private static boolean decimal(String s) {
    return !s.isEmpty() && s.chars().allMatch(ch -> ch >= '0' && ch <= '9');
  }

  private static long atoi(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
