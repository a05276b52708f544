package dev.aegis.verticles.evidence;

import dev.aegis.pipeline.evidence.DailyRoot;
import dev.aegis.pipeline.evidence.DailyRootChain;
import dev.aegis.pipeline.evidence.EvidenceException;
import dev.aegis.pipeline.ports.Principal;
import dev.aegis.storage.pg.PgRootStore;
import dev.aegis.verticles.gateway.GatewayServices;
import dev.aegis.verticles.http.ApiError;
import dev.aegis.verticles.http.Bodies;
import dev.aegis.verticles.http.Envelope;
import dev.aegis.verticles.http.ManagementAuth;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * Daily transparency roots of the caller's tenant (the tenant comes from the verified principal
 * only; ADMIN, SECURITY, AUDITOR):
 *
 * <ul>
 *   <li>{@code GET /transparency/roots?since=yyyy-MM-dd&until=yyyy-MM-dd&limit=N} (newest first,
 *       limit 1..366, default 30): {@code {items: [row...], count}};
 *   <li>{@code GET /transparency/roots/{date}}: one row, 404 {@code not_found};
 *   <li>{@code POST /transparency/verify-root} (body: a row as served, optionally with
 *       {@code previous}: the previous day's row): {@code {valid, reason, signature_valid,
 *       prev_link_checked, prev_link_valid, root_date, root_hash}};
 *   <li>{@code POST /transparency/compute} (ADMIN, SECURITY): seals closed days and re-anchors
 *       today's running root now; answers today's row (404 {@code empty_log} without a log).
 * </ul>
 *
 * <p>A row: {@code {tenant_id, root_date, root_hash, prev_root_hash, leaf_count, tree_size,
 * leaf_range_start_id, leaf_range_end_id, window_end, sealed, computed_at, signed_root_payload,
 * signature, algorithm, signing_key_fingerprint, kid}}.
 */
public final class RootRoutes {

  private final Vertx vertx;
  private final DailyRootService roots;
  private final EvidenceKeys keys;
  private final ManagementAuth auth;

  public RootRoutes(Vertx vertx, GatewayServices s, ManagementAuth auth) {
    this.vertx = vertx;
    this.keys = s.evidenceKeys();
    this.roots = new DailyRootService(new PgRootStore(s.pool()), new ProofService(s.audit()), keys,
        Clock.systemUTC());
    this.auth = auth;
  }

  public void mount(Router router) {
    var readers = auth.require(ManagementAuth.AUDIT_READERS);
    router.get("/transparency/roots").handler(readers).handler(this::list);
    router.get("/transparency/roots/:date").handler(readers).handler(this::one);
    router.post("/transparency/verify-root").handler(readers).handler(this::verify);
    router.post("/transparency/compute").handler(auth.require(ManagementAuth.WRITERS)).handler(this::compute);
  }

  private void list(RoutingContext rc) {
    Future<JsonObject> f;
    try {
      UUID tenant = tenant(rc);
      LocalDate since = date(rc.request().getParam("since"), "since");
      LocalDate until = date(rc.request().getParam("until"), "until");
      int limit = Bodies.intParam(rc, "limit", 30, 1, 366);
      f = roots.store().list(tenant, since, until, limit).map(rows -> {
        JsonArray items = new JsonArray();
        rows.forEach(r -> items.add(DailyRootService.toJson(r)));
        return new JsonObject().put("items", items).put("count", items.size());
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private void one(RoutingContext rc) {
    Future<JsonObject> f;
    try {
      UUID tenant = tenant(rc);
      LocalDate d = date(rc.pathParam("date"), "date");
      f = roots.store().get(tenant, d).compose(r -> r == null ? Future.failedFuture(ApiError.notFound("root"))
          : Future.succeededFuture(DailyRootService.toJson(r)));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private void compute(RoutingContext rc) {
    UUID tenant = tenant(rc);
    Envelope.reply(rc, 200, roots.advance(tenant).compose(r -> {
      if (r == null) {
        return Future.failedFuture(new ApiError(404, "empty_log", "The tenant's log has no entries yet"));
      }
      vertx.eventBus().publish(RootScheduler.NUDGE, tenant.toString()); // publish soon
      return Future.succeededFuture(DailyRootService.toJson(r));
    }));
  }

  /** Checks a served row (see the class comment). */
  private void verify(RoutingContext rc) {
    UUID tenant = tenant(rc);
    JsonObject body = Bodies.json(rc);
    Map<String, Ed25519PublicKeyParameters> pub = keys.publicKeys();
    JsonObject out = new JsonObject().put("valid", false).put("signature_valid", false)
        .put("prev_link_checked", false).putNull("prev_link_valid");
    DailyRoot root;
    try {
      root = check(body, pub);
    } catch (EvidenceException e) {
      Envelope.ok(rc, 200, out.put("reason", e.reason().name().toLowerCase() + ": " + e.getMessage()));
      return;
    } catch (RuntimeException e) {
      Envelope.ok(rc, 200, out.put("reason", "malformed: " + e.getMessage()));
      return;
    }
    out.put("signature_valid", true).put("root_date", root.rootDate()).put("root_hash", root.rootHash());
    if (!root.tenantId().equals(tenant.toString())) {
      Envelope.ok(rc, 200, out.put("reason", "the root belongs to another tenant"));
      return;
    }
    String shape = DailyRootChain.checkShape(root);
    if (shape != null) {
      Envelope.ok(rc, 200, out.put("reason", shape));
      return;
    }
    Future<DailyRoot> previous;
    Object given = body.getValue("previous");
    if (given instanceof JsonObject p) {
      try {
        previous = Future.succeededFuture(check(p, pub));
      } catch (RuntimeException e) {
        Envelope.ok(rc, 200, out.put("prev_link_checked", true).put("prev_link_valid", false)
            .put("reason", "previous root: " + e.getMessage()));
        return;
      }
    } else {
      LocalDate before = LocalDate.parse(root.rootDate()).minusDays(1);
      previous = roots.store().get(tenant, before).map(r -> r == null ? null
          : DailyRoot.verify(r.signedRootPayload(), r.signature(), r.signingKeyFingerprint(), pub));
    }
    previous.onComplete(ar -> {
      if (ar.failed()) {
        Envelope.fail(rc, ar.cause());
        return;
      }
      DailyRoot prev = ar.result();
      String reason = null;
      if (prev != null) {
        reason = DailyRootChain.checkLink(root, prev);
        out.put("prev_link_checked", true).put("prev_link_valid", reason == null);
      }
      Envelope.ok(rc, 200, out.put("valid", reason == null).put("reason", reason));
    });
  }

  /**
   * The signature of a served row against the published keys, and its top-level fields against
   * the signed payload.
   */
  private static DailyRoot check(JsonObject row, Map<String, Ed25519PublicKeyParameters> pub) {
    String alg = row.getString("algorithm");
    if (alg != null && !"ed25519".equals(alg)) {
      throw new EvidenceException(EvidenceException.Reason.MALFORMED_ENVELOPE, "unsupported algorithm " + alg);
    }
    String fp = row.getString("signing_key_fingerprint", row.getString("kid"));
    DailyRoot r = DailyRoot.verify(Objects.requireNonNull(row.getString("signed_root_payload"),
        "signed_root_payload is required"), row.getString("signature"), fp, pub);
    JsonObject payload = r.toJson();
    for (String name : List.of("tenant_id", "root_date", "root_hash", "prev_root_hash", "leaf_count",
        "leaf_range_start_id", "leaf_range_end_id", "window_end")) {
      if (row.containsKey(name) && !Objects.equals(String.valueOf(row.getValue(name)),
          String.valueOf(payload.getValue(name)))) {
        throw new EvidenceException(EvidenceException.Reason.MALFORMED_ENVELOPE,
            "'" + name + "' differs from the signed payload");
      }
    }
    return r;
  }

  private static LocalDate date(String v, String name) {
    if (v == null || v.isEmpty()) {
      if ("date".equals(name)) {
        throw ApiError.badRequest("validation_error", "'date' must be yyyy-MM-dd");
      }
      return null;
    }
    try {
      LocalDate d = LocalDate.parse(v);
      if (!d.toString().equals(v)) {
        throw new DateTimeParseException("not canonical", v, 0);
      }
      return d;
    } catch (DateTimeParseException e) {
      throw ApiError.badRequest("validation_error", "'" + name + "' must be yyyy-MM-dd");
    }
  }

  private static UUID tenant(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    return UUID.fromString(p.tenantId());
  }
}
