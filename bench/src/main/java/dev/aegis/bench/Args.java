package dev.aegis.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Minimal {@code --key value} parser; a {@code --flag} followed by another option is "true". */
final class Args {
  final Map<String, String> options = new LinkedHashMap<>();
  final List<String> positional = new ArrayList<>();

  Args(List<String> args, Set<String> known) {
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.startsWith("--")) {
        String key = a.substring(2);
        String value;
        int eq = key.indexOf('=');
        if (eq >= 0) {
          value = key.substring(eq + 1);
          key = key.substring(0, eq);
        } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
          value = args.get(++i);
        } else {
          value = "true";
        }
        if (!known.contains(key)) {
          throw new IllegalArgumentException("unknown option --" + key + " (known: " + known + ")");
        }
        options.put(key, value);
      } else {
        positional.add(a);
      }
    }
  }

  String str(String key, String def) {
    return options.getOrDefault(key, def);
  }

  double dbl(String key, double def) {
    String v = options.get(key);
    return v == null ? def : Double.parseDouble(v);
  }

  int integer(String key, int def) {
    String v = options.get(key);
    return v == null ? def : Integer.parseInt(v);
  }

  boolean flag(String key) {
    return Boolean.parseBoolean(options.getOrDefault(key, "false"));
  }

  List<Double> doubles(String key, String def) {
    List<Double> out = new ArrayList<>();
    for (String s : str(key, def).split(",")) {
      if (!s.isBlank()) {
        out.add(Double.parseDouble(s.trim()));
      }
    }
    return out;
  }
}
