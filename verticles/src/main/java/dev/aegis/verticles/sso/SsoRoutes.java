package dev.aegis.verticles.sso;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.aegis.pipeline.ports.Principal;
import dev.aegis.storage.pg.PgIdentityStore;
import dev.aegis.storage.pg.PgSsoStore;
import dev.aegis.verticles.gateway.GatewayServices;
import dev.aegis.verticles.http.ApiError;
import dev.aegis.verticles.http.Bodies;
import dev.aegis.verticles.http.Envelope;
import dev.aegis.verticles.http.ManagementAudit;
import dev.aegis.verticles.http.ManagementAuth;
import dev.aegis.verticles.identity.TokenService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * SSO: an OpenID Connect relying party per tenant (authorization-code flow with PKCE S256, state
 * and nonce).
 *
 * <ul>
 *   <li>{@code GET /auth/sso/config} (ADMIN): the tenant's providers, never their secrets
 *       ({@code client_secret_set} instead); {@code POST /auth/sso/config} (ADMIN): create (201) or
 *       replace (200) one provider; {@code DELETE /auth/sso/config/{provider}} (ADMIN);
 *       {@code POST /auth/sso/config/test} (ADMIN): runs discovery for {@code issuer} (or the stored
 *       {@code provider}) and reports the endpoints found or the problem.
 *   <li>{@code GET /auth/sso/providers?tenant_id=} (no credential; the tenant may come from
 *       {@code X-Tenant-ID}): the enabled providers, slug and display name only.
 *   <li>{@code GET /auth/sso/{provider}?tenant_id=} (no credential): starts a login — 302 to the
 *       provider's authorization endpoint, or 200 {@code {authorization_url}} with
 *       {@code Accept: application/json}.
 *   <li>{@code GET /auth/sso/{provider}/callback?code&state} (no credential): finishes it and
 *       answers 200 with the session (access and refresh token), as JSON only: this release never
 *       redirects after the login, the caller (UI) takes the tokens from the JSON.
 * </ul>
 *
 * <p>Errors: 404 {@code sso_not_configured}, 400 {@code invalid_state}, 400
 * {@code sso_provider_error} (the provider sent {@code error=...} back), 502
 * {@code sso_discovery_failed}, 502 {@code sso_exchange_failed}, 401 {@code invalid_id_token}, 403
 * {@code sso_user_conflict} (the e-mail belongs to another tenant, or to a platform admin), 403
 * {@code sso_domain_not_allowed}, 403 {@code sso_email_unverified}, 403 {@code user_disabled}, 429
 * {@code too_many_attempts}.
 */
public final class SsoRoutes {

  /** The password hash of SSO-created users: not a PHC string, so no password ever matches. */
  public static final String UNUSABLE_PASSWORD = "!sso";
  static final long STATE_TTL_SECONDS = 600;
  /** Logins started per client address in {@link #START_WINDOW_MILLIS} before 429. */
  static final int MAX_STARTS_PER_IP = 300;
  static final long START_WINDOW_MILLIS = 10 * 60_000L;
  private static final Set<String> ADMIN_ONLY = Set.of(Principal.Roles.ADMIN);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final GatewayServices s;
  private final ManagementAuth auth;
  private final ManagementAudit audit;
  private final PgSsoStore store;
  /** Created on first use, on this instance's event loop (so it closes with the verticle). */
  private OidcClient oidc;

  public SsoRoutes(Vertx vertx, GatewayServices s, ManagementAuth auth, ManagementAudit audit) {
    this.vertx = vertx;
    this.s = s;
    this.auth = auth;
    this.audit = audit;
    this.store = new PgSsoStore(s.pool());
  }

  private OidcClient oidc() {
    if (oidc == null) {
      oidc = new OidcClient(vertx);
    }
    return oidc;
  }

  public void mount(Router router) {
    router.get("/auth/sso/config").handler(auth.require(ADMIN_ONLY)).handler(this::listConfig);
    router.post("/auth/sso/config/test").handler(auth.require(ADMIN_ONLY)).handler(this::testConfig);
    router.post("/auth/sso/config").handler(auth.require(ADMIN_ONLY)).handler(this::saveConfig);
    router.delete("/auth/sso/config/:provider").handler(auth.require(ADMIN_ONLY)).handler(this::deleteConfig);
    router.get("/auth/sso/providers").handler(this::providers);
    router.get("/auth/sso/:provider/callback").handler(this::callback);
    router.get("/auth/sso/:provider").handler(this::start);
  }

  // ------------------------------------------------------------------ configuration (ADMIN)

  private void listConfig(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Envelope.reply(rc, 200, store.providers(UUID.fromString(p.tenantId())).map(list -> {
      JsonArray items = new JsonArray();
      list.forEach(x -> items.add(SsoConfig.toJson(x)));
      return new JsonObject().put("items", items).put("total", items.size());
    }));
  }

  private void saveConfig(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    UUID tenant = UUID.fromString(p.tenantId());
    PgSsoStore.Provider cfg;
    try {
      JsonObject b = Bodies.json(rc);
      sameTenant(b, p);
      cfg = SsoConfig.parse(b, tenant);
    } catch (ApiError e) {
      Envelope.fail(rc, e);
      return;
    }
    Future<PgSsoStore.Upserted> saved = store.provider(tenant, cfg.provider()).compose(old -> {
      boolean hasSecret = cfg.clientSecret() != null || (old != null && old.clientSecret() != null);
      if (!cfg.tokenAuthMethod().equals("none") && !hasSecret) {
        return Future.failedFuture(ApiError.badRequest("validation_error",
            "'client_secret' is required for " + cfg.tokenAuthMethod()));
      }
      return store.upsert(cfg);
    });
    saved.compose(u -> audit.record(rc, p, p.tenantId(), "sso_config_updated", "allow",
            u.created() ? "created" : "updated", new JsonObject().put("provider", u.provider().provider())
                .put("issuer", u.provider().issuer()).put("client_id", u.provider().clientId())
                .put("enabled", u.provider().enabled()).put("secret_changed", cfg.clientSecret() != null))
            .map(r -> u))
        .onComplete(ar -> {
          if (ar.failed()) {
            Envelope.fail(rc, ar.cause());
          } else {
            Envelope.ok(rc, ar.result().created() ? 201 : 200, SsoConfig.toJson(ar.result().provider()));
          }
        });
  }

  private void deleteConfig(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    String slug = rc.pathParam("provider");
    if (!SsoConfig.SLUG.matcher(slug).matches()) {
      Envelope.fail(rc, notConfigured());
      return;
    }
    Envelope.reply(rc, 200, store.delete(UUID.fromString(p.tenantId()), slug).compose(deleted -> {
      if (!deleted) {
        return Future.failedFuture(notConfigured());
      }
      return audit.record(rc, p, p.tenantId(), "sso_config_deleted", "allow", null,
          new JsonObject().put("provider", slug)).map(r -> new JsonObject().put("provider", slug).put("deleted", true));
    }));
  }

  /**
   * Runs discovery (bypassing the cache) for {@code issuer}, or for the stored {@code provider}'s
   * issuer, and fetches the key set: 200 {@code {ok: true, endpoints...}} or {@code {ok: false,
   * problem}}.
   */
  private void testConfig(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<String> issuer;
    try {
      JsonObject b = Bodies.json(rc);
      sameTenant(b, p);
      String given = Bodies.optionalString(b, "issuer", SsoUrls.MAX_URL_CHARS);
      String slug = Bodies.optionalString(b, "provider", 63);
      if ((given == null) == (slug == null)) {
        throw ApiError.badRequest("validation_error", "Send exactly one of 'issuer' or 'provider'");
      }
      if (given != null) {
        issuer = Future.succeededFuture(SsoUrls.require(given.trim(), "issuer", true));
      } else {
        issuer = store.provider(UUID.fromString(p.tenantId()), slug)
            .compose(x -> x == null ? Future.failedFuture(notConfigured()) : Future.succeededFuture(x.issuer()));
      }
    } catch (ApiError e) {
      Envelope.fail(rc, e);
      return;
    }
    issuer.onFailure(e -> Envelope.fail(rc, e)).onSuccess(iss -> oidc().fetchDiscovery(iss)
        .compose(d -> oidc().jwks(d.jwksUri(), true).map(keys -> d.toJson().put("ok", true)
            .put("signing_keys", keys.getKeys().size())))
        .onComplete(ar -> Envelope.ok(rc, 200, ar.succeeded() ? ar.result()
            : new JsonObject().put("ok", false).put("issuer", iss).put("problem", OidcClient.describe(ar.cause())))));
  }

  /** A body's {@code tenant_id}, when sent, must be the caller's tenant. */
  private static void sameTenant(JsonObject b, Principal p) {
    Object t = b.getValue("tenant_id");
    if (t != null && !p.tenantId().equals(t)) {
      throw ApiError.forbidden("tenant_mismatch", "SSO can only be configured for the caller's own tenant");
    }
  }

  // ------------------------------------------------------------------ login (no credential)

  private void providers(RoutingContext rc) {
    UUID tenant;
    try {
      tenant = tenantParam(rc);
    } catch (ApiError e) {
      Envelope.fail(rc, e);
      return;
    }
    Envelope.reply(rc, 200, store.enabledProviders(tenant).map(list -> {
      JsonArray items = new JsonArray();
      list.forEach(x -> items.add(new JsonObject().put("provider", x.provider()).put("display_name", x.displayName())));
      return new JsonObject().put("tenant_id", tenant.toString()).put("items", items);
    }));
  }

  private void start(RoutingContext rc) {
    String slug = rc.pathParam("provider");
    UUID tenant;
    try {
      tenant = tenantParam(rc);
      if (!SsoConfig.SLUG.matcher(slug).matches()) {
        throw notConfigured();
      }
    } catch (ApiError e) {
      Envelope.fail(rc, e);
      return;
    }
    String ipKey = "sso:start:ip:" + clientIp(rc);
    Future<JsonObject> f = s.counters().increment(ipKey, START_WINDOW_MILLIS).otherwise(0L).compose(n -> {
      if (n > MAX_STARTS_PER_IP) {
        rc.response().putHeader("Retry-After", Long.toString(START_WINDOW_MILLIS / 1000));
        return Future.failedFuture(new ApiError(429, "too_many_attempts", "Too many SSO logins started; try again later"));
      }
      return store.enabledProvider(tenant, slug);
    }).compose(p -> {
      if (p == null) {
        return Future.failedFuture(notConfigured());
      }
      return oidc().discover(p.issuer()).compose(d -> {
        String state = random();
        String nonce = random();
        String verifier = random();
        String url = authorizationUrl(d, p, state, nonce, challenge(verifier));
        Future<Void> stored = store.insertState(TokenService.secretHash(state), tenant, slug, nonce, verifier,
            p.redirectUri(), null, STATE_TTL_SECONDS);
        if (ThreadLocalRandom.current().nextInt(20) == 0) {
          stored = stored.compose(v -> store.purgeStates().<Void>mapEmpty().otherwiseEmpty());
        }
        return stored.map(v -> new JsonObject().put("authorization_url", url).put("provider", slug)
            .put("tenant_id", tenant.toString()).put("expires_in", STATE_TTL_SECONDS));
      });
    });
    f.onComplete(ar -> {
      rc.response().putHeader("Cache-Control", "no-store");
      if (ar.failed()) {
        Envelope.fail(rc, ar.cause());
        return;
      }
      String accept = rc.request().getHeader("Accept");
      if (accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("application/json")) {
        Envelope.ok(rc, 200, ar.result());
      } else if (!rc.response().ended() && !rc.response().closed()) {
        rc.response().setStatusCode(302).putHeader("Location", ar.result().getString("authorization_url"))
            .putHeader("content-type", "application/json")
            .end(new JsonObject().put("success", true).put("data", ar.result()).putNull("error")
                .put("meta", Envelope.meta(rc)).toBuffer());
      }
    });
  }

  private static String authorizationUrl(Discovery d, PgSsoStore.Provider p, String state, String nonce,
      String challenge) {
    String base = d.authorizationEndpoint();
    return base + (base.contains("?") ? "&" : "?") + "response_type=code"
        + "&client_id=" + q(p.clientId()) + "&redirect_uri=" + q(p.redirectUri()) + "&scope=" + q(p.scopes())
        + "&state=" + q(state) + "&nonce=" + q(nonce) + "&code_challenge=" + q(challenge)
        + "&code_challenge_method=S256";
  }

  private static String q(String v) {
    return OidcClient.enc(v).replace("+", "%20");
  }

  /** Callback context: the consumed state, once known (failures after it are audited). */
  private static final class Attempt {
    PgSsoStore.State state;
    String email;
  }

  private void callback(RoutingContext rc) {
    rc.response().putHeader("Cache-Control", "no-store").putHeader("Pragma", "no-cache");
    String slug = rc.pathParam("provider");
    String stateParam = rc.request().getParam("state");
    String code = rc.request().getParam("code");
    String error = rc.request().getParam("error");
    if (stateParam == null || stateParam.isEmpty() || stateParam.length() > 200) {
      Envelope.fail(rc, invalidState());
      return;
    }
    Attempt a = new Attempt();
    Future<JsonObject> f = store.consumeState(TokenService.secretHash(stateParam)).compose(st -> {
      // the state is now used, whatever happens next
      if (st == null || !st.live() || !st.provider().equals(slug)) {
        return Future.failedFuture(invalidState());
      }
      a.state = st;
      if (error != null) {
        return Future.failedFuture(ApiError.badRequest("sso_provider_error", "The provider refused the login ("
            + Discovery.clip(error.replaceAll("[^A-Za-z0-9_.-]", "")) + ")"));
      }
      if (code == null || code.isEmpty() || code.length() > 4096) {
        return Future.failedFuture(ApiError.badRequest("validation_error", "'code' is required"));
      }
      return store.enabledProvider(st.tenantId(), slug);
    }).compose(p -> {
      if (p == null) {
        return Future.failedFuture(notConfigured());
      }
      return oidc().discover(p.issuer()).compose(d -> oidc().exchange(d, p, code, a.state.codeVerifier(),
              a.state.redirectUri())
          .compose(tokens -> oidc().validate(tokens.getString("id_token"), d, p.clientId(), a.state.nonce())))
          .compose(claims -> login(rc, p, claims, a));
    });
    f.recover(e -> {
      if (a.state == null || !(e instanceof ApiError err)) {
        return Future.failedFuture(e);
      }
      // a failed login of a known tenant is audited (best effort); the client gets the original error
      JsonObject meta = new JsonObject().put("provider", slug).put("error", err.key()).put("detail", err.getMessage());
      if (a.email != null) {
        meta.put("email", a.email);
      }
      return audit.record(rc, null, a.state.tenantId().toString(), "sso_callback", "deny", err.key(), meta)
          .transform(ignored -> Future.<JsonObject>failedFuture(e));
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        Envelope.ok(rc, 200, ar.result());
      } else {
        Envelope.fail(rc, ar.cause());
      }
    });
  }

  /** Maps the validated identity to a user of the provider's tenant and opens a session. */
  private Future<JsonObject> login(RoutingContext rc, PgSsoStore.Provider p, JWTClaimsSet claims, Attempt a) {
    String email = SsoClaims.email(claims);
    if (email == null) {
      return Future.failedFuture(new ApiError(401, "invalid_id_token",
          "The ID token carries no usable e-mail (request the 'email' scope)"));
    }
    a.email = email;
    if (SsoClaims.emailUnverified(claims)) {
      return Future.failedFuture(ApiError.forbidden("sso_email_unverified", "The provider has not verified this e-mail"));
    }
    if (!p.allowedDomains().isEmpty() && !p.allowedDomains().contains(SsoClaims.domain(email))) {
      return Future.failedFuture(ApiError.forbidden("sso_domain_not_allowed",
          "This e-mail domain may not sign in with " + p.displayName()));
    }
    SsoClaims.Role mapped = SsoClaims.role(claims, p.roleClaim(), p.roleMapping(), p.defaultRole());
    UUID tenant = p.tenantId();
    return store.userByEmail(email).compose(existing -> existing != null ? Future.succeededFuture(new Found(existing, false))
            : store.insertUser(tenant, email, UNUSABLE_PASSWORD, mapped.role(), SsoClaims.fullName(claims))
                // a concurrent first login of the same e-mail inserted it: use that row
                .compose(created -> created != null ? Future.succeededFuture(new Found(created, true))
                    : store.userByEmail(email).map(u -> new Found(u, false))))
        .compose(found -> {
          PgIdentityStore.User u = found.user();
          if (u == null) {
            return Future.failedFuture(new IllegalStateException("user vanished during SSO login"));
          }
          if (!u.tenantId().equals(tenant)) {
            return Future.failedFuture(ApiError.forbidden("sso_user_conflict",
                "This e-mail belongs to an account of another tenant"));
          }
          if (u.platformAdmin()) {
            return Future.failedFuture(ApiError.forbidden("sso_user_conflict",
                "Platform administrators cannot sign in through a tenant's SSO provider"));
          }
          if (!u.active()) {
            return Future.failedFuture(ApiError.forbidden("user_disabled", "This account is disabled"));
          }
          Future<PgIdentityStore.User> current = Future.succeededFuture(u);
          if (!found.created() && mapped.matchedValue() != null && !mapped.role().equals(u.role())) {
            Principal actor = principal(u);
            current = store.updateRole(tenant, u.id(), mapped.role()).compose(updated -> audit.record(rc, actor,
                    tenant.toString(), "user_role_changed", "allow", "sso:" + p.provider(), new JsonObject()
                        .put("user_id", u.id().toString()).put("from", u.role()).put("to", mapped.role())
                        .put("claim_value", mapped.matchedValue()))
                .map(r -> updated == null ? u : updated));
          }
          return current.compose(user -> audit.record(rc, principal(user), tenant.toString(), "sso_callback", "allow",
                  "sso:" + p.provider(), new JsonObject().put("provider", p.provider()).put("user_id", user.id().toString())
                      .put("email", email).put("role", user.role()).put("user_created", found.created())
                      .put("mapped_from", mapped.matchedValue()).put("idp_subject", Discovery.clip(claims.getSubject())))
              .compose(r -> s.sessions().open(rc, user, "sso:" + p.provider()))
              .map(session -> session.put("email", user.email()).put("provider", p.provider())
                  .put("user_created", found.created())));
        });
  }

  private record Found(PgIdentityStore.User user, boolean created) {}

  private static Principal principal(PgIdentityStore.User u) {
    return new Principal(u.id().toString(), u.tenantId().toString(), u.role(), null, null, 0, false);
  }

  // ------------------------------------------------------------------ helpers

  /** The tenant from {@code ?tenant_id=} or {@code X-Tenant-ID} (they must agree when both are sent). */
  private static UUID tenantParam(RoutingContext rc) {
    String q = rc.request().getParam("tenant_id");
    String h = rc.request().getHeader("X-Tenant-ID");
    if (q != null && h != null && !q.equals(h)) {
      throw ApiError.badRequest("validation_error", "tenant_id and X-Tenant-ID differ");
    }
    String t = q != null ? q : h;
    if (t == null || t.isBlank()) {
      throw ApiError.badRequest("validation_error", "'tenant_id' (or X-Tenant-ID) is required");
    }
    return Bodies.uuid(t, "tenant_id", false);
  }

  private static String clientIp(RoutingContext rc) {
    return rc.request().remoteAddress() == null ? "unknown" : rc.request().remoteAddress().hostAddress();
  }

  private static ApiError notConfigured() {
    return new ApiError(404, "sso_not_configured", "No enabled SSO provider of that name for this tenant");
  }

  private static ApiError invalidState() {
    return ApiError.badRequest("invalid_state", "The login state is unknown, expired, already used, or for another provider");
  }

  /** 32 random bytes, base64url. */
  static String random() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** The PKCE S256 challenge of a verifier (RFC 7636 §4.2). */
  static String challenge(String verifier) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
