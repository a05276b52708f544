package dev.aegis.bench;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Sets up the tenant objects the scenarios need through the gateway's own HTTP API: admin token,
 * agents, tool grants, agent credentials and agent tokens. Blocking (JDK HttpClient): it runs on
 * the suite's main thread, outside the measured load.
 */
final class GatewayApi {
  static final String DEFAULT_TENANT = "00000000-0000-0000-0000-000000000001";
  static final String ADMIN_EMAIL = "admin@aegis.local";

  /** An agent with its credential secret and current token. */
  static final class Agent {
    final String id;
    final String secret;
    String token;
    long tokenIssuedNanos;

    Agent(String id, String secret) {
      this.id = id;
      this.secret = secret;
    }

    Scenarios.AgentCredential credential() {
      return new Scenarios.AgentCredential(id, token);
    }
  }

  /** A non-2xx answer or an answer without the expected field. */
  static final class ApiException extends IOException {
    ApiException(String message) {
      super(message);
    }
  }

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1)
      .build();
  private final String base;
  private final String tenant;
  private String adminToken;
  final List<Agent> agents = new ArrayList<>();

  GatewayApi(String base, String tenant) {
    this.base = base;
    this.tenant = tenant;
  }

  /** GET path; returns the status code (-1 when the connection failed). */
  int getStatus(String path) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create(base + path))
          .timeout(Duration.ofSeconds(5)).GET().build();
      return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** A raw answer: status and body text. */
  record Answer(int status, String body) {
    JsonObject json() {
      try {
        return new JsonObject(body);
      } catch (DecodeException | ClassCastException e) {
        return null;
      }
    }
  }

  Answer post(String path, JsonObject body, String bearer, String agentId)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .header("X-Tenant-ID", tenant)
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    if (agentId != null) {
      b.header("X-Agent-ID", agentId);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  /** POST and return {@code data.<field>} of a 2xx envelope, or throw with the answer. */
  private String postFor(String path, JsonObject body, String bearer, String field)
      throws IOException, InterruptedException {
    Answer a = post(path, body, bearer, null);
    JsonObject j = a.json();
    JsonObject data = j == null ? null : j.getJsonObject("data");
    Object v = data == null ? null : data.getValue(field);
    if (a.status() / 100 != 2 || v == null) {
      throw new ApiException("POST " + path + " -> " + a.status() + " (wanted data." + field
          + "): " + abbreviate(a.body()));
    }
    return String.valueOf(v);
  }

  static String abbreviate(String s) {
    if (s == null) {
      return "";
    }
    return s.length() > 500 ? s.substring(0, 500) + "..." : s;
  }

  void login(String password) throws IOException, InterruptedException {
    adminToken = postFor("/auth/token",
        new JsonObject().put("email", ADMIN_EMAIL).put("password", password), null,
        "access_token");
  }

  /**
   * Creates {@code n} agents named {@code bench-<prefix>-<run>-<i>}, grants them {@code tools},
   * gives each a credential and a token.
   */
  List<Agent> createAgents(String prefix, int n, List<String> tools)
      throws IOException, InterruptedException {
    String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    List<Agent> created = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      String id = postFor("/agents", new JsonObject()
          .put("name", "bench-" + prefix + "-" + run + "-" + i)
          .put("risk_level", "low"), adminToken, "id");
      for (String tool : tools) {
        Answer a = post("/agents/" + id + "/permissions",
            new JsonObject().put("tool_name", tool).put("action", "ALLOW"), adminToken, null);
        if (a.status() / 100 != 2) {
          throw new ApiException("grant " + tool + " to " + id + " -> " + a.status() + ": "
              + abbreviate(a.body()));
        }
      }
      String secret = postFor("/auth/credentials", new JsonObject().put("agent_id", id),
          adminToken, "secret");
      Agent agent = new Agent(id, secret);
      refresh(agent);
      created.add(agent);
      agents.add(agent);
    }
    return created;
  }

  void refresh(Agent agent) throws IOException, InterruptedException {
    agent.token = postFor("/auth/agent/token",
        new JsonObject().put("agent_id", agent.id).put("secret", agent.secret), null,
        "access_token");
    agent.tokenIssuedNanos = System.nanoTime();
  }

  /** Re-issues tokens older than {@code maxAge} (agent tokens live 15 minutes). */
  boolean refreshIfOlderThan(Duration maxAge) throws IOException, InterruptedException {
    boolean any = false;
    for (Agent a : agents) {
      if (System.nanoTime() - a.tokenIssuedNanos > maxAge.toNanos()) {
        refresh(a);
        any = true;
      }
    }
    return any;
  }

  static List<Scenarios.AgentCredential> credentials(List<Agent> some) {
    return some.stream().map(Agent::credential).toList();
  }

  /** Sends one /execute with each body as the given agent; returns what came back. */
  List<JsonObject> probe(Agent a, List<String> templates, int expectedStatus)
      throws IOException, InterruptedException {
    List<JsonObject> out = new ArrayList<>();
    long n = System.nanoTime() % 1_000_000;
    for (String template : templates) {
      JsonObject body = Scenarios.body(template, n++);
      Answer ans = post("/execute", body, a.token, a.id);
      out.add(new JsonObject()
          .put("request", body)
          .put("status", ans.status())
          .put("expected_status", expectedStatus)
          .put("body", abbreviate(ans.body())));
    }
    return out;
  }
}
