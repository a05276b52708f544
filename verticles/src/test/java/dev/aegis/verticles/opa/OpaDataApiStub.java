package dev.aegis.verticles.opa;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An in-test HTTP server implementing OPA's Data API contract for {@code POST /v1/data/{path}}
 * (there is no OPA binary on the build machine): the request body must be a JSON object
 * (optionally with {@code input}), else 400 {@code {"code": "invalid_parameter", "message"}}; a
 * path with a decision answers 200 {@code {"result": ..., "decision_id": ...}}; a path without
 * one answers 200 {@code {}} (undefined: no {@code result}); {@code GET /health} answers 200; with a token configured, a request
 * without it gets 401 {@code {"code": "unauthorized"}}. Test switches: {@link #mode} makes it
 * answer 500 {@code internal_error}, a malformed body, or late.
 */
final class OpaDataApiStub implements AutoCloseable {

  enum Mode { NORMAL, ERROR_500, MALFORMED, SLOW, RESULT_NOT_OBJECT }

  record Received(String path, Map<String, String> headers, JsonObject body) {}

  final Vertx vertx;
  final HttpServer server;
  final Map<String, Function<JsonObject, JsonObject>> decisions = new ConcurrentHashMap<>();
  final List<Received> received = new CopyOnWriteArrayList<>();
  final AtomicInteger calls = new AtomicInteger();
  volatile Mode mode = Mode.NORMAL;
  volatile long slowMillis = 1_000;
  volatile String requiredToken;

  private OpaDataApiStub(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  static OpaDataApiStub start(Vertx vertx) throws Exception {
    OpaDataApiStub[] self = new OpaDataApiStub[1];
    HttpServer s = vertx.createHttpServer().requestHandler(req -> self[0].handle(req)).listen(0)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    self[0] = new OpaDataApiStub(vertx, s);
    return self[0];
  }

  int port() {
    return server.actualPort();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(buf -> {
      calls.incrementAndGet();
      Map<String, String> headers = new ConcurrentHashMap<>();
      req.headers().forEach(e -> headers.put(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue()));
      if (req.method() == io.vertx.core.http.HttpMethod.GET && req.path().equals("/health")) {
        reply(req, 200, new JsonObject());
        return;
      }
      if (req.method() != io.vertx.core.http.HttpMethod.POST || !req.path().startsWith("/v1/data/")) {
        reply(req, 404, new JsonObject().put("code", "resource_not_found").put("message", "not found"));
        return;
      }
      String path = req.path().substring("/v1/data/".length());
      if (requiredToken != null && !("Bearer " + requiredToken).equals(req.getHeader("Authorization"))) {
        reply(req, 401, new JsonObject().put("code", "unauthorized").put("message", "missing or invalid token"));
        return;
      }
      JsonObject body;
      try {
        body = buf.length() == 0 ? new JsonObject() : new JsonObject(buf);
      } catch (DecodeException | ClassCastException e) {
        reply(req, 400, new JsonObject().put("code", "invalid_parameter").put("message", "body must be a JSON object"));
        return;
      }
      received.add(new Received(path, headers, body));
      switch (mode) {
        case ERROR_500 -> reply(req, 500, new JsonObject().put("code", "internal_error")
            .put("message", "eval_conflict_error: complete rules must not produce multiple outputs"));
        case MALFORMED -> req.response().setStatusCode(200).putHeader("content-type", "application/json")
            .end("{\"result\": {\"allow\": tru");
        case RESULT_NOT_OBJECT -> reply(req, 200, new JsonObject().put("result", new JsonArray().add(1)));
        case SLOW -> vertx.setTimer(slowMillis, t -> answer(req, path, body));
        default -> answer(req, path, body);
      }
    });
  }

  private void answer(HttpServerRequest req, String path, JsonObject body) {
    Function<JsonObject, JsonObject> d = decisions.get(path);
    JsonObject out = new JsonObject().put("decision_id", UUID.randomUUID().toString());
    if (d != null) {
      JsonObject result = d.apply(body.getJsonObject("input", new JsonObject()));
      if (result != null) {
        out.put("result", result);
      }
    }
    reply(req, 200, out);
  }

  private static void reply(HttpServerRequest req, int status, JsonObject body) {
    if (!req.response().ended() && !req.response().closed()) {
      req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }
  }

  /**
   * A Java stand-in for the platform decision: hard deny on {@code rm -rf /} in the action text,
   * escalate for {@code wire.transfer}, deny {@code tenant.no_prod} for payload env prod.
   */
  static JsonObject platformDecision(JsonObject input) {
    String text = input.getString("text", "");
    JsonArray deny = new JsonArray();
    JsonObject out = new JsonObject().put("risk_adjustment", 0);
    if (text.contains("rm -rf /")) {
      deny.add(new JsonObject().put("id", "hard_deny.shell.rm_root").put("severity", "critical")
          .put("reason", "Recursive delete of the filesystem root"));
      out.put("risk_adjustment", 0.3);
    }
    JsonObject payload = input.getJsonObject("payload", new JsonObject());
    if ("prod".equals(payload.getString("env"))) {
      deny.add(new JsonObject().put("id", "tenant.no_prod").put("severity", "high").put("reason", "No prod writes"));
    }
    boolean escalate = "wire.transfer".equals(input.getString("tool"));
    return out.put("allow", deny.isEmpty()).put("deny", deny).put("escalate", escalate)
        .put("reason", deny.isEmpty() ? null : deny.getJsonObject(0).getString("reason"));
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
