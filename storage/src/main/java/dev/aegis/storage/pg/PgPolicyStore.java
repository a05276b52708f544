package dev.aegis.storage.pg;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Tenant Rego policies in the {@code policy} schema: immutable versions, the per-tenant pointer to
 * the active and shadow versions with its revision counter, and the activation history that makes
 * rollback walk back step by step. Every query is tenant scoped: the tenant is the first parameter
 * and comes from the verified principal. Every change of a tenant's pointer runs in one
 * transaction holding the pointer row's lock, so concurrent activations are serialised and each
 * gets its own revision.
 */
public final class PgPolicyStore {

  /** One policy version ({@code modules} is null when listed without sources). */
  public record Version(UUID id, UUID tenantId, int version, String name, String description,
      JsonObject modules, String sha256, String status, String createdBy, OffsetDateTime createdAt,
      OffsetDateTime activatedAt) {

    /** The version as the API shows it; sources only when loaded and {@code withModules}. */
    public JsonObject toJson(boolean withModules) {
      JsonObject o = new JsonObject().put("id", id.toString()).put("tenant_id", tenantId.toString())
          .put("version", version).put("name", name).put("description", description)
          .put("sha256", sha256).put("status", status).put("created_by", createdBy)
          .put("created_at", createdAt.toString())
          .put("activated_at", activatedAt == null ? null : activatedAt.toString());
      if (withModules && modules != null) {
        o.put("modules", modules.copy());
      }
      return o;
    }
  }

  /** A tenant's pointers; {@code revision} grows with every change. */
  public record Pointer(UUID tenantId, UUID activeVersionId, UUID shadowVersionId, long revision,
      OffsetDateTime activatedAt, OffsetDateTime updatedAt) {

    public JsonObject toJson() {
      return new JsonObject().put("tenant_id", tenantId.toString())
          .put("active_version_id", activeVersionId == null ? null : activeVersionId.toString())
          .put("shadow_version_id", shadowVersionId == null ? null : shadowVersionId.toString())
          .put("revision", Long.toString(revision))
          .put("activated_at", activatedAt == null ? null : activatedAt.toString());
    }
  }

  /**
   * The outcome of a pointer change.
   *
   * @param pointer the pointer after the change
   * @param version the version that became active / shadow (null when the shadow was cleared)
   * @param previousVersionId what was active (or shadow) before
   * @param changed false when the request was a no-op (already in that state; no new revision)
   */
  public record Change(Pointer pointer, Version version, UUID previousVersionId, boolean changed) {}

  /** One gateway decision of the audit log, for simulation. */
  public record Decision(String tenantId, String requestId, String agentId, String agentName, String riskLevel,
      String tool, String decision, String reason, JsonObject metadata, OffsetDateTime createdAt) {}

  /** Thrown (as a failed future) when a change is not possible in the current state. */
  public static final class Conflict extends RuntimeException {
    private final String key;

    public Conflict(String key, String message) {
      super(message, null, false, false);
      this.key = key;
    }

    /** Stable error key, e.g. {@code nothing_to_roll_back}. */
    public String key() {
      return key;
    }
  }

  private final Pool pool;

  public PgPolicyStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores a new version numbered after the tenant's highest one (status {@code draft}).
   *
   * @param modules file name to Rego source
   * @param sha256 hex digest of the canonical modules
   */
  public Future<Version> insertVersion(UUID tenantId, String name, String description,
      JsonObject modules, String sha256, String createdBy) {
    UUID id = UUID.randomUUID();
    return pool.withTransaction(conn -> lock(conn, tenantId).compose(p -> conn
        .preparedQuery(PolicyQueries.INSERT_VERSION)
        .execute(Tuple.tuple().addUUID(tenantId).addUUID(id).addString(name).addString(description)
            .addValue(modules).addString(sha256).addString(createdBy))
        .map(rs -> version(rs.iterator().next(), true))));
  }

  /** The version with its modules, or null (also when it belongs to another tenant). */
  public Future<Version> version(UUID tenantId, UUID id) {
    return pool.preparedQuery(PolicyQueries.VERSION).execute(Tuple.of(tenantId, id))
        .map(rs -> firstVersion(rs, true));
  }

  /** The tenant's versions, newest first, without modules. */
  public Future<List<Version>> versions(UUID tenantId, int limit, int offset) {
    return pool.preparedQuery(PolicyQueries.VERSIONS).execute(Tuple.of(tenantId, limit, offset))
        .map(rs -> {
          List<Version> out = new ArrayList<>(rs.size());
          rs.forEach(r -> out.add(version(r, false)));
          return out;
        });
  }

  public Future<Long> countVersions(UUID tenantId) {
    return pool.preparedQuery(PolicyQueries.COUNT_VERSIONS).execute(Tuple.of(tenantId))
        .map(rs -> rs.iterator().next().getLong(0));
  }

  /** The tenant's pointer, or null when it never uploaded a policy. */
  public Future<Pointer> pointer(UUID tenantId) {
    return pool.preparedQuery(PolicyQueries.POINTER).execute(Tuple.of(tenantId))
        .map(rs -> rs.size() == 0 ? null : pointer(rs.iterator().next()));
  }

  /** Every tenant's pointer (startup load and periodic refresh). */
  public Future<List<Pointer>> pointers() {
    return pool.query(PolicyQueries.POINTERS).execute().map(rs -> {
      List<Pointer> out = new ArrayList<>(rs.size());
      rs.forEach(r -> out.add(pointer(r)));
      return out;
    });
  }

  /**
   * Makes {@code versionId} the active version (the previous one becomes {@code archived}).
   * Null when there is no such version in the tenant; a no-op ({@code changed} false) when it
   * already is active.
   */
  public Future<Change> activate(UUID tenantId, UUID versionId, String actor) {
    return pool.withTransaction(conn -> lock(conn, tenantId).compose(p -> fetch(conn, tenantId, versionId)
        .compose(v -> {
          if (v == null) {
            return Future.<Change>failedFuture(NOT_FOUND);
          }
          if (versionId.equals(p.activeVersionId())) {
            return Future.succeededFuture(new Change(p, v, p.activeVersionId(), false));
          }
          return switchActive(conn, tenantId, versionId, "activate", p.activeVersionId(), actor)
              .map(c -> new Change(c.pointer(), c.version(), p.activeVersionId(), true));
        }))).recover(PgPolicyStore::nullIfNotFound);
  }

  /**
   * Re-activates the version that was active before the current one (walking back one step per
   * call). Fails with {@link Conflict} {@code nothing_to_roll_back} when there is none.
   */
  public Future<Change> rollback(UUID tenantId, String actor) {
    return pool.withTransaction(conn -> lock(conn, tenantId).compose(p -> {
      if (p.activeVersionId() == null) {
        return Future.failedFuture(new Conflict("nothing_to_roll_back", "No policy version is active"));
      }
      return rollbackTarget(conn, tenantId, p.activeVersionId()).compose(target -> {
        if (target == null) {
          return Future.failedFuture(new Conflict("nothing_to_roll_back",
              "No version was active before the current one"));
        }
        // the rollback row remembers where a further rollback goes: before the target's activation
        return rollbackTarget(conn, tenantId, target)
            .compose(before -> switchActive(conn, tenantId, target, "rollback", before, actor))
            .map(c -> new Change(c.pointer(), c.version(), p.activeVersionId(), true));
      });
    }));
  }

  /**
   * Sets ({@code versionId} non-null) or clears the shadow version. Null when there is no such
   * version in the tenant; a no-op ({@code changed} false) when nothing would change.
   */
  public Future<Change> setShadow(UUID tenantId, UUID versionId, String actor) {
    return pool.withTransaction(conn -> lock(conn, tenantId).compose(p -> {
      Future<Version> v = versionId == null ? Future.succeededFuture(null) : fetch(conn, tenantId, versionId);
      return v.compose(version -> {
        if (versionId != null && version == null) {
          return Future.<Change>failedFuture(NOT_FOUND);
        }
        if (java.util.Objects.equals(versionId, p.shadowVersionId())) {
          return Future.succeededFuture(new Change(p, version, p.shadowVersionId(), false));
        }
        return conn.preparedQuery(PolicyQueries.SET_SHADOW).execute(Tuple.of(tenantId, versionId, actor))
            .compose(rs -> {
              Pointer np = pointer(rs.iterator().next());
              return history(conn, np, versionId == null ? "shadow_clear" : "shadow_set", versionId,
                  p.shadowVersionId(), actor).map(x -> new Change(np, version, p.shadowVersionId(), true));
            });
      });
    })).recover(PgPolicyStore::nullIfNotFound);
  }

  /** The tenant's most recent {@code tool_execution} audit rows, newest first. */
  public Future<List<Decision>> recentDecisions(UUID tenantId, int limit) {
    return pool.preparedQuery(PolicyQueries.RECENT_DECISIONS).execute(Tuple.of(tenantId, limit))
        .map(rs -> {
          List<Decision> out = new ArrayList<>(rs.size());
          for (Row r : rs) {
            Object meta = r.getValue("metadata_json");
            out.add(new Decision(tenantId.toString(), r.getString("request_id"), r.getString("agent_id"),
                r.getString("agent_name"), r.getString("risk_level"), r.getString("tool"),
                r.getString("decision"), r.getString("reason"),
                meta instanceof JsonObject j ? j : new JsonObject(), r.getOffsetDateTime("created_at")));
          }
          return out;
        });
  }

  // ---------------------------------------------------------------- internals

  /** Rolls back a transaction whose version does not exist (so a 404 leaves no pointer row behind). */
  private static final RuntimeException NOT_FOUND = new RuntimeException("policy version not found", null, false, false) {};

  private static Future<Change> nullIfNotFound(Throwable e) {
    return e == NOT_FOUND ? Future.succeededFuture(null) : Future.failedFuture(e);
  }

  /** Creates the tenant's pointer row if needed and locks it for the transaction. */
  private static Future<Pointer> lock(SqlConnection conn, UUID tenantId) {
    return conn.preparedQuery(PolicyQueries.ENSURE_POINTER).execute(Tuple.of(tenantId))
        .compose(x -> conn.preparedQuery(PolicyQueries.LOCK_POINTER).execute(Tuple.of(tenantId)))
        .map(rs -> pointer(rs.iterator().next()));
  }

  private static Future<Version> fetch(SqlConnection conn, UUID tenantId, UUID id) {
    return conn.preparedQuery(PolicyQueries.VERSION).execute(Tuple.of(tenantId, id))
        .map(rs -> firstVersion(rs, true));
  }

  private static Future<UUID> rollbackTarget(SqlConnection conn, UUID tenantId, UUID versionId) {
    return conn.preparedQuery(PolicyQueries.ROLLBACK_TARGET).execute(Tuple.of(tenantId, versionId))
        .map(rs -> rs.size() == 0 ? null : rs.iterator().next().getUUID(0));
  }

  /** Archives the active version, activates {@code versionId}, bumps the revision, records it. */
  private static Future<Change> switchActive(SqlConnection conn, UUID tenantId, UUID versionId,
      String kind, UUID previous, String actor) {
    return conn.preparedQuery(PolicyQueries.ARCHIVE_ACTIVE).execute(Tuple.of(tenantId))
        .compose(x -> conn.preparedQuery(PolicyQueries.MARK_ACTIVE).execute(Tuple.of(tenantId, versionId)))
        .compose(vrs -> {
          Version v = firstVersion(vrs, false);
          return conn.preparedQuery(PolicyQueries.SET_ACTIVE).execute(Tuple.of(tenantId, versionId, actor))
              .compose(prs -> {
                Pointer np = pointer(prs.iterator().next());
                return history(conn, np, kind, versionId, previous, actor)
                    .map(h -> new Change(np, v, previous, true));
              });
        });
  }

  private static Future<Void> history(SqlConnection conn, Pointer p, String kind, UUID versionId,
      UUID previous, String actor) {
    return conn.preparedQuery(PolicyQueries.INSERT_ACTIVATION)
        .execute(Tuple.of(p.tenantId(), p.revision(), kind, versionId, previous, actor)).mapEmpty();
  }

  private static Version firstVersion(RowSet<Row> rs, boolean withModules) {
    return rs.size() == 0 ? null : version(rs.iterator().next(), withModules);
  }

  private static Version version(Row r, boolean withModules) {
    JsonObject modules = null;
    if (withModules) {
      Object m = r.getValue("modules");
      modules = m instanceof JsonObject j ? j : new JsonObject(String.valueOf(m));
    }
    return new Version(r.getUUID("id"), r.getUUID("tenant_id"), r.getInteger("version"),
        r.getString("name"), r.getString("description"), modules, r.getString("sha256"),
        r.getString("status"), r.getString("created_by"), r.getOffsetDateTime("created_at"),
        r.getOffsetDateTime("activated_at"));
  }

  private static Pointer pointer(Row r) {
    return new Pointer(r.getUUID("tenant_id"), r.getUUID("active_version_id"),
        r.getUUID("shadow_version_id"), r.getLong("revision"), r.getOffsetDateTime("activated_at"),
        r.getOffsetDateTime("updated_at"));
  }
}
