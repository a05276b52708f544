package dev.aegis.launcher;

import dev.aegis.pipeline.detect.HardDenyPolicy;
import dev.aegis.pipeline.detect.InferenceScanner;
import dev.aegis.pipeline.detect.OutputRedactor;
import dev.aegis.pipeline.ports.RateLimiter;
import dev.aegis.storage.FailOpenRateLimiter;
import dev.aegis.storage.inproc.InProcessRateLimiter;
import dev.aegis.storage.pg.EmbeddedPostgresServer;
import dev.aegis.storage.pg.Migrations;
import dev.aegis.storage.pg.PgAuditStore;
import dev.aegis.storage.pg.PgIdentityStore;
import dev.aegis.storage.pg.PgKillSwitchStore;
import dev.aegis.storage.pg.PgRegistryStore;
import dev.aegis.storage.pg.PgUrls;
import dev.aegis.storage.redis.RedisRateLimiter;
import dev.aegis.storage.redis.RedisOnceStore;
import dev.aegis.storage.redis.RedisInvalidationBus;
import dev.aegis.storage.redis.RedisCounterStore;
import dev.aegis.storage.inproc.InProcessOnceStore;
import dev.aegis.storage.inproc.InProcessCounterStore;
import dev.aegis.storage.inproc.InProcessInvalidationBus;
import dev.aegis.storage.pg.PgTokenStore;
import dev.aegis.storage.pg.PgEvidenceStore;
import dev.aegis.verticles.evidence.CheckpointSigner;
import dev.aegis.verticles.evidence.EvidenceKeys;
import dev.aegis.pipeline.ports.OnceStore;
import dev.aegis.pipeline.ports.CounterStore;
import dev.aegis.pipeline.ports.InvalidationBus;
import dev.aegis.verticles.bus.Addresses;
import dev.aegis.verticles.http.ManagementAudit;
import dev.aegis.verticles.identity.ApiKeyService;
import dev.aegis.verticles.identity.CompositeVerifier;
import dev.aegis.verticles.identity.KeyRotation;
import dev.aegis.verticles.identity.RevocationList;
import dev.aegis.verticles.identity.Sessions;
import io.vertx.core.json.JsonObject;
import dev.aegis.verticles.audit.AuditWriterVerticle;
import dev.aegis.verticles.audit.EventBusAuditSink;
import dev.aegis.verticles.gateway.GatewayServices;
import dev.aegis.verticles.gateway.GatewayVerticle;
import dev.aegis.verticles.identity.PasswordHasher;
import dev.aegis.verticles.identity.TokenService;
import dev.aegis.verticles.runtime.CachedAgentDirectory;
import dev.aegis.verticles.runtime.CachedTenantDirectory;
import dev.aegis.verticles.runtime.HttpToolExecutor;
import dev.aegis.verticles.runtime.LocalKillSwitchView;
import dev.aegis.verticles.runtime.PlatformPolicyEngine;
import dev.aegis.verticles.runtime.VelocityBehaviorScorer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Aegis process: embedded or external PostgreSQL (migrated), Vert.x with Micrometer
 * metrics, the shared services, the audit writer and N gateway verticle instances. Startup is
 * blocking and runs on the caller's (main) thread, never on an event loop.
 */
public final class AegisNode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AegisNode.class);
  public static final String DEMO_TENANT = "00000000-0000-0000-0000-000000000001";
  public static final String ADMIN_EMAIL = "admin@aegis.local";

  private final Vertx vertx;
  private final EmbeddedPostgresServer embedded;
  private final Pool pool;
  private final int port;
  private final String seededPassword;

  private GatewayServices services;
  private dev.aegis.verticles.policy.ShadowDecisionWriter shadowWriter;

  private AegisNode(Vertx vertx, EmbeddedPostgresServer embedded, Pool pool, int port, String seededPassword) {
    this.vertx = vertx;
    this.embedded = embedded;
    this.pool = pool;
    this.port = port;
    this.seededPassword = seededPassword;
  }

  public int port() {
    return port;
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * The route table of the gateway as {@code "METHOD /path"} strings (path parameters as
   * {@code :name}), read from a router built exactly like the served one. Tests generate their
   * isolation matrix from it, so a new route is covered automatically.
   */
  public List<String> routeTable() {
    io.vertx.ext.web.Router r = GatewayVerticle.router(vertx, services);
    List<String> out = new ArrayList<>();
    for (io.vertx.ext.web.Route route : r.getRoutes()) {
      if (route.getPath() == null) {
        continue;
      }
      java.util.Set<io.vertx.core.http.HttpMethod> methods = route.methods();
      if (methods == null || methods.isEmpty()) {
        out.add("ANY " + route.getPath());
      } else {
        methods.forEach(m -> out.add(m.name() + " " + route.getPath()));
      }
    }
    return out;
  }

  /** Every tenant's compiled active and shadow policy in this process (stage 4's source). */
  public dev.aegis.verticles.policy.TenantPolicyRegistry tenantPolicies() {
    return services.tenantPolicies();
  }

  /**
   * Where stage 4 records divergent shadow decisions (the {@code ShadowRecorder} to hand to
   * {@code RegoPolicyEngine}): batched into {@code policy.shadow_decisions}, flushed on
   * {@link #close()}.
   */
  public dev.aegis.pipeline.ports.ShadowRecorder shadowRecorder() {
    return shadowWriter;
  }

  /** The shadow decision writer itself (its counters). */
  public dev.aegis.verticles.policy.ShadowDecisionWriter shadowWriter() {
    return shadowWriter;
  }

  /** The admin password generated on first start (null when it was given or already seeded). */
  public String seededPassword() {
    return seededPassword;
  }

  /** Starts a node; throws when any part cannot start (the caller exits non-zero). */
  public static AegisNode start(AegisConfig cfg) throws Exception {
    long t0 = System.nanoTime();
    EmbeddedPostgresServer embedded = null;
    String pgUrl = cfg.pgUrl();
    if (pgUrl == null) {
      embedded = EmbeddedPostgresServer.start(cfg.dataDir());
      pgUrl = embedded.url();
      LOG.info("Embedded PostgreSQL started (data in {})", cfg.dataDir().resolve("pg"));
    }
    int applied = Migrations.migrate(pgUrl);
    LOG.info("Schema migrations applied: {}", applied);

    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions vo = new VertxOptions()
        .setMetricsOptions(vertxMetrics())
        .setMaxEventLoopExecuteTime(cfg.maxEventLoopMillis())
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS).setBlockedThreadCheckInterval(100)
        .setWarningExceptionTime(cfg.maxEventLoopMillis()).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS);
    Vertx vertx = Vertx.builder().with(vo).withMetrics(new MicrometerMetricsFactory(metrics)).build();
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(cfg.pgPoolSize()))
        .connectingTo(PgUrls.options(pgUrl)).using(vertx).build();
    try {
      return boot(cfg, vertx, pool, embedded, metrics, t0);
    } catch (Exception e) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (embedded != null) {
        embedded.close();
      }
      throw e;
    }
  }

  private static AegisNode boot(AegisConfig cfg, Vertx vertx, Pool pool, EmbeddedPostgresServer embedded,
      PrometheusMeterRegistry metrics, long t0) throws Exception {
    PgIdentityStore identity = new PgIdentityStore(pool);
    PgRegistryStore registry = new PgRegistryStore(pool);
    PgKillSwitchStore killSwitches = new PgKillSwitchStore(pool);
    PgAuditStore audit = new PgAuditStore(pool);
    PasswordHasher passwords = new PasswordHasher();

    PgTokenStore tokenStore = new PgTokenStore(pool);
    RevocationList revocations = new RevocationList();
    revocations.load(await(tokenStore.liveRevocations()));
    TokenService tokens = tokens(identity, tokenStore, revocations);
    String seeded = seed(cfg, identity, passwords);

    LocalKillSwitchView view = new LocalKillSwitchView();
    Map<String, Boolean> switches = new HashMap<>();
    await(killSwitches.all()).forEach((k, v) -> switches.put(k.toString(), v.engaged()));
    view.load(switches);

    RateLimiter limiter;
    OnceStore once;
    CounterStore counters;
    InvalidationBus bus;
    java.util.function.Consumer<Runnable> resubscribed = r -> { };
    java.util.function.Supplier<Future<Void>> subscribed = Future::succeededFuture;
    java.util.function.Supplier<Future<Void>> redisPing = null;
    if (cfg.redisUrl() != null) {
      RedisOptions ro = new RedisOptions().setConnectionString(cfg.redisUrl())
          .setMaxPoolSize(16).setMaxPoolWaiting(10_000);
      Redis redis = Redis.createClient(vertx, ro);
      RedisAPI api = RedisAPI.api(redis);
      await(api.ping(List.of()));
      limiter = new FailOpenRateLimiter(new RedisRateLimiter(api), new InProcessRateLimiter(), 250, 1);
      once = new RedisOnceStore(api);
      counters = new RedisCounterStore(api);
      RedisInvalidationBus redisBus = new RedisInvalidationBus(vertx, new RedisOptions(ro));
      bus = redisBus;
      resubscribed = redisBus::onResubscribed;
      subscribed = redisBus::whenSubscribed;
      redisPing = () -> api.ping(List.of()).mapEmpty();
      LOG.info("Redis connected; rate limits, replay windows and invalidations are shared");
    } else {
      limiter = new InProcessRateLimiter();
      once = new InProcessOnceStore();
      counters = new InProcessCounterStore();
      bus = new InProcessInvalidationBus(vertx);
    }
    CachedTenantDirectory tenants = new CachedTenantDirectory(identity, new CachedTenantDirectory.Defaults(
        cfg.tenantRps(), cfg.tenantBurst(), cfg.agentRps(), cfg.agentBurst()), 60_000);
    CachedAgentDirectory agents = new CachedAgentDirectory(registry, 60_000);
    bridgeInvalidations(vertx, bus, view, agents, tenants);
    // messages lost while the subscription was down: reload what they would have told us
    ApiKeyService apiKeys = new ApiKeyService(tokenStore, bus);
    KeyRotation rotation = new KeyRotation(tokenStore, tokens, bus);
    resubscribed.accept(() -> killSwitches.all().onSuccess(all -> {
      Map<String, Boolean> m = new HashMap<>();
      all.forEach((k, v) -> m.put(k.toString(), v.engaged()));
      view.load(m);
      agents.invalidateAll();
      tenants.invalidateAll();
      tokenStore.liveRevocations().onSuccess(revocations::load);
      apiKeys.invalidateAll();
      rotation.reload();
    }));

    EventBusAuditSink auditSink = new EventBusAuditSink(vertx, cfg.gateway().auditTimeoutMillis());
    Sessions sessions = new Sessions(identity, tokenStore, tokens, new ManagementAudit(auditSink), bus);
    vertx.setPeriodic(60_000, t -> revocations.sweep(System.currentTimeMillis() / 1000));

    PgEvidenceStore evidence = new PgEvidenceStore(pool);
    EvidenceKeys evidenceKeys = new EvidenceKeys(evidence);
    await(evidenceKeys.load());
    bus.subscribe(dev.aegis.verticles.http.KeyRoutes.EVIDENCE_KEYS_CHANNEL, m -> evidenceKeys.load());
    dev.aegis.verticles.policy.TenantPolicyRegistry tenantPolicies = new dev.aegis.verticles.policy.TenantPolicyRegistry(
        vertx, new dev.aegis.storage.pg.PgPolicyStore(pool), bus, dev.aegis.pipeline.rego.RegoCompiler::compile);
    await(tenantPolicies.start(dev.aegis.verticles.policy.TenantPolicyRegistry.REFRESH_MILLIS));
    resubscribed.accept(tenantPolicies::refresh);
    dev.aegis.verticles.policy.ShadowDecisionWriter shadowWriter = shadowWriter(vertx, pool, metrics);
    // ---- policy engine: local, or a remote OPA server (issue #5 item 7, AEGIS_POLICY_MODE) ----
    dev.aegis.pipeline.ports.PolicyEngine policy = cfg.remoteOpa() == null
        ? localRego(cfg, tenantPolicies, metrics, shadowWriter)
        : remoteOpa(vertx, cfg.remoteOpa(), tenantPolicies, metrics);
    // ---- end policy engine ----
    GatewayServices services = new GatewayServices(cfg.gateway(), pool, identity, registry,
        killSwitches, audit, evidence, evidenceKeys, tokenStore, tokens, apiKeys, new CompositeVerifier(tokens, apiKeys), sessions,
        rotation, once, counters, bus, passwords, view, tenants, agents, limiter,
        new VelocityBehaviorScorer(cfg.gateway().velocityPerMinute()),
        policy,
        new HttpToolExecutor(vertx, cfg.gateway().upstreams(), cfg.gateway().upstreamTimeoutMillis(),
            cfg.gateway().upstreamMaxConcurrent()),
        auditSink, metrics, new InferenceScanner(), new OutputRedactor(), redisPing, tenantPolicies);
    passwords.dummyHash();

    // no invalidation may be missed between startup and the first request
    try {
      subscribed.get().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.warn("Redis invalidation subscriptions not confirmed after 5 s; continuing (the bus keeps"
          + " retrying and reloads caches once subscribed)");
    }
    await(vertx.deployVerticle(new AuditWriterVerticle(audit, cfg.auditShards(), cfg.auditMaxBatch(),
        100_000, metrics, new CheckpointSigner(evidence, evidenceKeys))));
    await(vertx.deployVerticle(() -> new GatewayVerticle(services),
        new DeploymentOptions().setInstances(cfg.instances())));
    // ---- daily transparency roots (issue #4, docs/evidence.md "Daily transparency root") ----
    {
      String rootsDir = System.getenv("AEGIS_ROOTS_DIR");
      java.nio.file.Path publicRoots = rootsDir != null && !rootsDir.isBlank()
          ? java.nio.file.Path.of(rootsDir).toAbsolutePath() : cfg.dataDir().resolve("public-roots");
      new dev.aegis.verticles.evidence.RootScheduler(vertx, new dev.aegis.verticles.evidence.DailyRootService(
          new dev.aegis.storage.pg.PgRootStore(pool), new dev.aegis.verticles.evidence.ProofService(audit),
          evidenceKeys, java.time.Clock.systemUTC()),
          rootPublisher(vertx, publicRoots), evidenceKeys).start(30_000);
    }
    // ---- end daily transparency roots ----
    int port = cfg.gateway().port();
    LOG.info("Aegis ready on port {} in {} ms ({})", port, (System.nanoTime() - t0) / 1_000_000, cfg.describe());
    AegisNode node = new AegisNode(vertx, embedded, pool, port, seeded);
    node.services = services;
    node.shadowWriter = shadowWriter;
    return node;
  }

  /**
   * The local Rego engine (the default): the platform bundle shipped in the jar, compiled once
   * here, plus each tenant's live policy from the registry, behind the decision cache. A new
   * tenant revision frees that tenant's cached decisions at once (the revision is also part of
   * every key, so an old decision is never served).
   */
  private static dev.aegis.pipeline.ports.PolicyEngine localRego(AegisConfig cfg,
      dev.aegis.verticles.policy.TenantPolicyRegistry tenantPolicies, PrometheusMeterRegistry metrics,
      dev.aegis.pipeline.ports.ShadowRecorder shadows) {
    long t0 = System.nanoTime();
    dev.aegis.pipeline.rego.CompiledPolicy platform =
        dev.aegis.pipeline.rego.RegoCompiler.compile(dev.aegis.pipeline.policy.PlatformBundle.modules());
    io.vertx.core.json.JsonArray domains = new io.vertx.core.json.JsonArray();
    cfg.gateway().allowedEgressDomains().stream().sorted().forEach(domains::add);
    dev.aegis.pipeline.rego.Value data = dev.aegis.pipeline.rego.Values.fromJava(new io.vertx.core.json.JsonObject()
        .put("aegis", new io.vertx.core.json.JsonObject().put("config",
            new io.vertx.core.json.JsonObject().put("allowed_domains", domains))));
    dev.aegis.pipeline.policy.DecisionCache cache = new dev.aegis.pipeline.policy.DecisionCache(
        cfg.policyCacheMax(), java.time.Duration.ofMillis(Math.max(1, cfg.policyCacheTtlMillis())));
    dev.aegis.verticles.opa.DecisionCacheMetrics.bind(cache, metrics, "local");
    tenantPolicies.onChange(cache::invalidateTenant);
    LOG.info("Platform policy bundle {} compiled in {} ms", dev.aegis.pipeline.policy.PlatformBundle.revision(),
        (System.nanoTime() - t0) / 1_000_000);
    dev.aegis.verticles.runtime.RegoPolicyEngine engine = new dev.aegis.verticles.runtime.RegoPolicyEngine(platform,
        "platform-" + dev.aegis.pipeline.policy.PlatformBundle.revision(), data, tenantPolicies, cache,
        cfg.policyCacheTtlMillis() == 0 ? java.time.Duration.ZERO
            : java.time.Duration.ofMillis(cfg.policyCacheTtlMillis()),
        shadows, java.time.Clock.systemUTC());
    // warm up here, on the boot thread: class loading, built-in registration, regex compilation
    // and the first JIT passes would otherwise land on an event loop with the first requests
    long w0 = System.nanoTime();
    int warm = engine.warmUp(2_000);
    LOG.info("Platform policy warmed up: {} evaluations in {} ms", warm, (System.nanoTime() - w0) / 1_000_000);
    return engine;
  }

  /**
   * The shadow decision writer (stage 4's {@code ShadowRecorder}), its counters as metrics, and
   * the retention job: every hour (and once at start) rows older than
   * {@code AEGIS_SHADOW_RETENTION_DAYS} (default 30; 0 keeps everything) are deleted in chunks.
   */
  private static dev.aegis.verticles.policy.ShadowDecisionWriter shadowWriter(Vertx vertx, Pool pool,
      PrometheusMeterRegistry metrics) {
    dev.aegis.storage.pg.PgShadowDecisionStore store = new dev.aegis.storage.pg.PgShadowDecisionStore(pool);
    dev.aegis.verticles.policy.ShadowDecisionWriter w =
        new dev.aegis.verticles.policy.ShadowDecisionWriter(vertx, store::insert);
    io.micrometer.core.instrument.FunctionCounter.builder("aegis.shadow.decisions.written", w,
        dev.aegis.verticles.policy.ShadowDecisionWriter::written).register(metrics);
    io.micrometer.core.instrument.FunctionCounter.builder("aegis.shadow.decisions.dropped", w,
        dev.aegis.verticles.policy.ShadowDecisionWriter::dropped).register(metrics);
    io.micrometer.core.instrument.FunctionCounter.builder("aegis.shadow.decisions.failed", w,
        dev.aegis.verticles.policy.ShadowDecisionWriter::failed).register(metrics);
    int days = retentionDays(System.getenv("AEGIS_SHADOW_RETENTION_DAYS"));
    if (days > 0) {
      Runnable purge = () -> purgeShadow(store, days);
      vertx.setTimer(60_000, t -> purge.run());
      vertx.setPeriodic(3_600_000, t -> purge.run());
    }
    return w;
  }

  static int retentionDays(String v) {
    if (v == null || v.isBlank()) {
      return 30;
    }
    try {
      return Math.max(0, Integer.parseInt(v.trim()));
    } catch (NumberFormatException e) {
      LOG.warn("AEGIS_SHADOW_RETENTION_DAYS={} is not a number; keeping 30 days", v);
      return 30;
    }
  }

  private static void purgeShadow(dev.aegis.storage.pg.PgShadowDecisionStore store, int days) {
    java.time.OffsetDateTime cutoff = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusDays(days);
    store.deleteOlderThan(cutoff, 10_000).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("Shadow decision retention failed: {}", String.valueOf(ar.cause()));
      } else if (ar.result() == 10_000) {
        purgeShadow(store, days);
      }
    });
  }

  /**
   * The remote OPA engine (AEGIS_POLICY_MODE=remote). Decisions are cached per tenant revision;
   * the warm-up result is only logged: while OPA is down, stage 4 fails closed.
   */
  private static dev.aegis.pipeline.ports.PolicyEngine remoteOpa(Vertx vertx,
      dev.aegis.verticles.opa.RemoteOpaConfig opa, dev.aegis.pipeline.ports.TenantPolicySource tenantPolicies,
      PrometheusMeterRegistry metrics) {
    dev.aegis.verticles.opa.RemoteOpaPolicyEngine engine = new dev.aegis.verticles.opa.RemoteOpaPolicyEngine(
        vertx, opa, tenant -> {
          dev.aegis.pipeline.ports.TenantPolicySource.TenantPolicy p = tenantPolicies.active(tenant);
          return p == null ? "none" : p.revision();
        }, metrics);
    engine.warmUp().onComplete(ar -> {
      if (ar.succeeded()) {
        LOG.info("Policy mode remote: OPA at {} is healthy", opa.url());
      } else {
        LOG.warn("Policy mode remote: OPA at {} is not healthy yet ({}); /execute fails closed until it is",
            opa.url(), ar.cause().getMessage());
      }
    });
    return engine;
  }

  /**
   * Vert.x's own metrics: JVM, event bus, pools. Per-request HTTP server metrics cost a meter
   * lookup with tag merging on every request (visible in profiles), and the pipeline already
   * reports per-stage timers and decisions, so they are off unless {@code AEGIS_HTTP_METRICS=true}.
   */
  private static MicrometerMetricsOptions vertxMetrics() {
    MicrometerMetricsOptions o = new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true);
    if (!"true".equalsIgnoreCase(System.getenv("AEGIS_HTTP_METRICS"))) {
      o.addDisabledMetricsCategory(io.vertx.micrometer.MetricsDomain.HTTP_SERVER)
          .addDisabledMetricsCategory(io.vertx.micrometer.MetricsDomain.NET_SERVER);
    }
    return o;
  }

  /**
   * Where daily roots are published: S3 when {@code AEGIS_ROOTS_S3_BUCKET} is set (with
   * {@code AEGIS_ROOTS_S3_PREFIX}, {@code AEGIS_ROOTS_S3_REGION} (us-east-1) and, for
   * S3-compatible stores, {@code AEGIS_ROOTS_S3_ENDPOINT}), else a local directory.
   */
  private static dev.aegis.verticles.evidence.RootPublisher rootPublisher(Vertx vertx, java.nio.file.Path dir) {
    String bucket = System.getenv("AEGIS_ROOTS_S3_BUCKET");
    if (bucket == null || bucket.isBlank()) {
      return new dev.aegis.verticles.evidence.LocalRootPublisher(vertx, dir);
    }
    String region = System.getenv().getOrDefault("AEGIS_ROOTS_S3_REGION", "us-east-1");
    String endpoint = System.getenv("AEGIS_ROOTS_S3_ENDPOINT");
    return new dev.aegis.verticles.evidence.S3RootPublisher(vertx, bucket.trim(),
        System.getenv().getOrDefault("AEGIS_ROOTS_S3_PREFIX", ""), region,
        endpoint == null || endpoint.isBlank() ? null : endpoint.trim());
  }

  /** Loads the signing keys, generating and storing the first one on first start. */
  private static TokenService tokens(PgIdentityStore identity, PgTokenStore store, RevocationList revocations)
      throws Exception {
    List<PgTokenStore.Key> keys = await(store.verifyingKeys());
    if (keys.stream().noneMatch(PgTokenStore.Key::active)) {
      TokenService.SigningKey k = TokenService.generate();
      await(identity.insertSigningKey(new PgIdentityStore.SigningKey(k.kid(), "ES256",
          k.privateKey().getEncoded(), k.publicKey().getEncoded())));
      keys = await(store.verifyingKeys());
    }
    TokenService.SigningKey active = null;
    List<TokenService.SigningKey> verify = new ArrayList<>();
    for (PgTokenStore.Key k : keys) {
      TokenService.SigningKey d = TokenService.decode(k.kid(), k.privateKey(), k.publicKey());
      if (k.active() && active == null) {
        active = d;
      } else {
        verify.add(d);
      }
    }
    return new TokenService(active, verify, 900, revocations);
  }

  /**
   * Forwards the local change events of the management routes to the invalidation bus, and applies
   * bus messages (from this or any other process) to the caches.
   */
  private static void bridgeInvalidations(Vertx vertx, InvalidationBus bus, LocalKillSwitchView view,
      CachedAgentDirectory agents, CachedTenantDirectory tenants) {
    vertx.eventBus().<JsonObject>localConsumer(Addresses.INVALIDATE_KILLSWITCH, m -> bus.publish("killswitch", m.body()));
    vertx.eventBus().<JsonObject>localConsumer(Addresses.INVALIDATE_AGENT, m -> bus.publish("agent", m.body()));
    vertx.eventBus().<JsonObject>localConsumer(Addresses.INVALIDATE_TENANT, m -> bus.publish("tenant", m.body()));
    bus.subscribe("killswitch", m -> {
      String t = m.getString("tenant_id");
      if (t != null) {
        view.set(t, Boolean.TRUE.equals(m.getBoolean("engaged")));
      }
    });
    bus.subscribe("agent", m -> agents.invalidate(m.getString("tenant_id"), m.getString("agent_id")));
    bus.subscribe("tenant", m -> tenants.invalidate(m.getString("tenant_id")));
  }

  /** Seeds the demo tenant and platform admin once; returns a generated password or null. */
  private static String seed(AegisConfig cfg, PgIdentityStore identity, PasswordHasher passwords) throws Exception {
    UUID tenant = UUID.fromString(DEMO_TENANT);
    await(identity.ensureTenant(tenant, "Demo tenant", "enterprise"));
    if (await(identity.userByEmail(ADMIN_EMAIL)) != null) {
      return null;
    }
    String password = cfg.adminPassword();
    String generated = null;
    if (password == null) {
      byte[] raw = new byte[18];
      new SecureRandom().nextBytes(raw);
      password = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
      generated = password;
    }
    await(identity.insertUser(new PgIdentityStore.User(UUID.randomUUID(), tenant, ADMIN_EMAIL,
        passwords.hash(password), "ADMIN", "Platform admin", true, true)));
    return generated == null ? "" : generated;
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    try {
      if (shadowWriter != null) {
        try {
          shadowWriter.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          LOG.warn("Pending shadow decisions not written at stop: {}", String.valueOf(e));
        }
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }
}
