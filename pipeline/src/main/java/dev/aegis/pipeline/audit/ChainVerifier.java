package dev.aegis.pipeline.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Checks hash-linked audit chains. Feed it every row of a tenant in (shard, chain index) order;
 * it recomputes each row's hash, checks the link to the previous row of the same shard (the
 * genesis hash for index 0) and that indexes have no gaps. Not thread safe; one instance per run.
 */
public final class ChainVerifier {

  /** The fields of a row that the chain covers. */
  public record Row(String id, long seq, String tenantId, String agentId, String action, String tool,
      String decision, String requestId, String eventHash, String prevHash, int shard, long index) {}

  private final int maxViolations;
  private final JsonArray violations = new JsonArray();
  private long rowsChecked;
  private long violationCount;
  private int shard = -1;
  private long expectedIndex;
  private String expectedPrev;

  public ChainVerifier(int maxViolations) {
    this.maxViolations = maxViolations;
  }

  public void accept(Row r) {
    rowsChecked++;
    if (r.shard() != shard) {
      shard = r.shard();
      expectedIndex = 0;
      expectedPrev = AuditChain.GENESIS;
    }
    if (r.index() != expectedIndex) {
      violation(r, r.index() > expectedIndex ? "missing_rows" : "duplicate_index",
          "expected chain_index " + expectedIndex + " but found " + r.index());
    }
    if (!expectedPrev.equals(r.prevHash())) {
      violation(r, "broken_link", "prev_hash does not equal the previous row's event_hash");
    }
    String recomputed = AuditChain.eventHash(r.prevHash(), r.tenantId(), r.agentId(), r.action(),
        r.tool(), r.decision(), r.requestId());
    if (!recomputed.equals(r.eventHash())) {
      violation(r, "hash_mismatch", "event_hash does not match the row's content");
    }
    expectedIndex = r.index() + 1;
    expectedPrev = r.eventHash();
  }

  private void violation(Row r, String type, String detail) {
    violationCount++;
    if (violations.size() < maxViolations) {
      violations.add(new JsonObject().put("type", type).put("id", r.id()).put("seq", r.seq())
          .put("chain_shard", r.shard()).put("chain_index", r.index()).put("detail", detail));
    }
  }

  /** {@code {valid, violations, violation_count, rows_checked}}. */
  public JsonObject result() {
    return new JsonObject().put("valid", violationCount == 0).put("violations", violations.copy())
        .put("violation_count", violationCount).put("rows_checked", rowsChecked);
  }
}
