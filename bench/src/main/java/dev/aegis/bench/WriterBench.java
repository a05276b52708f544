package dev.aegis.bench;

import dev.aegis.pipeline.ports.AuditEvent;
import dev.aegis.storage.pg.EmbeddedPostgresServer;
import dev.aegis.storage.pg.Migrations;
import dev.aegis.storage.pg.PgAuditStore;
import dev.aegis.storage.pg.PgUrls;
import dev.aegis.verticles.audit.AuditWriterVerticle;
import dev.aegis.verticles.audit.EventBusAuditSink;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * {@code writer}: throughput of the real audit writer ({@link AuditWriterVerticle} + {@link
 * PgAuditStore}, reactive pool with pipelining) fed over the event bus exactly as the gateway
 * feeds it ({@link EventBusAuditSink}, {@code AuditEvent}s, reply after commit). Either as fast
 * as a bounded number of outstanding events allows (closed loop, default 2,000), or at a fixed
 * open-loop rate (latency charged from the intended send time; at most {@code --max-outstanding}
 * in flight, the rest queued in the generator). Reports committed rows/s, commit latency p50/p99
 * (own HdrHistogram, microseconds), the writer's batch sizes and commit times, machine and JDK.
 */
final class WriterBench {

  static final Set<String> OPTIONS = Set.of("pg-url", "duration", "warmup", "rate", "max-outstanding",
      "pool-size", "max-batch", "tenants", "shards", "out", "help");

  private WriterBench() {}

  static void usage() {
    System.err.println(String.join("\n",
        "usage: java -jar aegis-bench.jar writer [options]",
        "  --pg-url URL          PostgreSQL (libpq URL); default: an embedded server in a temp dir",
        "  --duration S          measured seconds (default 20)",
        "  --warmup S            warm-up seconds, not recorded (default 5)",
        "  --rate R              open-loop events/s; 0 = as fast as --max-outstanding allows (default 0)",
        "  --max-outstanding N   events in flight at most (default 2000)",
        "  --pool-size N         pg pool size (default 8; pipelining limit 256 per connection)",
        "  --max-batch N         rows per commit at most (default 256, as AEGIS_AUDIT_MAX_BATCH)",
        "  --tenants N           tenants the events rotate over (default 4)",
        "  --shards N            chain shards per tenant (default 16)",
        "  --out DIR             report directory (default bench/reports)",
        "prints a JSON result and writes DIR/writer-<UTC timestamp>.md"));
  }

  static int main(Args a) throws Exception {
    if (a.flag("help")) {
      usage();
      return 0;
    }
    double duration = a.dbl("duration", 20);
    double warmup = a.dbl("warmup", 5);
    double rate = a.dbl("rate", 0);
    int maxOutstanding = a.integer("max-outstanding", 2000);
    int poolSize = a.integer("pool-size", 8);
    int maxBatch = a.integer("max-batch", 256);
    int tenants = a.integer("tenants", 4);
    int shards = a.integer("shards", 16);
    Path out = Path.of(a.str("out", "bench/reports"));
    String pgUrl = a.str("pg-url", null);
    double[] load0 = loadAvg();

    Path tmp = null;
    EmbeddedPostgresServer embedded = null;
    if (pgUrl == null) {
      tmp = Files.createTempDirectory("aegis-writer-bench");
      embedded = EmbeddedPostgresServer.start(tmp);
      pgUrl = embedded.url();
    }
    Vertx vertx = Vertx.vertx();
    try {
      Migrations.migrate(pgUrl);
      Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(poolSize))
          .connectingTo(PgUrls.options(pgUrl)).using(vertx).build();
      PgAuditStore store = new PgAuditStore(pool);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      vertx.deployVerticle(new AuditWriterVerticle(store, shards, maxBatch, 100_000, registry))
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      EventBusAuditSink sink = new EventBusAuditSink(vertx, 30_000);
      String[] tenantIds = new String[tenants];
      for (int i = 0; i < tenants; i++) {
        tenantIds[i] = UUID.randomUUID().toString();
      }
      Run run = new Run(vertx, sink, tenantIds, rate, maxOutstanding, warmup, duration);
      run.go().get((long) (warmup + duration + 120), TimeUnit.SECONDS);
      long pgRows = await(pool.query("SELECT count(*) FROM audit.audit_logs").execute()
          .map(rs -> rs.iterator().next().getLong(0)));

      DistributionSummary batch = registry.find("aegis_audit_batch_size").summary();
      Timer commit = registry.find("aegis_audit_commit_seconds").timer();
      double measured = run.measuredSeconds();
      JsonObject res = new JsonObject()
          .put("command", "writer")
          .put("mode", rate > 0 ? "open_loop" : "closed_loop")
          .put("target_rate", rate).put("max_outstanding", maxOutstanding).put("pool_size", poolSize)
          .put("pipelining_limit", PgUrls.options(pgUrl).getPipeliningLimit())
          .put("max_batch", maxBatch).put("tenants", tenants).put("shards", shards)
          .put("warmup_s", warmup).put("duration_s", measured)
          .put("postgres", embedded != null ? "embedded (fsync=on, synchronous_commit=on)" : "external")
          .put("rows_committed", run.ok).put("rows_per_s", Math.round(run.ok / measured))
          .put("failed", run.failed).put("warmup_rows", run.warmOk)
          .put("rows_in_db_total", pgRows)
          .put("commit_latency_us", new JsonObject()
              .put("p50", run.hist.getValueAtPercentile(50)).put("p90", run.hist.getValueAtPercentile(90))
              .put("p99", run.hist.getValueAtPercentile(99)).put("p999", run.hist.getValueAtPercentile(99.9))
              .put("max", run.hist.getMaxValue()).put("mean", Math.round(run.hist.getMean()))
              .put("note", "event sent (open loop: intended send time) -> receipt after commit"))
          .put("writer_batches", batch == null ? null : new JsonObject().put("count", batch.count())
              .put("mean_rows", Math.round(batch.mean() * 10) / 10.0).put("max_rows", batch.max()))
          .put("writer_commit_ms", commit == null ? null : new JsonObject().put("count", commit.count())
              .put("mean", Math.round(commit.mean(TimeUnit.MICROSECONDS)) / 1000.0)
              .put("max", Math.round(commit.max(TimeUnit.MICROSECONDS)) / 1000.0))
          .put("loadavg_before", new io.vertx.core.json.JsonArray().add(load0[0]).add(load0[1]))
          .put("loadavg_after", new io.vertx.core.json.JsonArray().add(loadAvg()[0]).add(loadAvg()[1]))
          .put("machine", SystemInfo.machine()).put("jvm", SystemInfo.benchJvm());
      System.out.println(res.encodePrettily());
      writeReport(out, res);
      pool.close();
      return run.failed == 0 ? 0 : 1;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (embedded != null) {
        embedded.close();
      }
      if (tmp != null) {
        try (Stream<Path> s = Files.walk(tmp)) {
          s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  /** The generator: runs on one event-loop context. */
  static final class Run {
    final Vertx vertx;
    final EventBusAuditSink sink;
    final String[] tenants;
    final double rate;
    final int maxOutstanding;
    final long warmNanos;
    final long endNanos;
    final Histogram hist = new Histogram(60_000_000L, 3);
    final CompletableFuture<Void> done = new CompletableFuture<>();
    long start;
    long sent;
    int outstanding;
    long ok;
    long warmOk;
    long failed;
    long measureStart;
    long measureEnd;
    boolean stopped;

    Run(Vertx vertx, EventBusAuditSink sink, String[] tenants, double rate, int maxOutstanding,
        double warmup, double duration) {
      this.vertx = vertx;
      this.sink = sink;
      this.tenants = tenants;
      this.rate = rate;
      this.maxOutstanding = maxOutstanding;
      this.warmNanos = (long) (warmup * 1e9);
      this.endNanos = (long) ((warmup + duration) * 1e9);
    }

    CompletableFuture<Void> go() {
      Context ctx = vertx.getOrCreateContext();
      ctx.runOnContext(v -> {
        start = System.nanoTime();
        measureStart = start + warmNanos;
        if (rate > 0) {
          vertx.setPeriodic(1, t -> {
            if (!tick()) {
              vertx.cancelTimer(t);
            }
          });
        } else {
          fill();
        }
      });
      return done;
    }

    double measuredSeconds() {
      return (measureEnd - measureStart) / 1e9;
    }

    /** Closed loop: keep maxOutstanding in flight until the end. */
    void fill() {
      while (!stopped && outstanding < maxOutstanding) {
        send(System.nanoTime());
      }
    }

    /** Open loop: send everything due (intended time i / rate), bounded in flight. */
    boolean tick() {
      long now = System.nanoTime();
      if (now - start >= endNanos) {
        if (!stopped) {
          stopped = true;
          measureEnd = now;
          if (outstanding == 0) {
            done.complete(null);
          }
        }
        return false;
      }
      long due = (long) ((now - start) / 1e9 * rate);
      while (sent < due && outstanding < maxOutstanding) {
        send(start + (long) (sent / rate * 1e9));
      }
      return true;
    }

    void send(long intended) {
      long i = sent++;
      outstanding++;
      String tenant = tenants[(int) (i % tenants.length)];
      AuditEvent e = new AuditEvent(tenant, "bench-agent-" + (i % 16), "tool_execution", "db.query",
          i % 5 == 0 ? "deny" : "allow", i % 5 == 0 ? "hard_deny.sql.drop" : null, UUID.randomUUID().toString(),
          new JsonObject().put("status", i % 5 == 0 ? 403 : 200).put("stage", i % 5 == 0 ? 4 : 10)
              .put("risk_score", 0.1).put("seq", i));
      sink.append(e).onComplete(ar -> done(intended, ar.succeeded()));
    }

    void done(long intended, boolean success) {
      long now = System.nanoTime();
      outstanding--;
      if (now - start < endNanos) {
        if (intended >= measureStart) {
          if (success) {
            ok++;
            hist.recordValue(Math.min(60_000_000L, Math.max(0, (now - intended) / 1000)));
          } else {
            failed++;
          }
        } else if (success) {
          warmOk++;
        } else {
          failed++;
        }
      } else if (!stopped) {
        stopped = true;
        measureEnd = now;
      }
      if (stopped) {
        if (outstanding == 0) {
          done.complete(null);
        }
        return;
      }
      if (rate <= 0) {
        fill();
      }
    }
  }

  static void writeReport(Path dir, JsonObject r) throws Exception {
    Files.createDirectories(dir);
    String ts = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    Path f = dir.resolve("writer-" + ts + ".md");
    JsonObject lat = r.getJsonObject("commit_latency_us");
    JsonObject b = r.getJsonObject("writer_batches");
    JsonObject m = r.getJsonObject("machine");
    StringBuilder sb = new StringBuilder();
    if (!Files.exists(f)) {
      sb.append("# Audit writer throughput (`aegis-bench writer`)\n\n")
          .append("| UTC | mode | rows/s | p50 ms | p99 ms | mean batch | max batch | outstanding | pool | failed | loadavg before/after | CPU | JDK |\n")
          .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    }
    sb.append("| ").append(ts).append(" | ").append(r.getString("mode"))
        .append(r.getDouble("target_rate") > 0 ? " @" + r.getDouble("target_rate").longValue() + "/s" : "")
        .append(" | ").append(r.getLong("rows_per_s"))
        .append(" | ").append(lat.getLong("p50") / 1000.0).append(" | ").append(lat.getLong("p99") / 1000.0)
        .append(" | ").append(b == null ? "-" : b.getValue("mean_rows")).append(" | ")
        .append(b == null ? "-" : b.getValue("max_rows")).append(" | ").append(r.getInteger("max_outstanding"))
        .append(" | ").append(r.getInteger("pool_size")).append(" | ").append(r.getLong("failed"))
        .append(" | ").append(r.getJsonArray("loadavg_before").getValue(0)).append(" / ")
        .append(r.getJsonArray("loadavg_after").getValue(0))
        .append(" | ").append(m.getString("cpu_model")).append(" x").append(m.getString("cpus"))
        .append(" | ").append(r.getJsonObject("jvm").getString("java_version")).append(" |\n");
    Files.writeString(f, sb.toString(), java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    System.err.println("report: " + f);
  }

  static double[] loadAvg() {
    try {
      String[] p = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return new double[] {Double.parseDouble(p[0]), Double.parseDouble(p[1])};
    } catch (Exception e) {
      return new double[] {-1, -1};
    }
  }

  static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
