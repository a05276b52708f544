package dev.aegis.pipeline.evidence;

import dev.aegis.pipeline.evidence.EvidenceException.Reason;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The signed fields of an AEVF receipt (SPEC §4.3), without the constant {@code version: 1}.
 * Every text field except {@code executionId} and {@code tenantId} may be null (the row columns
 * {@code agent_id}, {@code tool}, {@code reason} and {@code request_id} are nullable); a null
 * becomes JSON {@code null}, as the original's {@code json.dumps} wrote {@code None}.
 *
 * @param executionId the audit row id the receipt is served under
 * @param timestamp the row's ISO-8601 timestamp text, signed as given
 * @param eventHash the row's AEVF chain hash (64 hex)
 * @param prevHash the previous hash in the row's (tenant, shard) chain (64 hex)
 * @param chainShard the row's chain shard
 */
public record ReceiptFields(String executionId, String tenantId, String agentId, String tool,
    String action, String decision, String reason, String requestId, String timestamp,
    String eventHash, String prevHash, int chainShard) {

  /** The receipt format version this record encodes. */
  public static final int VERSION = 1;

  private static final Set<String> NAMES = Set.of("version", "execution_id", "tenant_id",
      "agent_id", "tool", "action", "decision", "reason", "request_id", "timestamp", "event_hash",
      "prev_hash", "chain_shard");

  public ReceiptFields {
    Objects.requireNonNull(executionId, "executionId");
    Objects.requireNonNull(tenantId, "tenantId");
  }

  /** The receipt object {@code {version:1, execution_id, ...}} (member order as in SPEC §4.3). */
  public JsonObject toJson() {
    Map<String, Object> m = new LinkedHashMap<>(24);
    m.put("version", VERSION);
    m.put("execution_id", executionId);
    m.put("tenant_id", tenantId);
    m.put("agent_id", agentId);
    m.put("tool", tool);
    m.put("action", action);
    m.put("decision", decision);
    m.put("reason", reason);
    m.put("request_id", requestId);
    m.put("timestamp", timestamp);
    m.put("event_hash", eventHash);
    m.put("prev_hash", prevHash);
    m.put("chain_shard", chainShard);
    return new JsonObject(m);
  }

  /**
   * Reads a receipt object back. Strict: exactly the thirteen members, {@code version} 1, text
   * members strings or null, {@code chain_shard} an integer.
   *
   * @throws EvidenceException {@link Reason#MALFORMED_ENVELOPE}
   */
  public static ReceiptFields fromJson(JsonObject receipt) {
    Map<String, Object> m = receipt.getMap();
    if (!m.keySet().equals(NAMES)) {
      throw bad("receipt members are not exactly " + NAMES);
    }
    if (integer(m.get("version"), "version") != VERSION) {
      throw bad("unsupported receipt version " + m.get("version"));
    }
    long shard = integer(m.get("chain_shard"), "chain_shard");
    if (shard < 0 || shard > Integer.MAX_VALUE) {
      throw bad("chain_shard out of range");
    }
    String executionId = text(m, "execution_id");
    String tenantId = text(m, "tenant_id");
    if (executionId == null || tenantId == null) {
      throw bad("execution_id and tenant_id are required");
    }
    return new ReceiptFields(executionId, tenantId, text(m, "agent_id"), text(m, "tool"),
        text(m, "action"), text(m, "decision"), text(m, "reason"), text(m, "request_id"),
        text(m, "timestamp"), text(m, "event_hash"), text(m, "prev_hash"), (int) shard);
  }

  private static String text(Map<String, Object> m, String name) {
    Object v = m.get(name);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw bad(name + " is not a string");
  }

  private static long integer(Object v, String name) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) {
        return (long) d;
      }
    }
    throw bad(name + " is not an integer");
  }

  private static EvidenceException bad(String what) {
    return new EvidenceException(Reason.MALFORMED_ENVELOPE, what);
  }
}
