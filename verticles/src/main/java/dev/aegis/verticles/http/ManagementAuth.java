package dev.aegis.verticles.http;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.pipeline.ports.TokenVerifier;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Stage 1 for management routes: verifies the bearer token, checks {@code X-Tenant-ID} (when
 * sent) against the token's tenant (403 {@code tenant_mismatch}), and gates by role (403
 * {@code insufficient_role}). Agent credentials may only call {@code /execute}. The principal is
 * stored in the routing context under {@link #PRINCIPAL}; handlers take the tenant from it only.
 */
public final class ManagementAuth {

  public static final String PRINCIPAL = "principal";
  /** The raw bearer credential of the request (for logout and introspection of one's own token). */
  public static final String TOKEN = "bearerToken";
  public static final Set<String> WRITERS = Set.of(Principal.Roles.ADMIN, Principal.Roles.SECURITY);
  public static final Set<String> READERS = Set.of(Principal.Roles.ADMIN, Principal.Roles.SECURITY,
      Principal.Roles.AUDITOR, Principal.Roles.VIEWER);
  /** Any verified caller, agents included (e.g. {@code /auth/me}, logout). */
  public static final Set<String> ANYONE = Principal.Roles.ALL;
  public static final Set<String> AUDIT_READERS = Set.of(Principal.Roles.ADMIN,
      Principal.Roles.SECURITY, Principal.Roles.AUDITOR);

  private final TokenVerifier verifier;
  private final dev.aegis.pipeline.ports.TenantDirectory tenants;

  /** Without a tenant check (tests). */
  public ManagementAuth(TokenVerifier verifier) {
    this(verifier, null);
  }

  /** @param tenants refuses callers whose tenant is disabled (403 {@code tenant_inactive}) */
  public ManagementAuth(TokenVerifier verifier, dev.aegis.pipeline.ports.TenantDirectory tenants) {
    this.verifier = verifier;
    this.tenants = tenants;
  }

  public static Principal principal(RoutingContext rc) {
    return rc.get(PRINCIPAL);
  }

  /** A handler that lets the request through only for the given roles. */
  public Handler<RoutingContext> require(Set<String> roles) {
    return rc -> {
      String header = rc.request().getHeader("Authorization");
      if (header == null) {
        String cookie = rc.request().getCookie("acp_token") == null ? null
            : rc.request().getCookie("acp_token").getValue();
        header = cookie == null ? null : "Bearer " + cookie;
      }
      String token = null;
      final String authHeader = header;
      if (header != null && header.length() > 7 && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        token = header.substring(7).trim();
      }
      if (token == null || token.isEmpty()) {
        Envelope.error(rc, 401, authHeader == null ? "missing_credentials" : "invalid_token",
            "A Bearer credential is required");
        return;
      }
      final String authToken = token;
      verifier.verify(token).onComplete(ar -> {
        if (ar.failed()) {
          if (ar.cause() instanceof TokenVerifier.AuthFailure af) {
            Envelope.error(rc, 401, af.key(), af.getMessage());
          } else {
            Envelope.fail(rc, ar.cause());
          }
          return;
        }
        Principal p = ar.result();
        String tenantHeader = rc.request().getHeader("X-Tenant-ID");
        if (tenantHeader != null && !tenantHeader.equals(p.tenantId())) {
          Envelope.error(rc, 403, "tenant_mismatch", "X-Tenant-ID does not match the credential's tenant");
          return;
        }
        io.vertx.core.http.HttpMethod m = rc.request().method();
        String scope = m == io.vertx.core.http.HttpMethod.GET || m == io.vertx.core.http.HttpMethod.HEAD
            ? Principal.Scopes.READ : Principal.Scopes.WRITE;
        if (!p.allows(scope)) {
          Envelope.error(rc, 403, "insufficient_scope", "This API key lacks the " + scope + " scope");
          return;
        }
        if (!roles.contains(p.role())) {
          Envelope.error(rc, 403, "insufficient_role", p.isAgent()
              ? "Agent credentials may only call /execute"
              : "This operation requires one of the roles " + roles);
          return;
        }
        if (tenants == null) {
          rc.put(PRINCIPAL, p);
          rc.put(TOKEN, authToken);
          rc.next();
          return;
        }
        tenants.settings(p.tenantId()).onComplete(t -> {
          if (t.failed()) {
            Envelope.error(rc, 503, "auth_unavailable", "The tenant directory is unavailable");
          } else if (t.result() == null) {
            Envelope.error(rc, 403, "tenant_inactive", "The tenant does not exist or is disabled");
          } else {
            rc.put(PRINCIPAL, p);
            rc.put(TOKEN, authToken);
            rc.next();
          }
        });
      });
    };
  }
}
