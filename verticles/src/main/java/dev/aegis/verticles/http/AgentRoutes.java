package dev.aegis.verticles.http;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.storage.pg.PgRegistryStore;
import dev.aegis.verticles.bus.Addresses;
import dev.aegis.verticles.gateway.GatewayServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The registry routes: {@code POST/GET /agents}, {@code GET /agents/{id}},
 * {@code POST/GET /agents/{id}/permissions}. Every query is scoped to the caller's tenant; another
 * tenant's agent is "not found". Grant changes reach the gateway's cache at once.
 */
public final class AgentRoutes {

  public static final Pattern AGENT_NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{1,98}[a-z0-9]$");
  public static final Pattern TOOL_NAME = Pattern.compile("^[a-z][a-z0-9_\\-]*(\\.[a-z][a-z0-9_\\-]*)*$");
  private static final Set<String> RISK_LEVELS = Set.of("low", "medium", "high", "critical");

  private final Vertx vertx;
  private final GatewayServices s;
  private final ManagementAuth auth;
  private final ManagementAudit audit;

  public AgentRoutes(Vertx vertx, GatewayServices s, ManagementAuth auth, ManagementAudit audit) {
    this.vertx = vertx;
    this.s = s;
    this.auth = auth;
    this.audit = audit;
  }

  public void mount(Router router) {
    router.post("/agents").handler(auth.require(ManagementAuth.WRITERS)).handler(this::create);
    router.get("/agents").handler(auth.require(ManagementAuth.READERS)).handler(this::list);
    router.get("/agents/:id").handler(auth.require(ManagementAuth.READERS)).handler(this::get);
    router.post("/agents/:id/permissions").handler(auth.require(ManagementAuth.WRITERS)).handler(this::grant);
    router.get("/agents/:id/permissions").handler(auth.require(ManagementAuth.READERS)).handler(this::grants);
  }

  private void create(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      JsonObject b = Bodies.json(rc);
      String name = Bodies.matching(Bodies.requiredString(b, "name", 100), AGENT_NAME, "name");
      String description = Bodies.optionalString(b, "description", 2000);
      String risk = Bodies.optionalString(b, "risk_level", 16);
      risk = risk == null ? "low" : risk.toLowerCase(java.util.Locale.ROOT);
      if (!RISK_LEVELS.contains(risk)) {
        throw ApiError.badRequest("validation_error", "'risk_level' must be one of " + RISK_LEVELS);
      }
      Object meta = b.getValue("metadata");
      if (meta != null && !(meta instanceof JsonObject)) {
        throw ApiError.badRequest("validation_error", "'metadata' must be an object");
      }
      UUID tenant = UUID.fromString(p.tenantId());
      String riskLevel = risk;
      f = s.registry().insertAgent(tenant, name, description, p.subject(), riskLevel,
              meta == null ? new JsonObject() : (JsonObject) meta)
          .recover(e -> Future.failedFuture(e instanceof PgRegistryStore.Conflict c
              ? new ApiError(409, "conflict", c.getMessage()) : e))
          .compose(agent -> audit.record(rc, p, p.tenantId(), "agent_registration", "allow", null,
              new JsonObject().put("agent_id", agent.id().toString()).put("name", name))
              .map(r -> agent.toJson()));
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
      UUID tenant = UUID.fromString(p.tenantId());
      f = s.registry().agents(tenant, limit, offset).compose(list -> s.registry().countAgents(tenant)
          .map(total -> {
            JsonArray items = new JsonArray();
            list.forEach(a -> items.add(a.toJson()));
            return new JsonObject().put("items", items).put("total", total).put("limit", limit)
                .put("offset", offset);
          }));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private void get(RoutingContext rc) {
    Envelope.reply(rc, 200, agent(rc).map(PgRegistryStore.Agent::toJson));
  }

  private Future<PgRegistryStore.Agent> agent(RoutingContext rc) {
    try {
      Principal p = ManagementAuth.principal(rc);
      UUID id = Bodies.uuid(rc.pathParam("id"), "agent", true);
      return s.registry().agent(UUID.fromString(p.tenantId()), id)
          .compose(a -> a == null ? Future.failedFuture(ApiError.notFound("agent")) : Future.succeededFuture(a));
    } catch (ApiError e) {
      return Future.failedFuture(e);
    }
  }

  private void grant(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      JsonObject b = Bodies.json(rc);
      String tool = Bodies.matching(Bodies.requiredString(b, "tool_name", 200), TOOL_NAME, "tool_name");
      String action = Bodies.optionalString(b, "action", 8);
      action = action == null ? "ALLOW" : action.toUpperCase(java.util.Locale.ROOT);
      if (!action.equals("ALLOW") && !action.equals("DENY")) {
        throw ApiError.badRequest("validation_error", "'action' must be ALLOW or DENY");
      }
      OffsetDateTime expires = null;
      String exp = Bodies.optionalString(b, "expires_at", 64);
      if (exp != null) {
        try {
          expires = OffsetDateTime.parse(exp);
        } catch (DateTimeParseException e) {
          throw ApiError.badRequest("validation_error", "'expires_at' must be an ISO-8601 timestamp with offset");
        }
      }
      String grantAction = action;
      OffsetDateTime expiresAt = expires;
      f = agent(rc).compose(a -> s.registry().insertGrant(a.tenantId(), a.id(), tool, grantAction,
              p.subject(), expiresAt)
          .recover(e -> Future.failedFuture(e instanceof PgRegistryStore.Conflict c
              ? new ApiError(409, "conflict", c.getMessage()) : e))
          .compose(g -> {
            s.agents().invalidate(p.tenantId(), a.id().toString());
            vertx.eventBus().publish(Addresses.INVALIDATE_AGENT, new JsonObject()
                .put("tenant_id", p.tenantId()).put("agent_id", a.id().toString()));
            return audit.record(rc, p, p.tenantId(), "permission_grant", "allow", null,
                new JsonObject().put("agent_id", a.id().toString()).put("tool_name", tool)
                    .put("action", grantAction)).map(r -> g.toJson());
          }));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 201, f);
  }

  private void grants(RoutingContext rc) {
    Envelope.reply(rc, 200, agent(rc).compose(a -> s.registry().grants(a.tenantId(), a.id()))
        .map(list -> {
          JsonArray items = new JsonArray();
          list.forEach(g -> items.add(g.toJson()));
          return new JsonObject().put("items", items);
        }));
  }
}
