package dev.aegis.pipeline.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The AEVF section 7 recipe. Expected strings and hashes were produced independently with
 * Python: {@code json.dumps({...}, sort_keys=True)} and {@code hashlib.sha256(...).hexdigest()}.
 */
class AuditChainTest {

  @Test
  void should_define_genesis_as_64_ascii_zeros() {
    assertThat(AuditChain.GENESIS).hasSize(64).matches("0{64}");
  }

  @Test
  void should_match_python_sort_keys_default_separators_for_plain_values() {
    // WHEN
    String body = AuditChain.canonicalBody("t-1", "a-1", "tool_execution", "db.query", "allow", "req-1");

    // THEN keys sorted, ", " and ": " separators
    assertThat(body).isEqualTo("{\"action\": \"tool_execution\", \"agent_id\": \"a-1\", \"decision\": \"allow\", "
        + "\"request_id\": \"req-1\", \"tenant_id\": \"t-1\", \"tool\": \"db.query\"}");
  }

  @Test
  void should_write_null_agent_as_null_and_null_tool_and_request_id_as_empty_string() {
    // WHEN
    String body = AuditChain.canonicalBody("t-\u00e9", null, "tool_execution", null, "deny", null);

    // THEN
    assertThat(body).isEqualTo("{\"action\": \"tool_execution\", \"agent_id\": null, \"decision\": \"deny\", "
        + "\"request_id\": \"\", \"tenant_id\": \"t-\\u00e9\", \"tool\": \"\"}");
  }

  @Test
  void should_escape_like_python_ensure_ascii() {
    // GIVEN an emoji (surrogate pair), quotes, backslash, control characters and CJK text
    String tenant = "t\uD83D\uDE00";
    String agent = "a\"b\\c\nd\te\r\b\f";
    String action = "x\u0001y";
    String tool = "caf\u00e9/\u4e2d";

    // WHEN
    String body = AuditChain.canonicalBody(tenant, agent, action, tool, "allow", "r");

    // THEN (python3: json.dumps(d, sort_keys=True))
    assertThat(body).isEqualTo("{\"action\": \"x\\u0001y\", \"agent_id\": \"a\\\"b\\\\c\\nd\\te\\r\\b\\f\", "
        + "\"decision\": \"allow\", \"request_id\": \"r\", \"tenant_id\": \"t\\ud83d\\ude00\", "
        + "\"tool\": \"caf\\u00e9/\\u4e2d\"}");
  }

  /** Python's ensure_ascii escapes every char outside {@code ' '..'~'}, DEL (0x7f) included. */
  @Test
  void should_escape_del_character_like_python() {
    // WHEN
    String body = AuditChain.canonicalBody("t", "a", "x\u007fz", "", "allow", "r");

    // THEN (python3: json.dumps("x\x7fz") == '"x\\u007fz"')
    assertThat(body).startsWith("{\"action\": \"x\\u007fz\", ");
  }

  @Test
  void should_hash_genesis_plus_body_as_lowercase_sha256_hex() {
    // WHEN
    String hash = AuditChain.eventHash(AuditChain.GENESIS, "t-1", "a-1", "tool_execution", "db.query", "allow", "req-1");

    // THEN python3 -c 'import hashlib,json; print(hashlib.sha256(("0"*64 + json.dumps({...}, sort_keys=True)).encode()).hexdigest())'
    assertThat(hash).isEqualTo("c9f0fdca21304658a5216e30eb80e9bc9dd8898937df9f443f592cfcf3d55eee");
  }

  @Test
  void should_hash_utf8_of_escaped_body_with_nulls_and_non_ascii() {
    String hash = AuditChain.eventHash(AuditChain.GENESIS, "t-\u00e9", null, "tool_execution", null, "deny", null);

    assertThat(hash).isEqualTo("8cefab0ff756c676b879c8e70d54d576c3d6c86f9aa67b84dc88eb605618dffc");
  }

  @Test
  void should_chain_on_given_previous_hash() {
    // GIVEN a non-genesis previous hash "abab...ab"
    String prev = "ab".repeat(32);

    // WHEN
    String hash = AuditChain.eventHash(prev, "t\uD83D\uDE00", "a\"b\\c\nd\te\r\b\f", "x\u0001y",
        "caf\u00e9/\u4e2d", "allow", "r");

    // THEN
    assertThat(hash).isEqualTo("106bfee479e4535755dd4f791d4f3ee88d75b937fcde122c3918d2f9561fa292");
  }

  @Test
  void should_give_sha256_of_empty_string() {
    assertThat(AuditChain.sha256Hex(""))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void should_compute_shard_from_first_four_bytes_of_sha256() {
    // THEN python3: int.from_bytes(hashlib.sha256(rid.encode()).digest()[:4], 'big') % n
    assertThat(AuditChain.shardOf("req-1", 16)).isEqualTo(10);
    assertThat(AuditChain.shardOf("abc", 16)).isEqualTo(15);
    assertThat(AuditChain.shardOf("", 16)).isEqualTo(2);
    assertThat(AuditChain.shardOf("5f0c7a2e-1b7d-4c3e-9a51-0d2b8c6e4f10", 16)).isEqualTo(1);
    assertThat(AuditChain.shardOf("5f0c7a2e-1b7d-4c3e-9a51-0d2b8c6e4f10", 7)).isEqualTo(6);
  }

  @Test
  void should_map_null_request_id_to_shard_zero() {
    assertThat(AuditChain.shardOf(null, 16)).isZero();
  }

  @Test
  void should_be_stable_and_in_range_and_spread_over_all_shards() {
    // GIVEN 10,000 random request ids (fixed seed)
    Random rnd = new Random(42);
    Map<Integer, Integer> counts = new HashMap<>();

    // WHEN
    for (int i = 0; i < 10_000; i++) {
      String id = new UUID(rnd.nextLong(), rnd.nextLong()).toString();
      int shard = AuditChain.shardOf(id, AuditChain.DEFAULT_SHARDS);
      assertThat(shard).isBetween(0, 15);
      assertThat(AuditChain.shardOf(id, AuditChain.DEFAULT_SHARDS)).isEqualTo(shard);
      counts.merge(shard, 1, Integer::sum);
    }

    // THEN every shard is used, none grossly over- or under-filled (expected 625 each)
    assertThat(counts).hasSize(16);
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(450, 800));
  }
}
