package dev.aegis.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

  static LoadResult result(String scenario, double rate, int expected, int status, long p99Micros) {
    LoadSpec spec = new LoadSpec(scenario, "http://127.0.0.1:1", rate, 2, 10, 64, 1, 1000, 5,
        1000, Scenarios.hello("http://127.0.0.1:1"));
    LatencyRecorder rec = new LatencyRecorder(expected, 5_000_000);
    for (int i = 0; i < 1000; i++) {
      long lat = i < 980 ? 300_000 : p99Micros * 1000;
      rec.recordResponse(0, 0, lat, i == 999 ? 500 : status);
    }
    rec.sample(500, "{\"error\":\"boom\"}");
    return LoadResult.of(spec, rec, new LatencyRecorder(expected, 5_000_000), 1000, 0, 10.0, 0.4,
        Map.of("gateway", 0.9));
  }

  @Test
  void writesJsonAndMarkdown(@TempDir Path dir) throws Exception {
    JsonObject report = new JsonObject()
        .put("started_at", "2026-01-01T00:00:00Z")
        .put("finished_at", "2026-01-01T00:05:00Z")
        .put("command", new JsonObject().put("argv", "java -jar aegis-bench.jar suite")
            .put("wrapper", "bench/run.sh --rates 1000").put("jvm", "java -jar x"))
        .put("machine", new JsonObject().put("cpu_model", "Test CPU").put("cpus", "2")
            .put("memory_gib", 24.0).put("kernel", "Linux"))
        .put("jdk", new JsonObject().put("server_java", "java")
            .put("server", "openjdk version \"17.0.15\"\nOpenJDK Runtime")
            .put("bench", new JsonObject().put("java_version", "17.0.15")))
        .put("git", new JsonObject().put("commit", "abc1234").put("dirty", false))
        .put("settings", new JsonObject().put("late_ms", 5.0).put("client_transport", "epoll")
            .put("pinning", new JsonObject().put("server_cpus", "0").put("bench_cpus", "1")
                .put("db_affinity", "all"))
            .put("peak", new JsonObject().put("factor", 1.5).put("duration_s", 4.0)
                .put("warmup_s", 2.0).put("max_p99_ms", 50.0).put("max_backlog_fraction", 0.01)))
        .put("scenarios", new JsonObject()
            .put("hello", new JsonArray()
                .add(result("hello", 1000, 200, 200, 2_000).toJson().put("label", "fixed")))
            .put("allow", new JsonArray()
                .add(result("allow", 5000, 200, 200, 1_500).toJson().put("label", "half-peak"))))
        .put("peaks", new JsonObject()
            .put("hello", new PeakFinder.Peak(20000, 19990, java.util.List.of(
                new PeakFinder.Step(20000, result("hello", 20000, 200, 200, 3_000), null)),
                "failed at 30000", false).toJson())
            .put("allow", new PeakFinder.Peak(10000, 9990, java.util.List.of(), "failed at 15000",
                true).toJson()))
        .put("ratio_allow_to_hello", 0.5)
        .put("gateway", new JsonObject().put("status", "ok"))
        .put("problems", new JsonArray().add("something odd"));

    ReportWriter.write(dir, report);

    JsonObject back = new JsonObject(Files.readString(dir.resolve("report.json")));
    assertThat(back).isEqualTo(report);
    LoadResult again = LoadResult.fromJson(back.getJsonObject("scenarios").getJsonArray("hello")
        .getJsonObject(0));
    assertThat(again.p99Ms()).isEqualTo(2.0);
    assertThat(again.statusCounts()).containsEntry("200", 999L).containsEntry("500", 1L);
    assertThat(again.unexpected()).isEqualTo(1);

    String md = Files.readString(dir.resolve("report.md"));
    assertThat(md).contains("# Aegis bench report — 2026-01-01T00:00:00Z");
    assertThat(md).contains("| hello peak (sustained) | 20,000 req/s |");
    assertThat(md).contains("| allow peak / hello peak | 0.500 | ≥ 0.50 |");
    assertThat(md).contains("| allow p99 at 5,000 req/s (half of allow peak) | 1.500 ms |");
    assertThat(md).contains("| 1,000 | fixed | 100 | 0.300 |");
    assertThat(md).contains("200: 999, 500: 1");
    assertThat(md).contains("gateway 0.900");
    assertThat(md).contains("Test CPU, 2 CPUs, 24.0 GiB");
    assertThat(md).contains("openjdk version \"17.0.15\"; OpenJDK Runtime");
    assertThat(md).contains("Git commit: abc1234");
    assertThat(md).contains("`bench/run.sh --rates 1000`");
    assertThat(md).contains("may be the client's limit, not the server's");
    assertThat(md).contains("- something odd");
    assertThat(md).contains("e.g. `500 {\"error\":\"boom\"}`");
  }
}
