package dev.aegis.pipeline.evidence;

import dev.aegis.pipeline.evidence.EvidenceException.Reason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.erdtman.jcs.NumberToJSON;

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the bytes we hash and sign.
 *
 * <p>Output rules: object members sorted by the UTF-16 code units of their names (which is
 * {@link String#compareTo}), array order kept, no whitespace, strings with the minimal escaping of
 * RFC 8785 §3.2.2.2 ({@code \" \\ \b \f \n \r \t}, other controls as lower-case
 * <code>&#92;u00xx</code>,
 * everything else raw UTF-8), numbers as IEEE-754 doubles printed by the ECMAScript
 * {@code Number.prototype.toString} algorithm (RFC 8785 §3.2.2.3). The number printer is the
 * V8/Rhino port shipped in {@code io.github.erdtman:java-json-canonicalization} (the reference
 * Java implementation of the RFC's author); parsing and serialisation here are our own, because
 * that library's parser accepts lone surrogates and leading zeros.
 *
 * <p>Two inputs:
 * <ul>
 *   <li>{@link #canonicalize(Object)}: an in-memory value ({@link JsonObject}, {@link JsonArray},
 *       {@link Map}, {@link List}, {@link String}, {@link Number}, {@link Boolean}, {@code null}).
 *       Integers must be exactly representable as doubles (any |v| ≤ 2^53, larger ones only if a
 *       double holds them exactly): a value that would silently change is rejected, not rounded;
 *       {@link BigDecimal}
 *       follows the JSON-text rule (nearest double). Other types are rejected.</li>
 *   <li>{@link #canonicalizeText(String)}: raw JSON text, parsed strictly (RFC 8259 grammar; no
 *       duplicate member names, no lone surrogates, no NaN/Infinity, no number overflowing a
 *       double, no byte-order mark) and numbers converted to the nearest double as JavaScript's
 *       {@code JSON.parse} does.</li>
 * </ul>
 *
 * <p>Stateless and thread safe; a per-thread output buffer keeps allocation to the result array.
 */
public final class Jcs {

  /** Maximum nesting depth accepted by the parser and the serialiser (cycles end here too). */
  public static final int MAX_DEPTH = 256;

  private static final long MAX_SAFE_INTEGER = 1L << 53;
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final int KEEP_BUFFER_LIMIT = 64 * 1024;
  private static final ThreadLocal<Out> BUFFERS = ThreadLocal.withInitial(Out::new);

  private Jcs() {}

  // ------------------------------------------------------------------------------- public API

  /**
   * The RFC 8785 UTF-8 bytes of an in-memory JSON value.
   *
   * @throws EvidenceException {@link Reason#UNSUPPORTED_VALUE} for a non-JSON type, a non-finite
   *     or inexact number, a lone surrogate, a non-string key or nesting deeper than
   *     {@link #MAX_DEPTH}
   */
  public static byte[] canonicalize(Object value) {
    Out out = BUFFERS.get();
    try {
      writeValue(out, value, 0);
      return out.toBytes();
    } finally {
      out.release();
    }
  }

  /** {@link #canonicalize(Object)} decoded as a Java string (for storing signed payloads). */
  public static String canonicalString(Object value) {
    return new String(canonicalize(value), StandardCharsets.UTF_8);
  }

  /**
   * Parses JSON text strictly and returns its RFC 8785 bytes.
   *
   * @throws EvidenceException {@link Reason#INVALID_JSON} for anything that is not I-JSON
   */
  public static byte[] canonicalizeText(String json) {
    return canonicalize(parse(json));
  }

  /** As {@link #canonicalizeText(String)}, from UTF-8 bytes (malformed UTF-8 is rejected). */
  public static byte[] canonicalizeText(byte[] utf8) {
    return canonicalize(parse(utf8));
  }

  /**
   * Parses JSON text strictly into Vert.x values: objects become {@link JsonObject} (member order
   * of the text kept), arrays {@link JsonArray}, integers without fraction or exponent and with
   * |v| ≤ 2^53 {@link Long}, every other number {@link Double}.
   *
   * @throws EvidenceException {@link Reason#INVALID_JSON} on a syntax error, duplicate member
   *     name, lone surrogate, number outside the double range or nesting deeper than
   *     {@link #MAX_DEPTH}
   */
  public static Object parse(String json) {
    if (json == null) {
      throw new EvidenceException(Reason.INVALID_JSON, "null input");
    }
    Parser p = new Parser(json);
    if (json.length() > 0 && json.charAt(0) == '\uFEFF') {
      throw p.error("byte-order mark");
    }
    p.skipWs();
    Object v = p.value(0);
    p.skipWs();
    if (p.pos != json.length()) {
      throw p.error("trailing characters");
    }
    return v;
  }

  /** As {@link #parse(String)}, from UTF-8 bytes (malformed UTF-8 is rejected). */
  public static Object parse(byte[] utf8) {
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      return parse(dec.decode(ByteBuffer.wrap(utf8)).toString());
    } catch (CharacterCodingException e) {
      throw new EvidenceException(Reason.INVALID_JSON, "malformed UTF-8", e);
    }
  }

  /**
   * The ECMAScript (ES6 §7.1.12.1) string of a finite double, as RFC 8785 requires:
   * {@code -0} prints as {@code 0}, shortest round-trip digits, exponent form from 1e21 and below
   * 1e-6.
   *
   * @throws EvidenceException {@link Reason#UNSUPPORTED_VALUE} for NaN or an infinity
   */
  public static String number(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new EvidenceException(Reason.UNSUPPORTED_VALUE, "NaN and Infinity have no JSON form");
    }
    try {
      return NumberToJSON.serializeNumber(d);
    } catch (IOException e) {
      throw new EvidenceException(Reason.UNSUPPORTED_VALUE, "number not serialisable", e);
    }
  }

  // ---------------------------------------------------------------------------- serialisation

  private static void writeValue(Out out, Object v, int depth) {
    if (v == null) {
      out.ascii("null");
    } else if (v instanceof String) {
      writeString(out, (String) v);
    } else if (v instanceof Boolean) {
      out.ascii(((Boolean) v) ? "true" : "false");
    } else if (v instanceof Number) {
      out.ascii(numberOf((Number) v));
    } else if (v instanceof JsonObject) {
      writeObject(out, ((JsonObject) v).getMap(), depth + 1);
    } else if (v instanceof Map) {
      writeObject(out, (Map<?, ?>) v, depth + 1);
    } else if (v instanceof JsonArray) {
      writeArray(out, ((JsonArray) v).getList(), depth + 1);
    } else if (v instanceof List) {
      writeArray(out, (List<?>) v, depth + 1);
    } else if (v instanceof CharSequence) {
      writeString(out, v.toString());
    } else {
      throw new EvidenceException(Reason.UNSUPPORTED_VALUE,
          "no JSON form for " + v.getClass().getName());
    }
  }

  private static void writeObject(Out out, Map<?, ?> map, int depth) {
    checkDepth(depth, Reason.UNSUPPORTED_VALUE);
    String[] keys = new String[map.size()];
    int n = 0;
    for (Object k : map.keySet()) {
      if (!(k instanceof String)) {
        throw new EvidenceException(Reason.UNSUPPORTED_VALUE, "object member name is not a string");
      }
      keys[n++] = (String) k;
    }
    Arrays.sort(keys); // String order is UTF-16 code-unit order (RFC 8785 §3.2.3)
    out.write('{');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        out.write(',');
      }
      writeString(out, keys[i]);
      out.write(':');
      writeValue(out, map.get(keys[i]), depth);
    }
    out.write('}');
  }

  private static void writeArray(Out out, List<?> list, int depth) {
    checkDepth(depth, Reason.UNSUPPORTED_VALUE);
    out.write('[');
    for (int i = 0, n = list.size(); i < n; i++) {
      if (i > 0) {
        out.write(',');
      }
      writeValue(out, list.get(i), depth);
    }
    out.write(']');
  }

  private static void checkDepth(int depth, Reason reason) {
    if (depth > MAX_DEPTH) {
      throw new EvidenceException(reason, "nesting deeper than " + MAX_DEPTH);
    }
  }

  private static String numberOf(Number n) {
    if (n instanceof Integer || n instanceof Short || n instanceof Byte) {
      return Integer.toString(n.intValue());
    }
    if (n instanceof Long) {
      long v = n.longValue();
      if (v >= -MAX_SAFE_INTEGER && v <= MAX_SAFE_INTEGER) {
        return Long.toString(v);
      }
      return exactInteger(BigInteger.valueOf(v));
    }
    if (n instanceof BigInteger) {
      return exactInteger((BigInteger) n);
    }
    if (n instanceof Double || n instanceof Float) {
      return number(n.doubleValue()); // float widens exactly
    }
    if (n instanceof BigDecimal) {
      return number(n.doubleValue()); // nearest double, as for JSON text
    }
    throw new EvidenceException(Reason.UNSUPPORTED_VALUE,
        "no JSON form for " + n.getClass().getName());
  }

  private static String exactInteger(BigInteger v) {
    double d = v.doubleValue();
    if (Double.isInfinite(d) || new BigDecimal(d).toBigIntegerExact().compareTo(v) != 0) {
      throw new EvidenceException(Reason.UNSUPPORTED_VALUE,
          "integer " + v + " is not exactly representable as an IEEE-754 double;"
              + " send it as a string");
    }
    return number(d);
  }

  private static void writeString(Out out, String s) {
    out.write('"');
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          out.write(c);
          continue;
        }
        out.write('\\');
        switch (c) {
          case '"': out.write('"'); break;
          case '\\': out.write('\\'); break;
          case '\b': out.write('b'); break;
          case '\f': out.write('f'); break;
          case '\n': out.write('n'); break;
          case '\r': out.write('r'); break;
          case '\t': out.write('t'); break;
          default:
            out.write('u');
            out.write('0');
            out.write('0');
            out.write(HEX[c >> 4]);
            out.write(HEX[c & 0xf]);
        }
      } else if (c < 0x800) {
        out.write(0xc0 | (c >> 6));
        out.write(0x80 | (c & 0x3f));
      } else if (Character.isSurrogate(c)) {
        char lo = i + 1 < n ? s.charAt(i + 1) : 0;
        if (!Character.isHighSurrogate(c) || !Character.isLowSurrogate(lo)) {
          throw new EvidenceException(Reason.UNSUPPORTED_VALUE,
              "lone surrogate at index " + i + " cannot be encoded as UTF-8");
        }
        int cp = Character.toCodePoint(c, lo);
        i++;
        out.write(0xf0 | (cp >> 18));
        out.write(0x80 | ((cp >> 12) & 0x3f));
        out.write(0x80 | ((cp >> 6) & 0x3f));
        out.write(0x80 | (cp & 0x3f));
      } else {
        out.write(0xe0 | (c >> 12));
        out.write(0x80 | ((c >> 6) & 0x3f));
        out.write(0x80 | (c & 0x3f));
      }
    }
    out.write('"');
  }

  /** Growable byte buffer, one per thread, trimmed back after a large document. */
  private static final class Out {
    private byte[] buf = new byte[512];
    private int len;

    void write(int b) {
      if (len == buf.length) {
        buf = Arrays.copyOf(buf, buf.length * 2);
      }
      buf[len++] = (byte) b;
    }

    void ascii(String s) {
      for (int i = 0, n = s.length(); i < n; i++) {
        write(s.charAt(i));
      }
    }

    byte[] toBytes() {
      return Arrays.copyOf(buf, len);
    }

    void release() {
      len = 0;
      if (buf.length > KEEP_BUFFER_LIMIT) {
        buf = new byte[512];
      }
    }
  }

  // ---------------------------------------------------------------------------------- parsing

  /** Strict recursive-descent RFC 8259 parser with the I-JSON restrictions of RFC 8785. */
  private static final class Parser {
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    EvidenceException error(String what) {
      return new EvidenceException(Reason.INVALID_JSON, what + " at offset " + pos);
    }

    void skipWs() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
          pos++;
        } else {
          return;
        }
      }
    }

    Object value(int depth) {
      if (pos >= s.length()) {
        throw error("unexpected end of input");
      }
      char c = s.charAt(pos);
      switch (c) {
        case '{':
          return object(depth + 1);
        case '[':
          return array(depth + 1);
        case '"':
          return string();
        case 't':
          literal("true");
          return Boolean.TRUE;
        case 'f':
          literal("false");
          return Boolean.FALSE;
        case 'n':
          literal("null");
          return null;
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
          }
          throw error("unexpected character '" + c + "' (NaN and Infinity are not JSON)");
      }
    }

    private void literal(String word) {
      if (!s.startsWith(word, pos)) {
        throw error("invalid literal");
      }
      pos += word.length();
    }

    private JsonObject object(int depth) {
      if (depth > MAX_DEPTH) {
        throw error("nesting deeper than " + MAX_DEPTH);
      }
      pos++; // '{'
      Map<String, Object> map = new LinkedHashMap<>();
      skipWs();
      if (pos < s.length() && s.charAt(pos) == '}') {
        pos++;
        return new JsonObject(map);
      }
      while (true) {
        skipWs();
        if (pos >= s.length() || s.charAt(pos) != '"') {
          throw error("expected member name");
        }
        int keyAt = pos;
        String key = string();
        skipWs();
        expect(':');
        skipWs();
        Object v = value(depth);
        if (map.containsKey(key)) {
          pos = keyAt;
          throw error("duplicate member name \"" + key + "\"");
        }
        map.put(key, v);
        skipWs();
        if (pos < s.length() && s.charAt(pos) == ',') {
          pos++;
          continue;
        }
        expect('}');
        return new JsonObject(map);
      }
    }

    private JsonArray array(int depth) {
      if (depth > MAX_DEPTH) {
        throw error("nesting deeper than " + MAX_DEPTH);
      }
      pos++; // '['
      List<Object> list = new ArrayList<>();
      skipWs();
      if (pos < s.length() && s.charAt(pos) == ']') {
        pos++;
        return new JsonArray(list);
      }
      while (true) {
        skipWs();
        list.add(value(depth));
        skipWs();
        if (pos < s.length() && s.charAt(pos) == ',') {
          pos++;
          continue;
        }
        expect(']');
        return new JsonArray(list);
      }
    }

    private void expect(char c) {
      if (pos >= s.length() || s.charAt(pos) != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    private String string() {
      pos++; // opening quote
      StringBuilder sb = null;
      int start = pos;
      boolean pendingHigh = false;
      while (true) {
        if (pos >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(pos);
        if (c == '"') {
          break;
        }
        if (c < 0x20) {
          throw error("unescaped control character in string");
        }
        if (c == '\\') {
          if (sb == null) {
            sb = new StringBuilder(s.length() - start);
          }
          sb.append(s, start, pos);
          pos++;
          if (pos >= s.length()) {
            throw error("unterminated escape");
          }
          char e = s.charAt(pos);
          switch (e) {
            case '"': c = '"'; break;
            case '\\': c = '\\'; break;
            case '/': c = '/'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u':
              c = hex4();
              break;
            default:
              throw error("invalid escape \\" + e);
          }
          pendingHigh = checkSurrogate(c, pendingHigh);
          sb.append(c);
          pos++;
          start = pos;
          continue;
        }
        pendingHigh = checkSurrogate(c, pendingHigh);
        pos++;
      }
      if (pendingHigh) {
        throw error("lone high surrogate at end of string");
      }
      String out;
      if (sb == null) {
        out = s.substring(start, pos);
      } else {
        out = sb.append(s, start, pos).toString();
      }
      pos++; // closing quote
      return out;
    }

    /** Tracks surrogate pairing; returns whether a high surrogate now awaits its low half. */
    private boolean checkSurrogate(char c, boolean pendingHigh) {
      if (Character.isHighSurrogate(c)) {
        if (pendingHigh) {
          throw error("lone high surrogate");
        }
        return true;
      }
      if (Character.isLowSurrogate(c)) {
        if (!pendingHigh) {
          throw error("lone low surrogate");
        }
        return false;
      }
      if (pendingHigh) {
        throw error("lone high surrogate");
      }
      return false;
    }

    private char hex4() {
      if (pos + 4 >= s.length()) {
        throw error("truncated \\u escape");
      }
      int v = 0;
      for (int i = 1; i <= 4; i++) {
        int d = Character.digit(s.charAt(pos + i), 16);
        if (d < 0 || s.charAt(pos + i) > 'f') {
          throw error("bad hex digit in \\u escape");
        }
        v = (v << 4) | d;
      }
      pos += 4; // now on the last hex digit; caller advances past it
      return (char) v;
    }

    private Object number() {
      int start = pos;
      boolean integral = true;
      if (s.charAt(pos) == '-') {
        pos++;
      }
      if (pos >= s.length()) {
        throw error("truncated number");
      }
      if (s.charAt(pos) == '0') {
        pos++;
        if (pos < s.length() && isDigit(s.charAt(pos))) {
          throw error("leading zero in number");
        }
      } else if (isDigit(s.charAt(pos))) {
        digits();
      } else {
        throw error("invalid number");
      }
      if (pos < s.length() && s.charAt(pos) == '.') {
        integral = false;
        pos++;
        if (pos >= s.length() || !isDigit(s.charAt(pos))) {
          throw error("digit expected after decimal point");
        }
        digits();
      }
      if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
        integral = false;
        pos++;
        if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
          pos++;
        }
        if (pos >= s.length() || !isDigit(s.charAt(pos))) {
          throw error("digit expected in exponent");
        }
        digits();
      }
      String token = s.substring(start, pos);
      if (integral && token.length() <= 17) {
        long v = Long.parseLong(token);
        if (v >= -MAX_SAFE_INTEGER && v <= MAX_SAFE_INTEGER) {
          return v;
        }
      }
      double d = Double.parseDouble(token); // correctly rounded, like JSON.parse
      if (Double.isInfinite(d)) {
        pos = start;
        throw error("number " + token + " overflows an IEEE-754 double");
      }
      return d;
    }

    private void digits() {
      while (pos < s.length() && isDigit(s.charAt(pos))) {
        pos++;
      }
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }
  }
}
