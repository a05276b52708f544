package dev.aegis.verticles.policy;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.pipeline.ports.TenantPolicySource.TenantPolicy;
import dev.aegis.storage.pg.PgShadowDecisionStore;
import dev.aegis.verticles.gateway.GatewayServices;
import dev.aegis.verticles.http.ApiError;
import dev.aegis.verticles.http.Bodies;
import dev.aegis.verticles.http.Envelope;
import dev.aegis.verticles.http.ManagementAuth;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * What the tenant's shadow policies would have done (SPEC §3.4 shadow mode), read-only, open to
 * every management role like the other policy reads, scoped to the caller's tenant:
 *
 * <ul>
 *   <li>{@code GET /policy/shadow/decisions?limit=&before=}: the recorded divergences, newest
 *       first, {@code {decisions: [...], next_before}}; {@code next_before} (an id, null on the
 *       last page) is passed as {@code before} for the next page.
 *   <li>{@code GET /policy/shadow/summary}: for the tenant's current shadow version
 *       {@code {shadow_version, shadow_version_id, would_have_blocked, divergent, by_rule: {rule:
 *       count}}} ({@code shadow_version} null and zero counts when no shadow is set).
 * </ul>
 */
public final class ShadowDecisionRoutes {

  private final PgShadowDecisionStore store;
  private final TenantPolicyRegistry registry;
  private final ManagementAuth auth;

  public ShadowDecisionRoutes(GatewayServices s, ManagementAuth auth) {
    this(new PgShadowDecisionStore(s.pool()), s.tenantPolicies(), auth);
  }

  public ShadowDecisionRoutes(PgShadowDecisionStore store, TenantPolicyRegistry registry, ManagementAuth auth) {
    this.store = store;
    this.registry = registry;
    this.auth = auth;
  }

  public void mount(Router router) {
    var r = auth.require(ManagementAuth.READERS);
    router.get("/policy/shadow/decisions").handler(r).handler(this::decisions);
    router.get("/policy/shadow/summary").handler(r).handler(this::summary);
  }

  private void decisions(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      int limit = Bodies.intParam(rc, "limit", 100, 1, 1000);
      Long before = before(rc.request().getParam("before"));
      f = store.page(UUID.fromString(p.tenantId()), limit, before).map(rows -> {
        JsonArray items = new JsonArray();
        rows.forEach(d -> items.add(d.toJson()));
        String next = rows.size() < limit ? null : Long.toString(rows.get(rows.size() - 1).id());
        return new JsonObject().put("decisions", items).put("next_before", next);
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private void summary(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    TenantPolicy shadow = registry.shadow(p.tenantId());
    if (shadow == null) {
      Envelope.ok(rc, 200, new JsonObject().put("shadow_version", null).put("shadow_version_id", null)
          .put("would_have_blocked", 0).put("divergent", 0).put("by_rule", new JsonObject()));
      return;
    }
    Envelope.reply(rc, 200, store.summary(UUID.fromString(p.tenantId()), UUID.fromString(shadow.versionId()))
        .map(s -> {
          JsonObject byRule = new JsonObject();
          s.byRule().forEach(byRule::put);
          return new JsonObject().put("shadow_version", shadow.version())
              .put("shadow_version_id", shadow.versionId()).put("would_have_blocked", s.wouldHaveBlocked())
              .put("divergent", s.divergent()).put("by_rule", byRule);
        }));
  }

  private static Long before(String v) {
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      long l = Long.parseLong(v);
      if (l < 1) {
        throw new NumberFormatException();
      }
      return l;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("validation_error", "'before' must be a 'next_before' value of a previous page");
    }
  }
}
