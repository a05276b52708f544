package dev.aegis.verticles.sso;

import dev.aegis.verticles.http.ApiError;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * URL rules for SSO configuration and for the endpoints a provider's discovery document names:
 * absolute {@code https} URLs, or {@code http} to the loopback interface only ({@code localhost},
 * {@code 127.0.0.0/8}, {@code [::1]}: a provider on the same machine, e.g. in tests). No user
 * info, no fragment.
 */
final class SsoUrls {

  static final int MAX_URL_CHARS = 2000;

  private SsoUrls() {}

  /** Whether the URL is acceptable for talking to a provider. */
  static boolean secure(String value) {
    return problem(value) == null;
  }

  /**
   * Validates a configured URL.
   *
   * @param noQuery issuers may have neither query nor fragment (OpenID Connect Discovery 1.0 §2)
   * @throws ApiError 400 {@code validation_error}
   */
  static String require(String value, String field, boolean noQuery) {
    String p = problem(value);
    if (p == null && noQuery && URI.create(value).getRawQuery() != null) {
      p = "must not have a query";
    }
    if (p != null) {
      throw ApiError.badRequest("validation_error", "'" + field + "' " + p);
    }
    return value;
  }

  /** Null when the URL is acceptable, otherwise what is wrong with it. */
  static String problem(String value) {
    if (value == null || value.isBlank()) {
      return "is required";
    }
    if (value.length() > MAX_URL_CHARS) {
      return "is longer than " + MAX_URL_CHARS;
    }
    URI u;
    try {
      u = new URI(value);
    } catch (URISyntaxException e) {
      return "is not a valid URL";
    }
    if (!u.isAbsolute() || u.getHost() == null || u.getHost().isEmpty()) {
      return "must be an absolute URL";
    }
    if (u.getRawUserInfo() != null || u.getRawFragment() != null) {
      return "must have neither user info nor a fragment";
    }
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("https")) {
      return null;
    }
    if (scheme.equals("http") && loopback(u.getHost())) {
      return null;
    }
    return "must be an https URL (http only for localhost)";
  }

  static boolean loopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost") || h.equals("::1") || h.matches("127(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");
  }

  /** The discovery document's URL for an issuer. */
  static String wellKnown(String issuer) {
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    return base + "/.well-known/openid-configuration";
  }
}
