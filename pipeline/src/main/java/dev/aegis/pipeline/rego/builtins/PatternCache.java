package dev.aegis.pipeline.rego.builtins;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A small process-wide cache of compiled patterns (regexes, globs) shared by all queries, so a
 * policy's constant patterns are translated and compiled once rather than per request. Bounded:
 * when it grows past its capacity it is simply cleared (as OPA drops entries from its regex
 * cache), which keeps memory flat when inputs supply arbitrary patterns. Values must be immutable.
 */
final class PatternCache<K, V> {
  private final int capacity;
  private final ConcurrentHashMap<K, V> map = new ConcurrentHashMap<>();

  PatternCache(int capacity) {
    this.capacity = capacity;
  }

  V get(K key, Function<K, V> compute) {
    V v = map.get(key);
    if (v != null) {
      return v;
    }
    v = compute.apply(key);
    if (map.size() >= capacity) {
      map.clear();
    }
    map.put(key, v);
    return v;
  }
}
