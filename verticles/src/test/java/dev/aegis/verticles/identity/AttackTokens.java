package dev.aegis.verticles.identity;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
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
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The JWT attack catalogue (RFC 8725, jwt_tool "-M at"), as tokens built by hand: every header and
 * payload is JSON text we write ourselves (so duplicate members, invalid UTF-8 and odd encodings
 * are possible) and signed with raw {@code java.security} / {@code javax.crypto}.
 *
 * <p>Each vector changes exactly one thing of a token that is otherwise valid: {@link #valid()}
 * (the same template signed with the gateway's real key) must verify, so a rejection of a vector
 * is caused by its mutation. Shared by {@code TokenServiceAttackTest} (unit level) and the
 * launcher's black-box {@code AttackJwtTest} (through this module's test jar).
 */
public final class AttackTokens {

  /** An attacker's P-256 key (PKCS#8) and its self-signed certificate ("CN=attacker.example"). */
  public static final String ATTACKER_PKCS8 = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHHwICUuv/RdFz+8ehEFH6Rm5ikJz"
      + "tXT7gq5dYcNHIh2hRANCAAQ3PHHmn1e9/icEVeyA0qJYd/X6RexSS7s0a3A/EsT5YeULGpkT7EU1ktcWbv86gV2sf4KGnrls1XknT5mxSrU/";
  public static final String ATTACKER_CERT = "MIIBjTCCATOgAwIBAgIUfgy8w/zMkDziZ2YZ9PrOehgWDOkwCgYIKoZIzj0EAwIwGzEZMBcGA1UEAwwQ"
      + "YXR0YWNrZXIuZXhhbXBsZTAgFw0yNjExMjcxMDMyMDNaGA8yMTI2MTEwMzEwMzIwM1owGzEZMBcGA1UEAwwQYXR0YWNrZXIuZXhhbXBs"
      + "ZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABDc8ceafV73+JwRV7IDSolh39fpF7FJLuzRrcD8SxPlh5QsamRPsRTWS1xZu/zqBXax/"
      + "goaeuWzVeSdPmbFKtT+jUzBRMB0GA1UdDgQWBBS2R2DELLXWmeYe6Bz+VCTj6L1dUzAfBgNVHSMEGDAWgBS2R2DELLXWmeYe6Bz+VCTj"
      + "6L1dUzAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQDFvTqD+vuHrX6JHPSXav5zbP6V9uD87nLPMpLSI4OgkwIgHWdR"
      + "nx71QwzJTu7C9eVFLqChkZLvz4oM074qhwGgU7U=";

  // the gateway's detail messages, which show which check refused a token
  public static final String PARSE = "The token cannot be parsed";
  public static final String ALG = "Token algorithm not allowed";
  public static final String HEADER = "Token header parameters not allowed";
  public static final String TYPE = "Wrong token type";
  public static final String KEY = "Unknown signing key";
  public static final String SIG = "The token signature is invalid";
  public static final String NOT_JWS = "The token is not a compact JWS";
  public static final String TOO_LARGE = "The token is too large";
  public static final String CLAIMS = "Required claims are missing or invalid";

  /** One attack: the token, and the exact 401 key and detail the gateway must answer. */
  public record Vector(String name, String token, String error, String detail) {
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
  public AttackTokens(String kid, PrivateKey key, ECPublicKey publicKey, String subject, String tenant, String attackerUrl) {
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

  public static X509Certificate certificate() throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
        new java.io.ByteArrayInputStream(Base64.getDecoder().decode(ATTACKER_CERT)));
  }

  // ------------------------------------------------------------------ building blocks

  /** The header the gateway issues: {@code {"alg":"ES256","typ":"at+jwt","kid":<ours>}}. */
  public JsonObject header() {
    return new JsonObject().put("alg", "ES256").put("typ", "at+jwt").put("kid", kid);
  }

  /** The claims of a valid ADMIN access token of the template's tenant (a fresh jti each call). */
  public JsonObject claims() {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", subject).put("iss", "aegis").put("aud", "aegis-gateway")
        .put("jti", UUID.randomUUID().toString()).put("iat", now).put("nbf", now).put("exp", now + 600)
        .put("tenant_id", tenant).put("org_id", tenant).put("role", "ADMIN").put("typ", "ACP_ACCESS");
  }

  /** A token the gateway must accept (the positive control of every vector). */
  public String valid() {
    return es256(header().encode(), claims().encode(), key);
  }

  /** A valid token with these claim changes. */
  public String validWith(Consumer<JsonObject> change) {
    JsonObject c = claims();
    change.accept(c);
    return es256(header().encode(), c.encode(), key);
  }

  public static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static String b64(String s) {
    return b64(s.getBytes(StandardCharsets.UTF_8));
  }

  /** ES256 (JWS form: r || s, 64 bytes) over {@code b64(header).b64(payload)}. */
  public static String es256(String headerJson, String payloadJson, PrivateKey k) {
    return es256Raw(b64(headerJson) + "." + b64(payloadJson), k);
  }

  public static String es256Raw(String signingInput, PrivateKey k) {
    return signingInput + "." + b64(sign("SHA256withECDSAinP1363Format", signingInput, k));
  }

  public static byte[] sign(String alg, String input, PrivateKey k) {
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
  public static String hs256(String headerJson, String payloadJson, byte[] secret) {
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
  public static JsonObject jwk(ECPublicKey k, String kid) {
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

  public static String pem(PublicKey k) {
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
  public List<Vector> vectors() {
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
  public List<Vector> invalidUtf8() {
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
