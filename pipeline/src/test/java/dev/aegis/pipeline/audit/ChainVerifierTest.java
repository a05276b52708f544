package dev.aegis.pipeline.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.audit.ChainVerifier.Row;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ChainVerifierTest {

  private static final int SHARDS = 3;
  private static final int ROWS_PER_SHARD = 50;
  private static final String TENANT = "tenant-1";

  /** A valid chain of 3 shards x 50 rows, in (shard, index) order. */
  private static List<Row> validChain() {
    return chain(-1, -1, null);
  }

  /**
   * Builds the chain; when {@code badShard/badIndex} are set, that row links to {@code badPrev}
   * instead of its predecessor, and the rest of the shard chains on from it consistently.
   */
  private static List<Row> chain(int badShard, int badIndex, String badPrev) {
    List<Row> rows = new ArrayList<>();
    long seq = 0;
    for (int shard = 0; shard < SHARDS; shard++) {
      String prev = AuditChain.GENESIS;
      for (int i = 0; i < ROWS_PER_SHARD; i++) {
        if (shard == badShard && i == badIndex) {
          prev = badPrev;
        }
        String agent = "agent-" + (i % 4);
        String tool = i % 5 == 0 ? null : "tool." + i;
        String decision = i % 7 == 0 ? "deny" : "allow";
        String requestId = "req-" + shard + "-" + i;
        String hash = AuditChain.eventHash(prev, TENANT, agent, "tool_execution", tool, decision, requestId);
        rows.add(new Row(id(shard, i), seq++, TENANT, agent, "tool_execution", tool, decision, requestId,
            hash, prev, shard, i));
        prev = hash;
      }
    }
    return rows;
  }

  private static String id(int shard, int index) {
    return "row-" + shard + "-" + index;
  }

  private static int pos(int shard, int index) {
    return shard * ROWS_PER_SHARD + index;
  }

  private static JsonObject verify(List<Row> rows, int maxViolations) {
    ChainVerifier cut = new ChainVerifier(maxViolations);
    rows.forEach(cut::accept);
    return cut.result();
  }

  private static List<String> violations(JsonObject result) {
    JsonArray v = result.getJsonArray("violations");
    return v.stream().map(o -> ((JsonObject) o).getString("id") + ":" + ((JsonObject) o).getString("type"))
        .collect(Collectors.toList());
  }

  @Test
  void should_accept_valid_chain_of_three_shards() {
    // WHEN
    JsonObject result = verify(validChain(), 100);

    // THEN
    assertThat(result.getBoolean("valid")).isTrue();
    assertThat(result.getJsonArray("violations")).isEmpty();
    assertThat(result.getLong("violation_count")).isZero();
    assertThat(result.getLong("rows_checked")).isEqualTo(150L);
  }

  @Test
  void should_report_hash_mismatch_when_field_of_row_changed() {
    // GIVEN the decision of shard 1 row 10 rewritten after the fact
    List<Row> rows = validChain();
    Row r = rows.get(pos(1, 10));
    rows.set(pos(1, 10), new Row(r.id(), r.seq(), r.tenantId(), r.agentId(), r.action(), r.tool(),
        "allow".equals(r.decision()) ? "deny" : "allow", r.requestId(), r.eventHash(), r.prevHash(),
        r.shard(), r.index()));

    // WHEN
    JsonObject result = verify(rows, 100);

    // THEN exactly that row is flagged
    assertThat(result.getBoolean("valid")).isFalse();
    assertThat(violations(result)).containsExactly("row-1-10:hash_mismatch");
    JsonObject v = result.getJsonArray("violations").getJsonObject(0);
    assertThat(v.getInteger("chain_shard")).isEqualTo(1);
    assertThat(v.getLong("chain_index")).isEqualTo(10L);
    assertThat(v.getLong("seq")).isEqualTo(60L);
    assertThat(result.getLong("violation_count")).isEqualTo(1L);
    assertThat(result.getLong("rows_checked")).isEqualTo(150L);
  }

  @Test
  void should_report_hash_mismatch_when_tool_changed_from_null() {
    // GIVEN row 0 of shard 2 had tool null (hashed as "") and now claims a tool
    List<Row> rows = validChain();
    Row r = rows.get(pos(2, 0));
    assertThat(r.tool()).isNull();
    rows.set(pos(2, 0), new Row(r.id(), r.seq(), r.tenantId(), r.agentId(), r.action(), "shell.exec",
        r.decision(), r.requestId(), r.eventHash(), r.prevHash(), r.shard(), r.index()));

    // WHEN / THEN
    assertThat(violations(verify(rows, 100))).containsExactly("row-2-0:hash_mismatch");
  }

  @Test
  void should_report_missing_rows_when_middle_row_deleted() {
    // GIVEN shard 1 row 25 deleted
    List<Row> rows = validChain();
    rows.remove(pos(1, 25));

    // WHEN
    JsonObject result = verify(rows, 100);

    // THEN the next row shows the gap and the broken link; nothing else is flagged
    assertThat(result.getBoolean("valid")).isFalse();
    assertThat(violations(result)).containsExactly("row-1-26:missing_rows", "row-1-26:broken_link");
    assertThat(result.getLong("violation_count")).isEqualTo(2L);
    assertThat(result.getLong("rows_checked")).isEqualTo(149L);
  }

  @Test
  void should_report_violations_at_swapped_rows() {
    // GIVEN rows 10 and 11 of shard 0 delivered in swapped order
    List<Row> rows = validChain();
    Collections.swap(rows, pos(0, 10), pos(0, 11));

    // WHEN
    JsonObject result = verify(rows, 100);

    // THEN both swapped rows are flagged, rows before them are not, other shards are clean
    List<String> v = violations(result);
    assertThat(result.getBoolean("valid")).isFalse();
    assertThat(v).contains("row-0-11:missing_rows", "row-0-11:broken_link",
        "row-0-10:duplicate_index", "row-0-10:broken_link");
    assertThat(v).allMatch(s -> s.startsWith("row-0-1"));
    assertThat(v).noneMatch(s -> s.contains(":hash_mismatch"));
    assertThat(result.getLong("rows_checked")).isEqualTo(150L);
    assertThat(result.getLong("violation_count")).isEqualTo(v.size());
  }

  @Test
  void should_report_broken_link_when_prev_hash_is_wrong() {
    // GIVEN shard 2 row 5 links to a foreign hash (its own hash is consistent with that link)
    List<Row> rows = chain(2, 5, "f".repeat(64));

    // WHEN
    JsonObject result = verify(rows, 100);

    // THEN
    assertThat(violations(result)).containsExactly("row-2-5:broken_link");
    assertThat(result.getLong("violation_count")).isEqualTo(1L);
    assertThat(result.getLong("rows_checked")).isEqualTo(150L);
  }

  @Test
  void should_report_broken_link_when_first_row_of_shard_does_not_start_at_genesis() {
    List<Row> rows = chain(1, 0, "1".repeat(64));

    assertThat(violations(verify(rows, 100))).containsExactly("row-1-0:broken_link");
  }

  @Test
  void should_cap_listed_violations_but_count_all() {
    // GIVEN three tampered rows and room to list only two
    List<Row> rows = validChain();
    for (int shard = 0; shard < SHARDS; shard++) {
      Row r = rows.get(pos(shard, 3));
      rows.set(pos(shard, 3), new Row(r.id(), r.seq(), r.tenantId(), "intruder", r.action(), r.tool(),
          r.decision(), r.requestId(), r.eventHash(), r.prevHash(), r.shard(), r.index()));
    }

    // WHEN
    JsonObject result = verify(rows, 2);

    // THEN
    assertThat(violations(result)).containsExactly("row-0-3:hash_mismatch", "row-1-3:hash_mismatch");
    assertThat(result.getLong("violation_count")).isEqualTo(3L);
    assertThat(result.getBoolean("valid")).isFalse();
  }

  @Test
  void should_accept_empty_input() {
    JsonObject result = verify(List.of(), 10);

    assertThat(result.getBoolean("valid")).isTrue();
    assertThat(result.getLong("rows_checked")).isZero();
  }
}
