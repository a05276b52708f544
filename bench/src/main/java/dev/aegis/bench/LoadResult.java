package dev.aegis.bench;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The summary of one load run at one fixed rate. Latencies are in milliseconds. */
public record LoadResult(
    String scenario,
    String url,
    double targetRps,
    double warmupSeconds,
    double durationSeconds,
    int connections,
    int eventLoops,
    long scheduled,
    long responses,
    long expectedResponses,
    int expectedStatus,
    double achievedRps,
    double goodRps,
    double p50Ms,
    double p90Ms,
    double p99Ms,
    double p999Ms,
    double maxMs,
    double meanMs,
    double sendLagP50Ms,
    double sendLagP90Ms,
    double sendLagP99Ms,
    double sendLagMaxMs,
    double serviceP50Ms,
    double serviceP99Ms,
    double serviceMaxMs,
    Map<String, Long> statusCounts,
    long unexpected,
    long errors,
    Map<String, Long> errorKinds,
    long timeouts,
    long backlog,
    long generatorLate,
    long dropped,
    long unfinished,
    double clientCpu,
    Map<String, Double> serverCpu,
    JsonObject warmup,
    JsonObject timeline,
    java.util.List<String> unexpectedSamples) {

  static double ms(long micros) {
    return Math.round(micros) / 1000.0;
  }

  static LoadResult of(LoadSpec spec, LatencyRecorder rec, LatencyRecorder warm, long scheduled,
      long unfinished, double elapsedSeconds, double clientCpu, Map<String, Double> serverCpu) {
    Histogram h = rec.latency();
    Map<String, Long> statuses = new LinkedHashMap<>();
    rec.statusCounts().forEach((k, v) -> statuses.put(String.valueOf(k), v));
    Map<String, Long> warmStatuses = new LinkedHashMap<>();
    warm.statusCounts().forEach((k, v) -> warmStatuses.put(String.valueOf(k), v));
    JsonObject warmup = new JsonObject()
        .put("responses", warm.responses())
        .put("unexpected", warm.unexpected())
        .put("errors", warm.errors())
        .put("timeouts", warm.timeouts())
        .put("status_counts", new JsonObject(new LinkedHashMap<>(warmStatuses)))
        .put("unexpected_samples", new io.vertx.core.json.JsonArray(
            new java.util.ArrayList<Object>(warm.unexpectedSamples())));
    boolean any = h.getTotalCount() > 0;
    return new LoadResult(
        spec.scenario(), spec.url(), spec.rate(), spec.warmupSeconds(), spec.durationSeconds(),
        spec.connections(), spec.eventLoops(), scheduled, rec.responses(), rec.expected(),
        rec.expectedStatus(),
        round1(rec.responses() / elapsedSeconds), round1(rec.expected() / elapsedSeconds),
        any ? ms(h.getValueAtPercentile(50)) : 0,
        any ? ms(h.getValueAtPercentile(90)) : 0,
        any ? ms(h.getValueAtPercentile(99)) : 0,
        any ? ms(h.getValueAtPercentile(99.9)) : 0,
        any ? ms(h.getMaxValue()) : 0,
        any ? Math.round(h.getMean()) / 1000.0 : 0,
        lag(rec, 50), lag(rec, 90), lag(rec, 99),
        rec.sendLag().getTotalCount() > 0 ? ms(rec.sendLag().getMaxValue()) : 0,
        pct(rec.service(), 50), pct(rec.service(), 99),
        rec.service().getTotalCount() > 0 ? ms(rec.service().getMaxValue()) : 0,
        statuses, rec.unexpected(), rec.errors(), new LinkedHashMap<>(rec.errorCounts()),
        rec.timeouts(), rec.late(), rec.schedulerLate(), rec.dropped(), unfinished,
        round3(clientCpu), serverCpu, warmup, timeline(rec),
        java.util.List.copyOf(rec.unexpectedSamples()));
  }

  /** Per measured second (by intended send time): completions, answers over 10 ms, worst ms. */
  static JsonObject timeline(LatencyRecorder rec) {
    if (rec.timelineCompleted() == null) {
      return null;
    }
    io.vertx.core.json.JsonArray done = new io.vertx.core.json.JsonArray();
    io.vertx.core.json.JsonArray slow = new io.vertx.core.json.JsonArray();
    io.vertx.core.json.JsonArray max = new io.vertx.core.json.JsonArray();
    for (int i = 0; i < rec.timelineCompleted().length; i++) {
      done.add(rec.timelineCompleted()[i]);
      slow.add(rec.timelineSlow()[i]);
      max.add(ms(rec.timelineMaxMicros()[i]));
    }
    return new JsonObject().put("completed", done).put("over_10ms", slow).put("max_ms", max);
  }

  private static double lag(LatencyRecorder rec, double percentile) {
    return pct(rec.sendLag(), percentile);
  }

  private static double pct(Histogram h, double percentile) {
    return h.getTotalCount() > 0 ? ms(h.getValueAtPercentile(percentile)) : 0;
  }

  static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** Requests that did not come back with the expected status, for any reason. */
  public long failures() {
    return unexpected + errors + timeouts + dropped + unfinished;
  }

  /**
   * Why this run does not count as sustained, or null when it does: p99 above the limit, any
   * error / timeout / unexpected status, backlog above {@code maxBacklogFraction} of the scheduled
   * requests, or achieved throughput under 95% of the target.
   */
  public String failureReason(double maxP99Ms, double maxBacklogFraction) {
    if (p99Ms > maxP99Ms) {
      return "p99 " + p99Ms + " ms > " + maxP99Ms + " ms";
    }
    if (failures() > 0) {
      return "failures: unexpected=" + unexpected + " errors=" + errors + " timeouts=" + timeouts
          + " dropped=" + dropped + " unfinished=" + unfinished;
    }
    if (scheduled > 0 && backlog > maxBacklogFraction * scheduled) {
      return "backlog " + backlog + " of " + scheduled + " requests sent late";
    }
    if (achievedRps < 0.95 * targetRps) {
      return "achieved " + achievedRps + " req/s < 95% of target " + targetRps;
    }
    return null;
  }

  public JsonObject toJson() {
    JsonObject lat = new JsonObject()
        .put("p50", p50Ms).put("p90", p90Ms).put("p99", p99Ms).put("p99_9", p999Ms)
        .put("max", maxMs).put("mean", meanMs);
    JsonObject cpu = new JsonObject().put("client", clientCpu);
    serverCpu.forEach(cpu::put);
    return new JsonObject()
        .put("scenario", scenario)
        .put("url", url)
        .put("target_rps", targetRps)
        .put("warmup_s", warmupSeconds)
        .put("duration_s", durationSeconds)
        .put("connections", connections)
        .put("event_loops", eventLoops)
        .put("scheduled", scheduled)
        .put("responses", responses)
        .put("expected_status", expectedStatus)
        .put("expected_responses", expectedResponses)
        .put("achieved_rps", achievedRps)
        .put("good_rps", goodRps)
        .put("latency_ms", lat)
        .put("send_lag_ms", new JsonObject().put("p50", sendLagP50Ms).put("p90", sendLagP90Ms)
            .put("p99", sendLagP99Ms).put("max", sendLagMaxMs))
        .put("service_ms", new JsonObject().put("p50", serviceP50Ms).put("p99", serviceP99Ms)
            .put("max", serviceMaxMs))
        .put("status_counts", new JsonObject(new LinkedHashMap<>(statusCounts)))
        .put("unexpected", unexpected)
        .put("errors", errors)
        .put("error_kinds", new JsonObject(new LinkedHashMap<>(errorKinds)))
        .put("timeouts", timeouts)
        .put("backlog", backlog)
        .put("generator_late", generatorLate)
        .put("dropped", dropped)
        .put("unfinished", unfinished)
        .put("cpu_cores_used", cpu)
        .put("warmup", warmup)
        .put("timeline", timeline)
        .put("unexpected_samples", new io.vertx.core.json.JsonArray(
            new java.util.ArrayList<Object>(unexpectedSamples)));
  }

  public static LoadResult fromJson(JsonObject j) {
    JsonObject lat = j.getJsonObject("latency_ms");
    JsonObject lag = j.getJsonObject("send_lag_ms");
    JsonObject svc = j.getJsonObject("service_ms", new JsonObject());
    Map<String, Long> statuses = new LinkedHashMap<>();
    j.getJsonObject("status_counts").forEach(e -> statuses.put(e.getKey(),
        ((Number) e.getValue()).longValue()));
    Map<String, Long> kinds = new LinkedHashMap<>();
    j.getJsonObject("error_kinds").forEach(e -> kinds.put(e.getKey(),
        ((Number) e.getValue()).longValue()));
    Map<String, Double> server = new LinkedHashMap<>();
    JsonObject cpu = j.getJsonObject("cpu_cores_used");
    cpu.forEach(e -> {
      if (!e.getKey().equals("client")) {
        server.put(e.getKey(), ((Number) e.getValue()).doubleValue());
      }
    });
    return new LoadResult(j.getString("scenario"), j.getString("url"), j.getDouble("target_rps"),
        j.getDouble("warmup_s"), j.getDouble("duration_s"), j.getInteger("connections"),
        j.getInteger("event_loops"), j.getLong("scheduled"), j.getLong("responses"),
        j.getLong("expected_responses"), j.getInteger("expected_status"),
        j.getDouble("achieved_rps"), j.getDouble("good_rps"), lat.getDouble("p50"),
        lat.getDouble("p90"), lat.getDouble("p99"), lat.getDouble("p99_9"), lat.getDouble("max"),
        lat.getDouble("mean"), lag.getDouble("p50", 0.0), lag.getDouble("p90", 0.0),
        lag.getDouble("p99"), lag.getDouble("max"), svc.getDouble("p50", 0.0),
        svc.getDouble("p99", 0.0), svc.getDouble("max", 0.0), statuses,
        j.getLong("unexpected"), j.getLong("errors"), kinds, j.getLong("timeouts"),
        j.getLong("backlog"), j.getLong("generator_late"), j.getLong("dropped"),
        j.getLong("unfinished"), cpu.getDouble("client"), server, j.getJsonObject("warmup"),
        j.getJsonObject("timeline"), samples(j));
  }

  private static java.util.List<String> samples(JsonObject j) {
    java.util.List<String> out = new java.util.ArrayList<>();
    io.vertx.core.json.JsonArray a = j.getJsonArray("unexpected_samples");
    if (a != null) {
      a.forEach(o -> out.add(String.valueOf(o)));
    }
    return out;
  }
}
