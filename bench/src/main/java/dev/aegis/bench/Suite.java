package dev.aegis.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * The whole measurement: the hello baseline, then the gateway (allow and deny mixes), each at
 * fixed rates plus a peak search, all in one run, written to {@code report.json} and
 * {@code report.md}.
 */
final class Suite {
  static final Set<String> OPTIONS = Set.of("rates", "duration", "warmup", "out", "connections",
      "event-loops", "agents", "timeout-ms", "late-ms", "pause", "noise-seconds",
      "client-warmup", "client-warmup-rate", "wait-quiet",
      "peak-start-hello", "peak-start-allow", "peak-factor", "peak-duration", "peak-warmup",
      "peak-max-p99-ms", "peak-max-steps", "peak-max-backlog", "peak-max-rate", "no-peak",
      "gateway-jar", "gateway-java", "gateway-start-timeout", "gateway-warmup",
      "gateway-warmup-rate", "server-cpus", "db-affinity", "hello-native", "skip-hello",
      "skip-gateway", "keep-data", "repo", "help");

  static final String READY_GATEWAY = "Aegis ready on port";
  static final String READY_HELLO = "Hello ready on port";

  // settings
  final List<Double> rates;
  final double duration;
  final double warmup;
  final int connections;
  final int eventLoops;
  final int agentCount;
  final long timeoutMs;
  final double lateMs;
  final double pause;
  final double noiseSeconds;
  final double clientWarmup;
  final double waitQuiet;
  final double clientWarmupRate;
  final boolean peaks;
  final double peakStartHello;
  final double peakStartAllow;
  final double peakFactor;
  final double peakDuration;
  final double peakWarmup;
  final double peakMaxP99;
  final int peakMaxSteps;
  final double peakMaxBacklog;
  final double peakMaxRate;
  final Path root;
  final Path out;
  final Path gatewayJar;
  final String serverJava;
  final List<String> serverJvmOpts;
  final double gatewayStartTimeout;
  final double gatewayWarmup;
  final double gatewayWarmupRate;
  final String serverCpus;
  final String dbAffinity;
  final boolean helloNative;
  final boolean skipHello;
  final boolean skipGateway;
  final boolean keepData;
  final String[] argv;

  final JsonObject report = new JsonObject();
  final JsonArray problems = new JsonArray();
  final JsonObject scenarios = new JsonObject();
  final JsonObject peakResults = new JsonObject();
  final List<ChildProcess> children = new CopyOnWriteArrayList<>();
  final List<Path> dataDirs = new CopyOnWriteArrayList<>();

  Suite(Args a, String[] argv) {
    this.argv = argv;
    rates = a.doubles("rates", "1000,5000");
    duration = a.dbl("duration", 10);
    warmup = a.dbl("warmup", 3);
    connections = a.integer("connections", LoadSpec.DEFAULT_CONNECTIONS);
    eventLoops = a.integer("event-loops", 1);
    agentCount = a.integer("agents", 4);
    timeoutMs = (long) a.dbl("timeout-ms", 5_000);
    lateMs = a.dbl("late-ms", LoadSpec.DEFAULT_LATE_MS);
    pause = a.dbl("pause", 1);
    noiseSeconds = a.dbl("noise-seconds", 3);
    clientWarmup = a.dbl("client-warmup", 10);
    waitQuiet = a.dbl("wait-quiet", 120);
    clientWarmupRate = a.dbl("client-warmup-rate", 10_000);
    peaks = !a.flag("no-peak");
    peakStartHello = a.dbl("peak-start-hello", 4000);
    peakStartAllow = a.dbl("peak-start-allow", 1000);
    peakFactor = a.dbl("peak-factor", 1.5);
    peakDuration = a.dbl("peak-duration", 4);
    peakWarmup = a.dbl("peak-warmup", 2);
    peakMaxP99 = a.dbl("peak-max-p99-ms", 50);
    peakMaxSteps = a.integer("peak-max-steps", 12);
    peakMaxBacklog = a.dbl("peak-max-backlog", 0.01);
    peakMaxRate = a.dbl("peak-max-rate", 200_000);
    root = Path.of(a.str("repo", guessRoot().toString())).toAbsolutePath().normalize();
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC)
        .format(Instant.now());
    out = Path.of(a.str("out", root.resolve("bench/reports").resolve(stamp).toString()))
        .toAbsolutePath();
    gatewayJar = Path.of(a.str("gateway-jar",
        root.resolve("launcher/target/aegis.jar").toString()));
    String envJava = System.getenv("AEGIS_BENCH_GATEWAY_JAVA");
    serverJava = a.str("gateway-java", envJava == null || envJava.isBlank() ? "java" : envJava);
    String opts = System.getenv("AEGIS_BENCH_SERVER_OPTS");
    serverJvmOpts = opts == null || opts.isBlank() ? List.of()
        : Arrays.asList(opts.trim().split("\\s+"));
    gatewayStartTimeout = a.dbl("gateway-start-timeout", 240);
    gatewayWarmup = a.dbl("gateway-warmup", 20);
    gatewayWarmupRate = a.dbl("gateway-warmup-rate", 2000);
    serverCpus = a.str("server-cpus", "0");
    dbAffinity = a.str("db-affinity", "all");
    helloNative = a.flag("hello-native");
    skipHello = a.flag("skip-hello");
    skipGateway = a.flag("skip-gateway");
    keepData = a.flag("keep-data");
    if (!Set.of("all", "server").contains(dbAffinity)) {
      throw new IllegalArgumentException("--db-affinity must be all or server");
    }
  }

  static Path guessRoot() {
    String cp = System.getProperty("java.class.path", "");
    String first = cp.split(java.io.File.pathSeparator)[0];
    Path p = Path.of(first).toAbsolutePath().normalize();
    // .../bench/target/aegis-bench.jar or .../bench/target/classes
    for (Path q = p; q != null; q = q.getParent()) {
      if (Files.isRegularFile(q.resolve("pom.xml")) && Files.isDirectory(q.resolve("bench"))) {
        return q;
      }
    }
    return Path.of("").toAbsolutePath();
  }

  static int main(Args a, String[] argv) throws Exception {
    if (a.flag("help")) {
      System.err.println("suite options (defaults in bench/README.md): --"
          + String.join(" --", OPTIONS.stream().sorted().toList()));
      return 0;
    }
    Suite s = new Suite(a, argv);
    return s.run();
  }

  void log(String msg) {
    System.err.println("[bench " + DateTimeFormatter.ISO_LOCAL_TIME.withZone(ZoneOffset.UTC)
        .format(Instant.now()).substring(0, 8) + "] " + msg);
  }

  void problem(String msg) {
    log("PROBLEM: " + msg);
    problems.add(msg);
  }

  int run() throws Exception {
    Files.createDirectories(out);
    Thread hook = new Thread(() -> {
      cleanup();
      // Interrupted (Ctrl-C, SIGTERM): keep what was measured so far.
      try {
        report.put("aborted", true).put("finished_at", Instant.now().toString());
        ReportWriter.write(out, report.copy());
        System.err.println("[bench] aborted; partial report: " + out.resolve("report.md"));
      } catch (Exception | Error e) {
        System.err.println("[bench] aborted; could not write the partial report: " + e);
      }
    }, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    Instant started = Instant.now();
    report.put("started_at", started.toString());
    report.put("command", command());
    report.put("machine", SystemInfo.machine());
    report.put("jdk", new JsonObject()
        .put("server_java", serverJava)
        .put("server", SystemInfo.javaVersion(serverJava))
        .put("server_jvm_opts", String.join(" ", serverJvmOpts))
        .put("bench", SystemInfo.benchJvm()));
    report.put("git", SystemInfo.git(root));
    report.put("scenarios", scenarios);
    report.put("peaks", peakResults);
    report.put("problems", problems);
    if (SystemInfo.tasksetPath() == null) {
      problem("taskset not found: servers and load generator are not pinned");
    }
    int code = 0;
    try (LoadGenerator gen = new LoadGenerator(eventLoops)) {
      report.put("settings", settings(gen));
      if (!gen.nativeTransport()) {
        problem("client runs on NIO (no epoll): send times are only millisecond-precise");
      }
      JsonObject noise = new JsonObject();
      report.put("noise", noise);
      if (waitQuiet > 0) {
        noise.put("waited_for_quiet_s", waitForQuiet());
      }
      noise.put("start", noise());
      if (!skipHello) {
        runHello(gen);
      } else {
        report.put("baseline", new JsonObject().put("status", "skipped"));
      }
      if (!skipGateway) {
        if (!runGateway(gen)) {
          code = 3;
        }
      } else {
        report.put("gateway", new JsonObject().put("status", "skipped"));
      }
      noise.put("end", noise());
    } finally {
      cleanup();
      Double h = peakOf("hello");
      Double g = peakOf("allow");
      report.put("ratio_allow_to_hello",
          h != null && g != null && h > 0 ? LoadResult.round3(g / h) : null);
      Instant done = Instant.now();
      report.put("finished_at", done.toString());
      report.put("elapsed_s", Duration.between(started, done).toSeconds());
      ReportWriter.write(out, report);
      log("report: " + out.resolve("report.md"));
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // already shutting down
      }
    }
    return code;
  }

  /**
   * Waits (at most {@code --wait-quiet} seconds) until a 1 s noise probe on both cores loses less
   * than 3% of its time; returns the seconds waited.
   */
  double waitForQuiet() throws InterruptedException {
    long t0 = System.nanoTime();
    long deadline = t0 + (long) (waitQuiet * 1e9);
    while (true) {
      double bench = NoiseProbe.measure(1).getDouble("stalled_fraction");
      JsonObject server = serverNoise(1);
      double worst = Math.max(bench, server == null ? 0 : server.getDouble("stalled_fraction"));
      double waited = LoadResult.round1((System.nanoTime() - t0) / 1e9);
      if (worst < 0.03) {
        if (waited > 3) {
          log("machine quiet after " + waited + " s");
        }
        return waited;
      }
      if (System.nanoTime() > deadline) {
        log("machine still busy after " + waited + " s (" + Math.round(worst * 100)
            + "% stalled); measuring anyway");
        return waited;
      }
      log("machine busy (" + Math.round(worst * 100) + "% of a spinning thread's time lost to "
          + "stalls); waiting for quiet, up to " + waitQuiet + " s");
      Thread.sleep(4000);
    }
  }

  /** A noise probe on the server CPUs, in a child JVM; null when it failed. */
  JsonObject serverNoise(double seconds) {
    List<String> cmd = new ArrayList<>();
    if (SystemInfo.tasksetPath() != null) {
      cmd.addAll(List.of("taskset", "-c", serverCpus));
    }
    cmd.addAll(List.of(serverJava, "-cp", System.getProperty("java.class.path"),
        "dev.aegis.bench.NoiseProbe", Double.toString(seconds)));
    String outText = SystemInfo.run(cmd, 60);
    if (outText == null) {
      return null;
    }
    String[] lines = outText.trim().split("\n");
    try {
      return new JsonObject(lines[lines.length - 1]);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** How much each core is stalled right now (see {@link NoiseProbe}). */
  JsonObject noise() {
    JsonObject n = new JsonObject();
    n.put("bench_core", NoiseProbe.measure(noiseSeconds));
    JsonObject server = serverNoise(noiseSeconds);
    n.put("server_core", server);
    log("noise: bench core " + n.getJsonObject("bench_core").encode() + ", server core "
        + (server == null ? "n/a" : server.encode()));
    double worst = Math.max(n.getJsonObject("bench_core").getDouble("stalled_fraction"),
        server == null ? 0 : server.getDouble("stalled_fraction", 0.0));
    if (worst > 0.05) {
      problem(String.format(java.util.Locale.ROOT, "the machine was busy or noisy: a spinning "
          + "thread lost %.0f%% of its time to stalls > 0.5 ms (other processes or the "
          + "hypervisor); latency percentiles and peaks from this run are unreliable",
          100 * worst));
    }
    return n;
  }

  Double peakOf(String name) {
    JsonObject p = peakResults.getJsonObject(name);
    return p == null ? null : p.getDouble("peak_rps");
  }

  JsonObject command() {
    JsonObject c = new JsonObject();
    c.put("argv", "java -jar aegis-bench.jar " + String.join(" ", argv));
    String wrapper = System.getenv("AEGIS_BENCH_COMMAND");
    if (wrapper != null && !wrapper.isBlank()) {
      c.put("wrapper", wrapper);
    }
    c.put("jvm", ProcessHandle.current().info().commandLine().orElse("?"));
    c.put("env", new JsonObject()
        .put("AEGIS_BENCH_GATEWAY_JAVA", System.getenv("AEGIS_BENCH_GATEWAY_JAVA"))
        .put("AEGIS_BENCH_SERVER_OPTS", System.getenv("AEGIS_BENCH_SERVER_OPTS")));
    return c;
  }

  JsonObject settings(LoadGenerator gen) {
    JsonArray r = new JsonArray();
    rates.forEach(r::add);
    String selfAffinity = SystemInfo.run(List.of("taskset", "-cp",
        Long.toString(ProcessHandle.current().pid())), 5);
    String benchCpus = selfAffinity == null ? "unpinned"
        : selfAffinity.substring(selfAffinity.lastIndexOf(':') + 1).trim();
    return new JsonObject()
        .put("rates", r)
        .put("duration_s", duration)
        .put("warmup_s", warmup)
        .put("connections", connections)
        .put("event_loops", eventLoops)
        .put("timeout_ms", timeoutMs)
        .put("late_ms", lateMs)
        .put("agents", agentCount)
        .put("client_transport", gen.transport())
        .put("hello_transport", helloNative ? "epoll (if available)" : "nio")
        .put("pinning", new JsonObject()
            .put("server_cpus", SystemInfo.tasksetPath() == null ? "unpinned" : serverCpus)
            .put("bench_cpus", benchCpus)
            .put("db_affinity", dbAffinity.equals("all")
                ? "re-pinned to all CPUs (unpinned)" : "inherits the server's CPUs"))
        .put("peak", new JsonObject()
            .put("enabled", peaks)
            .put("start_hello", peakStartHello)
            .put("start_allow", peakStartAllow)
            .put("factor", peakFactor)
            .put("duration_s", peakDuration)
            .put("warmup_s", peakWarmup)
            .put("max_p99_ms", peakMaxP99)
            .put("max_backlog_fraction", peakMaxBacklog)
            .put("max_steps", peakMaxSteps));
  }

  // ---------------------------------------------------------------- hello

  void runHello(LoadGenerator gen) throws Exception {
    JsonObject baseline = new JsonObject();
    report.put("baseline", baseline);
    int port = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(serverJava);
    cmd.addAll(serverJvmOpts);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        "dev.aegis.bench.HelloServer", Integer.toString(port), "--native",
        Boolean.toString(helloNative)));
    log("starting hello server on port " + port);
    ChildProcess hello = ChildProcess.start("hello", cmd, Map.of(), out.resolve("hello.log"),
        serverCpus);
    children.add(hello);
    baseline.put("log", "hello.log").put("command", String.join(" ", hello.command));
    try {
      if (!hello.waitForLine(READY_HELLO, Duration.ofSeconds(60))) {
        throw new IOException("hello server not ready after 60 s");
      }
      String url = "http://127.0.0.1:" + port;
      LoadGenerator.CpuProbe probe = () -> Map.of("server", hello.cpuSeconds());
      LoadSpec base = spec("hello", url, Scenarios.hello(url));
      if (clientWarmup > 0) {
        // The load generator's own JIT warm-up, so the first peak step does not measure a cold
        // client. Not part of the results.
        LoadResult w = runOnce(gen, base.withRate(clientWarmupRate, clientWarmup / 2,
            clientWarmup / 2), probe, "client warm-up");
        report.put("client_warmup", w.toJson().put("label", "client warm-up"));
      }
      measureAll(gen, "hello", base, probe, () -> null, true, null);
      baseline.put("status", "ok");
    } catch (Exception e) {
      baseline.put("status", "failed").put("error", e.toString());
      problem("hello baseline failed: " + e);
    } finally {
      hello.close();
      children.remove(hello);
    }
  }

  LoadSpec spec(String scenario, String url, RequestSource source) {
    return new LoadSpec(scenario, url, 1, warmup, duration, connections, eventLoops, timeoutMs,
        lateMs, LoadSpec.DEFAULT_MAX_OUTSTANDING, source);
  }

  /** Supplies a fresh request source before each run (agent tokens may be refreshed). */
  interface SourceRefresher {
    RequestSource refresh() throws Exception;
  }

  /**
   * Peak search (when {@code peakName} is set and peaks are on), then the fixed rates and half of
   * {@code halfOf} (the named scenario's peak; its own when null).
   */
  void measureAll(LoadGenerator gen, String name, LoadSpec base, LoadGenerator.CpuProbe probe,
      SourceRefresher refresher, boolean findPeak, String halfOf) throws Exception {
    JsonArray runs = scenarios.getJsonArray(name);
    if (runs == null) {
      runs = new JsonArray();
      scenarios.put(name, runs);
    }
    if (findPeak && peaks) {
      double start = name.equals("hello") ? peakStartHello : peakStartAllow;
      log(name + ": peak search from " + start + " req/s, x" + peakFactor);
      PeakFinder.Peak p = PeakFinder.find(rate -> {
        LoadSpec s = withSource(base, refresher).withRate(rate, peakWarmup, peakDuration);
        LoadResult r = runOnce(gen, s, probe, "peak step");
        return r;
      }, start, peakFactor, peakMaxSteps, peakMaxRate,
          new PeakFinder.Criteria(peakMaxP99, peakMaxBacklog), true);
      peakResults.put(name, p.toJson());
      log(name + ": peak " + p.peakRps() + " req/s (" + p.stopReason() + ")");
      if (p.clientBound()) {
        problem(name + ": the load generator fell behind its schedule at the failing peak step "
            + "(core busy or stalled); the peak may be the client's limit");
      }
      if (p.peakRps() == 0) {
        problem(name + ": no rate passed in the peak search (" + p.stopReason() + ")");
      }
    }
    for (double rate : rates) {
      LoadSpec s = withSource(base, refresher).withRate(rate, warmup, duration);
      runs.add(runOnce(gen, s, probe, "fixed").toJson().put("label", "fixed"));
    }
    Double peak = peakOf(halfOf == null ? name : halfOf);
    if (peak != null && peak > 0) {
      double half = PeakFinder.roundRate(peak / 2);
      LoadSpec s = withSource(base, refresher).withRate(half, warmup, duration);
      runs.add(runOnce(gen, s, probe, "half-peak").toJson().put("label", "half-peak"));
    }
  }

  LoadSpec withSource(LoadSpec base, SourceRefresher refresher) throws Exception {
    RequestSource fresh = refresher.refresh();
    if (fresh == null) {
      return base;
    }
    return new LoadSpec(base.scenario(), base.url(), base.rate(), base.warmupSeconds(),
        base.durationSeconds(), base.connections(), base.eventLoops(), base.timeoutMs(),
        base.lateThresholdMs(), base.maxOutstanding(), fresh);
  }

  LoadResult runOnce(LoadGenerator gen, LoadSpec s, LoadGenerator.CpuProbe probe, String label)
      throws Exception {
    log(String.format(java.util.Locale.ROOT, "%s %s: %.0f req/s, %.0f s warm-up + %.0f s",
        s.scenario(), label, s.rate(), s.warmupSeconds(), s.durationSeconds()));
    LoadResult r = gen.run(s, probe);
    log(String.format(java.util.Locale.ROOT,
        "  -> achieved %.0f req/s, p50 %.3f p99 %.3f p99.9 %.3f max %.3f ms, statuses %s, "
            + "errors %d, timeouts %d, backlog %d, cpu server %s client %.2f",
        r.achievedRps(), r.p50Ms(), r.p99Ms(), r.p999Ms(), r.maxMs(), r.statusCounts(),
        r.errors() + r.dropped() + r.unfinished(), r.timeouts(), r.backlog(), r.serverCpu(),
        r.clientCpu()));
    if (pause > 0) {
      Thread.sleep((long) (pause * 1000));
    }
    return r;
  }

  // ---------------------------------------------------------------- gateway

  boolean runGateway(LoadGenerator gen) {
    JsonObject gw = new JsonObject();
    report.put("gateway", gw);
    gw.put("jar", gatewayJar.toString()).put("log", "gateway.log");
    ChildProcess gateway = null;
    Path dataDir = null;
    try {
      if (!Files.isRegularFile(gatewayJar)) {
        throw new IOException("gateway jar not found: " + gatewayJar
            + " (build it: mvn -q -B -DskipTests package)");
      }
      dataDir = Files.createTempDirectory("aegis-bench-data-");
      dataDirs.add(dataDir);
      int port = freePort();
      String password = "bench-" + HexFormat.of().formatHex(randomBytes(12));
      Map<String, String> env = new LinkedHashMap<>();
      env.put("AEGIS_PORT", Integer.toString(port));
      env.put("AEGIS_DATA_DIR", dataDir.toString());
      env.put("AEGIS_ADMIN_PASSWORD", password);
      // Rate limits and the per-agent velocity signal would throttle a load test by design: set
      // them out of reach (unless the caller's environment sets them). The stages still run.
      for (String k : List.of("AEGIS_LIMITS_TENANT_RPS", "AEGIS_LIMITS_TENANT_BURST",
          "AEGIS_LIMITS_AGENT_RPS", "AEGIS_LIMITS_AGENT_BURST")) {
        env.put(k, envOr(k, "1000000"));
      }
      env.put("AEGIS_BEHAVIOR_VELOCITY_PER_MINUTE",
          envOr("AEGIS_BEHAVIOR_VELOCITY_PER_MINUTE", "1000000000"));
      List<String> cmd = new ArrayList<>();
      cmd.add(serverJava);
      cmd.addAll(serverJvmOpts);
      cmd.addAll(List.of("-jar", gatewayJar.toString()));
      log("starting gateway on port " + port + " (data dir " + dataDir + ")");
      gateway = ChildProcess.start("gateway", cmd, env, out.resolve("gateway.log"), serverCpus);
      children.add(gateway);
      gw.put("command", String.join(" ", gateway.command)).put("port", port)
          .put("env", new JsonObject(new LinkedHashMap<>(env)).put("AEGIS_ADMIN_PASSWORD", "***"));
      long t0 = System.nanoTime();
      if (!gateway.waitForLine(READY_GATEWAY,
          Duration.ofMillis((long) (gatewayStartTimeout * 1000)))) {
        throw new IOException("gateway did not print '" + READY_GATEWAY + "' within "
            + gatewayStartTimeout + " s; last lines:\n" + gateway.tail(30));
      }
      String url = "http://127.0.0.1:" + port;
      GatewayApi api = new GatewayApi(url, GatewayApi.DEFAULT_TENANT);
      waitHealthy(api, gateway);
      gw.put("startup_s", LoadResult.round1((System.nanoTime() - t0) / 1e9));
      log("gateway ready after " + gw.getDouble("startup_s") + " s");

      List<Long> dbPids = dbPids(dataDir);
      gw.put("db_processes", dbPids.size());
      if (dbPids.isEmpty()) {
        gw.put("db_note", "no process with the data dir on its command line (embedded "
            + "database elsewhere or not a separate process)");
      } else if (dbAffinity.equals("all")) {
        repin(dbPids);
      }

      api.login(password);
      // Well-behaved agents send the allow mix, misbehaving ones the deny mix: a deny (or a KILL
      // decision) may change how the gateway treats the agent that sent it.
      List<GatewayApi.Agent> allowAgents = api.createAgents("allow", agentCount, Scenarios.TOOLS);
      List<GatewayApi.Agent> denyAgents = api.createAgents("deny", agentCount, Scenarios.TOOLS);
      gw.put("agents", new JsonObject()
          .put("allow", new JsonArray(allowAgents.stream().map(x -> (Object) x.id).toList()))
          .put("deny", new JsonArray(denyAgents.stream().map(x -> (Object) x.id).toList())));
      JsonArray probes = new JsonArray();
      for (JsonObject p : api.probe(allowAgents.get(0), Scenarios.ALLOW_BODIES, 200)) {
        probes.add(p);
      }
      for (JsonObject p : api.probe(denyAgents.get(0), Scenarios.DENY_BODIES, 403)) {
        probes.add(p);
      }
      gw.put("probe", probes);
      for (Object o : probes) {
        JsonObject p = (JsonObject) o;
        if (!p.getInteger("status").equals(p.getInteger("expected_status"))) {
          problem("probe " + p.getJsonObject("request").encode() + " -> " + p.getInteger("status")
              + " (expected " + p.getInteger("expected_status") + "): " + p.getString("body"));
        }
      }

      ChildProcess gwRef = gateway;
      Path dd = dataDir;
      LoadGenerator.CpuProbe probe = () -> {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("gateway", gwRef.cpuSeconds());
        List<Long> db = ProcStat.withDescendants(dbPids(dd));
        if (!db.isEmpty()) {
          m.put("db", ProcStat.sumCpuSeconds(db));
        }
        return m;
      };
      SourceRefresher allow = () -> {
        api.refreshIfOlderThan(Duration.ofMinutes(10));
        return Scenarios.forName("allow", url, GatewayApi.credentials(allowAgents));
      };
      SourceRefresher deny = () -> {
        api.refreshIfOlderThan(Duration.ofMinutes(10));
        return Scenarios.forName("deny", url, GatewayApi.credentials(denyAgents));
      };

      // JIT warm-up of both paths; results kept apart from the measurements.
      JsonArray warm = new JsonArray();
      report.put("gateway_warmup", warm);
      if (gatewayWarmup > 0) {
        for (String name : List.of("allow", "deny")) {
          SourceRefresher r = name.equals("allow") ? allow : deny;
          LoadSpec s = spec(name, url, r.refresh()).withRate(gatewayWarmupRate,
              gatewayWarmup / 4, gatewayWarmup / 4);
          warm.add(runOnce(gen, s, probe, "gateway warm-up").toJson().put("label", "warm-up"));
        }
      }
      measureAll(gen, "allow", spec("allow", url, allow.refresh()), probe, allow, true, null);
      measureAll(gen, "deny", spec("deny", url, deny.refresh()), probe, deny, false, "allow");
      if (!gateway.process.isAlive()) {
        throw new IOException("gateway exited during the run; last lines:\n" + gateway.tail(30));
      }
      gw.put("status", "ok");
      return true;
    } catch (Exception e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      gw.put("status", "failed").put("error", msg);
      problem("gateway: " + msg);
      return false;
    } finally {
      if (gateway != null) {
        stopGateway(gateway, dataDir);
      }
    }
  }

  void waitHealthy(GatewayApi api, ChildProcess gateway) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    int last = -1;
    while (System.nanoTime() < deadline) {
      last = api.getStatus("/health");
      if (last == 200) {
        return;
      }
      if (!gateway.process.isAlive()) {
        throw new IOException("gateway exited; last lines:\n" + gateway.tail(30));
      }
      Thread.sleep(200);
    }
    throw new IOException("GET /health did not answer 200 within 30 s (last: " + last + ")");
  }

  static List<Long> dbPids(Path dataDir) {
    return ProcStat.pidsWithCommandLineContaining(dataDir.toString()).stream()
        .filter(pid -> ProcessHandle.of(pid).map(h -> h.info().command().orElse(""))
            .map(c -> !c.endsWith("/java") && !c.endsWith("/taskset")).orElse(false))
        .toList();
  }

  void repin(List<Long> pids) {
    String all = "0-" + (Math.max(1, intOr(SystemInfo.run(List.of("nproc", "--all"), 5), 2)) - 1);
    int n = 0;
    for (long pid : ProcStat.withDescendants(pids)) {
      if (SystemInfo.run(List.of("taskset", "-a", "-p", "-c", all, Long.toString(pid)), 5)
          != null) {
        n++;
      }
    }
    log("re-pinned " + n + " database processes to CPUs " + all);
  }

  static int intOr(String s, int def) {
    try {
      return s == null ? def : Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return def;
    }
  }

  void stopGateway(ChildProcess gateway, Path dataDir) {
    gateway.close();
    children.remove(gateway);
    if (dataDir != null) {
      // An embedded database detached from the gateway (e.g. started via pg_ctl) survives it.
      for (long pid : dbPids(dataDir)) {
        ProcessHandle.of(pid).ifPresent(ChildProcess::stop);
      }
      if (!keepData) {
        deleteTree(dataDir);
        dataDirs.remove(dataDir);
      } else {
        log("kept data dir " + dataDir);
      }
    }
  }

  /** Stops every child still running; used at the end and by the shutdown hook. */
  synchronized void cleanup() {
    for (ChildProcess c : children) {
      c.close();
    }
    children.clear();
    for (Path d : dataDirs) {
      for (long pid : dbPids(d)) {
        ProcessHandle.of(pid).ifPresent(ChildProcess::stop);
      }
      if (!keepData) {
        deleteTree(d);
      }
    }
    dataDirs.clear();
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort
        }
      });
    } catch (IOException ignored) {
      // best effort
    }
  }

  static String envOr(String key, String def) {
    String v = System.getenv(key);
    return v == null || v.isBlank() ? def : v;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }
}
