package dev.aegis.pipeline.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.evidence.EvidenceException.Reason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 8785 conformance: the cyberphone reference vectors under {@code shared/testdata/jcs}
 * (input → output, byte-exact against outhex), the RFC's Appendix B number samples, the first
 * million lines of the reference ES6 number test file (regenerated from its published
 * deterministic algorithm and checked against its published SHA-256), and the I-JSON rejections.
 */
class JcsTest {

  static final Path DIR = dev.aegis.pipeline.TestData.dir("jcs");

  static List<String> vectorNames() throws IOException {
    Path in = DIR.resolve("input");
    if (!Files.isDirectory(in)) {
      throw new IllegalStateException("JCS vectors missing: " + in
          + " (expected /work/shared/testdata/jcs; working dir " + System.getProperty("user.dir")
          + ")");
    }
    try (Stream<Path> s = Files.list(in)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted()
          .toList();
    }
  }

  @Test
  void should_find_all_six_reference_vectors() throws IOException {
    assertThat(vectorNames()).containsExactly("arrays.json", "french.json", "structures.json",
        "unicode.json", "values.json", "weird.json");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectorNames")
  void should_match_reference_output_byte_for_byte(String name) throws IOException {
    byte[] input = Files.readAllBytes(DIR.resolve("input").resolve(name));
    byte[] expected = Files.readAllBytes(DIR.resolve("output").resolve(name));
    String hex = Files.readString(DIR.resolve("outhex")
        .resolve(name.replace(".json", ".txt"))).replaceAll("\\s+", "");
    byte[] expectedFromHex = HexFormat.of().parseHex(hex);

    byte[] actual = Jcs.canonicalizeText(input);

    assertThat(expected).isEqualTo(expectedFromHex); // the two reference forms agree
    assertThat(actual).isEqualTo(expectedFromHex);
    assertThat(Jcs.canonicalizeText(new String(input, StandardCharsets.UTF_8))).isEqualTo(actual);
  }

  /** Verifies that values decoded by Vert.x's own (Jackson) codec canonicalise the same way. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("vectorNames")
  void should_canonicalise_vertx_decoded_values_identically(String name) throws IOException {
    String input = Files.readString(DIR.resolve("input").resolve(name));
    byte[] expected = Files.readAllBytes(DIR.resolve("output").resolve(name));
    Object decoded = input.strip().startsWith("[") ? new JsonArray(input) : new JsonObject(input);

    assertThat(Jcs.canonicalize(decoded)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectorNames")
  void should_be_idempotent(String name) throws IOException {
    byte[] once = Jcs.canonicalizeText(Files.readAllBytes(DIR.resolve("input").resolve(name)));
    assertThat(Jcs.canonicalizeText(once)).isEqualTo(once);
    assertThat(Jcs.canonicalize(Jcs.parse(once))).isEqualTo(once);
  }

  // ------------------------------------------------------------------------------ numbers

  /** RFC 8785 Appendix B (IEEE-754 bits → ES6 string); confirmed with Node's JSON.stringify. */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "0000000000000000, 0",
      "8000000000000000, 0",
      "0000000000000001, 5e-324",
      "8000000000000001, -5e-324",
      "7fefffffffffffff, 1.7976931348623157e+308",
      "ffefffffffffffff, -1.7976931348623157e+308",
      "4340000000000000, 9007199254740992",
      "c340000000000000, -9007199254740992",
      "4430000000000000, 295147905179352830000",
      "44b52d02c7e14af5, 9.999999999999997e+22",
      "44b52d02c7e14af6, 1e+23",
      "44b52d02c7e14af7, 1.0000000000000001e+23",
      "444b1ae4d6e2ef4e, 999999999999999700000",
      "444b1ae4d6e2ef4f, 999999999999999900000",
      "444b1ae4d6e2ef50, 1e+21",
      "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
      "3eb0c6f7a0b5ed8d, 0.000001",
      "41b3de4355555553, 333333333.3333332",
      "41b3de4355555554, 333333333.33333325",
      "41b3de4355555555, 333333333.3333333",
      "41b3de4355555556, 333333333.3333334",
      "41b3de4355555557, 333333333.33333343",
      "becbf647612f3696, -0.0000033333333333333333",
      "43143ff3c1cb0959, 1424953923781206.2"})
  void should_print_rfc8785_appendix_b_numbers(String bits, String expected) {
    double d = Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16));
    assertThat(Jcs.number(d)).isEqualTo(expected);
    assertThat(new String(Jcs.canonicalize(d), StandardCharsets.UTF_8)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"7fffffffffffffff", "7ff0000000000000", "fff0000000000000"})
  void should_reject_nan_and_infinity_values(String bits) {
    double d = Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16));
    assertThatThrownBy(() -> Jcs.number(d)).isInstanceOf(EvidenceException.class);
    assertThatThrownBy(() -> Jcs.canonicalize(new JsonObject().put("x", d)))
        .isInstanceOf(EvidenceException.class)
        .extracting(e -> ((EvidenceException) e).reason()).isEqualTo(Reason.UNSUPPORTED_VALUE);
  }

  /**
   * Verifies ES6 number printing over the first 1,000,000 lines of the reference
   * {@code es6testfile100m.txt}: the file is regenerated here with the deterministic algorithm
   * of {@code shared/testdata/jcs/README.md} (static values, 2000 serial values, then a SHA-256
   * chain of random doubles) and its running SHA-256 must equal the published checksums at
   * 1,000, 10,000, 100,000 and 1,000,000 lines.
   */
  @Test
  void should_reproduce_the_published_es6_number_file_checksums() throws Exception {
    String readme = Files.readString(DIR.resolve("README.md"));
    List<Long> statics = new ArrayList<>();
    String table = readme.substring(readme.indexOf("staticU64s = new BigUint64Array(["),
        readme.indexOf("])", readme.indexOf("staticU64s = new BigUint64Array([")));
    Matcher m = Pattern.compile("0x([0-9a-f]{16})n").matcher(table);
    while (m.find()) {
      statics.add(Long.parseUnsignedLong(m.group(1), 16));
    }
    Map<Integer, String> published = new HashMap<>();
    Matcher row = Pattern.compile("\\| ([0-9a-f]{64}) \\| (\\d+)\\s+\\|").matcher(readme);
    while (row.find()) {
      published.put(Integer.parseInt(row.group(2)), row.group(1));
    }
    assertThat(statics).hasSizeGreaterThan(150);
    assertThat(published).containsKeys(1_000, 10_000, 100_000, 1_000_000);

    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    MessageDigest chain = MessageDigest.getInstance("SHA-256");
    byte[] block = new byte[32];
    ByteBuffer data = ByteBuffer.allocate(0);
    StringBuilder line = new StringBuilder(64);
    Map<Integer, String> got = new HashMap<>();
    for (int i = 0; i < 1_000_000; i++) {
      long bits;
      if (i < statics.size()) {
        bits = statics.get(i);
      } else if (i < statics.size() + 2000) {
        bits = 0x0010000000000000L + (i - statics.size());
      } else {
        double f = 0.0;
        bits = 0;
        while (f == 0.0 || !Double.isFinite(f)) {
          if (!data.hasRemaining()) {
            block = chain.digest(block);
            data = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
          }
          bits = data.getLong();
          f = Double.longBitsToDouble(bits);
        }
      }
      line.setLength(0);
      line.append(Long.toHexString(bits)).append(',')
          .append(Jcs.number(Double.longBitsToDouble(bits))).append('\n');
      sha.update(line.toString().getBytes(StandardCharsets.US_ASCII));
      int n = i + 1;
      if (published.containsKey(n)) {
        got.put(n, HexFormat.of().formatHex(((MessageDigest) sha.clone()).digest()));
      }
    }
    for (int n : List.of(1_000, 10_000, 100_000, 1_000_000)) {
      assertThat(got.get(n)).as("SHA-256 of the first %d lines", n).isEqualTo(published.get(n));
    }
  }

  @Test
  void should_print_integers_exactly_and_reject_inexact_ones() {
    assertThat(canon(new JsonArray().add(0).add(-7).add(9007199254740992L).add(1L << 60)))
        .isEqualTo("[0,-7,9007199254740992,1152921504606847000]");
    assertThat(canon(List.of(new BigInteger("-9007199254740992"), 1.5f, new BigDecimal("4.50"))))
        .isEqualTo("[-9007199254740992,1.5,4.5]");
    assertThat(canon(-0.0)).isEqualTo("0");
    assertThatThrownBy(() -> Jcs.canonicalize(9007199254740993L))
        .isInstanceOf(EvidenceException.class).hasMessageContaining("not exactly representable");
    assertThatThrownBy(() -> Jcs.canonicalize(Long.MAX_VALUE))
        .isInstanceOf(EvidenceException.class);
    assertThatThrownBy(() -> Jcs.canonicalize(BigInteger.TEN.pow(400)))
        .isInstanceOf(EvidenceException.class);
  }

  @Test
  void should_parse_integers_as_long_and_other_numbers_as_double() {
    JsonArray a = (JsonArray) Jcs.parse("[1, -0, 9007199254740992, 9007199254740993, 1.0, 1e2]");
    List<Object> values = new ArrayList<>();
    a.forEach(values::add);
    assertThat(values).containsExactly(1L, 0L, 9007199254740992L, 9.007199254740992E15, 1.0,
        100.0);
    assertThat(new String(Jcs.canonicalizeText("[1.0,1e2,-0.0,1E+2,0.1e1]"),
        StandardCharsets.UTF_8)).isEqualTo("[1,100,0,100,1]");
  }

  // ------------------------------------------------------------------------------ strings

  @Test
  void should_sort_keys_by_utf16_code_units_not_code_points() {
    // U+1F600 is D83D DE00 in UTF-16, so it sorts before U+E000 although its code point is larger
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("\uE000", 1);
    m.put("\uD83D\uDE00", 2);
    m.put("a", 3);
    m.put("B", 4);
    assertThat(canon(m)).isEqualTo("{\"B\":4,\"a\":3,\"\uD83D\uDE00\":2,\"\uE000\":1}");
  }

  @Test
  void should_escape_minimally() {
    String all = "\u0000\u0001\u001f \"\\/\b\f\n\r\t\u007f\u2028\u00e9\u20ac\uD83D\uDE00<>&'";
    assertThat(canon(all)).isEqualTo(
        "\"\\u0000\\u0001\\u001f \\\"\\\\/\\b\\f\\n\\r\\t\u007f\u2028\u00e9\u20ac\uD83D\uDE00<>&'\"");
    assertThat(Jcs.canonicalize("\u00e9\u20ac\uD83D\uDE00"))
        .isEqualTo(new byte[] {'"', (byte) 0xc3, (byte) 0xa9, (byte) 0xe2, (byte) 0x82,
            (byte) 0xac, (byte) 0xf0, (byte) 0x9f, (byte) 0x98, (byte) 0x80, '"'});
    // escaped input, including an escaped surrogate pair and \/, decodes before re-encoding
    assertThat(new String(Jcs.canonicalizeText("\"\\ud83d\\ude00\\/\\u00E9\\u0041\""),
        StandardCharsets.UTF_8)).isEqualTo("\"\uD83D\uDE00/\u00e9A\"");
  }

  // ---------------------------------------------------------------------------- rejections

  @ParameterizedTest(name = "[{index}] <{0}>")
  @ValueSource(strings = {
      "NaN", "[NaN]", "{\"a\":Infinity}", "[-Infinity]", "[1e400]", "[-1e400]",
      "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\\ud83d\"", "\"\\ud83d\\ud83d\"",
      "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"b\":1}}", "{\"\\u0061\":1,\"a\":2}",
      "[01]", "[-01]", "[1.]", "[.5]", "[+1]", "[1e]", "[0x10]", "[1,]", "{\"a\":1,}", "[1 2]",
      "{a:1}", "['a']", "\"tab\there\"", "\"\\x41\"", "\"\\u12G4\"", "[true false]", "nul",
      "{} {}", "[", "", "   ", "\uFEFF{}", "[\"a\"]x", "tru"})
  void should_reject_text_that_is_not_i_json(String text) {
    assertThatThrownBy(() -> Jcs.canonicalizeText(text))
        .isInstanceOf(EvidenceException.class)
        .extracting(e -> ((EvidenceException) e).reason()).isEqualTo(Reason.INVALID_JSON);
  }

  @Test
  void should_reject_lone_surrogates_in_raw_text_and_in_values() {
    assertThatThrownBy(() -> Jcs.canonicalizeText("[\"\uD800\"]"))
        .isInstanceOf(EvidenceException.class).hasMessageContaining("surrogate");
    assertThatThrownBy(() -> Jcs.canonicalizeText("[\"\uDC00x\"]"))
        .isInstanceOf(EvidenceException.class).hasMessageContaining("surrogate");
    assertThatThrownBy(() -> Jcs.canonicalize(new JsonObject().put("k", "a\uD800")))
        .isInstanceOf(EvidenceException.class).hasMessageContaining("surrogate");
    assertThatThrownBy(() -> Jcs.canonicalize(new JsonObject().put("\uDFFF", 1)))
        .isInstanceOf(EvidenceException.class).hasMessageContaining("surrogate");
  }

  @Test
  void should_reject_malformed_utf8() {
    byte[] overlong = {'"', (byte) 0xc0, (byte) 0xaf, '"'};
    byte[] encodedSurrogate = {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'};
    byte[] truncated = {'"', (byte) 0xe2, (byte) 0x82, '"'};
    for (byte[] b : List.of(overlong, encodedSurrogate, truncated)) {
      assertThatThrownBy(() -> Jcs.canonicalizeText(b))
          .isInstanceOf(EvidenceException.class).hasMessageContaining("UTF-8");
    }
  }

  @Test
  void should_reject_values_without_a_json_form() {
    assertThatThrownBy(() -> Jcs.canonicalize(new Object()))
        .isInstanceOf(EvidenceException.class);
    assertThatThrownBy(() -> Jcs.canonicalize(Map.of(1, "x")))
        .isInstanceOf(EvidenceException.class).hasMessageContaining("member name");
    assertThatThrownBy(() -> Jcs.canonicalize(new java.util.concurrent.atomic.AtomicLong(1)))
        .isInstanceOf(EvidenceException.class);
  }

  @Test
  void should_bound_nesting_depth() {
    String deep = "[".repeat(Jcs.MAX_DEPTH + 1) + "]".repeat(Jcs.MAX_DEPTH + 1);
    String ok = "[".repeat(Jcs.MAX_DEPTH) + "]".repeat(Jcs.MAX_DEPTH);
    assertThatThrownBy(() -> Jcs.canonicalizeText(deep)).isInstanceOf(EvidenceException.class);
    assertThat(Jcs.canonicalizeText(ok)).hasSize(2 * Jcs.MAX_DEPTH);
    List<Object> cyclic = new ArrayList<>();
    cyclic.add(cyclic);
    assertThatThrownBy(() -> Jcs.canonicalize(cyclic)).isInstanceOf(EvidenceException.class);
  }

  @Test
  void should_give_identical_results_across_threads() throws IOException {
    List<byte[]> inputs = new ArrayList<>();
    List<byte[]> expected = new ArrayList<>();
    for (String n : vectorNames()) {
      inputs.add(Files.readAllBytes(DIR.resolve("input").resolve(n)));
      expected.add(Files.readAllBytes(DIR.resolve("output").resolve(n)));
    }
    long mismatches = IntStream.range(0, 20_000).parallel()
        .filter(i -> !java.util.Arrays.equals(Jcs.canonicalizeText(inputs.get(i % inputs.size())),
            expected.get(i % inputs.size())))
        .count();
    assertThat(mismatches).isZero();
  }

  private static String canon(Object v) {
    return new String(Jcs.canonicalize(v), StandardCharsets.UTF_8);
  }
}
