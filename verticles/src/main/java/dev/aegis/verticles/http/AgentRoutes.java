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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The registry routes (SPEC §3.3):
 * <ul>
 *   <li>{@code POST/GET /agents}, {@code GET /agents/summary}, {@code GET/PATCH/DELETE /agents/{id}};
 *   <li>{@code POST /agents/{id}/quarantine}, {@code POST /agents/{id}/release} (and
 *       {@code DELETE /agents/{id}/quarantine});
 *   <li>{@code POST/GET /agents/{id}/permissions}, {@code DELETE /agents/{id}/permissions/{perm_id}};
 *   <li>{@code GET /agents/{id}/profile}, {@code GET /registry/tools}.
 * </ul>
 * Every query is scoped to the caller's tenant; another tenant's agent (or a malformed id) is
 * "not found". Every change to an agent or its grants is audited and reaches the gateway's agent
 * cache before the answer: the very next {@code /execute} sees it.
 */
public final class AgentRoutes {

  public static final Pattern AGENT_NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{1,98}[a-z0-9]$");
  public static final Pattern TOOL_NAME = Pattern.compile("^[a-z][a-z0-9_\\-]*(\\.[a-z][a-z0-9_\\-]*)*$");
  private static final Pattern NAME_PREFIX = Pattern.compile("^[a-z0-9_-]{1,100}$");
  private static final Set<String> RISK_LEVELS = Set.of("low", "medium", "high", "critical");
  private static final Set<String> STATUSES = Set.of("ACTIVE", "QUARANTINED");
  /** The only fields {@code PATCH /agents/{id}} accepts; anything else is mass assignment. */
  private static final Set<String> PATCHABLE = Set.copyOf(PgRegistryStore.UPDATABLE);
  private static final int PROFILE_WINDOW_DAYS = 7;
  private static final int PROFILE_TOP_TOOLS = 5;

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
    var w = auth.require(ManagementAuth.WRITERS);
    var r = auth.require(ManagementAuth.READERS);
    router.post("/agents").handler(w).handler(this::create);
    router.get("/agents").handler(r).handler(this::list);
    // before /agents/:id, or "summary" would be taken for an id
    router.get("/agents/summary").handler(r).handler(this::summary);
    router.get("/agents/:id").handler(r).handler(this::get);
    router.patch("/agents/:id").handler(w).handler(this::update);
    router.delete("/agents/:id").handler(w).handler(this::delete);
    router.post("/agents/:id/quarantine").handler(w).handler(this::quarantine);
    router.delete("/agents/:id/quarantine").handler(w).handler(this::release);
    router.post("/agents/:id/release").handler(w).handler(this::release);
    router.get("/agents/:id/profile").handler(r).handler(this::profile);
    router.post("/agents/:id/permissions").handler(w).handler(this::grant);
    router.get("/agents/:id/permissions").handler(r).handler(this::grants);
    router.delete("/agents/:id/permissions/:perm_id").handler(w).handler(this::revoke);
    router.get("/registry/tools").handler(r).handler(this::tools);
  }

  // ---------------------------------------------------------------- agents

  private void create(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      JsonObject b = Bodies.json(rc);
      String name = Bodies.matching(Bodies.requiredString(b, "name", 100), AGENT_NAME, "name");
      String description = Bodies.optionalString(b, "description", 2000);
      String risk = Bodies.optionalString(b, "risk_level", 16);
      risk = risk == null ? "low" : riskLevel(risk);
      Object meta = b.getValue("metadata");
      if (meta != null && !(meta instanceof JsonObject)) {
        throw ApiError.badRequest("validation_error", "'metadata' must be an object");
      }
      UUID tenant = UUID.fromString(p.tenantId());
      String riskLevel = risk;
      f = s.registry().insertAgent(tenant, name, description, p.subject(), riskLevel,
              meta == null ? new JsonObject() : (JsonObject) meta)
          .recover(AgentRoutes::conflict)
          .compose(agent -> audit.record(rc, p, p.tenantId(), "agent_registration", "allow", null,
              new JsonObject().put("agent_id", agent.id().toString()).put("name", name))
              .map(x -> agent.toJson()));
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
      String status = rc.request().getParam("status");
      if (status != null) {
        status = status.toUpperCase(Locale.ROOT);
        if (!STATUSES.contains(status)) {
          throw ApiError.badRequest("validation_error", "'status' must be one of " + new TreeSet<>(STATUSES));
        }
      }
      String risk = rc.request().getParam("risk_level");
      if (risk != null) {
        risk = riskLevel(risk);
      }
      String q = rc.request().getParam("q");
      if (q != null && !q.isEmpty()) {
        q = q.toLowerCase(Locale.ROOT);
        if (!NAME_PREFIX.matcher(q).matches()) {
          throw ApiError.badRequest("validation_error", "'q' must be a name prefix matching " + NAME_PREFIX.pattern());
        }
      } else {
        q = null;
      }
      UUID tenant = UUID.fromString(p.tenantId());
      PgRegistryStore.AgentFilter filter = new PgRegistryStore.AgentFilter(status, risk, q);
      f = s.registry().agents(tenant, filter, limit, offset)
          .compose(list -> s.registry().countAgents(tenant, filter).map(total -> {
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

  private void summary(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Envelope.reply(rc, 200, s.registry().summary(UUID.fromString(p.tenantId()))
        .map(PgRegistryStore.Summary::toJson));
  }

  private void get(RoutingContext rc) {
    Envelope.reply(rc, 200, agent(rc).map(PgRegistryStore.Agent::toJson));
  }

  /**
   * {@code PATCH /agents/{id}}: only {@link #PATCHABLE} fields; any other field (tenant_id, id,
   * status, timestamps, ...) is refused with 400 naming it, and nothing changes.
   */
  private void update(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      UUID tenant = UUID.fromString(p.tenantId());
      UUID id = pathId(rc);
      JsonObject b = Bodies.json(rc);
      Set<String> refused = new TreeSet<>(b.fieldNames());
      refused.removeAll(PATCHABLE);
      if (!refused.isEmpty()) {
        throw ApiError.badRequest("validation_error", "'" + refused.iterator().next()
            + "' cannot be changed (refused: " + refused + "; updatable: " + PgRegistryStore.UPDATABLE + ")");
      }
      Map<String, Object> changes = new LinkedHashMap<>();
      if (b.containsKey("name")) {
        Object v = b.getValue("name");
        if (!(v instanceof String)) {
          throw ApiError.badRequest("validation_error", "'name' must be a string");
        }
        changes.put("name", Bodies.matching(Bodies.requiredString(b, "name", 100), AGENT_NAME, "name"));
      }
      if (b.containsKey("description")) {
        changes.put("description", Bodies.optionalString(b, "description", 2000));
      }
      if (b.containsKey("risk_level")) {
        Object v = b.getValue("risk_level");
        if (!(v instanceof String str)) {
          throw ApiError.badRequest("validation_error", "'risk_level' must be one of " + new TreeSet<>(RISK_LEVELS));
        }
        changes.put("risk_level", riskLevel(str));
      }
      if (b.containsKey("metadata")) {
        if (!(b.getValue("metadata") instanceof JsonObject meta)) {
          throw ApiError.badRequest("validation_error", "'metadata' must be an object");
        }
        changes.put("metadata", meta);
      }
      if (b.containsKey("owner_id")) {
        String owner = Bodies.optionalString(b, "owner_id", 200);
        if (owner != null && owner.isBlank()) {
          throw ApiError.badRequest("validation_error", "'owner_id' must not be blank");
        }
        changes.put("owner_id", owner);
      }
      if (changes.isEmpty()) {
        throw ApiError.badRequest("validation_error", "No field to update; updatable: "
            + PgRegistryStore.UPDATABLE);
      }
      f = s.registry().updateAgent(tenant, id, changes)
          .recover(AgentRoutes::conflict)
          .compose(a -> a == null ? Future.failedFuture(ApiError.notFound("agent")) : Future.succeededFuture(a))
          .compose(a -> {
            invalidate(p, a.id());
            JsonObject meta = new JsonObject().put("agent_id", a.id().toString())
                .put("fields", new JsonArray(List.copyOf(changes.keySet())));
            for (String k : List.of("name", "risk_level", "owner_id")) {
              if (changes.containsKey(k)) {
                meta.put(k, changes.get(k));
              }
            }
            return audit.record(rc, p, p.tenantId(), "agent_updated", "allow", null, meta)
                .map(x -> a.toJson());
          });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  /** {@code DELETE /agents/{id}}: soft delete; the grants are revoked and the name freed. */
  private void delete(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      UUID tenant = UUID.fromString(p.tenantId());
      UUID id = pathId(rc);
      f = s.registry().agent(tenant, id).compose(a -> {
        if (a == null) {
          return Future.failedFuture(ApiError.notFound("agent"));
        }
        return s.registry().softDeleteAgent(tenant, id).compose(d -> {
          if (d == null) {
            return Future.failedFuture(ApiError.notFound("agent"));
          }
          invalidate(p, id);
          // a deleted agent can no longer log in, and its tokens stop working at once
          return s.tokenStore().revokeCredential(tenant, id).compose(hash -> hash == null
                  ? Future.succeededFuture()
                  : s.sessions().revokeTokenFamily(dev.aegis.verticles.identity.Sessions.agentFamily(id, hash),
                      tenant, p.subject(), "agent_deleted"))
              .compose(v -> audit.record(rc, p, p.tenantId(), "agent_deleted", "allow", null,
              new JsonObject().put("agent_id", id.toString()).put("name", a.name())
                  .put("grants_revoked", d.grantsRevoked())))
              .map(x -> new JsonObject().put("id", id.toString()).put("name", a.name())
                  .put("deleted", true).put("deleted_at", d.deletedAt().toString())
                  .put("grants_revoked", d.grantsRevoked()));
        });
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  /** {@code POST /agents/{id}/quarantine {reason}}: ACTIVE → QUARANTINED; 409 when already so. */
  private void quarantine(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      UUID tenant = UUID.fromString(p.tenantId());
      UUID id = pathId(rc);
      String reason = Bodies.requiredString(Bodies.json(rc), "reason", 1000).strip();
      f = s.registry().quarantine(tenant, id, reason)
          .compose(a -> a != null ? Future.succeededFuture(a) : stateConflict(tenant, id,
              "The agent is already quarantined"))
          .compose(a -> {
            invalidate(p, id);
            return audit.record(rc, p, p.tenantId(), "agent_quarantined", "allow", reason,
                new JsonObject().put("agent_id", id.toString()).put("name", a.name())
                    .put("reason", reason))
                .map(x -> a.toJson());
          });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  /** {@code POST /agents/{id}/release}, {@code DELETE /agents/{id}/quarantine}: → ACTIVE. */
  private void release(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      UUID tenant = UUID.fromString(p.tenantId());
      UUID id = pathId(rc);
      String reason = Bodies.optionalString(Bodies.json(rc), "reason", 1000);
      f = s.registry().agent(tenant, id).compose(before -> {
        if (before == null) {
          return Future.failedFuture(ApiError.notFound("agent"));
        }
        return s.registry().release(tenant, id)
            .compose(a -> a != null ? Future.succeededFuture(a) : stateConflict(tenant, id,
                "The agent is not quarantined"))
            .compose(a -> {
              invalidate(p, id);
              return audit.record(rc, p, p.tenantId(), "agent_quarantine_released", "allow", reason,
                  new JsonObject().put("agent_id", id.toString()).put("name", a.name())
                      .put("quarantined_at", before.quarantinedAt() == null ? null
                          : before.quarantinedAt().toString())
                      .put("quarantine_reason", before.quarantineReason()))
                  .map(x -> a.toJson());
            });
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  /** {@code GET /agents/{id}/profile}: the agent, its grants and its audited activity. */
  private void profile(RoutingContext rc) {
    Envelope.reply(rc, 200, agent(rc).compose(a -> {
      Future<List<PgRegistryStore.Grant>> grants = s.registry().grants(a.tenantId(), a.id());
      Future<PgRegistryStore.Activity> activity = s.registry().activity(a.tenantId(), a.id(),
          PROFILE_WINDOW_DAYS, PROFILE_TOP_TOOLS);
      return Future.all(grants, activity).map(v -> new JsonObject().put("agent", a.toJson())
          .put("grants", grantsJson(grants.result())).put("activity", activity.result().toJson()));
    }));
  }

  // ---------------------------------------------------------------- grants

  private void grant(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      JsonObject b = Bodies.json(rc);
      String tool = Bodies.matching(Bodies.requiredString(b, "tool_name", 200), TOOL_NAME, "tool_name");
      String action = Bodies.optionalString(b, "action", 8);
      action = action == null ? "ALLOW" : action.toUpperCase(Locale.ROOT);
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
        if (!expires.isAfter(OffsetDateTime.now())) {
          throw ApiError.badRequest("validation_error", "'expires_at' must be in the future");
        }
      }
      String grantAction = action;
      OffsetDateTime expiresAt = expires;
      f = agent(rc).compose(a -> s.registry().insertGrant(a.tenantId(), a.id(), tool, grantAction,
              p.subject(), expiresAt)
          .recover(AgentRoutes::conflict)
          .compose(g -> {
            invalidate(p, a.id());
            return audit.record(rc, p, p.tenantId(), "permission_grant", "allow", null,
                new JsonObject().put("agent_id", a.id().toString()).put("tool_name", tool)
                    .put("action", grantAction)
                    .put("expires_at", expiresAt == null ? null : expiresAt.toString()))
                .map(r -> g.toJson());
          }));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 201, f);
  }

  private void grants(RoutingContext rc) {
    Envelope.reply(rc, 200, agent(rc).compose(a -> s.registry().grants(a.tenantId(), a.id()))
        .map(list -> new JsonObject().put("items", grantsJson(list))));
  }

  /** {@code DELETE /agents/{id}/permissions/{perm_id}}: another agent's grant is not found. */
  private void revoke(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      UUID permId = Bodies.uuid(rc.pathParam("perm_id"), "permission", true);
      f = agent(rc).compose(a -> s.registry().revokeGrant(a.tenantId(), a.id(), permId)
          .compose(g -> {
            if (g == null) {
              return Future.failedFuture(ApiError.notFound("permission"));
            }
            invalidate(p, a.id());
            return audit.record(rc, p, p.tenantId(), "permission_revoke", "allow", null,
                new JsonObject().put("agent_id", a.id().toString()).put("permission_id", permId.toString())
                    .put("tool_name", g.toolName()).put("action", g.action()))
                .map(r -> g.toJson().put("revoked", true));
          }));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  /** {@code GET /registry/tools}: the tools granted in the tenant, with grant and agent counts. */
  private void tools(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Envelope.reply(rc, 200, s.registry().tools(UUID.fromString(p.tenantId())).map(list -> {
      JsonArray items = new JsonArray();
      list.forEach(t -> items.add(t.toJson()));
      return new JsonObject().put("items", items).put("total", list.size());
    }));
  }

  // ---------------------------------------------------------------- helpers

  /** The caller's live agent named by the path, or a failed 404. */
  private Future<PgRegistryStore.Agent> agent(RoutingContext rc) {
    try {
      Principal p = ManagementAuth.principal(rc);
      UUID id = pathId(rc);
      return s.registry().agent(UUID.fromString(p.tenantId()), id)
          .compose(a -> a == null ? Future.failedFuture(ApiError.notFound("agent")) : Future.succeededFuture(a));
    } catch (ApiError e) {
      return Future.failedFuture(e);
    }
  }

  private static UUID pathId(RoutingContext rc) {
    return Bodies.uuid(rc.pathParam("id"), "agent", true);
  }

  /** A conditional state change matched no row: 404 when the agent is gone, else 409. */
  private <T> Future<T> stateConflict(UUID tenant, UUID id, String message) {
    return s.registry().agent(tenant, id).compose(a -> Future.failedFuture(a == null
        ? ApiError.notFound("agent") : new ApiError(409, "conflict", message)));
  }

  /** Drops the agent from this process's cache now, and tells any other listener on the bus. */
  private void invalidate(Principal p, UUID agentId) {
    s.agents().invalidate(p.tenantId(), agentId.toString());
    vertx.eventBus().publish(Addresses.INVALIDATE_AGENT, new JsonObject()
        .put("tenant_id", p.tenantId()).put("agent_id", agentId.toString()));
  }

  private static JsonArray grantsJson(List<PgRegistryStore.Grant> list) {
    OffsetDateTime now = OffsetDateTime.now();
    JsonArray items = new JsonArray();
    list.forEach(g -> items.add(g.toJson(now)));
    return items;
  }

  private static String riskLevel(String value) {
    String risk = value.toLowerCase(Locale.ROOT);
    if (!RISK_LEVELS.contains(risk)) {
      throw ApiError.badRequest("validation_error", "'risk_level' must be one of " + new TreeSet<>(RISK_LEVELS));
    }
    return risk;
  }

  private static <T> Future<T> conflict(Throwable e) {
    return Future.failedFuture(e instanceof PgRegistryStore.Conflict c
        ? new ApiError(409, "conflict", c.getMessage()) : e);
  }
}
