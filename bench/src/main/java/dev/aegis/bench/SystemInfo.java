package dev.aegis.bench;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Facts about the machine, the JDKs and the source tree, for the report. */
final class SystemInfo {
  private SystemInfo() {}

  /** Runs a command; returns stdout+stderr, or null when it failed or timed out. */
  static String run(List<String> command, int timeoutSeconds) {
    return run(command, timeoutSeconds, null);
  }

  static String run(List<String> command, int timeoutSeconds, File dir) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      if (dir != null) {
        pb.directory(dir);
      }
      Process p = pb.start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (InputStream in = p.getInputStream()) {
        in.transferTo(out);
      }
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      if (p.exitValue() != 0) {
        return null;
      }
      return out.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  static String which(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  static JsonObject machine() {
    JsonObject m = new JsonObject();
    String lscpu = run(List.of("lscpu"), 10);
    m.put("cpu_model", field(lscpu, "Model name"));
    m.put("cpus", field(lscpu, "CPU(s)"));
    m.put("threads_per_core", field(lscpu, "Thread(s) per core"));
    String nproc = run(List.of("nproc", "--all"), 5);
    m.put("nproc_all", nproc == null ? null : nproc.trim());
    try {
      String mem = Files.readString(Path.of("/proc/meminfo"));
      String total = field(mem, "MemTotal");
      if (total != null) {
        long kb = Long.parseLong(total.replace("kB", "").trim());
        m.put("memory_gib", Math.round(kb / 1024.0 / 1024.0 * 10) / 10.0);
      }
    } catch (IOException | RuntimeException e) {
      m.put("memory_gib", (Object) null);
    }
    String uname = run(List.of("uname", "-srm"), 5);
    m.put("kernel", uname == null ? null : uname.trim());
    m.put("taskset", tasksetPath());
    return m;
  }

  static String tasksetPath() {
    return which("taskset");
  }

  /** Value of "Key: value" in a colon-separated listing such as lscpu or /proc/meminfo. */
  static String field(String text, String key) {
    if (text == null) {
      return null;
    }
    for (String line : text.split("\n")) {
      int c = line.indexOf(':');
      if (c > 0 && line.substring(0, c).trim().equals(key)) {
        return line.substring(c + 1).trim();
      }
    }
    return null;
  }

  /** {@code java -version} output of the given java binary. */
  static String javaVersion(String javaBinary) {
    String v = run(List.of(javaBinary, "-version"), 30);
    return v == null ? "(`" + javaBinary + " -version` failed)" : v.trim();
  }

  static JsonObject benchJvm() {
    return new JsonObject()
        .put("java_version", System.getProperty("java.version"))
        .put("vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"))
        .put("available_processors", Runtime.getRuntime().availableProcessors())
        .put("input_arguments", String.join(" ",
            ManagementFactory.getRuntimeMXBean().getInputArguments()));
  }

  static JsonObject git(Path root) {
    JsonObject g = new JsonObject();
    String commit = run(List.of("git", "rev-parse", "--short", "HEAD"), 10, root.toFile());
    g.put("commit", commit == null ? "unknown" : commit.trim());
    String status = run(List.of("git", "status", "--porcelain", "--untracked-files=no"), 20,
        root.toFile());
    g.put("dirty", status == null ? null : !status.isBlank());
    return g;
  }
}
