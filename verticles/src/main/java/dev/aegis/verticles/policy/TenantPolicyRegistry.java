package dev.aegis.verticles.policy;

import dev.aegis.pipeline.ports.InvalidationBus;
import dev.aegis.pipeline.ports.TenantPolicySource;
import dev.aegis.pipeline.rego.CompiledPolicy;
import dev.aegis.storage.pg.PgPolicyStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every tenant's compiled active and shadow policy, in memory, for stage 4 (the
 * {@link TenantPolicySource} port; reads never block).
 *
 * <p>Freshness: a change of a tenant's pointer (activate, rollback, shadow) is published on the
 * {@link InvalidationBus} channel {@value #CHANNEL} as {@code {tenant_id, revision}}; every
 * process's registry, on the message, re-reads that tenant's pointer from PostgreSQL, compiles the
 * new versions on a worker thread and swaps the tenant's entry atomically. A revision never goes
 * backwards (an older reload finishing late is dropped). Because the bus is best effort, a
 * periodic refresh compares every tenant's revision with the database as well, and the whole
 * state is reloaded when the bus re-subscribes after an outage.
 *
 * <p>A version whose modules no longer compile (e.g. after an engine change) is logged and the
 * tenant keeps its previous entry.
 */
public final class TenantPolicyRegistry implements TenantPolicySource {

  /** The invalidation channel of tenant policy changes. */
  public static final String CHANNEL = "policy";
  /** Period of the database comparison that catches messages the bus lost. */
  public static final long REFRESH_MILLIS = 30_000;

  private static final Logger LOG = LoggerFactory.getLogger(TenantPolicyRegistry.class);

  /** One tenant's compiled state at {@code revision}. */
  private record Entry(long revision, TenantPolicy active, TenantPolicy shadow) {}

  private final Vertx vertx;
  private final PgPolicyStore store;
  private final InvalidationBus bus;
  private final PolicyCompiler compiler;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
  private volatile long timer = -1;

  public TenantPolicyRegistry(Vertx vertx, PgPolicyStore store, InvalidationBus bus, PolicyCompiler compiler) {
    this.vertx = vertx;
    this.store = store;
    this.bus = bus;
    this.compiler = compiler;
  }

  public PgPolicyStore store() {
    return store;
  }

  public PolicyCompiler compiler() {
    return compiler;
  }

  @Override
  public TenantPolicy active(String tenantId) {
    Entry e = entries.get(tenantId);
    return e == null ? null : e.active();
  }

  @Override
  public TenantPolicy shadow(String tenantId) {
    Entry e = entries.get(tenantId);
    return e == null ? null : e.shadow();
  }

  /** The tenant's loaded revision, or -1 when nothing is loaded for it. */
  public long revision(String tenantId) {
    Entry e = entries.get(tenantId);
    return e == null ? -1 : e.revision();
  }

  /**
   * Registers a callback run (on a Vert.x context, must not block) with the tenant id after its
   * policy changed in this process: decision caches and approvals bound to the old revision drop
   * their entries there.
   */
  public void onChange(Consumer<String> listener) {
    listeners.add(listener);
  }

  /**
   * Subscribes to the bus, loads every tenant's policies and starts the periodic refresh.
   *
   * @param refreshMillis period of the database comparison (0 disables it)
   * @return completes when every tenant is loaded (a tenant that fails to compile is skipped)
   */
  public Future<Void> start(long refreshMillis) {
    bus.subscribe(CHANNEL, this::onMessage);
    if (refreshMillis > 0) {
      timer = vertx.setPeriodic(refreshMillis, t -> refresh());
    }
    return refresh();
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Announces a new revision of a tenant's policy to every process (this one included). */
  public Future<Void> publish(String tenantId, long revision) {
    return bus.publish(CHANNEL, new JsonObject().put("tenant_id", tenantId).put("revision", revision))
        .recover(e -> {
          // local handlers already got it; other processes catch up with the periodic refresh
          LOG.warn("Policy invalidation for tenant {} not sent to the cluster: {}", tenantId, e.toString());
          return Future.succeededFuture();
        });
  }

  /** Compares every tenant's revision with the database and reloads the ones that differ. */
  public Future<Void> refresh() {
    return store.pointers().compose(pointers -> {
      List<Future<Void>> loads = new ArrayList<>();
      for (PgPolicyStore.Pointer p : pointers) {
        if (p.revision() != revision(p.tenantId().toString())) {
          loads.add(apply(p));
        }
      }
      return Future.join(loads).<Void>mapEmpty().otherwiseEmpty();
    }).onFailure(e -> LOG.warn("Tenant policy refresh failed: {}", e.toString()));
  }

  /** Re-reads one tenant's pointer and swaps its entry if the revision is newer. */
  public Future<Void> reload(String tenantId) {
    UUID tenant;
    try {
      tenant = UUID.fromString(tenantId);
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture();
    }
    return store.pointer(tenant).compose(p -> p == null ? Future.<Void>succeededFuture() : apply(p));
  }

  private void onMessage(JsonObject m) {
    String tenant = m.getString("tenant_id");
    Long rev = m.getLong("revision");
    if (tenant == null || (rev != null && rev <= revision(tenant))) {
      return;
    }
    reload(tenant).onFailure(e -> LOG.warn("Policy reload of tenant {} failed: {}", tenant, e.toString()));
  }

  /** Loads the versions a pointer names, compiles them off the event loop and swaps the entry. */
  private Future<Void> apply(PgPolicyStore.Pointer p) {
    String tenant = p.tenantId().toString();
    Entry current = entries.get(tenant);
    if (current != null && current.revision() >= p.revision()) {
      return Future.succeededFuture();
    }
    return load(p, p.activeVersionId(), current).compose(active -> load(p, p.shadowVersionId(), current)
        .map(shadow -> {
          Entry next = new Entry(p.revision(), active, shadow);
          Entry[] won = new Entry[1];
          entries.compute(tenant, (k, old) -> {
            if (old != null && old.revision() >= next.revision()) {
              return old;
            }
            won[0] = next;
            return next;
          });
          if (won[0] != null) {
            LOG.info("Tenant {} policy revision {} live (active v{}, shadow v{})", tenant, p.revision(),
                active == null ? "-" : active.version(), shadow == null ? "-" : shadow.version());
            listeners.forEach(l -> {
              try {
                l.accept(tenant);
              } catch (RuntimeException e) {
                LOG.warn("Policy change listener failed", e);
              }
            });
          }
          return (Void) null;
        }))
        .onFailure(e -> LOG.error("Tenant {} policy revision {} could not be loaded; keeping revision {}",
            tenant, p.revision(), current == null ? "none" : current.revision(), e));
  }

  /** The compiled version (reusing the current entry's when it is the same version). */
  private Future<TenantPolicy> load(PgPolicyStore.Pointer p, UUID versionId, Entry current) {
    if (versionId == null) {
      return Future.succeededFuture(null);
    }
    String revision = Long.toString(p.revision());
    TenantPolicy reuse = current == null ? null : sameVersion(versionId, current);
    if (reuse != null) {
      return Future.succeededFuture(new TenantPolicy(reuse.tenantId(), reuse.versionId(), reuse.version(),
          revision, reuse.modules(), reuse.compiled()));
    }
    return store.version(p.tenantId(), versionId).compose(v -> {
      if (v == null) {
        return Future.failedFuture(new IllegalStateException("version " + versionId + " is gone"));
      }
      Map<String, String> modules = PolicyModules.toMap(v.modules());
      return vertx.executeBlocking(() -> compiler.compile(modules), false)
          .map(compiled -> new TenantPolicy(p.tenantId().toString(), versionId.toString(), v.version(),
              revision, modules, compiled));
    });
  }

  private static TenantPolicy sameVersion(UUID versionId, Entry e) {
    String id = versionId.toString();
    if (e.active() != null && e.active().versionId().equals(id)) {
      return e.active();
    }
    if (e.shadow() != null && e.shadow().versionId().equals(id)) {
      return e.shadow();
    }
    return null;
  }

  /** Compiles modules; {@link dev.aegis.pipeline.rego.RegoCompiler#compile} in production. */
  @FunctionalInterface
  public interface PolicyCompiler {
    CompiledPolicy compile(Map<String, String> modules);
  }
}
