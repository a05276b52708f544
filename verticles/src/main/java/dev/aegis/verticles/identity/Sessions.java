package dev.aegis.verticles.identity;

import dev.aegis.pipeline.ports.InvalidationBus;
import dev.aegis.pipeline.ports.Principal;
import dev.aegis.storage.pg.PgIdentityStore;
import dev.aegis.storage.pg.PgTokenStore;
import dev.aegis.verticles.http.ApiError;
import dev.aegis.verticles.http.ManagementAudit;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;

/**
 * User sessions: a login opens a refresh-token family and returns an access token (15 min) and a
 * refresh token (opaque {@code art_...}, 30 days, single use). Each refresh rotates the refresh
 * token; presenting a used one again is treated as theft and revokes the whole family, including
 * access tokens issued from it ({@code fam} claim). Revocations are stored, applied to this
 * process at once and published on the invalidation bus (channel {@value #REVOCATION_CHANNEL}) so
 * every gateway applies them within the bus latency.
 */
public final class Sessions {

  public static final String REVOCATION_CHANNEL = "revocation";
  public static final long REFRESH_TTL_SECONDS = 30L * 24 * 3600;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PgIdentityStore identity;
  private final PgTokenStore tokens;
  private final TokenService jwt;
  private final ManagementAudit audit;
  private final InvalidationBus bus;

  public Sessions(PgIdentityStore identity, PgTokenStore tokens, TokenService jwt, ManagementAudit audit,
      InvalidationBus bus) {
    this.identity = identity;
    this.tokens = tokens;
    this.jwt = jwt;
    this.audit = audit;
    this.bus = bus;
    bus.subscribe(REVOCATION_CHANNEL, this::onRevocation);
  }

  /** Opens a session for an authenticated user ({@code method}: password, sso:google...). */
  public Future<JsonObject> open(RoutingContext rc, PgIdentityStore.User user, String method) {
    UUID family = UUID.randomUUID();
    Principal p = new Principal(user.id().toString(), user.tenantId().toString(), user.role(), null,
        null, 0, user.platformAdmin());
    return issuePair(user, family)
        .compose(pair -> identity.touchLogin(user.id())
            .compose(v -> audit.record(rc, p, user.tenantId().toString(), "user_login", "allow", method,
                new JsonObject().put("family", family.toString())))
            .map(r -> pair));
  }

  /** Rotates a refresh token: a fresh pair in the same family, or reuse detection. */
  public Future<JsonObject> refresh(RoutingContext rc, String refreshToken) {
    if (refreshToken == null || !refreshToken.startsWith("art_") || refreshToken.length() > 200) {
      return Future.failedFuture(new ApiError(401, "invalid_refresh_token", "Unknown refresh token"));
    }
    return tokens.use(TokenService.secretHash(refreshToken)).compose(r -> {
      if (r == null || (!r.used() && !r.revoked() && r.expiresAt() != null)) {
        // unknown, or expired without having been used
        return Future.failedFuture(new ApiError(401, "invalid_refresh_token", "Unknown or expired refresh token"));
      }
      if (r.used() || r.revoked()) {
        Principal p = new Principal(r.userId().toString(), r.tenantId().toString(), "VIEWER", null, null, 0, false);
        return revokeFamily(r.familyId().toString(), r.tenantId(), "system", "refresh_token_reuse")
            .compose(v -> audit.record(rc, p, r.tenantId().toString(), "token_revoked", "deny",
                "refresh_token_reuse", new JsonObject().put("family", r.familyId().toString())))
            .transform(ar -> Future.failedFuture(new ApiError(401, "refresh_token_reused",
                "This refresh token was already used; the session has been revoked")));
      }
      return identity.userById(r.tenantId(), r.userId()).compose(user -> {
        if (user == null || !user.active()) {
          return Future.failedFuture(new ApiError(401, "invalid_refresh_token", "The user is disabled"));
        }
        return issuePair(user, r.familyId());
      });
    });
  }

  /** Ends the caller's session: its family (when it has one) and its own token id. */
  public Future<Void> logout(Principal p, String accessToken) {
    String family = jwt.familyOf(accessToken);
    UUID tenant = UUID.fromString(p.tenantId());
    Future<Void> f = revokeJti(p.tokenId(), tenant, p.expiresAtEpochSeconds(), p.subject(), "logout");
    if (family != null && !family.startsWith("agent:")) {
      // a user session: end the refresh family too (an agent's family is its credential: logging
      // out one agent token must not revoke the others)
      f = f.compose(v -> revokeFamily(family, tenant, p.subject(), "logout"));
    }
    return f;
  }

  /** Revokes one access token id until {@code expiresAt} (epoch seconds). */
  public Future<Void> revokeJti(String jti, UUID tenant, long expiresAt, String actor, String reason) {
    long exp = expiresAt > 0 ? expiresAt + 60 : System.currentTimeMillis() / 1000 + jwt.ttlSeconds() + 60;
    String id = RevocationList.jti(tenant.toString(), jti);
    jwt.revocations().add(id, exp);
    return tokens.revoke(id, tenant, "jti", OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(exp),
            ZoneOffset.UTC), actor, reason)
        .compose(v -> bus.publish(REVOCATION_CHANNEL, new JsonObject().put("id", id).put("expires_at", exp)));
  }

  /** Revokes a refresh family and every access token issued from it. */
  public Future<Void> revokeFamily(String family, UUID tenant, String actor, String reason) {
    return tokens.revokeFamily(UUID.fromString(family))
        .compose(v -> revokeTokenFamily(family, tenant, actor, reason));
  }

  /** Revokes every access token carrying this {@code fam} claim (sessions and agent credentials). */
  public Future<Void> revokeTokenFamily(String family, UUID tenant, String actor, String reason) {
    long exp = System.currentTimeMillis() / 1000 + jwt.ttlSeconds() + 60;
    String id = RevocationList.family(family);
    jwt.revocations().add(id, exp);
    return Future.<Void>succeededFuture()
        .compose(v -> tokens.revoke(id, tenant, "family", OffsetDateTime.ofInstant(
            java.time.Instant.ofEpochSecond(exp), ZoneOffset.UTC), actor, reason))
        .compose(v -> bus.publish(REVOCATION_CHANNEL, new JsonObject().put("id", id).put("expires_at", exp)));
  }

  /** Applies a revocation published by another process. */
  public void onRevocation(JsonObject msg) {
    String id = msg.getString("id");
    Long exp = msg.getLong("expires_at");
    if (id != null && exp != null) {
      jwt.revocations().add(id, exp);
    }
  }

  /** The token family of an agent credential: rotating or revoking the secret revokes its tokens. */
  public static String agentFamily(UUID agentId, String secretHash) {
    return "agent:" + agentId + ":" + secretHash.substring(0, 16);
  }

  private Future<JsonObject> issuePair(PgIdentityStore.User user, UUID family) {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String refresh = "art_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    String access = jwt.issue(user.id().toString(), user.tenantId().toString(), user.role(), null,
        user.platformAdmin(), family.toString());
    return tokens.insertRefresh(UUID.randomUUID(), family, user.tenantId(), user.id(),
            TokenService.secretHash(refresh), OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(REFRESH_TTL_SECONDS))
        .map(v -> new JsonObject().put("access_token", access).put("token_type", "bearer")
            .put("expires_in", jwt.ttlSeconds()).put("refresh_token", refresh)
            .put("refresh_expires_in", REFRESH_TTL_SECONDS).put("tenant_id", user.tenantId().toString())
            .put("role", user.role()).put("user_id", user.id().toString()));
  }
}
