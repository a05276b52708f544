package dev.aegis.storage.pg;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Agents and tool grants in the {@code registry} schema. Every query is tenant scoped. */
public final class PgRegistryStore {

  /** An agent row. */
  public record Agent(UUID id, UUID tenantId, String name, String description, String ownerId,
      String status, String riskLevel, JsonObject metadata, OffsetDateTime createdAt,
      OffsetDateTime updatedAt) {

    public JsonObject toJson() {
      return new JsonObject().put("id", id.toString()).put("tenant_id", tenantId.toString())
          .put("name", name).put("description", description).put("owner_id", ownerId)
          .put("status", status).put("risk_level", riskLevel).put("metadata", metadata)
          .put("created_at", createdAt.toString()).put("updated_at", updatedAt.toString());
    }
  }

  /** A tool grant row. */
  public record Grant(UUID id, UUID agentId, String toolName, String action, String grantedBy,
      OffsetDateTime expiresAt, OffsetDateTime createdAt) {

    public JsonObject toJson() {
      return new JsonObject().put("id", id.toString()).put("agent_id", agentId.toString())
          .put("tool_name", toolName).put("action", action).put("granted_by", grantedBy)
          .put("expires_at", expiresAt == null ? null : expiresAt.toString())
          .put("created_at", createdAt.toString());
    }
  }

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

  public Future<Agent> agent(UUID tenantId, UUID id) {
    return pool.preparedQuery(RegistryQueries.AGENT).execute(Tuple.of(tenantId, id))
        .map(rs -> rs.size() == 0 ? null : agent(rs.iterator().next()));
  }

  public Future<List<Agent>> agents(UUID tenantId, int limit, int offset) {
    return pool.preparedQuery(RegistryQueries.LIST_AGENTS).execute(Tuple.of(tenantId, limit, offset))
        .map(rs -> {
          List<Agent> out = new ArrayList<>(rs.size());
          rs.forEach(r -> out.add(agent(r)));
          return out;
        });
  }

  public Future<Long> countAgents(UUID tenantId) {
    return pool.preparedQuery(RegistryQueries.COUNT_AGENTS).execute(Tuple.of(tenantId))
        .map(rs -> rs.iterator().next().getLong(0));
  }

  /** Adds a grant; fails with {@link Conflict} when the agent already has one for the tool. */
  public Future<Grant> insertGrant(UUID tenantId, UUID agentId, String tool, String action,
      String grantedBy, OffsetDateTime expiresAt) {
    UUID id = UUID.randomUUID();
    return pool.preparedQuery(RegistryQueries.INSERT_GRANT)
        .execute(Tuple.tuple().addUUID(id).addUUID(agentId).addUUID(tenantId).addString(tool)
            .addString(action).addString(grantedBy).addOffsetDateTime(expiresAt))
        .recover(e -> Future.failedFuture(conflictOr(e, "a grant for tool '" + tool + "' already exists")))
        .map(rs -> new Grant(id, agentId, tool, action, grantedBy, expiresAt, OffsetDateTime.now()));
  }

  public Future<List<Grant>> grants(UUID tenantId, UUID agentId) {
    return pool.preparedQuery(RegistryQueries.GRANTS).execute(Tuple.of(tenantId, agentId)).map(rs -> {
      List<Grant> out = new ArrayList<>(rs.size());
      for (Row r : rs) {
        out.add(new Grant(r.getUUID("id"), r.getUUID("agent_id"), r.getString("tool_name"),
            r.getString("action"), r.getString("granted_by"), r.getOffsetDateTime("expires_at"),
            r.getOffsetDateTime("created_at")));
      }
      return out;
    });
  }

  private static Throwable conflictOr(Throwable e, String message) {
    if (e instanceof PgException pe && "23505".equals(pe.getSqlState())) {
      return new Conflict(message);
    }
    return e;
  }

  private static Agent agent(Row r) {
    Object meta = r.getValue("metadata");
    return new Agent(r.getUUID("id"), r.getUUID("tenant_id"), r.getString("name"),
        r.getString("description"), r.getString("owner_id"), r.getString("status"),
        r.getString("risk_level"), meta instanceof JsonObject j ? j : new JsonObject(),
        r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"));
  }
}
