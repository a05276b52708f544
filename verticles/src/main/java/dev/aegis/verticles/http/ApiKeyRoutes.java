package dev.aegis.verticles.http;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.verticles.gateway.GatewayServices;
import dev.aegis.verticles.identity.ApiKeyService;
import dev.aegis.verticles.identity.TokenService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * API keys: {@code POST /api-keys} (ADMIN; the key is shown once, stored as SHA-256),
 * {@code GET /api-keys}, {@code DELETE /api-keys/{id}} (revocation reaches every gateway through
 * the invalidation bus), {@code POST /api-keys/validate}. A key is usable as
 * {@code Authorization: Bearer} anywhere a token is, with its role and scopes.
 */
public final class ApiKeyRoutes {

  private static final Set<String> ROLES = Set.of("ADMIN", "SECURITY", "AUDITOR", "VIEWER", "agent");

  private final GatewayServices s;
  private final ManagementAuth auth;
  private final ManagementAudit audit;

  public ApiKeyRoutes(GatewayServices s, ManagementAuth auth, ManagementAudit audit) {
    this.s = s;
    this.auth = auth;
    this.audit = audit;
  }

  public void mount(Router router) {
    router.post("/api-keys/validate").handler(this::validate);
    router.post("/api-keys").handler(auth.require(Set.of(Principal.Roles.ADMIN))).handler(this::create);
    router.get("/api-keys").handler(auth.require(ManagementAuth.WRITERS)).handler(this::list);
    router.delete("/api-keys/:id").handler(auth.require(Set.of(Principal.Roles.ADMIN))).handler(this::revoke);
  }

  private void create(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      JsonObject b = Bodies.json(rc);
      for (String field : b.fieldNames()) {
        if (!Set.of("name", "role", "agent_id", "scopes", "expires_at").contains(field)) {
          throw ApiError.badRequest("validation_error", "'" + field + "' cannot be set on an API key");
        }
      }
      String name = Bodies.requiredString(b, "name", 200);
      String role = Bodies.optionalString(b, "role", 16);
      role = role == null ? "VIEWER" : role;
      if (!ROLES.contains(role)) {
        throw ApiError.badRequest("validation_error", "'role' must be one of " + ROLES);
      }
      UUID agentId = null;
      String agent = Bodies.optionalString(b, "agent_id", 64);
      if ("agent".equals(role) != (agent != null)) {
        throw ApiError.badRequest("validation_error", "'agent_id' is required for, and only for, role 'agent'");
      }
      if (agent != null) {
        agentId = Bodies.uuid(agent, "agent_id", false);
      }
      List<String> scopes = new ArrayList<>();
      Object sc = b.getValue("scopes");
      if (sc != null) {
        if (!(sc instanceof JsonArray arr)) {
          throw ApiError.badRequest("validation_error", "'scopes' must be an array");
        }
        for (Object o : arr) {
          if (!(o instanceof String str) || !Principal.Scopes.ALL.contains(str)) {
            throw ApiError.badRequest("validation_error", "scopes must be among " + Principal.Scopes.ALL);
          }
          scopes.add(str);
        }
      }
      if (!p.scopes().isEmpty() && (scopes.isEmpty() || !p.scopes().containsAll(scopes))) {
        // a scoped key may only mint keys with a subset of its own scopes
        throw ApiError.forbidden("insufficient_scope",
            "A scoped API key can only create keys limited to its own scopes " + p.scopes());
      }
      OffsetDateTime expires = null;
      String exp = Bodies.optionalString(b, "expires_at", 64);
      if (exp != null) {
        try {
          expires = OffsetDateTime.parse(exp);
        } catch (DateTimeParseException e) {
          throw ApiError.badRequest("validation_error", "'expires_at' must be an ISO-8601 timestamp with offset");
        }
        if (expires.isBefore(OffsetDateTime.now())) {
          throw ApiError.badRequest("validation_error", "'expires_at' is in the past");
        }
      }
      UUID tenant = UUID.fromString(p.tenantId());
      UUID id = UUID.randomUUID();
      String key = ApiKeyService.newKey();
      String keyRole = role;
      UUID keyAgent = agentId;
      OffsetDateTime keyExpires = expires;
      Future<Void> agentCheck = agentId == null ? Future.succeededFuture()
          : s.registry().agent(tenant, agentId).compose(a -> a == null
              ? Future.failedFuture(ApiError.notFound("agent")) : Future.succeededFuture());
      f = agentCheck.compose(v -> s.tokenStore().insertApiKey(id, tenant, name, ApiKeyService.prefixOf(key),
              TokenService.secretHash(key), keyRole, keyAgent, scopes, p.subject(), keyExpires))
          .compose(v -> audit.record(rc, p, p.tenantId(), "api_key_created", "allow", null,
              new JsonObject().put("api_key_id", id.toString()).put("role", keyRole)))
          .map(r -> new JsonObject().put("id", id.toString()).put("key", key).put("name", name)
              .put("prefix", ApiKeyService.prefixOf(key)).put("role", keyRole)
              .put("agent_id", keyAgent == null ? null : keyAgent.toString())
              .put("scopes", new JsonArray(scopes))
              .put("note", "The key is shown once; store it now."));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 201, f);
  }

  private void list(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      int limit = Bodies.intParam(rc, "limit", 100, 1, 1000);
      int offset = Bodies.intParam(rc, "offset", 0, 0, Integer.MAX_VALUE);
      f = s.tokenStore().apiKeys(UUID.fromString(p.tenantId()), limit, offset).map(keys -> {
        JsonArray items = new JsonArray();
        keys.forEach(k -> items.add(k.toJson()));
        return new JsonObject().put("items", items).put("limit", limit).put("offset", offset);
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private void revoke(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      UUID id = Bodies.uuid(rc.pathParam("id"), "api key", true);
      f = s.tokenStore().revokeApiKey(UUID.fromString(p.tenantId()), id).compose(hash -> {
        if (hash == null) {
          return Future.failedFuture(ApiError.notFound("api key"));
        }
        Future<Void> inv = hash.isEmpty() ? Future.succeededFuture() : s.apiKeys().invalidate(hash);
        return inv.compose(v -> audit.record(rc, p, p.tenantId(), "api_key_revoked", "allow", null,
            new JsonObject().put("api_key_id", id.toString())))
            .map(r -> new JsonObject().put("id", id.toString()).put("revoked", true));
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  /** {@code {key}} → {@code {valid, tenant_id, role, scopes}}; never says why a key is invalid. */
  private void validate(RoutingContext rc) {
    String key;
    try {
      key = Bodies.requiredString(Bodies.json(rc), "key", 256);
    } catch (ApiError e) {
      Envelope.fail(rc, e);
      return;
    }
    s.apiKeys().verify(key).onComplete(ar -> {
      JsonObject out = new JsonObject().put("valid", ar.succeeded());
      if (ar.succeeded()) {
        Principal k = ar.result();
        String tenantHeader = rc.request().getHeader("X-Tenant-ID");
        if (tenantHeader != null && !tenantHeader.equals(k.tenantId())) {
          out.put("valid", false);
        } else {
          out.put("tenant_id", k.tenantId()).put("role", k.role()).put("agent_id", k.agentId())
              .put("scopes", new JsonArray(new ArrayList<>(k.scopes())));
        }
      }
      Envelope.ok(rc, 200, out);
    });
  }
}
