package dev.aegis.verticles.http;

import dev.aegis.pipeline.audit.ChainVerifier;
import dev.aegis.pipeline.ports.Principal;
import dev.aegis.storage.pg.AuditFilter;
import dev.aegis.storage.pg.AuditRow;
import dev.aegis.storage.pg.PgAuditQueryStore;
import dev.aegis.verticles.gateway.GatewayServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

/**
 * The audit API, every route scoped to the verified principal's tenant (ADMIN, SECURITY, AUDITOR):
 *
 * <ul>
 *   <li>{@code GET /audit/logs} (filtered by agent_id, action, decision, tool, request_id,
 *       start_date, end_date; limit <= 1000, offset);
 *   <li>{@code POST /audit/logs/search}: the same filters in a JSON body plus
 *       {@code metadata_filter} (a JSON object matched by JSONB containment, {@code @>}),
 *       limit <= 100, offset; unknown fields and wrong types are 400 {@code validation_error};
 *   <li>{@code GET /audit/logs/summary}: counts by decision, action and tool (top 20), total,
 *       first and last timestamps, over an optional [start_date, end_date) window;
 *   <li>{@code GET /audit/logs/verify} ({@code {valid, violations, rows_checked}}: every row's hash
 *       recomputed and every link checked, page by page, the hashing on a worker thread);
 *   <li>{@code GET /audit/logs/{id}/receipt}: exactly {@code GET /receipts/{id}} (re-routed);
 *   <li>{@code GET /audit/logs/{id}/explain}: the row and a human-readable explanation;
 *   <li>{@code GET/POST /audit/logs/{id}/notes}: the row's append-only notes; writing one is
 *       audited ({@code audit_note_added}).
 * </ul>
 *
 * Ids that are not UUIDs, and rows of other tenants, are 404 {@code not_found}.
 */
public final class AuditRoutes {

  private static final int VERIFY_PAGE = 5_000;

  private final Vertx vertx;
  private final GatewayServices s;
  private final ManagementAuth auth;
  private final PgAuditQueryStore queries;
  private final ManagementAudit audit;

  public AuditRoutes(Vertx vertx, GatewayServices s, ManagementAuth auth) {
    this.vertx = vertx;
    this.s = s;
    this.auth = auth;
    this.queries = new PgAuditQueryStore(s.pool());
    this.audit = new ManagementAudit(s.auditSink());
  }

  public void mount(Router router) {
    var readers = auth.require(ManagementAuth.AUDIT_READERS);
    router.get("/audit/logs/verify").handler(readers).handler(this::verify);
    router.get("/audit/logs/summary").handler(readers).handler(this::summary);
    router.post("/audit/logs/search").handler(readers).handler(this::search);
    router.get("/audit/logs/:id/receipt").handler(readers).handler(this::receipt);
    router.get("/audit/logs/:id/explain").handler(readers).handler(this::explain);
    router.get("/audit/logs/:id/notes").handler(readers).handler(this::listNotes);
    router.post("/audit/logs/:id/notes").handler(readers).handler(this::addNote);
    router.get("/audit/logs").handler(readers).handler(this::list);
  }

  private void list(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      int limit = Bodies.intParam(rc, "limit", 100, 1, 1000);
      int offset = Bodies.intParam(rc, "offset", 0, 0, 10_000_000);
      AuditFilter filter = new AuditFilter(param(rc, "agent_id"), param(rc, "action"),
          param(rc, "decision"), param(rc, "tool"), date(rc, "start_date"), date(rc, "end_date"),
          param(rc, "request_id"), limit, offset);
      f = s.audit().list(UUID.fromString(p.tenantId()), filter).map(rows -> {
        JsonArray items = new JsonArray();
        rows.forEach(r -> items.add(r.toJson()));
        return new JsonObject().put("items", items).put("limit", limit).put("offset", offset);
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private static String param(RoutingContext rc, String name) {
    String v = rc.request().getParam(name);
    if (v != null && v.length() > 256) {
      throw ApiError.badRequest("validation_error", "'" + name + "' is too long");
    }
    return v == null || v.isEmpty() ? null : v;
  }

  private static OffsetDateTime date(RoutingContext rc, String name) {
    return date(param(rc, name), name);
  }

  private static OffsetDateTime date(String v, String name) {
    if (v == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(v);
    } catch (DateTimeParseException e) {
      try {
        return java.time.LocalDate.parse(v).atStartOfDay().atOffset(java.time.ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        throw ApiError.badRequest("validation_error", "'" + name + "' must be an ISO-8601 date or timestamp");
      }
    }
  }

  /**
   * Recomputes every row hash and chain link (per shard), then every Merkle leaf from its row's
   * receipt, and checks that the leaves reproduce the newest signed checkpoint's root and that
   * the checkpoint's signature verifies with the published keys. Hashing runs on a worker.
   */
  private void verify(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    UUID tenant = UUID.fromString(p.tenantId());
    ChainVerifier verifier = new ChainVerifier(100);
    LeafCheck leaves = new LeafCheck();
    Envelope.reply(rc, 200, page(tenant, verifier, -1, -1)
        .compose(v -> s.evidence().latestCheckpoint(tenant))
        .compose(cp -> leafPage(tenant, leaves, 0, cp == null ? 0 : cp.treeSize())
            .map(v -> leaves.finish(verifier.result(), cp, tenant, s.evidenceKeys()))));
  }

  /** State of the leaf pass (confined to one request; pages run one after another). */
  private static final class LeafCheck {
    final dev.aegis.pipeline.merkle.LogAppender log = new dev.aegis.pipeline.merkle.LogAppender();
    final io.vertx.core.json.JsonArray violations = new io.vertx.core.json.JsonArray();
    long checked;

    void accept(AuditRow r) {
      byte[] leaf = dev.aegis.pipeline.merkle.MerkleHash.leafHash(dev.aegis.pipeline.evidence.Receipts.leafInput(
          new dev.aegis.pipeline.evidence.ReceiptFields(r.id().toString(), r.tenantId().toString(), r.agentId(),
              r.tool(), r.action(), r.decision(), r.reason(), r.requestId(), r.timestamp(), r.eventHash(),
              r.prevHash(), r.chainShard()), r.leafIndex()));
      if (r.leafIndex() != log.size()) {
        violation(r, "leaf_gap", "expected leaf " + log.size() + " but found " + r.leafIndex());
      }
      if (r.leafHash() == null || !java.util.Arrays.equals(leaf, r.leafHash())) {
        violation(r, "leaf_mismatch", "the row's receipt does not hash to its stored leaf");
      }
      log.append(leaf);
      checked++;
    }

    private void violation(AuditRow r, String type, String detail) {
      if (violations.size() < 100) {
        violations.add(new JsonObject().put("type", type).put("id", r.id().toString()).put("seq", r.seq())
            .put("leaf_index", r.leafIndex()).put("detail", detail));
      }
    }

    JsonObject finish(JsonObject chain, dev.aegis.storage.pg.PgEvidenceStore.StoredCheckpoint cp, UUID tenant,
        dev.aegis.verticles.evidence.EvidenceKeys keys) {
      JsonObject checkpoint = null;
      if (cp != null) {
        boolean rootOk = log.size() == cp.treeSize()
            && java.util.Arrays.equals(log.root(), cp.rootHash());
        boolean sigOk;
        try {
          dev.aegis.pipeline.evidence.Checkpoint c = dev.aegis.pipeline.evidence.Checkpoint.verify(cp.note(),
              dev.aegis.verticles.evidence.EvidenceKeys.origin(tenant.toString()), keys.noteVerifiers());
          sigOk = c.size() == cp.treeSize() && java.util.Arrays.equals(c.rootHash(), cp.rootHash());
        } catch (RuntimeException e) {
          sigOk = false;
        }
        checkpoint = new JsonObject().put("tree_size", cp.treeSize()).put("root_matches_leaves", rootOk)
            .put("signature_valid", sigOk);
        if (!rootOk || !sigOk) {
          violations.add(new JsonObject().put("type", "checkpoint_mismatch").put("tree_size", cp.treeSize())
              .put("detail", !sigOk ? "the checkpoint's signature does not verify"
                  : "the leaves do not reproduce the checkpoint's root"));
        }
      }
      io.vertx.core.json.JsonArray all = chain.getJsonArray("violations").copy();
      violations.forEach(all::add);
      long count = chain.getLong("violation_count") + violations.size();
      return chain.copy().put("valid", count == 0).put("violations", all).put("violation_count", count)
          .put("leaves_checked", checked).put("checkpoint", checkpoint);
    }
  }

  private Future<Void> leafPage(UUID tenant, LeafCheck check, long from, long to) {
    if (from >= to) {
      return Future.succeededFuture();
    }
    long end = Math.min(to, from + VERIFY_PAGE);
    return s.audit().byLeafRange(tenant, from, end).compose(rows -> vertx.executeBlocking(() -> {
      rows.forEach(check::accept);
      return null;
    }, true)).compose(v -> leafPage(tenant, check, end, to));
  }

  private Future<Void> page(UUID tenant, ChainVerifier verifier, int shard, long index) {
    return s.audit().chainPage(tenant, shard, index, VERIFY_PAGE).compose(rows -> {
      if (rows.isEmpty()) {
        return Future.succeededFuture();
      }
      return vertx.executeBlocking(() -> {
        check(verifier, rows);
        return null;
      }, true).compose(v -> {
        AuditRow last = rows.get(rows.size() - 1);
        return rows.size() < VERIFY_PAGE ? Future.succeededFuture()
            : page(tenant, verifier, last.chainShard(), last.chainIndex());
      });
    });
  }

  private static void check(ChainVerifier verifier, List<AuditRow> rows) {
    for (AuditRow r : rows) {
      verifier.accept(new ChainVerifier.Row(r.id().toString(), r.seq(), r.tenantId().toString(),
          r.agentId(), r.action(), r.tool(), r.decision(), r.requestId(), r.eventHash(),
          r.prevHash(), r.chainShard(), r.chainIndex()));
    }
  }

  // ---------------------------------------------------------------- search

  static final int SEARCH_MAX_LIMIT = 100;
  static final int METADATA_FILTER_MAX_CHARS = 4096;
  private static final java.util.Set<String> SEARCH_FIELDS = java.util.Set.of("agent_id", "action",
      "decision", "tool", "request_id", "start_date", "end_date", "metadata_filter", "limit", "offset");

  private void search(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      JsonObject b = Bodies.json(rc);
      for (String k : b.fieldNames()) {
        if (!SEARCH_FIELDS.contains(k)) {
          throw ApiError.badRequest("validation_error", "unknown field '" + k + "'; allowed: "
              + new java.util.TreeSet<>(SEARCH_FIELDS));
        }
      }
      int limit = intField(b, "limit", 100, 1, SEARCH_MAX_LIMIT);
      int offset = intField(b, "offset", 0, 0, 10_000_000);
      Object mf = b.getValue("metadata_filter");
      if (mf != null && !(mf instanceof JsonObject)) {
        throw ApiError.badRequest("validation_error", "'metadata_filter' must be a JSON object");
      }
      JsonObject metadataFilter = (JsonObject) mf;
      if (metadataFilter != null && metadataFilter.encode().length() > METADATA_FILTER_MAX_CHARS) {
        throw ApiError.badRequest("validation_error", "'metadata_filter' is longer than "
            + METADATA_FILTER_MAX_CHARS + " characters");
      }
      AuditFilter filter = new AuditFilter(str(b, "agent_id"), str(b, "action"), str(b, "decision"),
          str(b, "tool"), date(str(b, "start_date"), "start_date"), date(str(b, "end_date"), "end_date"),
          str(b, "request_id"), limit, offset);
      f = queries.search(UUID.fromString(p.tenantId()), filter, metadataFilter).map(rows -> {
        JsonArray items = new JsonArray();
        rows.forEach(r -> items.add(r.toJson()));
        return new JsonObject().put("items", items).put("count", items.size()).put("limit", limit)
            .put("offset", offset).put("metadata_filter", metadataFilter);
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private static String str(JsonObject b, String field) {
    String v = Bodies.optionalString(b, field, 256);
    return v == null || v.isEmpty() ? null : v;
  }

  private static int intField(JsonObject b, String field, int dflt, int min, int max) {
    Object v = b.getValue(field);
    if (v == null) {
      return dflt;
    }
    if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= min
        && ((Number) v).longValue() <= max) {
      return ((Number) v).intValue();
    }
    throw ApiError.badRequest("validation_error", "'" + field + "' must be an integer in [" + min + ", " + max + "]");
  }

  // ---------------------------------------------------------------- summary

  private void summary(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      OffsetDateTime start = date(rc, "start_date");
      OffsetDateTime end = date(rc, "end_date");
      if (start != null && end != null && !start.isBefore(end)) {
        throw ApiError.badRequest("validation_error", "'start_date' must be before 'end_date'");
      }
      f = queries.summary(UUID.fromString(p.tenantId()), start, end);
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  // ---------------------------------------------------------------- receipt

  /**
   * The signed receipt with its inclusion proof: the request is re-routed to
   * {@code GET /receipts/{id}} (TransparencyRoutes), which checks the role and tenant again, so
   * both routes answer identically.
   */
  private void receipt(RoutingContext rc) {
    UUID id;
    try {
      id = Bodies.uuid(rc.pathParam("id"), "receipt", true);
    } catch (ApiError e) {
      Envelope.fail(rc, e);
      return;
    }
    rc.reroute(io.vertx.core.http.HttpMethod.GET, "/receipts/" + id);
  }

  // ---------------------------------------------------------------- explain

  private static final String[] STAGES = {"kill switch", "authentication", "rate limit", "inference proxy",
      "policy", "behaviour", "decision", "enforcement", "execution", "output filter", "audit"};

  private void explain(RoutingContext rc) {
    Future<JsonObject> f;
    try {
      UUID tenant = UUID.fromString(ManagementAuth.principal(rc).tenantId());
      UUID id = Bodies.uuid(rc.pathParam("id"), "audit log", true);
      f = s.audit().find(tenant, id).compose(row -> row == null
          ? Future.failedFuture(ApiError.notFound("audit log"))
          : queries.treeSize(tenant).map(size -> new JsonObject().put("row", row.toJson())
              .put("explanation", explanation(row, size))));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  static JsonObject explanation(AuditRow row, long treeSize) {
    JsonObject m = row.metadata() == null ? new JsonObject() : row.metadata();
    Integer stage = m.getValue("stage") instanceof Number n ? n.intValue() : null;
    String stageName = stage != null && stage >= 0 && stage < STAGES.length ? STAGES[stage] : null;
    String ruleId = m.getValue("rule_id") instanceof String r ? r : null;
    JsonArray findings = m.getValue("findings") instanceof JsonArray a ? a : new JsonArray();
    Object risk = m.getValue("risk_score") instanceof Number n ? n : null;
    Integer status = m.getValue("status") instanceof Number n ? n.intValue() : null;
    List<String> lines = new java.util.ArrayList<>();
    String subject = row.tool() == null ? "Action '" + row.action() + "'" : "Call of tool '" + row.tool() + "'";
    String who = row.agentId() == null ? "" : " by " + row.agentId();
    lines.add(subject + who + " was decided '" + row.decision() + "'"
        + (status == null ? "" : " (HTTP " + status + ")") + ".");
    if (stage != null) {
      lines.add("The request ended at stage " + stage + (stageName == null ? "" : " (" + stageName + ")") + ".");
    }
    if (ruleId != null) {
      lines.add("Policy rule '" + ruleId + "' matched.");
    }
    if (!findings.isEmpty()) {
      lines.add("Findings: " + String.join(", ", findings.stream().map(String::valueOf).toList()) + ".");
    }
    if (risk != null) {
      lines.add("Risk score: " + risk + ".");
    }
    if (row.reason() != null && !row.reason().isBlank()) {
      lines.add("Reason: " + row.reason() + ".");
    }
    if (m.getValue("actor") instanceof String actor && row.tool() == null) {
      lines.add("Performed by " + actor + (m.getValue("role") instanceof String role ? " (" + role + ")" : "")
          + (m.getValue("method") instanceof String meth && m.getValue("path") instanceof String path
              ? " via " + meth + " " + path : "") + ".");
    }
    boolean genesis = row.chainIndex() == 0;
    lines.add("Chain position: entry " + row.chainIndex() + " of shard " + row.chainShard()
        + (genesis ? " (the first of its chain)" : ", linked to the previous entry " + row.prevHash())
        + (row.leafIndex() == null ? "; it predates the Merkle log."
            : "; leaf " + row.leafIndex() + " of the tenant's Merkle log of size " + treeSize + "."));
    JsonObject chain = new JsonObject().put("chain_shard", row.chainShard()).put("chain_index", row.chainIndex())
        .put("prev_hash", row.prevHash()).put("event_hash", row.eventHash()).put("genesis", genesis)
        .put("leaf_index", row.leafIndex()).put("tree_size", treeSize);
    return new JsonObject().put("decision", row.decision()).put("http_status", status).put("stage", stage)
        .put("stage_name", stageName).put("rule_id", ruleId).put("findings", findings).put("risk_score", risk)
        .put("reason", row.reason()).put("chain", chain).put("summary", String.join(" ", lines))
        .put("lines", new JsonArray(lines));
  }

  // ---------------------------------------------------------------- notes

  static final int NOTE_MAX_CHARS = 4000;
  static final java.util.Set<String> NOTE_TYPES = java.util.Set.of("analysis", "false_positive",
      "confirmed_threat", "escalated");

  private void listNotes(RoutingContext rc) {
    Future<JsonObject> f;
    try {
      UUID tenant = UUID.fromString(ManagementAuth.principal(rc).tenantId());
      UUID id = Bodies.uuid(rc.pathParam("id"), "audit log", true);
      f = queries.exists(tenant, id).compose(found -> !found
          ? Future.failedFuture(ApiError.notFound("audit log"))
          : queries.notes(tenant, id).map(items -> new JsonObject().put("audit_id", id.toString())
              .put("items", items).put("count", items.size())));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private void addNote(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      UUID tenant = UUID.fromString(p.tenantId());
      UUID id = Bodies.uuid(rc.pathParam("id"), "audit log", true);
      JsonObject b = Bodies.json(rc);
      String type = Bodies.requiredString(b, "note_type", 32);
      if (!NOTE_TYPES.contains(type)) {
        throw ApiError.badRequest("validation_error", "'note_type' must be one of " + new java.util.TreeSet<>(NOTE_TYPES));
      }
      String body = Bodies.requiredString(b, "body", NOTE_MAX_CHARS);
      f = queries.exists(tenant, id).compose(found -> !found
          ? Future.failedFuture(ApiError.notFound("audit log"))
          : queries.addNote(tenant, id, type, body, p.subject()))
          .compose(note -> audit.record(rc, p, p.tenantId(), "audit_note_added", "allow", type,
              new JsonObject().put("audit_id", id.toString()).put("note_id", note.getString("id"))
                  .put("note_type", type)).map(note));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 201, f);
  }
}
