package dev.aegis.verticles.runtime;

import dev.aegis.pipeline.ports.AgentDirectory;
import dev.aegis.pipeline.ports.AgentView;
import dev.aegis.storage.pg.PgRegistryStore;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Agents and their grants for the hot path: cached per (tenant, agent) for {@code ttlMillis},
 * dropped at once by {@link #invalidate} when the registry changes them (grants, revokes,
 * quarantine, release, updates, deletes). Unknown agents are cached briefly too, so a flood of bad
 * ids does not reach the database on every request.
 *
 * <p>A load that was already reading the database when an invalidation arrived may have read the
 * old rows; it must not put them back. Every invalidation bumps {@link #generation}, and a load
 * drops its own entry again when the generation moved while it ran, so the next request reloads.
 * Grant expiry is not cached: {@link AgentView.Grant#allowsAt} is evaluated per request.
 */
public final class CachedAgentDirectory implements AgentDirectory {

  private record Entry(AgentView agent, long expiresAt) {}

  private static final long NEGATIVE_TTL_MILLIS = 2_000;
  /** Above this many entries, expired ones are swept (bounds memory under floods of unknown ids). */
  private static final int SWEEP_ABOVE = 100_000;

  private final PgRegistryStore store;
  private final long ttlMillis;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();

  public CachedAgentDirectory(PgRegistryStore store, long ttlMillis) {
    this.store = store;
    this.ttlMillis = ttlMillis;
  }

  @Override
  public Future<AgentView> find(String tenantId, String agentId) {
    UUID tenant;
    UUID agent;
    try {
      tenant = UUID.fromString(tenantId);
      agent = UUID.fromString(agentId);
    } catch (IllegalArgumentException | NullPointerException bad) {
      return Future.succeededFuture(null);
    }
    // canonical ids: an upper-case or oddly written X-Agent-ID must hit the entry invalidate drops
    String key = key(tenant.toString(), agent.toString());
    long now = System.currentTimeMillis();
    Entry e = cache.get(key);
    if (e != null && e.expiresAt > now) {
      return Future.succeededFuture(e.agent);
    }
    long gen = generation.get();
    return store.agent(tenant, agent).compose(a -> {
      if (a == null) {
        remember(key, new Entry(null, System.currentTimeMillis() + NEGATIVE_TTL_MILLIS), gen);
        return Future.succeededFuture(null);
      }
      return store.grants(tenant, agent).map(grants -> {
        Map<String, AgentView.Grant> g = new HashMap<>();
        grants.forEach(x -> g.put(x.toolName(), new AgentView.Grant(x.action(),
            x.expiresAt() == null ? 0 : x.expiresAt().toInstant().toEpochMilli())));
        AgentView view = new AgentView(agent.toString(), tenant.toString(), a.name(), a.status(), a.riskLevel(), Map.copyOf(g));
        remember(key, new Entry(view, System.currentTimeMillis() + ttlMillis), gen);
        return view;
      });
    });
  }

  /** Caches a loaded entry unless an invalidation happened since the load began. */
  private void remember(String key, Entry entry, long loadedAtGeneration) {
    if (cache.size() >= SWEEP_ABOVE) {
      long now = System.currentTimeMillis();
      cache.values().removeIf(x -> x.expiresAt <= now);
      if (cache.size() >= SWEEP_ABOVE) {
        cache.clear();
      }
    }
    cache.put(key, entry);
    if (generation.get() != loadedAtGeneration) {
      cache.remove(key, entry);
    }
  }

  /** Drops the cached agent; call after the registry change committed. */
  public void invalidate(String tenantId, String agentId) {
    generation.incrementAndGet();
    try {
      cache.remove(key(UUID.fromString(tenantId).toString(), UUID.fromString(agentId).toString()));
    } catch (IllegalArgumentException | NullPointerException bad) {
      // never cached under an unparsable id
    }
  }

  /** Drops every cached agent (after invalidation messages may have been lost). */
  public void invalidateAll() {
    generation.incrementAndGet();
    cache.clear();
  }

  private static String key(String tenant, String agent) {
    return tenant + ":" + agent;
  }
}
