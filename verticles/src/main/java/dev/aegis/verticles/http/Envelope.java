package dev.aegis.verticles.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * The JSON envelope of every reply: {@code {success, data, error, meta}}. Errors carry a stable
 * lower_snake {@code error} key (the original SDK reads it as a top-level string), a
 * human-readable {@code detail}, and {@code meta.code} (the same key in UPPER_SNAKE) and
 * {@code meta.request_id}.
 */
public final class Envelope {

  public static final String REQUEST_ID = "requestId";

  private Envelope() {}

  public static String requestId(RoutingContext rc) {
    String id = rc.get(REQUEST_ID);
    return id == null ? "" : id;
  }

  public static JsonObject meta(RoutingContext rc) {
    return new JsonObject().put("request_id", requestId(rc));
  }

  public static void ok(RoutingContext rc, int status, Object data) {
    JsonObject body = new JsonObject().put("success", true).put("data", data).putNull("error")
        .put("meta", meta(rc));
    send(rc, status, body);
  }

  public static void error(RoutingContext rc, int status, String key, String detail) {
    error(rc, status, key, detail, null);
  }

  /** An error reply; {@code extra} fields go to the top level of the body. */
  public static void error(RoutingContext rc, int status, String key, String detail, JsonObject extra) {
    JsonObject body = new JsonObject().put("success", false).putNull("data").put("error", key)
        .put("detail", detail);
    if (extra != null) {
      extra.forEach(e -> {
        if (e.getValue() != null) {
          body.put(e.getKey(), e.getValue());
        }
      });
    }
    body.put("meta", meta(rc).put("code", key.toUpperCase(Locale.ROOT)));
    send(rc, status, body);
  }

  public static void send(RoutingContext rc, int status, JsonObject body) {
    if (rc.response().ended() || rc.response().closed()) {
      return;
    }
    rc.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(body.toBuffer());
  }

  /** Maps a failed handler future to a reply: {@link ApiError}s keep their status and key. */
  public static void fail(RoutingContext rc, Throwable t) {
    if (t instanceof ApiError e) {
      error(rc, e.status(), e.key(), e.getMessage());
    } else {
      org.slf4j.LoggerFactory.getLogger(Envelope.class)
          .error("Unhandled error on {} {} (request {})", rc.request().method(), rc.normalizedPath(),
              requestId(rc), t);
      error(rc, 500, "internal_error", "An unexpected error occurred");
    }
  }

  /** Replies with the future's value, or maps its failure. */
  public static <T> void reply(RoutingContext rc, int status, Future<T> f) {
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        ok(rc, status, ar.result());
      } else {
        fail(rc, ar.cause());
      }
    });
  }
}
