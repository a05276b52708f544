package dev.aegis.verticles.opa;

import java.net.URI;
import java.util.Map;

/**
 * Settings of the remote OPA mode ({@code AEGIS_POLICY_MODE=remote}).
 *
 * @param url base URL of the OPA server ({@code AEGIS_OPA_URL}, required), e.g.
 *     {@code http://opa:8181}
 * @param decisionPath the decision's path under {@code /v1/data/} ({@code AEGIS_OPA_DECISION_PATH},
 *     default {@code aegis/platform/decision})
 * @param timeoutMillis connect and whole-request deadline ({@code AEGIS_OPA_TIMEOUT_MS}, 250)
 * @param token bearer token for OPA's {@code --authentication=token} ({@code AEGIS_OPA_TOKEN},
 *     optional; never logged, masked in {@link #toString()})
 * @param cacheTtlMillis how long a remote decision is reused ({@code AEGIS_OPA_CACHE_TTL_MS},
 *     60000; 0 turns the cache off)
 * @param cacheMaxEntries decision cache size cap ({@code AEGIS_OPA_CACHE_MAX}, 10000)
 */
public record RemoteOpaConfig(String url, String decisionPath, int timeoutMillis, String token,
    long cacheTtlMillis, int cacheMaxEntries) {

  public static final String DEFAULT_DECISION_PATH = "aegis/platform/decision";

  public RemoteOpaConfig {
    URI u;
    try {
      u = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("AEGIS_OPA_URL is not a URL: " + url);
    }
    if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
      throw new IllegalArgumentException("AEGIS_OPA_URL must be an http(s) URL, got " + url);
    }
    while (url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    decisionPath = decisionPath == null || decisionPath.isBlank() ? DEFAULT_DECISION_PATH : decisionPath.trim();
    while (decisionPath.startsWith("/")) {
      decisionPath = decisionPath.substring(1);
    }
    if (!decisionPath.matches("[A-Za-z0-9_]+(/[A-Za-z0-9_]+)*")) {
      throw new IllegalArgumentException("AEGIS_OPA_DECISION_PATH must be slash-separated rule names, got "
          + decisionPath);
    }
    if (timeoutMillis < 1) {
      throw new IllegalArgumentException("AEGIS_OPA_TIMEOUT_MS must be positive");
    }
    if (cacheTtlMillis < 0 || cacheMaxEntries < 1) {
      throw new IllegalArgumentException("AEGIS_OPA_CACHE_TTL_MS must be >= 0 and AEGIS_OPA_CACHE_MAX >= 1");
    }
    token = token == null || token.isBlank() ? null : token.trim();
  }

  /**
   * The remote settings from the environment when {@code AEGIS_POLICY_MODE=remote}; null for
   * {@code local} (the default, the in-process engine).
   */
  public static RemoteOpaConfig fromEnv(Map<String, String> env) {
    String mode = env.getOrDefault("AEGIS_POLICY_MODE", "local");
    mode = mode == null || mode.isBlank() ? "local" : mode.trim().toLowerCase(java.util.Locale.ROOT);
    if (mode.equals("local")) {
      return null;
    }
    if (!mode.equals("remote")) {
      throw new IllegalArgumentException("AEGIS_POLICY_MODE must be local or remote, got '" + mode + "'");
    }
    String url = env.get("AEGIS_OPA_URL");
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("AEGIS_POLICY_MODE=remote needs AEGIS_OPA_URL");
    }
    return new RemoteOpaConfig(url.trim(), env.get("AEGIS_OPA_DECISION_PATH"),
        intOf(env, "AEGIS_OPA_TIMEOUT_MS", 250), env.get("AEGIS_OPA_TOKEN"),
        intOf(env, "AEGIS_OPA_CACHE_TTL_MS", 60_000), intOf(env, "AEGIS_OPA_CACHE_MAX", 10_000));
  }

  private static int intOf(Map<String, String> env, String key, int dflt) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
    }
  }

  /** The Data API URL of the decision. */
  public String decisionUrl() {
    return url + "/v1/data/" + decisionPath;
  }

  @Override
  public String toString() {
    return "RemoteOpaConfig[url=" + url + ", decisionPath=" + decisionPath + ", timeoutMillis=" + timeoutMillis
        + ", token=" + (token == null ? "none" : "***") + ", cacheTtlMillis=" + cacheTtlMillis
        + ", cacheMaxEntries=" + cacheMaxEntries + "]";
  }
}
