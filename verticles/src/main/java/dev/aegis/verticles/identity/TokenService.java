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
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

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

  private final SigningKey active;
  private final Map<String, ECDSAVerifier> verifiers = new ConcurrentHashMap<>();
  private final Map<String, Principal> cache = new ConcurrentHashMap<>();
  private final ECDSASigner signer;
  private final long ttlSeconds;

  /**
   * @param active the key that signs new tokens
   * @param verifyOnly older keys that still verify
   * @param ttlSeconds access-token lifetime (900 = 15 min)
   */
  public TokenService(SigningKey active, List<SigningKey> verifyOnly, long ttlSeconds) {
    this.active = active;
    this.ttlSeconds = ttlSeconds;
    try {
      this.signer = new ECDSASigner(active.privateKey());
      verifiers.put(active.kid(), new ECDSAVerifier(active.publicKey()));
      for (SigningKey k : verifyOnly) {
        verifiers.put(k.kid(), new ECDSAVerifier(k.publicKey()));
      }
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public long ttlSeconds() {
    return ttlSeconds;
  }

  /** Issues an access token for a user or agent. */
  public String issue(String subject, String tenantId, String role, String agentId, boolean platformAdmin) {
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
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(active.kid())
        .type(JOSE_TYPE).build(), c.build());
    try {
      jwt.sign(signer);
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
    Principal cached = cache.get(token);
    if (cached != null) {
      if (now < cached.expiresAtEpochSeconds() + SKEW_SECONDS) {
        return cached;
      }
      cache.remove(token);
      throw new AuthFailure("token_expired", "The token has expired");
    }
    Principal p = verifyUncached(token, now);
    if (cache.size() >= CACHE_MAX) {
      cache.clear();
    }
    cache.put(token, p);
    return p;
  }

  private Principal verifyUncached(String token, long now) {
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
    ECDSAVerifier verifier = h.getKeyID() == null ? null : verifiers.get(h.getKeyID());
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
    if (now >= expS + SKEW_SECONDS) {
      throw new AuthFailure("token_expired", "The token has expired");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.getTime() / 1000 > now + SKEW_SECONDS) {
      throw new AuthFailure("token_not_yet_valid", "The token is not valid yet");
    }
    Date iat = claims.getIssueTime();
    if (iat != null && iat.getTime() / 1000 > now + SKEW_SECONDS) {
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
    return new Principal(claims.getSubject(), t, r, (String) agent, claims.getJWTID(), expS,
        Boolean.TRUE.equals(claims.getClaim("platform_admin")));
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
