package dev.aegis.verticles.http;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.verticles.gateway.GatewayServices;
import dev.aegis.verticles.identity.ApiKeyService;
import dev.aegis.verticles.identity.TokenService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;

/**
 * Login and token lifecycle: {@code POST /auth/token} (user login, rate limited against brute
 * force), {@code /auth/refresh}, {@code /auth/logout}, {@code /auth/revoke}, {@code /auth/introspect},
 * {@code /.well-known/jwks.json}; agent credentials: {@code POST /auth/credentials} (issue or rotate,
 * shown once), {@code DELETE /auth/credentials/{agent_id}}, {@code POST /auth/agent/token}.
 */
public final class AuthRoutes {

  /** Failed logins per account (and per IP) in a 15-minute window before 429. */
  public static final int MAX_FAILURES_PER_ACCOUNT = 5;
  public static final int MAX_FAILURES_PER_IP = 20;
  public static final long FAILURE_WINDOW_MILLIS = 15 * 60_000L;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final GatewayServices s;
  private final ManagementAuth auth;
  private final ManagementAudit audit;

  public AuthRoutes(Vertx vertx, GatewayServices s, ManagementAuth auth, ManagementAudit audit) {
    this.vertx = vertx;
    this.s = s;
    this.auth = auth;
    this.audit = audit;
  }

  public void mount(Router router) {
    router.post("/auth/token").handler(this::login);
    router.post("/auth/login").handler(this::login);
    router.post("/auth/refresh").handler(this::refresh);
    router.post("/auth/logout").handler(auth.require(ManagementAuth.ANYONE)).handler(this::logout);
    router.post("/auth/revoke").handler(auth.require(ManagementAuth.ANYONE)).handler(this::revoke);
    router.post("/auth/introspect").handler(auth.require(ManagementAuth.ANYONE)).handler(this::introspect);
    router.get("/.well-known/jwks.json").handler(rc -> rc.response()
        .putHeader("content-type", "application/jwk-set+json").putHeader("cache-control", "max-age=60")
        .end(s.tokens().jwks().toBuffer()));
    router.post("/auth/agent/token").handler(this::agentLogin);
    router.post("/auth/credentials").handler(auth.require(ManagementAuth.WRITERS)).handler(this::credentials);
    router.delete("/auth/credentials/:agentId").handler(auth.require(ManagementAuth.WRITERS))
        .handler(this::revokeCredential);
  }

  // ------------------------------------------------------------------ user login

  private void login(RoutingContext rc) {
    JsonObject b = Bodies.json(rc);
    String email;
    String password;
    try {
      email = Bodies.requiredString(b, "email", 320).trim().toLowerCase(Locale.ROOT);
      password = Bodies.requiredString(b, "password", 1024);
    } catch (ApiError e) {
      Envelope.fail(rc, e);
      return;
    }
    String ip = rc.request().remoteAddress() == null ? "unknown" : rc.request().remoteAddress().hostAddress();
    String acctKey = "login:acct:" + email;
    String ipKey = "login:ip:" + ip;
    String tenantHeader = rc.request().getHeader("X-Tenant-ID");
    Future<JsonObject> f = Future.all(s.counters().get(acctKey), s.counters().get(ipKey)).compose(cf -> {
      long acct = cf.resultAt(0);
      long byIp = cf.resultAt(1);
      if (acct >= MAX_FAILURES_PER_ACCOUNT || byIp >= MAX_FAILURES_PER_IP) {
        rc.response().putHeader("Retry-After", Long.toString(FAILURE_WINDOW_MILLIS / 1000));
        return Future.failedFuture(new ApiError(429, "too_many_attempts",
            "Too many failed logins; try again later"));
      }
      return s.identity().userByEmail(email).compose(user -> {
        String hash = user == null ? s.passwords().dummyHash() : user.passwordHash();
        return vertx.executeBlocking(() -> s.passwords().verify(password, hash), false).compose(ok -> {
          if (!ok || user == null || !user.active()
              || (tenantHeader != null && !tenantHeader.equals(user.tenantId().toString()))) {
            return Future.all(s.counters().increment(acctKey, FAILURE_WINDOW_MILLIS),
                    s.counters().increment(ipKey, FAILURE_WINDOW_MILLIS))
                .transform(ar -> Future.failedFuture(new ApiError(401, "invalid_credentials",
                    "Invalid credentials or tenant mismatch")));
          }
          return s.tenants().settings(user.tenantId().toString()).compose(t -> t == null
              ? Future.failedFuture(new ApiError(403, "tenant_inactive", "The tenant is disabled"))
              : s.counters().reset(acctKey).compose(v -> s.sessions().open(rc, user, "password")));
        });
      });
    });
    Envelope.reply(rc, 200, f);
  }

  private void refresh(RoutingContext rc) {
    Future<JsonObject> f;
    try {
      String token = Bodies.requiredString(Bodies.json(rc), "refresh_token", 256);
      f = s.sessions().refresh(rc, token);
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private void logout(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    if (p.tokenId() == null) {
      Envelope.error(rc, 400, "not_a_session", "API keys have no session; revoke the key instead");
      return;
    }
    Envelope.reply(rc, 200, s.sessions().logout(p, rc.get(ManagementAuth.TOKEN))
        .compose(v -> audit.record(rc, p, p.tenantId(), "token_revoked", "allow", "logout", null))
        .map(r -> new JsonObject().put("logged_out", true)));
  }

  /**
   * Revokes a token given as {@code token} (any caller may revoke a token of their own tenant; a
   * foreign or unknown token is 404) or a {@code jti} (ADMIN and SECURITY).
   */
  private void revoke(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      JsonObject b = Bodies.json(rc);
      String token = Bodies.optionalString(b, "token", TokenService.MAX_TOKEN_CHARS);
      String jti = Bodies.optionalString(b, "jti", 64);
      UUID tenant = UUID.fromString(p.tenantId());
      Future<String> revoked;
      if ((token == null) == (jti == null)) {
        throw ApiError.badRequest("validation_error", "Send exactly one of 'token' or 'jti'");
      }
      if (token != null) {
        Principal target = s.tokens().inspect(token);
        if (target == null || !target.tenantId().equals(p.tenantId())) {
          throw ApiError.notFound("token");
        }
        if (!target.subject().equals(p.subject()) && !p.canWrite()) {
          throw ApiError.forbidden("insufficient_role", "Only ADMIN or SECURITY may revoke another caller's token");
        }
        revoked = s.sessions().revokeJti(target.tokenId(), tenant, target.expiresAtEpochSeconds(), p.subject(),
            "revoke").map(v -> target.tokenId());
      } else {
        if (!p.canWrite()) {
          throw ApiError.forbidden("insufficient_role", "Revoking by jti requires ADMIN or SECURITY");
        }
        Bodies.uuid(jti, "jti", false);
        revoked = s.sessions().revokeJti(jti, tenant, 0, p.subject(), "revoke").map(v -> jti);
      }
      f = revoked.compose(id -> audit.record(rc, p, p.tenantId(), "token_revoked", "allow", "revoke",
          new JsonObject().put("jti", id)).map(r -> new JsonObject().put("revoked", true).put("jti", id)));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  /** RFC 7662-style introspection of a token of the caller's tenant ({@code active:false} otherwise). */
  private void introspect(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    String token;
    try {
      token = Bodies.requiredString(Bodies.json(rc), "token", TokenService.MAX_TOKEN_CHARS);
    } catch (ApiError e) {
      Envelope.fail(rc, e);
      return;
    }
    s.verifier().verify(token).onComplete(ar -> {
      JsonObject out = new JsonObject().put("active", false);
      if (ar.succeeded() && ar.result().tenantId().equals(p.tenantId())) {
        Principal t = ar.result();
        out.put("active", true).put("sub", t.subject()).put("tenant_id", t.tenantId())
            .put("role", t.role()).put("agent_id", t.agentId()).put("jti", t.tokenId())
            .put("exp", t.expiresAtEpochSeconds()).put("token_type",
                token.startsWith(ApiKeyService.PREFIX) ? "api_key" : "access_token");
        if (!t.scopes().isEmpty()) {
          out.put("scope", String.join(" ", t.scopes()));
        }
      }
      Envelope.ok(rc, 200, out);
    });
  }

  // ------------------------------------------------------------------ agent credentials

  private void agentLogin(RoutingContext rc) {
    Future<JsonObject> f;
    try {
      JsonObject b = Bodies.json(rc);
      UUID agentId = Bodies.uuid(Bodies.requiredString(b, "agent_id", 64), "agent_id", false);
      String secret = Bodies.requiredString(b, "secret", 256);
      String tenantHeader = rc.request().getHeader("X-Tenant-ID");
      f = s.identity().credential(agentId).compose(cred -> {
        boolean ok = cred != null && !cred.revoked()
            && MessageDigest.isEqual(cred.secretHash().getBytes(StandardCharsets.US_ASCII),
                TokenService.secretHash(secret).getBytes(StandardCharsets.US_ASCII))
            && (tenantHeader == null || tenantHeader.equals(cred.tenantId().toString()));
        if (!ok) {
          return Future.failedFuture(new ApiError(401, "invalid_credentials", "Invalid agent credentials"));
        }
        return s.registry().agent(cred.tenantId(), agentId).compose(agent -> {
          if (agent == null) {
            return Future.failedFuture(new ApiError(401, "invalid_credentials", "Invalid agent credentials"));
          }
          String tenant = cred.tenantId().toString();
          String token = s.tokens().issue(agentId.toString(), tenant, Principal.Roles.AGENT,
              agentId.toString(), false, dev.aegis.verticles.identity.Sessions.agentFamily(agentId, cred.secretHash()));
          Principal p = new Principal(agentId.toString(), tenant, Principal.Roles.AGENT,
              agentId.toString(), null, 0, false);
          return audit.record(rc, p, tenant, "agent_login", "allow", "agent_secret", null)
              .map(r -> new JsonObject().put("access_token", token).put("token_type", "bearer")
                  .put("expires_in", s.tokens().ttlSeconds()).put("tenant_id", tenant)
                  .put("agent_id", agentId.toString()).put("role", Principal.Roles.AGENT));
        });
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private void credentials(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      UUID agentId = Bodies.uuid(Bodies.requiredString(Bodies.json(rc), "agent_id", 64), "agent_id", false);
      UUID tenant = UUID.fromString(p.tenantId());
      f = s.registry().agent(tenant, agentId).compose(agent -> {
        if (agent == null) {
          return Future.failedFuture(ApiError.notFound("agent"));
        }
        return s.identity().credential(agentId);
      }).compose(old -> {
        // rotating the secret revokes every token issued with the old one
        if (old == null || !old.tenantId().equals(tenant)) {
          return Future.succeededFuture();
        }
        return s.sessions().revokeTokenFamily(dev.aegis.verticles.identity.Sessions.agentFamily(agentId,
            old.secretHash()), tenant, p.subject(), "credential_rotated");
      }).compose(v -> {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String secret = "acs_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        return s.identity().upsertCredential(agentId, tenant, TokenService.secretHash(secret))
            .compose(stored -> {
              if (!stored) {
                return Future.failedFuture(ApiError.notFound("agent"));
              }
              return audit.record(rc, p, p.tenantId(), "credential_issued", "allow", null,
                  new JsonObject().put("agent_id", agentId.toString()));
            })
            .map(r -> new JsonObject().put("agent_id", agentId.toString()).put("secret", secret)
                .put("note", "The secret is shown once; store it now. Issuing again rotates it."));
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 201, f);
  }

  /** Revokes an agent's secret and every agent token issued with it. */
  private void revokeCredential(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      UUID agentId = Bodies.uuid(rc.pathParam("agentId"), "credential", true);
      UUID tenant = UUID.fromString(p.tenantId());
      f = s.tokenStore().revokeCredential(tenant, agentId).compose(hash -> {
        if (hash == null) {
          return Future.failedFuture(ApiError.notFound("credential"));
        }
        return s.sessions().revokeTokenFamily(dev.aegis.verticles.identity.Sessions.agentFamily(agentId, hash),
            tenant, p.subject(), "credential_revoked").compose(v -> audit.record(rc, p, p.tenantId(), "credential_revoked", "allow", null,
            new JsonObject().put("agent_id", agentId.toString())))
            .map(r -> new JsonObject().put("agent_id", agentId.toString()).put("revoked", true));
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }
}
