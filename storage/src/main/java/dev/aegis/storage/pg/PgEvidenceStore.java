package dev.aegis.storage.pg;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Evidence signing keys and signed checkpoints ({@code audit} schema). */
public final class PgEvidenceStore {

  /** An evidence signing key (raw 32-byte Ed25519 keys). */
  public record Key(String keyId, byte[] publicKey, byte[] privateKey, OffsetDateTime createdAt,
      OffsetDateTime retiredAt) {}

  /** A signed checkpoint of a tenant's log. */
  public record StoredCheckpoint(UUID tenantId, long treeSize, byte[] rootHash, String note, String keyId,
      OffsetDateTime createdAt) {}

  private final Pool pool;

  public PgEvidenceStore(Pool pool) {
    this.pool = pool;
  }

  /** Every key, active first (newest), then retired ones. */
  public Future<List<Key>> keys() {
    return pool.query("SELECT key_id, public_key, private_key, created_at, retired_at FROM audit.signing_keys"
        + " ORDER BY (retired_at IS NULL) DESC, created_at DESC").execute().map(rs -> {
          List<Key> out = new ArrayList<>();
          for (Row r : rs) {
            out.add(new Key(r.getString("key_id"), r.getBuffer("public_key").getBytes(),
                r.getBuffer("private_key").getBytes(), r.getOffsetDateTime("created_at"),
                r.getOffsetDateTime("retired_at")));
          }
          return out;
        });
  }

  /** Stores a new active key, retiring the current one, in one transaction. */
  public Future<Void> rotate(String keyId, byte[] publicKey, byte[] privateKey) {
    return pool.withTransaction(c -> c.query("UPDATE audit.signing_keys SET retired_at = now()"
            + " WHERE retired_at IS NULL").execute()
        .compose(v -> c.preparedQuery("INSERT INTO audit.signing_keys (key_id, public_key, private_key)"
            + " VALUES ($1, $2, $3)").execute(Tuple.of(keyId, Buffer.buffer(publicKey), Buffer.buffer(privateKey)))))
        .mapEmpty();
  }

  public Future<Void> insertCheckpoint(UUID tenantId, long size, byte[] root, String note, String keyId) {
    return pool.preparedQuery("INSERT INTO audit.checkpoints (tenant_id, tree_size, root_hash, note, key_id)"
        + " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, tree_size) DO NOTHING")
        .execute(Tuple.of(tenantId, size, Buffer.buffer(root), note, keyId)).mapEmpty();
  }

  /** The newest checkpoint of a tenant, or null. */
  public Future<StoredCheckpoint> latestCheckpoint(UUID tenantId) {
    return one("SELECT * FROM audit.checkpoints WHERE tenant_id = $1 ORDER BY tree_size DESC LIMIT 1",
        Tuple.of(tenantId));
  }

  /** The checkpoint of exactly this size, or null. */
  public Future<StoredCheckpoint> checkpoint(UUID tenantId, long size) {
    return one("SELECT * FROM audit.checkpoints WHERE tenant_id = $1 AND tree_size = $2", Tuple.of(tenantId, size));
  }

  /** A tenant's checkpoints in size order (for bundles), at most {@code limit}. */
  public Future<List<StoredCheckpoint>> checkpoints(UUID tenantId, int limit) {
    return pool.preparedQuery("SELECT * FROM audit.checkpoints WHERE tenant_id = $1 ORDER BY tree_size LIMIT $2")
        .execute(Tuple.of(tenantId, limit)).map(rs -> {
          List<StoredCheckpoint> out = new ArrayList<>();
          rs.forEach(r -> out.add(cp(r)));
          return out;
        });
  }

  private Future<StoredCheckpoint> one(String sql, Tuple t) {
    return pool.preparedQuery(sql).execute(t).map(rs -> rs.size() == 0 ? null : cp(rs.iterator().next()));
  }

  private static StoredCheckpoint cp(Row r) {
    return new StoredCheckpoint(r.getUUID("tenant_id"), r.getLong("tree_size"), r.getBuffer("root_hash").getBytes(),
        r.getString("note"), r.getString("key_id"), r.getOffsetDateTime("created_at"));
  }
}
