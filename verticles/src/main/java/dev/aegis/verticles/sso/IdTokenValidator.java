package dev.aegis.verticles.sso;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Validates an OpenID Connect ID token (Core 1.0 §3.1.3.7) with Nimbus JOSE: a JWS signed with
 * RS256, ES256 or PS256 (never {@code none}, never HMAC) by a key of the provider's JWKS selected
 * by {@code kid} (key material in the token's own header — {@code jwk}, {@code jku},
 * {@code x5u}, {@code x5c} — is never used); {@code iss} equals the issuer; {@code aud} contains
 * the client id (and {@code azp}, when present or when there are several audiences, equals it);
 * {@code exp}, {@code iat} (required) and {@code nbf} with a 60 s skew; {@code nonce} equals the
 * one sent; {@code sub} present. Pure and thread safe.
 */
final class IdTokenValidator {

  static final Set<JWSAlgorithm> ALLOWED = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.PS256);
  static final long SKEW_SECONDS = 60;
  static final int MAX_TOKEN_CHARS = 16_384;
  private static final int MAX_CANDIDATE_KEYS = 5;

  /** Why a token was refused; {@code unknownKey} asks the caller to refetch the key set once. */
  static final class Invalid extends Exception {
    final boolean unknownKey;

    Invalid(String message, boolean unknownKey) {
      super(message, null, false, false);
      this.unknownKey = unknownKey;
    }

    Invalid(String message) {
      this(message, false);
    }
  }

  private IdTokenValidator() {}

  static JWTClaimsSet validate(String token, JWKSet keys, String issuer, String clientId, String nonce,
      long nowSeconds) throws Invalid {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
      throw new Invalid("The ID token is missing or too large");
    }
    JWT parsed;
    try {
      parsed = JWTParser.parse(token);
    } catch (ParseException e) {
      throw new Invalid("The ID token cannot be parsed");
    }
    if (!(parsed instanceof SignedJWT jwt)) {
      throw new Invalid("The ID token is not signed");
    }
    JWSHeader h = jwt.getHeader();
    if (!ALLOWED.contains(h.getAlgorithm())) {
      throw new Invalid("The ID token's algorithm " + h.getAlgorithm() + " is not allowed");
    }
    if (h.getCriticalParams() != null && !h.getCriticalParams().isEmpty()) {
      throw new Invalid("The ID token has critical header parameters");
    }
    List<JWSVerifier> verifiers = verifiers(keys, h);
    if (verifiers.isEmpty()) {
      throw new Invalid("No key of the provider matches the ID token (kid " + h.getKeyID() + ")", true);
    }
    boolean ok = false;
    for (JWSVerifier v : verifiers) {
      try {
        if (jwt.verify(v)) {
          ok = true;
          break;
        }
      } catch (JOSEException | IllegalStateException e) {
        // try the next candidate
      }
    }
    if (!ok) {
      throw new Invalid("The ID token's signature is invalid");
    }
    JWTClaimsSet c;
    try {
      c = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new Invalid("The ID token's claims cannot be parsed");
    }
    if (!issuer.equals(c.getIssuer())) {
      throw new Invalid("The ID token's issuer is not the configured issuer");
    }
    List<String> aud = c.getAudience();
    if (aud == null || !aud.contains(clientId)) {
      throw new Invalid("The ID token is not addressed to this client (aud)");
    }
    Object azp = c.getClaim("azp");
    if ((azp != null || aud.size() > 1) && !clientId.equals(azp)) {
      throw new Invalid("The ID token's authorized party (azp) is not this client");
    }
    Date exp = c.getExpirationTime();
    Date iat = c.getIssueTime();
    Date nbf = c.getNotBeforeTime();
    if (exp == null || iat == null) {
      throw new Invalid("The ID token lacks exp or iat");
    }
    if (nowSeconds > exp.getTime() / 1000 + SKEW_SECONDS) {
      throw new Invalid("The ID token has expired");
    }
    if (iat.getTime() / 1000 > nowSeconds + SKEW_SECONDS
        || (nbf != null && nbf.getTime() / 1000 > nowSeconds + SKEW_SECONDS)) {
      throw new Invalid("The ID token is not valid yet");
    }
    Object n = c.getClaim("nonce");
    if (!(n instanceof String s) || !MessageDigest.isEqual(s.getBytes(StandardCharsets.UTF_8),
        nonce.getBytes(StandardCharsets.UTF_8))) {
      throw new Invalid("The ID token's nonce does not match this login");
    }
    if (c.getSubject() == null || c.getSubject().isBlank()) {
      throw new Invalid("The ID token has no subject");
    }
    return c;
  }

  /** Verifiers for the keys that may have signed a token with this header. */
  private static List<JWSVerifier> verifiers(JWKSet keys, JWSHeader h) {
    List<JWSVerifier> out = new ArrayList<>();
    JWSAlgorithm alg = h.getAlgorithm();
    String kid = h.getKeyID();
    for (JWK k : keys.getKeys()) {
      if (out.size() >= MAX_CANDIDATE_KEYS) {
        break;
      }
      if ((kid != null && !kid.equals(k.getKeyID()))
          || (k.getKeyUse() != null && !KeyUse.SIGNATURE.equals(k.getKeyUse()))
          || (k.getAlgorithm() != null && !k.getAlgorithm().equals(alg))) {
        continue;
      }
      try {
        if ((JWSAlgorithm.RS256.equals(alg) || JWSAlgorithm.PS256.equals(alg)) && k instanceof RSAKey rsa) {
          out.add(new RSASSAVerifier(rsa.toPublicJWK()));
        } else if (JWSAlgorithm.ES256.equals(alg) && k instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
          out.add(new ECDSAVerifier(ec.toPublicJWK()));
        }
      } catch (JOSEException | RuntimeException e) {
        // unusable key (e.g. RSA below 2048 bits): skip it
      }
    }
    return out;
  }
}
