package dev.aegis.storage.pg;

import dev.aegis.pipeline.ports.ShadowRecorder.ShadowDecision;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Shadow-mode decisions in {@code policy.shadow_decisions} (SPEC §3.4 shadow mode): the requests on
 * which a tenant's shadow policy decided differently from the live policies. Batches go in as one
 * multi-row {@code INSERT ... SELECT FROM unnest(...)} statement; reads are tenant scoped (the
 * tenant is always the first parameter and comes from the verified principal).
 */
public final class PgShadowDecisionStore {

  /** Longest stored text field (reason, rule id, tool ...); longer values are cut. */
  public static final int MAX_TEXT = 2000;

  private static final String INSERT = """
      INSERT INTO policy.shadow_decisions (tenant_id, request_id, agent_id, tool, shadow_version_id,
          shadow_version, live_decision, shadow_decision, rule_id, reason, created_at)
      SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::int[],
          $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])""";

  private static final String PAGE = """
      SELECT id, tenant_id, request_id, agent_id, tool, shadow_version_id, shadow_version,
             live_decision, shadow_decision, rule_id, reason, created_at
        FROM policy.shadow_decisions d
       WHERE d.tenant_id = $1
         AND ($2::bigint IS NULL OR (d.created_at, d.id) < (
               SELECT c.created_at, c.id FROM policy.shadow_decisions c WHERE c.tenant_id = $1 AND c.id = $2))
       ORDER BY d.created_at DESC, d.id DESC
       LIMIT $3""";

  private static final String BY_RULE = """
      SELECT rule_id, count(*) AS n FROM policy.shadow_decisions
       WHERE tenant_id = $1 AND shadow_version_id = $2
         AND live_decision = 'ALLOW' AND shadow_decision <> 'ALLOW'
       GROUP BY rule_id ORDER BY n DESC, rule_id""";

  private static final String DIVERGENT = """
      SELECT count(*) FROM policy.shadow_decisions WHERE tenant_id = $1 AND shadow_version_id = $2""";

  private static final String BY_VERSION = """
      SELECT shadow_version, count(*) AS n FROM policy.shadow_decisions
       WHERE tenant_id = $1 AND live_decision = 'ALLOW' AND shadow_decision <> 'ALLOW'
       GROUP BY shadow_version ORDER BY shadow_version""";

  private static final String DELETE_OLD = """
      DELETE FROM policy.shadow_decisions WHERE id IN (
        SELECT id FROM policy.shadow_decisions WHERE created_at < $1 LIMIT $2)""";

  /** One stored row. */
  public record Stored(long id, UUID tenantId, String requestId, String agentId, String tool,
      UUID shadowVersionId, int shadowVersion, String liveDecision, String shadowDecision,
      String ruleId, String reason, OffsetDateTime createdAt) {

    /** True when the shadow would have stopped what live allowed. */
    public boolean wouldHaveBlocked() {
      return "ALLOW".equals(liveDecision) && !"ALLOW".equals(shadowDecision);
    }

    /** The row as the API shows it (ids as strings). */
    public JsonObject toJson() {
      return new JsonObject().put("id", Long.toString(id)).put("request_id", requestId)
          .put("agent_id", agentId).put("tool", tool).put("shadow_version_id", shadowVersionId.toString())
          .put("shadow_version", shadowVersion).put("live_decision", liveDecision)
          .put("shadow_decision", shadowDecision).put("would_have_blocked", wouldHaveBlocked())
          .put("rule_id", ruleId).put("reason", reason).put("created_at", createdAt.toString());
    }
  }

  /**
   * What a shadow version would have done.
   *
   * @param wouldHaveBlocked rows where live allowed and the shadow denied or escalated
   * @param divergent every recorded divergence of the version (also the shadow being more lenient)
   * @param byRule would-have-blocked count per deciding shadow rule ({@code ""} for none)
   */
  public record Summary(long wouldHaveBlocked, long divergent, Map<String, Long> byRule) {}

  private final Pool pool;

  public PgShadowDecisionStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Inserts the decisions in one statement. Decisions whose tenant or version id is not a UUID
   * are skipped (the future's value is the number of rows inserted).
   */
  public Future<Integer> insert(List<ShadowDecision> batch) {
    List<ShadowDecision> ok = new ArrayList<>(batch.size());
    for (ShadowDecision d : batch) {
      if (uuid(d.tenantId()) != null && uuid(d.shadowVersionId()) != null
          && decision(d.liveDecision()) && decision(d.shadowDecision())) {
        ok.add(d);
      }
    }
    if (ok.isEmpty()) {
      return Future.succeededFuture(0);
    }
    int n = ok.size();
    UUID[] tenants = new UUID[n];
    String[] requests = new String[n];
    String[] agents = new String[n];
    String[] tools = new String[n];
    UUID[] versionIds = new UUID[n];
    Integer[] versions = new Integer[n];
    String[] live = new String[n];
    String[] shadow = new String[n];
    String[] rules = new String[n];
    String[] reasons = new String[n];
    OffsetDateTime[] at = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      ShadowDecision d = ok.get(i);
      tenants[i] = uuid(d.tenantId());
      requests[i] = clip(d.requestId());
      agents[i] = clip(d.agentId());
      tools[i] = clip(d.tool());
      versionIds[i] = uuid(d.shadowVersionId());
      versions[i] = d.shadowVersion();
      live[i] = d.liveDecision();
      shadow[i] = d.shadowDecision();
      rules[i] = clip(d.ruleId());
      reasons[i] = clip(d.reason());
      at[i] = d.at() == null ? OffsetDateTime.now(ZoneOffset.UTC) : d.at().atOffset(ZoneOffset.UTC);
    }
    Tuple t = Tuple.tuple().addArrayOfUUID(tenants).addArrayOfString(requests).addArrayOfString(agents)
        .addArrayOfString(tools).addArrayOfUUID(versionIds).addArrayOfInteger(versions)
        .addArrayOfString(live).addArrayOfString(shadow).addArrayOfString(rules).addArrayOfString(reasons)
        .addArrayOfOffsetDateTime(at);
    return pool.preparedQuery(INSERT).execute(t).map(rs -> rs.rowCount());
  }

  /**
   * The tenant's decisions, newest first.
   *
   * @param before id of the last row of the previous page (null: from the newest); an id that is
   *     not the tenant's gives an empty page
   */
  public Future<List<Stored>> page(UUID tenantId, int limit, Long before) {
    return pool.preparedQuery(PAGE).execute(Tuple.of(tenantId, before, limit)).map(rs -> {
      List<Stored> out = new ArrayList<>(rs.size());
      for (Row r : rs) {
        out.add(new Stored(r.getLong("id"), r.getUUID("tenant_id"), r.getString("request_id"),
            r.getString("agent_id"), r.getString("tool"), r.getUUID("shadow_version_id"),
            r.getInteger("shadow_version"), r.getString("live_decision"), r.getString("shadow_decision"),
            r.getString("rule_id"), r.getString("reason"), r.getOffsetDateTime("created_at")));
      }
      return out;
    });
  }

  /** What the tenant's shadow version {@code versionId} would have blocked, per rule. */
  public Future<Summary> summary(UUID tenantId, UUID versionId) {
    return pool.preparedQuery(BY_RULE).execute(Tuple.of(tenantId, versionId)).compose(rs -> {
      Map<String, Long> byRule = new LinkedHashMap<>();
      long total = 0;
      for (Row r : rs) {
        String rule = r.getString("rule_id");
        long c = r.getLong("n");
        byRule.merge(rule == null ? "" : rule, c, Long::sum);
        total += c;
      }
      long blocked = total;
      return pool.preparedQuery(DIVERGENT).execute(Tuple.of(tenantId, versionId))
          .map(d -> new Summary(blocked, d.iterator().next().getLong(0), byRule));
    });
  }

  /** Would-have-blocked count per shadow version number of the tenant (ascending versions). */
  public Future<Map<Integer, Long>> countsByVersion(UUID tenantId) {
    return pool.preparedQuery(BY_VERSION).execute(Tuple.of(tenantId)).map(rs -> {
      Map<Integer, Long> out = new LinkedHashMap<>();
      rs.forEach(r -> out.put(r.getInteger("shadow_version"), r.getLong("n")));
      return out;
    });
  }

  /**
   * Deletes up to {@code chunk} rows (any tenant) created before {@code cutoff}; the value is the
   * number deleted (call again while it equals {@code chunk}).
   */
  public Future<Integer> deleteOlderThan(OffsetDateTime cutoff, int chunk) {
    return pool.preparedQuery(DELETE_OLD).execute(Tuple.of(cutoff, chunk)).map(rs -> rs.rowCount());
  }

  private static boolean decision(String d) {
    return "ALLOW".equals(d) || "ESCALATE".equals(d) || "DENY".equals(d);
  }

  private static UUID uuid(String s) {
    if (s == null) {
      return null;
    }
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Cuts to {@link #MAX_TEXT} and drops NUL characters (PostgreSQL text refuses them). */
  private static String clip(String s) {
    if (s == null) {
      return null;
    }
    String t = s.indexOf(0) < 0 ? s : s.replace("\0", "");
    return t.length() <= MAX_TEXT ? t : t.substring(0, MAX_TEXT);
  }
}
