package dev.aegis.verticles.policy;

import dev.aegis.verticles.http.ApiError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The modules of a tenant policy as a request carries them: parsing and limits, the package rule
 * (every module is {@code package aegis.tenant} or a sub-package {@code aegis.tenant.*}), and the
 * canonical digest.
 *
 * <p>Limits: at most {@value #MAX_MODULES} modules (400 {@code too_many_modules}), each at most
 * {@value #MAX_MODULE_CHARS} characters and together at most {@value #MAX_TOTAL_CHARS} (413
 * {@code policy_too_large}); file names match {@link #FILE_NAME}.
 */
public final class PolicyModules {

  public static final int MAX_MODULES = 64;
  public static final int MAX_MODULE_CHARS = 256 * 1024;
  public static final int MAX_TOTAL_CHARS = 512 * 1024;
  public static final String DEFAULT_FILE = "policy.rego";
  /** The package every tenant module lives in (or below). */
  public static final String TENANT_PACKAGE = "aegis.tenant";
  public static final Pattern FILE_NAME = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}\\.rego$");
  private static final Pattern PACKAGE = Pattern.compile(
      "^[ \\t]*package[ \\t]+([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*)[ \\t]*(?:#.*)?$",
      Pattern.MULTILINE);

  private PolicyModules() {}

  /**
   * The modules of a body: {@code modules} (object of file name to source) or {@code source} (one
   * module named {@value #DEFAULT_FILE}). Null when the body has neither and {@code required} is
   * false.
   */
  public static Map<String, String> fromBody(JsonObject body, boolean required) {
    Object modules = body.getValue("modules");
    Object source = body.getValue("source");
    if (modules != null && source != null) {
      throw ApiError.badRequest("validation_error", "Send either 'modules' or 'source', not both");
    }
    Map<String, String> out = new LinkedHashMap<>();
    if (source != null) {
      if (!(source instanceof String s) || s.isBlank()) {
        throw ApiError.badRequest("validation_error", "'source' must be a non-empty string");
      }
      out.put(DEFAULT_FILE, s);
    } else if (modules != null) {
      if (!(modules instanceof JsonObject m) || m.isEmpty()) {
        throw ApiError.badRequest("validation_error", "'modules' must be a non-empty object of file name to source");
      }
      if (m.size() > MAX_MODULES) {
        throw ApiError.badRequest("too_many_modules", "A policy has at most " + MAX_MODULES + " modules");
      }
      for (Map.Entry<String, Object> e : m) {
        if (!FILE_NAME.matcher(e.getKey()).matches()) {
          throw ApiError.badRequest("validation_error", "Module name '" + e.getKey()
              + "' must match " + FILE_NAME.pattern());
        }
        if (!(e.getValue() instanceof String s) || s.isBlank()) {
          throw ApiError.badRequest("validation_error", "Module '" + e.getKey() + "' must be a non-empty string");
        }
        out.put(e.getKey(), s);
      }
    } else if (required) {
      throw ApiError.badRequest("validation_error", "'modules' (or 'source') is required");
    } else {
      return null;
    }
    long total = 0;
    for (Map.Entry<String, String> e : out.entrySet()) {
      if (e.getValue().length() > MAX_MODULE_CHARS) {
        throw new ApiError(413, "policy_too_large", "Module '" + e.getKey() + "' is longer than "
            + MAX_MODULE_CHARS + " characters");
      }
      total += e.getValue().length();
    }
    if (total > MAX_TOTAL_CHARS) {
      throw new ApiError(413, "policy_too_large", "The modules together are longer than " + MAX_TOTAL_CHARS
          + " characters");
    }
    return out;
  }

  /**
   * Errors of modules outside the tenant's package (empty when every module declares
   * {@code package aegis.tenant} or {@code aegis.tenant.*}), in the shape of compile errors.
   */
  public static JsonArray packageErrors(Map<String, String> modules) {
    JsonArray errors = new JsonArray();
    for (Map.Entry<String, String> e : modules.entrySet()) {
      Matcher m = PACKAGE.matcher(e.getValue());
      if (!m.find()) {
        // no plain package clause: the compiler reports the parse error itself
        continue;
      }
      String pkg = m.group(1);
      if (!allowedPackage(pkg)) {
        int line = 1;
        for (int i = 0; i < m.start(1); i++) {
          if (e.getValue().charAt(i) == '\n') {
            line++;
          }
        }
        int column = m.start(1) - e.getValue().lastIndexOf('\n', m.start(1) - 1);
        errors.add(error("package_not_allowed", "Tenant modules must be in package " + TENANT_PACKAGE
            + " or " + TENANT_PACKAGE + ".*, not " + pkg, e.getKey(), line, column));
      }
    }
    return errors;
  }

  /** Whether a compiled package name (as {@code CompiledPolicy.packages()} gives it) is allowed. */
  public static boolean allowedPackage(String pkg) {
    String p = pkg.startsWith("data.") ? pkg.substring(5) : pkg;
    return p.equals(TENANT_PACKAGE) || p.startsWith(TENANT_PACKAGE + ".");
  }

  public static JsonObject error(String code, String message, String file, int line, int column) {
    return new JsonObject().put("code", code).put("message", message).put("file", file)
        .put("line", line).put("column", column);
  }

  /** Hex SHA-256 of the canonical form: the modules as a JSON object with sorted keys. */
  public static String sha256(Map<String, String> modules) {
    String canonical = new JsonObject(new TreeMap<String, Object>(modules)).encode();
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static JsonObject toJson(Map<String, String> modules) {
    return new JsonObject(new LinkedHashMap<String, Object>(modules));
  }

  public static Map<String, String> toMap(JsonObject modules) {
    Map<String, String> out = new LinkedHashMap<>();
    if (modules != null) {
      modules.forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return out;
  }
}
