package dev.aegis.verticles.http;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.storage.pg.PgKillSwitchStore;
import dev.aegis.verticles.bus.Addresses;
import dev.aegis.verticles.gateway.GatewayServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * {@code GET/POST/DELETE /decision/kill-switch/{tenant_id}} (ADMIN and SECURITY only; the path
 * tenant must be the caller's). Engaging writes the durable row, updates this process's view
 * (effective on the next request), publishes an invalidation for other processes, and records an
 * audit row {@code kill_switch_engaged} / {@code kill_switch_disengaged}.
 */
public final class KillSwitchRoutes {

  private final Vertx vertx;
  private final GatewayServices s;
  private final ManagementAuth auth;
  private final ManagementAudit audit;

  public KillSwitchRoutes(Vertx vertx, GatewayServices s, ManagementAuth auth, ManagementAudit audit) {
    this.vertx = vertx;
    this.s = s;
    this.auth = auth;
    this.audit = audit;
  }

  public void mount(Router router) {
    String path = "/decision/kill-switch/:tenantId";
    router.get(path).handler(auth.require(ManagementAuth.WRITERS)).handler(this::get);
    router.post(path).handler(auth.require(ManagementAuth.WRITERS)).handler(this::post);
    router.delete(path).handler(auth.require(ManagementAuth.WRITERS)).handler(rc -> set(rc, false, null));
  }

  private UUID tenant(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    String path = rc.pathParam("tenantId");
    if (!p.tenantId().equals(path)) {
      throw ApiError.forbidden("tenant_mismatch", "The kill switch of another tenant cannot be read or changed");
    }
    return UUID.fromString(p.tenantId());
  }

  private void get(RoutingContext rc) {
    Future<JsonObject> f;
    try {
      UUID t = tenant(rc);
      f = s.killSwitches().get(t).map(sw -> json(t, sw));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private void post(RoutingContext rc) {
    try {
      JsonObject b = Bodies.json(rc);
      String action = Bodies.requiredString(b, "action", 16);
      String reason = Bodies.optionalString(b, "reason", 500);
      switch (action) {
        case "engage" -> set(rc, true, reason);
        case "disengage" -> set(rc, false, reason);
        default -> throw ApiError.badRequest("validation_error", "'action' must be engage or disengage");
      }
    } catch (ApiError e) {
      Envelope.fail(rc, e);
    }
  }

  private void set(RoutingContext rc, boolean engage, String reason) {
    Future<JsonObject> f;
    try {
      UUID t = tenant(rc);
      Principal p = ManagementAuth.principal(rc);
      f = s.killSwitches().set(t, engage, reason, p.subject()).compose(sw -> {
        s.killSwitchView().set(t.toString(), engage);
        vertx.eventBus().publish(Addresses.INVALIDATE_KILLSWITCH,
            new JsonObject().put("tenant_id", t.toString()).put("engaged", engage));
        return audit.record(rc, p, t.toString(), engage ? "kill_switch_engaged" : "kill_switch_disengaged",
            engage ? "deny" : "allow", reason, null).map(r -> json(t, sw));
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private static JsonObject json(UUID t, PgKillSwitchStore.Switch sw) {
    return new JsonObject().put("tenant_id", t.toString()).put("engaged", sw != null && sw.engaged())
        .put("reason", sw == null ? null : sw.reason()).put("actor", sw == null ? null : sw.actor())
        .put("engaged_at", sw == null || sw.engagedAt() == null ? null : sw.engagedAt().toString())
        .put("disengaged_at", sw == null || sw.disengagedAt() == null ? null : sw.disengagedAt().toString());
  }
}
