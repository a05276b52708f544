package dev.aegis.storage.pg;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Refresh tokens, revocations, API keys and signing-key rotation ({@code identity} schema).
 * Secrets are stored only as SHA-256 hex hashes; every tenant-facing query is tenant scoped.
 */
public final class PgTokenStore {

  /** A refresh token row. */
  public record Refresh(UUID id, UUID familyId, UUID tenantId, UUID userId, boolean used,
      boolean revoked, OffsetDateTime expiresAt) {}

  /** An API key row (no hash). */
  public record ApiKey(UUID id, UUID tenantId, String name, String prefix, String role, UUID agentId,
      List<String> scopes, String createdBy, OffsetDateTime createdAt, OffsetDateTime lastUsedAt,
      OffsetDateTime expiresAt, OffsetDateTime revokedAt) {

    public JsonObject toJson() {
      return new JsonObject().put("id", id.toString()).put("name", name).put("prefix", prefix)
          .put("role", role).put("agent_id", agentId == null ? null : agentId.toString())
          .put("scopes", new JsonArray(scopes)).put("created_by", createdBy)
          .put("created_at", createdAt.toString())
          .put("last_used_at", lastUsedAt == null ? null : lastUsedAt.toString())
          .put("expires_at", expiresAt == null ? null : expiresAt.toString())
          .put("revoked", revokedAt != null)
          .put("revoked_at", revokedAt == null ? null : revokedAt.toString());
    }
  }

  /** A signing key with whether it still signs. */
  public record Key(String kid, String alg, byte[] privateKey, byte[] publicKey, boolean active) {}

  private final Pool pool;

  public PgTokenStore(Pool pool) {
    this.pool = pool;
  }

  // ------------------------------------------------------------------ refresh tokens

  public Future<Void> insertRefresh(UUID id, UUID familyId, UUID tenantId, UUID userId, String hash,
      OffsetDateTime expiresAt) {
    return pool.preparedQuery(TokenQueries.INSERT_REFRESH)
        .execute(Tuple.of(id, familyId, tenantId, userId, hash, expiresAt)).mapEmpty();
  }

  /**
   * Uses a refresh token once.
   *
   * @return the token when this call consumed it; otherwise the stored row (used, revoked or
   *     expired: the caller treats a used token as reuse), or null when unknown
   */
  public Future<Refresh> use(String hash) {
    return pool.preparedQuery(TokenQueries.USE_REFRESH).execute(Tuple.of(hash)).compose(rs -> {
      if (rs.rowCount() == 1) {
        Row r = rs.iterator().next();
        return Future.succeededFuture(new Refresh(r.getUUID("id"), r.getUUID("family_id"),
            r.getUUID("tenant_id"), r.getUUID("user_id"), false, false, null));
      }
      return pool.preparedQuery(TokenQueries.REFRESH_BY_HASH).execute(Tuple.of(hash)).map(rows -> {
        if (rows.size() == 0) {
          return null;
        }
        Row r = rows.iterator().next();
        return new Refresh(r.getUUID("id"), r.getUUID("family_id"), r.getUUID("tenant_id"),
            r.getUUID("user_id"), r.getValue("used_at") != null, r.getValue("revoked_at") != null,
            r.getOffsetDateTime("expires_at"));
      });
    });
  }

  public Future<Void> revokeFamily(UUID familyId) {
    return pool.preparedQuery(TokenQueries.REVOKE_FAMILY).execute(Tuple.of(familyId)).mapEmpty();
  }

  // ------------------------------------------------------------------ revocations

  /** Records a revocation ({@code kind} jti or family) kept until {@code expiresAt}. */
  public Future<Void> revoke(String id, UUID tenantId, String kind, OffsetDateTime expiresAt,
      String actor, String reason) {
    return pool.preparedQuery(TokenQueries.INSERT_REVOCATION)
        .execute(Tuple.of(id, tenantId, kind, expiresAt, actor, reason)).mapEmpty();
  }

  /** Live revocations: id to expiry (epoch seconds). */
  public Future<Map<String, Long>> liveRevocations() {
    return pool.query(TokenQueries.LIVE_REVOCATIONS).execute().map(rs -> {
      Map<String, Long> m = new HashMap<>();
      rs.forEach(r -> m.put(r.getString("id"), r.getOffsetDateTime("expires_at").toEpochSecond()));
      return m;
    });
  }

  // ------------------------------------------------------------------ API keys

  public Future<Void> insertApiKey(UUID id, UUID tenantId, String name, String prefix, String hash,
      String role, UUID agentId, List<String> scopes, String createdBy, OffsetDateTime expiresAt) {
    return pool.preparedQuery(TokenQueries.INSERT_API_KEY).execute(Tuple.tuple().addUUID(id)
        .addUUID(tenantId).addString(name).addString(prefix).addString(hash).addString(role)
        .addUUID(agentId).addValue(new JsonArray(scopes)).addString(createdBy)
        .addOffsetDateTime(expiresAt)).mapEmpty();
  }

  /** The key with this hash (any tenant: the hash identifies it), or null. */
  public Future<ApiKey> apiKeyByHash(String hash) {
    return pool.preparedQuery(TokenQueries.API_KEY_BY_HASH).execute(Tuple.of(hash))
        .map(rs -> rs.size() == 0 ? null : apiKey(rs.iterator().next()));
  }

  public Future<List<ApiKey>> apiKeys(UUID tenantId, int limit, int offset) {
    return pool.preparedQuery(TokenQueries.API_KEYS).execute(Tuple.of(tenantId, limit, offset)).map(rs -> {
      List<ApiKey> out = new ArrayList<>();
      rs.forEach(r -> out.add(apiKey(r)));
      return out;
    });
  }

  /**
   * Revokes a key of the tenant.
   *
   * @return its hash when this call revoked it; "" when it was already revoked; null when unknown
   */
  public Future<String> revokeApiKey(UUID tenantId, UUID id) {
    return pool.preparedQuery(TokenQueries.REVOKE_API_KEY).execute(Tuple.of(tenantId, id)).compose(rs -> {
      if (rs.rowCount() == 1) {
        return Future.succeededFuture(rs.iterator().next().getString("key_hash"));
      }
      return pool.preparedQuery(TokenQueries.API_KEY_HASH).execute(Tuple.of(tenantId, id))
          .map(rows -> rows.size() == 0 ? null : "");
    });
  }

  public Future<Void> touchApiKey(UUID id) {
    return pool.preparedQuery(TokenQueries.TOUCH_API_KEY).execute(Tuple.of(id)).mapEmpty();
  }

  /** Revokes an agent's credential; returns the revoked secret's hash, or null when none was live. */
  public Future<String> revokeCredential(UUID tenantId, UUID agentId) {
    return pool.preparedQuery(TokenQueries.REVOKE_CREDENTIAL).execute(Tuple.of(tenantId, agentId))
        .map(rs -> rs.rowCount() > 0 ? rs.iterator().next().getString("secret_hash") : null);
  }

  // ------------------------------------------------------------------ signing keys

  /** The active key first, then retired keys that still verify. */
  public Future<List<Key>> verifyingKeys() {
    return pool.query(TokenQueries.VERIFYING_KEYS).execute().map(rs -> {
      List<Key> out = new ArrayList<>();
      for (Row r : rs) {
        out.add(new Key(r.getString("kid"), r.getString("alg"), r.getBuffer("private_key").getBytes(),
            r.getBuffer("public_key").getBytes(), r.getValue("retired_at") == null));
      }
      return out;
    });
  }

  /**
   * Retires the active key (it keeps verifying for {@code verifySeconds}) and stores the new one,
   * in one transaction.
   */
  public Future<Void> rotate(String kid, String alg, byte[] privateKey, byte[] publicKey, long verifySeconds) {
    return pool.withTransaction(conn -> conn.preparedQuery(TokenQueries.RETIRE_KEYS)
        .execute(Tuple.of((double) verifySeconds))
        .compose(v -> conn.preparedQuery("INSERT INTO identity.signing_keys (kid, alg, private_key,"
            + " public_key) VALUES ($1, $2, $3, $4)").execute(Tuple.of(kid, alg, Buffer.buffer(privateKey),
            Buffer.buffer(publicKey))))).mapEmpty();
  }

  private static ApiKey apiKey(Row r) {
    Object scopes = r.getValue("scopes");
    List<String> s = new ArrayList<>();
    if (scopes instanceof JsonArray a) {
      a.forEach(x -> s.add(String.valueOf(x)));
    }
    return new ApiKey(r.getUUID("id"), r.getUUID("tenant_id"), r.getString("name"),
        r.getString("prefix"), r.getString("role"), r.getUUID("agent_id"), List.copyOf(s),
        r.getString("created_by"), r.getOffsetDateTime("created_at"),
        r.getOffsetDateTime("last_used_at"), r.getOffsetDateTime("expires_at"),
        r.getOffsetDateTime("revoked_at"));
  }
}
