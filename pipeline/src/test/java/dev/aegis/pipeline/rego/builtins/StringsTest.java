package dev.aegis.pipeline.rego.builtins;

import static dev.aegis.pipeline.rego.builtins.BuiltinCalls.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.rego.Value;
import org.junit.jupiter.api.Test;

class StringsTest {
  private static String sprintf(String f, String argsJson) {
    return ((Value.StrV) call("sprintf", s(f), j(argsJson))).value();
  }

  @Test
  void sprintfFormatsLikeGo() {
    assertThat(sprintf("hi %s", "[\"there\"]")).isEqualTo("hi there");
    assertThat(sprintf("hi %.2f", "[3.1415]")).isEqualTo("hi 3.14");
    assertThat(sprintf("hi %v", "[[\"there\", 5, 3.14]]")).isEqualTo("hi [\"there\", 5, 3.14]");
    assertThat(sprintf("%d", "[42]")).isEqualTo("42");
    assertThat(sprintf("%v", "[9223372036854775808]")).isEqualTo("9223372036854775808");
    assertThat(sprintf("%s", "[123456789123456789123]")).isEqualTo("123456789123456789123");
    assertThat(sprintf("%f", "[123456789123456789123]")).isEqualTo("%!f(big.Int=123456789123456789123)");
    assertThat(sprintf("%x %X %o %b", "[255, 255, 8, 5]")).isEqualTo("ff FF 10 101");
    assertThat(sprintf("%05d|%-4d|%+d", "[42, 7, 3]")).isEqualTo("00042|7   |+3");
    assertThat(sprintf("%q", "[\"a\\\"b\"]")).isEqualTo("\"a\\\"b\"");
    assertThat(sprintf("%v %v", "[true, null]")).isEqualTo("true null");
    assertThat(sprintf("%v", "[{\"a\": [1]}]")).isEqualTo("{\"a\": [1]}");
    assertThat(sprintf("%v", "[2.5]")).isEqualTo("2.5");
    assertThat(sprintf("%v", "[1e30]")).isEqualTo("1e+30");
    assertThat(sprintf("%v", "[1.0]")).isEqualTo("1");
    assertThat(sprintf("%v", "[1234567.5]")).isEqualTo("1.2345675e+06");
    assertThat(sprintf("%e", "[1234.5678]")).isEqualTo("1.234568e+03");
    assertThat(sprintf("%g", "[0.00001]")).isEqualTo("1e-05");
    assertThat(sprintf("%d", "[2.5]")).isEqualTo("%!d(float64=2.5)");
    assertThat(sprintf("%s", "[5]")).isEqualTo("%!s(int=5)");
    assertThat(sprintf("%d %d", "[1]")).isEqualTo("1 %!d(MISSING)");
    assertThat(sprintf("%d", "[1, \"x\"]")).isEqualTo("1%!(EXTRA string=x)");
    assertThat(sprintf("100%%", "[]")).isEqualTo("100%");
    assertThat(sprintf("%8.3f|", "[3.14159]")).isEqualTo("   3.142|");
    assertThat(sprintf("%-5s|%5s|%05s", "[\"ab\", \"cd\", \"ef\"]")).isEqualTo("ab   |   cd|000ef");
    assertThat(sprintf("%*d|", "[4, 7]")).isEqualTo("   7|");
    assertThat(sprintf("%*d", "[99999999, 7]")).isEqualTo("%!(BADWIDTH)7");
    assertThat(sprintf("%c%c", "[65, -1]")).isEqualTo("A\ufffd");
    assertThat(sprintf("%x|%X|% x", "[\"hi\", \"hi\", \"hi\"]")).isEqualTo("6869|6869|68 69");
    assertThat(error("sprintf", s("%v"), s("x")).detail())
        .isEqualTo("sprintf: operand 2 must be array but got string");
  }

  @Test
  void basicStringFunctions() {
    assertThat(callJson("concat", "\",\"", "[\"a\",\"b\"]")).isEqualTo(s("a,b"));
    assertThat(call("concat", s("-"), set(s("b"), s("a")))).isEqualTo(s("a-b"));
    assertThat(errorJson("concat", "\",\"", "[\"a\",1]").detail())
        .isEqualTo("concat: operand 2 must be array of strings but got array containing number");
    assertThat(call("contains", s("abc"), s("bc"))).isEqualTo(Value.TRUE);
    assertThat(call("startswith", s("abc"), s("ab"))).isEqualTo(Value.TRUE);
    assertThat(call("endswith", s("abc"), s("ab"))).isEqualTo(Value.FALSE);
    assertThat(call("lower", s("AbC"))).isEqualTo(s("abc"));
    assertThat(call("upper", s("AbC"))).isEqualTo(s("ABC"));
    assertThat(call("upper", s("straße"))).isEqualTo(s("STRAßE"));
    assertThat(call("lower", s("ÀÉ"))).isEqualTo(s("àé"));
    assertThat(call("format_int", n(255), n(16))).isEqualTo(s("ff"));
    assertThat(call("format_int", num("-5.9"), n(2))).isEqualTo(s("-101"));
    assertThat(error("format_int", n(1), n(3)).detail())
        .isEqualTo("format_int: operand 2 must be one of {2, 8, 10, 16}");
    assertThat(call("indexof", s("héllo"), s("l"))).isEqualTo(n(2));
    assertThat(call("indexof", s("abc"), s("z"))).isEqualTo(n(-1));
    assertThat(error("indexof", s("abc"), s("")).detail()).isEqualTo("indexof: empty search character");
    assertThat(rego(call("indexof_n", s("sad sad"), s("sad")))).isEqualTo("[0, 4]");
    assertThat(call("strings.reverse", s("ab😀c"))).isEqualTo(s("c😀ba"));
    assertThat(call("strings.count", s("cheese"), s("e"))).isEqualTo(n(3));
    assertThat(call("strings.count", s("five"), s(""))).isEqualTo(n(5));
  }

  @Test
  void splitAndReplace() {
    assertThat(rego(call("split", s("a.b.c"), s(".")))).isEqualTo("[\"a\", \"b\", \"c\"]");
    assertThat(rego(call("split", s("abc"), s("")))).isEqualTo("[\"a\", \"b\", \"c\"]");
    assertThat(rego(call("split", s(""), s(".")))).isEqualTo("[\"\"]");
    assertThat(rego(call("strings.split_n", s("a.b.c.d"), s("."), n(2)))).isEqualTo("[\"a\", \"b\"]");
    assertThat(rego(call("strings.split_n", s("a.b.c.d"), s("."), n(-2)))).isEqualTo("[\"c\", \"d\"]");
    assertThat(rego(call("strings.split_n", s("a.b.c.d"), s("."), n(0)))).isEqualTo("[]");
    assertThat(rego(call("strings.split_n", s("abc"), s(""), n(-2)))).isEqualTo("[\"b\", \"c\"]");
    assertThat(error("strings.split_n", s("a.b"), s("."), num("1.5")).detail())
        .isEqualTo("strings.split_n: operand 3 must be integer number but got floating-point number");
    assertThat(call("replace", s("aaa"), s("a"), s("b"))).isEqualTo(s("bbb"));
    assertThat(call("replace", s("abc"), s(""), s("-"))).isEqualTo(s("-a-b-c-"));
    assertThat(callJson("strings.replace_n", "{\"a\":\"b\",\"b\":\"c\"}", "\"ab\""))
        .isEqualTo(s("bc"));
    assertThat(callJson("strings.replace_n", "{\"\":\"X\",\"a\":\"Y\"}", "\"ab\"")).isEqualTo(s("XYXbX"));
    assertThat(callJson("strings.replace_n", "{\"\":\"-\",\"é\":\"e\"}", "\"aéb\"")).isEqualTo(s("-a-e-b-"));
    assertThat(errorJson("strings.replace_n", "{\"a\":1}", "\"ab\"").detail())
        .isEqualTo("strings.replace_n: operand 1 non-string value found in pattern object");
    assertThat(errorJson("strings.replace_n", "{\"a\":\"1\"}", "1").detail())
        .isEqualTo("strings.replace_n: operand 2 must be string but got number");
  }

  @Test
  void prefixSuffixMatch() {
    assertThat(callJson("strings.any_prefix_match", "[\"abc\",\"x\"]", "\"ab\"")).isEqualTo(Value.TRUE);
    assertThat(callJson("strings.any_suffix_match", "\"abc\"", "[\"bc\"]")).isEqualTo(Value.TRUE);
    assertThat(callJson("strings.any_prefix_match", "\"abc\"", "[]")).isEqualTo(Value.FALSE);
    assertThat(errorJson("strings.any_prefix_match", "1", "\"a\"").detail()).isEqualTo(
        "strings.any_prefix_match: operand 1 must be one of {string, set, array} but got number");
    assertThat(errorJson("strings.any_prefix_match", "\"a\"", "[1]").detail()).isEqualTo(
        "strings.any_prefix_match: operand 2 must be array of strings but got array containing number");
  }

  @Test
  void substringAndTrim() {
    assertThat(call("substring", s("abcdef"), n(2), n(3))).isEqualTo(s("cde"));
    assertThat(call("substring", s("héllo"), n(1), n(-1))).isEqualTo(s("éllo"));
    assertThat(call("substring", s("abc"), n(5), n(1))).isEqualTo(s(""));
    assertThat(error("substring", s("abc"), n(-1), n(1)).detail()).isEqualTo("substring: negative offset");
    assertThat(call("trim", s("xxhixx"), s("x"))).isEqualTo(s("hi"));
    assertThat(call("trim_left", s("xxhixx"), s("x"))).isEqualTo(s("hixx"));
    assertThat(call("trim_right", s("xxhixx"), s("x"))).isEqualTo(s("xxhi"));
    assertThat(call("trim_prefix", s("foo.bar"), s("foo."))).isEqualTo(s("bar"));
    assertThat(call("trim_suffix", s("foo.bar"), s(".bar"))).isEqualTo(s("foo"));
    assertThat(call("trim_space", s(" \t hi \n\u00a0"))).isEqualTo(s("hi"));
  }

  @Test
  void replacementsCannotGrowWithoutBound() {
    String big = "ab".repeat(100_000);
    String repl = "x".repeat(200);
    assertThat(error("replace", s(big), s("a"), s(repl)).detail())
        .isEqualTo("replace: result too large (more than 16777216 characters)");
    assertThat(error("replace", s(big), s(""), s(repl)).detail()).startsWith("replace: result too large");
    assertThat(error("regex.replace", s(big), s("a"), s(repl)).detail()).startsWith("regex.replace: result too large");
    assertThat(((Value.StrV) call("replace", s(big), s("a"), s("c"))).value()).hasSize(200_000);
  }
}
