package dev.aegis.storage.pg;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Agents and tool grants in the {@code registry} schema. Every query is tenant scoped: the tenant
 * is always the first parameter and comes from the verified principal, never from a body.
 */
public final class PgRegistryStore {

  /** An agent row. */
  public record Agent(UUID id, UUID tenantId, String name, String description, String ownerId,
      String status, String riskLevel, JsonObject metadata, OffsetDateTime quarantinedAt,
      String quarantineReason, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    public boolean quarantined() {
      return "QUARANTINED".equals(status);
    }

    public JsonObject toJson() {
      return new JsonObject().put("id", id.toString()).put("tenant_id", tenantId.toString())
          .put("name", name).put("description", description).put("owner_id", ownerId)
          .put("status", status).put("risk_level", riskLevel).put("metadata", metadata)
          .put("quarantined_at", quarantinedAt == null ? null : quarantinedAt.toString())
          .put("quarantine_reason", quarantineReason)
          .put("created_at", createdAt.toString()).put("updated_at", updatedAt.toString());
    }
  }

  /** A tool grant row. */
  public record Grant(UUID id, UUID agentId, String toolName, String action, String grantedBy,
      OffsetDateTime expiresAt, OffsetDateTime createdAt) {

    /** Whether the grant has expired at {@code now} (a grant without expiry never does). */
    public boolean expiredAt(OffsetDateTime now) {
      return expiresAt != null && !expiresAt.isAfter(now);
    }

    public JsonObject toJson() {
      return toJson(OffsetDateTime.now());
    }

    public JsonObject toJson(OffsetDateTime now) {
      return new JsonObject().put("id", id.toString()).put("agent_id", agentId.toString())
          .put("tool_name", toolName).put("action", action).put("granted_by", grantedBy)
          .put("expires_at", expiresAt == null ? null : expiresAt.toString())
          .put("expired", expiredAt(now))
          .put("created_at", createdAt.toString());
    }
  }

  /** Filters of the agent list; null fields do not filter. */
  public record AgentFilter(String status, String riskLevel, String namePrefix) {
    public static final AgentFilter NONE = new AgentFilter(null, null, null);
  }

  /**
   * The fields a PATCH may change. A null map entry value clears a nullable column; absent keys
   * are left alone. Keys are column names from {@link #UPDATABLE} only.
   */
  public static final List<String> UPDATABLE = List.of("name", "description", "risk_level",
      "metadata", "owner_id");

  /** Counts of the tenant's registry for {@code GET /agents/summary}. */
  public record Summary(long total, long deleted, Map<String, Long> byStatus,
      Map<String, Long> byRiskLevel, long grants, long expiredGrants) {

    public JsonObject toJson() {
      JsonObject status = new JsonObject();
      byStatus.forEach(status::put);
      JsonObject risk = new JsonObject();
      byRiskLevel.forEach(risk::put);
      return new JsonObject().put("total", total).put("deleted", deleted).put("by_status", status)
          .put("by_risk_level", risk).put("grants", grants).put("expired_grants", expiredGrants);
    }
  }

  /** One tool of the tenant's inventory ({@code GET /registry/tools}). */
  public record ToolUsage(String toolName, long allow, long deny, long expired, long agents) {
    public JsonObject toJson() {
      return new JsonObject().put("tool_name", toolName).put("allow", allow).put("deny", deny)
          .put("expired", expired).put("agents", agents);
    }
  }

  /** What the audit log says an agent did ({@code GET /agents/{id}/profile}). */
  public record Activity(int windowDays, Map<String, Long> decisions, OffsetDateTime lastSeen,
      List<Map.Entry<String, Long>> topTools) {

    public JsonObject toJson() {
      JsonObject d = new JsonObject();
      long total = 0;
      for (Map.Entry<String, Long> e : decisions.entrySet()) {
        d.put(e.getKey(), e.getValue());
        total += e.getValue();
      }
      JsonArray tools = new JsonArray();
      topTools.forEach(e -> tools.add(new JsonObject().put("tool", e.getKey()).put("count", e.getValue())));
      return new JsonObject().put("window_days", windowDays).put("total", total).put("decisions", d)
          .put("last_seen", lastSeen == null ? null : lastSeen.toString()).put("top_tools", tools);
    }
  }

  /** The result of a soft delete. */
  public record Deleted(OffsetDateTime deletedAt, int grantsRevoked) {}

  /** Thrown (as a failed future) when a unique constraint refuses the write. */
  public static final class Conflict extends RuntimeException {
    public Conflict(String message) {
      super(message, null, false, false);
    }
  }

  private final Pool pool;

  public PgRegistryStore(Pool pool) {
    this.pool = pool;
  }

  public Future<Agent> insertAgent(UUID tenantId, String name, String description, String ownerId,
      String riskLevel, JsonObject metadata) {
    UUID id = UUID.randomUUID();
    return pool.preparedQuery(RegistryQueries.INSERT_AGENT)
        .execute(Tuple.tuple().addUUID(id).addUUID(tenantId).addString(name).addString(description)
            .addString(ownerId).addString(riskLevel).addValue(metadata))
        .recover(e -> Future.failedFuture(conflictOr(e, "an agent named '" + name + "' already exists")))
        .compose(v -> agent(tenantId, id));
  }

  /** The live (not deleted) agent, or null. */
  public Future<Agent> agent(UUID tenantId, UUID id) {
    return pool.preparedQuery(RegistryQueries.AGENT).execute(Tuple.of(tenantId, id))
        .map(PgRegistryStore::firstAgent);
  }

  public Future<List<Agent>> agents(UUID tenantId, int limit, int offset) {
    return agents(tenantId, AgentFilter.NONE, limit, offset);
  }

  public Future<List<Agent>> agents(UUID tenantId, AgentFilter filter, int limit, int offset) {
    Tuple t = Tuple.tuple().addUUID(tenantId);
    StringBuilder sql = new StringBuilder("SELECT ").append(RegistryQueries.AGENT_COLUMNS)
        .append(where(filter, t));
    t.addInteger(limit).addInteger(offset);
    sql.append(String.format(RegistryQueries.LIST_ORDER, t.size() - 1, t.size()));
    return pool.preparedQuery(sql.toString()).execute(t).map(rs -> {
      List<Agent> out = new ArrayList<>(rs.size());
      rs.forEach(r -> out.add(agent(r)));
      return out;
    });
  }

  public Future<Long> countAgents(UUID tenantId) {
    return pool.preparedQuery(RegistryQueries.COUNT_AGENTS).execute(Tuple.of(tenantId))
        .map(rs -> rs.iterator().next().getLong(0));
  }

  public Future<Long> countAgents(UUID tenantId, AgentFilter filter) {
    Tuple t = Tuple.tuple().addUUID(tenantId);
    String sql = "SELECT count(*)" + where(filter, t);
    return pool.preparedQuery(sql).execute(t).map(rs -> rs.iterator().next().getLong(0));
  }

  private static String where(AgentFilter f, Tuple t) {
    StringBuilder sql = new StringBuilder(RegistryQueries.LIVE_AGENTS);
    if (f.status() != null) {
      t.addString(f.status());
      sql.append(RegistryQueries.FILTER_STATUS).append(t.size());
    }
    if (f.riskLevel() != null) {
      t.addString(f.riskLevel());
      sql.append(RegistryQueries.FILTER_RISK).append(t.size());
    }
    if (f.namePrefix() != null && !f.namePrefix().isEmpty()) {
      t.addString(f.namePrefix());
      sql.append(String.format(RegistryQueries.FILTER_PREFIX, t.size()));
    }
    return sql.toString();
  }

  /**
   * Changes the given columns (keys of {@link #UPDATABLE}; values already validated) of a live
   * agent and bumps {@code updated_at}. Null when there is no such agent; fails with
   * {@link Conflict} when the new name is taken.
   */
  public Future<Agent> updateAgent(UUID tenantId, UUID id, Map<String, Object> changes) {
    if (changes.isEmpty()) {
      return agent(tenantId, id);
    }
    Tuple t = Tuple.tuple().addUUID(tenantId).addUUID(id);
    List<String> set = new ArrayList<>();
    for (String column : UPDATABLE) {
      if (!changes.containsKey(column)) {
        continue;
      }
      Object v = changes.get(column);
      if (column.equals("metadata")) {
        t.addValue(v == null ? new JsonObject() : v);
      } else {
        t.addString((String) v);
      }
      set.add(column + " = $" + t.size());
    }
    if (set.size() != changes.size()) {
      return Future.failedFuture(new IllegalArgumentException("not updatable: " + changes.keySet()));
    }
    String sql = String.format(RegistryQueries.UPDATE_AGENT, String.join(", ", set));
    Object name = changes.get("name");
    return pool.preparedQuery(sql).execute(t)
        .recover(e -> Future.failedFuture(conflictOr(e, "an agent named '" + name + "' already exists")))
        .map(PgRegistryStore::firstAgent);
  }

  /**
   * Soft-deletes a live agent: sets {@code deleted_at} (which frees its name) and revokes (deletes)
   * its grants, in one transaction. Null when there is no such live agent.
   */
  public Future<Deleted> softDeleteAgent(UUID tenantId, UUID id) {
    return pool.withTransaction(conn -> conn.preparedQuery(RegistryQueries.SOFT_DELETE_AGENT)
        .execute(Tuple.of(tenantId, id)).compose(rs -> {
          if (rs.size() == 0) {
            return Future.succeededFuture(null);
          }
          OffsetDateTime at = rs.iterator().next().getOffsetDateTime(0);
          return conn.preparedQuery(RegistryQueries.DELETE_AGENT_GRANTS).execute(Tuple.of(tenantId, id))
              .map(del -> new Deleted(at, del.rowCount()));
        }));
  }

  /** Quarantines an ACTIVE agent; null when the agent is not live or not ACTIVE. */
  public Future<Agent> quarantine(UUID tenantId, UUID id, String reason) {
    return pool.preparedQuery(RegistryQueries.QUARANTINE).execute(Tuple.of(tenantId, id, reason))
        .map(PgRegistryStore::firstAgent);
  }

  /** Releases a QUARANTINED agent; null when the agent is not live or not quarantined. */
  public Future<Agent> release(UUID tenantId, UUID id) {
    return pool.preparedQuery(RegistryQueries.RELEASE).execute(Tuple.of(tenantId, id))
        .map(PgRegistryStore::firstAgent);
  }

  public Future<Summary> summary(UUID tenantId) {
    return pool.preparedQuery(RegistryQueries.SUMMARY).execute(Tuple.of(tenantId)).compose(rs -> {
      Row r = rs.iterator().next();
      Map<String, Long> status = new LinkedHashMap<>();
      status.put("ACTIVE", r.getLong("s_active"));
      status.put("QUARANTINED", r.getLong("s_quarantined"));
      Map<String, Long> risk = new LinkedHashMap<>();
      for (String level : List.of("low", "medium", "high", "critical")) {
        risk.put(level, r.getLong("r_" + level));
      }
      long total = r.getLong("total");
      long deleted = r.getLong("deleted");
      return pool.preparedQuery(RegistryQueries.GRANT_COUNTS).execute(Tuple.of(tenantId)).map(g -> {
        Row gr = g.iterator().next();
        return new Summary(total, deleted, status, risk, gr.getLong("grants"), gr.getLong("expired"));
      });
    });
  }

  /** Adds a grant; fails with {@link Conflict} when the agent already has one for the tool. */
  public Future<Grant> insertGrant(UUID tenantId, UUID agentId, String tool, String action,
      String grantedBy, OffsetDateTime expiresAt) {
    UUID id = UUID.randomUUID();
    return pool.preparedQuery(RegistryQueries.INSERT_GRANT)
        .execute(Tuple.tuple().addUUID(id).addUUID(agentId).addUUID(tenantId).addString(tool)
            .addString(action).addString(grantedBy).addOffsetDateTime(expiresAt))
        .recover(e -> Future.failedFuture(conflictOr(e, "a grant for tool '" + tool + "' already exists")))
        .map(rs -> new Grant(id, agentId, tool, action, grantedBy, expiresAt,
            rs.iterator().next().getOffsetDateTime("created_at")));
  }

  public Future<List<Grant>> grants(UUID tenantId, UUID agentId) {
    return pool.preparedQuery(RegistryQueries.GRANTS).execute(Tuple.of(tenantId, agentId)).map(rs -> {
      List<Grant> out = new ArrayList<>(rs.size());
      for (Row r : rs) {
        out.add(grant(r));
      }
      return out;
    });
  }

  /** Deletes one grant of one agent of the tenant; null when there is no such grant. */
  public Future<Grant> revokeGrant(UUID tenantId, UUID agentId, UUID grantId) {
    return pool.preparedQuery(RegistryQueries.REVOKE_GRANT).execute(Tuple.of(tenantId, agentId, grantId))
        .map(rs -> rs.size() == 0 ? null : grant(rs.iterator().next()));
  }

  /** The distinct tools granted to the tenant's live agents, with grant and agent counts. */
  public Future<List<ToolUsage>> tools(UUID tenantId) {
    return pool.preparedQuery(RegistryQueries.TOOLS).execute(Tuple.of(tenantId)).map(rs -> {
      List<ToolUsage> out = new ArrayList<>(rs.size());
      for (Row r : rs) {
        out.add(new ToolUsage(r.getString("tool_name"), r.getLong("allow"), r.getLong("deny"),
            r.getLong("expired"), r.getLong("agents")));
      }
      return out;
    });
  }

  /**
   * The agent's activity from the tenant's audit log: rows by decision over the last
   * {@code windowDays}, the time of its latest row, and its {@code topN} most used tools.
   */
  public Future<Activity> activity(UUID tenantId, UUID agentId, int windowDays, int topN) {
    String agent = agentId.toString();
    Future<RowSet<Row>> decisions = pool.preparedQuery(RegistryQueries.ACTIVITY_DECISIONS)
        .execute(Tuple.of(tenantId, agent, windowDays));
    Future<RowSet<Row>> tools = pool.preparedQuery(RegistryQueries.ACTIVITY_TOOLS)
        .execute(Tuple.of(tenantId, agent, windowDays, topN));
    Future<RowSet<Row>> last = pool.preparedQuery(RegistryQueries.LAST_SEEN).execute(Tuple.of(tenantId, agent));
    return Future.all(decisions, tools, last).map(v -> {
      Map<String, Long> d = new LinkedHashMap<>();
      decisions.result().forEach(r -> d.put(r.getString("decision"), r.getLong("n")));
      List<Map.Entry<String, Long>> top = new ArrayList<>();
      tools.result().forEach(r -> top.add(Map.entry(r.getString("tool"), r.getLong("n"))));
      OffsetDateTime lastSeen = last.result().iterator().next().getOffsetDateTime(0);
      return new Activity(windowDays, d, lastSeen, top);
    });
  }

  private static Throwable conflictOr(Throwable e, String message) {
    if (e instanceof PgException pe && "23505".equals(pe.getSqlState())) {
      return new Conflict(message);
    }
    return e;
  }

  private static Agent firstAgent(RowSet<Row> rs) {
    return rs.size() == 0 ? null : agent(rs.iterator().next());
  }

  private static Grant grant(Row r) {
    return new Grant(r.getUUID("id"), r.getUUID("agent_id"), r.getString("tool_name"),
        r.getString("action"), r.getString("granted_by"), r.getOffsetDateTime("expires_at"),
        r.getOffsetDateTime("created_at"));
  }

  private static Agent agent(Row r) {
    Object meta = r.getValue("metadata");
    return new Agent(r.getUUID("id"), r.getUUID("tenant_id"), r.getString("name"),
        r.getString("description"), r.getString("owner_id"), r.getString("status"),
        r.getString("risk_level"), meta instanceof JsonObject j ? j : new JsonObject(),
        r.getOffsetDateTime("quarantined_at"), r.getString("quarantine_reason"),
        r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"));
  }
}
