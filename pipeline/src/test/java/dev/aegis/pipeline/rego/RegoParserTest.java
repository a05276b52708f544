package dev.aegis.pipeline.rego;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.rego.Ast.ArrayCompr;
import dev.aegis.pipeline.rego.Ast.ArrayTerm;
import dev.aegis.pipeline.rego.Ast.Assign;
import dev.aegis.pipeline.rego.Ast.Body;
import dev.aegis.pipeline.rego.Ast.Bool;
import dev.aegis.pipeline.rego.Ast.Call;
import dev.aegis.pipeline.rego.Ast.Every;
import dev.aegis.pipeline.rego.Ast.Expr;
import dev.aegis.pipeline.rego.Ast.Module;
import dev.aegis.pipeline.rego.Ast.Num;
import dev.aegis.pipeline.rego.Ast.ObjectCompr;
import dev.aegis.pipeline.rego.Ast.ObjectTerm;
import dev.aegis.pipeline.rego.Ast.Ref;
import dev.aegis.pipeline.rego.Ast.Rule;
import dev.aegis.pipeline.rego.Ast.RuleKind;
import dev.aegis.pipeline.rego.Ast.SetCompr;
import dev.aegis.pipeline.rego.Ast.SetTerm;
import dev.aegis.pipeline.rego.Ast.SomeIn;
import dev.aegis.pipeline.rego.Ast.SomeVars;
import dev.aegis.pipeline.rego.Ast.Str;
import dev.aegis.pipeline.rego.Ast.Term;
import dev.aegis.pipeline.rego.Ast.TermExpr;
import dev.aegis.pipeline.rego.Ast.Unify;
import dev.aegis.pipeline.rego.Ast.Var;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RegoParserTest {

  static Module mod(String body) {
    return Parser.parseModule("package test\n\n" + body);
  }

  static Rule rule(String src) {
    Module m = mod(src);
    assertThat(m.rules()).hasSize(1);
    return m.rules().get(0);
  }

  static Expr expr(String src) {
    Body b = Parser.parseQuery(src);
    assertThat(b.exprs()).hasSize(1);
    return b.exprs().get(0);
  }

  static Term term(String src) {
    return ((TermExpr) expr(src).kind()).term();
  }

  static Ref ref(String dotted) {
    String[] p = dotted.split("\\.");
    List<Term> path = new java.util.ArrayList<>();
    for (int i = 1; i < p.length; i++) {
      path.add(new Str(p[i]));
    }
    return new Ref(new Var(p[0]), path);
  }

  static Call call(String fn, Term... args) {
    return new Call(ref(fn), List.of(args));
  }

  static Var v(String n) {
    return new Var(n);
  }

  static Num n(String t) {
    return new Num(t);
  }

  // ------------------------------------------------------------------ lexer

  @Test
  void lexerTokensAndPositions() {
    List<Token> t = Lexer.tokenize("p := `a\\b` # c\nq != -1.5e3");
    assertThat(t).extracting(Token::kind).containsExactly(Token.Kind.IDENT, Token.Kind.ASSIGN,
        Token.Kind.RAW_STRING, Token.Kind.IDENT, Token.Kind.NEQ, Token.Kind.MINUS,
        Token.Kind.NUMBER, Token.Kind.EOF);
    assertThat(t.get(2).text()).isEqualTo("a\\b");
    assertThat(t.get(3).line()).isEqualTo(2);
    assertThat(t.get(3).column()).isEqualTo(1);
    assertThat(t.get(3).newlineBefore()).isTrue();
    assertThat(t.get(6).text()).isEqualTo("1.5e3");
    assertThat(t.get(6).column()).isEqualTo(7);
  }

  @Test
  void stringEscapes() {
    assertThat(Parser.parseTerm("\"a\\n\\t\\\"\\u00e9\\ud83d\\ude00\\/\""))
        .isEqualTo(new Str("a\n\t\"é\uD83D\uDE00/"));
  }

  // ------------------------------------------------------------------ module structure

  @Test
  void packageAndImports() {
    Module m = Parser.parseModule("package a.b[\"c-d\"]\n\nimport rego.v1\n"
        + "import future.keywords.in\nimport future.keywords\nimport data.x.y as z\n"
        + "import input\n");
    assertThat(m.pkg()).isEqualTo(new Ref(v("a"), List.of(new Str("b"), new Str("c-d"))));
    assertThat(m.imports()).hasSize(5);
    assertThat(m.imports().get(3).path()).isEqualTo(ref("data.x.y"));
    assertThat(m.imports().get(3).alias()).isEqualTo("z");
    assertThat(m.imports().get(4).path()).isEqualTo(ref("input"));
    assertThat(m.rules()).isEmpty();
  }

  @Test
  void completeRules() {
    Rule r = rule("p := 1 + 2 if {\n  input.x > 1\n  true; false\n}");
    assertThat(r.kind()).isEqualTo(RuleKind.COMPLETE);
    assertThat(r.head()).isEqualTo(ref("p"));
    assertThat(r.assignOp()).isEqualTo(":=");
    assertThat(r.value()).isEqualTo(call("plus", n("1"), n("2")));
    assertThat(r.body().exprs()).hasSize(3);
    assertThat(r.body().exprs().get(0).kind())
        .isEqualTo(new TermExpr(call("gt", ref("input.x"), n("1"))));

    Rule u = rule("p = {\"a\": [1, 2]}");
    assertThat(u.assignOp()).isEqualTo("=");
    assertThat(u.body().isEmpty()).isTrue();
    assertThat(u.value()).isInstanceOf(ObjectTerm.class);

    Rule b = rule("allow if input.user == \"admin\"");
    assertThat(b.value()).isNull();
    assertThat(b.body().exprs()).hasSize(1);
  }

  @Test
  void defaultRule() {
    Rule r = rule("default allow := false");
    assertThat(r.isDefault()).isTrue();
    assertThat(r.value()).isEqualTo(new Bool(false));
    assertThat(Parser.parseModule("package t\ndefault f(_) := 1").rules().get(0).kind())
        .isEqualTo(RuleKind.FUNCTION);
  }

  @Test
  void partialSetAndObjectAndRefHeads() {
    Rule s = rule("deny contains msg if {\n  some x in input.xs\n  msg := x\n}");
    assertThat(s.kind()).isEqualTo(RuleKind.PARTIAL_SET);
    assertThat(s.key()).isEqualTo(v("msg"));
    assertThat(s.body().exprs().get(0).kind())
        .isEqualTo(new SomeIn(null, v("x"), ref("input.xs")));

    Rule o = rule("p[k] := v if {\n  some k, v in input\n}");
    assertThat(o.kind()).isEqualTo(RuleKind.PARTIAL_OBJECT);
    assertThat(o.head()).isEqualTo(new Ref(v("p"), List.of(v("k"))));
    assertThat(o.body().exprs().get(0).kind()).isEqualTo(new SomeIn(v("k"), v("v"), v("input")));

    Rule g = rule("a.b[\"c\"].d := 1");
    assertThat(g.kind()).isEqualTo(RuleKind.COMPLETE);
    assertThat(g.head()).isEqualTo(ref("a.b.c.d"));

    Rule mv = rule("a.b contains 1");
    assertThat(mv.kind()).isEqualTo(RuleKind.PARTIAL_SET);
    assertThat(mv.head()).isEqualTo(ref("a.b"));
  }

  @Test
  void functionsAndElse() {
    Rule f = rule("f(x, [y, _]) := z if {\n  z := x + y\n} else := 0 if {\n  x < 0\n} else := -1");
    assertThat(f.kind()).isEqualTo(RuleKind.FUNCTION);
    assertThat(f.args()).containsExactly(v("x"), new ArrayTerm(List.of(v("y"), v("_"))));
    assertThat(f.elseRule().value()).isEqualTo(n("0"));
    assertThat(f.elseRule().elseRule().value()).isEqualTo(n("-1"));
    assertThat(f.elseRule().elseRule().body().isEmpty()).isTrue();
    assertThat(f.elseRule().elseRule().elseRule()).isNull();

    Rule e = rule("p := 1 if {\n  false\n}\nelse := 2 if true");
    assertThat(e.elseRule().value()).isEqualTo(n("2"));
  }

  // ------------------------------------------------------------------ terms

  @Test
  void refsAndCalls() {
    assertThat(term("input.a[0][\"b\"].c")).isEqualTo(new Ref(v("input"),
        List.of(new Str("a"), n("0"), new Str("b"), new Str("c"))));
    assertThat(term("count(xs)")).isEqualTo(call("count", v("xs")));
    assertThat(term("a.b.c(1, x)")).isEqualTo(call("a.b.c", n("1"), v("x")));
    assertThat(term("[1,2][i]")).isEqualTo(new Ref(new ArrayTerm(List.of(n("1"), n("2"))),
        List.of(v("i"))));
    assertThat(term("contains(\"abc\", \"b\")")).isEqualTo(
        call("contains", new Str("abc"), new Str("b")));
  }

  @Test
  void collections() {
    assertThat(term("{}")).isEqualTo(new ObjectTerm(List.of()));
    assertThat(term("set()")).isEqualTo(new SetTerm(List.of()));
    assertThat(term("{1, 2,}")).isEqualTo(new SetTerm(List.of(n("1"), n("2"))));
    assertThat(term("{\"a\": 1}")).isEqualTo(new ObjectTerm(List.of(
        new Ast.Entry(new Str("a"), n("1")))));
    assertThat(term("[x | x := xs[_]]")).isInstanceOf(ArrayCompr.class);
    assertThat(term("{x | some x in xs}")).isInstanceOf(SetCompr.class);
    ObjectCompr oc = (ObjectCompr) term("{k: v | some k, v in o; v > 1}");
    assertThat(oc.key()).isEqualTo(v("k"));
    assertThat(oc.body().exprs()).hasSize(2);
    // `|` inside parentheses in a collection is set union, not a comprehension
    assertThat(term("[(a | b)]")).isEqualTo(new ArrayTerm(List.of(call("or", v("a"), v("b")))));
  }

  @Test
  void precedence() {
    assertThat(term("1 + 2 * 3")).isEqualTo(call("plus", n("1"), call("mul", n("2"), n("3"))));
    assertThat(term("a - b - c")).isEqualTo(call("minus", call("minus", v("a"), v("b")), v("c")));
    assertThat(term("a | b & c")).isEqualTo(call("or", v("a"), call("and", v("b"), v("c"))));
    assertThat(term("a + 1 == b | c")).isEqualTo(call("equal", call("plus", v("a"), n("1")),
        call("or", v("b"), v("c"))));
    assertThat(term("x == 1 in s")).isEqualTo(
        call("internal.member_2", call("equal", v("x"), n("1")), v("s")));
    assertThat(term("-x")).isEqualTo(call("minus", n("0"), v("x")));
    assertThat(term("-1")).isEqualTo(n("-1"));
    assertThat(term("k, v in o")).isEqualTo(call("internal.member_3", v("k"), v("v"), v("o")));
    assertThat(term("f(1, 1 in [2])")).isEqualTo(call("f", n("1"),
        call("internal.member_2", n("1"), new ArrayTerm(List.of(n("2"))))));
  }

  // ------------------------------------------------------------------ expressions

  @Test
  void expressions() {
    assertThat(expr("x := [1]").kind()).isEqualTo(new Assign(v("x"),
        new ArrayTerm(List.of(n("1")))));
    assertThat(expr("[x, y] = [1, 2]").kind()).isInstanceOf(Unify.class);
    assertThat(expr("some x, y").kind()).isEqualTo(new SomeVars(List.of(v("x"), v("y"))));
    Expr neg = expr("not input.x");
    assertThat(neg.negated()).isTrue();
    assertThat(neg.kind()).isEqualTo(new TermExpr(ref("input.x")));
    Expr w = expr("p with input.x as 1 with data.y as {\"a\": 2} with count as f");
    assertThat(w.withs()).hasSize(3);
    assertThat(w.withs().get(0).target()).isEqualTo(ref("input.x"));
    assertThat(w.withs().get(2).target()).isEqualTo(ref("count"));
    Every e = (Every) expr("every k, v in input.xs {\n  v > k\n}").kind();
    assertThat(e.key()).isEqualTo(v("k"));
    assertThat(e.value()).isEqualTo(v("v"));
    assertThat(e.domain()).isEqualTo(ref("input.xs"));
    assertThat(e.body().exprs()).hasSize(1);
    assertThat(Parser.parseQuery("a = 1; b = 2\nc").exprs()).hasSize(3);
    assertThat(expr("x := 1").loc()).isEqualTo(new Ast.Loc(1, 1));
  }

  // ------------------------------------------------------------------ errors

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      p { true }                             | 3 | 3
      p[x] { x := 1 }                        | 3 | 6
      f(x) = 1 { true }                      | 3 | 10
      p := 1 2                               | 3 | 8
      p := [1, 2                             | 3 | 11
      p := "abc                              | 3 | 6
      p := 1 if { }                          | 3 | 13
      p := 1.                                | 3 | 6
      p := x +                               | 3 | 9
      import foo.bar                         | 3 | 8
      default p                              | 3 | 10
      p if { x := 1 y := 2 }                 | 3 | 15
      p := {1: }                             | 3 | 10
      p := @                                 | 3 | 6
      p                                      | 3 | 1
      1 := p                                 | 3 | 1
      p if { 1 := x }                        | 3 | 8
      p if { some 1 }                        | 3 | 13
      p if { every x in xs }                 | 3 | 22
      p := "a\\q"                            | 3 | 8
      """)
  void parseErrors(String src, int line, int col) {
    assertThatThrownBy(() -> Parser.parseModule("package test\n\n" + src, "test-0.rego"))
        .isInstanceOfSatisfying(RegoError.class, e -> {
          assertThat(e.code()).isEqualTo("rego_parse_error");
          assertThat(e.line()).as(e.getMessage()).isEqualTo(line);
          assertThat(e.column()).as(e.getMessage()).isEqualTo(col);
          assertThat(e.getMessage()).startsWith("test-0.rego:" + line + ":");
        });
  }

  @Test
  void missingPackage() {
    assertThatThrownBy(() -> Parser.parseModule("p := 1"))
        .isInstanceOfSatisfying(RegoError.class, e -> {
          assertThat(e.code()).isEqualTo("rego_parse_error");
          assertThat(e.line()).isEqualTo(1);
          assertThat(e.column()).isEqualTo(1);
        });
  }

  @Test
  void errorOnSecondLineOfModule() {
    assertThatThrownBy(() -> Parser.parseModule("package x\np if {\n  x := \n}"))
        .isInstanceOfSatisfying(RegoError.class, e -> {
          assertThat(e.line()).isEqualTo(4);
          assertThat(e.column()).isEqualTo(1);
        });
  }
}
