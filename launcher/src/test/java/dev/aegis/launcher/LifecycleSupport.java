package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSObject;
import dev.aegis.storage.pg.PgUrls;
import dev.aegis.verticles.identity.PasswordHasher;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * Shared fixtures of the token / key lifecycle tests ({@link TokenLifecycleTest},
 * {@link ApiKeyApiTest}, {@link TwoNodePropagationTest}): starting a node, seeding tenants and
 * users straight into the scratch database (cheap Argon2 parameters, so logins cost ~1 ms),
 * logging in, creating agents, calling {@code /execute} with a nonce (the replay window refuses
 * the same credential + body within 1 s), and polling for a change.
 */
final class LifecycleSupport {

  static final String PASSWORD = "correct horse battery staple";
  /** Cheap Argon2id parameters for seeded users (verification uses the parameters in the hash). */
  private static final PasswordHasher CHEAP = new PasswordHasher(1024, 1, 1);

  private LifecycleSupport() {}

  /** Starts a node on {@code dbUrl} (generous rate limits; {@code extra} may add AEGIS_REDIS_URL). */
  static AegisNode startNode(String dbUrl, int port, Map<String, String> extra) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("AEGIS_PG_URL", dbUrl);
    env.put("AEGIS_PORT", Integer.toString(port));
    env.put("AEGIS_ADMIN_PASSWORD", PASSWORD);
    env.put("AEGIS_INSTANCES", "2");
    env.put("AEGIS_MAX_EVENT_LOOP_MS", "200");
    env.put("AEGIS_LIMITS_AGENT_RPS", "10000");
    env.put("AEGIS_LIMITS_AGENT_BURST", "10000");
    env.put("AEGIS_LIMITS_TENANT_RPS", "10000");
    env.put("AEGIS_LIMITS_TENANT_BURST", "10000");
    env.putAll(extra);
    return AegisNode.start(AegisConfig.fromEnv(env));
  }

  // ---------------------------------------------------------------- seeding (JDBC)

  static void jdbc(String dbUrl, String sql, Object... args) {
    try (Connection c = DriverManager.getConnection(PgUrls.jdbc(PgUrls.options(dbUrl)));
         PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      s.execute();
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** Inserts a tenant; returns its id. */
  static String seedTenant(String dbUrl) {
    String tenant = UUID.randomUUID().toString();
    jdbc(dbUrl, "INSERT INTO identity.tenants (id, name) VALUES (?::uuid, ?)", tenant, "lifecycle " + tenant);
    return tenant;
  }

  /** Inserts a user with {@link #PASSWORD}; returns its id. */
  static String seedUser(String dbUrl, String tenant, String email, String role) {
    String id = UUID.randomUUID().toString();
    jdbc(dbUrl, "INSERT INTO identity.users (id, tenant_id, email, password_hash, role)"
        + " VALUES (?::uuid, ?::uuid, ?, ?, ?)", id, tenant, email, CHEAP.hash(PASSWORD), role);
    return id;
  }

  static String email(String what) {
    return what + "-" + UUID.randomUUID().toString().substring(0, 8) + "@lifecycle.example";
  }

  // ---------------------------------------------------------------- HTTP helpers

  static Http.Reply loginReply(Http http, String email, String password) {
    return http.post("/auth/token", new JsonObject().put("email", email).put("password", password), Map.of());
  }

  /** Logs in and returns the reply's data ({@code access_token}, {@code refresh_token}, ...). */
  static JsonObject session(Http http, String email) {
    Http.Reply r = loginReply(http, email, PASSWORD);
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return r.data();
  }

  static String login(Http http, String email) {
    return session(http, email).getString("access_token");
  }

  /** An agent with ALLOW grants on {@code tools}: {agentId, agentToken, secret, firstPermId}. */
  static String[] agent(Http http, String adminToken, String... tools) {
    Http.Reply a = http.post("/agents", new JsonObject().put("name", "lc-" + UUID.randomUUID().toString().substring(0, 8))
        .put("risk_level", "low"), Http.bearer(adminToken));
    assertThat(a.status()).as(a.raw()).isEqualTo(201);
    String id = a.data().getString("id");
    String perm = null;
    for (String tool : tools) {
      Http.Reply g = http.post("/agents/" + id + "/permissions",
          new JsonObject().put("tool_name", tool).put("action", "ALLOW"), Http.bearer(adminToken));
      assertThat(g.status()).as(g.raw()).isEqualTo(201);
      if (perm == null) {
        perm = g.data().getString("id");
      }
    }
    Http.Reply cred = http.post("/auth/credentials", new JsonObject().put("agent_id", id), Http.bearer(adminToken));
    assertThat(cred.status()).as(cred.raw()).isEqualTo(201);
    String secret = cred.data().getString("secret");
    return new String[] {id, agentToken(http, id, secret), secret, perm};
  }

  static String agentToken(Http http, String agentId, String secret) {
    Http.Reply tok = agentLogin(http, agentId, secret);
    assertThat(tok.status()).as(tok.raw()).isEqualTo(200);
    return tok.data().getString("access_token");
  }

  static Http.Reply agentLogin(Http http, String agentId, String secret) {
    return http.post("/auth/agent/token", new JsonObject().put("agent_id", agentId).put("secret", secret), Map.of());
  }

  /** {@code POST /execute} of a benign db.query with a fresh nonce (never a replay). */
  static Http.Reply execute(Http http, String token, String agentId) {
    return execute(http, token, agentId, "db.query");
  }

  static Http.Reply execute(Http http, String token, String agentId, String tool) {
    Map<String, String> h = new HashMap<>(Http.bearer(token));
    if (agentId != null) {
      h.put("X-Agent-ID", agentId);
    }
    return http.post("/execute", new JsonObject().put("tool", tool).put("payload", new JsonObject()
        .put("query", "SELECT id FROM orders WHERE id = 42").put("nonce", UUID.randomUUID().toString())), h);
  }

  /** The JOSE header of a compact JWS. */
  static JsonObject header(String jwt) {
    try {
      return new JsonObject(JWSObject.parse(jwt).getHeader().toJSONObject());
    } catch (java.text.ParseException e) {
      throw new AssertionError("not a JWS: " + jwt, e);
    }
  }

  /** The claims of a compact JWS (unverified). */
  static JsonObject claims(String jwt) {
    try {
      return new JsonObject(JWSObject.parse(jwt).getPayload().toJSONObject());
    } catch (java.text.ParseException e) {
      throw new AssertionError("not a JWS: " + jwt, e);
    }
  }

  static String kid(String jwt) {
    return header(jwt).getString("kid");
  }

  static String sha256Hex(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Polls {@code cond} every 20 ms until it holds or {@code timeoutMillis} pass.
   *
   * @return milliseconds from {@code startNanos} to the first poll that saw the condition, or -1
   */
  static long await(long startNanos, long timeoutMillis, BooleanSupplier cond) {
    long deadline = startNanos + timeoutMillis * 1_000_000L;
    while (true) {
      if (cond.getAsBoolean()) {
        return (System.nanoTime() - startNanos) / 1_000_000L;
      }
      if (System.nanoTime() > deadline) {
        return -1;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }
  }
}
