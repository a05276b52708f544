package dev.aegis.verticles.runtime;

import dev.aegis.pipeline.ports.AgentDirectory;
import dev.aegis.pipeline.ports.AgentView;
import dev.aegis.storage.pg.PgRegistryStore;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Agents and their grants for the hot path: cached per (tenant, agent) for {@code ttlMillis},
 * dropped at once by {@link #invalidate} when the registry changes them. Unknown agents are
 * cached briefly too, so a flood of bad ids does not reach the database on every request.
 */
public final class CachedAgentDirectory implements AgentDirectory {

  private record Entry(AgentView agent, long expiresAt) {}

  private static final long NEGATIVE_TTL_MILLIS = 2_000;

  private final PgRegistryStore store;
  private final long ttlMillis;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();

  public CachedAgentDirectory(PgRegistryStore store, long ttlMillis) {
    this.store = store;
    this.ttlMillis = ttlMillis;
  }

  @Override
  public Future<AgentView> find(String tenantId, String agentId) {
    String key = tenantId + ":" + agentId;
    long now = System.currentTimeMillis();
    Entry e = cache.get(key);
    if (e != null && e.expiresAt > now) {
      return Future.succeededFuture(e.agent);
    }
    UUID tenant;
    UUID agent;
    try {
      tenant = UUID.fromString(tenantId);
      agent = UUID.fromString(agentId);
    } catch (IllegalArgumentException | NullPointerException bad) {
      return Future.succeededFuture(null);
    }
    return store.agent(tenant, agent).compose(a -> {
      if (a == null) {
        cache.put(key, new Entry(null, System.currentTimeMillis() + NEGATIVE_TTL_MILLIS));
        return Future.succeededFuture(null);
      }
      return store.grants(tenant, agent).map(grants -> {
        Map<String, AgentView.Grant> g = new HashMap<>();
        grants.forEach(x -> g.put(x.toolName(), new AgentView.Grant(x.action(),
            x.expiresAt() == null ? 0 : x.expiresAt().toInstant().toEpochMilli())));
        AgentView view = new AgentView(agentId, tenantId, a.name(), a.status(), a.riskLevel(), Map.copyOf(g));
        cache.put(key, new Entry(view, System.currentTimeMillis() + ttlMillis));
        return view;
      });
    });
  }

  public void invalidate(String tenantId, String agentId) {
    cache.remove(tenantId + ":" + agentId);
  }
}
