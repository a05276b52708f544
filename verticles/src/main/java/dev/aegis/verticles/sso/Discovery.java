package dev.aegis.verticles.sso;

import dev.aegis.verticles.http.ApiError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a provider's OpenID Connect discovery document the relying party uses.
 *
 * @param userinfoEndpoint may be null
 */
record Discovery(String issuer, String authorizationEndpoint, String tokenEndpoint, String jwksUri,
    String userinfoEndpoint, List<String> signingAlgorithms, List<String> codeChallengeMethods,
    List<String> tokenAuthMethods) {

  /**
   * Parses and checks a discovery document: {@code issuer} must equal the configured issuer
   * exactly, and the authorization, token and JWKS endpoints must be present and secure URLs.
   *
   * @throws ApiError 502 {@code sso_discovery_failed}
   */
  static Discovery parse(JsonObject doc, String expectedIssuer) {
    String issuer = doc.getValue("issuer") instanceof String s ? s : null;
    if (!expectedIssuer.equals(issuer)) {
      throw failed("the discovered issuer " + (issuer == null ? "is missing" : "'" + clip(issuer)
          + "'") + " differs from the configured issuer '" + clip(expectedIssuer) + "'");
    }
    return new Discovery(issuer, endpoint(doc, "authorization_endpoint", true),
        endpoint(doc, "token_endpoint", true), endpoint(doc, "jwks_uri", true),
        endpoint(doc, "userinfo_endpoint", false), strings(doc, "id_token_signing_alg_values_supported"),
        strings(doc, "code_challenge_methods_supported"), strings(doc, "token_endpoint_auth_methods_supported"));
  }

  JsonObject toJson() {
    return new JsonObject().put("issuer", issuer).put("authorization_endpoint", authorizationEndpoint)
        .put("token_endpoint", tokenEndpoint).put("jwks_uri", jwksUri).put("userinfo_endpoint", userinfoEndpoint)
        .put("id_token_signing_alg_values_supported", new JsonArray(new ArrayList<Object>(signingAlgorithms)))
        .put("code_challenge_methods_supported", new JsonArray(new ArrayList<Object>(codeChallengeMethods)))
        .put("token_endpoint_auth_methods_supported", new JsonArray(new ArrayList<Object>(tokenAuthMethods)));
  }

  static ApiError failed(String why) {
    return new ApiError(502, "sso_discovery_failed", "OpenID Connect discovery failed: " + why);
  }

  private static String endpoint(JsonObject doc, String field, boolean required) {
    Object v = doc.getValue(field);
    if (v == null && !required) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw failed("'" + field + "' is missing");
    }
    String problem = SsoUrls.problem(s);
    if (problem != null) {
      throw failed("'" + field + "' " + problem);
    }
    return s;
  }

  private static List<String> strings(JsonObject doc, String field) {
    List<String> out = new ArrayList<>();
    if (doc.getValue(field) instanceof JsonArray a) {
      for (Object o : a) {
        if (o instanceof String s && out.size() < 50) {
          out.add(clip(s));
        }
      }
    }
    return List.copyOf(out);
  }

  static String clip(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }
}
