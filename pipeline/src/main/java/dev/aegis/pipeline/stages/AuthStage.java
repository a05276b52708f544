package dev.aegis.pipeline.stages;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.Stage;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.audit.AuditChain;
import dev.aegis.pipeline.ports.OnceStore;
import dev.aegis.pipeline.ports.Principal;
import dev.aegis.pipeline.ports.TenantDirectory;
import dev.aegis.pipeline.ports.TokenVerifier;
import io.vertx.core.Future;

/**
 * Stage 1 for {@code /execute}: verifies the bearer credential, checks that an {@code X-Tenant-ID}
 * header (when sent) equals the credential's tenant, applies the role gate (only {@code agent},
 * ADMIN and SECURITY may execute), binds the agent (an agent token's agent must equal
 * {@code X-Agent-ID}), refuses replays and loads the tenant's settings. The tenant is taken only
 * from the verified credential.
 *
 * <p>Replay window: the same credential sending the same action (tool and arguments) again within
 * {@code replayWindowMillis} is refused with 429 {@code replay_detected}. The original keyed the
 * window on the token id alone, which caps every token at one call per window; binding it to the
 * action stops a captured request from being replayed without throttling busy agents. A window of
 * 0 turns the check off.
 */
public final class AuthStage implements Stage {

  private final TokenVerifier verifier;
  private final TenantDirectory tenants;
  private final OnceStore replays;
  private final long replayWindowMillis;

  public AuthStage(TokenVerifier verifier, TenantDirectory tenants) {
    this(verifier, tenants, null, 0);
  }

  /**
   * @param replays remembers recent (credential, action) pairs; may be null when the window is 0
   * @param replayWindowMillis the replay window (SPEC: 1 s); 0 disables it
   */
  public AuthStage(TokenVerifier verifier, TenantDirectory tenants, OnceStore replays, long replayWindowMillis) {
    this.verifier = verifier;
    this.tenants = tenants;
    this.replays = replays;
    this.replayWindowMillis = replayWindowMillis;
  }

  @Override
  public StageId id() {
    return StageId.AUTH;
  }

  @Override
  public Future<Verdict> apply(RequestContext ctx) {
    String token = bearer(ctx.authorization());
    if (token == null) {
      return Future.succeededFuture(Verdict.deny(401, ctx.authorization() == null
          ? "missing_credentials" : "invalid_token", "A Bearer credential is required"));
    }
    return verifier.verify(token).transform(ar -> {
      if (ar.failed()) {
        if (ar.cause() instanceof TokenVerifier.AuthFailure af) {
          return Future.succeededFuture(Verdict.deny(401, af.key(), af.getMessage()));
        }
        return Future.failedFuture(ar.cause());
      }
      Principal p = ar.result();
      Verdict.Respond refused = gate(p, ctx);
      if (refused != null) {
        return Future.succeededFuture(refused);
      }
      return tenants.settings(p.tenantId()).compose(settings -> {
        if (settings == null) {
          // no principal bound: an unknown or disabled tenant gets no audit row
          return Future.succeededFuture(Verdict.deny(403, "tenant_inactive",
              "The tenant does not exist or is disabled"));
        }
        ctx.principal(p);
        ctx.tenant(settings);
        if (replayWindowMillis <= 0 || replays == null) {
          return Future.succeededFuture(Verdict.proceed());
        }
        String key = "replay:" + (p.tokenId() != null ? p.tokenId() : p.subject()) + ":"
            + AuditChain.sha256Hex(ctx.tool() + "\n" + ctx.agentHeader() + "\n" + ctx.actionText());
        return replays.firstUse(key, replayWindowMillis).map(first -> first ? Verdict.proceed()
            : Verdict.deny(429, "replay_detected",
                "The same request was already sent with this credential; send a new request")
                .withExtra("limit_type", "replay_window")
                .withExtra("retry_after", replayWindowMillis / 1000.0)
                .withHeader("Retry-After", Long.toString(Math.max(1, (replayWindowMillis + 999) / 1000))));
      });
    });
  }

  private static Verdict.Respond gate(Principal p, RequestContext ctx) {
    if (ctx.tenantHeader() != null && !ctx.tenantHeader().equals(p.tenantId())) {
      return Verdict.deny(403, "tenant_mismatch", "X-Tenant-ID does not match the credential's tenant");
    }
    if (!(p.isAgent() || p.canWrite())) {
      return Verdict.deny(403, "insufficient_role", "Executing actions requires the agent, ADMIN or SECURITY role");
    }
    if (!p.allows(Principal.Scopes.EXECUTE)) {
      return Verdict.deny(403, "insufficient_scope", "This API key lacks the execute scope");
    }
    if (p.isAgent() && p.agentId() != null && ctx.agentHeader() != null
        && !p.agentId().equals(ctx.agentHeader())) {
      return Verdict.deny(403, "agent_mismatch", "X-Agent-ID does not match the agent credential");
    }
    if (p.agentId() == null && (ctx.agentHeader() == null || ctx.agentHeader().isBlank())) {
      return Verdict.deny(400, "missing_agent_id", "The X-Agent-ID header is required on /execute");
    }
    return null;
  }

  /** @return the token of a {@code Bearer} header, or null */
  static String bearer(String header) {
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String t = header.substring(7).trim();
    return t.isEmpty() ? null : t;
  }
}
