package dev.aegis.verticles.http;

import dev.aegis.pipeline.audit.ChainVerifier;
import dev.aegis.pipeline.ports.Principal;
import dev.aegis.storage.pg.AuditFilter;
import dev.aegis.storage.pg.AuditRow;
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
 * {@code GET /audit/logs} (tenant scoped, filtered by agent_id, action, decision, tool,
 * request_id, start_date, end_date; limit <= 1000, offset) and {@code GET /audit/logs/verify}
 * ({@code {valid, violations, rows_checked}}: every row's hash recomputed and every link checked,
 * page by page, the hashing on a worker thread).
 */
public final class AuditRoutes {

  private static final int VERIFY_PAGE = 5_000;

  private final Vertx vertx;
  private final GatewayServices s;
  private final ManagementAuth auth;

  public AuditRoutes(Vertx vertx, GatewayServices s, ManagementAuth auth) {
    this.vertx = vertx;
    this.s = s;
    this.auth = auth;
  }

  public void mount(Router router) {
    router.get("/audit/logs/verify").handler(auth.require(ManagementAuth.AUDIT_READERS)).handler(this::verify);
    router.get("/audit/logs").handler(auth.require(ManagementAuth.AUDIT_READERS)).handler(this::list);
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
    String v = param(rc, name);
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

  private void verify(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    UUID tenant = UUID.fromString(p.tenantId());
    ChainVerifier verifier = new ChainVerifier(100);
    Envelope.reply(rc, 200, page(tenant, verifier, -1, -1).map(v -> verifier.result()));
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
}
