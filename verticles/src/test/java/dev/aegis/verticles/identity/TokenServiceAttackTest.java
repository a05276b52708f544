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
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
  Forge forge;
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
    forge = new Forge(ours.kid(), ours.privateKey(), ours.publicKey(), SUBJECT, TENANT,
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
    List<Forge.Vector> all = forge.vectors();
    assertThat(all).hasSizeGreaterThanOrEqualTo(30);
    assertThat(all.stream().map(Forge.Vector::name).distinct().count()).isEqualTo(all.size());
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
      String t = Forge.es256(forge.header().put("alg", alg).encode(), forge.claims().encode(), ours.privateKey());
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
      assertThat(f.getMessage()).isEqualTo(Forge.KEY);
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
        assertThat(f.getMessage()).isEqualTo(Forge.NOT_JWS);
      });
    }
  }

  /** Verifies that a payload that is not valid UTF-8 is refused (RFC 8725 §3.7). */
  @Test
  @Order(11)
  void should_refuse_invalid_utf8() {
    for (Forge.Vector v : forge.invalidUtf8()) {
      assertThatThrownBy(() -> tokens.verifyNow(v.token())).as(v.name())
          .isInstanceOfSatisfying(AuthFailure.class, f -> assertThat(f.key()).isEqualTo(v.error()));
    }
  }

  /** Pins today's behaviour behind the disabled test above: the replacement character, no smuggled quote. */
  @Test
  @Order(12)
  void should_not_let_invalid_utf8_smuggle_json_structure() {
    for (Forge.Vector v : forge.invalidUtf8()) {
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

  /**
   * The attack catalogue: a copy of {@code AttackTokens} in the launcher's black-box tests (the
   * two modules share no test code); keep the two in step. Every header and payload is JSON text
   * written by hand and signed with raw {@code java.security} / {@code javax.crypto}; each vector
   * changes exactly one thing of a token that {@link #valid()} shows to be otherwise valid.
   */
  static final class Forge {

    /** An attacker's P-256 key (PKCS#8) and its self-signed certificate ("CN=attacker.example"). */
    static final String ATTACKER_PKCS8 = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHHwICUuv/RdFz+8ehEFH6Rm5ikJz"
        + "tXT7gq5dYcNHIh2hRANCAAQ3PHHmn1e9/icEVeyA0qJYd/X6RexSS7s0a3A/EsT5YeULGpkT7EU1ktcWbv86gV2sf4KGnrls1XknT5mxSrU/";
    static final String ATTACKER_CERT = "MIIBjTCCATOgAwIBAgIUfgy8w/zMkDziZ2YZ9PrOehgWDOkwCgYIKoZIzj0EAwIwGzEZMBcGA1UEAwwQ"
        + "YXR0YWNrZXIuZXhhbXBsZTAgFw0yNjExMjcxMDMyMDNaGA8yMTI2MTEwMzEwMzIwM1owGzEZMBcGA1UEAwwQYXR0YWNrZXIuZXhhbXBs"
        + "ZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABDc8ceafV73+JwRV7IDSolh39fpF7FJLuzRrcD8SxPlh5QsamRPsRTWS1xZu/zqBXax/"
        + "goaeuWzVeSdPmbFKtT+jUzBRMB0GA1UdDgQWBBS2R2DELLXWmeYe6Bz+VCTj6L1dUzAfBgNVHSMEGDAWgBS2R2DELLXWmeYe6Bz+VCTj"
        + "6L1dUzAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQDFvTqD+vuHrX6JHPSXav5zbP6V9uD87nLPMpLSI4OgkwIgHWdR"
        + "nx71QwzJTu7C9eVFLqChkZLvz4oM074qhwGgU7U=";

    // the gateway's detail messages, which show which check refused a token
    static final String PARSE = "The token cannot be parsed";
    static final String ALG = "Token algorithm not allowed";
    static final String HEADER = "Token header parameters not allowed";
    static final String TYPE = "Wrong token type";
    static final String KEY = "Unknown signing key";
    static final String SIG = "The token signature is invalid";
    static final String NOT_JWS = "The token is not a compact JWS";
    static final String TOO_LARGE = "The token is too large";
    static final String CLAIMS = "Required claims are missing or invalid";

    /** One attack: the token, and the exact 401 key and detail the gateway must answer. */
    record Vector(String name, String token, String error, String detail) {
      @Override
      public String toString() {
        return name;
      }
    }

    private final String kid;
    private final PrivateKey key;
    private final ECPublicKey publicKey;
    private final PrivateKey attackerKey;
    private final ECPublicKey attackerPublic;
    private final String attackerKid;
    private final String subject;
    private final String tenant;
    private final String attackerUrl;

    /**
     * @param kid the gateway's active key id
     * @param key the gateway's private key (for claim vectors: the signature is fine, a claim is not)
     * @param publicKey the gateway's public key
     * @param subject the template's {@code sub}
     * @param tenant the template's {@code tenant_id}
     * @param attackerUrl base URL of a server the attacker controls ({@code jku}, {@code x5u})
     */
    Forge(String kid, PrivateKey key, ECPublicKey publicKey, String subject, String tenant, String attackerUrl) {
      this.kid = kid;
      this.key = key;
      this.publicKey = publicKey;
      this.subject = subject;
      this.tenant = tenant;
      this.attackerUrl = attackerUrl;
      try {
        attackerKey = KeyFactory.getInstance("EC").generatePrivate(
            new PKCS8EncodedKeySpec(Base64.getDecoder().decode(ATTACKER_PKCS8)));
        attackerPublic = (ECPublicKey) certificate().getPublicKey();
        attackerKid = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
            .digest(attackerPublic.getEncoded()), 0, 8);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    static X509Certificate certificate() throws Exception {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
          new java.io.ByteArrayInputStream(Base64.getDecoder().decode(ATTACKER_CERT)));
    }

    // ------------------------------------------------------------------ building blocks

    /** The header the gateway issues: {@code {"alg":"ES256","typ":"at+jwt","kid":<ours>}}. */
    JsonObject header() {
      return new JsonObject().put("alg", "ES256").put("typ", "at+jwt").put("kid", kid);
    }

    /** The claims of a valid ADMIN access token of the template's tenant (a fresh jti each call). */
    JsonObject claims() {
      long now = System.currentTimeMillis() / 1000;
      return new JsonObject().put("sub", subject).put("iss", "aegis").put("aud", "aegis-gateway")
          .put("jti", UUID.randomUUID().toString()).put("iat", now).put("nbf", now).put("exp", now + 600)
          .put("tenant_id", tenant).put("org_id", tenant).put("role", "ADMIN").put("typ", "ACP_ACCESS");
    }

    /** A token the gateway must accept (the positive control of every vector). */
    String valid() {
      return es256(header().encode(), claims().encode(), key);
    }

    /** A valid token with these claim changes. */
    String validWith(Consumer<JsonObject> change) {
      JsonObject c = claims();
      change.accept(c);
      return es256(header().encode(), c.encode(), key);
    }

    static String b64(byte[] b) {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String b64(String s) {
      return b64(s.getBytes(StandardCharsets.UTF_8));
    }

    /** ES256 (JWS form: r || s, 64 bytes) over {@code b64(header).b64(payload)}. */
    static String es256(String headerJson, String payloadJson, PrivateKey k) {
      return es256Raw(b64(headerJson) + "." + b64(payloadJson), k);
    }

    static String es256Raw(String signingInput, PrivateKey k) {
      return signingInput + "." + b64(sign("SHA256withECDSAinP1363Format", signingInput, k));
    }

    static byte[] sign(String alg, String input, PrivateKey k) {
      try {
        Signature s = Signature.getInstance(alg);
        s.initSign(k);
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return s.sign();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** HS256 with any bytes as the secret (an empty secret is the 1-byte zero key: HMAC pads both to 64 zeros). */
    static String hs256(String headerJson, String payloadJson, byte[] secret) {
      try {
        String input = b64(headerJson) + "." + b64(payloadJson);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.length == 0 ? new byte[1] : secret, "HmacSHA256"));
        return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** A public EC key as a JWK (RFC 7518 §6.2.1). */
    static JsonObject jwk(ECPublicKey k, String kid) {
      return new JsonObject().put("kty", "EC").put("crv", "P-256").put("kid", kid)
          .put("x", b64(unsigned32(k.getW().getAffineX()))).put("y", b64(unsigned32(k.getW().getAffineY())));
    }

    private static byte[] unsigned32(BigInteger v) {
      byte[] b = v.toByteArray();
      byte[] out = new byte[32];
      int n = Math.min(32, b.length);
      System.arraycopy(b, b.length - n, out, 32 - n, n);
      return out;
    }

    static String pem(PublicKey k) {
      return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
          .encodeToString(k.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    private JsonObject headerWith(Consumer<JsonObject> change) {
      JsonObject h = header();
      change.accept(h);
      return h;
    }

    private JsonObject claimsWithout(String... names) {
      JsonObject c = claims();
      for (String n : names) {
        c.remove(n);
      }
      return c;
    }

    private String ours(JsonObject h, JsonObject c) {
      return es256(h.encode(), c.encode(), key);
    }

    private String attacker(JsonObject h, JsonObject c) {
      return es256(h.encode(), c.encode(), attackerKey);
    }

    // ------------------------------------------------------------------ the catalogue

    /** Every stateless vector (the stateful ones — revoked, logged out, API keys — need a server). */
    List<Vector> vectors() {
      List<Vector> v = new ArrayList<>();
      String payload = claims().encode();

      // alg none in four casings, without and with a trailing signature segment
      for (String none : new String[] {"none", "None", "NONE", "nOnE"}) {
        JsonObject h = headerWith(x -> x.put("alg", none));
        String unsigned = b64(h.encode()) + "." + b64(payload) + ".";
        // without a signature the parser refuses the empty third segment; with one, "none" is not a
        // JWS header to Nimbus, and the other casings reach (and fail) the ES256 allow-list
        v.add(new Vector("alg_" + none, unsigned, "invalid_token", PARSE));
        String withSig = unsigned + b64(sign("SHA256withECDSAinP1363Format", unsigned.substring(0, unsigned.length() - 1), key));
        v.add(new Vector("alg_" + none + "_with_signature", withSig, "invalid_token", none.equals("none") ? PARSE : ALG));
      }
      String good = valid();
      String[] parts = good.split("\\.");
      v.add(new Vector("empty_signature", parts[0] + "." + parts[1] + ".", "invalid_token", PARSE));
      v.add(new Vector("signature_stripped", parts[0] + "." + parts[1], "invalid_token", PARSE));

      // key confusion: HS256 keyed with our public key (PEM, DER, JWKS), and with an empty secret
      JsonObject hs = headerWith(x -> x.put("alg", "HS256"));
      v.add(new Vector("hs256_public_key_pem", hs256(hs.encode(), payload, pem(publicKey).getBytes(StandardCharsets.US_ASCII)),
          "invalid_token", ALG));
      v.add(new Vector("hs256_public_key_pem_no_newline", hs256(hs.encode(), payload,
          pem(publicKey).strip().getBytes(StandardCharsets.US_ASCII)), "invalid_token", ALG));
      v.add(new Vector("hs256_public_key_der", hs256(hs.encode(), payload, publicKey.getEncoded()), "invalid_token", ALG));
      v.add(new Vector("hs256_public_jwks_json", hs256(hs.encode(), payload, new JsonObject().put("keys",
          new JsonArray().add(jwk(publicKey, kid))).encode().getBytes(StandardCharsets.UTF_8)), "invalid_token", ALG));
      v.add(new Vector("hs256_empty_secret", hs256(hs.encode(), payload, new byte[0]), "invalid_token", ALG));

      // ECDSA: psychic signature (CVE-2022-21449), wrong lengths, DER form, someone else's key
      String input = parts[0] + "." + parts[1];
      v.add(new Vector("es256_psychic_r0_s0", input + "." + b64(new byte[64]), "invalid_signature", SIG));
      byte[] sig = Base64.getUrlDecoder().decode(parts[2]);
      v.add(new Vector("es256_signature_63_bytes", input + "." + b64(Arrays.copyOf(sig, 63)), "invalid_signature", SIG));
      v.add(new Vector("es256_signature_65_bytes", input + "." + b64(Arrays.copyOf(sig, 65)), "invalid_signature", SIG));
      v.add(new Vector("es256_signature_der_encoded", input + "." + b64(sign("SHA256withECDSA", input, key)),
          "invalid_signature", SIG));
      v.add(new Vector("foreign_key_with_our_kid", attacker(header(), claims()), "invalid_signature", SIG));
      v.add(new Vector("es384_foreign_key", es256Raw(b64(headerWith(x -> x.put("alg", "ES384")).encode()) + "."
          + b64(payload), attackerKey), "invalid_token", ALG));

      // headers that point at other keys
      v.add(new Vector("embedded_jwk", attacker(headerWith(x -> x.put("kid", attackerKid)
          .put("jwk", jwk(attackerPublic, attackerKid))), claims()), "invalid_token", HEADER));
      v.add(new Vector("embedded_jwk_with_our_kid", attacker(headerWith(x -> x.put("jwk", jwk(attackerPublic, kid))),
          claims()), "invalid_token", HEADER));
      v.add(new Vector("jku_attacker_url", attacker(headerWith(x -> x.put("kid", attackerKid)
          .put("jku", attackerUrl + "/jwks.json")), claims()), "invalid_token", HEADER));
      v.add(new Vector("x5u_attacker_url", attacker(headerWith(x -> x.put("kid", attackerKid)
          .put("x5u", attackerUrl + "/cert.pem")), claims()), "invalid_token", HEADER));
      v.add(new Vector("x5c_self_signed", attacker(headerWith(x -> x.put("kid", attackerKid)
          .put("x5c", new JsonArray().add(ATTACKER_CERT))), claims()), "invalid_token", HEADER));

      // kid injection
      v.add(new Vector("kid_path_traversal", attacker(headerWith(x -> x.put("kid", "../../dev/null")), claims()),
          "invalid_token", KEY));
      v.add(new Vector("kid_path_traversal_hs256_empty_key", hs256(headerWith(x -> x.put("alg", "HS256")
          .put("kid", "../../dev/null")).encode(), payload, new byte[0]), "invalid_token", ALG));
      v.add(new Vector("kid_sql_injection", attacker(headerWith(x -> x.put("kid", "' OR '1'='1")), claims()),
          "invalid_token", KEY));
      v.add(new Vector("kid_unknown", attacker(headerWith(x -> x.put("kid", "0123456789abcdef")), claims()),
          "invalid_token", KEY));
      v.add(new Vector("kid_empty", ours(headerWith(x -> x.put("kid", "")), claims()), "invalid_token", KEY));
      v.add(new Vector("kid_missing", ours(headerWith(x -> x.remove("kid")), claims()), "invalid_token", KEY));

      // crit and typ
      v.add(new Vector("crit_unknown_parameter", ours(headerWith(x -> x.put("crit", new JsonArray().add("x-aegis-bypass"))
          .put("x-aegis-bypass", true)), claims()), "invalid_token", HEADER));
      v.add(new Vector("typ_missing", ours(headerWith(x -> x.remove("typ")), claims()), "invalid_token", TYPE));
      v.add(new Vector("typ_JWT", ours(headerWith(x -> x.put("typ", "JWT")), claims()), "invalid_token", TYPE));
      v.add(new Vector("typ_id_jwt", ours(headerWith(x -> x.put("typ", "id+jwt")), claims()), "invalid_token", TYPE));

      // claims, each signed with our real key
      long now = System.currentTimeMillis() / 1000;
      v.add(new Vector("exp_past_beyond_skew", validWith(c -> c.put("iat", now - 600).put("nbf", now - 600)
          .put("exp", now - 45)), "token_expired", "The token has expired"));
      v.add(new Vector("exp_missing", ours(header(), claimsWithout("exp")), "invalid_token", "The token has no expiry"));
      v.add(new Vector("exp_string", validWith(c -> c.put("exp", Long.toString(now + 600))), "invalid_token", PARSE));
      v.add(new Vector("nbf_future", validWith(c -> c.put("nbf", now + 120)), "token_not_yet_valid",
          "The token is not valid yet"));
      v.add(new Vector("iat_future", validWith(c -> c.put("iat", now + 120)), "token_not_yet_valid",
          "The token was issued in the future"));
      v.add(new Vector("iss_wrong", validWith(c -> c.put("iss", "https://evil.example")), "invalid_token", "Wrong issuer"));
      v.add(new Vector("iss_missing", ours(header(), claimsWithout("iss")), "invalid_token", "Wrong issuer"));
      v.add(new Vector("aud_missing", ours(header(), claimsWithout("aud")), "invalid_token", "Wrong audience"));
      v.add(new Vector("aud_wrong", validWith(c -> c.put("aud", "billing-api")), "invalid_token", "Wrong audience"));
      v.add(new Vector("aud_array_without_us", validWith(c -> c.put("aud", new JsonArray().add("billing-api")
          .add("aegis-gateway-x"))), "invalid_token", "Wrong audience"));
      v.add(new Vector("typ_claim_refresh", validWith(c -> c.put("typ", "ACP_REFRESH")), "invalid_token", CLAIMS));
      v.add(new Vector("typ_claim_missing", ours(header(), claimsWithout("typ")), "invalid_token", CLAIMS));
      v.add(new Vector("tenant_not_uuid", validWith(c -> c.put("tenant_id", "tenant-a")), "invalid_token",
          "Invalid tenant claim"));
      v.add(new Vector("tenant_missing", ours(header(), claimsWithout("tenant_id")), "invalid_token", CLAIMS));
      v.add(new Vector("tenant_number", validWith(c -> c.put("tenant_id", 1)), "invalid_token", CLAIMS));
      v.add(new Vector("role_unknown", validWith(c -> c.put("role", "SUPERADMIN")), "invalid_token", CLAIMS));
      v.add(new Vector("role_lower_case_admin", validWith(c -> c.put("role", "admin")), "invalid_token", CLAIMS));
      v.add(new Vector("agent_role_without_agent_id", validWith(c -> c.put("role", "agent")), "invalid_token",
          "Agent claim does not fit the role"));
      v.add(new Vector("admin_role_with_agent_id", validWith(c -> c.put("agent_id", UUID.randomUUID().toString())),
          "invalid_token", "Agent claim does not fit the role"));
      v.add(new Vector("sub_missing", ours(header(), claimsWithout("sub")), "invalid_token", CLAIMS));
      v.add(new Vector("jti_missing", ours(header(), claimsWithout("jti")), "invalid_token", "The token has no id"));

      // duplicate member names (the JSON text is written by hand; RFC 8725 §2.6 / RFC 7515 §5.2)
      String h = header().encode();
      String dupAlgHeader = "{\"alg\":\"none\"," + h.substring(1);
      v.add(new Vector("duplicate_header_alg", es256(dupAlgHeader, payload, key), "invalid_token", PARSE));
      String dupKidHeader = h.substring(0, h.length() - 1) + ",\"kid\":\"../../dev/null\"}";
      v.add(new Vector("duplicate_header_kid", es256(dupKidHeader, payload, key), "invalid_token", PARSE));
      String other = UUID.randomUUID().toString();
      String c0 = claims().encode();
      String dupTenant = c0.substring(0, c0.length() - 1) + ",\"tenant_id\":\"" + other + "\"}";
      v.add(new Vector("duplicate_claim_tenant_id", es256(h, dupTenant, key), "invalid_token", PARSE));
      String c1 = validClaimsWithRole("VIEWER");
      String dupRole = c1.substring(0, c1.length() - 1) + ",\"role\":\"ADMIN\"}";
      v.add(new Vector("duplicate_claim_role", es256(h, dupRole, key), "invalid_token", PARSE));
      String c2 = claims().encode();
      String dupExp = c2.substring(0, c2.length() - 1) + ",\"exp\":" + (now + 10 * 365 * 86400L) + "}";
      v.add(new Vector("duplicate_claim_exp", es256(h, dupExp, key), "invalid_token", PARSE));

      // encodings (invalid UTF-8 is a known gap: see invalidUtf8())
      v.add(new Vector("base64_padding", parts[0] + "=." + parts[1] + "." + parts[2], "invalid_token", NOT_JWS));
      v.add(new Vector("base64_standard_alphabet", parts[0] + "." + parts[1] + "." + parts[2].replace('-', '+')
          .replace('_', '/') + "+/", "invalid_token", NOT_JWS));
      v.add(new Vector("oversized_8k_otherwise_valid", validWith(c -> c.put("pad", "p".repeat(7000))),
          "invalid_token", TOO_LARGE));
      v.add(new Vector("truncated_signature", good.substring(0, good.length() - 6), "invalid_signature", SIG));
      v.add(new Vector("truncated_in_payload", good.substring(0, parts[0].length() + 1 + parts[1].length() / 2),
          "invalid_token", PARSE));
      v.add(new Vector("four_segments", good + ".AAAA", "invalid_token", PARSE));
      v.add(new Vector("payload_tampered_role", parts[0] + "." + b64(validClaimsWithRole("SECURITY")) + "." + parts[2],
          "invalid_signature", SIG));
      return v;
    }

    /**
     * Invalid UTF-8 in the payload segment (RFC 8725 §3.7), signed with our key: a lead byte 0xC3
     * followed by '(' in a claim value, and an overlong encoding of '"' (0xC0 0xA2) that a lenient
     * decoder could turn into a quote and so end the string early. Kept out of {@link #vectors()}
     * because the gateway accepts these today (the decoder replaces them with U+FFFD).
     */
    List<Vector> invalidUtf8() {
      List<Vector> v = new ArrayList<>();
      String h = header().encode();
      byte[] json = claims().put("name", "@@").encode().getBytes(StandardCharsets.UTF_8);
      int at = indexOf(json, (byte) '@');
      json[at] = (byte) 0xC3;
      json[at + 1] = (byte) 0x28;
      v.add(new Vector("invalid_utf8_payload", es256Raw(b64(h) + "." + b64(json), key), "invalid_token", PARSE));
      byte[] overlong = claims().put("name", "@@").encode().getBytes(StandardCharsets.UTF_8);
      at = indexOf(overlong, (byte) '@');
      overlong[at] = (byte) 0xC0;
      overlong[at + 1] = (byte) 0xA2;
      v.add(new Vector("overlong_utf8_quote", es256Raw(b64(h) + "." + b64(overlong), key), "invalid_token", PARSE));
      return v;
    }

    private String validClaimsWithRole(String role) {
      return claims().put("role", role).encode();
    }

    private static int indexOf(byte[] a, byte b) {
      for (int i = 0; i < a.length; i++) {
        if (a[i] == b) {
          return i;
        }
      }
      throw new IllegalArgumentException();
    }
  }
}
