package dev.aegis.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads /proc: CPU time of a process, processes whose command line mentions a path. */
final class ProcStat {
  private ProcStat() {}

  /** Clock ticks per second for /proc/PID/stat; 100 on every Linux we run on. */
  static final double CLK_TCK = clkTck();

  private static double clkTck() {
    String v = SystemInfo.run(List.of("getconf", "CLK_TCK"), 5);
    try {
      return v == null ? 100 : Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      return 100;
    }
  }

  /** utime + stime of a process in seconds (NaN when it is gone). */
  static double cpuSeconds(long pid) {
    try {
      String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name (which is in parentheses and may contain spaces).
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      // f[0] is field 3 (state); utime is field 14, stime field 15.
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Pids of live processes whose command line contains {@code needle}. */
  static List<Long> pidsWithCommandLineContaining(String needle) {
    List<Long> out = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      procs.forEach(p -> {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          return;
        }
        try {
          byte[] raw = Files.readAllBytes(p.resolve("cmdline"));
          String cmd = new String(raw, StandardCharsets.ISO_8859_1).replace('\0', ' ');
          if (cmd.contains(needle)) {
            out.add(Long.parseLong(name));
          }
        } catch (IOException | RuntimeException ignored) {
          // process vanished
        }
      });
    } catch (IOException ignored) {
      // no /proc
    }
    out.remove(ProcessHandle.current().pid());
    return out;
  }

  /** The given pids and all their live descendants. */
  static List<Long> withDescendants(List<Long> pids) {
    List<Long> out = new ArrayList<>();
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(h -> {
        out.add(h.pid());
        h.descendants().forEach(d -> out.add(d.pid()));
      });
    }
    return out.stream().distinct().toList();
  }

  static double sumCpuSeconds(List<Long> pids) {
    double sum = 0;
    for (long pid : pids) {
      double c = cpuSeconds(pid);
      if (!Double.isNaN(c)) {
        sum += c;
      }
    }
    return sum;
  }
}
