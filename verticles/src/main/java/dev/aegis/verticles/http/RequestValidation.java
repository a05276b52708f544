package dev.aegis.verticles.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Platform handlers that run before any route: the request id, and for bodies the content type
 * (415 {@code unsupported_media_type}), size (413 {@code payload_too_large}) and JSON syntax
 * (400 {@code invalid_json}; the body must be a JSON object).
 */
public final class RequestValidation {

  public static final String JSON_BODY = "jsonBody";
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private RequestValidation() {}

  /** Assigns {@code X-Request-ID} (the client's when well formed) and echoes it. */
  public static void requestId(RoutingContext rc) {
    String id = rc.request().getHeader("X-Request-ID");
    if (id == null || !REQUEST_ID.matcher(id).matches()) {
      id = UUID.randomUUID().toString();
    }
    rc.put(Envelope.REQUEST_ID, id);
    rc.response().putHeader("X-Request-ID", id);
    rc.next();
  }

  /** Parses the JSON body of POST/PUT/PATCH requests (runs after the BodyHandler). */
  public static void jsonBody(RoutingContext rc) {
    HttpMethod m = rc.request().method();
    if (!(m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH)) {
      rc.next();
      return;
    }
    Buffer raw = rc.body().buffer();
    if (raw == null || raw.length() == 0) {
      rc.put(JSON_BODY, new JsonObject());
      rc.next();
      return;
    }
    String ct = rc.request().getHeader("content-type");
    if (ct == null || !ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      Envelope.error(rc, 415, "unsupported_media_type", "Request bodies must be application/json");
      return;
    }
    Object parsed;
    try {
      parsed = raw.toJsonValue();
    } catch (DecodeException e) {
      Envelope.error(rc, 400, "invalid_json", "The request body is not valid JSON");
      return;
    }
    if (!(parsed instanceof JsonObject o)) {
      Envelope.error(rc, 400, "invalid_json", "The request body must be a JSON object");
      return;
    }
    rc.put(JSON_BODY, o);
    rc.next();
  }
}
