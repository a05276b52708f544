package dev.aegis.verticles.http;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.verticles.gateway.GatewayServices;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * {@code POST /admin/keys/rotate} and {@code POST /admin/evidence-keys/rotate}. The first: a new
 * token-signing key becomes active at
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
    router.post("/admin/evidence-keys/rotate").handler(auth.require(Set.of(Principal.Roles.ADMIN)))
        .handler(this::rotateEvidence);
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

  /**
   * {@code POST /admin/evidence-keys/rotate} (platform admin): a new Ed25519 key signs checkpoints,
   * receipts and daily roots from now on, in every process; every old key stays published at
   * {@code /transparency/keys}, so evidence signed before the rotation still verifies.
   */
  private void rotateEvidence(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    if (!p.platformAdmin()) {
      Envelope.error(rc, 403, "platform_admin_required", "Key rotation needs a platform admin");
      return;
    }
    Future<JsonObject> f = s.evidenceKeys().rotate()
        .compose(fp -> s.invalidations().publish(EVIDENCE_KEYS_CHANNEL, new JsonObject().put("fingerprint", fp))
            .recover(e -> Future.succeededFuture()).map(v -> fp))
        .compose(fp -> audit.record(rc, p, p.tenantId(), "evidence_key_rotated", "allow", null,
            new JsonObject().put("fingerprint", fp)).map(r -> new JsonObject().put("active_fingerprint", fp)));
    Envelope.reply(rc, 200, f);
  }

  /** Invalidation channel: every process reloads its evidence keys. */
  public static final String EVIDENCE_KEYS_CHANNEL = "evidence_keys";
}
