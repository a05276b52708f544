package dev.aegis.launcher;

import dev.aegis.storage.pg.EmbeddedPostgresServer;
import dev.aegis.storage.pg.Migrations;

/**
 * {@code java -jar aegis.jar [command]}. Commands: {@code run} (default) starts the gateway;
 * {@code migrate} applies the schema migrations and exits; {@code verify} checks an evidence
 * bundle; {@code rego-conformance} runs OPA's YAML conformance cases; {@code help} prints usage.
 * Configuration comes from environment variables (see README and {@link AegisConfig}).
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    String cmd = args.length == 0 ? "run" : args[0];
    try {
      switch (cmd) {
        case "run" -> run();
        case "migrate" -> migrate();
        case "verify" -> System.exit(verify(java.util.Arrays.copyOfRange(args, 1, args.length),
            System.out, System.err));
        case "rego-conformance" -> System.exit(regoConformance(
            java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        case "help", "--help", "-h" -> usage();
        default -> {
          System.err.println("Unknown command: " + cmd);
          usage();
          System.exit(2);
        }
      }
    } catch (IllegalArgumentException e) {
      System.err.println("Configuration error: " + e.getMessage());
      System.exit(2);
    } catch (Exception e) {
      org.slf4j.LoggerFactory.getLogger(Main.class).error("Aegis failed to start", e);
      System.exit(1);
    }
  }

  private static void run() throws Exception {
    AegisConfig cfg = AegisConfig.fromEnv(System.getenv());
    AegisNode node = AegisNode.start(cfg);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.close();
      } catch (Exception e) {
        System.err.println("Shutdown error: " + e);
      }
    }, "aegis-shutdown"));
    if (node.seededPassword() != null) {
      printWelcome(node, cfg);
    }
    System.out.println("Aegis ready on port " + node.port());
  }

  private static void printWelcome(AegisNode node, AegisConfig cfg) {
    String pw = node.seededPassword().isEmpty() ? "<the AEGIS_ADMIN_PASSWORD you set>" : node.seededPassword();
    String base = "http://localhost:" + node.port();
    System.out.println("""

        ================================================================================
         Aegis first start: demo tenant %s seeded.
         Admin login (shown once):  email %s   password %s

         Get an admin token:
           curl -s -X POST %s/auth/token -H 'Content-Type: application/json' \\
                -H 'X-Tenant-ID: %s' \\
                -d '{"email":"%s","password":"%s"}'
         Then: POST /agents, POST /agents/{id}/permissions, POST /auth/credentials,
               POST /auth/agent/token, POST /execute  (see README.md)
        ================================================================================
        """.formatted(AegisNode.DEMO_TENANT, AegisNode.ADMIN_EMAIL, pw, base, AegisNode.DEMO_TENANT,
        AegisNode.ADMIN_EMAIL, pw));
  }

  private static void migrate() throws Exception {
    AegisConfig cfg = AegisConfig.fromEnv(System.getenv());
    if (cfg.pgUrl() != null) {
      System.out.println("Applied " + Migrations.migrate(cfg.pgUrl()) + " migrations");
      return;
    }
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(cfg.dataDir())) {
      System.out.println("Applied " + Migrations.migrate(pg.url()) + " migrations");
    }
  }

  /**
   * {@code verify BUNDLE [--json]}: verifies an evidence bundle offline and prints the report.
   *
   * @return 0 when every check passed, 1 when one failed, 2 when the input cannot be read
   */
  static int verify(String[] args, java.io.PrintStream out, java.io.PrintStream err) {
    String file = null;
    boolean json = false;
    for (String a : args) {
      if (a.equals("--json")) {
        json = true;
      } else if (file == null && !a.startsWith("--")) {
        file = a;
      } else {
        err.println("Usage: java -jar aegis.jar verify BUNDLE [--json]");
        return 2;
      }
    }
    if (file == null) {
      err.println("Usage: java -jar aegis.jar verify BUNDLE [--json]");
      return 2;
    }
    dev.aegis.pipeline.verify.Report report;
    try {
      String text = java.nio.file.Files.readString(java.nio.file.Path.of(file));
      report = dev.aegis.pipeline.verify.BundleVerifier.verify(text);
    } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
      err.println("Cannot read " + file + ": " + e.getMessage());
      return 2;
    } catch (dev.aegis.pipeline.verify.BundleVerifier.UnreadableBundleException e) {
      err.println("Not an aegis-bundle/1 document: " + e.getMessage());
      return 2;
    }
    out.print(json ? report.toJson().encodePrettily() + "\n" : report.toText());
    out.flush();
    return report.valid() ? 0 : 1;
  }

  private static final String REGO_CONFORMANCE_USAGE =
      "Usage: java -jar aegis.jar rego-conformance DIR [--verbose] [--category NAME]";

  /**
   * {@code rego-conformance DIR [--verbose] [--category NAME]}: runs every OPA YAML conformance
   * case under DIR (recursively) against the built-in Rego engine and prints the report, whose
   * last line is {@code N passed, M failed}.
   *
   * @return 0 when no case failed, 1 when one failed, 2 on a usage error or when DIR holds no case
   */
  static int regoConformance(String[] args, java.io.PrintStream out, java.io.PrintStream err) {
    String dir = null;
    String category = null;
    boolean verbose = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--verbose") || a.equals("-v")) {
        verbose = true;
      } else if (a.equals("--category") && i + 1 < args.length) {
        category = args[++i];
      } else if (a.startsWith("--category=")) {
        category = a.substring("--category=".length());
      } else if (dir == null && !a.startsWith("-")) {
        dir = a;
      } else {
        err.println(REGO_CONFORMANCE_USAGE);
        return 2;
      }
    }
    if (dir == null) {
      err.println(REGO_CONFORMANCE_USAGE);
      return 2;
    }
    java.nio.file.Path root;
    try {
      root = java.nio.file.Path.of(dir);
    } catch (java.nio.file.InvalidPathException e) {
      err.println("Not a directory: " + dir);
      return 2;
    }
    if (!java.nio.file.Files.isDirectory(root)) {
      err.println("Not a directory: " + dir);
      return 2;
    }
    dev.aegis.pipeline.rego.conformance.ConformanceReport report;
    try {
      report = dev.aegis.pipeline.rego.conformance.ConformanceRunner.run(root,
          new dev.aegis.pipeline.rego.conformance.ConformanceRunner.Options(category,
              dev.aegis.pipeline.rego.conformance.ConformanceRunner.DEFAULT_TIMEOUT));
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      err.println("Cannot read " + dir + ": " + e.getMessage());
      return 2;
    }
    report.print(out, verbose);
    if (report.totals().total() == 0) {
      err.println("No conformance case found under " + dir
          + (category == null ? "" : " in category " + category));
      return 2;
    }
    return report.failed() == 0 ? 0 : 1;
  }

  private static void usage() {
    System.out.println("""
        Usage: java -jar aegis.jar [run|migrate|verify BUNDLE [--json]|rego-conformance DIR|help]
          run      start the gateway (default). Embedded PostgreSQL unless AEGIS_PG_URL is set.
          migrate  apply schema migrations and exit
          verify   check an evidence bundle (GET /audit/export/bundle) offline; exit 0 valid,
                   1 a check failed, 2 unreadable input. --json prints the report as JSON
          rego-conformance DIR [--verbose] [--category NAME]
                   run OPA's YAML conformance cases under DIR against the built-in Rego engine;
                   prints failures and a per-category table, last line "N passed, M failed";
                   exit 0 when none failed, 1 when some failed, 2 bad arguments or no cases
        Environment: AEGIS_PORT (8000), AEGIS_DATA_DIR (./aegis-data), AEGIS_PG_URL, AEGIS_REDIS_URL,
          AEGIS_ADMIN_PASSWORD, AEGIS_INSTANCES, AEGIS_LIMITS_TENANT_RPS/_BURST, AEGIS_LIMITS_AGENT_RPS/_BURST,
          AEGIS_UPSTREAMS (tool=url,...), AEGIS_MAX_PAYLOAD_CHARS (5000), AEGIS_REQUEST_TIMEOUT_MS (10000)
        """);
  }
}
