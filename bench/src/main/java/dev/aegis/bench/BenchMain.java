package dev.aegis.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Command line: {@code hello-server}, {@code load} and {@code suite}. */
public final class BenchMain {
  private BenchMain() {}

  static final Set<String> LOAD_OPTIONS = Set.of("url", "rate", "duration", "warmup",
      "connections", "scenario", "token", "agent-id", "event-loops", "timeout-ms", "late-ms",
      "max-outstanding", "repeat");

  public static void main(String[] argv) throws Exception {
    if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h")) {
      usage();
      System.exit(argv.length == 0 ? 2 : 0);
    }
    List<String> rest = Arrays.asList(argv).subList(1, argv.length);
    int code;
    switch (argv[0]) {
      case "hello-server" -> {
        HelloServer.main(rest.toArray(String[]::new));
        return; // keeps running until killed
      }
      case "load" -> code = load(new Args(rest, LOAD_OPTIONS));
      case "suite" -> code = Suite.main(new Args(rest, Suite.OPTIONS), argv);
      case "writer" -> code = WriterBench.main(new Args(rest, WriterBench.OPTIONS));
      case "policy" -> code = PolicyBench.main(new Args(rest, PolicyBench.OPTIONS));
      default -> {
        usage();
        code = 2;
      }
    }
    System.exit(code);
  }

  static int load(Args a) throws Exception {
    String url = a.str("url", null);
    if (url == null || !a.options.containsKey("rate")) {
      System.err.println("load needs --url URL --rate R");
      return 2;
    }
    String scenario = a.str("scenario", "hello");
    List<Scenarios.AgentCredential> agents = List.of();
    if (a.options.containsKey("token")) {
      agents = List.of(new Scenarios.AgentCredential(a.str("agent-id", ""), a.str("token", "")));
    }
    double duration = a.dbl("duration", 10);
    double warmup = a.dbl("warmup", 5);
    if (!scenario.equals("hello") && warmup + duration > 12 * 60) {
      System.err.println("warning: agent tokens live 15 minutes; this run is longer than 12");
    }
    int loops = a.integer("event-loops", 1);
    LoadSpec spec = new LoadSpec(scenario, url, a.dbl("rate", 0), warmup, duration,
        a.integer("connections", LoadSpec.DEFAULT_CONNECTIONS), loops,
        (long) a.dbl("timeout-ms", LoadSpec.DEFAULT_TIMEOUT_MS),
        a.dbl("late-ms", LoadSpec.DEFAULT_LATE_MS),
        a.integer("max-outstanding", LoadSpec.DEFAULT_MAX_OUTSTANDING),
        Scenarios.forName(scenario, url, agents));
    try (LoadGenerator gen = new LoadGenerator(loops)) {
      int repeat = a.integer("repeat", 1);
      for (int i = 0; i < repeat; i++) {
        LoadResult r = gen.run(spec, LoadGenerator.CpuProbe.NONE);
        System.out.println(r.toJson().put("client_transport", gen.transport()).encodePrettily());
      }
    }
    return 0;
  }

  static void usage() {
    System.err.println(String.join("\n",
        "usage: java -jar aegis-bench.jar COMMAND ...",
        "  hello-server PORT [--instances N] [--native true|false]",
        "  load --url URL --rate R [--duration S] [--warmup S] [--connections N]",
        "       [--scenario hello|allow|deny] [--token T --agent-id ID] [--event-loops N]",
        "       [--timeout-ms MS] [--late-ms MS] [--repeat N]  prints a JSON result per run",
        "  suite [--rates r1,r2,...] [--duration S] [--warmup S] [--out DIR] ...",
        "       (see bench/README.md; `suite --help` lists every option)",
        "  writer [--duration S] [--rate R] [--max-outstanding N] [--pg-url URL] ...",
        "       audit writer throughput (`writer --help`)",
        "  policy [--rate R] [--duration S] [--warmup S]",
        "       stage 4 evaluation latency: Java rules, Rego uncached, cached (`policy --help`)"));
  }
}
