package dev.aegis.verticles.sso;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.storage.pg.PgSsoStore;
import dev.aegis.verticles.http.ApiError;
import dev.aegis.verticles.http.Bodies;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The provider configuration accepted by {@code POST /auth/sso/config} and its JSON view. The
 * body replaces the provider's configuration (omitted fields take their defaults) except the
 * client secret, which is kept when omitted. The secret is never rendered: the view says
 * {@code client_secret_set} instead.
 */
final class SsoConfig {

  /** Provider slugs: lower-case, digits, '-' and '_'; not the names of the fixed routes. */
  static final Pattern SLUG = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");
  static final Set<String> RESERVED = Set.of("config", "providers", "callback");
  static final Set<String> ROLES = Set.of(Principal.Roles.ADMIN, Principal.Roles.SECURITY,
      Principal.Roles.AUDITOR, Principal.Roles.VIEWER);
  /** ADMIN is only ever granted by an explicit mapping, never as the default. */
  static final Set<String> DEFAULT_ROLES = Set.of(Principal.Roles.SECURITY, Principal.Roles.AUDITOR,
      Principal.Roles.VIEWER);
  static final Set<String> AUTH_METHODS = Set.of("client_secret_basic", "client_secret_post", "none");
  static final String DEFAULT_SCOPES = "openid email profile";
  static final Set<String> FIELDS = Set.of("provider", "display_name", "issuer", "client_id",
      "client_secret", "token_endpoint_auth_method", "redirect_uri", "scopes", "role_claim",
      "role_mapping", "default_role", "allowed_domains", "enabled", "tenant_id");
  private static final Pattern SCOPE = Pattern.compile("^[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,100}$");
  private static final Pattern CLAIM = Pattern.compile("^[A-Za-z0-9_.:/#-]{1,200}$");
  private static final Pattern DOMAIN = Pattern.compile("^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?"
      + "(\\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)+$");
  private static final Pattern PRINTABLE = Pattern.compile("^[\\x20-\\x7E]+$");

  private SsoConfig() {}

  /**
   * Parses and validates a configuration body for the caller's tenant.
   *
   * @return the provider to store; a null client secret means "keep the stored one"
   * @throws ApiError 400 {@code validation_error}
   */
  static PgSsoStore.Provider parse(JsonObject b, UUID tenant) {
    for (String f : b.fieldNames()) {
      if (!FIELDS.contains(f)) {
        throw ApiError.badRequest("validation_error", "Unknown field '" + f + "'");
      }
    }
    String slug = Bodies.requiredString(b, "provider", 63);
    if (!SLUG.matcher(slug).matches() || RESERVED.contains(slug)) {
      throw ApiError.badRequest("validation_error", "'provider' must match " + SLUG.pattern()
          + " and not be one of " + RESERVED);
    }
    String display = Bodies.optionalString(b, "display_name", 100);
    if (display == null || display.isBlank()) {
      display = Character.toUpperCase(slug.charAt(0)) + slug.substring(1);
    } else if (display.chars().anyMatch(Character::isISOControl)) {
      throw ApiError.badRequest("validation_error", "'display_name' has control characters");
    }
    String issuer = SsoUrls.require(Bodies.requiredString(b, "issuer", SsoUrls.MAX_URL_CHARS).trim(), "issuer", true);
    String clientId = printable(Bodies.requiredString(b, "client_id", 500), "client_id");
    String secret = Bodies.optionalString(b, "client_secret", 2000);
    if (secret != null) {
      secret = printable(secret, "client_secret");
    }
    String method = Bodies.optionalString(b, "token_endpoint_auth_method", 40);
    method = method == null ? "client_secret_basic" : method;
    if (!AUTH_METHODS.contains(method)) {
      throw ApiError.badRequest("validation_error", "'token_endpoint_auth_method' must be one of " + AUTH_METHODS);
    }
    if (method.equals("none")) {
      secret = null;
    }
    String redirect = SsoUrls.require(Bodies.requiredString(b, "redirect_uri", SsoUrls.MAX_URL_CHARS).trim(),
        "redirect_uri", false);
    String scopes = scopes(b.getValue("scopes"));
    String roleClaim = Bodies.optionalString(b, "role_claim", 200);
    if (roleClaim != null && !CLAIM.matcher(roleClaim).matches()) {
      throw ApiError.badRequest("validation_error", "'role_claim' must match " + CLAIM.pattern());
    }
    JsonObject mapping = mapping(b.getValue("role_mapping"));
    String defaultRole = Bodies.optionalString(b, "default_role", 20);
    defaultRole = defaultRole == null ? Principal.Roles.VIEWER : defaultRole.toUpperCase(Locale.ROOT);
    if (!DEFAULT_ROLES.contains(defaultRole)) {
      throw ApiError.badRequest("validation_error", "'default_role' must be one of " + DEFAULT_ROLES
          + " (ADMIN is granted only through role_mapping)");
    }
    List<String> domains = domains(b.getValue("allowed_domains"));
    Object enabled = b.getValue("enabled");
    if (enabled != null && !(enabled instanceof Boolean)) {
      throw ApiError.badRequest("validation_error", "'enabled' must be a boolean");
    }
    return new PgSsoStore.Provider(tenant, slug, display.trim(), issuer, clientId, secret, method, redirect,
        scopes, roleClaim, mapping, defaultRole, domains, enabled == null || (Boolean) enabled, null, null);
  }

  /** The JSON view of a provider: everything but the secret. */
  static JsonObject toJson(PgSsoStore.Provider p) {
    JsonArray scopes = new JsonArray();
    for (String s : p.scopes().split(" ")) {
      if (!s.isEmpty()) {
        scopes.add(s);
      }
    }
    return new JsonObject().put("provider", p.provider()).put("display_name", p.displayName())
        .put("tenant_id", p.tenantId().toString()).put("issuer", p.issuer()).put("client_id", p.clientId())
        .put("client_secret_set", p.clientSecret() != null && !p.clientSecret().isEmpty())
        .put("token_endpoint_auth_method", p.tokenAuthMethod()).put("redirect_uri", p.redirectUri())
        .put("scopes", scopes).put("role_claim", p.roleClaim()).put("role_mapping", p.roleMapping().copy())
        .put("default_role", p.defaultRole())
        .put("allowed_domains", new JsonArray(new ArrayList<Object>(p.allowedDomains())))
        .put("enabled", p.enabled())
        .put("login_path", "/auth/sso/" + p.provider() + "?tenant_id=" + p.tenantId())
        .put("callback_path", "/auth/sso/" + p.provider() + "/callback")
        .put("created_at", p.createdAt() == null ? null : p.createdAt().toString())
        .put("updated_at", p.updatedAt() == null ? null : p.updatedAt().toString());
  }

  private static String printable(String v, String field) {
    if (!PRINTABLE.matcher(v).matches()) {
      throw ApiError.badRequest("validation_error", "'" + field + "' must be printable ASCII");
    }
    return v;
  }

  /** Space-separated string or array; always includes {@code openid}. */
  private static String scopes(Object v) {
    List<String> raw = new ArrayList<>();
    if (v == null) {
      return DEFAULT_SCOPES;
    } else if (v instanceof String s) {
      for (String t : s.trim().split("\\s+")) {
        if (!t.isEmpty()) {
          raw.add(t);
        }
      }
    } else if (v instanceof JsonArray a) {
      for (Object o : a) {
        if (!(o instanceof String s)) {
          throw ApiError.badRequest("validation_error", "'scopes' must be strings");
        }
        raw.add(s);
      }
    } else {
      throw ApiError.badRequest("validation_error", "'scopes' must be a string or an array of strings");
    }
    LinkedHashSet<String> out = new LinkedHashSet<>();
    out.add("openid");
    for (String s : raw) {
      if (!SCOPE.matcher(s).matches()) {
        throw ApiError.badRequest("validation_error", "Invalid scope '" + Discovery.clip(s) + "'");
      }
      out.add(s);
    }
    if (out.size() > 20) {
      throw ApiError.badRequest("validation_error", "At most 20 scopes");
    }
    return String.join(" ", out);
  }

  private static JsonObject mapping(Object v) {
    if (v == null) {
      return new JsonObject();
    }
    if (!(v instanceof JsonObject o)) {
      throw ApiError.badRequest("validation_error", "'role_mapping' must be an object {\"claim value\": \"ROLE\"}");
    }
    if (o.size() > 200) {
      throw ApiError.badRequest("validation_error", "'role_mapping' has more than 200 entries");
    }
    JsonObject out = new JsonObject();
    for (String k : o.fieldNames()) {
      Object role = o.getValue(k);
      if (k.isEmpty() || k.length() > 256) {
        throw ApiError.badRequest("validation_error", "'role_mapping' keys must be 1 to 256 characters");
      }
      if (!(role instanceof String r) || !ROLES.contains(r.toUpperCase(Locale.ROOT))) {
        throw ApiError.badRequest("validation_error", "'role_mapping' values must be one of " + ROLES);
      }
      out.put(k, r.toUpperCase(Locale.ROOT));
    }
    return out;
  }

  private static List<String> domains(Object v) {
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray a) || a.size() > 100) {
      throw ApiError.badRequest("validation_error", "'allowed_domains' must be an array of at most 100 domains");
    }
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (Object o : a) {
      String d = o instanceof String s ? s.trim().toLowerCase(Locale.ROOT) : null;
      if (d == null || !DOMAIN.matcher(d).matches()) {
        throw ApiError.badRequest("validation_error", "'allowed_domains' entries must be domain names");
      }
      out.add(d);
    }
    return List.copyOf(out);
  }
}
