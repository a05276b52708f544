package dev.aegis.verticles.policy;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.pipeline.ports.TenantPolicySource.TenantPolicy;
import dev.aegis.pipeline.rego.CompiledPolicy;
import dev.aegis.pipeline.rego.QueryOptions;
import dev.aegis.pipeline.rego.RegoError;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Values;
import dev.aegis.storage.pg.PgPolicyStore;
import dev.aegis.verticles.gateway.GatewayServices;
import dev.aegis.verticles.http.ApiError;
import dev.aegis.verticles.http.Bodies;
import dev.aegis.verticles.http.Envelope;
import dev.aegis.verticles.http.ManagementAudit;
import dev.aegis.verticles.http.ManagementAuth;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The tenant policy lifecycle (issue #5 item 5, SPEC §3.4), JSON, all scoped to the caller's
 * tenant (another tenant's version, or a malformed id, is "not found"):
 *
 * <ul>
 *   <li>{@code POST /policy/upload} {@code {modules: {file: source}} | {source}, name?,
 *       description?, activate?}: package rule, limits, compile (on a worker); 400
 *       {@code policy_invalid} with {@code errors [{code, message, file, line, column}]}; stores
 *       the next version; audit {@code policy_uploaded}; 201.
 *   <li>{@code GET /policy/versions}, {@code GET /policy/versions/{id}} (with modules).
 *   <li>{@code POST /policy/versions/{id}/activate}, {@code POST /policy/rollback} (409
 *       {@code nothing_to_roll_back}), {@code POST /policy/versions/{id}/shadow},
 *       {@code DELETE /policy/shadow}: the change is live in this process before the answer and
 *       announced to every other one; audit {@code policy_activated}, {@code policy_rolled_back},
 *       {@code policy_shadow_set}, {@code policy_shadow_cleared}.
 *   <li>{@code POST /policy/evaluate}, {@code POST /policy/test}, {@code POST /policy/simulate}
 *       (read-only, evaluated on a worker).
 * </ul>
 *
 * Reads are open to every management role; everything else needs ADMIN or SECURITY.
 */
public final class PolicyRoutes {

  private static final Pattern DATA_REF = Pattern.compile("^data(\\.[A-Za-z_][A-Za-z0-9_]*)+$");
  private static final int MAX_QUERY = 2000;

  private final Vertx vertx;
  private final TenantPolicyRegistry registry;
  private final PgPolicyStore store;
  private final ManagementAuth auth;
  private final ManagementAudit audit;

  public PolicyRoutes(Vertx vertx, GatewayServices s, ManagementAuth auth, ManagementAudit audit) {
    this(vertx, s.tenantPolicies(), auth, audit);
  }

  public PolicyRoutes(Vertx vertx, TenantPolicyRegistry registry, ManagementAuth auth, ManagementAudit audit) {
    this.vertx = vertx;
    this.registry = registry;
    this.store = registry.store();
    this.auth = auth;
    this.audit = audit;
  }

  public void mount(Router router) {
    var w = auth.require(ManagementAuth.WRITERS);
    var r = auth.require(ManagementAuth.READERS);
    router.post("/policy/upload").handler(w).handler(this::upload);
    router.get("/policy/versions").handler(r).handler(this::list);
    router.get("/policy/versions/:id").handler(r).handler(this::get);
    router.post("/policy/versions/:id/activate").handler(w).handler(this::activate);
    router.post("/policy/rollback").handler(w).handler(this::rollback);
    router.post("/policy/versions/:id/shadow").handler(w).handler(this::shadow);
    router.delete("/policy/shadow").handler(w).handler(this::clearShadow);
    router.post("/policy/evaluate").handler(w).handler(this::evaluate);
    router.post("/policy/test").handler(w).handler(this::test);
    router.post("/policy/simulate").handler(w).handler(this::simulate);
  }

  // ---------------------------------------------------------------- versions

  private void upload(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    answer(rc, 201, () -> {
      JsonObject b = Bodies.json(rc);
      Map<String, String> modules = PolicyModules.fromBody(b, true);
      String name = Bodies.optionalString(b, "name", 200);
      String description = Bodies.optionalString(b, "description", 2000);
      Object act = b.getValue("activate");
      if (act != null && !(act instanceof Boolean)) {
        throw ApiError.badRequest("validation_error", "'activate' must be a boolean");
      }
      boolean activate = Boolean.TRUE.equals(act);
      UUID tenant = tenant(p);
      String sha = PolicyModules.sha256(modules);
      return compile(modules)
          .compose(c -> store.insertVersion(tenant, name, description, PolicyModules.toJson(modules), sha,
              p.subject()))
          .compose(v -> audit.record(rc, p, p.tenantId(), "policy_uploaded", "allow", description,
              new JsonObject().put("version_id", v.id().toString()).put("version", v.version())
                  .put("sha256", sha).put("files", new JsonArray(List.copyOf(modules.keySet()))))
              .map(x -> v))
          .compose(v -> {
            JsonObject out = versionJson(v);
            if (!activate) {
              return Future.succeededFuture(out.put("active", false));
            }
            return changed(rc, p, store.activate(tenant, v.id(), p.subject()), "policy_activated")
                .map(c -> out.put("status", "active").put("active", true)
                    .put("revision", Long.toString(c.pointer().revision())));
          });
    });
  }

  private void list(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    answer(rc, 200, () -> {
      int limit = Bodies.intParam(rc, "limit", 100, 1, 1000);
      int offset = Bodies.intParam(rc, "offset", 0, 0, Integer.MAX_VALUE);
      UUID tenant = tenant(p);
      return store.versions(tenant, limit, offset).compose(list -> store.countVersions(tenant)
          .compose(total -> store.pointer(tenant).map(ptr -> {
            JsonArray items = new JsonArray();
            list.forEach(v -> items.add(v.toJson(false)));
            return new JsonObject().put("items", items).put("total", total).put("limit", limit)
                .put("offset", offset)
                .put("active_version_id", ptr == null || ptr.activeVersionId() == null ? null
                    : ptr.activeVersionId().toString())
                .put("shadow_version_id", ptr == null || ptr.shadowVersionId() == null ? null
                    : ptr.shadowVersionId().toString())
                .put("revision", ptr == null ? "0" : Long.toString(ptr.revision()));
          })));
    });
  }

  private void get(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    answer(rc, 200, () -> {
      return existing(tenant(p), Bodies.uuid(rc.pathParam("id"), "Policy version", true)).map(v -> v.toJson(true));
    });
  }

  private void activate(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    answer(rc, 200, () -> {
      UUID tenant = tenant(p);
      UUID id = Bodies.uuid(rc.pathParam("id"), "Policy version", true);
      return changed(rc, p, store.activate(tenant, id, p.subject()), "policy_activated").map(PolicyRoutes::changeJson);
    });
  }

  private void rollback(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    answer(rc, 200, () -> {
      return changed(rc, p, store.rollback(tenant(p), p.subject()), "policy_rolled_back").map(PolicyRoutes::changeJson);
    });
  }

  private void shadow(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    answer(rc, 200, () -> {
      UUID tenant = tenant(p);
      UUID id = Bodies.uuid(rc.pathParam("id"), "Policy version", true);
      return changed(rc, p, store.setShadow(tenant, id, p.subject()), "policy_shadow_set").map(PolicyRoutes::changeJson);
    });
  }

  private void clearShadow(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    answer(rc, 200, () -> {
      return changed(rc, p, store.setShadow(tenant(p), null, p.subject()), "policy_shadow_cleared")
          .map(PolicyRoutes::changeJson);
    });
  }

  /**
   * After a pointer change: 404 when the version was not found; otherwise, when something changed,
   * makes it live here, announces it to every process and writes the audit row.
   */
  private Future<PgPolicyStore.Change> changed(RoutingContext rc, Principal p, Future<PgPolicyStore.Change> change,
      String action) {
    return change.compose(c -> {
      if (c == null) {
        return Future.failedFuture(ApiError.notFound("Policy version"));
      }
      if (!c.changed()) {
        return Future.succeededFuture(c);
      }
      JsonObject meta = new JsonObject().put("revision", Long.toString(c.pointer().revision()))
          .put("version_id", c.version() == null ? null : c.version().id().toString())
          .put("version", c.version() == null ? null : c.version().version())
          .put("previous_version_id", c.previousVersionId() == null ? null : c.previousVersionId().toString());
      return registry.reload(p.tenantId()).otherwiseEmpty()
          .compose(x -> registry.publish(p.tenantId(), c.pointer().revision()))
          .compose(x -> audit.record(rc, p, p.tenantId(), action, "allow", null, meta))
          .map(x -> c);
    });
  }

  private static JsonObject changeJson(PgPolicyStore.Change c) {
    return c.pointer().toJson().put("changed", c.changed())
        .put("version", c.version() == null ? null : c.version().toJson(false))
        .put("previous_version_id", c.previousVersionId() == null ? null : c.previousVersionId().toString());
  }

  // ---------------------------------------------------------------- evaluation

  private void evaluate(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    answer(rc, 200, () -> {
      JsonObject b = Bodies.json(rc);
      Object in = b.getValue("input");
      if (in != null && !(in instanceof JsonObject)) {
        throw ApiError.badRequest("validation_error", "'input' must be an object");
      }
      String query = Bodies.optionalString(b, "query", MAX_QUERY);
      UUID versionId = optionalUuid(b, "version_id");
      Value input = Values.fromJava(in == null ? new JsonObject() : in);
      return candidate(tenant(p), versionId, null).compose(c -> vertx.executeBlocking(() -> {
        try {
          TenantDecision d = TenantDecision.evaluate(c.compiled(), input, QueryOptions.DEFAULT);
          return d.toJson().put("result", result(c.compiled(), query, input))
              .mergeIn(versionOf(c));
        } catch (RegoError e) {
          throw new Invalid(400, "policy_eval_error", e.getMessage(), errors(e));
        }
      }, false));
    });
  }

  /** The value of {@code query} (default {@code data.aegis.tenant}): a data reference or rows. */
  private static Object result(CompiledPolicy c, String query, Value input) {
    String q = query == null || query.isBlank() ? "data.aegis.tenant" : query.trim();
    if (DATA_REF.matcher(q).matches()) {
      Value v = c.evalRef(q.substring(5), input, Value.EMPTY_OBJECT, QueryOptions.DEFAULT);
      return v == null ? null : TenantDecision.json(v);
    }
    JsonArray rows = new JsonArray();
    for (Map<String, Value> row : c.query(q, input, Value.EMPTY_OBJECT, QueryOptions.DEFAULT)) {
      JsonObject o = new JsonObject();
      row.forEach((k, v) -> o.put(k, TenantDecision.json(v)));
      rows.add(o);
    }
    return rows;
  }

  private void test(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    answer(rc, 200, () -> {
      JsonObject b = Bodies.json(rc);
      Map<String, String> modules = PolicyModules.fromBody(b, false);
      UUID versionId = optionalUuid(b, "version_id");
      return candidate(tenant(p), versionId, modules).compose(c -> vertx.executeBlocking(() ->
          PolicyTestRunner.run(c.compiled()).mergeIn(versionOf(c)), false));
    });
  }

  private void simulate(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    answer(rc, 200, () -> {
      JsonObject b = Bodies.json(rc);
      Map<String, String> modules = PolicyModules.fromBody(b, false);
      UUID versionId = optionalUuid(b, "version_id");
      if (modules == null && versionId == null) {
        throw ApiError.badRequest("validation_error", "'modules' (or 'source') or 'version_id' is required");
      }
      Object l = b.getValue("limit");
      if (l != null && !(l instanceof Integer || l instanceof Long)) {
        throw ApiError.badRequest("validation_error", "'limit' must be an integer in [1, 5000]");
      }
      long limit = l == null ? 500 : ((Number) l).longValue();
      if (limit < 1 || limit > 5000) {
        throw ApiError.badRequest("validation_error", "'limit' must be an integer in [1, 5000]");
      }
      UUID tenant = tenant(p);
      return candidate(tenant, versionId, modules).compose(c -> store.recentDecisions(tenant, (int) limit)
          .compose(rows -> vertx.executeBlocking(() -> PolicySimulation.run(c.compiled(), rows)
              .mergeIn(versionOf(c)), false)));
    });
  }

  /** The policy to evaluate: given modules, else the given version, else the tenant's active one. */
  private Future<TenantPolicy> candidate(UUID tenant, UUID versionId, Map<String, String> modules) {
    if (modules != null && versionId != null) {
      return Future.failedFuture(ApiError.badRequest("validation_error",
          "Send either 'modules' (or 'source') or 'version_id', not both"));
    }
    if (modules != null) {
      return compile(modules).map(c -> new TenantPolicy(tenant.toString(), null, 0, null, modules, c));
    }
    if (versionId != null) {
      return existing(tenant, versionId).compose(v -> {
        Map<String, String> m = PolicyModules.toMap(v.modules());
        return compile(m).map(c -> new TenantPolicy(tenant.toString(), v.id().toString(), v.version(), null, m, c));
      });
    }
    TenantPolicy active = registry.active(tenant.toString());
    if (active != null) {
      return Future.succeededFuture(active);
    }
    return Future.failedFuture(new ApiError(404, "no_active_policy", "The tenant has no active policy"));
  }

  // ---------------------------------------------------------------- helpers

  /** Checks the package rule and compiles on a worker thread; failures are {@link Invalid}. */
  private Future<CompiledPolicy> compile(Map<String, String> modules) {
    JsonArray pkg = PolicyModules.packageErrors(modules);
    if (!pkg.isEmpty()) {
      return Future.failedFuture(new Invalid(400, "policy_invalid", "A module is outside package "
          + PolicyModules.TENANT_PACKAGE, pkg));
    }
    TenantPolicyRegistry.PolicyCompiler compiler = registry.compiler();
    return vertx.executeBlocking(() -> {
      CompiledPolicy c;
      try {
        c = compiler.compile(modules);
      } catch (RegoError e) {
        throw new Invalid(400, "policy_invalid", e.getMessage(), errors(e));
      }
      JsonArray bad = new JsonArray();
      for (String name : c.packages()) {
        if (!PolicyModules.allowedPackage(name)) {
          bad.add(PolicyModules.error("package_not_allowed", "Tenant modules must be in package "
              + PolicyModules.TENANT_PACKAGE + " or below, not " + name, null, 0, 0));
        }
      }
      if (!bad.isEmpty()) {
        throw new Invalid(400, "policy_invalid", "A module is outside package " + PolicyModules.TENANT_PACKAGE, bad);
      }
      return c;
    }, false);
  }

  private static JsonArray errors(RegoError e) {
    return new JsonArray().add(PolicyModules.error(e.code(), e.detail(), e.file(), e.line(), e.column()));
  }

  private Future<PgPolicyStore.Version> existing(UUID tenant, UUID id) {
    return store.version(tenant, id).compose(v -> v == null
        ? Future.failedFuture(ApiError.notFound("Policy version")) : Future.succeededFuture(v));
  }

  private static JsonObject versionJson(PgPolicyStore.Version v) {
    JsonObject o = v.toJson(false);
    if (v.modules() != null) {
      o.put("files", new JsonArray(List.copyOf(v.modules().fieldNames())));
    }
    return o;
  }

  private static UUID tenant(Principal p) {
    return UUID.fromString(p.tenantId());
  }

  private static UUID optionalUuid(JsonObject b, String field) {
    Object v = b.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw ApiError.badRequest("validation_error", "'" + field + "' must be a UUID");
    }
    try {
      return Bodies.uuid(s, field, true);
    } catch (ApiError e) {
      // a malformed id cannot name a version of this tenant
      throw ApiError.notFound("Policy version");
    }
  }

  /** {@code version} and {@code version_id} of the evaluated policy (null for given modules). */
  private static JsonObject versionOf(TenantPolicy c) {
    return new JsonObject().put("version", c.versionId() == null ? null : c.version())
        .put("version_id", c.versionId());
  }

  /**
   * Answers with what {@code action} produces; an {@link ApiError} thrown while preparing it
   * (validation, parsing) is the answer.
   */
  private static <T> void answer(RoutingContext rc, int status,
      java.util.function.Supplier<Future<T>> action) {
    Future<T> f;
    try {
      f = action.get();
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    reply(rc, status, f);
  }

  /** Replies with the future's value; maps policy errors and store conflicts. */
  private static <T> void reply(RoutingContext rc, int status, Future<T> f) {
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        Envelope.ok(rc, status, ar.result());
        return;
      }
      Throwable t = ar.cause();
      if (t instanceof Invalid i) {
        Envelope.error(rc, i.status, i.key, i.getMessage(), new JsonObject().put("errors", i.errors));
      } else if (t instanceof PgPolicyStore.Conflict c) {
        Envelope.error(rc, 409, c.key(), c.getMessage());
      } else {
        Envelope.fail(rc, t);
      }
    });
  }

  /** A policy that does not compile or evaluate, with OPA-style error entries. */
  static final class Invalid extends RuntimeException {
    final int status;
    final String key;
    final JsonArray errors;

    Invalid(int status, String key, String message, JsonArray errors) {
      super(message, null, false, false);
      this.status = status;
      this.key = key;
      this.errors = errors;
    }
  }
}
