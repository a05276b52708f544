package dev.aegis.storage.pg;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** The durable copy of every tenant's kill switch ({@code decision.kill_switches}). */
public final class PgKillSwitchStore {

  /** One tenant's switch. */
  public record Switch(UUID tenantId, boolean engaged, String reason, String actor,
      java.time.OffsetDateTime engagedAt, java.time.OffsetDateTime disengagedAt) {}

  private static final String UPSERT = "INSERT INTO decision.kill_switches (tenant_id, engaged,"
      + " reason, actor, engaged_at, disengaged_at, updated_at) VALUES ($1, $2, $3, $4,"
      + " CASE WHEN $2 THEN now() END, CASE WHEN NOT $2 THEN now() END, now())"
      + " ON CONFLICT (tenant_id) DO UPDATE SET engaged = EXCLUDED.engaged, reason = EXCLUDED.reason,"
      + " actor = EXCLUDED.actor,"
      + " engaged_at = COALESCE(EXCLUDED.engaged_at, decision.kill_switches.engaged_at),"
      + " disengaged_at = COALESCE(EXCLUDED.disengaged_at, decision.kill_switches.disengaged_at),"
      + " updated_at = now()"
      + " RETURNING tenant_id, engaged, reason, actor, engaged_at, disengaged_at";
  private static final String ALL = "SELECT tenant_id, engaged, reason, actor, engaged_at,"
      + " disengaged_at FROM decision.kill_switches";
  private static final String ONE = ALL + " WHERE tenant_id = $1";

  private final Pool pool;

  public PgKillSwitchStore(Pool pool) {
    this.pool = pool;
  }

  public Future<Switch> set(UUID tenantId, boolean engaged, String reason, String actor) {
    return pool.preparedQuery(UPSERT).execute(Tuple.of(tenantId, engaged, reason, actor))
        .map(rs -> row(rs.iterator().next()));
  }

  public Future<Switch> get(UUID tenantId) {
    return pool.preparedQuery(ONE).execute(Tuple.of(tenantId))
        .map(rs -> rs.size() == 0 ? null : row(rs.iterator().next()));
  }

  public Future<Map<UUID, Switch>> all() {
    return pool.query(ALL).execute().map(rs -> {
      Map<UUID, Switch> m = new HashMap<>();
      rs.forEach(r -> m.put(r.getUUID("tenant_id"), row(r)));
      return m;
    });
  }

  private static Switch row(Row r) {
    return new Switch(r.getUUID("tenant_id"), r.getBoolean("engaged"), r.getString("reason"),
        r.getString("actor"), r.getOffsetDateTime("engaged_at"), r.getOffsetDateTime("disengaged_at"));
  }
}
