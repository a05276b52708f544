package dev.aegis.storage.pg;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Tenants, users, agent credentials and signing keys in the {@code identity} schema. */
public final class PgIdentityStore {

  /** A tenant row; null rate fields mean "use the configured default". */
  public record Tenant(UUID id, String name, String tier, Double requestsPerSecond, Integer burst,
      Double agentRequestsPerSecond, Integer agentBurst, String degradedModePolicy, boolean active) {}

  /** A user row. */
  public record User(UUID id, UUID tenantId, String email, String passwordHash, String role,
      String fullName, boolean active, boolean platformAdmin) {}

  /** An agent credential row. */
  public record Credential(UUID agentId, UUID tenantId, String secretHash, boolean revoked) {}

  /** A signing key row (PKCS#8 private, X.509 SPKI public). */
  public record SigningKey(String kid, String alg, byte[] privateKey, byte[] publicKey) {}

  private final Pool pool;

  public PgIdentityStore(Pool pool) {
    this.pool = pool;
  }

  public Future<Tenant> tenant(UUID id) {
    return pool.preparedQuery(IdentityQueries.TENANT).execute(Tuple.of(id)).map(rs -> {
      if (rs.size() == 0) {
        return null;
      }
      Row r = rs.iterator().next();
      return new Tenant(r.getUUID("id"), r.getString("name"), r.getString("tier"),
          r.getDouble("requests_per_second"), r.getInteger("burst"),
          r.getDouble("agent_requests_per_second"), r.getInteger("agent_burst"),
          r.getString("degraded_mode_policy"), r.getBoolean("is_active"));
    });
  }

  /** Creates the tenant unless it exists. */
  public Future<Void> ensureTenant(UUID id, String name, String tier) {
    return pool.preparedQuery(IdentityQueries.INSERT_TENANT).execute(Tuple.of(id, name, tier)).mapEmpty();
  }

  public Future<User> userByEmail(String email) {
    return pool.preparedQuery(IdentityQueries.USER_BY_EMAIL).execute(Tuple.of(email)).map(rs -> {
      if (rs.size() == 0) {
        return null;
      }
      Row r = rs.iterator().next();
      return new User(r.getUUID("id"), r.getUUID("tenant_id"), r.getString("email"),
          r.getString("password_hash"), r.getString("role"), r.getString("full_name"),
          r.getBoolean("is_active"), r.getBoolean("is_platform_admin"));
    });
  }

  /** A user of the tenant, or null. */
  public Future<User> userById(UUID tenantId, UUID id) {
    return pool.preparedQuery(IdentityQueries.USER_BY_ID).execute(Tuple.of(tenantId, id)).map(rs -> {
      if (rs.size() == 0) {
        return null;
      }
      Row r = rs.iterator().next();
      return new User(r.getUUID("id"), r.getUUID("tenant_id"), r.getString("email"),
          r.getString("password_hash"), r.getString("role"), r.getString("full_name"),
          r.getBoolean("is_active"), r.getBoolean("is_platform_admin"));
    });
  }

  public Future<Void> insertUser(User u) {
    return pool.preparedQuery(IdentityQueries.INSERT_USER).execute(Tuple.tuple().addUUID(u.id())
        .addUUID(u.tenantId()).addString(u.email()).addString(u.passwordHash()).addString(u.role())
        .addString(u.fullName()).addBoolean(u.platformAdmin())).mapEmpty();
  }

  public Future<Void> touchLogin(UUID userId) {
    return pool.preparedQuery(IdentityQueries.TOUCH_LOGIN).execute(Tuple.of(userId)).mapEmpty();
  }

  /**
   * Stores (or rotates) an agent's secret hash.
   *
   * @return false when the agent id already has a credential in another tenant
   */
  public Future<Boolean> upsertCredential(UUID agentId, UUID tenantId, String secretHash) {
    return pool.preparedQuery(IdentityQueries.UPSERT_CREDENTIAL)
        .execute(Tuple.of(UUID.randomUUID(), agentId, tenantId, secretHash))
        .map(rs -> rs.rowCount() == 1);
  }

  public Future<Credential> credential(UUID agentId) {
    return pool.preparedQuery(IdentityQueries.CREDENTIAL).execute(Tuple.of(agentId)).map(rs -> {
      if (rs.size() == 0) {
        return null;
      }
      Row r = rs.iterator().next();
      return new Credential(r.getUUID("agent_id"), r.getUUID("tenant_id"), r.getString("secret_hash"),
          r.getValue("revoked_at") != null);
    });
  }

  /** Active signing keys, newest first. */
  public Future<List<SigningKey>> signingKeys() {
    return pool.query(IdentityQueries.SIGNING_KEYS).execute().map(rs -> {
      List<SigningKey> out = new ArrayList<>();
      for (Row r : rs) {
        out.add(new SigningKey(r.getString("kid"), r.getString("alg"),
            r.getBuffer("private_key").getBytes(), r.getBuffer("public_key").getBytes()));
      }
      return out;
    });
  }

  public Future<Void> insertSigningKey(SigningKey k) {
    return pool.preparedQuery(IdentityQueries.INSERT_SIGNING_KEY).execute(Tuple.of(k.kid(), k.alg(),
        Buffer.buffer(k.privateKey()), Buffer.buffer(k.publicKey()))).mapEmpty();
  }
}
