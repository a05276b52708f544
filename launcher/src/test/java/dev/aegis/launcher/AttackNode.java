package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.aegis.storage.pg.PgUrls;
import dev.aegis.storage.pg.ScratchDatabase;
import dev.aegis.verticles.identity.PasswordHasher;
import dev.aegis.verticles.identity.TokenService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A gateway node for the attack, isolation and mass-assignment suites, started exactly as
 * {@code AbstractGatewayApiTest} starts one (scratch database, {@link AegisNode#start}, a free
 * port, {@code AEGIS_ADMIN_PASSWORD}), plus the helpers those suites share: tenants and users
 * seeded with JDBC (cheap Argon2 parameters), logins, agents, JDBC reads, and a local "canary"
 * server that records every request it receives (a tool upstream, and the attacker's host for
 * {@code jku}/{@code x5u}).
 */
final class AttackNode implements AutoCloseable {

  static final String PASSWORD = "correct horse battery staple";
  static final String CANARY_TOOL = "canary.tool";

  final ScratchDatabase db;
  final AegisNode node;
  final Http http;
  final HttpServer canary;
  /** Every request the canary server received ("METHOD /path"). */
  final List<String> canaryRequests;
  private final String cheapHash;

  private AttackNode(ScratchDatabase db, AegisNode node, Http http, HttpServer canary, List<String> seen) {
    this.db = db;
    this.node = node;
    this.http = http;
    this.canary = canary;
    this.canaryRequests = seen;
    this.cheapHash = new PasswordHasher(1024, 1, 1).hash(PASSWORD);
  }

  static AttackNode start(String label) throws Exception {
    HttpServer canary = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    List<String> seen = new CopyOnWriteArrayList<>();
    canary.createContext("/", ex -> {
      seen.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
      byte[] b = "{\"ok\":true,\"keys\":[]}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    canary.start();
    ScratchDatabase db = ScratchDatabase.create(TestEnv.pgUrl(), label);
    int port = TestEnv.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("AEGIS_PG_URL", db.url());
    env.put("AEGIS_PORT", Integer.toString(port));
    env.put("AEGIS_ADMIN_PASSWORD", PASSWORD);
    env.put("AEGIS_INSTANCES", "2");
    env.put("AEGIS_LIMITS_AGENT_RPS", "10000");
    env.put("AEGIS_LIMITS_AGENT_BURST", "10000");
    env.put("AEGIS_LIMITS_TENANT_RPS", "10000");
    env.put("AEGIS_LIMITS_TENANT_BURST", "10000");
    env.put("AEGIS_BODY_LIMIT_BYTES", "65536");
    env.put("AEGIS_UPSTREAMS", CANARY_TOOL + "=http://127.0.0.1:" + canary.getAddress().getPort() + "/tool");
    AegisNode node = AegisNode.start(AegisConfig.fromEnv(env));
    AttackNode n = new AttackNode(db, node, new Http(port), canary, seen);
    return n;
  }

  String canaryUrl() {
    return "http://127.0.0.1:" + canary.getAddress().getPort();
  }

  @Override
  public void close() throws Exception {
    canary.stop(0);
    if (connection != null) {
      connection.close();
    }
    try {
      node.close();
    } finally {
      db.close();
    }
  }

  // ---------------------------------------------------------------- JDBC

  private Connection connection;

  /** One JDBC connection for the suite's reads and seeds (autocommit; tests run on one thread). */
  synchronized Connection jdbc() throws SQLException {
    if (connection == null || connection.isClosed()) {
      connection = DriverManager.getConnection(PgUrls.jdbc(PgUrls.options(db.url())));
    }
    return connection;
  }

  /** Runs a query and returns the rows as column-name maps. */
  synchronized List<Map<String, Object>> query(String sql, Object... params) {
    try (PreparedStatement s = jdbc().prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        List<Map<String, Object>> out = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          Map<String, Object> row = new HashMap<>();
          for (int i = 1; i <= n; i++) {
            row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
          }
          out.add(row);
        }
        return out;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  long count(String sql, Object... params) {
    return ((Number) query(sql, params).get(0).values().iterator().next()).longValue();
  }

  /** Inserts a tenant and returns its id. */
  String seedTenant(String name) {
    String tenant = UUID.randomUUID().toString();
    update("INSERT INTO identity.tenants (id, name) VALUES (?::uuid, ?)", tenant, name);
    return tenant;
  }

  /** Inserts a user (password {@link #PASSWORD}) and returns its id. */
  String seedUser(String tenant, String email, String role, String fullName) {
    String id = UUID.randomUUID().toString();
    update("INSERT INTO identity.users (id, tenant_id, email, password_hash, role, full_name)"
        + " VALUES (?::uuid, ?::uuid, ?, ?, ?, ?)", id, tenant, email, cheapHash, role, fullName);
    return id;
  }

  synchronized void update(String sql, Object... params) {
    try (PreparedStatement s = jdbc().prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** The node's active signing key, read from the database (to sign claim vectors). */
  TokenService.SigningKey activeKey() {
    Map<String, Object> row = query("SELECT kid, private_key, public_key FROM identity.signing_keys"
        + " WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1").get(0);
    return TokenService.decode((String) row.get("kid"), (byte[]) row.get("private_key"), (byte[]) row.get("public_key"));
  }

  // ---------------------------------------------------------------- HTTP

  String login(String email, String tenant) {
    Http.Reply r = http.post("/auth/token", new JsonObject().put("email", email).put("password", PASSWORD),
        Map.of("X-Tenant-ID", tenant));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return r.data().getString("access_token");
  }

  /** Logs in and returns the whole session ({@code access_token}, {@code refresh_token}, {@code user_id}). */
  JsonObject session(String email, String tenant) {
    Http.Reply r = http.post("/auth/token", new JsonObject().put("email", email).put("password", PASSWORD),
        Map.of("X-Tenant-ID", tenant));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return r.data();
  }

  /** Creates an agent with ALLOW grants; returns {id, token, secret}. */
  String[] agent(String adminToken, String tenant, String name, String... tools) {
    Http.Reply a = http.post("/agents", new JsonObject().put("name", name).put("risk_level", "low")
        .put("description", name), Http.bearer(adminToken));
    assertThat(a.status()).as(a.raw()).isEqualTo(201);
    String id = a.data().getString("id");
    for (String tool : tools) {
      Http.Reply g = http.post("/agents/" + id + "/permissions",
          new JsonObject().put("tool_name", tool).put("action", "ALLOW"), Http.bearer(adminToken));
      assertThat(g.status()).as(g.raw()).isEqualTo(201);
    }
    Http.Reply cred = http.post("/auth/credentials", new JsonObject().put("agent_id", id), Http.bearer(adminToken));
    assertThat(cred.status()).as(cred.raw()).isEqualTo(201);
    String secret = cred.data().getString("secret");
    Http.Reply tok = http.post("/auth/agent/token", new JsonObject().put("agent_id", id).put("secret", secret),
        Map.of("X-Tenant-ID", tenant));
    assertThat(tok.status()).as(tok.raw()).isEqualTo(200);
    return new String[] {id, tok.data().getString("access_token"), secret};
  }

  static Map<String, String> headers(String token, String... kv) {
    Map<String, String> h = new HashMap<>();
    if (token != null) {
      h.put("Authorization", "Bearer " + token);
    }
    for (int i = 0; i + 1 < kv.length; i += 2) {
      h.put(kv[i], kv[i + 1]);
    }
    return h;
  }

  /** A JSON request with any method (the shared {@link Http} has no PATCH helper). */
  Http.Reply send(String method, String path, JsonObject body, Map<String, String> headers) {
    Map<String, String> h = new HashMap<>(headers);
    if (body != null) {
      h.putIfAbsent("Content-Type", "application/json");
    }
    return http.raw(method, path, body == null ? "" : body.encode(), h);
  }

  private final java.net.http.HttpClient http1 = java.net.http.HttpClient.newBuilder()
      .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
  /** Reused: its first request upgrades the connection (h2c), the following ones are HTTP/2 streams. */
  private final java.net.http.HttpClient http2 = java.net.http.HttpClient.newBuilder()
      .version(java.net.http.HttpClient.Version.HTTP_2).build();

  /** A reply and the HTTP version it came over. */
  record Versioned(Http.Reply reply, java.net.http.HttpClient.Version version) {}

  /**
   * A request over a chosen HTTP version ({@link Http} uses the JDK default, which upgrades
   * cleartext connections to HTTP/2 with h2c when the server agrees).
   */
  Versioned sendVia(java.net.http.HttpClient.Version version, String method, String path, JsonObject body,
      Map<String, String> headers) {
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + node.port() + path))
        .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofString(body.encode()))
        .timeout(java.time.Duration.ofSeconds(20));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    headers.forEach(b::header);
    try {
      java.net.http.HttpClient c = version == java.net.http.HttpClient.Version.HTTP_1_1 ? http1 : http2;
      java.net.http.HttpResponse<String> r = c.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      return new Versioned(new Http.Reply(r.statusCode(), r.headers().map(), r.body()), r.version());
    } catch (Exception e) {
      throw new IllegalStateException("HTTP call failed: " + e, e);
    }
  }

  /** Audit rows of the admin's tenant with this request id (over the API). */
  JsonArray auditRows(String adminToken, String requestId) {
    Http.Reply r = http.get("/audit/logs?request_id=" + requestId, Http.bearer(adminToken));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return r.data().getJsonArray("items");
  }

  /** Audit rows with this request id in any tenant (JDBC). */
  long auditRowsAnyTenant(String requestId) {
    return count("SELECT count(*) FROM audit.audit_logs WHERE request_id = ?", requestId);
  }
}
