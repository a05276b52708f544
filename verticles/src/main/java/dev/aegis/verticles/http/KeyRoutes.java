package dev.aegis.verticles.http;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.verticles.gateway.GatewayServices;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * {@code POST /admin/keys/rotate} (platform admin): a new token-signing key becomes active at
 * once in every process; the old key keeps verifying until the last token it signed has expired
 * (access-token lifetime + 5 min), so rotation needs no downtime and logs no one out.
 */
public final class KeyRoutes {

  private final GatewayServices s;
  private final ManagementAuth auth;
  private final ManagementAudit audit;

  public KeyRoutes(GatewayServices s, ManagementAuth auth, ManagementAudit audit) {
    this.s = s;
    this.auth = auth;
    this.audit = audit;
  }

  public void mount(Router router) {
    router.post("/admin/keys/rotate").handler(auth.require(Set.of(Principal.Roles.ADMIN))).handler(this::rotate);
  }

  private void rotate(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    if (!p.platformAdmin()) {
      Envelope.error(rc, 403, "platform_admin_required", "Key rotation needs a platform admin");
      return;
    }
    Future<JsonObject> f = s.keyRotation().rotate()
        .compose(kid -> audit.record(rc, p, p.tenantId(), "signing_key_rotated", "allow", null,
            new JsonObject().put("kid", kid)).map(r -> new JsonObject().put("active_kid", kid)));
    Envelope.reply(rc, 200, f);
  }
}
