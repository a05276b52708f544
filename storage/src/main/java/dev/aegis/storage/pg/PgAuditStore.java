package dev.aegis.storage.pg;

import io.vertx.core.Future;
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

  /** Inserts the rows in one transaction. */
  public Future<Void> insertBatch(List<AuditRow> rows) {
    List<Tuple> tuples = new ArrayList<>(rows.size());
    for (AuditRow r : rows) {
      tuples.add(Tuple.tuple().addUUID(r.id()).addUUID(r.tenantId()).addString(r.agentId())
          .addString(r.action()).addString(r.tool()).addString(r.decision()).addString(r.reason())
          .addValue(r.metadata()).addString(r.requestId()).addString(r.eventHash())
          .addString(r.prevHash()).addShort((short) r.hashVersion()).addShort((short) r.chainShard())
          .addLong(r.chainIndex()).addOffsetDateTime(r.createdAt()));
    }
    return pool.withTransaction(conn -> conn.preparedQuery(AuditQueries.INSERT).executeBatch(tuples))
        .mapEmpty();
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
    return new AuditRow(r.getUUID("id"), r.getUUID("tenant_id"), r.getString("agent_id"),
        r.getString("action"), r.getString("tool"), r.getString("decision"), r.getString("reason"),
        meta instanceof JsonObject j ? j : new JsonObject(), r.getString("request_id"),
        r.getString("event_hash"), r.getString("prev_hash"), r.getShort("hash_version"),
        r.getShort("chain_shard"), r.getLong("chain_index"), r.getOffsetDateTime("created_at"),
        r.getLong("seq"));
  }
}
