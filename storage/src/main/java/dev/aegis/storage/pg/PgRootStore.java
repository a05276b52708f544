package dev.aegis.storage.pg;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Daily transparency roots ({@code audit.transparency_roots}, V6 + V7) and the few audit-log
 * queries that computing them needs. Safe with several writers: {@link #upsert} never touches a
 * sealed row (and a V7 trigger refuses any change to one).
 */
public final class PgRootStore {

  /** A stored root row. */
  public record StoredRoot(UUID tenantId, LocalDate rootDate, String rootHash, String prevRootHash,
      long leafCount, long treeSize, UUID leafRangeStartId, UUID leafRangeEndId,
      OffsetDateTime windowEnd, String signingKeyFingerprint, String signedRootPayload,
      String signature, boolean sealed, OffsetDateTime computedAt, OffsetDateTime publishedAt) {}

  private static final String COLUMNS = "tenant_id, root_date, root_hash, prev_root_hash, leaf_count,"
      + " tree_size, leaf_range_start_id, leaf_range_end_id, window_end, signing_key_fingerprint,"
      + " signed_root_payload, signature, sealed, computed_at, published_at";

  private final Pool pool;

  public PgRootStore(Pool pool) {
    this.pool = pool;
  }

  /** Tenants whose Merkle log has at least one leaf. */
  public Future<List<UUID>> tenantsWithLog() {
    return pool.query("SELECT tenant_id FROM audit.log_heads WHERE tree_size > 0 ORDER BY tenant_id")
        .execute().map(rs -> {
          List<UUID> out = new ArrayList<>();
          rs.forEach(r -> out.add(r.getUUID("tenant_id")));
          return out;
        });
  }

  /** The creation time of the tenant's leaf 0, or null when its log is empty. */
  public Future<OffsetDateTime> firstLeafAt(UUID tenant) {
    return pool.preparedQuery("SELECT created_at FROM audit.audit_logs WHERE tenant_id = $1 AND leaf_index = 0")
        .execute(Tuple.of(tenant))
        .map(rs -> rs.size() == 0 ? null : rs.iterator().next().getOffsetDateTime("created_at"));
  }

  /**
   * The tree size reached before {@code boundary}: {@code max(leaf_index) + 1} over the tenant's
   * rows with {@code created_at < boundary} (0 when none).
   */
  public Future<Long> sizeBefore(UUID tenant, OffsetDateTime boundary) {
    return pool.preparedQuery("SELECT coalesce(max(leaf_index) + 1, 0) AS size FROM audit.audit_logs"
            + " WHERE tenant_id = $1 AND leaf_index IS NOT NULL AND created_at < $2")
        .execute(Tuple.of(tenant, boundary))
        .map(rs -> rs.iterator().next().getLong("size"));
  }

  /** The execution ids of the given leaves. */
  public Future<Map<Long, UUID>> leafIds(UUID tenant, List<Long> leafIndexes) {
    return pool.preparedQuery("SELECT leaf_index, id FROM audit.audit_logs WHERE tenant_id = $1"
            + " AND leaf_index = ANY($2)")
        .execute(Tuple.tuple().addUUID(tenant).addArrayOfLong(leafIndexes.toArray(new Long[0])))
        .map(rs -> {
          Map<Long, UUID> m = new HashMap<>();
          rs.forEach(r -> m.put(r.getLong("leaf_index"), r.getUUID("id")));
          return m;
        });
  }

  /** The tenant's newest sealed root, or null. */
  public Future<StoredRoot> latestSealed(UUID tenant) {
    return one("SELECT " + COLUMNS + " FROM audit.transparency_roots WHERE tenant_id = $1 AND sealed"
        + " ORDER BY root_date DESC LIMIT 1", Tuple.of(tenant));
  }

  /** One day's root of a tenant, or null. */
  public Future<StoredRoot> get(UUID tenant, LocalDate date) {
    return one("SELECT " + COLUMNS + " FROM audit.transparency_roots WHERE tenant_id = $1 AND root_date = $2",
        Tuple.of(tenant, date));
  }

  /** A tenant's roots with {@code since <= root_date <= until} (either may be null), newest first. */
  public Future<List<StoredRoot>> list(UUID tenant, LocalDate since, LocalDate until, int limit) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM audit.transparency_roots WHERE tenant_id = $1"
            + " AND ($2::date IS NULL OR root_date >= $2) AND ($3::date IS NULL OR root_date <= $3)"
            + " ORDER BY root_date DESC LIMIT $4")
        .execute(Tuple.of(tenant, since, until, limit)).map(PgRootStore::all);
  }

  /**
   * Inserts or re-anchors a root; a sealed row is never changed. Returns the row as stored after
   * the statement: the new content, or the sealed row that was already there.
   */
  public Future<StoredRoot> upsert(StoredRoot r) {
    String sql = "INSERT INTO audit.transparency_roots (" + COLUMNS + ") VALUES"
        + " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now(), NULL)"
        + " ON CONFLICT (tenant_id, root_date) DO UPDATE SET root_hash = EXCLUDED.root_hash,"
        + " prev_root_hash = EXCLUDED.prev_root_hash, leaf_count = EXCLUDED.leaf_count,"
        + " tree_size = EXCLUDED.tree_size, leaf_range_start_id = EXCLUDED.leaf_range_start_id,"
        + " leaf_range_end_id = EXCLUDED.leaf_range_end_id, window_end = EXCLUDED.window_end,"
        + " signing_key_fingerprint = EXCLUDED.signing_key_fingerprint,"
        + " signed_root_payload = EXCLUDED.signed_root_payload, signature = EXCLUDED.signature,"
        + " sealed = EXCLUDED.sealed, computed_at = now(), published_at = NULL"
        + " WHERE NOT audit.transparency_roots.sealed"
        + " RETURNING " + COLUMNS;
    Tuple t = Tuple.tuple().addUUID(r.tenantId()).addLocalDate(r.rootDate()).addString(r.rootHash())
        .addString(r.prevRootHash()).addLong(r.leafCount()).addLong(r.treeSize())
        .addUUID(r.leafRangeStartId()).addUUID(r.leafRangeEndId()).addOffsetDateTime(r.windowEnd())
        .addString(r.signingKeyFingerprint()).addString(r.signedRootPayload()).addString(r.signature())
        .addBoolean(r.sealed());
    return pool.preparedQuery(sql).execute(t).compose(rs -> rs.size() > 0
        ? Future.succeededFuture(row(rs.iterator().next())) : get(r.tenantId(), r.rootDate()));
  }

  /** Rows whose current content is not yet published (all tenants), oldest first. */
  public Future<List<StoredRoot>> unpublished(int limit) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM audit.transparency_roots WHERE published_at IS NULL"
        + " ORDER BY computed_at LIMIT $1").execute(Tuple.of(limit)).map(PgRootStore::all);
  }

  /** Marks a row published, unless it was re-anchored (re-signed) since it was read. */
  public Future<Void> markPublished(UUID tenant, LocalDate date, String signature) {
    return pool.preparedQuery("UPDATE audit.transparency_roots SET published_at = now()"
            + " WHERE tenant_id = $1 AND root_date = $2 AND signature = $3 AND published_at IS NULL")
        .execute(Tuple.of(tenant, date, signature)).mapEmpty();
  }

  private Future<StoredRoot> one(String sql, Tuple t) {
    return pool.preparedQuery(sql).execute(t).map(rs -> rs.size() == 0 ? null : row(rs.iterator().next()));
  }

  private static List<StoredRoot> all(RowSet<Row> rs) {
    List<StoredRoot> out = new ArrayList<>();
    rs.forEach(r -> out.add(row(r)));
    return out;
  }

  private static StoredRoot row(Row r) {
    return new StoredRoot(r.getUUID("tenant_id"), r.getLocalDate("root_date"), r.getString("root_hash"),
        r.getString("prev_root_hash"), r.getLong("leaf_count"), r.getLong("tree_size"),
        r.getUUID("leaf_range_start_id"), r.getUUID("leaf_range_end_id"), utc(r.getOffsetDateTime("window_end")),
        r.getString("signing_key_fingerprint"), r.getString("signed_root_payload"), r.getString("signature"),
        r.getBoolean("sealed"), utc(r.getOffsetDateTime("computed_at")), utc(r.getOffsetDateTime("published_at")));
  }

  private static OffsetDateTime utc(OffsetDateTime t) {
    return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC);
  }
}
