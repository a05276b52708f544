package dev.aegis.pipeline.rego;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Parses every module of every case in {@code shared/testdata/rego/**.yaml}. Cases whose
 * {@code want_error_code} is {@code rego_parse_error} must fail to parse; all others must parse.
 * Ratchet: the number of correctly handled modules must never drop below {@link #MIN_OK}.
 */
class RegoCorpusParseTest {

  static final Path DIR = dev.aegis.pipeline.TestData.dir("rego");

  /** Ratchet: raise when more modules pass, never lower. */
  static final int MIN_OK = 982;

  /** Ratchet for case queries (and {@code input_term}s) that parse. */
  static final int MIN_QUERIES_OK = 807;

  @Test
  void parsesEveryCorpusModule() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(DIR)) {
      files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .filter(p -> !p.getFileName().toString().equals("README.md"))
          .sorted().toList();
    }
    assertThat(files).isNotEmpty();
    int total = 0;
    int parsed = 0;
    int expectedErrors = 0;
    int queries = 0;
    int queriesOk = 0;
    Map<String, Integer> failuresByCategory = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    for (Path f : files) {
      Map<String, Object> doc;
      try {
        doc = new Yaml(new LoaderOptions()).load(Files.readString(f));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      String rel = DIR.relativize(f).toString();
      String category = rel.contains("/") ? rel.substring(0, rel.indexOf('/')) : rel;
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> cases = (List<Map<String, Object>>) doc.get("cases");
      for (Map<String, Object> c : cases) {
        @SuppressWarnings("unchecked")
        List<Object> modules = (List<Object>) c.getOrDefault("modules", List.of());
        boolean wantParseError = "rego_parse_error".equals(c.get("want_error_code"));
        if (c.get("query") != null) {
          queries++;
          try {
            Parser.parseQuery(String.valueOf(c.get("query")));
            if (c.get("input_term") != null) {
              Parser.parseTerm(String.valueOf(c.get("input_term")));
            }
            queriesOk++;
          } catch (RuntimeException e) {
            failures.add(rel + " [" + c.get("note") + "] query: " + e);
          }
        }
        for (int m = 0; m < modules.size(); m++) {
          total++;
          String src = String.valueOf(modules.get(m));
          String name = "test-" + m + ".rego";
          try {
            Parser.parseModule(src, name);
            if (wantParseError) {
              failures.add(rel + " [" + c.get("note") + "] " + name + ": parsed, want error");
              failuresByCategory.merge(category, 1, Integer::sum);
            } else {
              parsed++;
            }
          } catch (RegoError e) {
            if (wantParseError) {
              expectedErrors++;
            } else {
              failures.add(rel + " [" + c.get("note") + "] " + e.getMessage());
              failuresByCategory.merge(category, 1, Integer::sum);
            }
          } catch (RuntimeException e) {
            failures.add(rel + " [" + c.get("note") + "] CRASH " + e);
            failuresByCategory.merge(category, 1, Integer::sum);
          }
        }
      }
    }
    System.out.printf("rego corpus: %d files, %d modules: parsed OK %d, expected parse errors "
        + "reported %d, failures %d%n", files.size(), total, parsed, expectedErrors,
        failures.size());
    System.out.printf("rego corpus queries: %d, parsed OK %d%n", queries, queriesOk);
    System.out.println("failures by category: " + failuresByCategory);
    failures.forEach(x -> System.out.println("  FAIL " + x));
    assertThat(parsed + expectedErrors).as("correctly handled modules (ratchet)")
        .isGreaterThanOrEqualTo(MIN_OK);
    assertThat(queriesOk).as("queries that parse (ratchet)").isGreaterThanOrEqualTo(MIN_QUERIES_OK);
  }
}
