package dev.aegis.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server started by the suite (hello server, gateway), optionally pinned to CPUs with taskset,
 * its output going to a log file. Closed (SIGTERM, then SIGKILL) by the suite or its shutdown hook.
 */
final class ChildProcess implements AutoCloseable {
  final String name;
  final Process process;
  final Path log;
  final List<String> command;

  private ChildProcess(String name, Process process, Path log, List<String> command) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.command = command;
  }

  static boolean tasksetAvailable() {
    return SystemInfo.which("taskset") != null;
  }

  /** Starts {@code command}, pinned to {@code cpus} (e.g. "0") when taskset exists and cpus set. */
  static ChildProcess start(String name, List<String> command, Map<String, String> env, Path log,
      String cpus) throws IOException {
    List<String> full = new ArrayList<>();
    if (cpus != null && !cpus.isBlank() && tasksetAvailable()) {
      full.add("taskset");
      full.add("-c");
      full.add(cpus);
    }
    full.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(full)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().putAll(env);
    Files.writeString(log, "# " + String.join(" ", full) + "\n", StandardCharsets.UTF_8);
    return new ChildProcess(name, pb.start(), log, full);
  }

  long pid() {
    return process.pid();
  }

  /**
   * Waits until the log contains {@code needle}; fails early if the process exits.
   *
   * @return true when the line appeared, false on timeout
   */
  boolean waitForLine(String needle, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (logText().contains(needle)) {
        return true;
      }
      if (!process.isAlive()) {
        throw new IOException(name + " exited with code " + process.exitValue()
            + " before printing '" + needle + "'; last lines:\n" + tail(30));
      }
      Thread.sleep(100);
    }
    return false;
  }

  String logText() throws IOException {
    return Files.readString(log, StandardCharsets.ISO_8859_1);
  }

  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** CPU seconds (user + system) this process has used so far, or NaN when unknown. */
  double cpuSeconds() {
    return ProcStat.cpuSeconds(pid());
  }

  @Override
  public void close() {
    stop(process.toHandle());
  }

  /** SIGTERM the process and its descendants, wait up to 15 s, then SIGKILL what is left. */
  static void stop(ProcessHandle handle) {
    if (!handle.isAlive()) {
      return;
    }
    List<ProcessHandle> kids = handle.descendants().toList();
    handle.destroy();
    try {
      handle.onExit().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      handle.destroyForcibly();
      try {
        handle.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // nothing more we can do
      }
    }
    for (ProcessHandle k : kids) {
      if (k.isAlive()) {
        k.destroy();
      }
    }
  }
}
