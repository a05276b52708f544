package dev.aegis.bench;

import io.vertx.core.json.JsonObject;

/**
 * Measures how much of the time a CPU is taken away from a spinning thread (hypervisor steal,
 * other processes, interrupts): the gaps between consecutive clock reads. A noisy core puts a
 * floor under every latency percentile measured on it, client or server.
 *
 * <p>{@code NoiseProbe SECONDS} prints one JSON line (run it under taskset to probe one core).
 */
public final class NoiseProbe {
  private NoiseProbe() {}

  public static JsonObject measure(double seconds) {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long prev = System.nanoTime();
    long over05 = 0;
    long over2 = 0;
    long over10 = 0;
    long stalled = 0;
    long max = 0;
    long t0 = prev;
    while (true) {
      long now = System.nanoTime();
      long gap = now - prev;
      prev = now;
      if (gap > 500_000) {
        over05++;
        stalled += gap;
        if (gap > 2_000_000) {
          over2++;
        }
        if (gap > 10_000_000) {
          over10++;
        }
      }
      if (gap > max) {
        max = gap;
      }
      if (now > end) {
        break;
      }
    }
    double wall = (prev - t0) / 1e9;
    return new JsonObject()
        .put("seconds", LoadResult.round1(wall))
        .put("stalls_over_0_5ms", over05)
        .put("stalls_over_2ms", over2)
        .put("stalls_over_10ms", over10)
        .put("stalled_fraction", LoadResult.round3(stalled / 1e9 / wall))
        .put("max_stall_ms", LoadResult.round3(max / 1e6));
  }

  public static void main(String[] args) {
    double s = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    // A short spin first so the loop is compiled before it measures.
    measure(0.5);
    System.out.println(measure(s).encode());
  }
}
