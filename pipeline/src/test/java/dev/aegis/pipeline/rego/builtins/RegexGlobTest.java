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
    assertThat(call("regex.match", s("^{.*}$"), s("{x}"))).isEqualTo(Value.TRUE);
    assertThat(call("regex.match", s("^a{2}$"), s("aa"))).isEqualTo(Value.TRUE);
    assertThat(call("regex.match", s("^\\101$"), s("A"))).isEqualTo(Value.TRUE);
    assertThat(call("regex.match", s("^\\p{Greek}+$"), s("αβγ"))).isEqualTo(Value.TRUE);
    assertThat(call("regex.match", s("^\\pL\\p{^Greek}$"), s("aa"))).isEqualTo(Value.TRUE);
    assertThat(call("regex.match", s("^[[:^word:]]$"), s("_"))).isEqualTo(Value.FALSE);
    assertThat(call("regex.match", s("[a&&b]"), s("&"))).isEqualTo(Value.TRUE);
    // RE2's \\b is ASCII: a non-ASCII letter next to a keyword still leaves a boundary
    assertThat(call("regex.match", s("\\bor\\b"), s("éor 1=1"))).isEqualTo(Value.TRUE);
    assertThat(call("regex.match", s("\\bor\\b"), s("for"))).isEqualTo(Value.FALSE);
    assertThat(call("regex.match", s("^a\\Bb$"), s("ab"))).isEqualTo(Value.TRUE);
    assertThat(call("regex.match", s("^\\s$"), s("\u000b"))).isEqualTo(Value.FALSE);
    assertThat(call("regex.match", s("^[\\S]+ \\S$"), s("ab c"))).isEqualTo(Value.TRUE);
    assertThat(call("regex.match", s("(?i)^école$"), s("ÉCOLE"))).isEqualTo(Value.TRUE);
    assertThat(call("regex.match", s("(?:^|[^\\pL\\p{Nd}])drop (?:table|database)(?:$|[^\\pL\\p{Nd}])"),
        s("x; drop table users"))).isEqualTo(Value.TRUE);
    assertThat(call("regex.match", s("\\bselect\\b.+?\\bfrom\\b"), s("select * from t"))).isEqualTo(Value.TRUE);
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
    assertThat(call("regex.replace", s("John Smith"), s("(?P<first_name>\\w+) (?P<last>\\w+)"),
        s("${last}, ${first_name}"))).isEqualTo(s("Smith, John"));
    assertThat(call("regex.replace", s("baaac"), s("a*"), s("X"))).isEqualTo(s("XbXcX"));
    assertThat(call("regex.replace", s("foo"), s("(foo)"), s("$1$1"))).isEqualTo(s("foofoo"));
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
    assertThat(call("glob.match", s("[!a-c]at"), j("[]"), s("bat"))).isEqualTo(Value.FALSE);
    assertThat(call("glob.match", s("[ab-]x"), j("[]"), s("-x"))).isEqualTo(Value.TRUE);
    assertThat(call("glob.match", s("[\\]]"), j("[]"), s("]"))).isEqualTo(Value.TRUE);
    assertThat(error("glob.match", s("[a-cx]"), j("[]"), s("a")).code()).isEqualTo("eval_builtin_error");
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

  @Test
  void catastrophicBacktrackingIsCutOff() {
    StringBuilder csv = new StringBuilder("0");
    for (int i = 1; i < 30; i++) {
      csv.append(',').append(i);
    }
    long t0 = System.nanoTime();
    assertThat(error("regex.match", s("^(.*?,){11}P"), s(csv.toString())).detail())
        .isEqualTo("regex.match: regular expression too expensive to evaluate");
    assertThat(System.nanoTime() - t0).isLessThan(500_000_000L);
    // linear work on a large input stays within the budget
    String big = "x".repeat(200_000) + "needle";
    assertThat(call("regex.match", s("ne+dle$"), s(big))).isEqualTo(Value.TRUE);
    assertThat(rego(call("regex.find_n", s("[a-z]+"), s("ab cd"), n(-1)))).isEqualTo("[\"ab\", \"cd\"]");
  }
}
