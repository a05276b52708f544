package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.aegis.storage.pg.PgUrls;
import dev.aegis.storage.pg.ScratchDatabase;
import dev.aegis.verticles.identity.PasswordHasher;
import dev.aegis.verticles.identity.TokenService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Black-box tests of SSO (SPEC §3.2) over HTTP: a real node on a scratch database, and a real
 * OpenID Connect provider in the test JVM (navikt's mock-oauth2-server: discovery, JWKS, the
 * authorization endpoint, the token endpoint with PKCE verification, RS256 ID tokens). The whole
 * authorization-code flow is driven as a browser would: start at the gateway, follow the
 * redirect to the provider, follow the provider's redirect back to the gateway's callback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SsoApiTest {

  static final String TENANT_A = AegisNode.DEMO_TENANT;
  static final String PASSWORD = "correct horse battery staple";
  static final String CLIENT_ID = "aegis-gateway-client";
  /** 40 characters, so that a test can also forge an HS256 token with it. */
  static final String CLIENT_SECRET = "sso-secret-" + UUID.randomUUID().toString().replace("-", "").substring(0, 29);
  static final String ISSUER_ID = "okta";

  MockOAuth2Server idp;
  final SsoForgedTokenRoute forged = new SsoForgedTokenRoute("/" + ISSUER_ID + "/token");
  ScratchDatabase db;
  AegisNode node;
  Http http;
  int port;
  String tenantB;
  String adminA;
  String adminB;
  String adminBEmail;
  /** A browser that does not follow redirects (each hop is checked). */
  final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();

  final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> blocked =
      new ch.qos.logback.core.read.ListAppender<>();

  @BeforeAll
  void start() throws Exception {
    ch.qos.logback.classic.Logger checker = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker");
    blocked.start();
    checker.addAppender(blocked);
    idp = new MockOAuth2Server(forged);
    idp.start();
    db = ScratchDatabase.create(TestEnv.pgUrl(), "sso");
    port = TestEnv.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("AEGIS_PG_URL", db.url());
    env.put("AEGIS_PORT", Integer.toString(port));
    env.put("AEGIS_ADMIN_PASSWORD", PASSWORD);
    env.put("AEGIS_INSTANCES", "2");
    env.put("AEGIS_MAX_EVENT_LOOP_MS", "100");
    node = AegisNode.start(AegisConfig.fromEnv(env));
    http = new Http(port);
    tenantB = UUID.randomUUID().toString();
    adminBEmail = "admin-b-" + tenantB + "@example.com";
    seedTenant(tenantB);
    seedUser(tenantB, adminBEmail, "ADMIN");
    adminA = login(AegisNode.ADMIN_EMAIL, TENANT_A);
    adminB = login(adminBEmail, tenantB);
    Http.Reply okta = configure(adminA, provider("okta", ISSUER_ID).put("display_name", "Okta Workforce"));
    assertThat(okta.status()).as(okta.raw()).isIn(200, 201);
    // warm up the whole flow once (class loading, first connections, JIT)
    assertThat(ssoLogin(TENANT_A, "okta", "warm-" + UUID.randomUUID() + "@example.com", List.of()).status())
        .isEqualTo(200);
    blocked.list.clear();
  }

  @AfterAll
  void stop() throws Exception {
    assertThat(blocked.list).as("event loops blocked longer than 100 ms").isEmpty();
    if (node != null) {
      node.close();
    }
    if (db != null) {
      db.close();
    }
    if (idp != null) {
      idp.shutdown();
    }
  }

  // ---------------------------------------------------------------- helpers

  Connection jdbc() throws SQLException {
    return DriverManager.getConnection(PgUrls.jdbc(PgUrls.options(db.url())));
  }

  void seedTenant(String tenant) throws SQLException {
    try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement(
        "INSERT INTO identity.tenants (id, name) VALUES (?::uuid, 'tenant b')")) {
      s.setString(1, tenant);
      s.executeUpdate();
    }
  }

  void seedUser(String tenant, String email, String role) throws SQLException {
    try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement("INSERT INTO identity.users"
        + " (id, tenant_id, email, password_hash, role) VALUES (?::uuid, ?::uuid, ?, ?, ?)")) {
      s.setString(1, UUID.randomUUID().toString());
      s.setString(2, tenant);
      s.setString(3, email);
      s.setString(4, new PasswordHasher(1024, 1, 1).hash(PASSWORD));
      s.setString(5, role);
      s.executeUpdate();
    }
  }

  int sql(String statement, String... args) throws SQLException {
    try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement(statement)) {
      for (int i = 0; i < args.length; i++) {
        s.setString(i + 1, args[i]);
      }
      return s.executeUpdate();
    }
  }

  String login(String email, String tenant) {
    Http.Reply r = http.post("/auth/token", new JsonObject().put("email", email).put("password", PASSWORD),
        Map.of("X-Tenant-ID", tenant));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return r.data().getString("access_token");
  }

  String issuer(String issuerId) {
    return idp.issuerUrl(issuerId).toString();
  }

  String callbackUri(String slug) {
    return "http://127.0.0.1:" + port + "/auth/sso/" + slug + "/callback";
  }

  /** A provider body: the mock's issuer, a mapping of two groups, secret set. */
  JsonObject provider(String slug, String issuerId) {
    return new JsonObject().put("provider", slug).put("issuer", issuer(issuerId)).put("client_id", CLIENT_ID)
        .put("client_secret", CLIENT_SECRET).put("redirect_uri", callbackUri(slug))
        .put("scopes", "openid email profile").put("role_claim", "groups")
        .put("role_mapping", new JsonObject().put("aegis-admins", "ADMIN").put("aegis-security", "SECURITY")
            .put("aegis-auditors", "AUDITOR"));
  }

  Http.Reply configure(String token, JsonObject body) {
    return http.post("/auth/sso/config", body, Http.bearer(token));
  }

  /** A started login: the authorization URL and its parameters, and the callback the provider sent back. */
  record Flow(String authorizationUrl, Map<String, String> params, String callbackPath, String code, String state) {}

  /** Starts a login at the gateway and passes the provider's authorization endpoint, as a browser. */
  Flow begin(String tenant, String slug) {
    Http.Reply start = http.get("/auth/sso/" + slug + "?tenant_id=" + tenant, Map.of());
    assertThat(start.status()).as(start.raw()).isEqualTo(302);
    String authorize = start.header("Location");
    assertThat(authorize).startsWith(idp.baseUrl().toString());
    HttpResponse<String> atIdp = browse(authorize);
    assertThat(atIdp.statusCode()).as(atIdp.body()).isEqualTo(302);
    URI back = URI.create(atIdp.headers().firstValue("Location").orElseThrow());
    assertThat(back.getPath()).isEqualTo("/auth/sso/" + slug + "/callback");
    Map<String, String> cb = query(back.getRawQuery());
    return new Flow(authorize, query(URI.create(authorize).getRawQuery()), back.getRawPath() + "?" + back.getRawQuery(),
        cb.get("code"), cb.get("state"));
  }

  Http.Reply finish(Flow f) {
    return http.get(f.callbackPath(), Map.of());
  }

  Http.Reply callback(String slug, String code, String state) {
    return http.get("/auth/sso/" + slug + "/callback?code=" + enc(code) + "&state=" + enc(state), Map.of());
  }

  /** The next token request to this issuer answers for this user. */
  void nextUser(String issuerId, String email, List<String> groups, Map<String, Object> extra) {
    Map<String, Object> claims = new LinkedHashMap<>();
    if (email != null) {
      claims.put("email", email);
      claims.put("name", "User " + email.substring(0, email.indexOf('@')));
    }
    if (groups != null) {
      claims.put("groups", groups);
    }
    claims.putAll(extra);
    idp.enqueueCallback(new DefaultOAuth2TokenCallback(issuerId, "sub-" + (email == null ? UUID.randomUUID() : email),
        "JWT", List.of("aegis-api"), claims, 3600));
  }

  Http.Reply ssoLogin(String tenant, String slug, String email, List<String> groups) {
    return ssoLogin(tenant, slug, ISSUER_ID, email, groups, Map.of());
  }

  Http.Reply ssoLogin(String tenant, String slug, String issuerId, String email, List<String> groups,
      Map<String, Object> extra) {
    Flow f = begin(tenant, slug);
    nextUser(issuerId, email, groups, extra);
    return finish(f);
  }

  HttpResponse<String> browse(String url) {
    try {
      return browser.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException("HTTP call failed: " + e, e);
    }
  }

  static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw != null) {
      for (String kv : raw.split("&")) {
        int i = kv.indexOf('=');
        out.put(URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8),
            i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  JsonObject me(String token) {
    Http.Reply r = http.get("/auth/me", Http.bearer(token));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return r.data();
  }

  JsonArray auditRows(String adminToken, String action) {
    Http.Reply r = http.get("/audit/logs?limit=1000&action=" + action, Http.bearer(adminToken));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return r.data().getJsonArray("items");
  }

  static String email(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
  }

  /** A token response carrying this ID token, for the provider's next answer. */
  void nextTokenResponse(String idToken) {
    forged.arm(idToken);
  }

  /** An ID token correctly signed by the provider for this flow's nonce. */
  SignedJWT signedIdToken(String issuerId, Flow f, String email) {
    return idp.issueToken(issuerId, CLIENT_ID, new DefaultOAuth2TokenCallback(issuerId, "sub-" + email, "JWT",
        List.of(CLIENT_ID), Map.of("nonce", f.params().get("nonce"), "email", email), 3600));
  }

  static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- the flow

  /** Verifies the full code flow: mapped role, tokens, /auth/me, refresh, audit rows, no password. */
  @Test
  void should_log_in_through_the_provider_with_the_mapped_role() throws Exception {
    String email = email("sec");
    Flow f = begin(TENANT_A, "okta");
    assertThat(f.params()).containsEntry("response_type", "code").containsEntry("client_id", CLIENT_ID)
        .containsEntry("redirect_uri", callbackUri("okta")).containsEntry("code_challenge_method", "S256");
    assertThat(f.params().get("scope").split(" ")).contains("openid", "email");
    assertThat(f.params().get("code_challenge")).matches("[A-Za-z0-9_-]{43}");
    assertThat(f.params().get("state")).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(f.params().get("nonce"));
    assertThat(f.state()).isEqualTo(f.params().get("state"));
    // the state is stored hashed only
    try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement(
        "SELECT count(*) FROM identity.sso_states WHERE state_hash = ? OR state_hash = ?")) {
      s.setString(1, TokenService.secretHash(f.state()));
      s.setString(2, f.state());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    }
    nextUser(ISSUER_ID, email, List.of("everyone", "aegis-security", "aegis-admins"), Map.of());
    Http.Reply r = finish(f);
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    JsonObject d = r.data();
    assertThat(d.getString("access_token")).isNotBlank();
    assertThat(d.getString("refresh_token")).startsWith("art_");
    assertThat(d.getString("role")).isEqualTo("SECURITY"); // the first matching claim value wins
    assertThat(d.getString("tenant_id")).isEqualTo(TENANT_A);
    assertThat(d.getBoolean("user_created")).isTrue();
    JsonObject me = me(d.getString("access_token"));
    assertThat(me.getString("email")).isEqualTo(email);
    assertThat(me.getString("role")).isEqualTo("SECURITY");
    assertThat(me.getString("tenant_id")).isEqualTo(TENANT_A);
    assertThat(me.getString("full_name")).isEqualTo("User " + email.substring(0, email.indexOf('@')));
    assertThat(http.get("/agents", Http.bearer(d.getString("access_token"))).status()).isEqualTo(200);
    Http.Reply refreshed = http.post("/auth/refresh", new JsonObject().put("refresh_token", d.getString("refresh_token")),
        Map.of());
    assertThat(refreshed.status()).as(refreshed.raw()).isEqualTo(200);
    // no password opens this account
    for (String pw : new String[] {"!sso", "sso", PASSWORD}) {
      Http.Reply pwLogin = http.post("/auth/token", new JsonObject().put("email", email).put("password", pw), Map.of());
      assertThat(pwLogin.status()).as(pw).isEqualTo(401);
    }
    // audited: the SSO callback and the login
    assertThat(auditRows(adminA, "sso_callback").stream().map(o -> (JsonObject) o)
        .filter(o -> "allow".equals(o.getString("decision")) && o.encode().contains(email))).hasSize(1);
    assertThat(auditRows(adminA, "user_login").stream().map(o -> (JsonObject) o)
        .filter(o -> "sso:okta".equals(o.getString("reason")) && o.encode().contains(me.getString("user_id"))))
        .isNotEmpty();
  }

  /** Verifies that an unmapped user gets VIEWER, and what a later login does to an existing user's role. */
  @Test
  void should_give_viewer_to_unmapped_users_and_update_roles_only_on_a_match() {
    String email = email("viewer");
    Http.Reply r = ssoLogin(TENANT_A, "okta", email, List.of("everyone", "contractors"));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    assertThat(r.data().getString("role")).isEqualTo("VIEWER");
    assertThat(me(r.data().getString("access_token")).getString("role")).isEqualTo("VIEWER");
    // a VIEWER cannot read or change the SSO configuration
    String viewer = r.data().getString("access_token");
    Http.Reply read = http.get("/auth/sso/config", Http.bearer(viewer));
    assertThat(read.status()).isEqualTo(403);
    assertThat(read.error()).isEqualTo("insufficient_role");
    // without a groups claim at all: VIEWER too
    Http.Reply none = ssoLogin(TENANT_A, "okta", email("nogroups"), null);
    assertThat(none.status()).as(none.raw()).isEqualTo(200);
    assertThat(none.data().getString("role")).isEqualTo("VIEWER");
    // the same user again, now in a mapped group: promoted, audited
    Http.Reply again = ssoLogin(TENANT_A, "okta", email, List.of("aegis-auditors"));
    assertThat(again.status()).as(again.raw()).isEqualTo(200);
    assertThat(again.data().getString("role")).isEqualTo("AUDITOR");
    assertThat(again.data().getBoolean("user_created")).isFalse();
    assertThat(auditRows(adminA, "user_role_changed").stream().map(Object::toString)
        .filter(s -> s.contains(again.data().getString("user_id")))).hasSize(1);
    // unmapped again: the role is kept, not reset to the default
    Http.Reply third = ssoLogin(TENANT_A, "okta", email, List.of("contractors"));
    assertThat(third.status()).as(third.raw()).isEqualTo(200);
    assertThat(third.data().getString("role")).isEqualTo("AUDITOR");
    assertThat(third.data().getString("user_id")).isEqualTo(r.data().getString("user_id"));
  }

  /** Verifies that an existing password user of the tenant is linked by e-mail and its role follows the mapping. */
  @Test
  void should_link_an_existing_user_of_the_tenant() throws Exception {
    String email = email("existing");
    seedUser(TENANT_A, email, "VIEWER");
    Http.Reply r = ssoLogin(TENANT_A, "okta", email.toUpperCase(java.util.Locale.ROOT), List.of("aegis-admins"));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    assertThat(r.data().getBoolean("user_created")).isFalse();
    assertThat(r.data().getString("role")).isEqualTo("ADMIN");
    assertThat(me(r.data().getString("access_token")).getString("email")).isEqualTo(email);
    // the password still works for a linked account
    assertThat(login(email, TENANT_A)).isNotBlank();
  }

  /** Verifies the JSON variant of the start, and the providers listing (no credential, no secrets). */
  @Test
  void should_list_providers_and_start_with_json() {
    Http.Reply j = http.get("/auth/sso/okta?tenant_id=" + TENANT_A, Map.of("Accept", "application/json"));
    assertThat(j.status()).as(j.raw()).isEqualTo(200);
    String url = j.data().getString("authorization_url");
    assertThat(url).startsWith(idp.authorizationEndpointUrl(ISSUER_ID).toString());
    assertThat(query(URI.create(url).getRawQuery())).containsKeys("state", "nonce", "code_challenge");
    Http.Reply viaHeader = http.get("/auth/sso/okta", Map.of("X-Tenant-ID", TENANT_A, "Accept", "application/json"));
    assertThat(viaHeader.status()).isEqualTo(200);

    assertThat(configure(adminA, provider("okta-hidden", ISSUER_ID).put("enabled", false)).status()).isEqualTo(201);
    Http.Reply list = http.get("/auth/sso/providers?tenant_id=" + TENANT_A, Map.of());
    assertThat(list.status()).as(list.raw()).isEqualTo(200);
    JsonArray items = list.data().getJsonArray("items");
    assertThat(items.stream().map(o -> ((JsonObject) o).getString("provider"))).contains("okta")
        .doesNotContain("okta-hidden");
    JsonObject okta = items.stream().map(o -> (JsonObject) o).filter(o -> "okta".equals(o.getString("provider")))
        .findFirst().orElseThrow();
    assertThat(okta.fieldNames()).containsExactlyInAnyOrder("provider", "display_name");
    assertThat(okta.getString("display_name")).isEqualTo("Okta Workforce");
    assertThat(list.raw()).doesNotContain(CLIENT_SECRET).doesNotContain(CLIENT_ID).doesNotContain(issuer(ISSUER_ID));
    Http.Reply byHeader = http.get("/auth/sso/providers", Map.of("X-Tenant-ID", TENANT_A));
    assertThat(byHeader.data().getJsonArray("items")).isEqualTo(items);
    Http.Reply noTenant = http.get("/auth/sso/providers", Map.of());
    assertThat(noTenant.status()).isEqualTo(400);
    assertThat(noTenant.error()).isEqualTo("validation_error");
    Http.Reply unknownTenant = http.get("/auth/sso/providers?tenant_id=" + UUID.randomUUID(), Map.of());
    assertThat(unknownTenant.status()).isEqualTo(200);
    assertThat(unknownTenant.data().getJsonArray("items")).isEmpty();
  }

  // ---------------------------------------------------------------- state

  /** Verifies that a state is single use, bound to its provider, and expires. */
  @Test
  void should_refuse_replayed_foreign_unknown_and_expired_states() throws Exception {
    Flow f = begin(TENANT_A, "okta");
    nextUser(ISSUER_ID, email("replay"), List.of(), Map.of());
    assertThat(finish(f).status()).isEqualTo(200);
    Http.Reply replay = finish(f);
    assertThat(replay.status()).as(replay.raw()).isEqualTo(400);
    assertThat(replay.error()).isEqualTo("invalid_state");

    // a state started for provider "okta" presented at another provider's callback
    assertThat(configure(adminA, provider("okta-two", ISSUER_ID)).status()).isIn(200, 201);
    Flow g = begin(TENANT_A, "okta");
    Http.Reply foreign = callback("okta-two", g.code(), g.state());
    assertThat(foreign.status()).as(foreign.raw()).isEqualTo(400);
    assertThat(foreign.error()).isEqualTo("invalid_state");
    // ... which consumed it: the right callback now fails too
    Http.Reply after = finish(g);
    assertThat(after.status()).isEqualTo(400);
    assertThat(after.error()).isEqualTo("invalid_state");

    Http.Reply unknown = callback("okta", "some-code", "not-a-state-we-issued");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.error()).isEqualTo("invalid_state");
    Http.Reply missing = http.get("/auth/sso/okta/callback?code=abc", Map.of());
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.error()).isEqualTo("invalid_state");

    Flow h = begin(TENANT_A, "okta");
    assertThat(sql("UPDATE identity.sso_states SET expires_at = now() - interval '1 second' WHERE state_hash = ?",
        TokenService.secretHash(h.state()))).isEqualTo(1);
    Http.Reply expired = finish(h);
    assertThat(expired.status()).isEqualTo(400);
    assertThat(expired.error()).isEqualTo("invalid_state");

    // the provider reports an error: the state is used up as well
    Flow k = begin(TENANT_A, "okta");
    Http.Reply denied = http.get("/auth/sso/okta/callback?error=access_denied&state=" + enc(k.state()), Map.of());
    assertThat(denied.status()).isEqualTo(400);
    assertThat(denied.error()).isEqualTo("sso_provider_error");
    assertThat(finish(k).error()).isEqualTo("invalid_state");
  }

  /** Verifies PKCE end to end: a code obtained by another login (another challenge) is refused by the provider. */
  @Test
  void should_fail_the_exchange_of_a_code_from_another_login() {
    Flow mine = begin(TENANT_A, "okta");
    Flow other = begin(TENANT_A, "okta");
    Http.Reply r = callback("okta", other.code(), mine.state());
    assertThat(r.status()).as(r.raw()).isEqualTo(502);
    assertThat(r.error()).isEqualTo("sso_exchange_failed");
    assertThat(r.json().getString("detail")).contains("invalid_grant");
  }

  // ---------------------------------------------------------------- the ID token

  /** Verifies nonce, audience, issuer and expiry checks on tokens the provider really issued. */
  @Test
  void should_refuse_id_tokens_with_wrong_claims() {
    // claim overrides -> the check that must refuse them (named in the error detail)
    Map<Map<String, Object>, String> bad = new LinkedHashMap<>();
    bad.put(Map.of("nonce", "a-nonce-from-another-login"), "nonce");
    bad.put(Map.of("aud", "some-other-client"), "(aud)");
    bad.put(Map.of("aud", List.of("some-other-client", "another-one")), "(aud)");
    bad.put(Map.of("iss", issuer("evil")), "issuer");
    bad.put(Map.of("exp", new Date(System.currentTimeMillis() - 3_600_000L).getTime() / 1000), "expired");
    bad.put(Map.of("iat", System.currentTimeMillis() / 1000 + 3_600), "not valid yet");
    bad.put(Map.of("nbf", System.currentTimeMillis() / 1000 + 3_600), "not valid yet");
    for (var e : bad.entrySet()) {
      Http.Reply r = ssoLogin(TENANT_A, "okta", ISSUER_ID, email("bad"), List.of("aegis-admins"), e.getKey());
      assertThat(r.status()).as(e.getKey() + ": " + r.raw()).isEqualTo(401);
      assertThat(r.error()).as(e.getKey().toString()).isEqualTo("invalid_id_token");
      assertThat(r.json().getString("detail")).as(e.getKey().toString()).contains(e.getValue());
    }
    // within the 60 s skew: accepted
    Http.Reply skew = ssoLogin(TENANT_A, "okta", ISSUER_ID, email("skew"), List.of(),
        Map.of("iat", System.currentTimeMillis() / 1000 + 30, "exp", System.currentTimeMillis() / 1000 - 30));
    assertThat(skew.status()).as(skew.raw()).isEqualTo(200);
    // several audiences including ours, azp = our client id (the provider sets it): accepted
    Http.Reply multi = ssoLogin(TENANT_A, "okta", ISSUER_ID, email("multi-aud"), List.of(),
        Map.of("aud", List.of("another-api", CLIENT_ID)));
    assertThat(multi.status()).as(multi.raw()).isEqualTo(200);
    // no e-mail in the token
    Http.Reply noEmail = ssoLogin(TENANT_A, "okta", ISSUER_ID, null, List.of(), Map.of());
    assertThat(noEmail.status()).isEqualTo(401);
    assertThat(noEmail.error()).isEqualTo("invalid_id_token");
    // an e-mail the provider says it has not verified
    Http.Reply unverified = ssoLogin(TENANT_A, "okta", ISSUER_ID, email("unverified"), List.of(),
        Map.of("email_verified", false));
    assertThat(unverified.status()).isEqualTo(403);
    assertThat(unverified.error()).isEqualTo("sso_email_unverified");
    // failed callbacks of a known tenant are audited as denials
    assertThat(auditRows(adminA, "sso_callback").stream().map(o -> (JsonObject) o)
        .filter(o -> "deny".equals(o.getString("decision")) && "invalid_id_token".equals(o.getString("reason"))))
        .hasSizeGreaterThanOrEqualTo(bad.size());
  }

  /** Verifies the signature and algorithm checks on tokens the provider did not sign as they are. */
  @Test
  void should_refuse_tampered_unsigned_hmac_and_foreign_key_tokens() throws Exception {
    // a valid token with its payload changed (signature kept)
    Flow f = begin(TENANT_A, "okta");
    SignedJWT valid = signedIdToken(ISSUER_ID, f, email("tamper"));
    String[] parts = valid.serialize().split("\\.");
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    claims.put("email", AegisNode.ADMIN_EMAIL).put("groups", new JsonArray().add("aegis-admins"));
    nextTokenResponse(parts[0] + "." + b64(claims.encode()) + "." + parts[2]);
    Http.Reply tampered = finish(f);
    assertThat(tampered.status()).as(tampered.raw()).isEqualTo(401);
    assertThat(tampered.error()).isEqualTo("invalid_id_token");
    assertThat(tampered.json().getString("detail")).contains("signature");

    // alg none
    Flow g = begin(TENANT_A, "okta");
    JsonObject c = new JsonObject(signedIdToken(ISSUER_ID, g, email("none")).getJWTClaimsSet().toJSONObject());
    nextTokenResponse(b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(c.encode()) + ".");
    Http.Reply none = finish(g);
    assertThat(none.status()).as(none.raw()).isEqualTo(401);
    assertThat(none.error()).isEqualTo("invalid_id_token");
    assertThat(none.json().getString("detail")).contains("not signed");

    // HS256 with the client secret as the key (an algorithm-confusion attempt)
    Flow h = begin(TENANT_A, "okta");
    JWTClaimsSet hc = signedIdToken(ISSUER_ID, h, email("hmac")).getJWTClaimsSet();
    SignedJWT hmac = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), hc);
    hmac.sign(new MACSigner(CLIENT_SECRET.getBytes(StandardCharsets.UTF_8)));
    nextTokenResponse(hmac.serialize());
    Http.Reply hs = finish(h);
    assertThat(hs.status()).as(hs.raw()).isEqualTo(401);
    assertThat(hs.error()).isEqualTo("invalid_id_token");
    assertThat(hs.json().getString("detail")).contains("HS256 is not allowed");

    // correct claims, signed by a key the provider does not publish (another issuer's key)
    Flow k = begin(TENANT_A, "okta");
    SignedJWT foreign = idp.issueToken("evil", CLIENT_ID, new DefaultOAuth2TokenCallback("evil", "sub-x", "JWT",
        List.of(CLIENT_ID), Map.of("nonce", k.params().get("nonce"), "email", email("foreign"),
            "iss", issuer(ISSUER_ID)), 3600));
    nextTokenResponse(foreign.serialize());
    Http.Reply fk = finish(k);
    assertThat(fk.status()).as(fk.raw()).isEqualTo(401);
    assertThat(fk.error()).isEqualTo("invalid_id_token");
    assertThat(fk.json().getString("detail")).contains("No key");

    // the same machinery accepts the provider's genuine token (the enqueued answers are not the cause)
    Flow ok = begin(TENANT_A, "okta");
    nextTokenResponse(signedIdToken(ISSUER_ID, ok, email("genuine")).serialize());
    Http.Reply genuine = finish(ok);
    assertThat(genuine.status()).as(genuine.raw()).isEqualTo(200);
    assertThat(genuine.data().getString("role")).isEqualTo("VIEWER");
  }

  // ---------------------------------------------------------------- users and domains

  /** Verifies the e-mail domain allow-list, disabled users and the platform admin. */
  @Test
  void should_refuse_other_domains_disabled_users_and_the_platform_admin() throws Exception {
    JsonObject corp = provider("okta-corp", ISSUER_ID).put("allowed_domains", new JsonArray().add("Corp.Example"));
    Http.Reply saved = configure(adminA, corp);
    assertThat(saved.status()).as(saved.raw()).isIn(200, 201);
    assertThat(saved.data().getJsonArray("allowed_domains")).containsExactly("corp.example");
    Http.Reply other = ssoLogin(TENANT_A, "okta-corp", email("outsider"), List.of());
    assertThat(other.status()).as(other.raw()).isEqualTo(403);
    assertThat(other.error()).isEqualTo("sso_domain_not_allowed");
    Http.Reply inside = ssoLogin(TENANT_A, "okta-corp", "insider-" + UUID.randomUUID().toString().substring(0, 6)
        + "@corp.example", List.of());
    assertThat(inside.status()).as(inside.raw()).isEqualTo(200);

    String email = email("disabled");
    assertThat(ssoLogin(TENANT_A, "okta", email, List.of()).status()).isEqualTo(200);
    assertThat(sql("UPDATE identity.users SET is_active = false WHERE email = ?", email)).isEqualTo(1);
    Http.Reply disabled = ssoLogin(TENANT_A, "okta", email, List.of("aegis-admins"));
    assertThat(disabled.status()).as(disabled.raw()).isEqualTo(403);
    assertThat(disabled.error()).isEqualTo("user_disabled");

    Http.Reply platform = ssoLogin(TENANT_A, "okta", AegisNode.ADMIN_EMAIL, List.of("aegis-admins"));
    assertThat(platform.status()).as(platform.raw()).isEqualTo(403);
    assertThat(platform.error()).isEqualTo("sso_user_conflict");
  }

  // ---------------------------------------------------------------- configuration

  /** Verifies that a disabled or unknown provider is 404 sso_not_configured, also between start and callback. */
  @Test
  void should_answer_sso_not_configured_for_disabled_and_unknown_providers() {
    assertThat(configure(adminA, provider("okta-off", ISSUER_ID).put("enabled", false)).status()).isIn(200, 201);
    for (String path : new String[] {"/auth/sso/okta-off?tenant_id=" + TENANT_A, "/auth/sso/nope?tenant_id=" + TENANT_A,
        "/auth/sso/okta?tenant_id=" + UUID.randomUUID(), "/auth/sso/Bad%20Name?tenant_id=" + TENANT_A}) {
      Http.Reply r = http.get(path, Map.of());
      assertThat(r.status()).as(path + " " + r.raw()).isEqualTo(404);
      assertThat(r.error()).isEqualTo("sso_not_configured");
    }
    assertThat(http.get("/auth/sso/okta", Map.of()).error()).isEqualTo("validation_error");
    // started while enabled, disabled before the callback
    assertThat(configure(adminA, provider("okta-flip", ISSUER_ID)).status()).isIn(200, 201);
    Flow f = begin(TENANT_A, "okta-flip");
    assertThat(configure(adminA, provider("okta-flip", ISSUER_ID).put("enabled", false)).status()).isEqualTo(200);
    Http.Reply r = finish(f);
    assertThat(r.status()).as(r.raw()).isEqualTo(404);
    assertThat(r.error()).isEqualTo("sso_not_configured");
    // deleted
    Http.Reply del = http.delete("/auth/sso/config/okta-flip", Http.bearer(adminA));
    assertThat(del.status()).as(del.raw()).isEqualTo(200);
    assertThat(http.delete("/auth/sso/config/okta-flip", Http.bearer(adminA)).error()).isEqualTo("sso_not_configured");
  }

  /** Verifies config validation, create/update status codes, and that no response or audit row has the secret. */
  @Test
  void should_validate_config_and_never_return_the_secret() {
    String slug = "cfg-" + UUID.randomUUID().toString().substring(0, 6);
    Http.Reply created = configure(adminA, provider(slug, ISSUER_ID));
    assertThat(created.status()).as(created.raw()).isEqualTo(201);
    assertThat(created.raw()).doesNotContain(CLIENT_SECRET);
    assertThat(created.data().getBoolean("client_secret_set")).isTrue();
    assertThat(created.data().containsKey("client_secret")).isFalse();
    assertThat(created.data().getString("default_role")).isEqualTo("VIEWER");
    assertThat(created.data().getJsonArray("scopes").contains("openid")).isTrue();
    // update without a secret keeps it
    Http.Reply updated = configure(adminA, provider(slug, ISSUER_ID).put("display_name", "Renamed")
        .put("default_role", "AUDITOR").put("scopes", new JsonArray().add("email")));
    assertThat(updated.status()).as(updated.raw()).isEqualTo(200);
    JsonObject noSecret = provider(slug, ISSUER_ID);
    noSecret.remove("client_secret");
    Http.Reply kept = configure(adminA, noSecret);
    assertThat(kept.status()).isEqualTo(200);
    assertThat(kept.data().getBoolean("client_secret_set")).isTrue();
    Http.Reply list = http.get("/auth/sso/config", Http.bearer(adminA));
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.raw()).doesNotContain(CLIENT_SECRET).contains("\"client_secret_set\":true");
    assertThat(list.data().getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("provider"))).contains(slug);
    JsonArray audit = auditRows(adminA, "sso_config_updated");
    assertThat(audit).isNotEmpty();
    assertThat(audit.encode()).doesNotContain(CLIENT_SECRET);
    // a new provider without a secret (confidential client) is refused
    JsonObject fresh = provider(slug + "x", ISSUER_ID);
    fresh.remove("client_secret");
    assertThat(configure(adminA, fresh).status()).isEqualTo(400);

    Map<String, JsonObject> invalid = new LinkedHashMap<>();
    invalid.put("http issuer", provider(slug, ISSUER_ID).put("issuer", "http://idp.example.com/okta"));
    invalid.put("relative issuer", provider(slug, ISSUER_ID).put("issuer", "/okta"));
    invalid.put("bad role", provider(slug, ISSUER_ID).put("role_mapping", new JsonObject().put("g", "GOD")));
    invalid.put("non-string role", provider(slug, ISSUER_ID).put("role_mapping", new JsonObject().put("g", 1)));
    invalid.put("admin default", provider(slug, ISSUER_ID).put("default_role", "ADMIN"));
    invalid.put("reserved slug", provider("config", ISSUER_ID));
    invalid.put("bad slug", provider("Okta!", ISSUER_ID));
    invalid.put("bad redirect", provider(slug, ISSUER_ID).put("redirect_uri", "ftp://x/cb"));
    invalid.put("unknown field", provider(slug, ISSUER_ID).put("client_secrets", "x"));
    invalid.put("bad method", provider(slug, ISSUER_ID).put("token_endpoint_auth_method", "private_key_jwt"));
    invalid.put("bad domain", provider(slug, ISSUER_ID).put("allowed_domains", new JsonArray().add("not a domain")));
    invalid.put("no client id", provider(slug, ISSUER_ID).putNull("client_id"));
    for (var e : invalid.entrySet()) {
      Http.Reply r = configure(adminA, e.getValue());
      assertThat(r.status()).as(e.getKey() + ": " + r.raw()).isEqualTo(400);
      assertThat(r.error()).as(e.getKey()).isEqualTo("validation_error");
    }
    // https issuers are accepted
    assertThat(configure(adminA, provider(slug, ISSUER_ID).put("issuer", "https://login.example.com/oauth2/default"))
        .status()).isEqualTo(200);
  }

  /** Verifies the discovery test endpoint and the issuer equality check. */
  @Test
  void should_test_discovery_and_require_the_discovered_issuer_to_match() {
    Http.Reply ok = http.post("/auth/sso/config/test", new JsonObject().put("issuer", issuer(ISSUER_ID)), Http.bearer(adminA));
    assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
    assertThat(ok.data().getBoolean("ok")).isTrue();
    assertThat(ok.data().getString("token_endpoint")).isEqualTo(idp.tokenEndpointUrl(ISSUER_ID).toString());
    assertThat(ok.data().getString("jwks_uri")).isEqualTo(idp.jwksUrl(ISSUER_ID).toString());
    assertThat(ok.data().getInteger("signing_keys")).isGreaterThanOrEqualTo(1);
    Http.Reply byProvider = http.post("/auth/sso/config/test", new JsonObject().put("provider", "okta"), Http.bearer(adminA));
    assertThat(byProvider.data().getBoolean("ok")).isTrue();
    Http.Reply down = http.post("/auth/sso/config/test", new JsonObject().put("issuer", "http://127.0.0.1:1/nothing"),
        Http.bearer(adminA));
    assertThat(down.status()).isEqualTo(200);
    assertThat(down.data().getBoolean("ok")).isFalse();
    assertThat(down.data().getString("problem")).isNotBlank();
    Http.Reply insecure = http.post("/auth/sso/config/test", new JsonObject().put("issuer", "http://idp.example.com"),
        Http.bearer(adminA));
    assertThat(insecure.status()).isEqualTo(400);

    // the same provider under another spelling (a trailing slash): discovery names a different issuer
    String alias = issuer(ISSUER_ID) + "/";
    Http.Reply mismatch = http.post("/auth/sso/config/test", new JsonObject().put("issuer", alias), Http.bearer(adminA));
    assertThat(mismatch.data().getBoolean("ok")).isFalse();
    assertThat(mismatch.data().getString("problem")).contains("issuer");
    assertThat(configure(adminA, provider("okta-alias", ISSUER_ID).put("issuer", alias)).status()).isIn(200, 201);
    Http.Reply start = http.get("/auth/sso/okta-alias?tenant_id=" + TENANT_A, Map.of());
    assertThat(start.status()).as(start.raw()).isEqualTo(502);
    assertThat(start.error()).isEqualTo("sso_discovery_failed");
  }

  /** Verifies roles on the configuration routes: ADMIN only, credential required. */
  @Test
  void should_let_only_admins_manage_sso() throws Exception {
    String secEmail = email("security");
    seedUser(TENANT_A, secEmail, "SECURITY");
    String security = login(secEmail, TENANT_A);
    Map<String, String> h = Http.bearer(security);
    assertThat(http.get("/auth/sso/config", h).status()).isEqualTo(403);
    Http.Reply post = configure(security, provider("okta", ISSUER_ID).put("client_id", "hijacked"));
    assertThat(post.status()).isEqualTo(403);
    assertThat(post.error()).isEqualTo("insufficient_role");
    assertThat(http.delete("/auth/sso/config/okta", h).status()).isEqualTo(403);
    assertThat(http.post("/auth/sso/config/test", new JsonObject().put("issuer", issuer(ISSUER_ID)), h).status())
        .isEqualTo(403);
    Http.Reply anonymous = http.get("/auth/sso/config", Map.of());
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.error()).isEqualTo("missing_credentials");
    assertThat(http.post("/auth/sso/config", provider("okta", ISSUER_ID), Map.of()).status()).isEqualTo(401);
    // nothing changed
    JsonObject okta = http.get("/auth/sso/config", Http.bearer(adminA)).data().getJsonArray("items").stream()
        .map(o -> (JsonObject) o).filter(o -> "okta".equals(o.getString("provider"))).findFirst().orElseThrow();
    assertThat(okta.getString("client_id")).isEqualTo(CLIENT_ID);
  }

  /** Verifies that a deactivated tenant's providers stop working (and stop being listed). */
  @Test
  void should_refuse_sso_into_a_deactivated_tenant() throws Exception {
    String tenant = UUID.randomUUID().toString();
    String admin = "admin-c-" + tenant + "@example.com";
    seedTenant(tenant);
    seedUser(tenant, admin, "ADMIN");
    assertThat(configure(login(admin, tenant), provider("okta", ISSUER_ID)).status()).isEqualTo(201);
    Flow f = begin(tenant, "okta");
    assertThat(sql("UPDATE identity.tenants SET is_active = false WHERE id = ?::uuid", tenant)).isEqualTo(1);
    Http.Reply start = http.get("/auth/sso/okta?tenant_id=" + tenant, Map.of());
    assertThat(start.status()).as(start.raw()).isEqualTo(404);
    assertThat(start.error()).isEqualTo("sso_not_configured");
    assertThat(http.get("/auth/sso/providers?tenant_id=" + tenant, Map.of()).data().getJsonArray("items")).isEmpty();
    Http.Reply late = finish(f);
    assertThat(late.status()).as(late.raw()).isEqualTo(404);
    assertThat(late.error()).isEqualTo("sso_not_configured");
  }

  // ---------------------------------------------------------------- tenant isolation

  /** Verifies that tenant B can neither read nor change A's SSO, and A's provider cannot log into B. */
  @Test
  void should_isolate_tenants() {
    Map<String, String> b = Http.bearer(adminB);
    Http.Reply listB = http.get("/auth/sso/config", b);
    assertThat(listB.status()).isEqualTo(200);
    assertThat(listB.raw()).doesNotContain(CLIENT_ID).doesNotContain(TENANT_A);
    Http.Reply del = http.delete("/auth/sso/config/okta", b);
    assertThat(del.status()).isEqualTo(404);
    assertThat(del.error()).isEqualTo("sso_not_configured");
    Http.Reply forA = configure(adminB, provider("okta", ISSUER_ID).put("tenant_id", TENANT_A));
    assertThat(forA.status()).isEqualTo(403);
    assertThat(forA.error()).isEqualTo("tenant_mismatch");
    Http.Reply header = http.get("/auth/sso/config", Http.bearer(adminB, "X-Tenant-ID", TENANT_A));
    assertThat(header.status()).isEqualTo(403);
    assertThat(header.error()).isEqualTo("tenant_mismatch");
    Http.Reply testA = http.post("/auth/sso/config/test", new JsonObject().put("provider", "okta"), b);
    assertThat(testA.status()).isIn(404);
    // B's own provider of the same slug is B's alone
    Http.Reply own = configure(adminB, provider("okta", ISSUER_ID).put("client_id", "tenant-b-client"));
    assertThat(own.status()).as(own.raw()).isEqualTo(201);
    JsonObject aOkta = http.get("/auth/sso/config", Http.bearer(adminA)).data().getJsonArray("items").stream()
        .map(o -> (JsonObject) o).filter(o -> "okta".equals(o.getString("provider"))).findFirst().orElseThrow();
    assertThat(aOkta.getString("client_id")).isEqualTo(CLIENT_ID);

    // A's provider asserting B's admin: refused, B's admin untouched
    Http.Reply cross = ssoLogin(TENANT_A, "okta", adminBEmail, List.of("aegis-admins"));
    assertThat(cross.status()).as(cross.raw()).isEqualTo(403);
    assertThat(cross.error()).isEqualTo("sso_user_conflict");
    assertThat(cross.raw()).doesNotContain(tenantB);
    JsonObject bMe = me(login(adminBEmail, tenantB));
    assertThat(bMe.getString("role")).isEqualTo("ADMIN");
    assertThat(bMe.getString("tenant_id")).isEqualTo(tenantB);
    // a new user through A's provider lands in A, never in B
    Http.Reply a = ssoLogin(TENANT_A, "okta", email("a-user"), List.of());
    assertThat(a.status()).isEqualTo(200);
    assertThat(me(a.data().getString("access_token")).getString("tenant_id")).isEqualTo(TENANT_A);
    // and through B's provider in B
    Flow fb = begin(tenantB, "okta");
    assertThat(fb.params()).containsEntry("client_id", "tenant-b-client");
    nextUser(ISSUER_ID, email("b-user"), List.of(), Map.of());
    Http.Reply inB = finish(fb);
    assertThat(inB.status()).as(inB.raw()).isEqualTo(200);
    assertThat(me(inB.data().getString("access_token")).getString("tenant_id")).isEqualTo(tenantB);
    // B's token cannot act in A
    assertThat(http.get("/auth/sso/config", Http.bearer(inB.data().getString("access_token"), "X-Tenant-ID", TENANT_A))
        .status()).isEqualTo(403);
    // the user B's provider created cannot be taken over through A's provider
    Http.Reply takeover = ssoLogin(TENANT_A, "okta", me(inB.data().getString("access_token")).getString("email"),
        List.of("aegis-admins"));
    assertThat(takeover.error()).isEqualTo("sso_user_conflict");
  }
}
