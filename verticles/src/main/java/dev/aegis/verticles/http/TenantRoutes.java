package dev.aegis.verticles.http;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.pipeline.ports.TenantSettings;
import dev.aegis.storage.pg.PgTenantStore;
import dev.aegis.storage.pg.PgUserStore;
import dev.aegis.verticles.bus.Addresses;
import dev.aegis.verticles.gateway.GatewayServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Tenants, their quotas and settings: {@code POST /auth/tenants} (platform admin: the tenant and
 * its first ADMIN in one transaction), {@code GET /auth/tenants/{id}} (platform admin for any
 * tenant, an ADMIN for its own, 404 for everyone else), {@code GET /admin/tenants} and
 * {@code GET/PATCH /admin/tenants/{id}} (platform admin), and {@code GET /tenant/quota} (any user
 * role of the tenant: its effective limits).
 *
 * <p>A quota change is effective on the gateway's next request: the shared tenant cache entry is
 * dropped and {@link Addresses#INVALIDATE_TENANT} is published for other processes. Platform-admin
 * actions are audited as {@code platform_admin_*} in the tenant acted upon.
 */
public final class TenantRoutes {

  static final Set<String> TIERS = Set.of("basic", "premium", "enterprise");
  static final Set<String> DEGRADED_POLICIES = Set.of("block_high_risk", "block_all", "allow_with_audit");
  static final int MAX_SETTINGS_CHARS = 16_384;
  static final double MAX_RPS = 1_000_000;
  static final long MAX_BURST = 10_000_000;
  static final long MAX_CAP = 1_000_000_000_000_000L;
  static final BigDecimal MAX_COST_CAP = new BigDecimal("100000000000");

  private static final Set<String> QUOTA_FIELDS = Set.of("tier", "requests_per_second", "burst",
      "agent_requests_per_second", "agent_burst", "daily_request_cap", "monthly_request_cap",
      "daily_inference_cost_cap_usd", "degraded_mode_policy", "settings");
  private static final Set<String> CREATE_FIELDS = union(QUOTA_FIELDS, Set.of("name", "admin_email",
      "admin_password", "admin_full_name"));
  private static final Set<String> PATCH_FIELDS = union(QUOTA_FIELDS, Set.of("name", "is_active"));
  /** Fields a client may never set on a tenant (mass assignment). */
  private static final Set<String> PROTECTED_FIELDS = Set.of("id", "tenant_id", "org_id",
      "created_at", "updated_at", "rpm_limit");

  private final Vertx vertx;
  private final GatewayServices s;
  private final ManagementAuth auth;
  private final ManagementAudit audit;
  private final PgTenantStore tenants;
  private final PgUserStore users;

  public TenantRoutes(Vertx vertx, GatewayServices s, ManagementAuth auth, ManagementAudit audit) {
    this.vertx = vertx;
    this.s = s;
    this.auth = auth;
    this.audit = audit;
    this.tenants = new PgTenantStore(s.pool());
    this.users = new PgUserStore(s.pool());
  }

  public void mount(Router router) {
    router.post("/auth/tenants").handler(auth.require(ManagementAuth.READERS)).handler(this::create);
    router.get("/auth/tenants/:id").handler(auth.require(ManagementAuth.READERS)).handler(this::get);
    router.get("/admin/tenants").handler(auth.require(ManagementAuth.READERS)).handler(this::list);
    router.get("/admin/tenants/:id").handler(auth.require(ManagementAuth.READERS)).handler(this::adminGet);
    router.patch("/admin/tenants/:id").handler(auth.require(ManagementAuth.READERS)).handler(this::patch);
    router.get("/tenant/quota").handler(auth.require(ManagementAuth.READERS)).handler(this::quota);
  }

  private static void requirePlatformAdmin(Principal p) {
    if (!p.platformAdmin() || !Principal.Roles.ADMIN.equals(p.role())) {
      throw UserRoutes.platformAdminRequired();
    }
  }

  // ------------------------------------------------------------------ create

  private void create(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      requirePlatformAdmin(p);
      JsonObject b = Bodies.json(rc);
      UserRoutes.allowOnly(b, CREATE_FIELDS, PROTECTED_FIELDS);
      String email = UserRoutes.email(b, "admin_email");
      String password = UserRoutes.password(b, "admin_password");
      String adminName = UserRoutes.fullName(b, "admin_full_name");
      Map<String, Object> fields = fields(b, true);
      String name = (String) fields.get("name");
      UUID tenant = UUID.randomUUID();
      UUID adminId = UUID.randomUUID();
      f = users.emailTaken(email)
          .compose(taken -> taken ? Future.<String>failedFuture(UserRoutes.conflict())
              : vertx.executeBlocking(() -> s.passwords().hash(password), false))
          .compose(hash -> tenants.createWithAdmin(tenant, fields,
              new PgTenantStore.FirstAdmin(adminId, email, hash, adminName)))
          .recover(UserRoutes::mapConflict)
          .compose(t -> {
            invalidate(t.id().toString());
            JsonObject meta = new JsonObject().put("tenant_id", t.id().toString()).put("name", name)
                .put("admin_user_id", adminId.toString()).put("admin_email", email)
                .put("actor_tenant_id", p.tenantId());
            return audit.record(rc, p, t.id().toString(), "platform_admin_tenant_created", "allow", null, meta)
                .compose(r -> audit.record(rc, p, p.tenantId(), "tenant_created", "allow", null, meta))
                .map(r -> t.toJson().put("admin_user", new JsonObject().put("id", adminId.toString())
                    .put("email", email).put("role", Principal.Roles.ADMIN).put("full_name", adminName)));
          });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 201, f);
  }

  // ------------------------------------------------------------------ reads

  private void get(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      UUID id = Bodies.uuid(rc.pathParam("id"), "tenant", true);
      boolean own = id.toString().equals(p.tenantId()) && Principal.Roles.ADMIN.equals(p.role());
      boolean platform = p.platformAdmin() && Principal.Roles.ADMIN.equals(p.role());
      if (!own && !platform) {
        throw ApiError.notFound("tenant");
      }
      f = readTenant(rc, p, id);
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private void adminGet(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      requirePlatformAdmin(p);
      f = readTenant(rc, p, Bodies.uuid(rc.pathParam("id"), "tenant", true));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  /** Reads a tenant; a platform admin's read of another tenant is audited in that tenant. */
  private Future<JsonObject> readTenant(RoutingContext rc, Principal p, UUID id) {
    return tenants.tenant(id).compose(t -> {
      if (t == null) {
        return Future.failedFuture(ApiError.notFound("tenant"));
      }
      if (t.id().toString().equals(p.tenantId())) {
        return Future.succeededFuture(t.toJson());
      }
      return audit.record(rc, p, t.id().toString(), "platform_admin_tenant_viewed", "allow", null,
          new JsonObject().put("tenant_id", t.id().toString()).put("actor_tenant_id", p.tenantId()))
          .map(r -> t.toJson());
    });
  }

  private void list(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      requirePlatformAdmin(p);
      int limit = Bodies.intParam(rc, "limit", 100, 1, 1000);
      int offset = Bodies.intParam(rc, "offset", 0, 0, Integer.MAX_VALUE);
      f = tenants.tenants(limit, offset).compose(list -> tenants.count().compose(total -> {
        JsonArray items = new JsonArray();
        list.forEach(t -> items.add(t.toJson()));
        return audit.record(rc, p, p.tenantId(), "platform_admin_tenants_listed", "allow", null,
                new JsonObject().put("limit", limit).put("offset", offset).put("returned", list.size()))
            .map(r -> new JsonObject().put("items", items).put("total", total).put("limit", limit)
                .put("offset", offset));
      }));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private void quota(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    UUID id = UUID.fromString(p.tenantId());
    Future<JsonObject> f = tenants.tenant(id).compose(t -> {
      if (t == null) {
        return Future.failedFuture(ApiError.notFound("tenant"));
      }
      return s.tenants().settings(p.tenantId()).map(eff -> quotaJson(t, eff));
    });
    Envelope.reply(rc, 200, f);
  }

  /** Effective limits (configured defaults filled in) plus what the tenant row itself sets. */
  private static JsonObject quotaJson(PgTenantStore.Tenant t, TenantSettings eff) {
    JsonObject configured = new JsonObject().put("requests_per_second", t.requestsPerSecond())
        .put("burst", t.burst()).put("agent_requests_per_second", t.agentRequestsPerSecond())
        .put("agent_burst", t.agentBurst());
    return new JsonObject().put("tenant_id", t.id().toString()).put("tier", t.tier())
        .put("is_active", t.active())
        .put("requests_per_second", eff != null ? eff.requestsPerSecond() : t.requestsPerSecond())
        .put("burst", eff != null ? Integer.valueOf(eff.burst()) : t.burst())
        .put("agent_requests_per_second", eff != null ? eff.agentRequestsPerSecond() : t.agentRequestsPerSecond())
        .put("agent_burst", eff != null ? Integer.valueOf(eff.agentBurst()) : t.agentBurst())
        .put("daily_request_cap", t.dailyRequestCap()).put("monthly_request_cap", t.monthlyRequestCap())
        .put("daily_inference_cost_cap_usd", t.dailyInferenceCostCapUsd().doubleValue())
        .put("degraded_mode_policy", t.degradedModePolicy())
        .put("configured", configured);
  }

  // ------------------------------------------------------------------ update

  private void patch(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      requirePlatformAdmin(p);
      UUID id = Bodies.uuid(rc.pathParam("id"), "tenant", true);
      JsonObject b = Bodies.json(rc);
      UserRoutes.allowOnly(b, PATCH_FIELDS, PROTECTED_FIELDS);
      Map<String, Object> fields = fields(b, false);
      if (fields.isEmpty()) {
        throw ApiError.badRequest("validation_error", "Nothing to update");
      }
      if (Boolean.FALSE.equals(fields.get("is_active")) && id.toString().equals(p.tenantId())) {
        throw ApiError.badRequest("validation_error", "You cannot deactivate your own tenant");
      }
      JsonObject changes = new JsonObject();
      fields.forEach((k, v) -> {
        if (k.equals("settings")) {
          changes.put("settings_keys", new JsonArray(new java.util.ArrayList<>(((JsonObject) v).fieldNames())));
        } else {
          changes.put(k, v instanceof BigDecimal d ? d.doubleValue() : v);
        }
      });
      f = tenants.update(id, fields).compose(t -> {
        if (t == null) {
          return Future.failedFuture(ApiError.notFound("tenant"));
        }
        invalidate(t.id().toString());
        return audit.record(rc, p, t.id().toString(), "platform_admin_tenant_updated", "allow", null,
                new JsonObject().put("tenant_id", t.id().toString()).put("changes", changes)
                    .put("actor_tenant_id", p.tenantId()))
            .map(r -> t.toJson());
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  /** Drops this process's cached settings and tells every other process to do the same. */
  private void invalidate(String tenantId) {
    s.tenants().invalidate(tenantId);
    vertx.eventBus().publish(Addresses.INVALIDATE_TENANT, new JsonObject().put("tenant_id", tenantId));
  }

  // ------------------------------------------------------------------ field validation

  /**
   * Validated column values from a create or patch body. Null rates and bursts mean "the
   * configured default"; caps, policy, tier, name and settings may not be null.
   */
  private static Map<String, Object> fields(JsonObject b, boolean create) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (create || b.containsKey("name")) {
      String name = Bodies.requiredString(b, "name", 200).trim();
      if (name.isEmpty()) {
        throw ApiError.badRequest("validation_error", "'name' must not be blank");
      }
      out.put("name", name);
    }
    if (b.containsKey("tier")) {
      out.put("tier", oneOf(b, "tier", TIERS));
    }
    if (b.containsKey("degraded_mode_policy")) {
      out.put("degraded_mode_policy", oneOf(b, "degraded_mode_policy", DEGRADED_POLICIES));
    }
    for (String rate : new String[] {"requests_per_second", "agent_requests_per_second"}) {
      if (b.containsKey(rate)) {
        out.put(rate, b.getValue(rate) == null ? null : rate(b, rate));
      }
    }
    for (String burst : new String[] {"burst", "agent_burst"}) {
      if (b.containsKey(burst)) {
        out.put(burst, b.getValue(burst) == null ? null : (int) integer(b, burst, 1, MAX_BURST));
      }
    }
    for (String cap : new String[] {"daily_request_cap", "monthly_request_cap"}) {
      if (b.containsKey(cap)) {
        out.put(cap, integer(b, cap, 0, MAX_CAP));
      }
    }
    if (b.containsKey("daily_inference_cost_cap_usd")) {
      out.put("daily_inference_cost_cap_usd", money(b, "daily_inference_cost_cap_usd"));
    }
    if (b.containsKey("settings")) {
      if (!(b.getValue("settings") instanceof JsonObject o)) {
        throw ApiError.badRequest("validation_error", "'settings' must be an object");
      }
      if (o.encode().length() > MAX_SETTINGS_CHARS) {
        throw ApiError.badRequest("validation_error", "'settings' is larger than " + MAX_SETTINGS_CHARS
            + " characters");
      }
      out.put("settings", o.copy());
    }
    if (!create && b.containsKey("is_active")) {
      if (!(b.getValue("is_active") instanceof Boolean v)) {
        throw ApiError.badRequest("validation_error", "'is_active' must be a boolean");
      }
      out.put("is_active", v);
    }
    return out;
  }

  private static String oneOf(JsonObject b, String field, Set<String> allowed) {
    Object v = b.getValue(field);
    if (!(v instanceof String sv) || !allowed.contains(sv)) {
      throw ApiError.badRequest("validation_error", "'" + field + "' must be one of "
          + new java.util.TreeSet<>(allowed));
    }
    return sv;
  }

  private static double rate(JsonObject b, String field) {
    Object v = b.getValue(field);
    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() <= 0
        || n.doubleValue() > MAX_RPS) {
      throw ApiError.badRequest("validation_error", "'" + field + "' must be a number in (0, " + (long) MAX_RPS + "]");
    }
    return n.doubleValue();
  }

  private static long integer(JsonObject b, String field, long min, long max) {
    Object v = b.getValue(field);
    long value;
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      value = ((Number) v).longValue();
    } else if (v instanceof BigInteger bi && bi.bitLength() < 63) {
      value = bi.longValue();
    } else if (v instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) < 9.0e15) {
      value = (long) n.doubleValue();
    } else {
      throw ApiError.badRequest("validation_error", "'" + field + "' must be an integer in [" + min + ", " + max + "]");
    }
    if (value < min || value > max) {
      throw ApiError.badRequest("validation_error", "'" + field + "' must be an integer in [" + min + ", " + max + "]");
    }
    return value;
  }

  private static BigDecimal money(JsonObject b, String field) {
    Object v = b.getValue(field);
    BigDecimal d;
    if (v instanceof BigDecimal bd) {
      d = bd;
    } else if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
      d = v instanceof Double || v instanceof Float ? BigDecimal.valueOf(n.doubleValue()) : new BigDecimal(n.toString());
    } else {
      throw ApiError.badRequest("validation_error", "'" + field + "' must be a number");
    }
    if (d.signum() < 0 || d.compareTo(MAX_COST_CAP) > 0) {
      throw ApiError.badRequest("validation_error", "'" + field + "' must be in [0, " + MAX_COST_CAP + "]");
    }
    return d.setScale(2, RoundingMode.HALF_UP);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    java.util.HashSet<String> u = new java.util.HashSet<>(a);
    u.addAll(b);
    return Set.copyOf(u);
  }
}
