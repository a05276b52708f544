package dev.aegis.verticles.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.regex.Pattern;

/** Validation helpers for request bodies and parameters; failures are {@link ApiError}s (400). */
public final class Bodies {

  private Bodies() {}

  /** The parsed JSON object body (set by the body validation handler), or an empty object. */
  public static JsonObject json(RoutingContext rc) {
    JsonObject o = rc.get(RequestValidation.JSON_BODY);
    return o == null ? new JsonObject() : o;
  }

  public static String requiredString(JsonObject o, String field, int maxLen) {
    Object v = o.getValue(field);
    if (!(v instanceof String s) || s.isBlank()) {
      throw ApiError.badRequest("validation_error", "'" + field + "' is required and must be a string");
    }
    if (s.length() > maxLen) {
      throw ApiError.badRequest("validation_error", "'" + field + "' is longer than " + maxLen);
    }
    return s;
  }

  public static String optionalString(JsonObject o, String field, int maxLen) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw ApiError.badRequest("validation_error", "'" + field + "' must be a string");
    }
    if (s.length() > maxLen) {
      throw ApiError.badRequest("validation_error", "'" + field + "' is longer than " + maxLen);
    }
    return s;
  }

  public static String matching(String value, Pattern p, String field) {
    if (value == null || !p.matcher(value).matches()) {
      throw ApiError.badRequest("validation_error", "'" + field + "' must match " + p.pattern());
    }
    return value;
  }

  /** Parses a UUID path or body value; a malformed id is "not found" for paths, 400 for bodies. */
  public static UUID uuid(String value, String field, boolean path) {
    try {
      if (value == null) {
        throw new IllegalArgumentException();
      }
      UUID u = UUID.fromString(value);
      if (!u.toString().equalsIgnoreCase(value)) {
        throw new IllegalArgumentException();
      }
      return u;
    } catch (IllegalArgumentException e) {
      if (path) {
        throw ApiError.notFound(field);
      }
      throw ApiError.badRequest("validation_error", "'" + field + "' must be a UUID");
    }
  }

  public static int intParam(RoutingContext rc, String name, int dflt, int min, int max) {
    String v = rc.request().getParam(name);
    if (v == null) {
      return dflt;
    }
    try {
      int i = Integer.parseInt(v);
      if (i < min || i > max) {
        throw new NumberFormatException();
      }
      return i;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("validation_error", "'" + name + "' must be an integer in [" + min + ", " + max + "]");
    }
  }
}
