package dev.aegis.bench;

import dev.aegis.pipeline.detect.HardDenyPolicy;
import dev.aegis.pipeline.policy.DecisionCache;
import dev.aegis.pipeline.policy.PlatformBundle;
import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.ports.PolicyResult;
import dev.aegis.pipeline.ports.ShadowRecorder;
import dev.aegis.pipeline.ports.TenantPolicySource;
import dev.aegis.pipeline.rego.CompiledPolicy;
import dev.aegis.pipeline.rego.RegoCompiler;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Values;
import dev.aegis.verticles.runtime.RegoPolicyEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * {@code policy}: stage 4's evaluation cost, in-process, on one thread. Four scenarios over the
 * same corpus of actions (benign and malicious, every platform family):
 *
 * <ul>
 *   <li>{@code java-rules}: the Java hard-deny rules (the previous stage 4, the baseline);</li>
 *   <li>{@code rego-platform}: the platform Rego bundle, uncached;</li>
 *   <li>{@code rego-platform+tenant}: the bundle plus a tenant policy, uncached;</li>
 *   <li>{@code cached}: {@link RegoPolicyEngine} with the decision cache warm (every call a hit).</li>
 * </ul>
 *
 * <p>Each scenario runs open loop at a fixed rate (the next call's intended start is fixed in
 * advance; latency is charged from it, so a stall is not hidden), after a warm-up, and then closed
 * loop for its single-thread ceiling. Latencies are in microseconds (HdrHistogram).
 */
final class PolicyBench {

  static final Set<String> OPTIONS = Set.of("duration", "warmup", "rate", "out", "help");

  static final String TENANT_POLICY = """
      package aegis.tenant

      prod_namespaces := {"prod", "production", "payments", "billing"}

      deny contains {"id": "no_prod_scale_down", "reason": "scaling prod to zero", "severity": "high"} if {
        input.tool == "kubectl"
        contains(input.text, "scale")
        some ns in prod_namespaces
        contains(object.get(input.payload, "namespace", ""), ns)
      }

      deny contains "critical_agents_no_http" if {
        input.agent.risk_level == "critical"
        startswith(input.tool, "http")
      }

      escalate contains {"id": "pii_to_llm", "reason": "PII sent to an LLM", "severity": "medium"} if {
        input.tool == "llm.chat"
        some f in input.findings
        startswith(f, "pii_")
      }
      """;

  private PolicyBench() {}

  static void usage() {
    System.err.println(String.join("\n",
        "usage: java -jar aegis-bench.jar policy [options]",
        "  --duration S   measured seconds per scenario (default 10)",
        "  --warmup S     warm-up seconds per scenario, not recorded (default 5)",
        "  --rate R       open-loop evaluations/s (default 10000)",
        "  --out DIR      report directory (default bench/reports)",
        "prints a JSON result and writes DIR/policy-<UTC timestamp>.md"));
  }

  static int main(Args a) throws Exception {
    if (a.flag("help")) {
      usage();
      return 0;
    }
    double duration = a.dbl("duration", 10);
    double warmup = a.dbl("warmup", 5);
    double rate = a.dbl("rate", 10_000);
    Path out = Path.of(a.str("out", "bench/reports"));

    List<PolicyInput> corpus = corpus();
    long t0 = System.nanoTime();
    CompiledPolicy platform = RegoCompiler.compile(PlatformBundle.modules());
    long compilePlatformUs = (System.nanoTime() - t0) / 1000;
    t0 = System.nanoTime();
    CompiledPolicy tenant = RegoCompiler.compile(Map.of("tenant.rego", TENANT_POLICY));
    long compileTenantUs = (System.nanoTime() - t0) / 1000;
    Value data = Values.parseJson("{\"aegis\":{\"config\":{\"allowed_domains\":[\"example.com\"]}}}");
    TenantPolicySource.TenantPolicy live = new TenantPolicySource.TenantPolicy("t1",
        "00000000-0000-0000-0000-000000000001", 1, "1", Map.of("tenant.rego", TENANT_POLICY), tenant);
    TenantPolicySource none = source(null);
    TenantPolicySource withTenant = source(live);
    HardDenyPolicy java = new HardDenyPolicy(Set.of("example.com"));
    RegoPolicyEngine uncachedPlatform = engine(platform, data, none, new DecisionCache(1, Duration.ofMillis(1)));
    RegoPolicyEngine uncachedTenant = engine(platform, data, withTenant, new DecisionCache(1, Duration.ofMillis(1)));
    DecisionCache cache = new DecisionCache(100_000, Duration.ofHours(1));
    RegoPolicyEngine cached = engine(platform, data, withTenant, cache);
    String rev = PlatformBundle.revision();

    // sanity: the Rego bundle and the Java rules agree on the corpus (else the numbers are moot)
    int disagreements = 0;
    for (PolicyInput in : corpus) {
      PolicyResult j = java.evaluate(in, "java");
      PolicyResult r = uncachedPlatform.decide(in, null, rev);
      if (j.allowed() != r.allowed() || j.hardDeny() != r.hardDeny() || j.escalate() != r.escalate()) {
        disagreements++;
      }
    }

    List<Scenario> scenarios = List.of(
        new Scenario("java-rules", in -> java.evaluate(in, "java")),
        new Scenario("rego-platform", in -> uncachedPlatform.decide(in, null, rev)),
        new Scenario("rego-platform+tenant", in -> uncachedTenant.decide(in, live, rev + "+t1")),
        new Scenario("cached", in -> cached.evaluate(in).result()));
    JsonArray results = new JsonArray();
    for (Scenario s : scenarios) {
      results.add(s.run(corpus, rate, warmup, duration));
      System.err.println("done: " + s.name);
    }
    JsonObject res = new JsonObject()
        .put("command", "policy")
        .put("corpus_actions", corpus.size())
        .put("rego_java_disagreements", disagreements)
        .put("compile_platform_us", compilePlatformUs)
        .put("compile_tenant_us", compileTenantUs)
        .put("platform_modules", PlatformBundle.modules().size())
        .put("cache", new JsonObject().put("hits", cache.hits()).put("misses", cache.misses()))
        .put("rate", rate).put("warmup_s", warmup).put("duration_s", duration)
        .put("scenarios", results)
        .put("machine", SystemInfo.machine()).put("jvm", SystemInfo.benchJvm());
    System.out.println(res.encodePrettily());
    writeReport(out, res);
    return 0;
  }

  private static RegoPolicyEngine engine(CompiledPolicy platform, Value data, TenantPolicySource src,
      DecisionCache cache) {
    return new RegoPolicyEngine(platform, PlatformBundle.revision(), data, src, cache,
        Duration.ofHours(1), ShadowRecorder.NONE, Clock.systemUTC());
  }

  private static TenantPolicySource source(TenantPolicySource.TenantPolicy p) {
    return new TenantPolicySource() {
      @Override
      public TenantPolicy active(String tenantId) {
        return p;
      }

      @Override
      public TenantPolicy shadow(String tenantId) {
        return null;
      }
    };
  }

  /** One measured function. */
  static final class Scenario {
    final String name;
    final Consumer<PolicyInput> fn;

    Scenario(String name, Consumer<PolicyInput> fn) {
      this.name = name;
      this.fn = fn;
    }

    JsonObject run(List<PolicyInput> corpus, double rate, double warmup, double duration) {
      long interval = (long) (1e9 / rate);
      Histogram hist = new Histogram(10_000_000_000L, 3);
      int n = corpus.size();
      long start = System.nanoTime();
      long warmEnd = start + (long) (warmup * 1e9);
      long end = warmEnd + (long) (duration * 1e9);
      long i = 0;
      long measured = 0;
      while (true) {
        long intended = start + i * interval;
        if (intended >= end) {
          break;
        }
        long now;
        while ((now = System.nanoTime()) < intended) {
          Thread.onSpinWait();
        }
        fn.accept(corpus.get((int) (i % n)));
        long done = System.nanoTime();
        if (intended >= warmEnd) {
          hist.recordValue(Math.max(1, done - intended));
          measured++;
        }
        i++;
      }
      // closed loop: the single-thread ceiling
      long cStart = System.nanoTime();
      long cEnd = cStart + 3_000_000_000L;
      long calls = 0;
      while (System.nanoTime() < cEnd) {
        for (int k = 0; k < 100; k++) {
          fn.accept(corpus.get((int) ((calls + k) % n)));
        }
        calls += 100;
      }
      double ceil = calls / ((System.nanoTime() - cStart) / 1e9);
      return new JsonObject().put("scenario", name)
          .put("open_loop_rate", rate).put("evaluations", measured)
          .put("latency_us", new JsonObject()
              .put("p50", us(hist.getValueAtPercentile(50)))
              .put("p99", us(hist.getValueAtPercentile(99)))
              .put("p999", us(hist.getValueAtPercentile(99.9)))
              .put("max", us(hist.getMaxValue()))
              .put("mean", Math.round(hist.getMean() / 100.0) / 10.0))
          .put("closed_loop_per_s", Math.round(ceil));
    }

    private static double us(long ns) {
      return Math.round(ns / 100.0) / 10.0;
    }
  }

  /** Benign and malicious actions covering every platform family. */
  static List<PolicyInput> corpus() {
    String[][] actions = {
        {"shell", "{\"command\":\"ls -la /tmp\"}"},
        {"shell", "{\"command\":\"rm -rf /\"}"},
        {"shell", "{\"command\":\"cat README.md | grep install\"}"},
        {"shell", "{\"command\":\"dd if=/dev/zero of=/dev/sda bs=1M\"}"},
        {"sql", "{\"query\":\"SELECT id, name FROM users WHERE id = 42\"}"},
        {"sql", "{\"query\":\"DROP TABLE customers\"}"},
        {"sql", "{\"query\":\"DELETE FROM orders\"}"},
        {"sql", "{\"query\":\"UPDATE orders SET status = 'x' WHERE id = 7\"}"},
        {"file.read", "{\"path\":\"/etc/shadow\"}"},
        {"file.read", "{\"path\":\"/home/app/report.csv\"}"},
        {"kubectl", "{\"command\":\"kubectl delete namespace payments-prod\",\"namespace\":\"payments-prod\"}"},
        {"kubectl", "{\"command\":\"kubectl get pods -n dev\",\"namespace\":\"dev\"}"},
        {"kubectl", "{\"command\":\"kubectl scale deploy api --replicas=0\",\"namespace\":\"prod\"}"},
        {"terraform", "{\"command\":\"terraform destroy -auto-approve\"}"},
        {"http.get", "{\"url\":\"https://api.example.com/v1/status\"}"},
        {"email.send", "{\"to\":\"someone@evil.test\",\"body\":\"card 4111 1111 1111 1111\"}"},
        {"payments.transfer", "{\"amount\":250000,\"currency\":\"USD\"}"},
        {"payments.transfer", "{\"amount\":120,\"currency\":\"USD\"}"},
        {"payments.transfer", "{\"amount\":20000000,\"currency\":\"USD\"}"},
        {"llm.chat", "{\"prompt\":\"summarise the quarterly report\"}"},
        {"db.export", "{\"table\":\"customers\",\"rows\":5000,\"columns\":[\"email\",\"ssn\"]}"},
    };
    String[] risks = {"low", "medium", "high", "critical"};
    List<PolicyInput> out = new ArrayList<>();
    for (int r = 0; r < risks.length; r++) {
      for (int i = 0; i < actions.length; i++) {
        JsonObject payload = new JsonObject(actions[i][1]);
        // the scan text as the gateway builds it (stage 3's ActionText), not the JSON
        out.add(new PolicyInput("t1", "agent-" + r, "bench-agent", risks[r], actions[i][0], payload,
            dev.aegis.pipeline.detect.ActionText.of(null, payload), "req-" + r + "-" + i,
            actions[i][0].equals("email.send") ? List.of("pii_card_number") : List.of()));
      }
    }
    return out;
  }

  private static void writeReport(Path dir, JsonObject res) throws Exception {
    Files.createDirectories(dir);
    String ts = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    StringBuilder md = new StringBuilder();
    md.append("# Stage 4 policy evaluation (").append(ts).append(" UTC)\n\n");
    md.append("Command: `java -jar bench/target/aegis-bench.jar policy --rate ")
        .append(res.getDouble("rate").longValue()).append(" --duration ")
        .append(res.getDouble("duration_s")).append(" --warmup ").append(res.getDouble("warmup_s"))
        .append("`\n\n");
    md.append("Corpus: ").append(res.getInteger("corpus_actions"))
        .append(" actions (every platform family, benign and malicious, four agent risk levels); ")
        .append("Rego vs Java disagreements on allowed/hard-deny/escalate: ")
        .append(res.getInteger("rego_java_disagreements")).append(".\n");
    md.append("Compile: platform bundle ").append(res.getLong("compile_platform_us") / 1000.0)
        .append(" ms (").append(res.getInteger("platform_modules")).append(" modules, cold JVM), ")
        .append("tenant policy ").append(res.getLong("compile_tenant_us") / 1000.0).append(" ms.\n\n");
    md.append("| scenario | open-loop rate/s | p50 µs | p99 µs | p99.9 µs | max µs | single-thread ceiling/s |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Object o : res.getJsonArray("scenarios")) {
      JsonObject s = (JsonObject) o;
      JsonObject l = s.getJsonObject("latency_us");
      md.append("| ").append(s.getString("scenario")).append(" | ")
          .append(s.getDouble("open_loop_rate").longValue()).append(" | ")
          .append(l.getDouble("p50")).append(" | ").append(l.getDouble("p99")).append(" | ")
          .append(l.getDouble("p999")).append(" | ").append(l.getDouble("max")).append(" | ")
          .append(s.getLong("closed_loop_per_s")).append(" |\n");
    }
    md.append("\nLatency is charged from each call's intended start at the fixed rate (one thread, busy-wait ")
        .append("pacing), so a GC pause or slow call shows up in the tail. `java-rules` is the baseline in the ")
        .append("same run. `cached` is `RegoPolicyEngine.evaluate` with every call a decision-cache hit ")
        .append("(key digest + lookup).\n\n");
    md.append("Machine: `").append(res.getValue("machine")).append("`\n\nJVM: `").append(res.getValue("jvm"))
        .append("`\n");
    Files.writeString(dir.resolve("policy-" + ts + ".md"), md.toString());
    Files.writeString(dir.resolve("policy-" + ts + ".json"), res.encodePrettily());
  }
}
