package dev.aegis.verticles.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.aegis.pipeline.ports.Principal;
import dev.aegis.pipeline.ports.TokenVerifier;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Issues and verifies access tokens: ES256 JWTs with a {@code kid}, JOSE {@code typ} {@code at+jwt}
 * and claims {@code sub, tenant_id, org_id, role, typ=ACP_ACCESS, jti, iat, nbf, exp, iss, aud}
 * (agent tokens add {@code agent_id}).
 *
 * <p>Verification allows exactly one algorithm (ES256) and only keys we hold (by {@code kid});
 * headers that point at other keys ({@code jku}, {@code jwk}, {@code x5u}, {@code x5c}) or carry
 * {@code crit} are refused; {@code exp} is required; {@code exp}/{@code nbf}/{@code iat} are
 * checked with a 30 s skew; issuer, audience and token type must match. Verified tokens are cached
 * (keyed by the token, bounded in size, never beyond their {@code exp}), so the hot path verifies
 * each token once. Thread safe.
 */
public final class TokenService implements TokenVerifier {

  public static final String ISSUER = "aegis";
  public static final String AUDIENCE = "aegis-gateway";
  public static final String TOKEN_TYPE = "ACP_ACCESS";
  public static final JOSEObjectType JOSE_TYPE = new JOSEObjectType("at+jwt");
  public static final int MAX_TOKEN_CHARS = 8192;
  private static final long SKEW_SECONDS = 30;
  private static final int CACHE_MAX = 100_000;
  /** A key pair with its id. */
  public record SigningKey(String kid, ECPrivateKey privateKey, ECPublicKey publicKey) {}

  /** The signing key and every key that verifies, swapped atomically on rotation. */
  private record KeyRing(SigningKey active, ECDSASigner signer, Map<String, ECDSAVerifier> verifiers,
      List<SigningKey> all) {}

  /** A verified token in the cache, with the family it belongs to (may be null). */
  private record Verified(Principal principal, String family) {}

  private final AtomicReference<KeyRing> ring = new AtomicReference<>();
  private final Map<String, Verified> cache = new ConcurrentHashMap<>();
  private final RevocationList revocations;
  private final long ttlSeconds;

  /**
   * @param active the key that signs new tokens
   * @param verifyOnly older keys that still verify
   * @param ttlSeconds access-token lifetime (900 = 15 min)
   */
  public TokenService(SigningKey active, List<SigningKey> verifyOnly, long ttlSeconds) {
    this(active, verifyOnly, ttlSeconds, new RevocationList());
  }

  /**
   * @param revocations the process's revocation list, consulted on every verification
   */
  public TokenService(SigningKey active, List<SigningKey> verifyOnly, long ttlSeconds,
      RevocationList revocations) {
    this.ttlSeconds = ttlSeconds;
    this.revocations = revocations;
    reload(active, verifyOnly);
  }

  /** Installs a new key ring (after a rotation); tokens already verified stay cached. */
  public void reload(SigningKey active, List<SigningKey> verifyOnly) {
    try {
      Map<String, ECDSAVerifier> v = new HashMap<>();
      v.put(active.kid(), new ECDSAVerifier(active.publicKey()));
      List<SigningKey> all = new ArrayList<>();
      all.add(active);
      for (SigningKey k : verifyOnly) {
        v.put(k.kid(), new ECDSAVerifier(k.publicKey()));
        all.add(k);
      }
      ring.set(new KeyRing(active, new ECDSASigner(active.privateKey()), Map.copyOf(v), List.copyOf(all)));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public RevocationList revocations() {
    return revocations;
  }

  /** The kid of the key that signs new tokens. */
  public String activeKid() {
    return ring.get().active().kid();
  }

  /** The public keys as a JWK set (RFC 7517), for {@code /.well-known/jwks.json}. */
  public io.vertx.core.json.JsonObject jwks() {
    io.vertx.core.json.JsonArray keys = new io.vertx.core.json.JsonArray();
    for (SigningKey k : ring.get().all()) {
      keys.add(new io.vertx.core.json.JsonObject(new com.nimbusds.jose.jwk.ECKey.Builder(
          com.nimbusds.jose.jwk.Curve.P_256, k.publicKey()).keyID(k.kid()).algorithm(JWSAlgorithm.ES256)
          .keyUse(com.nimbusds.jose.jwk.KeyUse.SIGNATURE).build().toPublicJWK().toJSONObject()));
    }
    return new io.vertx.core.json.JsonObject().put("keys", keys);
  }

  public long ttlSeconds() {
    return ttlSeconds;
  }

  /** Issues an access token for a user or agent. */
  public String issue(String subject, String tenantId, String role, String agentId, boolean platformAdmin) {
    return issue(subject, tenantId, role, agentId, platformAdmin, null);
  }

  /**
   * Issues an access token.
   *
   * @param family the refresh-token family it was issued from (revoking the family revokes it),
   *     or null
   */
  public String issue(String subject, String tenantId, String role, String agentId,
      boolean platformAdmin, String family) {
    long now = System.currentTimeMillis() / 1000;
    JWTClaimsSet.Builder c = new JWTClaimsSet.Builder().subject(subject).issuer(ISSUER)
        .audience(AUDIENCE).jwtID(UUID.randomUUID().toString()).issueTime(new Date(now * 1000))
        .notBeforeTime(new Date(now * 1000)).expirationTime(new Date((now + ttlSeconds) * 1000))
        .claim("tenant_id", tenantId).claim("org_id", tenantId).claim("role", role)
        .claim("typ", TOKEN_TYPE);
    if (agentId != null) {
      c.claim("agent_id", agentId);
    }
    if (platformAdmin) {
      c.claim("platform_admin", true);
    }
    if (family != null) {
      c.claim("fam", family);
    }
    KeyRing r = ring.get();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(r.active().kid())
        .type(JOSE_TYPE).build(), c.build());
    try {
      jwt.sign(r.signer());
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  @Override
  public Future<Principal> verify(String token) {
    try {
      return Future.succeededFuture(verifyNow(token));
    } catch (AuthFailure f) {
      return Future.failedFuture(f);
    }
  }

  /** Synchronous verification (cheap after the first call for a token). */
  public Principal verifyNow(String token) {
    long now = System.currentTimeMillis() / 1000;
    Verified v = cache.get(token);
    if (v == null) {
      v = verifyUncached(token, now);
      if (cache.size() >= CACHE_MAX) {
        cache.clear();
      }
      cache.put(token, v);
    } else if (now >= v.principal().expiresAtEpochSeconds() + SKEW_SECONDS) {
      cache.remove(token);
      throw new AuthFailure("token_expired", "The token has expired");
    }
    if (revocations.revoked(v.principal().tenantId(), v.principal().tokenId(), v.family())) {
      throw new AuthFailure("token_revoked", "The token has been revoked");
    }
    return v.principal();
  }

  /**
   * Reads a token's claims after checking its signature and type, ignoring expiry and revocation
   * (for {@code /auth/revoke} and {@code /auth/introspect}).
   *
   * @return the principal and family, or null when the token is not one of ours
   */
  public Principal inspect(String token) {
    try {
      return verifyUncached(token, 0).principal();
    } catch (AuthFailure f) {
      return null;
    }
  }

  /** The family claim of a token we issued, or null. */
  public String familyOf(String token) {
    Verified v = cache.get(token);
    if (v != null) {
      return v.family();
    }
    try {
      return verifyUncached(token, 0).family();
    } catch (AuthFailure f) {
      return null;
    }
  }

  private Verified verifyUncached(String token, long now) {
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new AuthFailure("invalid_token", "The token is too large");
    }
    for (int i = 0; i < token.length(); i++) {
      char ch = token.charAt(i);
      if (!(ch == '.' || ch == '-' || ch == '_' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z')
          || (ch >= 'A' && ch <= 'Z'))) {
        throw new AuthFailure("invalid_token", "The token is not a compact JWS");
      }
    }
    requireStrictUtf8(token);
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException | RuntimeException e) {
      throw new AuthFailure("invalid_token", "The token cannot be parsed");
    }
    JWSHeader h = jwt.getHeader();
    if (!JWSAlgorithm.ES256.equals(h.getAlgorithm())) {
      throw new AuthFailure("invalid_token", "Token algorithm not allowed");
    }
    if (h.getJWKURL() != null || h.getJWK() != null || h.getX509CertURL() != null
        || h.getX509CertChain() != null || (h.getCriticalParams() != null && !h.getCriticalParams().isEmpty())) {
      throw new AuthFailure("invalid_token", "Token header parameters not allowed");
    }
    if (!JOSE_TYPE.equals(h.getType())) {
      throw new AuthFailure("invalid_token", "Wrong token type");
    }
    ECDSAVerifier verifier = h.getKeyID() == null ? null : ring.get().verifiers().get(h.getKeyID());
    if (verifier == null) {
      throw new AuthFailure("invalid_token", "Unknown signing key");
    }
    try {
      if (!jwt.verify(verifier)) {
        throw new AuthFailure("invalid_signature", "The token signature is invalid");
      }
    } catch (JOSEException e) {
      throw new AuthFailure("invalid_signature", "The token signature is invalid");
    }
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      throw new AuthFailure("invalid_token", "The token has no expiry");
    }
    long expS = exp.getTime() / 1000;
    if (now > 0 && now >= expS + SKEW_SECONDS) {
      throw new AuthFailure("token_expired", "The token has expired");
    }
    Date nbf = claims.getNotBeforeTime();
    if (now > 0 && nbf != null && nbf.getTime() / 1000 > now + SKEW_SECONDS) {
      throw new AuthFailure("token_not_yet_valid", "The token is not valid yet");
    }
    Date iat = claims.getIssueTime();
    if (now > 0 && iat != null && iat.getTime() / 1000 > now + SKEW_SECONDS) {
      throw new AuthFailure("token_not_yet_valid", "The token was issued in the future");
    }
    if (!ISSUER.equals(claims.getIssuer())) {
      throw new AuthFailure("invalid_token", "Wrong issuer");
    }
    if (claims.getAudience() == null || !claims.getAudience().contains(AUDIENCE)) {
      throw new AuthFailure("invalid_token", "Wrong audience");
    }
    Object typ = claims.getClaim("typ");
    Object tenant = claims.getClaim("tenant_id");
    Object role = claims.getClaim("role");
    Object agent = claims.getClaim("agent_id");
    if (!TOKEN_TYPE.equals(typ) || !(tenant instanceof String t) || !(role instanceof String r)
        || !Principal.Roles.ALL.contains(r) || claims.getSubject() == null) {
      throw new AuthFailure("invalid_token", "Required claims are missing or invalid");
    }
    try {
      UUID.fromString(t);
    } catch (IllegalArgumentException e) {
      throw new AuthFailure("invalid_token", "Invalid tenant claim");
    }
    if (Principal.Roles.AGENT.equals(r) != (agent instanceof String)) {
      throw new AuthFailure("invalid_token", "Agent claim does not fit the role");
    }
    Object fam = claims.getClaim("fam");
    if (claims.getJWTID() == null) {
      throw new AuthFailure("invalid_token", "The token has no id");
    }
    return new Verified(new Principal(claims.getSubject(), t, r, (String) agent, claims.getJWTID(), expS,
        Boolean.TRUE.equals(claims.getClaim("platform_admin"))), fam instanceof String f ? f : null);
  }

  /**
   * Refuses header or payload segments that are not valid UTF-8 (RFC 8725 section 3.7): the JOSE
   * library would otherwise replace bad bytes with U+FFFD and go on.
   */
  private static void requireStrictUtf8(String token) {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first < 0 || second < 0) {
      return; // the parser rejects it
    }
    for (String segment : new String[] {token.substring(0, first), token.substring(first + 1, second)}) {
      try {
        byte[] raw = java.util.Base64.getUrlDecoder().decode(segment);
        java.nio.charset.StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
            .decode(java.nio.ByteBuffer.wrap(raw));
      } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
        throw new AuthFailure("invalid_token", "The token is not valid UTF-8 JSON");
      }
    }
  }

  /** Generates a new P-256 key pair with a kid derived from the public key. */
  public static SigningKey generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair kp = g.generateKeyPair();
      return new SigningKey(kid(kp.getPublic().getEncoded()), (ECPrivateKey) kp.getPrivate(),
          (ECPublicKey) kp.getPublic());
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Rebuilds a key from its PKCS#8 and X.509 encodings. */
  public static SigningKey decode(String kid, byte[] pkcs8, byte[] spki) {
    try {
      KeyFactory f = KeyFactory.getInstance("EC");
      return new SigningKey(kid, (ECPrivateKey) f.generatePrivate(new PKCS8EncodedKeySpec(pkcs8)),
          (ECPublicKey) f.generatePublic(new X509EncodedKeySpec(spki)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("stored signing key " + kid + " is unreadable", e);
    }
  }

  static String kid(byte[] spki) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(spki);
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SHA-256 hex of an agent secret (secrets are 256-bit random, so a fast hash is enough). */
  public static String secretHash(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
