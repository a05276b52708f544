package dev.aegis.pipeline.detect;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

/**
 * Builds the scannable text of an action: everything a detector must see, once, as one string
 * (SPEC section 2.1: the arguments, plus the top-level {@code query}, {@code sql}, {@code path},
 * {@code command} and {@code cmd} fields of the body).
 *
 * <p>Pure and thread safe. The result is raw (not normalised): pass it to
 * {@link TextNormalizer#normalise(String)} or {@link InferenceScanner#scan(String, int)}.
 */
public final class ActionText {

  /** Containers deeper than this are not descended into. */
  public static final int MAX_DEPTH = 32;
  /** The text stops growing at this many chars. */
  public static final int MAX_CHARS = 1_000_000;
  /** Top-level body fields that are scanned too. */
  public static final List<String> BODY_FIELDS = List.of("query", "sql", "path", "command", "cmd");

  private static final int DEPTH_CAP = 1_000;

  private ActionText() {}

  /**
   * Concatenates, newline separated and in document order, every object key, string value and
   * number found recursively in {@code payload} (depth bounded by {@link #MAX_DEPTH}), then the
   * top-level {@link #BODY_FIELDS} of {@code body} that are strings. Booleans and nulls are
   * skipped. The result is cut at {@link #MAX_CHARS}.
   *
   * @param body the request body, may be null
   * @param payload the action's arguments, may be null
   * @return the text, "" when there is nothing to scan
   */
  public static String of(JsonObject body, JsonObject payload) {
    StringBuilder sb = new StringBuilder(128);
    if (payload != null) {
      appendMap(sb, payload.getMap(), 1);
    }
    if (body != null) {
      for (String field : BODY_FIELDS) {
        Object v = body.getValue(field);
        if (v instanceof CharSequence) {
          append(sb, v.toString());
        }
      }
    }
    return sb.toString();
  }

  /**
   * The maximum nesting depth of {@code payload}: 0 for null, 1 for an object holding only
   * scalars, plus one per nested object or array level. Computed without recursion and capped at
   * 1,000 (which also stops on self-referencing maps).
   */
  public static int depth(JsonObject payload) {
    if (payload == null) {
      return 0;
    }
    int max = 0;
    ArrayDeque<Object[]> stack = new ArrayDeque<>();
    stack.push(new Object[] {payload, 1});
    while (!stack.isEmpty()) {
      Object[] top = stack.pop();
      int d = (Integer) top[1];
      max = Math.max(max, d);
      if (d >= DEPTH_CAP) {
        continue;
      }
      for (Object child : children(top[0])) {
        if (isContainer(child)) {
          stack.push(new Object[] {child, d + 1});
        }
      }
    }
    return max;
  }

  private static Iterable<?> children(Object container) {
    if (container instanceof JsonObject) {
      return ((JsonObject) container).getMap().values();
    }
    if (container instanceof Map) {
      return ((Map<?, ?>) container).values();
    }
    if (container instanceof JsonArray) {
      return ((JsonArray) container).getList();
    }
    return (List<?>) container;
  }

  private static boolean isContainer(Object o) {
    return o instanceof JsonObject || o instanceof Map || o instanceof JsonArray
        || o instanceof List;
  }

  private static void appendMap(StringBuilder sb, Map<?, ?> map, int depth) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (sb.length() >= MAX_CHARS) {
        return;
      }
      append(sb, String.valueOf(e.getKey()));
      appendValue(sb, e.getValue(), depth);
    }
  }

  private static void appendValue(StringBuilder sb, Object v, int depth) {
    if (v == null || sb.length() >= MAX_CHARS) {
      return;
    }
    if (v instanceof CharSequence) {
      append(sb, v.toString());
    } else if (v instanceof Number) {
      append(sb, numberText((Number) v));
    } else if (isContainer(v)) {
      if (depth >= MAX_DEPTH) {
        return;
      }
      if (v instanceof JsonObject || v instanceof Map) {
        appendMap(sb, v instanceof JsonObject ? ((JsonObject) v).getMap() : (Map<?, ?>) v,
            depth + 1);
      } else {
        for (Object item : children(v)) {
          appendValue(sb, item, depth + 1);
        }
      }
    }
  }

  private static void append(StringBuilder sb, String s) {
    int room = MAX_CHARS - sb.length();
    if (room <= 0) {
      return;
    }
    if (sb.length() > 0) {
      sb.append('\n');
      room--;
    }
    sb.append(s, 0, Math.min(s.length(), Math.max(room, 0)));
  }

  /** Integral doubles print without exponent (1.0E7 would hide a 10,000,000 amount). */
  static String numberText(Number n) {
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      if (Double.isFinite(d)) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
      }
    }
    return n.toString();
  }
}
