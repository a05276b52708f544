package dev.aegis.verticles.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.ports.TenantPolicySource.TenantPolicy;
import dev.aegis.pipeline.rego.RegoCompiler;
import dev.aegis.storage.inproc.InProcessInvalidationBus;
import dev.aegis.storage.pg.Migrations;
import dev.aegis.storage.pg.PgPolicyStore;
import dev.aegis.storage.pg.PgUrls;
import dev.aegis.storage.pg.ScratchDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The policy store and the in-memory registry on a scratch PostgreSQL database: version
 * numbering, activation with revisions, rollback walking back step by step, shadow pointers,
 * tenant scoping, the bus-driven reload, the periodic refresh when a message was lost, and reuse
 * of compiled versions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantPolicyRegistryTest {

  ScratchDatabase db;
  Vertx vertx;
  Pool pool;
  PgPolicyStore store;

  @BeforeAll
  void start() {
    db = ScratchDatabase.create(System.getProperty("aegis.test.pg.url", "postgresql://postgres@127.0.0.1:5432/test"),
        "policyreg");
    Migrations.migrate(db.url());
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(PgUrls.options(db.url()))
        .using(vertx).build();
    store = new PgPolicyStore(pool);
  }

  @AfterAll
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    db.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw e;
    }
  }

  TenantPolicyRegistry registry(InProcessInvalidationBus bus) {
    return registry(bus, new AtomicInteger());
  }

  /** Registries on one Vert.x share the in-process channel, so each counts its own compiles. */
  TenantPolicyRegistry registry(InProcessInvalidationBus bus, AtomicInteger compiles) {
    return new TenantPolicyRegistry(vertx, store, bus, m -> {
      compiles.incrementAndGet();
      return RegoCompiler.compile(m);
    });
  }

  PgPolicyStore.Version upload(UUID tenant, String marker) throws Exception {
    String src = "package aegis.tenant\n\ndeny contains \"" + marker + "\" if input.tool == \"x\"\n";
    JsonObject modules = new JsonObject().put("policy.rego", src);
    return await(store.insertVersion(tenant, null, marker, modules,
        PolicyModules.sha256(PolicyModules.toMap(modules)), "tester"));
  }

  static boolean poll(long millis, BooleanSupplier cond) throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < end) {
      if (cond.getAsBoolean()) {
        return true;
      }
      Thread.sleep(5);
    }
    return cond.getAsBoolean();
  }

  /** Verifies per-tenant numbering 1, 2, 3, fetches scoped by tenant, and drafts. */
  @Test
  void should_number_versions_per_tenant_and_scope_reads() throws Exception {
    UUID t1 = UUID.randomUUID();
    UUID t2 = UUID.randomUUID();
    assertThat(upload(t1, "a").version()).isEqualTo(1);
    PgPolicyStore.Version v2 = upload(t1, "b");
    assertThat(v2.version()).isEqualTo(2);
    assertThat(v2.status()).isEqualTo("draft");
    assertThat(v2.sha256()).hasSize(64);
    assertThat(upload(t2, "c").version()).isEqualTo(1);
    assertThat(await(store.version(t1, v2.id())).modules().getString("policy.rego")).contains("\"b\"");
    assertThat(await(store.version(t2, v2.id()))).isNull();
    assertThat(await(store.versions(t1, 10, 0))).extracting(PgPolicyStore.Version::version).containsExactly(2, 1);
    assertThat(await(store.activate(t2, v2.id(), "x"))).as("another tenant's version").isNull();
    UUID stranger = UUID.randomUUID();
    assertThat(await(store.activate(stranger, v2.id(), "x"))).isNull();
    assertThat(await(store.setShadow(stranger, v2.id(), "x"))).isNull();
    assertThat(await(store.pointer(stranger))).as("a 404 leaves no pointer row").isNull();
  }

  /** Verifies concurrent uploads of one tenant get distinct consecutive numbers. */
  @Test
  void should_number_concurrent_uploads_without_gaps() throws Exception {
    UUID t = UUID.randomUUID();
    java.util.List<Future<PgPolicyStore.Version>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      JsonObject m = new JsonObject().put("policy.rego", "package aegis.tenant\n");
      all.add(store.insertVersion(t, null, null, m, PolicyModules.sha256(PolicyModules.toMap(m)), "x"));
    }
    await(Future.all(all));
    assertThat(all).extracting(f -> f.result().version()).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
  }

  /** Verifies activation, statuses, a rollback stack v3 -> v2 -> v1 and then 409-style conflict. */
  @Test
  void should_activate_and_roll_back_step_by_step() throws Exception {
    UUID t = UUID.randomUUID();
    PgPolicyStore.Version v1 = upload(t, "one");
    PgPolicyStore.Version v2 = upload(t, "two");
    PgPolicyStore.Version v3 = upload(t, "three");
    assertThatThrownBy(() -> await(store.rollback(t, "x"))).isInstanceOf(PgPolicyStore.Conflict.class);
    PgPolicyStore.Change c1 = await(store.activate(t, v1.id(), "x"));
    assertThat(c1.changed()).isTrue();
    assertThat(c1.previousVersionId()).isNull();
    long r1 = c1.pointer().revision();
    assertThatThrownBy(() -> await(store.rollback(t, "x"))).isInstanceOf(PgPolicyStore.Conflict.class)
        .extracting(e -> ((PgPolicyStore.Conflict) e).key()).isEqualTo("nothing_to_roll_back");
    await(store.activate(t, v2.id(), "x"));
    PgPolicyStore.Change c3 = await(store.activate(t, v3.id(), "x"));
    assertThat(c3.previousVersionId()).isEqualTo(v2.id());
    assertThat(c3.pointer().revision()).isEqualTo(r1 + 2);
    assertThat(await(store.activate(t, v3.id(), "x")).changed()).as("re-activating the active version").isFalse();
    assertThat(await(store.version(t, v2.id())).status()).isEqualTo("archived");
    assertThat(await(store.version(t, v3.id())).status()).isEqualTo("active");

    PgPolicyStore.Change back = await(store.rollback(t, "x"));
    assertThat(back.pointer().activeVersionId()).isEqualTo(v2.id());
    assertThat(back.previousVersionId()).isEqualTo(v3.id());
    assertThat(await(store.rollback(t, "x")).pointer().activeVersionId()).isEqualTo(v1.id());
    assertThatThrownBy(() -> await(store.rollback(t, "x"))).isInstanceOf(PgPolicyStore.Conflict.class);
    assertThat(await(store.version(t, v1.id())).status()).isEqualTo("active");
    assertThat(await(store.version(t, v3.id())).status()).isEqualTo("archived");
    assertThat(await(store.pointer(t)).revision()).isEqualTo(r1 + 4);
  }

  /** Verifies the registry loads at start, follows bus messages, and keeps reads in memory. */
  @Test
  void should_load_at_start_and_follow_changes_published_on_the_bus() throws Exception {
    UUID t = UUID.randomUUID();
    String tenant = t.toString();
    PgPolicyStore.Version v1 = upload(t, "one");
    PgPolicyStore.Version v2 = upload(t, "two");
    long r1 = await(store.activate(t, v1.id(), "x")).pointer().revision();
    InProcessInvalidationBus bus = new InProcessInvalidationBus(vertx);
    AtomicInteger compiles = new AtomicInteger();
    TenantPolicyRegistry reg = registry(bus, compiles);
    await(reg.start(0));
    TenantPolicy active = reg.active(tenant);
    assertThat(active).isNotNull();
    assertThat(active.versionId()).isEqualTo(v1.id().toString());
    assertThat(active.version()).isEqualTo(1);
    assertThat(active.revision()).isEqualTo(Long.toString(r1));
    assertThat(active.modules()).containsKey("policy.rego");
    assertThat(active.compiled().packages()).containsExactly("aegis.tenant");
    assertThat(reg.shadow(tenant)).isNull();
    assertThat(reg.active(UUID.randomUUID().toString())).isNull();

    AtomicInteger changes = new AtomicInteger();
    reg.onChange(x -> {
      if (x.equals(tenant)) {
        changes.incrementAndGet();
      }
    });
    PgPolicyStore.Change c = await(store.activate(t, v2.id(), "x"));
    await(reg.publish(tenant, c.pointer().revision()));
    assertThat(poll(2000, () -> reg.revision(tenant) == c.pointer().revision())).isTrue();
    assertThat(reg.active(tenant).versionId()).isEqualTo(v2.id().toString());
    assertThat(changes.get()).isEqualTo(1);

    // shadow: the active version's compiled policy is reused, not compiled again
    CompiledRef before = new CompiledRef(reg.active(tenant));
    int compiledBefore = compiles.get();
    PgPolicyStore.Change s = await(store.setShadow(t, v1.id(), "x"));
    await(reg.publish(tenant, s.pointer().revision()));
    assertThat(poll(2000, () -> reg.revision(tenant) == s.pointer().revision())).isTrue();
    assertThat(reg.shadow(tenant).versionId()).isEqualTo(v1.id().toString());
    assertThat(reg.active(tenant).compiled()).isSameAs(before.policy.compiled());
    assertThat(reg.active(tenant).revision()).isEqualTo(Long.toString(s.pointer().revision()));
    assertThat(compiles.get() - compiledBefore).isEqualTo(1);
    assertThat(await(store.setShadow(t, v1.id(), "x")).changed()).isFalse();
    PgPolicyStore.Change cleared = await(store.setShadow(t, null, "x"));
    assertThat(cleared.changed()).isTrue();
    await(reg.publish(tenant, cleared.pointer().revision()));
    assertThat(poll(2000, () -> reg.shadow(tenant) == null)).isTrue();
  }

  record CompiledRef(TenantPolicy policy) {}

  /** Verifies a change whose message was lost is picked up by the periodic refresh. */
  @Test
  void should_catch_up_by_refresh_when_a_message_is_lost() throws Exception {
    UUID t = UUID.randomUUID();
    String tenant = t.toString();
    PgPolicyStore.Version v1 = upload(t, "one");
    TenantPolicyRegistry reg = registry(new InProcessInvalidationBus(vertx));
    await(reg.start(50));
    try {
      assertThat(reg.active(tenant)).isNull();
      long rev = await(store.activate(t, v1.id(), "x")).pointer().revision();
      // nothing published: only the periodic comparison can find it
      assertThat(poll(3000, () -> reg.revision(tenant) == rev)).isTrue();
      assertThat(reg.active(tenant).versionId()).isEqualTo(v1.id().toString());
    } finally {
      reg.stop();
    }
  }

  /** Verifies an old revision arriving late never replaces a newer one. */
  @Test
  void should_never_go_back_to_an_older_revision() throws Exception {
    UUID t = UUID.randomUUID();
    String tenant = t.toString();
    PgPolicyStore.Version v1 = upload(t, "one");
    PgPolicyStore.Version v2 = upload(t, "two");
    await(store.activate(t, v1.id(), "x"));
    long r2 = await(store.activate(t, v2.id(), "x")).pointer().revision();
    TenantPolicyRegistry reg = registry(new InProcessInvalidationBus(vertx));
    await(reg.start(0));
    assertThat(reg.revision(tenant)).isEqualTo(r2);
    await(reg.publish(tenant, r2 - 1));
    await(reg.reload(tenant));
    assertThat(reg.revision(tenant)).isEqualTo(r2);
    assertThat(reg.active(tenant).versionId()).isEqualTo(v2.id().toString());
  }
}
