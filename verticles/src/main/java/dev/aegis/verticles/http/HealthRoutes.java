package dev.aegis.verticles.http;

import dev.aegis.verticles.gateway.GatewayServices;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /health} (liveness), {@code GET /readiness} (Postgres answers, kill-switch state
 * loaded, Redis answers when configured; 503 otherwise) and {@code GET /metrics} (Prometheus text).
 */
public final class HealthRoutes {

  private final GatewayServices s;

  public HealthRoutes(GatewayServices s) {
    this.s = s;
  }

  public void mount(Router router) {
    router.get("/health").handler(rc -> Envelope.ok(rc, 200, new JsonObject().put("status", "ok")));
    router.get("/readiness").handler(this::readiness);
    router.get("/metrics").handler(rc -> rc.response().putHeader("content-type",
        "text/plain; version=0.0.4; charset=utf-8").end(s.metrics().scrape()));
  }

  private void readiness(RoutingContext rc) {
    Future<Void> pg = s.pool().query("SELECT 1").execute().<Void>mapEmpty().timeout(2, TimeUnit.SECONDS);
    Future<Void> redis = s.redisPing() == null ? Future.succeededFuture()
        : s.redisPing().get().timeout(2, TimeUnit.SECONDS);
    boolean killSwitchKnown = s.killSwitchView().state("00000000-0000-0000-0000-000000000000")
        != dev.aegis.pipeline.ports.KillSwitchView.State.UNKNOWN;
    Future.join(pg, redis).onComplete(ar -> {
      JsonObject checks = new JsonObject()
          .put("postgres", pg.succeeded() ? "ok" : "down")
          .put("redis", s.redisPing() == null ? "not_configured" : redis.succeeded() ? "ok" : "down")
          .put("kill_switch_state", killSwitchKnown ? "loaded" : "unknown");
      boolean ready = pg.succeeded() && redis.succeeded() && killSwitchKnown;
      if (ready) {
        Envelope.ok(rc, 200, new JsonObject().put("status", "ready").put("checks", checks));
      } else {
        Envelope.error(rc, 503, "not_ready", "A dependency is not available", new JsonObject().put("checks", checks));
      }
    });
  }
}
