package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Value.ObjV;
import dev.aegis.pipeline.rego.Value.SetV;
import dev.aegis.pipeline.rego.Value.StrV;
import dev.aegis.pipeline.rego.Values;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** JSON, base64, hex and URL-query encodings, with Go's encoders' output. */
final class Encoding {
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();

  private Encoding() {
  }

  static void register(Builtins.Registrar r) {
    r.add("json.marshal", 1, (ctx, a) -> Args.s(marshal(a[0])));
    r.add("json.marshal_with_options", 2, (ctx, a) -> marshalWithOptions(a));
    r.add("json.unmarshal", 1, (ctx, a) -> {
      String s = Args.str("json.unmarshal", a, 0);
      try {
        return Values.parseJson(s);
      } catch (IllegalArgumentException e) {
        throw BuiltinError.builtin("json.unmarshal", jsonError(e));
      }
    });
    r.add("json.is_valid", 1, (ctx, a) -> {
      if (!(a[0] instanceof StrV s)) {
        return Value.FALSE;
      }
      try {
        Values.parseJson(s.value());
        return Value.TRUE;
      } catch (IllegalArgumentException e) {
        return Value.FALSE;
      }
    });
    r.add("base64.encode", 1, (ctx, a) ->
        Args.s(Base64.getEncoder().encodeToString(utf8(Args.str("base64.encode", a, 0)))));
    r.add("base64.decode", 1, (ctx, a) -> {
      String s = Args.str("base64.decode", a, 0);
      return Args.s(string(decode("base64.decode", s, false)));
    });
    r.add("base64.is_valid", 1, (ctx, a) -> {
      String s = Args.str("base64.is_valid", a, 0);
      try {
        decode("base64.is_valid", s, false);
        return Value.TRUE;
      } catch (RuntimeException e) {
        return Value.FALSE;
      }
    });
    r.add("base64url.encode", 1, (ctx, a) ->
        Args.s(Base64.getUrlEncoder().encodeToString(utf8(Args.str("base64url.encode", a, 0)))));
    r.add("base64url.encode_no_pad", 1, (ctx, a) -> Args.s(Base64.getUrlEncoder().withoutPadding()
        .encodeToString(utf8(Args.str("base64url.encode_no_pad", a, 0)))));
    r.add("base64url.decode", 1, (ctx, a) -> {
      String s = Args.str("base64url.decode", a, 0);
      if (!s.endsWith("=")) {
        switch (s.length() % 4) {
          case 0 -> {
          }
          case 2 -> s += "==";
          case 3 -> s += "=";
          default -> throw BuiltinError.builtin("base64url.decode", "illegal base64url string: " + s);
        }
      }
      return Args.s(string(decode("base64url.decode", s, true)));
    });
    r.add("hex.encode", 1, (ctx, a) -> {
      byte[] b = utf8(Args.str("hex.encode", a, 0));
      char[] out = new char[b.length * 2];
      for (int i = 0; i < b.length; i++) {
        out[2 * i] = HEX[(b[i] >> 4) & 0xf];
        out[2 * i + 1] = HEX[b[i] & 0xf];
      }
      return Args.s(new String(out));
    });
    r.add("hex.decode", 1, (ctx, a) -> Args.s(string(hexDecode(Args.str("hex.decode", a, 0)))));
    r.add("urlquery.encode", 1, (ctx, a) -> Args.s(queryEscape(Args.str("urlquery.encode", a, 0))));
    r.add("urlquery.decode", 1, (ctx, a) ->
        Args.s(queryUnescape(Args.str("urlquery.decode", a, 0))));
    r.add("urlquery.encode_object", 1, (ctx, a) -> encodeObject(a));
    r.add("urlquery.decode_object", 1, (ctx, a) -> decodeObject(Args.str("urlquery.decode_object", a, 0)));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String string(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ JSON

  /** Go's json.Marshal of the value: sorted keys, HTML-safe escapes, sets as arrays. */
  static String marshal(Value v) {
    StringBuilder sb = new StringBuilder();
    writeGoJson(sb, v);
    return sb.toString();
  }

  private static Value marshalWithOptions(Value[] a) {
    String name = "json.marshal_with_options";
    ObjV opts = Args.obj(name, a, 1);
    String indent = "\t";
    String prefix = "";
    boolean implicit = false;
    Boolean explicit = null;
    for (Map.Entry<Value, Value> e : opts.map().entrySet()) {
      if (!(e.getKey() instanceof StrV k)) {
        throw Args.operandErr(name, 2, "failed to stringify key " + e.getKey() + " at index 0");
      }
      Value v = e.getValue();
      switch (k.value()) {
        case "prefix" -> {
          if (!(v instanceof StrV p)) {
            throw Args.operandErr(name, 2, "key prefix failed cast to string");
          }
          prefix = p.value();
          implicit = true;
        }
        case "indent" -> {
          if (!(v instanceof StrV i)) {
            throw Args.operandErr(name, 2, "key indent failed cast to string");
          }
          indent = i.value();
          implicit = true;
        }
        case "pretty" -> {
          if (!(v instanceof Value.BoolV b)) {
            throw Args.operandErr(name, 2, "key pretty failed cast to bool");
          }
          explicit = b.value();
        }
        default -> throw Args.operandErr(name, 2, "object contained unknown key " + k.value());
      }
    }
    boolean pretty = explicit != null ? explicit : implicit;
    if (!pretty) {
      return Args.s(marshal(a[0]));
    }
    StringBuilder sb = new StringBuilder(prefix);
    writeIndented(sb, a[0], prefix, indent, 0);
    return Args.s(sb.toString());
  }

  /** Go's json.MarshalIndent layout. */
  private static void writeIndented(StringBuilder sb, Value v, String prefix, String indent,
      int depth) {
    boolean array = v instanceof ArrV || v instanceof SetV;
    if (array && ((Iterable<?>) v).iterator().hasNext() || v instanceof ObjV o && o.size() > 0) {
      sb.append(array ? '[' : '{');
      boolean first = true;
      if (array) {
        @SuppressWarnings("unchecked")
        Iterable<Value> items = (Iterable<Value>) v;
        for (Value x : items) {
          sb.append(first ? "" : ",").append('\n').append(prefix).append(indent.repeat(depth + 1));
          first = false;
          writeIndented(sb, x, prefix, indent, depth + 1);
        }
      } else {
        TreeMap<String, Value> m = new TreeMap<>();
        for (Map.Entry<Value, Value> e : ((ObjV) v).map().entrySet()) {
          m.put(e.getKey() instanceof StrV s ? s.value() : Values.toJson(e.getKey()), e.getValue());
        }
        for (Map.Entry<String, Value> e : m.entrySet()) {
          sb.append(first ? "" : ",").append('\n').append(prefix).append(indent.repeat(depth + 1));
          first = false;
          goQuote(sb, e.getKey());
          sb.append(": ");
          writeIndented(sb, e.getValue(), prefix, indent, depth + 1);
        }
      }
      sb.append('\n').append(prefix).append(indent.repeat(depth)).append(array ? ']' : '}');
      return;
    }
    writeGoJson(sb, v);
  }

  private static void writeGoJson(StringBuilder sb, Value v) {
    if (v instanceof StrV s) {
      goQuote(sb, s.value());
    } else if (v instanceof ArrV || v instanceof SetV) {
      sb.append('[');
      boolean first = true;
      @SuppressWarnings("unchecked")
      Iterable<Value> items = (Iterable<Value>) v;
      for (Value x : items) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        writeGoJson(sb, x);
      }
      sb.append(']');
    } else if (v instanceof ObjV o) {
      // Go sorts the keys of a map[string]any by their string form
      TreeMap<String, Value> m = new TreeMap<>();
      for (Map.Entry<Value, Value> e : o.map().entrySet()) {
        String k = e.getKey() instanceof StrV s ? s.value() : Values.toJson(e.getKey());
        m.put(k, e.getValue());
      }
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, Value> e : m.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        goQuote(sb, e.getKey());
        sb.append(':');
        writeGoJson(sb, e.getValue());
      }
      sb.append('}');
    } else {
      sb.append(v);
    }
  }

  /** encoding/json string escaping, including its HTML-safe escapes. */
  static void goQuote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) c));
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static String jsonError(IllegalArgumentException e) {
    String m = e.getMessage() == null ? "invalid JSON" : e.getMessage();
    int nl = m.indexOf('\n');
    return nl > 0 ? m.substring(0, nl) : m;
  }

  // ------------------------------------------------------------------ base64 / hex

  private static byte[] decode(String name, String s, boolean url) {
    // Go's decoders ignore \r and \n
    String t = s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 ? s.replace("\n", "").replace("\r", "") : s;
    String alphabet = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int n = t.length();
    int firstPad = t.indexOf('=');
    for (int i = 0; i < n; i++) {
      char c = t.charAt(i);
      boolean ok = c == '=' ? i >= n - 2 : alphabet.indexOf(c) >= 0 && (firstPad < 0 || i < firstPad);
      if (!ok) {
        throw illegal(name, i);
      }
    }
    if (n % 4 != 0) {
      throw illegal(name, n - n % 4);
    }
    try {
      return (url ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(t);
    } catch (IllegalArgumentException e) {
      throw illegal(name, Math.max(0, n - 1));
    }
  }

  private static RuntimeException illegal(String name, int at) {
    return BuiltinError.builtin(name, "illegal base64 data at input byte " + at);
  }

  private static byte[] hexDecode(String s) {
    byte[] in = utf8(s);
    int i = 0;
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length / 2);
    for (; i + 1 < in.length; i += 2) {
      int hi = hexVal(s, in[i]);
      int lo = hexVal(s, in[i + 1]);
      out.write(hi << 4 | lo);
    }
    if (in.length % 2 == 1) {
      hexVal(s, in[i]);
      throw BuiltinError.builtin("hex.decode", "encoding/hex: odd length hex string");
    }
    return out.toByteArray();
  }

  private static int hexVal(String s, byte b) {
    int c = b & 0xff;
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    throw BuiltinError.builtin("hex.decode",
        "encoding/hex: invalid byte: " + String.format("U+%04X", c) + " " + quoteRune(c));
  }

  private static String quoteRune(int c) {
    return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("'\\x%02x'", c);
  }

  // ------------------------------------------------------------------ url query

  /** Go's url.QueryEscape. */
  static String queryEscape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (byte b : utf8(s)) {
      int c = b & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '-' || c == '_' || c == '.' || c == '~') {
        sb.append((char) c);
      } else if (c == ' ') {
        sb.append('+');
      } else {
        sb.append('%').append(HEX_UPPER[c >> 4]).append(HEX_UPPER[c & 0xf]);
      }
    }
    return sb.toString();
  }

  /** Go's url.QueryUnescape. */
  static String queryUnescape(String s) {
    byte[] in = utf8(s);
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    for (int i = 0; i < in.length; i++) {
      int c = in[i] & 0xff;
      if (c == '%') {
        if (i + 2 >= in.length || !isHex(in[i + 1]) || !isHex(in[i + 2])) {
          String bad = s.substring(Math.min(s.length(), charIndex(s, i)));
          bad = bad.length() > 3 ? bad.substring(0, 3) : bad;
          throw BuiltinError.builtin("urlquery.decode", "invalid URL escape " + GoFmt.quote(bad, false));
        }
        out.write(Character.digit(in[i + 1], 16) << 4 | Character.digit(in[i + 2], 16));
        i += 2;
      } else if (c == '+') {
        out.write(' ');
      } else {
        out.write(c);
      }
    }
    return string(out.toByteArray());
  }

  /** Go's url.ParseQuery: {key: [values...]} in order of appearance. */
  private static Value decodeObject(String q) {
    TreeMap<Value, List<Value>> m = new TreeMap<>();
    for (String part : Strings.split(q, "&")) {
      if (part.isEmpty()) {
        continue;
      }
      if (part.indexOf(';') >= 0) {
        throw BuiltinError.builtin("urlquery.decode_object", "invalid semicolon separator in query");
      }
      int eq = part.indexOf('=');
      String k = eq < 0 ? part : part.substring(0, eq);
      String v = eq < 0 ? "" : part.substring(eq + 1);
      Value key = Args.s(unescapeFor("urlquery.decode_object", k));
      m.computeIfAbsent(key, x -> new ArrayList<>()).add(Args.s(unescapeFor("urlquery.decode_object", v)));
    }
    TreeMap<Value, Value> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, new ArrV(v)));
    return Objects.obj(out);
  }

  private static String unescapeFor(String name, String s) {
    try {
      return queryUnescape(s);
    } catch (dev.aegis.pipeline.rego.RegoError e) {
      throw BuiltinError.builtin(name, e.detail().substring(e.detail().indexOf(": ") + 2));
    }
  }

  private static int charIndex(String s, int byteIndex) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      if (bytes >= byteIndex) {
        return i;
      }
      bytes += utf8(String.valueOf(s.charAt(i))).length;
    }
    return s.length();
  }

  private static boolean isHex(byte b) {
    return Character.digit(b, 16) >= 0 && b < 0x80;
  }

  private static RuntimeException encodeObjectError() {
    return Args.operandErr("urlquery.encode_object", 1,
        "values must be string, array[string], or set[string]");
  }

  private static Value encodeObject(Value[] a) {
    ObjV o = Args.obj("urlquery.encode_object", a, 0);
    TreeMap<String, List<String>> q = new TreeMap<>();
    for (Map.Entry<Value, Value> e : o.map().entrySet()) {
      String k = e.getKey() instanceof StrV s ? s.value() : Values.toJson(e.getKey());
      Value v = e.getValue();
      List<String> vals = new ArrayList<>();
      if (v instanceof StrV s) {
        vals.add(s.value());
      } else if (v instanceof ArrV || v instanceof SetV) {
        @SuppressWarnings("unchecked")
        Iterable<Value> items = (Iterable<Value>) v;
        for (Value x : items) {
          if (!(x instanceof StrV s)) {
            throw encodeObjectError();
          }
          vals.add(s.value());
        }
      } else {
        throw encodeObjectError();
      }
      q.put(k, vals);
    }
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, List<String>> e : q.entrySet()) {
      String k = queryEscape(e.getKey());
      for (String v : e.getValue()) {
        if (sb.length() > 0) {
          sb.append('&');
        }
        sb.append(k).append('=').append(queryEscape(v));
      }
    }
    return Args.s(sb.toString());
  }
}
