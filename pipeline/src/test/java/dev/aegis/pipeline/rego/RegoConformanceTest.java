package dev.aegis.pipeline.rego;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.TestData;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.SetV;
import dev.aegis.pipeline.rego.Value.StrV;
import dev.aegis.pipeline.rego.conformance.CaseLoader;
import dev.aegis.pipeline.rego.conformance.CaseResult;
import dev.aegis.pipeline.rego.conformance.ConformanceCase;
import dev.aegis.pipeline.rego.conformance.ConformanceReport;
import dev.aegis.pipeline.rego.conformance.ConformanceRunner;
import dev.aegis.pipeline.rego.conformance.ResultMatcher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * CI ratchet over OPA's conformance cases in {@code testdata/rego}: no category may pass fewer
 * cases than {@code conformance-baseline.properties} records (nor the whole run fewer than its
 * {@code total}). Run with {@code -Daegis.rego.updateBaseline=true} to rewrite the baseline in
 * the source tree from the current run (commit it when the numbers went up).
 */
class RegoConformanceTest {

  static final String BASELINE_RESOURCE = "/rego/conformance-baseline.properties";
  static final Path BASELINE_SOURCE =
      Path.of(System.getProperty("user.dir"), "src/test/resources/rego/conformance-baseline.properties");
  static final String TOTAL = "total";

  @Test
  void passCountsNeverDropBelowBaseline() throws IOException {
    ConformanceReport report = ConformanceRunner.run(TestData.dir("rego"),
        ConformanceRunner.Options.DEFAULT);
    report.print(System.out, false);
    assertThat(report.totals().total()).as("cases found").isGreaterThan(0);

    Map<String, Integer> current = new TreeMap<>();
    report.categories().forEach((name, c) -> current.put(name, c.passed()));
    current.put(TOTAL, report.passed());

    if (Boolean.getBoolean("aegis.rego.updateBaseline")) {
      writeBaseline(current, report);
      System.out.println("rewrote " + BASELINE_SOURCE);
      return;
    }
    Map<String, Integer> baseline = readBaseline();
    assertThat(baseline).as("baseline " + BASELINE_RESOURCE
        + " (create it with -Daegis.rego.updateBaseline=true)").isNotEmpty();
    List<String> drops = new ArrayList<>();
    baseline.forEach((name, min) -> {
      int now = current.getOrDefault(name, 0);
      if (now < min) {
        drops.add(name + ": " + now + " passed, baseline " + min);
      }
    });
    assertThat(drops).as("categories whose passed count fell below the baseline").isEmpty();
  }

  static Map<String, Integer> readBaseline() throws IOException {
    Properties p = new Properties();
    try (InputStream in = RegoConformanceTest.class.getResourceAsStream(BASELINE_RESOURCE)) {
      if (in != null) {
        p.load(in);
      } else if (Files.exists(BASELINE_SOURCE)) {
        try (InputStream f = Files.newInputStream(BASELINE_SOURCE)) {
          p.load(f);
        }
      }
    }
    Map<String, Integer> out = new TreeMap<>();
    p.forEach((k, v) -> out.put(String.valueOf(k), Integer.parseInt(String.valueOf(v).trim())));
    return out;
  }

  static void writeBaseline(Map<String, Integer> current, ConformanceReport report)
      throws IOException {
    StringBuilder sb = new StringBuilder()
        .append("# Rego conformance ratchet: minimum passed cases per category of testdata/rego\n")
        .append("# (checked by RegoConformanceTest). Regenerate with\n")
        .append("#   mvn -o -pl pipeline test -Dtest=RegoConformanceTest "
            + "-Daegis.rego.updateBaseline=true\n")
        .append("# Last run: ").append(report.passed()).append(" passed, ")
        .append(report.failed()).append(" failed, ").append(report.skipped())
        .append(" skipped.\n");
    current.forEach((name, passed) -> {
      if (!name.equals(TOTAL)) {
        sb.append(name).append('=').append(passed).append('\n');
      }
    });
    sb.append(TOTAL).append('=').append(current.get(TOTAL)).append('\n');
    Files.createDirectories(BASELINE_SOURCE.getParent());
    Files.writeString(BASELINE_SOURCE, sb.toString());
  }

  /** The comparison rules, without the evaluator. */
  @Nested
  class Comparison {

    private List<Map<String, Object>> want(String yaml) {
      return CaseLoader.parse("cat/x.yaml", "cases:\n  - note: n\n    query: q\n"
          + "    want_result:\n" + yaml.indent(6)).get(0).wantResult();
    }

    private Map<String, Value> row(String var, Value v) {
      Map<String, Value> m = new LinkedHashMap<>();
      m.put(var, v);
      return m;
    }

    private Value nums(long... xs) {
      List<Value> l = new ArrayList<>();
      for (long x : xs) {
        l.add(NumV.of(x));
      }
      return new ArrV(l);
    }

    @Test
    void setsCompareAsSortedLists() {
      Value set = SetV.of(NumV.of(3), NumV.of(1), NumV.of(2));
      assertThat(ResultMatcher.compareRows(want("- x: [1, 2, 3]"), List.of(row("x", set)), false))
          .isNull();
      assertThat(ResultMatcher.compareRows(want("- x: [3, 2, 1]"), List.of(row("x", set)), false))
          .contains("want [{\"x\":[3,2,1]}], got [{\"x\":[1,2,3]}]");
    }

    @Test
    void arraysKeepOrderUnlessSortBindings() {
      List<Map<String, Value>> got = List.of(row("x", nums(3, 1, 2)));
      assertThat(ResultMatcher.compareRows(want("- x: [1, 2, 3]"), got, false)).isNotNull();
      assertThat(ResultMatcher.compareRows(want("- x: [1, 2, 3]"), got, true)).isNull();
      assertThat(ResultMatcher.compareRows(want("- x: [1, 2, 4]"), got, true)).isNotNull();
      assertThat(ResultMatcher.compareRows(want("- x: [1, 2]"), got, true)).isNotNull();
    }

    @Test
    void numbersCompareByValue() {
      List<Map<String, Value>> one = List.of(row("x", NumV.of(1)));
      assertThat(ResultMatcher.compareRows(want("- x: 1.0"), one, false)).isNull();
      assertThat(ResultMatcher.compareRows(want("- x: 1"), one, false)).isNull();
      assertThat(ResultMatcher.compareRows(want("- x: 1.5"), one, false)).isNotNull();
      List<Map<String, Value>> tenth = List.of(row("x", NumV.of(new BigDecimal("0.10"))));
      assertThat(ResultMatcher.compareRows(want("- x: 0.1"), tenth, false)).isNull();
      List<Map<String, Value>> big = List.of(row("x", NumV.parse("11529215046068469760")));
      assertThat(ResultMatcher.compareRows(want("- x: 11529215046068469760"), big, false))
          .isNull();
      assertThat(ResultMatcher.compareRows(want("- x: '1'"), one, false)).isNotNull();
    }

    @Test
    void rowsFormASetAndUndefinedIsEmpty() {
      List<Map<String, Value>> got = List.of(row("x", NumV.of(1)), row("x", NumV.of(2)));
      assertThat(ResultMatcher.compareRows(want("- x: 2\n- x: 1"), got, false)).isNull();
      assertThat(ResultMatcher.compareRows(want("- x: 2"), got, false)).isNotNull();
      assertThat(ResultMatcher.compareRows(List.of(), List.of(), false)).isNull();
      assertThat(ResultMatcher.compareRows(List.of(), got, false)).isNotNull();
      assertThat(ResultMatcher.compareRows(want("- x: 1"), List.of(), false)).isNotNull();
    }

    @Test
    void nonStringKeysCompareAsTheirJsonText() {
      Value obj = Value.ObjV.builder().put(NumV.of(1), NumV.of(2))
          .put(new StrV("a"), Value.TRUE).build();
      assertThat(ResultMatcher.compareRows(want("- x: {\"1\": 2, a: true}"),
          List.of(row("x", obj)), false)).isNull();
    }

    private ConformanceCase errorCase(String code, String text) {
      StringBuilder y = new StringBuilder("cases:\n  - note: n\n    query: q\n");
      if (code != null) {
        y.append("    want_error_code: ").append(code).append('\n');
      }
      if (text != null) {
        y.append("    want_error: \"").append(text).append("\"\n");
      }
      return CaseLoader.parse("cat/e.yaml", y.toString()).get(0);
    }

    @Test
    void errorsMatchByCodeAndSubstring() {
      RegoError e = new RegoError("eval_type_error",
          "strings.any_prefix_match: operand 1 must be one of {string, set, array} but got number",
          "test-0.rego", 4, 3);
      assertThat(ResultMatcher.check(errorCase("eval_type_error",
          "test-0.rego:4: eval_type_error: strings.any_prefix_match: operand 1"), List.of(), e))
          .as("OPA's file:line rendering").isNull();
      assertThat(ResultMatcher.check(errorCase(null, "operand 1 must be one of"), List.of(), e))
          .isNull();
      assertThat(ResultMatcher.check(errorCase(null, ""), List.of(), e)).isNull();
      assertThat(ResultMatcher.check(errorCase("eval_builtin_error", null), List.of(), e))
          .contains("want error eval_builtin_error");
      assertThat(ResultMatcher.check(errorCase(null, "operand 2"), List.of(), e))
          .contains("want error containing \"operand 2\"");
      assertThat(ResultMatcher.check(errorCase("eval_type_error", null), List.of(), null))
          .contains("got no error");
    }

    @Test
    void unexpectedErrorFailsAndWantDefinedChecksDefinedness() {
      ConformanceCase c = CaseLoader.parse("cat/r.yaml",
          "cases:\n  - note: n\n    query: q\n    want_result: []\n").get(0);
      assertThat(ResultMatcher.check(c, List.of(), null)).isNull();
      assertThat(ResultMatcher.check(c, List.of(),
          new RegoError("eval_conflict_error", "conflict", null, 0, 0)))
          .startsWith("unexpected error: eval_conflict_error");
      ConformanceCase d = CaseLoader.parse("cat/d.yaml",
          "cases:\n  - note: n\n    query: q\n    want_defined: true\n").get(0);
      assertThat(ResultMatcher.check(d, List.of(), null)).contains("want defined");
      assertThat(ResultMatcher.check(d, List.of(row("x", Value.TRUE)), null)).isNull();
    }

    @Test
    void loaderReadsYamlAsOpaDoes() {
      ConformanceCase c = CaseLoader.parse("strings/a.yaml", """
          ---
          # comment
          cases:
            - note: strings/x
              query: data.test.p = x
              modules:
                - "package test\\n\\np := \\"\\U0001F600\\""
                - |
                  package test.b
              data: {1: 2.50, t: 2017-06-02T19:00:00Z}
              input_term: '{"a": [1, {2}]}'
              sort_bindings: true
              strict_error: true
              want_result:
                - x: 😀
            - note: strings/env
              query: x = 1
              env: {FOO: bar}
              want_result: [{x: 1}]
          """).get(0);
      assertThat(c.category()).isEqualTo("strings");
      assertThat(c.modules()).hasSize(2);
      assertThat(c.modules().get(0)).isEqualTo("package test\n\np := \"\uD83D\uDE00\"");
      assertThat(Values.toJson(ResultMatcher.expected(c.data())))
          .isEqualTo("{\"1\":2.5,\"t\":\"2017-06-02T19:00:00Z\"}");
      assertThat(c.inputTerm()).isEqualTo("{\"a\": [1, {2}]}");
      assertThat(c.sortBindings()).isTrue();
      assertThat(c.strictError()).isTrue();
      assertThat(c.hasInput()).isFalse();
      ConformanceCase env = CaseLoader.parse("strings/a.yaml",
          "cases:\n  - note: e\n    query: x = 1\n    env: {FOO: bar}\n    want_defined: true\n")
          .get(0);
      assertThat(ConformanceRunner.runCase(env).status()).isEqualTo(CaseResult.Status.SKIPPED);
    }

    @Test
    void reportEndsWithTotalsLine() {
      ConformanceCase c = CaseLoader.parse("cat/a.yaml",
          "cases:\n  - note: none\n    query: x = 1\n").get(0);
      CaseResult r = ConformanceRunner.runCase(c);
      assertThat(r.status()).isEqualTo(CaseResult.Status.FAILED);
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      new ConformanceReport(List.of(r)).print(new PrintStream(buf, true, StandardCharsets.UTF_8),
          false);
      List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
      assertThat(lines.get(0)).startsWith("FAIL cat/a.yaml [none]: case has none of");
      assertThat(lines).contains("0 skipped");
      assertThat(lines.get(lines.size() - 1)).isEqualTo("0 passed, 1 failed");
    }
  }
}
