package dev.aegis.storage.pg;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads and appends {@code audit.audit_logs} through the reactive pg client. Appends are done by
 * one writer (the audit verticle) in batches, each batch one transaction.
 */
public final class PgAuditStore {

  private final Pool pool;

  public PgAuditStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * The head of every (tenant, shard) chain.
   *
   * @return key {@code tenant_id + ":" + shard} to (chain_index, event_hash)
   */
  public Future<Map<String, Tail>> loadTails() {
    return pool.query(AuditQueries.TAILS).execute().map(rows -> {
      Map<String, Tail> m = new HashMap<>();
      for (Row r : rows) {
        m.put(r.getUUID("tenant_id") + ":" + r.getInteger("chain_shard"),
            new Tail(r.getLong("chain_index"), r.getString("event_hash")));
      }
      return m;
    });
  }

  /** The last row of one chain. */
  public record Tail(long chainIndex, String eventHash) {}

  /**
   * A tenant's Merkle log head moving from {@code fromSize} to {@code toSize}.
   *
   * @param compactRange the new state, encoded (CompactRange#toBytes)
   */
  public record HeadMove(UUID tenantId, long fromSize, long toSize, byte[] compactRange) {}

  /** Another writer advanced a log head first; the batch was rolled back. */
  public static final class HeadRace extends RuntimeException {
    public HeadRace(UUID tenant) {
      super("log head of tenant " + tenant + " moved", null, false, false);
    }
  }

  /** Creates this month's and next month's partitions of audit_logs when missing. */
  public Future<Void> ensurePartitions() {
    return pool.query("SELECT audit.ensure_month_partition(current_date),"
        + " audit.ensure_month_partition((current_date + interval '1 month')::date)").execute().mapEmpty();
  }

  /** One tenant's committed log head (encoded compact range), or null when its log is empty. */
  public Future<byte[]> loadHead(UUID tenantId) {
    return pool.preparedQuery("SELECT compact_range FROM audit.log_heads WHERE tenant_id = $1")
        .execute(Tuple.of(tenantId))
        .map(rs -> rs.size() == 0 ? null : rs.iterator().next().getBuffer("compact_range").getBytes());
  }

  /** The row of a tenant with this execution (audit) id, or null. */
  public Future<AuditRow> byId(UUID tenantId, UUID id) {
    return find(tenantId, id);
  }

  /** Every tenant's log head: tree size and encoded compact range. */
  public Future<Map<UUID, byte[]>> loadHeads() {
    return pool.query(AuditQueries.HEADS).execute().map(rows -> {
      Map<UUID, byte[]> m = new HashMap<>();
      for (Row r : rows) {
        m.put(r.getUUID("tenant_id"), r.getBuffer("compact_range").getBytes());
      }
      return m;
    });
  }

  /** Inserts the rows (no Merkle leaves: legacy path, used by tests of the chain only). */
  public Future<Void> insertBatch(List<AuditRow> rows) {
    return insertBatch(rows, List.of(), List.of());
  }

  /**
   * Appends rows in one transaction: advances each tenant's log head with compare-and-set (a
   * {@link HeadRace} rolls everything back when another writer moved it first), inserts the rows,
   * and inserts the billing-outbox rows of the metered ones.
   */
  public Future<Void> insertBatch(List<AuditRow> rows, List<HeadMove> heads, List<AuditRow> metered) {
    List<Tuple> tuples = new ArrayList<>(rows.size());
    for (AuditRow r : rows) {
      Buffer[] subtrees = new Buffer[r.subtreeHashes().size()];
      for (int i = 0; i < subtrees.length; i++) {
        subtrees[i] = Buffer.buffer(r.subtreeHashes().get(i));
      }
      tuples.add(Tuple.tuple().addUUID(r.id()).addUUID(r.tenantId()).addString(r.agentId())
          .addString(r.action()).addString(r.tool()).addString(r.decision()).addString(r.reason())
          .addValue(r.metadata()).addString(r.requestId()).addString(r.eventHash())
          .addString(r.prevHash()).addShort((short) r.hashVersion()).addShort((short) r.chainShard())
          .addLong(r.chainIndex()).addOffsetDateTime(r.createdAt()).addLong(r.leafIndex())
          .addBuffer(r.leafHash() == null ? null : Buffer.buffer(r.leafHash()))
          .addArrayOfBuffer(r.leafHash() == null ? null : subtrees));
    }
    List<Tuple> outbox = new ArrayList<>(metered.size());
    for (AuditRow r : metered) {
      outbox.add(Tuple.of(r.id(), r.tenantId(), r.agentId(), r.tool(), r.decision(), r.requestId(),
          r.createdAt()));
    }
    return pool.withTransaction(conn -> {
      Future<Void> f = Future.succeededFuture();
      for (HeadMove h : heads) {
        Buffer state = Buffer.buffer(h.compactRange());
        f = f.compose(v -> (h.fromSize() == 0
                ? conn.preparedQuery(AuditQueries.INSERT_HEAD).execute(Tuple.of(h.tenantId(), h.toSize(), state))
                : conn.preparedQuery(AuditQueries.ADVANCE_HEAD).execute(Tuple.of(h.tenantId(), h.toSize(),
                    state, h.fromSize())))
            .compose(rs -> rs.rowCount() == 1 ? Future.<Void>succeededFuture()
                : Future.failedFuture(new HeadRace(h.tenantId()))));
      }
      f = f.compose(v -> conn.preparedQuery(AuditQueries.INSERT).executeBatch(tuples).mapEmpty());
      if (!outbox.isEmpty()) {
        f = f.compose(v -> conn.preparedQuery(AuditQueries.INSERT_OUTBOX).executeBatch(outbox).mapEmpty());
      }
      return f;
    });
  }

  /**
   * The stored node hashes of the given leaves: for each leaf index, its leaf hash followed by the
   * roots of the perfect subtrees that end at it (level 1, 2, ...).
   */
  public Future<Map<Long, List<byte[]>>> nodes(UUID tenantId, List<Long> leafIndexes) {
    Long[] idx = leafIndexes.toArray(new Long[0]);
    return pool.preparedQuery(AuditQueries.NODES).execute(Tuple.tuple().addUUID(tenantId).addArrayOfLong(idx)).map(rs -> {
      Map<Long, List<byte[]>> m = new HashMap<>();
      for (Row r : rs) {
        List<byte[]> l = new ArrayList<>();
        l.add(r.getBuffer("leaf_hash").getBytes());
        Object arr = r.getValue("subtree_hashes");
        if (arr instanceof Object[] a) {
          for (Object o : a) {
            l.add(((Buffer) o).getBytes());
          }
        }
        m.put(r.getLong("leaf_index"), l);
      }
      return m;
    });
  }

  /** Rows of a tenant with leaf index in [from, to), in leaf order. */
  public Future<List<AuditRow>> byLeafRange(UUID tenantId, long from, long to) {
    return pool.preparedQuery(AuditQueries.BY_LEAF).execute(Tuple.of(tenantId, from, to))
        .map(PgAuditStore::rows);
  }

  /** A page of one tenant's rows, newest first. */
  public Future<List<AuditRow>> list(UUID tenantId, AuditFilter f) {
    StringBuilder sql = new StringBuilder("SELECT ").append(AuditQueries.COLUMNS)
        .append(" FROM audit.audit_logs WHERE tenant_id = $1");
    Tuple t = Tuple.tuple().addUUID(tenantId);
    int n = 1;
    if (f.agentId() != null) {
      sql.append(" AND agent_id = $").append(++n);
      t.addString(f.agentId());
    }
    if (f.action() != null) {
      sql.append(" AND action = $").append(++n);
      t.addString(f.action());
    }
    if (f.decision() != null) {
      sql.append(" AND decision = $").append(++n);
      t.addString(f.decision());
    }
    if (f.tool() != null) {
      sql.append(" AND tool = $").append(++n);
      t.addString(f.tool());
    }
    if (f.requestId() != null) {
      sql.append(" AND request_id = $").append(++n);
      t.addString(f.requestId());
    }
    if (f.startDate() != null) {
      sql.append(" AND created_at >= $").append(++n);
      t.addOffsetDateTime(f.startDate());
    }
    if (f.endDate() != null) {
      sql.append(" AND created_at < $").append(++n);
      t.addOffsetDateTime(f.endDate());
    }
    sql.append(" ORDER BY created_at DESC, seq DESC LIMIT $").append(++n).append(" OFFSET $").append(++n);
    t.addInteger(f.limit()).addInteger(f.offset());
    return pool.preparedQuery(sql.toString()).execute(t).map(PgAuditStore::rows);
  }

  /** One row of a tenant, or null. */
  public Future<AuditRow> find(UUID tenantId, UUID id) {
    return pool.preparedQuery(AuditQueries.BY_ID).execute(Tuple.of(tenantId, id))
        .map(rs -> rs.size() == 0 ? null : row(rs.iterator().next()));
  }

  /** The next page of a tenant's chains in (shard, index) order, after the given position. */
  public Future<List<AuditRow>> chainPage(UUID tenantId, int afterShard, long afterIndex, int limit) {
    return pool.preparedQuery(AuditQueries.CHAIN_PAGE)
        .execute(Tuple.of(tenantId, (short) afterShard, afterIndex, limit)).map(PgAuditStore::rows);
  }

  private static List<AuditRow> rows(RowSet<Row> rs) {
    List<AuditRow> out = new ArrayList<>(rs.size());
    for (Row r : rs) {
      out.add(row(r));
    }
    return out;
  }

  private static AuditRow row(Row r) {
    Object meta = r.getValue("metadata_json");
    Buffer leaf = r.getBuffer("leaf_hash");
    List<byte[]> subtrees = new ArrayList<>();
    Object arr = r.getValue("subtree_hashes");
    if (arr instanceof Object[] a) {
      for (Object o : a) {
        subtrees.add(((Buffer) o).getBytes());
      }
    }
    return new AuditRow(r.getUUID("id"), r.getUUID("tenant_id"), r.getString("agent_id"),
        r.getString("action"), r.getString("tool"), r.getString("decision"), r.getString("reason"),
        meta instanceof JsonObject j ? j : new JsonObject(), r.getString("request_id"),
        r.getString("event_hash"), r.getString("prev_hash"), r.getShort("hash_version"),
        r.getShort("chain_shard"), r.getLong("chain_index"), r.getOffsetDateTime("created_at"),
        r.getLong("seq"), r.getLong("leaf_index"), leaf == null ? null : leaf.getBytes(), subtrees);
  }
}
