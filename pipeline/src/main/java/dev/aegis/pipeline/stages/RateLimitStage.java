package dev.aegis.pipeline.stages;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.Stage;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.ports.RateLimiter;
import dev.aegis.pipeline.ports.TenantSettings;
import io.vertx.core.Future;

/**
 * Stage 2: a token bucket per tenant, then one per agent, with the tenant's rate and burst.
 * A refusal is 429 {@code rate_limited} with {@code limit_type} ({@code tenant_rps} or
 * {@code agent_rps}), {@code retry_after} (float seconds) and a {@code Retry-After} header
 * (whole seconds, at least 1).
 */
public final class RateLimitStage implements Stage {

  private final RateLimiter limiter;

  public RateLimitStage(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public StageId id() {
    return StageId.RATE_LIMIT;
  }

  @Override
  public Future<Verdict> apply(RequestContext ctx) {
    TenantSettings t = ctx.tenant();
    return limiter.tryAcquire("tenant:" + t.tenantId(), t.requestsPerSecond(), t.burst())
        .compose(tenant -> {
          if (!tenant.allowed()) {
            return Future.succeededFuture(limited("tenant_rps", tenant.retryAfterSeconds()));
          }
          return limiter.tryAcquire("agent:" + t.tenantId() + ":" + ctx.agentId(),
              t.agentRequestsPerSecond(), t.agentBurst())
              .map(agent -> agent.allowed() ? Verdict.proceed()
                  : limited("agent_rps", agent.retryAfterSeconds()));
        });
  }

  static Verdict limited(String limitType, double retryAfter) {
    double rounded = Math.round(retryAfter * 1000.0) / 1000.0;
    long header = Math.max(1, (long) Math.ceil(retryAfter));
    return Verdict.deny(429, "rate_limited", "Rate limit exceeded (" + limitType + ")")
        .withExtra("limit_type", limitType)
        .withExtra("retry_after", rounded)
        .withHeader("Retry-After", Long.toString(header));
  }
}
