package dev.aegis.pipeline.rego.builtins;

import static dev.aegis.pipeline.rego.builtins.BuiltinCalls.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.rego.Value;
import org.junit.jupiter.api.Test;

class RegexGlobTest {
  @Test
  void regexMatchUsesGoSyntax() {
    assertThat(call("regex.match", s("^[a-z]+$"), s("abc"))).isEqualTo(Value.TRUE);
    assertThat(call("re_match", s("b"), s("abc"))).isEqualTo(Value.TRUE);
    // $ is end of text in RE2, not "before a final newline"
    assertThat(call("regex.match", s("^abc$"), s("abc\n"))).isEqualTo(Value.FALSE);
    assertThat(call("regex.match", s("(?m)^abc$"), s("x\nabc\n"))).isEqualTo(Value.TRUE);
    assertThat(call("regex.match", s("^[[:alpha:]]+$"), s("abC"))).isEqualTo(Value.TRUE);
    assertThat(call("regex.match", s("(?P<word>x)"), s("x"))).isEqualTo(Value.TRUE);
    assertThat(call("regex.match", s("[[]"), s("["))).isEqualTo(Value.TRUE);
    assertThat(error("regex.match", s("(abc"), s("x")).detail()).startsWith("regex.match: error parsing regexp");
    assertThat(error("regex.match", n(1), s("x")).detail())
        .isEqualTo("regex.match: operand 1 must be string but got number");
  }

  @Test
  void isValid() {
    assertThat(call("regex.is_valid", s(".*"))).isEqualTo(Value.TRUE);
    assertThat(call("regex.is_valid", s("[a-"))).isEqualTo(Value.FALSE);
    assertThat(call("regex.is_valid", s("(?=a)"))).isEqualTo(Value.FALSE);
    assertThat(call("regex.is_valid", s("(a)\\1"))).isEqualTo(Value.FALSE);
    assertThat(call("regex.is_valid", n(1))).isEqualTo(Value.FALSE);
  }

  @Test
  void findSplitReplace() {
    assertThat(rego(call("regex.find_n", s("a."), s("paranormal"), n(-1))))
        .isEqualTo("[\"ar\", \"an\", \"al\"]");
    assertThat(rego(call("regex.find_n", s("a."), s("paranormal"), n(2)))).isEqualTo("[\"ar\", \"an\"]");
    assertThat(rego(call("regex.find_all_string_submatch_n", s("a(x*)b(y)?"), s("-ab-axxb-"), n(-1))))
        .isEqualTo("[[\"ab\", \"\", \"\"], [\"axxb\", \"xx\", \"\"]]");
    assertThat(rego(call("regex.split", s("a"), s("banana")))).isEqualTo("[\"b\", \"n\", \"n\", \"\"]");
    assertThat(rego(call("regex.split", s("x*"), s("xaxb")))).isEqualTo("[\"\", \"a\", \"b\"]");
    assertThat(call("regex.replace", s("-ab-axxb-"), s("a(x*)b"), s("${1}W"))).isEqualTo(s("-W-xxW-"));
    assertThat(call("regex.replace", s("abc"), s("(?P<l>b)"), s("[$l]"))).isEqualTo(s("a[b]c"));
    assertThat(call("regex.replace", s("abc"), s("z"), s("y"))).isEqualTo(s("abc"));
  }

  @Test
  void templateMatch() {
    assertThat(call("regex.template_match", s("urn:foo:{.*}"), s("urn:foo:bar:baz"), s("{"), s("}")))
        .isEqualTo(Value.TRUE);
    assertThat(call("regex.template_match", s("urn:foo.bar.com:{.*}"), s("urn:foo.com:bar:baz"),
        s("{"), s("}"))).isEqualTo(Value.FALSE);
    assertThat(call("regex.template_match", s("urn:foo:<[0-9]{2}>"), s("urn:foo:42"), s("<"), s(">")))
        .isEqualTo(Value.TRUE);
  }

  @Test
  void globMatch() {
    assertThat(call("glob.match", s("*.github.com"), j("[\".\"]"), s("api.github.com"))).isEqualTo(Value.TRUE);
    assertThat(call("glob.match", s("*.github.com"), j("[\".\"]"), s("api.cdn.github.com"))).isEqualTo(Value.FALSE);
    assertThat(call("glob.match", s("*:github:com"), j("[\":\"]"), s("api:github:com"))).isEqualTo(Value.TRUE);
    assertThat(call("glob.match", s("api.**.com"), j("[\".\"]"), s("api.cdn.github.com"))).isEqualTo(Value.TRUE);
    assertThat(call("glob.match", s("*"), j("[]"), s("foo.bar"))).isEqualTo(Value.FALSE);
    assertThat(call("glob.match", s("*"), Value.NULL, s("foo.bar"))).isEqualTo(Value.TRUE);
    assertThat(call("glob.match", s("[!abc]at"), j("[]"), s("cat"))).isEqualTo(Value.FALSE);
    assertThat(call("glob.match", s("[a-c]at"), j("[]"), s("bat"))).isEqualTo(Value.TRUE);
    assertThat(call("glob.match", s("{cat,bat,[fr]at}"), j("[]"), s("rat"))).isEqualTo(Value.TRUE);
    assertThat(call("glob.match", s("?"), Value.NULL, s(""))).isEqualTo(Value.FALSE);
    assertThat(call("glob.match", s("a/**/b"), Value.NULL, s("a/b"))).isEqualTo(Value.FALSE);
    assertThat(call("glob.match", s("a/**/b"), Value.NULL, s("a//b"))).isEqualTo(Value.TRUE);
    assertThat(call("glob.match", s("{**/,}x"), Value.NULL, s("x"))).isEqualTo(Value.TRUE);
    assertThat(call("glob.match", s("***"), j("[\".\"]"), s(""))).isEqualTo(Value.TRUE);
    assertThat(call("glob.match", s("*?*"), j("[\".\", \"/\"]"), s("api.github.com"))).isEqualTo(Value.FALSE);
    assertThat(call("glob.match", s("\\*"), Value.NULL, s("*"))).isEqualTo(Value.TRUE);
    assertThat(call("glob.match", s("\\*"), Value.NULL, s("a"))).isEqualTo(Value.FALSE);
    assertThat(error("glob.match", s("*"), n(1), s("a")).detail())
        .isEqualTo("glob.match: operand 2 must be one of {array, null} but got number");
    assertThat(call("glob.quote_meta", s("*.github.com"))).isEqualTo(s("\\*.github.com"));
  }
}
