package dev.aegis.launcher;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A small blocking HTTP client for black-box tests (runs on the test thread, never an event loop). */
final class Http {

  /** A reply: status, headers and the parsed JSON body (null when not JSON). */
  record Reply(int status, Map<String, java.util.List<String>> headers, String raw) {
    JsonObject json() {
      return raw == null || raw.isEmpty() || raw.charAt(0) != '{' ? null : new JsonObject(raw);
    }

    JsonObject data() {
      return json().getJsonObject("data");
    }

    String error() {
      return json().getString("error");
    }

    String header(String name) {
      var v = headers.get(name.toLowerCase());
      return v == null || v.isEmpty() ? null : v.get(0);
    }
  }

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  Http(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  Reply get(String path, Map<String, String> headers) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), headers);
  }

  Reply delete(String path, Map<String, String> headers) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE(), headers);
  }

  Reply post(String path, Object body, Map<String, String> headers) {
    String s = body == null ? "" : body.toString();
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .POST(HttpRequest.BodyPublishers.ofString(s));
    if (!headers.containsKey("Content-Type")) {
      b.header("Content-Type", "application/json");
    }
    return send(b, headers);
  }

  Reply raw(String method, String path, String body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .method(method, HttpRequest.BodyPublishers.ofString(body));
    return send(b, headers);
  }

  private Reply send(HttpRequest.Builder b, Map<String, String> headers) {
    headers.forEach(b::header);
    b.timeout(Duration.ofSeconds(20));
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.headers().map(), r.body());
    } catch (Exception e) {
      throw new IllegalStateException("HTTP call failed: " + e, e);
    }
  }

  static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  static Map<String, String> bearer(String token, String k, String v) {
    return Map.of("Authorization", "Bearer " + token, k, v);
  }
}
