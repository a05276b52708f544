package dev.aegis.verticles.gateway;

import dev.aegis.pipeline.ports.AuditSink;
import dev.aegis.pipeline.ports.BehaviorScorer;
import dev.aegis.pipeline.ports.PolicyEngine;
import dev.aegis.pipeline.ports.RateLimiter;
import dev.aegis.pipeline.ports.ToolExecutor;
import dev.aegis.storage.pg.PgAuditStore;
import dev.aegis.storage.pg.PgIdentityStore;
import dev.aegis.storage.pg.PgKillSwitchStore;
import dev.aegis.storage.pg.PgRegistryStore;
import dev.aegis.verticles.identity.PasswordHasher;
import dev.aegis.verticles.identity.TokenService;
import dev.aegis.verticles.runtime.CachedAgentDirectory;
import dev.aegis.verticles.runtime.CachedTenantDirectory;
import dev.aegis.verticles.runtime.LocalKillSwitchView;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.sqlclient.Pool;
import java.util.function.Supplier;

/**
 * The process-wide collaborators shared by every gateway verticle instance. Everything here is
 * thread safe; each verticle instance builds its own stages around them.
 */
public record GatewayServices(
    GatewayConfig config,
    Pool pool,
    PgIdentityStore identity,
    PgRegistryStore registry,
    PgKillSwitchStore killSwitches,
    PgAuditStore audit,
    dev.aegis.storage.pg.PgEvidenceStore evidence,
    dev.aegis.verticles.evidence.EvidenceKeys evidenceKeys,
    dev.aegis.storage.pg.PgTokenStore tokenStore,
    TokenService tokens,
    dev.aegis.verticles.identity.ApiKeyService apiKeys,
    dev.aegis.pipeline.ports.TokenVerifier verifier,
    dev.aegis.verticles.identity.Sessions sessions,
    dev.aegis.verticles.identity.KeyRotation keyRotation,
    dev.aegis.pipeline.ports.OnceStore once,
    dev.aegis.pipeline.ports.CounterStore counters,
    dev.aegis.pipeline.ports.InvalidationBus invalidations,
    PasswordHasher passwords,
    LocalKillSwitchView killSwitchView,
    CachedTenantDirectory tenants,
    CachedAgentDirectory agents,
    RateLimiter rateLimiter,
    BehaviorScorer behavior,
    PolicyEngine policy,
    ToolExecutor executor,
    AuditSink auditSink,
    PrometheusMeterRegistry metrics,
    dev.aegis.pipeline.detect.InferenceScanner scanner,
    dev.aegis.pipeline.detect.OutputRedactor redactor,
    Supplier<io.vertx.core.Future<Void>> redisPing,
    dev.aegis.verticles.policy.TenantPolicyRegistry tenantPolicies) {}
