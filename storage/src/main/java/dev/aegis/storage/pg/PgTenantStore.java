package dev.aegis.storage.pg;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.data.Numeric;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Tenants with their quotas and settings ({@code identity.tenants}), and the creation of a tenant
 * together with its first ADMIN user in one transaction. Reads here are platform-level (a tenant
 * by id); callers decide who may see which tenant.
 */
public final class PgTenantStore {

  /** A full tenant row; null rates mean "use the configured default". */
  public record Tenant(UUID id, String name, String tier, Double requestsPerSecond, Integer burst,
      Double agentRequestsPerSecond, Integer agentBurst, long dailyRequestCap, long monthlyRequestCap,
      BigDecimal dailyInferenceCostCapUsd, String degradedModePolicy, boolean active,
      JsonObject settings, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    public JsonObject toJson() {
      String tid = id.toString();
      return new JsonObject().put("id", tid).put("tenant_id", tid).put("org_id", tid).put("name", name)
          .put("tier", tier).put("requests_per_second", requestsPerSecond).put("burst", burst)
          .put("agent_requests_per_second", agentRequestsPerSecond).put("agent_burst", agentBurst)
          .put("daily_request_cap", dailyRequestCap).put("monthly_request_cap", monthlyRequestCap)
          .put("daily_inference_cost_cap_usd", dailyInferenceCostCapUsd.doubleValue())
          .put("degraded_mode_policy", degradedModePolicy).put("is_active", active)
          .put("settings", settings).put("created_at", createdAt.toString())
          .put("updated_at", updatedAt.toString());
    }
  }

  /** The first ADMIN of a new tenant (the password is already hashed). */
  public record FirstAdmin(UUID id, String email, String passwordHash, String fullName) {}

  private final Pool pool;

  public PgTenantStore(Pool pool) {
    this.pool = pool;
  }

  public Future<Tenant> tenant(UUID id) {
    return pool.preparedQuery(TenantQueries.TENANT).execute(Tuple.of(id))
        .map(rs -> rs.size() == 0 ? null : tenant(rs.iterator().next()));
  }

  public Future<List<Tenant>> tenants(int limit, int offset) {
    return pool.preparedQuery(TenantQueries.LIST).execute(Tuple.of(limit, offset)).map(rs -> {
      List<Tenant> out = new ArrayList<>(rs.size());
      rs.forEach(r -> out.add(tenant(r)));
      return out;
    });
  }

  public Future<Long> count() {
    return pool.query(TenantQueries.COUNT).execute().map(rs -> rs.iterator().next().getLong(0));
  }

  /**
   * Creates the tenant with the given column values and its first ADMIN user, atomically.
   *
   * @param fields column → value, keys from the writable set only (values: String, Double,
   *     Integer, Long, BigDecimal, Boolean, JsonObject, or null)
   * @return the new tenant; fails with {@link PgRegistryStore.Conflict} when the e-mail is taken
   */
  public Future<Tenant> createWithAdmin(UUID id, Map<String, Object> fields, FirstAdmin admin) {
    StringBuilder cols = new StringBuilder("id");
    StringBuilder vals = new StringBuilder("$1");
    Tuple t = Tuple.tuple().addUUID(id);
    int i = 2;
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      column(e.getKey());
      cols.append(", ").append(e.getKey());
      vals.append(", $").append(i++);
      t.addValue(param(e.getValue()));
    }
    String insertTenant = "INSERT INTO identity.tenants (" + cols + ") VALUES (" + vals + ")";
    return pool.withTransaction(conn -> conn.preparedQuery(insertTenant).execute(t)
        .compose(v -> conn.preparedQuery(UserQueries.INSERT).execute(Tuple.tuple().addUUID(admin.id())
            .addUUID(id).addString(admin.email()).addString(admin.passwordHash()).addString("ADMIN")
            .addString(admin.fullName())))
        .compose(v -> conn.preparedQuery(TenantQueries.TENANT).execute(Tuple.of(id)))
        .map(rs -> tenant(rs.iterator().next())))
        .recover(e -> Future.failedFuture(e instanceof PgException pe && "23505".equals(pe.getSqlState())
            ? new PgRegistryStore.Conflict("a user with this e-mail (or a tenant with this id) already exists")
            : e));
  }

  /**
   * Sets the given columns of a tenant.
   *
   * @return the updated tenant, or null when it does not exist
   */
  public Future<Tenant> update(UUID id, Map<String, Object> fields) {
    if (fields.isEmpty()) {
      return tenant(id);
    }
    StringBuilder set = new StringBuilder();
    Tuple t = Tuple.tuple().addUUID(id);
    int i = 2;
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      column(e.getKey());
      set.append(e.getKey()).append(" = $").append(i++).append(", ");
      t.addValue(param(e.getValue()));
    }
    set.append("updated_at = now()");
    String sql = "UPDATE identity.tenants SET " + set + " WHERE id = $1 RETURNING " + TenantQueries.COLUMNS;
    return pool.preparedQuery(sql).execute(t).map(rs -> rs.size() == 0 ? null : tenant(rs.iterator().next()));
  }

  private static void column(String name) {
    if (!TenantQueries.WRITABLE.contains(name)) {
      throw new IllegalArgumentException("not a writable tenant column: " + name);
    }
  }

  private static Object param(Object v) {
    return v instanceof BigDecimal d ? Numeric.create(d) : v;
  }

  private static Tenant tenant(Row r) {
    Object settings = r.getValue("settings");
    Numeric cost = (Numeric) r.getValue("daily_inference_cost_cap_usd");
    return new Tenant(r.getUUID("id"), r.getString("name"), r.getString("tier"),
        r.getDouble("requests_per_second"), r.getInteger("burst"),
        r.getDouble("agent_requests_per_second"), r.getInteger("agent_burst"),
        r.getLong("daily_request_cap"), r.getLong("monthly_request_cap"),
        cost == null ? BigDecimal.ZERO : cost.bigDecimalValue(), r.getString("degraded_mode_policy"),
        r.getBoolean("is_active"), settings instanceof JsonObject j ? j : new JsonObject(),
        r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"));
  }
}
