package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar aegis.jar rego-conformance DIR}, run in-process through Main's command. */
class RegoConformanceCommandTest {

  private static final String PASSING = """
      ---
      cases:
        - note: tiny/passes
          query: data.test.p = x
          modules:
            - |
              package test

              p := 1 + 1
          want_result:
            - x: 2
      """;

  private static final String FAILING = """
      cases:
        - note: tiny/fails
          query: data.test.q = x
          modules:
            - |
              package test

              q := "a"
          want_result:
            - x: b
      """;

  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.regoConformance(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private List<String> lines() {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void onePassingOneFailingExitsOneAndEndsWithTotals() throws Exception {
    Files.createDirectories(dir.resolve("tiny"));
    Files.writeString(dir.resolve("tiny/pass.yaml"), PASSING);
    Files.writeString(dir.resolve("tiny/fail.yml"), FAILING);

    int code = run(dir.toString());

    List<String> lines = lines();
    assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isEqualTo(1);
    assertThat(lines.get(lines.size() - 1)).isEqualTo("1 passed, 1 failed");
    assertThat(lines).anyMatch(l -> l.startsWith("FAIL tiny/fail.yml [tiny/fails]")
        && l.contains("want [{\"x\":\"b\"}], got [{\"x\":\"a\"}]"));
    assertThat(lines).noneMatch(l -> l.contains("tiny/passes"));
    assertThat(lines).anyMatch(l -> l.matches("tiny\\s+1\\s+1\\s+0"));
  }

  @Test
  void allPassingExitsZeroAndVerboseListsEveryCase() throws Exception {
    Files.createDirectories(dir.resolve("tiny"));
    Files.writeString(dir.resolve("tiny/pass.yaml"), PASSING);

    int code = run(dir.toString(), "--verbose");

    List<String> lines = lines();
    assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(lines).anyMatch(l -> l.contains("tiny/pass.yaml [tiny/passes]"));
    assertThat(lines.get(lines.size() - 1)).isEqualTo("1 passed, 0 failed");
  }

  @Test
  void categoryFilterRunsOnlyThatFolder() throws Exception {
    Files.createDirectories(dir.resolve("good"));
    Files.createDirectories(dir.resolve("bad"));
    Files.writeString(dir.resolve("good/pass.yaml"), PASSING);
    Files.writeString(dir.resolve("bad/fail.yaml"), FAILING);

    assertThat(run(dir.toString(), "--category", "good")).isZero();
    assertThat(lines().get(lines().size() - 1)).isEqualTo("1 passed, 0 failed");
  }

  @Test
  void badArgumentsExitTwo() throws Exception {
    assertThat(run()).isEqualTo(2);
    assertThat(run(dir.resolve("missing").toString())).isEqualTo(2);
    assertThat(run(dir.toString(), "--bogus")).isEqualTo(2);
    assertThat(run(dir.toString())).as("no case files").isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("rego-conformance DIR");
  }
}
