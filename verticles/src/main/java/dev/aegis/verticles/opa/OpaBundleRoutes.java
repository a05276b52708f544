package dev.aegis.verticles.opa;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.pipeline.ports.TenantPolicySource;
import dev.aegis.pipeline.ports.TenantPolicySource.TenantPolicy;
import dev.aegis.verticles.http.Envelope;
import dev.aegis.verticles.http.ManagementAuth;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code GET /policy/bundle} and {@code GET /policy/bundle.tar.gz} (any reader of the caller's
 * tenant, API keys included): the tenant's ACTIVE policy as an OPA bundle ({@link OpaBundle}), so
 * an OPA server can pull it with the bundle plugin:
 *
 * <pre>
 * services:
 *   aegis:
 *     url: https://gateway.example
 *     credentials:
 *       bearer:
 *         token: "&lt;an Aegis API key of the tenant (role VIEWER, scope read)&gt;"
 * bundles:
 *   aegis-tenant:
 *     service: aegis
 *     resource: /policy/bundle.tar.gz
 *     polling: {min_delay_seconds: 1, max_delay_seconds: 5}
 * </pre>
 *
 * <p>The {@code ETag} is the quoted revision (or, if the revision has characters an entity tag
 * cannot carry, the quoted hex SHA-256 of it); a request whose {@code If-None-Match} lists it (or
 * {@code *}) gets 304 with no body, which is how OPA's bundle downloader polls. No active policy:
 * 404 {@code policy_not_found}. A module outside {@code package aegis.tenant}: 409
 * {@code policy_not_bundleable}. Built bundles are kept per tenant until the revision changes;
 * building (tar and gzip) runs on a worker thread.
 */
public final class OpaBundleRoutes {

  private static final Pattern ETAG_SAFE = Pattern.compile("[\\x21\\x23-\\x2b\\x2d-\\x7e]+");

  private final Vertx vertx;
  private final TenantPolicySource policies;
  private final ManagementAuth auth;
  private final ConcurrentHashMap<String, OpaBundle.Built> built = new ConcurrentHashMap<>();

  public OpaBundleRoutes(Vertx vertx, TenantPolicySource policies, ManagementAuth auth) {
    this.vertx = vertx;
    this.policies = policies;
    this.auth = auth;
  }

  public void mount(Router router) {
    router.get("/policy/bundle").handler(auth.require(ManagementAuth.READERS)).handler(this::serve);
    router.get("/policy/bundle.tar.gz").handler(auth.require(ManagementAuth.READERS)).handler(this::serve);
  }

  private void serve(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    TenantPolicy active = policies == null ? null : policies.active(p.tenantId());
    if (active == null) {
      Envelope.error(rc, 404, "policy_not_found", "The tenant has no active policy");
      return;
    }
    String etag = etag(active.revision());
    if (matches(rc.request().getHeader("If-None-Match"), etag)) {
      rc.response().setStatusCode(304).putHeader("ETag", etag).putHeader("Cache-Control", "no-cache").end();
      return;
    }
    bundle(active).onComplete(ar -> {
      if (ar.failed()) {
        if (ar.cause() instanceof OpaBundle.NotBundleable nb) {
          Envelope.error(rc, 409, "policy_not_bundleable", nb.getMessage());
        } else {
          Envelope.fail(rc, ar.cause());
        }
        return;
      }
      if (rc.response().ended() || rc.response().closed()) {
        return;
      }
      rc.response().setStatusCode(200).putHeader("Content-Type", "application/gzip")
          .putHeader("Content-Disposition", "attachment; filename=\"bundle.tar.gz\"")
          .putHeader("ETag", etag).putHeader("Cache-Control", "no-cache")
          .end(Buffer.buffer(ar.result().gzip()));
    });
  }

  private Future<OpaBundle.Built> bundle(TenantPolicy active) {
    OpaBundle.Built cached = built.get(active.tenantId());
    if (cached != null && cached.revision().equals(active.revision())) {
      return Future.succeededFuture(cached);
    }
    return vertx.executeBlocking(() -> OpaBundle.build(active), false)
        .onSuccess(b -> built.put(active.tenantId(), b));
  }

  /** The entity tag of a revision: the quoted revision, or the quoted SHA-256 hex of an unsafe one. */
  public static String etag(String revision) {
    if (revision != null && ETAG_SAFE.matcher(revision).matches()) {
      return "\"" + revision + "\"";
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(String.valueOf(revision).getBytes(StandardCharsets.UTF_8));
      return "\"" + HexFormat.of().formatHex(d) + "\"";
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** RFC 9110 If-None-Match: {@code *} or a list of (weak or strong) tags, compared weakly. */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
      return false;
    }
    for (String part : ifNoneMatch.split(",")) {
      String t = part.trim();
      if (t.equals("*")) {
        return true;
      }
      if (t.startsWith("W/")) {
        t = t.substring(2);
      }
      if (t.equals(etag)) {
        return true;
      }
    }
    return false;
  }
}
