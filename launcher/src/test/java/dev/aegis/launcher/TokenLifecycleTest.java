package dev.aegis.launcher;

import static dev.aegis.launcher.LifecycleSupport.PASSWORD;
import static dev.aegis.launcher.LifecycleSupport.agent;
import static dev.aegis.launcher.LifecycleSupport.agentLogin;
import static dev.aegis.launcher.LifecycleSupport.agentToken;
import static dev.aegis.launcher.LifecycleSupport.claims;
import static dev.aegis.launcher.LifecycleSupport.email;
import static dev.aegis.launcher.LifecycleSupport.execute;
import static dev.aegis.launcher.LifecycleSupport.header;
import static dev.aegis.launcher.LifecycleSupport.kid;
import static dev.aegis.launcher.LifecycleSupport.login;
import static dev.aegis.launcher.LifecycleSupport.loginReply;
import static dev.aegis.launcher.LifecycleSupport.seedTenant;
import static dev.aegis.launcher.LifecycleSupport.seedUser;
import static dev.aegis.launcher.LifecycleSupport.session;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jwt.SignedJWT;
import dev.aegis.storage.pg.ScratchDatabase;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Black-box tests of the token lifecycle on a real node (in-process adapters) and a scratch
 * database: login pairs and the JWKS, refresh rotation with reuse detection (family revocation),
 * disabled users, logout, revocation by token and by jti, introspection, brute-force lockout per
 * account and per client IP, agent credential rotation and revocation, and signing-key rotation
 * without downtime. Every refusal is checked with its exact status and error key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenLifecycleTest {

  ScratchDatabase db;
  AegisNode node;
  Http http;
  int port;
  String tenantA;
  String tenantB;
  String adminAEmail;
  String adminA;
  String adminB;
  String adminBEmail;
  String viewerEmail;
  String viewerId;
  /** {agentId, agentToken, secret} of a tenant-A agent allowed db.query. */
  String[] agentA;

  @BeforeAll
  void start() throws Exception {
    db = ScratchDatabase.create(TestEnv.pgUrl(), "tokens");
    port = TestEnv.freePort();
    node = LifecycleSupport.startNode(db.url(), port, Map.of());
    http = new Http(port);
    tenantA = seedTenant(db.url());
    tenantB = seedTenant(db.url());
    adminAEmail = email("admin-a");
    seedUser(db.url(), tenantA, adminAEmail, "ADMIN");
    viewerEmail = email("viewer-a");
    viewerId = seedUser(db.url(), tenantA, viewerEmail, "VIEWER");
    adminBEmail = email("admin-b");
    seedUser(db.url(), tenantB, adminBEmail, "ADMIN");
    adminA = login(http, adminAEmail);
    adminB = login(http, adminBEmail);
    agentA = agent(http, adminA, "db.query");
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (db != null) {
      db.close();
    }
  }

  private Http.Reply me(String token) {
    return http.get("/auth/me", Http.bearer(token));
  }

  private Http.Reply refresh(String refreshToken) {
    return http.post("/auth/refresh", new JsonObject().put("refresh_token", refreshToken), Map.of());
  }

  private Http.Reply revoke(String bearer, JsonObject body) {
    return http.post("/auth/revoke", body, Http.bearer(bearer));
  }

  private Http.Reply introspect(String bearer, String token) {
    return http.post("/auth/introspect", new JsonObject().put("token", token), Http.bearer(bearer));
  }

  private static void assertError(Http.Reply r, int status, String key) {
    assertThat(r.status()).as(r.raw()).isEqualTo(status);
    assertThat(r.error()).as(r.raw()).isEqualTo(key);
  }

  private String newAdmin() {
    String e = email("admin");
    seedUser(db.url(), tenantA, e, "ADMIN");
    return e;
  }

  // ---------------------------------------------------------------- login and JWKS

  /** Verifies the login pair (ES256 JWT with kid, 900 s, art_ refresh) and its signature against the JWKS. */
  @Test
  void should_issue_an_es256_pair_verifiable_with_the_published_jwk() throws Exception {
    String auditor = email("pair");
    String userId = seedUser(db.url(), tenantA, auditor, "AUDITOR");
    JsonObject s = session(http, auditor);
    String at = s.getString("access_token");
    assertThat(s.getLong("expires_in")).isEqualTo(900L);
    assertThat(s.getString("token_type")).isEqualTo("bearer");
    assertThat(s.getString("refresh_token")).startsWith("art_").hasSizeGreaterThan(40);
    assertThat(s.getString("tenant_id")).isEqualTo(tenantA);
    assertThat(s.getString("role")).isEqualTo("AUDITOR");

    JsonObject h = header(at);
    assertThat(h.getString("alg")).isEqualTo("ES256");
    assertThat(h.getString("typ")).isEqualTo("at+jwt");
    assertThat(h.getString("kid")).isNotBlank();
    JsonObject c = claims(at);
    assertThat(c.getLong("exp") - c.getLong("iat")).isEqualTo(900L);
    assertThat(c.getString("sub")).isEqualTo(userId);
    assertThat(c.getString("tenant_id")).isEqualTo(tenantA);
    assertThat(c.getString("role")).isEqualTo("AUDITOR");
    assertThat(c.getString("iss")).isEqualTo("aegis");
    assertThat(c.getString("jti")).isNotBlank();

    Http.Reply j = http.get("/.well-known/jwks.json", Map.of());
    assertThat(j.status()).isEqualTo(200);
    assertThat(j.header("Content-Type")).startsWith("application/jwk-set+json");
    JWKSet set = JWKSet.parse(j.raw());
    JWK jwk = set.getKeyByKeyId(h.getString("kid"));
    assertThat(jwk).as(j.raw()).isInstanceOf(ECKey.class);
    ECKey ec = (ECKey) jwk;
    assertThat(ec.getCurve()).isEqualTo(Curve.P_256);
    assertThat(ec.getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(ec.getKeyUse()).isEqualTo(KeyUse.SIGNATURE);
    assertThat(ec.isPrivate()).isFalse();
    assertThat(j.json().getJsonArray("keys").getJsonObject(0).containsKey("d")).isFalse();
    assertThat(SignedJWT.parse(at).verify(new ECDSAVerifier(ec.toECPublicKey()))).isTrue();
    // the token works
    assertThat(me(at).status()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- refresh

  /** Verifies refresh rotation, and that reusing a used refresh token revokes the whole family at once. */
  @Test
  void should_rotate_refresh_tokens_and_revoke_the_family_on_reuse() {
    String email = newAdmin();
    JsonObject s1 = session(http, email);
    JsonObject other = session(http, email); // a second session: another family
    Http.Reply r = refresh(s1.getString("refresh_token"));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    JsonObject s2 = r.data();
    assertThat(s2.getString("access_token")).isNotEqualTo(s1.getString("access_token"));
    assertThat(s2.getString("refresh_token")).startsWith("art_").isNotEqualTo(s1.getString("refresh_token"));
    assertThat(s2.getLong("expires_in")).isEqualTo(900L);
    assertThat(claims(s2.getString("access_token")).getString("jti"))
        .isNotEqualTo(claims(s1.getString("access_token")).getString("jti"));
    for (String at : new String[] {s1.getString("access_token"), s2.getString("access_token")}) {
      assertThat(http.get("/agents", Http.bearer(at)).status()).isEqualTo(200);
      assertThat(execute(http, at, agentA[0]).status()).isEqualTo(200);
    }

    Http.Reply reuse = refresh(s1.getString("refresh_token"));
    assertError(reuse, 401, "refresh_token_reused");
    // the whole family is gone: the new refresh token and every access token from it
    Http.Reply next = refresh(s2.getString("refresh_token"));
    assertThat(next.status()).as(next.raw()).isEqualTo(401);
    assertThat(next.error()).isIn("refresh_token_reused", "invalid_refresh_token");
    for (String at : new String[] {s1.getString("access_token"), s2.getString("access_token")}) {
      assertError(http.get("/agents", Http.bearer(at)), 401, "token_revoked");
      assertError(execute(http, at, agentA[0]), 401, "token_revoked");
    }
    // the user's other session is untouched
    assertThat(http.get("/agents", Http.bearer(other.getString("access_token"))).status()).isEqualTo(200);
    assertThat(refresh(other.getString("refresh_token")).status()).isEqualTo(200);
  }

  /** Verifies unknown, malformed and missing refresh tokens. */
  @Test
  void should_refuse_unknown_refresh_tokens() {
    assertError(refresh("art_" + "A".repeat(43)), 401, "invalid_refresh_token");
    assertError(refresh("not-a-refresh-token"), 401, "invalid_refresh_token");
    assertError(refresh("art_" + "A".repeat(300)), 400, "validation_error");
    assertError(http.post("/auth/refresh", new JsonObject(), Map.of()), 400, "validation_error");
  }

  /** Verifies that a user disabled by PATCH /users/{id} (or directly in the database) cannot refresh. */
  @Test
  void should_not_refresh_for_a_disabled_user() {
    String e1 = email("disabled-api");
    String id1 = seedUser(db.url(), tenantA, e1, "VIEWER");
    JsonObject s1 = session(http, e1);
    Http.Reply patch = http.raw("PATCH", "/users/" + id1, new JsonObject().put("is_active", false).encode(),
        Map.of("Authorization", "Bearer " + adminA, "Content-Type", "application/json"));
    assertThat(patch.status()).as(patch.raw()).isEqualTo(200);
    Http.Reply r1 = refresh(s1.getString("refresh_token"));
    assertThat(r1.status()).as(r1.raw()).isEqualTo(401);
    assertThat(r1.error()).isIn("invalid_refresh_token", "refresh_token_reused");
    assertError(me(s1.getString("access_token")), 401, "token_revoked");
    assertError(loginReply(http, e1, PASSWORD), 401, "invalid_credentials");

    // disabled behind the API's back: the refresh itself must check the user
    String e2 = email("disabled-db");
    String id2 = seedUser(db.url(), tenantA, e2, "VIEWER");
    JsonObject s2 = session(http, e2);
    LifecycleSupport.jdbc(db.url(), "UPDATE identity.users SET is_active = false WHERE id = ?::uuid", id2);
    assertError(refresh(s2.getString("refresh_token")), 401, "invalid_refresh_token");
  }

  // ---------------------------------------------------------------- logout

  /** Verifies that logout revokes the access token at once and its refresh token. */
  @Test
  void should_revoke_the_session_on_logout() {
    String email = email("logout");
    seedUser(db.url(), tenantA, email, "VIEWER");
    JsonObject s = session(http, email);
    JsonObject other = session(http, email);
    String at = s.getString("access_token");
    assertThat(me(at).status()).isEqualTo(200);
    Http.Reply out = http.post("/auth/logout", null, Http.bearer(at));
    assertThat(out.status()).as(out.raw()).isEqualTo(200);
    assertThat(out.data().getBoolean("logged_out")).isTrue();
    assertError(me(at), 401, "token_revoked");
    assertError(http.post("/auth/logout", null, Http.bearer(at)), 401, "token_revoked");
    Http.Reply r = refresh(s.getString("refresh_token"));
    assertThat(r.status()).as(r.raw()).isEqualTo(401);
    assertThat(r.error()).isIn("refresh_token_reused", "invalid_refresh_token");
    assertThat(me(other.getString("access_token")).status()).isEqualTo(200);
    assertError(http.post("/auth/logout", null, Map.of()), 401, "missing_credentials");
  }

  /** Verifies that an agent token can log out like any session: 200, and the token is revoked. */
  @Test
  void should_log_out_an_agent_token() {
    String[] ag = agent(http, adminA, "db.query");
    Http.Reply out = http.post("/auth/logout", null, Http.bearer(ag[1]));
    assertThat(out.status()).as(out.raw()).isEqualTo(200);
    assertError(execute(http, ag[1], ag[0]), 401, "token_revoked");
  }

  // ---------------------------------------------------------------- revoke

  /** Verifies POST /auth/revoke by token and by jti, its role gate, tenant isolation and validation. */
  @Test
  void should_revoke_by_token_and_by_jti() {
    String v1 = login(http, viewerEmail);
    String v2 = login(http, viewerEmail);
    // own token
    Http.Reply own = revoke(v1, new JsonObject().put("token", v2));
    assertThat(own.status()).as(own.raw()).isEqualTo(200);
    assertThat(own.data().getBoolean("revoked")).isTrue();
    assertThat(own.data().getString("jti")).isEqualTo(claims(v2).getString("jti"));
    assertError(me(v2), 401, "token_revoked");
    assertThat(me(v1).status()).isEqualTo(200);

    // by jti: ADMIN only
    String adminEmail = newAdmin();
    String victim = login(http, adminEmail);
    String jti = claims(victim).getString("jti");
    assertError(revoke(v1, new JsonObject().put("jti", jti)), 403, "insufficient_role");
    assertError(revoke(v1, new JsonObject().put("token", victim)), 403, "insufficient_role");
    assertThat(me(victim).status()).isEqualTo(200);
    assertThat(execute(http, victim, agentA[0]).status()).isEqualTo(200);
    Http.Reply byJti = revoke(adminA, new JsonObject().put("jti", jti));
    assertThat(byJti.status()).as(byJti.raw()).isEqualTo(200);
    assertThat(byJti.data().getString("jti")).isEqualTo(jti);
    assertError(me(victim), 401, "token_revoked");
    assertError(execute(http, victim, agentA[0]), 401, "token_revoked");

    // another tenant's token is not found, and stays valid
    String b = login(http, adminBEmail);
    assertError(revoke(adminA, new JsonObject().put("token", b)), 404, "not_found");
    assertThat(me(b).status()).isEqualTo(200);
    // unknown / garbage token
    assertError(revoke(adminA, new JsonObject().put("token", "not.a.jwt")), 404, "not_found");
    // exactly one of token / jti
    assertError(revoke(adminA, new JsonObject().put("token", b).put("jti", jti)), 400, "validation_error");
    assertError(revoke(adminA, new JsonObject()), 400, "validation_error");
    assertError(revoke(adminA, new JsonObject().put("jti", "not-a-uuid")), 400, "validation_error");
    assertThat(me(adminA).status()).isEqualTo(200);
  }

  /** Verifies that an ADMIN cannot revoke another tenant's token by guessing or learning its jti. */
  @Test
  void should_not_revoke_another_tenants_token_by_jti() {
    String a = login(http, viewerEmail);
    Http.Reply r = revoke(adminB, new JsonObject().put("jti", claims(a).getString("jti")));
    assertThat(me(a).status()).as("tenant A's token after tenant B revoked its jti (%s)", r.raw()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- introspect

  /** Verifies introspection: claims of an active token, active:false for revoked, expired, garbage, foreign. */
  @Test
  void should_introspect_tokens() throws Exception {
    String t = login(http, viewerEmail);
    JsonObject c = claims(t);
    Http.Reply r = introspect(adminA, t);
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    JsonObject d = r.data();
    assertThat(d.getBoolean("active")).isTrue();
    assertThat(d.getString("sub")).isEqualTo(viewerId);
    assertThat(d.getString("tenant_id")).isEqualTo(tenantA);
    assertThat(d.getString("role")).isEqualTo("VIEWER");
    assertThat(d.getLong("exp")).isEqualTo(c.getLong("exp"));
    assertThat(d.getString("jti")).isEqualTo(c.getString("jti"));
    // a VIEWER may introspect its own token
    assertThat(introspect(t, t).data().getBoolean("active")).isTrue();

    assertThat(revoke(adminA, new JsonObject().put("token", t)).status()).isEqualTo(200);
    JsonObject revoked = introspect(adminA, t).data();
    assertThat(revoked.getBoolean("active")).isFalse();
    assertThat(revoked.containsKey("sub")).isFalse();
    JsonObject expired = introspect(adminA, ExpiredTokens.issue(db.url(), tenantA)).data();
    assertThat(expired.getBoolean("active")).isFalse();
    assertThat(introspect(adminA, "not.a.jwt").data().getBoolean("active")).isFalse();
    assertThat(introspect(adminA, "garbage").data().getBoolean("active")).isFalse();
    JsonObject foreign = introspect(adminA, adminB).data();
    assertThat(foreign.getBoolean("active")).isFalse();
    assertThat(foreign.encode()).doesNotContain(tenantB);
    assertError(http.post("/auth/introspect", new JsonObject().put("token", t), Map.of()), 401, "missing_credentials");
  }

  // ---------------------------------------------------------------- brute force

  /** Verifies the per-account lockout: the 6th attempt is 429 even with the right password; others unaffected. */
  @Test
  void should_lock_an_account_after_five_failures() {
    String victim = email("victim");
    seedUser(db.url(), tenantA, victim, "VIEWER");
    String bystander = email("bystander");
    seedUser(db.url(), tenantA, bystander, "VIEWER");
    for (int i = 0; i < 5; i++) {
      assertError(loginReply(http, victim, "wrong password " + i), 401, "invalid_credentials");
    }
    Http.Reply locked = loginReply(http, victim, PASSWORD);
    assertError(locked, 429, "too_many_attempts");
    assertThat(locked.header("Retry-After")).isNotNull();
    assertThat(Long.parseLong(locked.header("Retry-After"))).isPositive();
    assertThat(locked.json().getJsonObject("meta").getString("code")).isEqualTo("TOO_MANY_ATTEMPTS");
    assertError(loginReply(http, victim.toUpperCase(), PASSWORD), 429, "too_many_attempts");
    assertThat(loginReply(http, bystander, PASSWORD).status()).isEqualTo(200);
  }

  /** Verifies that a successful login resets the account's failure count. */
  @Test
  void should_reset_the_account_count_on_success() {
    String user = email("forgetful");
    seedUser(db.url(), tenantA, user, "VIEWER");
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 4; i++) {
        assertError(loginReply(http, user, "wrong " + i), 401, "invalid_credentials");
      }
      assertThat(loginReply(http, user, PASSWORD).status()).isEqualTo(200);
    }
  }

  /** Verifies the per-IP limit (20 failures, distinct unknown e-mails) from another client address. */
  @Test
  void should_lock_a_client_ip_after_twenty_failures() {
    String user = email("ip-user");
    seedUser(db.url(), tenantA, user, "VIEWER");
    LifecycleRawHttp other = new LifecycleRawHttp("127.0.0.2", port);
    Http.Reply first = other.post("/auth/token", new JsonObject().put("email", user).put("password", PASSWORD).encode());
    assertThat(first.status()).as("login from 127.0.0.2: " + first.raw()).isEqualTo(200);
    for (int i = 0; i < 20; i++) {
      Http.Reply r = other.post("/auth/token", new JsonObject().put("email", email("nobody-" + i))
          .put("password", "guess").encode());
      assertError(r, 401, "invalid_credentials");
    }
    Http.Reply locked = other.post("/auth/token", new JsonObject().put("email", user).put("password", PASSWORD).encode());
    assertError(locked, 429, "too_many_attempts");
    assertThat(locked.header("Retry-After")).isNotNull();
    // the same account from another address is fine: the limit is per IP
    assertThat(loginReply(http, user, PASSWORD).status()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- agent credentials

  /** Verifies that rotating an agent secret revokes the old secret and its tokens; DELETE revokes all. */
  @Test
  void should_rotate_and_revoke_agent_credentials() {
    String[] ag = agent(http, adminA, "db.query");
    String id = ag[0];
    String t1 = ag[1];
    assertThat(execute(http, t1, id).status()).isEqualTo(200);

    Http.Reply rot = http.post("/auth/credentials", new JsonObject().put("agent_id", id), Http.bearer(adminA));
    assertThat(rot.status()).as(rot.raw()).isEqualTo(201);
    String secret2 = rot.data().getString("secret");
    assertThat(secret2).startsWith("acs_").isNotEqualTo(ag[2]);
    assertError(agentLogin(http, id, ag[2]), 401, "invalid_credentials");
    assertError(execute(http, t1, id), 401, "token_revoked");
    String t2 = agentToken(http, id, secret2);
    assertThat(execute(http, t2, id).status()).isEqualTo(200);

    // another tenant's admin: not found, nothing changes
    assertError(http.post("/auth/credentials", new JsonObject().put("agent_id", id), Http.bearer(adminB)), 404, "not_found");
    assertError(http.delete("/auth/credentials/" + id, Http.bearer(adminB)), 404, "not_found");
    // a VIEWER cannot revoke
    assertError(http.delete("/auth/credentials/" + id, Http.bearer(login(http, viewerEmail))), 403, "insufficient_role");
    assertThat(execute(http, t2, id).status()).isEqualTo(200);
    assertThat(agentLogin(http, id, secret2).status()).isEqualTo(200);

    Http.Reply del = http.delete("/auth/credentials/" + id, Http.bearer(adminA));
    assertThat(del.status()).as(del.raw()).isEqualTo(200);
    assertThat(del.data().getBoolean("revoked")).isTrue();
    assertError(execute(http, t2, id), 401, "token_revoked");
    assertError(agentLogin(http, id, secret2), 401, "invalid_credentials");
    assertError(http.delete("/auth/credentials/" + id, Http.bearer(adminA)), 404, "not_found");
    assertError(http.delete("/auth/credentials/" + UUID.randomUUID(), Http.bearer(adminA)), 404, "not_found");

    // issuing again re-enables the agent with a new secret
    Http.Reply again = http.post("/auth/credentials", new JsonObject().put("agent_id", id), Http.bearer(adminA));
    assertThat(again.status()).as(again.raw()).isEqualTo(201);
    assertThat(execute(http, agentToken(http, id, again.data().getString("secret")), id).status()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- key rotation

  /** Verifies key rotation: platform admin only, old tokens keep working, new tokens carry the new kid. */
  @Test
  void should_rotate_the_signing_key_without_downtime() throws Exception {
    assertError(http.post("/admin/keys/rotate", null, Http.bearer(adminA)), 403, "platform_admin_required");
    assertError(http.post("/admin/keys/rotate", null, Http.bearer(login(http, viewerEmail))), 403, "insufficient_role");
    assertError(http.post("/admin/keys/rotate", null, Map.of()), 401, "missing_credentials");

    String platform = login(http, AegisNode.ADMIN_EMAIL);
    JsonObject before = session(http, viewerEmail);
    String agentBefore = agentToken(http, agentA[0], agentA[2]);
    String kid0 = kid(platform);
    assertThat(kid(before.getString("access_token"))).isEqualTo(kid0);

    Http.Reply rot = http.post("/admin/keys/rotate", null, Http.bearer(platform));
    assertThat(rot.status()).as(rot.raw()).isEqualTo(200);
    String kid1 = rot.data().getString("active_kid");
    assertThat(kid1).isNotBlank().isNotEqualTo(kid0);

    // no downtime: everything issued before still works
    assertThat(me(platform).status()).isEqualTo(200);
    assertThat(me(before.getString("access_token")).status()).isEqualTo(200);
    assertThat(execute(http, agentBefore, agentA[0]).status()).isEqualTo(200);
    assertThat(execute(http, adminA, agentA[0]).status()).isEqualTo(200);
    // new tokens carry the new kid (login, refresh, agent login)
    String after = login(http, viewerEmail);
    assertThat(kid(after)).isEqualTo(kid1);
    Http.Reply refreshed = refresh(before.getString("refresh_token"));
    assertThat(refreshed.status()).as(refreshed.raw()).isEqualTo(200);
    assertThat(kid(refreshed.data().getString("access_token"))).isEqualTo(kid1);
    String agentAfter = agentToken(http, agentA[0], agentA[2]);
    assertThat(kid(agentAfter)).isEqualTo(kid1);
    assertThat(me(after).status()).isEqualTo(200);
    assertThat(execute(http, agentAfter, agentA[0]).status()).isEqualTo(200);

    JWKSet set = JWKSet.parse(http.get("/.well-known/jwks.json", Map.of()).raw());
    assertThat(set.getKeys()).extracting(JWK::getKeyID).contains(kid0, kid1);
    assertThat(SignedJWT.parse(after).verify(new ECDSAVerifier(set.getKeyByKeyId(kid1).toECKey().toECPublicKey())))
        .isTrue();
    assertThat(SignedJWT.parse(platform).verify(new ECDSAVerifier(set.getKeyByKeyId(kid0).toECKey().toECPublicKey())))
        .isTrue();
    // a token signed by the old key cannot be passed off under the new kid
    assertThat(SignedJWT.parse(platform).verify(new ECDSAVerifier(set.getKeyByKeyId(kid1).toECKey().toECPublicKey())))
        .isFalse();
  }
}
