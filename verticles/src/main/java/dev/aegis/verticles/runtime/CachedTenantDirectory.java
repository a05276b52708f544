package dev.aegis.verticles.runtime;

import dev.aegis.pipeline.ports.TenantDirectory;
import dev.aegis.pipeline.ports.TenantSettings;
import dev.aegis.storage.pg.PgIdentityStore;
import io.vertx.core.Future;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tenant settings for the hot path, cached for {@code ttlMillis} and invalidated on change.
 * Rates a tenant row leaves null come from the configured defaults.
 */
public final class CachedTenantDirectory implements TenantDirectory {

  /** Defaults for tenants whose row sets no limits. */
  public record Defaults(double rps, int burst, double agentRps, int agentBurst) {}

  private record Entry(TenantSettings settings, long expiresAt) {}

  private final PgIdentityStore store;
  private final Defaults defaults;
  private final long ttlMillis;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();

  public CachedTenantDirectory(PgIdentityStore store, Defaults defaults, long ttlMillis) {
    this.store = store;
    this.defaults = defaults;
    this.ttlMillis = ttlMillis;
  }

  @Override
  public Future<TenantSettings> settings(String tenantId) {
    long now = System.currentTimeMillis();
    Entry e = cache.get(tenantId);
    if (e != null && e.expiresAt > now) {
      return Future.succeededFuture(e.settings);
    }
    UUID id;
    try {
      id = UUID.fromString(tenantId);
    } catch (IllegalArgumentException bad) {
      return Future.succeededFuture(null);
    }
    return store.tenant(id).map(t -> {
      TenantSettings s = t == null || !t.active() ? null : new TenantSettings(tenantId,
          t.requestsPerSecond() == null ? defaults.rps() : t.requestsPerSecond(),
          t.burst() == null ? defaults.burst() : t.burst(),
          t.agentRequestsPerSecond() == null ? defaults.agentRps() : t.agentRequestsPerSecond(),
          t.agentBurst() == null ? defaults.agentBurst() : t.agentBurst(),
          t.degradedModePolicy());
      cache.put(tenantId, new Entry(s, System.currentTimeMillis() + (s == null ? 5_000 : ttlMillis)));
      return s;
    });
  }

  public void invalidate(String tenantId) {
    cache.remove(tenantId);
  }

  public void invalidateAll() {
    cache.clear();
  }
}
