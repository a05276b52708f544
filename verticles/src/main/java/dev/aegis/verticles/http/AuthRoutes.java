package dev.aegis.verticles.http;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.storage.pg.PgIdentityStore;
import dev.aegis.verticles.gateway.GatewayServices;
import dev.aegis.verticles.identity.TokenService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * {@code POST /auth/token} (user login), {@code POST /auth/agent/token} (agent login) and
 * {@code POST /auth/credentials} (issue or rotate an agent secret, shown once).
 */
public final class AuthRoutes {

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
    router.post("/auth/agent/token").handler(this::agentLogin);
    router.post("/auth/credentials").handler(auth.require(ManagementAuth.WRITERS)).handler(this::credentials);
  }

  private void login(RoutingContext rc) {
    JsonObject b = Bodies.json(rc);
    String email;
    String password;
    try {
      email = Bodies.requiredString(b, "email", 320);
      password = Bodies.requiredString(b, "password", 1024);
    } catch (ApiError e) {
      Envelope.fail(rc, e);
      return;
    }
    String tenantHeader = rc.request().getHeader("X-Tenant-ID");
    Future<JsonObject> f = s.identity().userByEmail(email).compose(user -> {
      String hash = user == null ? s.passwords().dummyHash() : user.passwordHash();
      return vertx.executeBlocking(() -> s.passwords().verify(password, hash), false)
          .compose(ok -> {
            if (!ok || user == null || !user.active()
                || (tenantHeader != null && !tenantHeader.equals(user.tenantId().toString()))) {
              return Future.failedFuture(new ApiError(401, "invalid_credentials",
                  "Invalid credentials or tenant mismatch"));
            }
            return issueUserToken(rc, user);
          });
    });
    Envelope.reply(rc, 200, f);
  }

  private Future<JsonObject> issueUserToken(RoutingContext rc, PgIdentityStore.User user) {
    String tenant = user.tenantId().toString();
    String token = s.tokens().issue(user.id().toString(), tenant, user.role(), null, user.platformAdmin());
    Principal p = new Principal(user.id().toString(), tenant, user.role(), null, null, 0, user.platformAdmin());
    return s.identity().touchLogin(user.id())
        .compose(v -> audit.record(rc, p, tenant, "user_login", "allow", "password", null))
        .map(r -> new JsonObject().put("access_token", token).put("token_type", "bearer")
            .put("expires_in", s.tokens().ttlSeconds()).put("tenant_id", tenant)
            .put("role", user.role()).put("user_id", user.id().toString()));
  }

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
              agentId.toString(), false);
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
                .put("note", "The secret is shown once; store it now."));
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 201, f);
  }
}
