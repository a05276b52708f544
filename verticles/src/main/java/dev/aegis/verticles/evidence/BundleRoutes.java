package dev.aegis.verticles.evidence;

import dev.aegis.pipeline.evidence.Ed25519Keys;
import dev.aegis.pipeline.merkle.CompactRange;
import dev.aegis.pipeline.ports.Principal;
import dev.aegis.storage.pg.AuditRow;
import dev.aegis.verticles.gateway.GatewayServices;
import dev.aegis.verticles.http.ApiError;
import dev.aegis.verticles.http.Envelope;
import dev.aegis.verticles.http.ManagementAuth;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * {@code GET /audit/export/bundle?from=YYYY-MM-DD&to=YYYY-MM-DD} (ADMIN, SECURITY, AUDITOR; the
 * caller's tenant): the {@code aegis-bundle/1} evidence document that {@code java -jar aegis.jar
 * verify} checks offline (docs/evidence.md, "Offline verification").
 *
 * <p><b>Which rows.</b> Inclusion cannot be proven from the middle of a log, so the bundle holds
 * the tenant's whole log from leaf 0 (and the pre-Merkle rows, which only the hash chain covers)
 * up to the first signed checkpoint at or after the last leaf created before the end of day
 * {@code to} (UTC). {@code from} does not cut leaves; it only defines the highlighted window
 * ({@code window.rows_in_window}, {@code window.first_leaf_in_window}). When {@code to} is today
 * or later, the current head is signed first so the bundle ends on a checkpoint covering every
 * committed row. Checkpoints are those of the tenant up to the bundle's tree size.
 *
 * <p><b>Streaming.</b> The document is written as a chunked response, rows read in pages of
 * {@value #PAGE} by leaf index, each page written before the next is read, so a large log never
 * sits in memory at once. A database failure after the first byte resets the stream (the client
 * then holds invalid JSON, which the verifier refuses as unreadable).
 */
public final class BundleRoutes {

  static final int PAGE = 1000;
  public static final String FORMAT_VERSION = "aegis-bundle/1";
  private static final HexFormat HEX = HexFormat.of();

  private static final String ROW_COLUMNS = "seq, id, tenant_id, agent_id, action, tool, decision,"
      + " reason, request_id, event_hash, prev_hash, hash_version, chain_shard, chain_index,"
      + " created_at, leaf_index, leaf_hash";

  private final GatewayServices s;
  private final ManagementAuth auth;
  private final CheckpointSigner signer;

  public BundleRoutes(GatewayServices s, ManagementAuth auth) {
    this.s = s;
    this.auth = auth;
    this.signer = new CheckpointSigner(s.evidence(), s.evidenceKeys());
  }

  public void mount(Router router) {
    router.get("/audit/export/bundle").handler(auth.require(ManagementAuth.AUDIT_READERS))
        .handler(this::export);
  }

  private record Plan(UUID tenant, LocalDate from, LocalDate to, OffsetDateTime fromStart,
      OffsetDateTime toEnd, long treeSize) {}

  private void export(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    UUID tenant = UUID.fromString(p.tenantId());
    LocalDate from;
    LocalDate to;
    try {
      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      from = date(rc, "from", null);
      to = date(rc, "to", today);
      if (from != null && from.isAfter(to)) {
        throw ApiError.badRequest("validation_error", "'from' must not be after 'to'");
      }
    } catch (ApiError e) {
      Envelope.fail(rc, e);
      return;
    }
    OffsetDateTime fromStart = from == null ? null : from.atStartOfDay().atOffset(ZoneOffset.UTC);
    OffsetDateTime toEnd = to.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC);
    boolean includesNow = !toEnd.isBefore(OffsetDateTime.now(ZoneOffset.UTC));
    Future<Void> signed = includesNow ? signHead(tenant) : Future.succeededFuture();
    signed.compose(v -> treeSize(tenant, toEnd)).onComplete(ar -> {
      if (ar.failed()) {
        Envelope.fail(rc, ar.cause());
        return;
      }
      stream(rc, new Plan(tenant, from, to, fromStart, toEnd, ar.result()));
    });
  }

  /** Signs the committed head when no checkpoint of its size exists yet. */
  private Future<Void> signHead(UUID tenant) {
    return s.audit().loadHead(tenant).compose(raw -> {
      if (raw == null) {
        return Future.succeededFuture();
      }
      CompactRange head = CompactRange.fromBytes(raw);
      return s.evidence().checkpoint(tenant, head.size()).compose(cp -> cp != null
          ? Future.succeededFuture() : signer.sign(tenant, head));
    });
  }

  /** The first checkpoint size covering every leaf created before {@code toEnd} (or the last). */
  private Future<Long> treeSize(UUID tenant, OffsetDateTime toEnd) {
    return s.pool().preparedQuery("SELECT max(leaf_index) AS m FROM audit.audit_logs"
        + " WHERE tenant_id = $1 AND created_at < $2 AND leaf_index IS NOT NULL")
        .execute(Tuple.of(tenant, toEnd)).compose(rs -> {
          Long max = rs.iterator().next().getLong("m");
          if (max == null) {
            return Future.succeededFuture(0L);
          }
          return s.pool().preparedQuery("SELECT coalesce((SELECT min(tree_size) FROM audit.checkpoints"
              + " WHERE tenant_id = $1 AND tree_size >= $2), (SELECT max(tree_size) FROM audit.checkpoints"
              + " WHERE tenant_id = $1), 0) AS n").execute(Tuple.of(tenant, max + 1))
              .map(r -> r.iterator().next().getLong("n"));
        });
  }

  // ------------------------------------------------------------------------------ streaming

  private static final class State {
    boolean firstRow = true;
    long rowsInWindow;
    Long firstLeafInWindow;
  }

  private void stream(RoutingContext rc, Plan plan) {
    HttpServerResponse res = rc.response();
    res.setChunked(true).setStatusCode(200).putHeader("content-type", "application/json")
        .putHeader("content-disposition", "attachment; filename=\"aegis-bundle-" + plan.tenant()
            + "-" + plan.to() + ".json\"");
    State st = new State();
    StringBuilder head = new StringBuilder(256);
    head.append("{\"format_version\":\"").append(FORMAT_VERSION).append("\",\"tenant_id\":\"")
        .append(plan.tenant()).append("\",\"generated_at\":\"").append(Instant.now())
        .append("\",\"rows\":[");
    res.write(head.toString())
        .compose(v -> legacyRows(res, plan, st, -1))
        .compose(v -> leafRows(res, plan, st, 0))
        .compose(v -> res.write("],\"checkpoints\":["))
        .compose(v -> checkpoints(res, plan, -1, true))
        .compose(v -> res.write("],\"public_keys\":" + publicKeys().encode() + ",\"roots\":"))
        .compose(v -> roots(plan))
        .compose(roots -> res.write(roots.encode() + ",\"window\":" + window(plan, st).encode() + "}"))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            res.end();
          } else {
            org.slf4j.LoggerFactory.getLogger(BundleRoutes.class)
                .error("Bundle export of tenant {} failed mid-stream", plan.tenant(), ar.cause());
            res.reset();
          }
        });
  }

  /** Rows written before the Merkle log existed (chain only), by seq. */
  private Future<Void> legacyRows(HttpServerResponse res, Plan plan, State st, long afterSeq) {
    return s.pool().preparedQuery("SELECT " + ROW_COLUMNS + " FROM audit.audit_logs WHERE tenant_id = $1"
        + " AND leaf_index IS NULL AND created_at < $2 AND seq > $3 ORDER BY seq LIMIT " + PAGE)
        .execute(Tuple.of(plan.tenant(), plan.toEnd(), afterSeq)).compose(rs -> {
          if (rs.size() == 0) {
            return Future.succeededFuture();
          }
          StringBuilder sb = new StringBuilder(rs.size() * 600);
          long last = afterSeq;
          for (Row r : rs) {
            appendRow(sb, plan, st, rowJson(r));
            last = r.getLong("seq");
          }
          long next = last;
          return res.write(sb.toString()).compose(v -> rs.size() < PAGE ? Future.succeededFuture()
              : legacyRows(res, plan, st, next));
        });
  }

  /** Leaves [from, treeSize) in pages of {@link #PAGE}. */
  private Future<Void> leafRows(HttpServerResponse res, Plan plan, State st, long from) {
    if (from >= plan.treeSize()) {
      return Future.succeededFuture();
    }
    long to = Math.min(from + PAGE, plan.treeSize());
    return s.audit().byLeafRange(plan.tenant(), from, to).compose(rows -> {
      StringBuilder sb = new StringBuilder(rows.size() * 600);
      for (AuditRow r : rows) {
        appendRow(sb, plan, st, rowJson(r));
      }
      return res.write(sb.toString()).compose(v -> leafRows(res, plan, st, to));
    });
  }

  private static void appendRow(StringBuilder sb, Plan plan, State st, JsonObject row) {
    if (!st.firstRow) {
      sb.append(',');
    }
    st.firstRow = false;
    sb.append(row.encode());
    OffsetDateTime at = OffsetDateTime.parse(row.getString("created_at"));
    if ((plan.fromStart() == null || !at.isBefore(plan.fromStart())) && at.isBefore(plan.toEnd())) {
      st.rowsInWindow++;
      if (st.firstLeafInWindow == null && row.getLong("leaf_index") != null) {
        st.firstLeafInWindow = row.getLong("leaf_index");
      }
    }
  }

  private static JsonObject window(Plan plan, State st) {
    return new JsonObject().put("from", plan.from() == null ? null : plan.from().toString())
        .put("to", plan.to().toString()).put("tree_size", plan.treeSize())
        .put("rows_in_window", st.rowsInWindow).put("first_leaf_in_window", st.firstLeafInWindow)
        .put("leaves_note", "rows hold the whole log from leaf 0 up to tree_size; from/to only"
            + " select the window counted here");
  }

  /** A bundle row: every field the chain and the leaf cover, created_at as the receipt timestamp. */
  static JsonObject rowJson(AuditRow r) {
    return new JsonObject().put("id", r.id().toString()).put("seq", r.seq())
        .put("tenant_id", r.tenantId().toString()).put("agent_id", r.agentId()).put("action", r.action())
        .put("tool", r.tool()).put("decision", r.decision()).put("reason", r.reason())
        .put("request_id", r.requestId()).put("event_hash", r.eventHash()).put("prev_hash", r.prevHash())
        .put("hash_version", r.hashVersion()).put("chain_shard", r.chainShard())
        .put("chain_index", r.chainIndex()).put("leaf_index", r.leafIndex())
        .put("leaf_hash", r.leafHash() == null ? null : HEX.formatHex(r.leafHash()))
        .put("created_at", r.timestamp());
  }

  private static JsonObject rowJson(Row r) {
    Buffer leaf = r.getBuffer("leaf_hash");
    return rowJson(new AuditRow(r.getUUID("id"), r.getUUID("tenant_id"), r.getString("agent_id"),
        r.getString("action"), r.getString("tool"), r.getString("decision"), r.getString("reason"),
        new JsonObject(), r.getString("request_id"), r.getString("event_hash"), r.getString("prev_hash"),
        r.getShort("hash_version"), r.getShort("chain_shard"), r.getLong("chain_index"),
        r.getOffsetDateTime("created_at"), r.getLong("seq"), r.getLong("leaf_index"),
        leaf == null ? null : leaf.getBytes(), List.of()));
  }

  private Future<Void> checkpoints(HttpServerResponse res, Plan plan, long after, boolean first) {
    return s.pool().preparedQuery("SELECT tree_size, root_hash, note, key_id, created_at FROM audit.checkpoints"
        + " WHERE tenant_id = $1 AND tree_size > $2 AND tree_size <= $3 ORDER BY tree_size LIMIT " + PAGE)
        .execute(Tuple.of(plan.tenant(), after, plan.treeSize())).compose(rs -> {
          if (rs.size() == 0) {
            return Future.succeededFuture();
          }
          StringBuilder sb = new StringBuilder(rs.size() * 300);
          boolean f = first;
          long last = after;
          for (Row r : rs) {
            if (!f) {
              sb.append(',');
            }
            f = false;
            last = r.getLong("tree_size");
            sb.append(new JsonObject().put("tree_size", last)
                .put("root_hash", HEX.formatHex(r.getBuffer("root_hash").getBytes()))
                .put("note", r.getString("note")).put("key_fingerprint", r.getString("key_id"))
                .put("created_at", r.getOffsetDateTime("created_at").toInstant().toString()).encode());
          }
          long next = last;
          return res.write(sb.toString()).compose(v -> rs.size() < PAGE ? Future.succeededFuture()
              : checkpoints(res, plan, next, false));
        });
  }

  private JsonObject publicKeys() {
    JsonObject o = new JsonObject();
    s.evidenceKeys().publicKeys().forEach((fp, k) -> o.put(fp, Ed25519Keys.publicKeyPem(k)));
    return o;
  }

  /** The tenant's daily roots up to {@code to} from audit.transparency_roots, or [] if absent. */
  private Future<JsonArray> roots(Plan plan) {
    return s.pool().query("SELECT to_regclass('audit.transparency_roots') IS NOT NULL AS present").execute()
        .compose(rs -> {
          if (!rs.iterator().next().getBoolean("present")) {
            return Future.succeededFuture(new JsonArray());
          }
          return s.pool().preparedQuery("SELECT root_date, root_hash, prev_root_hash, leaf_count, tree_size,"
              + " window_end, signing_key_fingerprint, signed_root_payload, signature"
              + " FROM audit.transparency_roots WHERE tenant_id = $1 AND root_date <= $2 ORDER BY root_date")
              .execute(Tuple.of(plan.tenant(), plan.to())).map(rows -> {
                JsonArray out = new JsonArray();
                for (Row r : rows) {
                  out.add(new JsonObject().put("root_date", r.getLocalDate("root_date").toString())
                      .put("root_hash", r.getString("root_hash")).put("prev_root_hash", r.getString("prev_root_hash"))
                      .put("leaf_count", r.getLong("leaf_count")).put("tree_size", r.getLong("tree_size"))
                      .put("window_end", r.getOffsetDateTime("window_end").toInstant().toString())
                      .put("algorithm", "ed25519")
                      .put("signing_key_fingerprint", r.getString("signing_key_fingerprint"))
                      .put("signed_root_payload", r.getString("signed_root_payload"))
                      .put("signature", r.getString("signature")));
                }
                return out;
              });
        });
  }

  private static LocalDate date(RoutingContext rc, String name, LocalDate dflt) {
    String v = rc.request().getParam(name);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      return LocalDate.parse(v);
    } catch (DateTimeParseException e) {
      throw ApiError.badRequest("validation_error", "'" + name + "' must be a date YYYY-MM-DD");
    }
  }
}
