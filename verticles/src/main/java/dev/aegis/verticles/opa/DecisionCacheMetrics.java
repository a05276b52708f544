package dev.aegis.verticles.opa;

import dev.aegis.pipeline.policy.DecisionCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Exposes a {@link DecisionCache}'s counters as Micrometer meters, tagged by {@code engine}
 * ({@code local}, {@code remote}): {@code aegis_policy_cache_hits_total}, {@code ..._misses_total},
 * {@code ..._evictions_total}, {@code ..._expirations_total}, {@code ..._bypasses_total} and the
 * gauge {@code aegis_policy_cache_entries}.
 */
public final class DecisionCacheMetrics {

  private DecisionCacheMetrics() {
  }

  public static void bind(DecisionCache cache, MeterRegistry registry, String engine) {
    if (registry == null) {
      return;
    }
    FunctionCounter.builder("aegis.policy.cache.hits", cache, DecisionCache::hits).tag("engine", engine)
        .description("Policy decisions served from the decision cache").register(registry);
    FunctionCounter.builder("aegis.policy.cache.misses", cache, DecisionCache::misses).tag("engine", engine)
        .description("Policy decisions evaluated after a cache miss").register(registry);
    FunctionCounter.builder("aegis.policy.cache.evictions", cache, DecisionCache::evictions).tag("engine", engine)
        .description("Decision cache entries removed by the size cap").register(registry);
    FunctionCounter.builder("aegis.policy.cache.expirations", cache, DecisionCache::expirations)
        .tag("engine", engine).description("Decision cache entries dropped after their TTL").register(registry);
    FunctionCounter.builder("aegis.policy.cache.bypasses", cache, DecisionCache::bypasses).tag("engine", engine)
        .description("Evaluations of uncacheable (clock-reading) policies").register(registry);
    Gauge.builder("aegis.policy.cache.entries", cache, c -> c.size()).tag("engine", engine)
        .description("Live decision cache entries").register(registry);
  }
}
