package dev.aegis.pipeline.rego;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Per-query state handed to built-ins: the clock frozen at query start ({@code time.now_ns} is
 * stable within one evaluation, as in OPA) and a small memo for compiled patterns.
 */
public final class BuiltinContext {
  private final long nowNs;
  private Map<Object, Object> memo;

  public BuiltinContext(long nowNs) {
    this.nowNs = nowNs;
  }

  public static BuiltinContext now() {
    java.time.Instant i = java.time.Instant.now();
    return new BuiltinContext(i.getEpochSecond() * 1_000_000_000L + i.getNano());
  }

  /** Wall-clock time at query start in nanoseconds since the epoch. */
  public long nowNs() {
    return nowNs;
  }

  /** Per-query memo: compiled regexes, globs; {@code key} should include the kind. */
  @SuppressWarnings("unchecked")
  public <K, V> V memo(K key, Function<K, V> compute) {
    if (memo == null) {
      memo = new HashMap<>();
    }
    return (V) memo.computeIfAbsent(key, k -> compute.apply((K) k));
  }
}
