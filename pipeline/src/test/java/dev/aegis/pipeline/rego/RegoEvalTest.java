package dev.aegis.pipeline.rego;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The evaluator's language semantics, feature by feature (the OPA conformance corpus covers the
 * rest; see RegoConformanceTest).
 */
class RegoEvalTest {

  private static CompiledPolicy compile(String... modules) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < modules.length; i++) {
      m.put("m" + i + ".rego", modules[i]);
    }
    return RegoCompiler.compile(m);
  }

  private static String eval(CompiledPolicy p, String path, String inputJson) {
    Value in = inputJson == null ? null : Values.parseJson(inputJson);
    Value v = p.evalRef(path, in, null, QueryOptions.STRICT);
    return v == null ? "undefined" : Values.toRego(v);
  }

  private static List<Map<String, Value>> query(CompiledPolicy p, String q) {
    return p.query(q, Value.EMPTY_OBJECT, null, QueryOptions.STRICT);
  }

  @Test
  void completeRulesDefaultsAndElse() {
    CompiledPolicy p = compile("""
        package t
        default allow := false
        allow if input.user == "alice"
        level := "high" if input.n > 10
        else := "mid" if input.n > 5
        else := "low"
        """);
    assertThat(eval(p, "t.allow", "{\"user\":\"alice\"}")).isEqualTo("true");
    assertThat(eval(p, "t.allow", "{\"user\":\"bob\"}")).isEqualTo("false");
    assertThat(eval(p, "t.level", "{\"n\":11}")).isEqualTo("\"high\"");
    assertThat(eval(p, "t.level", "{\"n\":6}")).isEqualTo("\"mid\"");
    assertThat(eval(p, "t.level", "{\"n\":1}")).isEqualTo("\"low\"");
  }

  @Test
  void partialSetsObjectsAndRefHeads() {
    CompiledPolicy p = compile("""
        package t
        deny contains msg if {
          some u in input.users
          u.admin
          msg := sprintf("%s is admin", [u.name])
        }
        by_name[u.name] := u.age if some u in input.users
        a.b[u.name].c := true if some u in input.users
        """);
    String in = "{\"users\":[{\"name\":\"x\",\"age\":1,\"admin\":true},"
        + "{\"name\":\"y\",\"age\":2,\"admin\":false}]}";
    assertThat(eval(p, "t.deny", in)).isEqualTo("{\"x is admin\"}");
    assertThat(eval(p, "t.by_name", in)).isEqualTo("{\"x\": 1, \"y\": 2}");
    assertThat(eval(p, "t.a.b.y.c", in)).isEqualTo("true");
    assertThat(eval(p, "t.a", in)).isEqualTo("{\"b\": {\"x\": {\"c\": true}, \"y\": {\"c\": true}}}");
  }

  @Test
  void everyAndNegationAndSomeIn() {
    CompiledPolicy p = compile("""
        package t
        all_small if every x in input.xs { x < 10 }
        none_big if not any_big
        any_big if { some x in input.xs; x >= 10 }
        pairs contains [k, v] if some k, v in input.obj
        """);
    assertThat(eval(p, "t.all_small", "{\"xs\":[1,2,3]}")).isEqualTo("true");
    assertThat(eval(p, "t.all_small", "{\"xs\":[1,20,3]}")).isEqualTo("undefined");
    assertThat(eval(p, "t.all_small", "{\"xs\":[]}")).isEqualTo("true");
    assertThat(eval(p, "t.none_big", "{\"xs\":[1,2]}")).isEqualTo("true");
    assertThat(eval(p, "t.none_big", "{\"xs\":[1,12]}")).isEqualTo("undefined");
    assertThat(eval(p, "t.pairs", "{\"obj\":{\"a\":1,\"b\":2}}"))
        .isEqualTo("{[\"a\", 1], [\"b\", 2]}");
  }

  @Test
  void comprehensionsAndUnification() {
    CompiledPolicy p = compile("""
        package t
        arr := [x * 2 | some x in input.xs]
        st := {x | some x in input.xs; x > 1}
        obj := {k: v | some k, v in {"a": 1, "b": 2}}
        sw if { [a, b] = [1, 2]; a == 1; b == 2 }
        first := x if [x, _] = input.xs
        """);
    String in = "{\"xs\":[1,2,2]}";
    assertThat(eval(p, "t.arr", in)).isEqualTo("[2, 4, 4]");
    assertThat(eval(p, "t.st", in)).isEqualTo("{2}");
    assertThat(eval(p, "t.obj", in)).isEqualTo("{\"a\": 1, \"b\": 2}");
    assertThat(eval(p, "t.sw", in)).isEqualTo("true");
    assertThat(eval(p, "t.first", "{\"xs\":[7,8]}")).isEqualTo("7");
    assertThat(eval(p, "t.first", "{\"xs\":[7]}")).isEqualTo("undefined");
  }

  @Test
  void functionsImportsAndPackagesAcrossModules() {
    CompiledPolicy p = compile("""
        package lib.util
        double(x) := x * 2
        is_prod(ns) if contains(ns, "prod")
        """, """
        package t
        import data.lib.util
        import data.lib.util.double as dbl
        four := util.double(2)
        eight := dbl(4)
        prod if util.is_prod(input.ns)
        """);
    assertThat(eval(p, "t.four", null)).isEqualTo("4");
    assertThat(eval(p, "t.eight", null)).isEqualTo("8");
    assertThat(eval(p, "t.prod", "{\"ns\":\"payments-prod\"}")).isEqualTo("true");
    assertThat(eval(p, "t.prod", "{\"ns\":\"dev\"}")).isEqualTo("undefined");
    assertThat(p.packages()).containsExactly("lib.util", "t");
  }

  @Test
  void withReplacesInputDataAndFunctions() {
    CompiledPolicy p = compile("""
        package t
        allow if input.role == "admin"
        limit := data.config.limit
        over if count(input.xs) > data.config.limit
        mocked if allow with input as {"role": "admin"}
        mocked_data := x if { x := limit with data.config.limit as 7 }
        mocked_count if over with count as 100 with data.config.limit as 5
        """);
    Value data = Values.parseJson("{\"config\":{\"limit\":3}}");
    Value in = Values.parseJson("{\"role\":\"user\",\"xs\":[1]}");
    assertThat(p.evalRef("t.mocked", in, data, QueryOptions.STRICT)).isEqualTo(Value.TRUE);
    assertThat(p.evalRef("t.allow", in, data, QueryOptions.STRICT)).isNull();
    assertThat(p.evalRef("t.mocked_data", in, data, QueryOptions.STRICT))
        .isEqualTo(Value.num(7));
    assertThat(p.evalRef("t.limit", in, data, QueryOptions.STRICT)).isEqualTo(Value.num(3));
    assertThat(p.evalRef("t.mocked_count", in, data, QueryOptions.STRICT)).isEqualTo(Value.TRUE);
    assertThat(p.evalRef("t.over", in, data, QueryOptions.STRICT)).isNull();
  }

  @Test
  void withOnAnAncestorReachesRulesReadThroughImportsAndNames() {
    CompiledPolicy p = compile("""
        package cfg.limits
        max := 3
        """, """
        package t
        import data.cfg.limits
        lim := limits.max
        doubled := lim * 2
        swapped := x if { x := doubled with data.cfg as {"limits": {"max": 10}} }
        """);
    assertThat(eval(p, "t.doubled", null)).isEqualTo("6");
    assertThat(eval(p, "t.swapped", null)).isEqualTo("20");
  }

  @Test
  void queriesBindVariablesInOrder() {
    CompiledPolicy p = compile("""
        package t
        xs := [1, 2, 3]
        """);
    List<Map<String, Value>> rows = query(p, "x := data.t.xs[i]; x > 1");
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).keySet()).containsExactly("x", "i");
    assertThat(rows.get(0).get("x")).isEqualTo(Value.num(2));
    assertThat(rows.get(1).get("i")).isEqualTo(Value.num(2));
    assertThat(query(p, "data.t.xs[_] > 5")).isEmpty();
  }

  @Test
  void conflictsAreErrors() {
    CompiledPolicy p = compile("""
        package t
        x := 1
        x := 2 if true
        f(_) := 1
        f(_) := 2
        y := f(0)
        o[k] := v if { some k in ["a", "a"]; v := count(k) + 0; true }
        o2[k] := v if { some v in [1, 2]; k := "a" }
        """);
    assertThatThrownBy(() -> eval(p, "t.x", null)).isInstanceOfSatisfying(RegoError.class,
        e -> assertThat(e.code()).isEqualTo("eval_conflict_error"));
    assertThatThrownBy(() -> eval(p, "t.y", null)).isInstanceOfSatisfying(RegoError.class,
        e -> assertThat(e.getMessage()).contains("function data.t.f produced conflicting values"));
    assertThat(eval(p, "t.o", null)).isEqualTo("{\"a\": 1}");
    assertThatThrownBy(() -> eval(p, "t.o2", null)).isInstanceOfSatisfying(RegoError.class,
        e -> assertThat(e.getMessage()).contains("object keys must be unique"));
  }

  @Test
  void compileErrorsCarryOpaCodesAndLocations() {
    assertThatThrownBy(() -> compile("package t\nallow if {\n  nosuch.fn(1)\n}\n"))
        .isInstanceOfSatisfying(RegoError.class, e -> {
          assertThat(e.code()).isEqualTo("rego_type_error");
          assertThat(e.detail()).contains("undefined function nosuch.fn");
          assertThat(e.file()).isEqualTo("m0.rego");
          assertThat(e.line()).isEqualTo(3);
        });
    assertThatThrownBy(() -> compile("package t\nx := count(1, 2, 3)\n"))
        .isInstanceOfSatisfying(RegoError.class, e ->
            assertThat(e.detail()).contains("arity mismatch"));
    assertThatThrownBy(() -> compile("package t\nallow if {\n  x = \n}\n"))
        .isInstanceOfSatisfying(RegoError.class, e ->
            assertThat(e.code()).isEqualTo("rego_parse_error"));
    assertThatThrownBy(() -> compile("package t\np if {\n  x := 1\n  x := 2\n}\n"))
        .isInstanceOfSatisfying(RegoError.class, e -> {
          assertThat(e.code()).isEqualTo("rego_compile_error");
          assertThat(e.detail()).isEqualTo("var x assigned above");
          assertThat(e.line()).isEqualTo(4);
        });
    assertThatThrownBy(() -> compile("package t\np if {\n  true with nosuch.thing as 1\n}\n"))
        .isInstanceOfSatisfying(RegoError.class, e -> {
          assertThat(e.code()).isEqualTo("rego_compile_error");
          assertThat(e.detail()).contains("with keyword target");
          assertThat(e.line()).isEqualTo(3);
        });
    assertThatThrownBy(() -> compile("package t\ndefault a := 1\ndefault a := 2\n"))
        .isInstanceOfSatisfying(RegoError.class, e ->
            assertThat(e.code()).isEqualTo("rego_type_error"));
  }

  @Test
  void builtinErrorsAreUndefinedUnlessStrict() {
    CompiledPolicy p = compile("""
        package t
        x := 1 / input.d
        """);
    Value in = Values.parseJson("{\"d\":0}");
    assertThat(p.evalRef("t.x", in, null, QueryOptions.DEFAULT)).isNull();
    assertThatThrownBy(() -> p.evalRef("t.x", in, null, QueryOptions.STRICT))
        .isInstanceOfSatisfying(RegoError.class, e -> {
          assertThat(e.code()).isEqualTo("eval_builtin_error");
          assertThat(e.getMessage()).contains("m0.rego:2:").contains("divide by zero");
        });
  }

  @Test
  void recursionIsRejectedAtCompileTime() {
    assertThatThrownBy(() -> compile("package t\na if b\nb if a\n"))
        .isInstanceOfSatisfying(RegoError.class, e -> {
          assertThat(e.code()).isEqualTo("rego_recursion_error");
          assertThat(e.detail()).contains("data.t.a").contains("data.t.b");
        });
    assertThatThrownBy(() -> compile("package t\nf(x) := f(x)\n"))
        .isInstanceOfSatisfying(RegoError.class, e ->
            assertThat(e.code()).isEqualTo("rego_recursion_error"));
    assertThatThrownBy(() -> compile("package t\np := count(data.t)\n"))
        .isInstanceOfSatisfying(RegoError.class, e ->
            assertThat(e.code()).isEqualTo("rego_recursion_error"));
    // a function argument named like a rule is a local, not a reference to the rule
    assertThat(eval(compile("package t\nf(x) := x + 1\nx := f(2)\n"), "t.x", null))
        .isEqualTo("3");
  }

  @Test
  void staticRulesAreSharedAcrossQueriesButNeverAcrossInputs() {
    CompiledPolicy p = compile("""
        package t
        words := {w | some w in ["rm", "drop", "truncate"]}
        re := concat("|", sort(words))
        hit if regex.match(re, input.text)
        """);
    assertThat(eval(p, "t.hit", "{\"text\":\"please drop it\"}")).isEqualTo("true");
    assertThat(eval(p, "t.hit", "{\"text\":\"select\"}")).isEqualTo("undefined");
    assertThat(eval(p, "t.re", null)).isEqualTo("\"drop|rm|truncate\"");
    // with still replaces a static rule's inputs
    assertThat(eval(compile("""
        package t
        n := count(data.t.xs)
        xs := [1, 2]
        m := v if { v := n with data.t.xs as [1, 2, 3] }
        """), "t.m", null)).isEqualTo("3");
  }

  @Test
  void testRulesAndClockUseAreReported() {
    CompiledPolicy p = compile("""
        package t
        allow if input.x == 1
        test_allow if allow with input as {"x": 1}
        test_deny if not allow with input as {"x": 2}
        """);
    assertThat(p.testRules()).containsExactly("t.test_allow", "t.test_deny");
    assertThat(p.usesClock()).isFalse();
    assertThat(compile("package t\nnow := time.now_ns()\n").usesClock()).isTrue();
    assertThat(compile("package t\nlate if input.time > \"2026\"\n").usesClock()).isTrue();
  }

  @Test
  void baseDataAndVirtualDocumentsMerge() {
    CompiledPolicy p = compile("""
        package cfg
        extra := 2
        """);
    Value data = Values.parseJson("{\"cfg\":{\"base\":1}}");
    assertThat(Values.toRego(p.evalRef("cfg", null, data, QueryOptions.STRICT)))
        .isEqualTo("{\"base\": 1, \"extra\": 2}");
    List<Map<String, Value>> rows = p.query("data.cfg[k] = v", null, data, QueryOptions.STRICT);
    assertThat(rows).hasSize(2);
  }
}
