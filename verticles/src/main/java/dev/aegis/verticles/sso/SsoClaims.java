package dev.aegis.verticles.sso;

import com.nimbusds.jwt.JWTClaimsSet;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** What an SSO login takes from a validated ID token: the e-mail, the name, and the role. */
final class SsoClaims {

  private static final Pattern EMAIL = Pattern.compile("^[^@\\s\\p{Cntrl}]{1,64}@[A-Za-z0-9.-]{1,253}$");

  /** The role a login gets; {@code matchedValue} is null when no mapping matched. */
  record Role(String role, String matchedValue) {}

  private SsoClaims() {}

  /** The lower-cased {@code email} claim, or null when absent or malformed. */
  static String email(JWTClaimsSet c) {
    Object v = c.getClaim("email");
    if (!(v instanceof String s)) {
      return null;
    }
    String e = s.trim().toLowerCase(Locale.ROOT);
    return e.length() <= 320 && EMAIL.matcher(e).matches() ? e : null;
  }

  /** True only when the provider says explicitly that the e-mail is not verified. */
  static boolean emailUnverified(JWTClaimsSet c) {
    Object v = c.getClaim("email_verified");
    return Boolean.FALSE.equals(v) || "false".equals(v);
  }

  static String domain(String email) {
    return email.substring(email.lastIndexOf('@') + 1);
  }

  /** The {@code name} claim (or given + family name), clipped, or null. */
  static String fullName(JWTClaimsSet c) {
    Object n = c.getClaim("name");
    String name = n instanceof String s ? s : null;
    if (name == null) {
      Object g = c.getClaim("given_name");
      Object f = c.getClaim("family_name");
      String joined = ((g instanceof String gs ? gs : "") + " " + (f instanceof String fs ? fs : "")).trim();
      name = joined.isEmpty() ? null : joined;
    }
    if (name == null) {
      return null;
    }
    name = name.replaceAll("\\p{Cntrl}", "").trim();
    return name.isEmpty() ? null : name.length() > 200 ? name.substring(0, 200) : name;
  }

  /**
   * The role from the mapping: the first value of the role claim (in the token's order) that the
   * mapping names; otherwise the default role. The claim may be a string or an array, and may be
   * a dotted path into nested objects (e.g. {@code realm_access.roles}) when no top-level claim
   * has that exact name.
   */
  static Role role(JWTClaimsSet c, String roleClaim, JsonObject mapping, String defaultRole) {
    if (roleClaim != null && mapping != null && !mapping.isEmpty()) {
      for (String v : values(c, roleClaim)) {
        if (mapping.getValue(v) instanceof String r) {
          return new Role(r, v);
        }
      }
    }
    return new Role(defaultRole, null);
  }

  static List<String> values(JWTClaimsSet c, String claim) {
    Object v = c.getClaim(claim);
    if (v == null && claim.contains(".")) {
      Object cur = c.getClaims();
      for (String part : claim.split("\\.")) {
        cur = cur instanceof Map<?, ?> m ? m.get(part) : null;
      }
      v = cur;
    }
    List<String> out = new ArrayList<>();
    if (v instanceof String s) {
      out.add(s);
    } else if (v instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof String || o instanceof Number || o instanceof Boolean) {
          out.add(o.toString());
        }
        if (out.size() >= 1000) {
          break;
        }
      }
    } else if (v instanceof Number || v instanceof Boolean) {
      out.add(v.toString());
    }
    return out;
  }
}
