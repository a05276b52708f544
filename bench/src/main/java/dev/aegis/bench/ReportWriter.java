package dev.aegis.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Writes the suite's report as {@code report.json} and a readable {@code report.md}. */
final class ReportWriter {
  private ReportWriter() {}

  static final String[] SCENARIOS = {"hello", "allow", "deny"};

  static void write(Path dir, JsonObject report) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("report.json"), report.encodePrettily() + "\n",
        StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("report.md"), markdown(report), StandardCharsets.UTF_8);
  }

  static String markdown(JsonObject r) {
    StringBuilder md = new StringBuilder();
    md.append("# Aegis bench report — ").append(r.getString("started_at", "?")).append("\n\n");
    if (r.getBoolean("aborted", false)) {
      md.append("**This run was interrupted; the report holds only what was measured before.**"
          + "\n\n");
    }
    summary(md, r);
    md.append("## Results per scenario\n\n");
    md.append("Latency in ms from each request's *intended* send time (open loop, coordinated "
        + "omission corrected). Achieved = responses / measured window. Backlog = requests sent "
        + "more than ").append(fmt(r.getJsonObject("settings", new JsonObject())
            .getDouble("late_ms", LoadSpec.DEFAULT_LATE_MS)))
        .append(" ms after their intended time. Send lag = intended time to actual write (the "
            + "client's or the connection queue's share); service = actual write to answer (not "
            + "corrected, diagnostic only). CPU = cores used during the measured window.\n\n");
    JsonObject scenarios = r.getJsonObject("scenarios", new JsonObject());
    for (String name : SCENARIOS) {
      JsonArray runs = scenarios.getJsonArray(name);
      if (runs == null || runs.isEmpty()) {
        continue;
      }
      md.append("### ").append(name).append(title(name)).append("\n\n");
      runTable(md, runs);
    }
    JsonArray warm = r.getJsonArray("gateway_warmup");
    if (warm != null && !warm.isEmpty()) {
      md.append("### gateway warm-up (not part of the results)\n\n");
      runTable(md, warm);
    }
    JsonObject peaks = r.getJsonObject("peaks", new JsonObject());
    if (!peaks.isEmpty()) {
      md.append("## Peak search\n\n");
      JsonObject s = r.getJsonObject("settings", new JsonObject()).getJsonObject("peak",
          new JsonObject());
      md.append("Rate stepped ×").append(fmt(s.getDouble("factor", 1.5)))
          .append(" per step (").append(fmt(s.getDouble("warmup_s", 0.0))).append(" s warm-up + ")
          .append(fmt(s.getDouble("duration_s", 0.0))).append(" s measured) until p99 > ")
          .append(fmt(s.getDouble("max_p99_ms", 50.0)))
          .append(" ms, any error/timeout/unexpected status, backlog > ")
          .append(fmt(100 * s.getDouble("max_backlog_fraction", 0.01)))
          .append("% of requests, or achieved < 95% of target; then one step halfway back. "
              + "The peak is the highest passing rate.\n\n");
      for (String name : SCENARIOS) {
        JsonObject p = peaks.getJsonObject(name);
        if (p == null) {
          continue;
        }
        md.append("### ").append(name).append(": peak ").append(rate(p.getDouble("peak_rps")))
            .append(" req/s\n\n");
        md.append("| target req/s | passed | achieved req/s | p50 | p99 | max | server CPU | "
            + "client CPU | why it failed |\n");
        md.append("|---:|:-:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Object o : p.getJsonArray("steps", new JsonArray())) {
          JsonObject st = (JsonObject) o;
          LoadResult lr = LoadResult.fromJson(st.getJsonObject("result"));
          md.append("| ").append(rate(st.getDouble("rate"))).append(" | ")
              .append(st.getBoolean("passed") ? "yes" : "no").append(" | ")
              .append(rate(lr.achievedRps())).append(" | ").append(fmt(lr.p50Ms())).append(" | ")
              .append(fmt(lr.p99Ms())).append(" | ").append(fmt(lr.maxMs())).append(" | ")
              .append(cpu(lr.serverCpu())).append(" | ").append(fmt(lr.clientCpu()))
              .append(" | ").append(st.getString("failure") == null ? ""
                  : escape(st.getString("failure"))).append(" |\n");
        }
        md.append("\nStopped: ").append(escape(p.getString("stop_reason", ""))).append("\n");
        if (p.getBoolean("client_bound", false)) {
          md.append("\n**Warning:** at the failing step the load generator itself fell behind its "
              + "schedule (its core was busy or stalled); this peak may be the client's limit, "
              + "not the server's.\n");
        }
        md.append("\n");
      }
    }
    environment(md, r);
    JsonArray problems = r.getJsonArray("problems", new JsonArray());
    md.append("## Problems\n\n");
    for (String name : SCENARIOS) {
      JsonArray runs = scenarios.getJsonArray(name);
      if (runs == null) {
        continue;
      }
      for (Object o : runs) {
        JsonObject j = (JsonObject) o;
        JsonArray samples = j.getJsonArray("unexpected_samples");
        if (samples != null && !samples.isEmpty()) {
          md.append("- ").append(name).append(" at ").append(rate(j.getDouble("target_rps")))
              .append(" req/s: ").append(j.getLong("unexpected")).append(" unexpected answers (expected ")
              .append(j.getInteger("expected_status")).append("), e.g. `")
              .append(escape(samples.getString(0)).replace("`", "'")).append("`\n");
        }
      }
    }
    if (problems.isEmpty()) {
      md.append("None recorded.\n");
    } else {
      for (Object p : problems) {
        md.append("- ").append(escape(String.valueOf(p))).append("\n");
      }
    }
    return md.toString();
  }

  private static String title(String name) {
    return switch (name) {
      case "hello" -> " — bare Vert.x hello server (baseline)";
      case "allow" -> " — gateway /execute, allowed mix (expect 200)";
      case "deny" -> " — gateway /execute, denied mix (expect 403)";
      default -> "";
    };
  }

  private static void summary(StringBuilder md, JsonObject r) {
    md.append("## Summary\n\n| what | value | target |\n|---|---|---|\n");
    JsonObject peaks = r.getJsonObject("peaks", new JsonObject());
    Double hello = peak(peaks, "hello");
    Double allow = peak(peaks, "allow");
    md.append("| hello peak (sustained) | ").append(hello == null ? "n/a" : rate(hello) + " req/s")
        .append(" | baseline |\n");
    md.append("| allow peak (sustained) | ").append(allow == null ? "n/a" : rate(allow) + " req/s")
        .append(" | |\n");
    Double ratio = r.getDouble("ratio_allow_to_hello");
    md.append("| allow peak / hello peak | ").append(ratio == null ? "n/a" : fmt(ratio))
        .append(" | ≥ 0.50 |\n");
    JsonObject scenarios = r.getJsonObject("scenarios", new JsonObject());
    for (String name : SCENARIOS) {
      JsonArray runs = scenarios.getJsonArray(name);
      if (runs == null) {
        continue;
      }
      for (Object o : runs) {
        JsonObject run = (JsonObject) o;
        if ("half-peak".equals(run.getString("label"))) {
          String target = name.equals("hello") ? "" : "< 2 ms (answer after durable audit)";
          md.append("| ").append(name).append(" p99 at ").append(rate(run.getDouble("target_rps")))
              .append(" req/s (half of ").append(name.equals("hello") ? "hello" : "allow")
              .append(" peak) | ")
              .append(fmt(run.getJsonObject("latency_ms").getDouble("p99"))).append(" ms | ")
              .append(target).append(" |\n");
        }
      }
    }
    JsonObject gw = r.getJsonObject("gateway", new JsonObject());
    md.append("\nGateway: **").append(gw.getString("status", "not run")).append("**");
    if (gw.getString("error") != null) {
      md.append(" — ").append(escape(gw.getString("error")));
    }
    md.append("\n\n");
  }

  private static Double peak(JsonObject peaks, String name) {
    JsonObject p = peaks.getJsonObject(name);
    return p == null ? null : p.getDouble("peak_rps");
  }

  private static void runTable(StringBuilder md, JsonArray runs) {
    md.append("| target req/s | run | achieved req/s | p50 | p90 | p99 | p99.9 | max | statuses "
        + "| unexpected | errors | timeouts | backlog | send lag p99 | service p99 | server CPU "
        + "| client CPU |\n");
    md.append("|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:"
        + "|---:|\n");
    for (Object o : runs) {
      JsonObject j = (JsonObject) o;
      LoadResult lr = LoadResult.fromJson(j);
      md.append("| ").append(rate(lr.targetRps())).append(" | ")
          .append(j.getString("label", "")).append(" | ")
          .append(rate(lr.achievedRps())).append(" | ")
          .append(fmt(lr.p50Ms())).append(" | ").append(fmt(lr.p90Ms())).append(" | ")
          .append(fmt(lr.p99Ms())).append(" | ").append(fmt(lr.p999Ms())).append(" | ")
          .append(fmt(lr.maxMs())).append(" | ").append(statuses(lr.statusCounts())).append(" | ")
          .append(lr.unexpected()).append(" | ")
          .append(lr.errors() + lr.dropped() + lr.unfinished()).append(" | ")
          .append(lr.timeouts()).append(" | ").append(lr.backlog()).append(" | ")
          .append(fmt(lr.sendLagP99Ms())).append(" | ").append(fmt(lr.serviceP99Ms())).append(" | ")
          .append(cpu(lr.serverCpu())).append(" | ").append(fmt(lr.clientCpu())).append(" |\n");
    }
    md.append("\n");
  }

  private static void environment(StringBuilder md, JsonObject r) {
    md.append("## Environment\n\n");
    JsonObject noise = r.getJsonObject("noise");
    if (noise != null) {
      for (String when : new String[] {"start", "end"}) {
        JsonObject n = noise.getJsonObject(when);
        if (n == null) {
          continue;
        }
        md.append("- CPU noise at ").append(when).append(" (share of time a spinning thread was "
            + "stalled > 0.5 ms; worst stall): server core ").append(noiseText(
                n.getJsonObject("server_core"))).append("; bench core ")
            .append(noiseText(n.getJsonObject("bench_core"))).append("\n");
      }
    }
    JsonObject m = r.getJsonObject("machine", new JsonObject());
    md.append("- Machine: ").append(m.getString("cpu_model", "?")).append(", ")
        .append(m.getValue("cpus", "?")).append(" CPUs, ")
        .append(m.getValue("memory_gib", "?")).append(" GiB, ")
        .append(m.getString("kernel", "?")).append("\n");
    JsonObject jdk = r.getJsonObject("jdk", new JsonObject());
    md.append("- Gateway/hello JDK (`").append(jdk.getString("server_java", "java"))
        .append(" -version`): ")
        .append(oneLine(jdk.getString("server", "?"))).append("\n");
    JsonObject bench = jdk.getJsonObject("bench", new JsonObject());
    md.append("- Load generator JDK: ").append(bench.getString("java_version", "?"))
        .append(", client transport ")
        .append(r.getJsonObject("settings", new JsonObject()).getString("client_transport", "?"))
        .append("\n");
    JsonObject git = r.getJsonObject("git", new JsonObject());
    md.append("- Git commit: ").append(git.getString("commit", "unknown"));
    if (Boolean.TRUE.equals(git.getBoolean("dirty"))) {
      md.append(" (working tree has uncommitted changes)");
    }
    md.append("\n");
    JsonObject pin = r.getJsonObject("settings", new JsonObject()).getJsonObject("pinning",
        new JsonObject());
    md.append("- Pinning: servers on CPU ").append(pin.getString("server_cpus", "-"))
        .append(", load generator on CPU ").append(pin.getString("bench_cpus", "-"))
        .append(", gateway database: ").append(pin.getString("db_affinity", "-")).append("\n");
    JsonObject cmd = r.getJsonObject("command", new JsonObject());
    md.append("- Command: `").append(cmd.getString("wrapper", cmd.getString("argv", "?")))
        .append("`\n");
    md.append("- Bench JVM command line: `").append(cmd.getString("jvm", "?")).append("`\n");
    md.append("- Started ").append(r.getString("started_at", "?")).append(", finished ")
        .append(r.getString("finished_at", "?")).append("\n\n");
  }

  static String noiseText(JsonObject n) {
    if (n == null) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.1f", 100 * n.getDouble("stalled_fraction", 0.0))
        + "% stalled, worst "
        + fmt(n.getDouble("max_stall_ms", 0.0)) + " ms";
  }

  static String statuses(Map<String, Long> counts) {
    if (counts.isEmpty()) {
      return "-";
    }
    StringBuilder s = new StringBuilder();
    counts.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(": ")
        .append(v));
    return s.toString();
  }

  static String cpu(Map<String, Double> server) {
    if (server.isEmpty()) {
      return "-";
    }
    StringBuilder s = new StringBuilder();
    server.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(" ")
        .append(fmt(v)));
    return s.toString();
  }

  static String rate(Double r) {
    if (r == null) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%,.0f", r);
  }

  static String fmt(Double v) {
    if (v == null) {
      return "n/a";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e6) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : "%.3f", v);
  }

  static String oneLine(String s) {
    return s.replace("\r", "").replace("\n", "; ");
  }

  static String escape(String s) {
    return oneLine(s).replace("|", "\\|");
  }
}
