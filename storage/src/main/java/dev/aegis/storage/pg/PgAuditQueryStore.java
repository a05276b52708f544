package dev.aegis.storage.pg;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The read side of the audit API beyond {@link PgAuditStore}: search with a JSONB containment
 * filter on {@code metadata_json}, per-tenant summaries, and the append-only notes of a row
 * ({@code audit.audit_notes}). Every query is scoped to one tenant.
 */
public final class PgAuditQueryStore {

  /** Tools listed in a summary at most. */
  public static final int TOP_TOOLS = 20;

  private static final String EXISTS = "SELECT 1 FROM audit.audit_logs WHERE tenant_id = $1 AND id = $2 LIMIT 1";

  private static final String INSERT_NOTE = "INSERT INTO audit.audit_notes (id, tenant_id, audit_id, note_type,"
      + " body, author, created_at) VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING created_at";

  private static final String NOTES = "SELECT id, audit_id, note_type, body, author, created_at"
      + " FROM audit.audit_notes WHERE tenant_id = $1 AND audit_id = $2 ORDER BY created_at, id";

  private static final String HEAD_SIZE = "SELECT tree_size FROM audit.log_heads WHERE tenant_id = $1";

  private final Pool pool;

  public PgAuditQueryStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * A page of one tenant's rows matching the filter and, when not null, whose metadata contains
   * {@code metadataFilter} (JSONB {@code @>}), newest first.
   */
  public Future<List<AuditRow>> search(UUID tenantId, AuditFilter f, JsonObject metadataFilter) {
    StringBuilder sql = new StringBuilder("SELECT ").append(AuditQueries.COLUMNS)
        .append(" FROM audit.audit_logs WHERE tenant_id = $1");
    Tuple t = Tuple.tuple().addUUID(tenantId);
    int n = 1;
    String[][] eq = {{"agent_id", f.agentId()}, {"action", f.action()}, {"decision", f.decision()},
        {"tool", f.tool()}, {"request_id", f.requestId()}};
    for (String[] c : eq) {
      if (c[1] != null) {
        sql.append(" AND ").append(c[0]).append(" = $").append(++n);
        t.addString(c[1]);
      }
    }
    if (f.startDate() != null) {
      sql.append(" AND created_at >= $").append(++n);
      t.addOffsetDateTime(f.startDate());
    }
    if (f.endDate() != null) {
      sql.append(" AND created_at < $").append(++n);
      t.addOffsetDateTime(f.endDate());
    }
    if (metadataFilter != null && !metadataFilter.isEmpty()) {
      sql.append(" AND metadata_json @> $").append(++n).append("::jsonb");
      t.addValue(metadataFilter);
    }
    sql.append(" ORDER BY created_at DESC, seq DESC LIMIT $").append(++n).append(" OFFSET $").append(++n);
    t.addInteger(f.limit()).addInteger(f.offset());
    return pool.preparedQuery(sql.toString()).execute(t).map(PgAuditQueryStore::rows);
  }

  /**
   * Counts of one tenant's rows in [start, end) (either bound may be null): {@code {total,
   * first_timestamp, last_timestamp, by_decision: {..}, by_action: {..}, by_tool: [{tool, count}]}}
   * (the {@link #TOP_TOOLS} most used tools).
   */
  public Future<JsonObject> summary(UUID tenantId, OffsetDateTime start, OffsetDateTime end) {
    String where = " FROM audit.audit_logs WHERE tenant_id = $1"
        + " AND ($2::timestamptz IS NULL OR created_at >= $2) AND ($3::timestamptz IS NULL OR created_at < $3)";
    Tuple t = Tuple.tuple().addUUID(tenantId).addOffsetDateTime(start).addOffsetDateTime(end);
    Future<RowSet<Row>> totals = pool.preparedQuery("SELECT count(*) AS n, min(created_at) AS first,"
        + " max(created_at) AS last" + where).execute(t);
    Future<RowSet<Row>> decisions = pool.preparedQuery("SELECT decision AS k, count(*) AS n" + where
        + " GROUP BY decision ORDER BY n DESC, decision").execute(t);
    Future<RowSet<Row>> actions = pool.preparedQuery("SELECT action AS k, count(*) AS n" + where
        + " GROUP BY action ORDER BY n DESC, action").execute(t);
    Future<RowSet<Row>> tools = pool.preparedQuery("SELECT tool AS k, count(*) AS n" + where
        + " AND tool IS NOT NULL GROUP BY tool ORDER BY n DESC, tool LIMIT " + TOP_TOOLS).execute(t);
    return Future.all(totals, decisions, actions, tools).map(cf -> {
      Row tot = ((RowSet<Row>) cf.resultAt(0)).iterator().next();
      JsonObject byDecision = new JsonObject();
      ((RowSet<Row>) cf.resultAt(1)).forEach(r -> byDecision.put(r.getString("k"), r.getLong("n")));
      JsonObject byAction = new JsonObject();
      ((RowSet<Row>) cf.resultAt(2)).forEach(r -> byAction.put(r.getString("k"), r.getLong("n")));
      JsonArray byTool = new JsonArray();
      ((RowSet<Row>) cf.resultAt(3)).forEach(r -> byTool.add(new JsonObject().put("tool", r.getString("k"))
          .put("count", r.getLong("n"))));
      return new JsonObject().put("total", tot.getLong("n"))
          .put("first_timestamp", ts(tot.getOffsetDateTime("first")))
          .put("last_timestamp", ts(tot.getOffsetDateTime("last")))
          .put("start_date", ts(start)).put("end_date", ts(end))
          .put("by_decision", byDecision).put("by_action", byAction).put("by_tool", byTool);
    });
  }

  /** Whether the tenant has a row with this id. */
  public Future<Boolean> exists(UUID tenantId, UUID auditId) {
    return pool.preparedQuery(EXISTS).execute(Tuple.of(tenantId, auditId)).map(rs -> rs.size() > 0);
  }

  /** The size of the tenant's Merkle log (0 when empty). */
  public Future<Long> treeSize(UUID tenantId) {
    return pool.preparedQuery(HEAD_SIZE).execute(Tuple.of(tenantId))
        .map(rs -> rs.size() == 0 ? 0L : rs.iterator().next().getLong("tree_size"));
  }

  /** Appends a note to a row (the caller has checked that the row is the tenant's). */
  public Future<JsonObject> addNote(UUID tenantId, UUID auditId, String noteType, String body, String author) {
    UUID id = UUID.randomUUID();
    return pool.preparedQuery(INSERT_NOTE).execute(Tuple.of(id, tenantId, auditId, noteType, body, author))
        .map(rs -> note(id, auditId, noteType, body, author, rs.iterator().next().getOffsetDateTime("created_at")));
  }

  /** The notes of one of the tenant's rows, oldest first. */
  public Future<JsonArray> notes(UUID tenantId, UUID auditId) {
    return pool.preparedQuery(NOTES).execute(Tuple.of(tenantId, auditId)).map(rs -> {
      JsonArray out = new JsonArray();
      for (Row r : rs) {
        out.add(note(r.getUUID("id"), r.getUUID("audit_id"), r.getString("note_type"), r.getString("body"),
            r.getString("author"), r.getOffsetDateTime("created_at")));
      }
      return out;
    });
  }

  private static JsonObject note(UUID id, UUID auditId, String type, String body, String author, OffsetDateTime at) {
    return new JsonObject().put("id", id.toString()).put("audit_id", auditId.toString()).put("note_type", type)
        .put("body", body).put("author", author).put("created_at", ts(at));
  }

  private static String ts(OffsetDateTime t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.toInstant());
  }

  private static List<AuditRow> rows(RowSet<Row> rs) {
    List<AuditRow> out = new ArrayList<>(rs.size());
    for (Row r : rs) {
      Object meta = r.getValue("metadata_json");
      Buffer leaf = r.getBuffer("leaf_hash");
      List<byte[]> subtrees = new ArrayList<>();
      Object arr = r.getValue("subtree_hashes");
      if (arr instanceof Object[] a) {
        for (Object o : a) {
          subtrees.add(((Buffer) o).getBytes());
        }
      }
      out.add(new AuditRow(r.getUUID("id"), r.getUUID("tenant_id"), r.getString("agent_id"),
          r.getString("action"), r.getString("tool"), r.getString("decision"), r.getString("reason"),
          meta instanceof JsonObject j ? j : new JsonObject(), r.getString("request_id"),
          r.getString("event_hash"), r.getString("prev_hash"), r.getShort("hash_version"),
          r.getShort("chain_shard"), r.getLong("chain_index"), r.getOffsetDateTime("created_at"),
          r.getLong("seq"), r.getLong("leaf_index"), leaf == null ? null : leaf.getBytes(), subtrees));
    }
    return out;
  }
}
