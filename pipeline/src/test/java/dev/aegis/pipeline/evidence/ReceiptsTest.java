package dev.aegis.pipeline.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.evidence.EvidenceException.Reason;
import dev.aegis.pipeline.evidence.Receipts.Status;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** AEVF receipts: compatibility with the original's bytes, sign/verify, tampering. */
class ReceiptsTest {

  static final Ed25519PrivateKeyParameters KEY = Ed25519KeysTest.rfcKey();
  static final Ed25519Keys.KeyPair PAIR = Ed25519Keys.KeyPair.of(KEY);
  static final Map<String, Ed25519PublicKeyParameters> KEYS =
      Map.of(PAIR.fingerprint(), PAIR.publicKey());

  static final ReceiptFields FIELDS = new ReceiptFields(
      "7d0e5f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6", "11111111-2222-3333-4444-555555555555",
      "agent-007", "shell.exec", "execute", "deny",
      "destructive_command: rm -rf / \"quoted\" \\ back\ttab\nnl", "req-42",
      "2025-01-31T12:34:56.789012+00:00", "a".repeat(64), "0".repeat(64), 7);

  /**
   * {@code json.dumps(receipt, sort_keys=True, separators=(",", ":"), ensure_ascii=False)} of
   * FIELDS, printed by CPython 3 while writing this test.
   */
  static final String PYTHON_BYTES = "{\"action\":\"execute\",\"agent_id\":\"agent-007\","
      + "\"chain_shard\":7,\"decision\":\"deny\",\"event_hash\":\"" + "a".repeat(64) + "\","
      + "\"execution_id\":\"7d0e5f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6\",\"prev_hash\":\""
      + "0".repeat(64) + "\",\"reason\":\"destructive_command: rm -rf / \\\"quoted\\\" \\\\ "
      + "back\\ttab\\nnl\",\"request_id\":\"req-42\","
      + "\"tenant_id\":\"11111111-2222-3333-4444-555555555555\","
      + "\"timestamp\":\"2025-01-31T12:34:56.789012+00:00\",\"tool\":\"shell.exec\",\"version\":1}";

  /** Python's {@code cryptography} Ed25519 signature (RFC 8032 test key) over PYTHON_BYTES. */
  static final String PYTHON_SIGNATURE =
      "VFAiwZm7wrNG4I5OkvInEycJYN5WtHF6lNgR9t_PY8X-w8q85JHamJVtVHBIfc4cf8kXn9UB5aiPu09BLcqhCw";

  // ------------------------------------------------------------------ python compatibility

  @Test
  void should_produce_the_bytes_the_original_python_signed() {
    assertThat(new String(Receipts.canonicalBytes(FIELDS), StandardCharsets.UTF_8))
        .isEqualTo(PYTHON_BYTES);
  }

  /** Non-ASCII text, a control character, DEL and a null also match json.dumps(ensure_ascii=False). */
  @Test
  void should_match_python_for_non_ascii_and_null_members() {
    ReceiptFields f = new ReceiptFields(FIELDS.executionId(), FIELDS.tenantId(), FIELDS.agentId(),
        null, FIELDS.action(), FIELDS.decision(),
        "politique refus\u00e9e \u20ac \uD83D\uDE00 \u0001 \u007f", FIELDS.requestId(),
        FIELDS.timestamp(), FIELDS.eventHash(), FIELDS.prevHash(), 7);
    String pythonHex =
        "7b22616374696f6e223a2265786563757465222c226167656e745f6964223a226167656e742d30303722"
        + "2c22636861696e5f7368617264223a372c226465636973696f6e223a2264656e79222c226576656e745f"
        + "68617368223a226161616161616161616161616161616161616161616161616161616161616161616161"
        + "6161616161616161616161616161616161616161616161616161616161222c22657865637574696f6e5f"
        + "6964223a2237643065356633612d316232632d346435652d386639302d61316232633364346535663622"
        + "2c22707265765f68617368223a2230303030303030303030303030303030303030303030303030303030"
        + "303030303030303030303030303030303030303030303030303030303030303030303030222c22726561"
        + "736f6e223a22706f6c697469717565207265667573c3a96520e282ac20f09f9880205c7530303031207f"
        + "222c22726571756573745f6964223a227265712d3432222c2274656e616e745f6964223a223131313131"
        + "3131312d323232322d333333332d343434342d353535353535353535353535222c2274696d657374616d"
        + "70223a22323032352d30312d33315431323a33343a35362e3738393031322b30303a3030222c22746f6f"
        + "6c223a6e756c6c2c2276657273696f6e223a317d";
    assertThat(HexFormat.of().formatHex(Receipts.canonicalBytes(f))).isEqualTo(pythonHex);
  }

  @Test
  void should_sign_exactly_as_the_original_did() {
    JsonObject signed = Receipts.sign(FIELDS, KEY);

    assertThat(signed.getString("signature")).isEqualTo(PYTHON_SIGNATURE);
    assertThat(signed.getString("algorithm")).isEqualTo("ed25519");
    assertThat(signed.getString("public_key_fingerprint"))
        .isEqualTo(Ed25519KeysTest.PYTHON_FINGERPRINT);
    assertThat(signed.fieldNames())
        .containsExactlyInAnyOrder("receipt", "signature", "algorithm", "public_key_fingerprint");
    assertThat(signed.getJsonObject("receipt")).isEqualTo(FIELDS.toJson());
    assertThat(Receipts.check(signed, KEYS)).isEqualTo(Status.VALID);
  }

  @Test
  void should_use_the_canonical_receipt_plus_its_position_as_the_leaf_input() {
    assertThat(Receipts.canonicalBytes(FIELDS)).isEqualTo(PYTHON_BYTES.getBytes(StandardCharsets.UTF_8));
    String leaf = new String(Receipts.leafInput(FIELDS, 41), StandardCharsets.UTF_8);
    // the receipt's members plus "leaf_index", in RFC 8785 order ("leaf_index" sorts after "execution_id")
    assertThat(leaf).isEqualTo(PYTHON_BYTES.replace("\"execution_id\"", "\"execution_id\"")
        .replaceFirst("(\"execution_id\":\"[^\"]*\",)", "$1\"leaf_index\":41,"));
    assertThat(Receipts.leafInput(FIELDS, 41)).isNotEqualTo(Receipts.leafInput(FIELDS, 42));
  }

  // ---------------------------------------------------------------------- re-serialisation

  @Test
  void should_verify_a_receipt_reserialised_with_another_member_order() {
    JsonObject signed = Receipts.sign(FIELDS, PAIR);
    // reverse both the envelope's and the receipt's member order, then let Jackson pretty-print
    List<String> names = new ArrayList<>(signed.getJsonObject("receipt").fieldNames());
    Collections.reverse(names);
    Map<String, Object> reversed = new LinkedHashMap<>();
    for (String n : names) {
      reversed.put(n, signed.getJsonObject("receipt").getValue(n));
    }
    JsonObject envelope = new JsonObject()
        .put("public_key_fingerprint", signed.getString("public_key_fingerprint"))
        .put("algorithm", "ed25519")
        .put("signature", signed.getString("signature"))
        .put("receipt", new JsonObject(reversed));
    String jackson = envelope.encodePrettily();
    assertThat(jackson.indexOf("\"chain_shard\"")).isLessThan(jackson.indexOf("\"action\""));

    assertThat(Receipts.verify(jackson, KEYS)).isTrue();
    assertThat(Receipts.verify(new JsonObject(jackson), KEYS)).isTrue();
  }

  @Test
  void should_verify_a_receipt_written_by_hand_with_escapes_and_whitespace() {
    String receipt = PYTHON_BYTES.replace(",", " ,\n  ").replace("shell.exec", "shell\\u002eexec")
        .replace("execute", "\\u0065xecute");
    String json = "{ \"algorithm\" : \"ed25519\", \"receipt\" : " + receipt
        + ", \"signature\": \"" + PYTHON_SIGNATURE + "\", \"public_key_fingerprint\": \""
        + Ed25519KeysTest.PYTHON_FINGERPRINT + "\", \"inclusion_proof\": null }";
    assertThat(Receipts.check(json, KEYS)).isEqualTo(Status.VALID);
  }

  // ------------------------------------------------------------------------------ tampering

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"version", "execution_id", "tenant_id", "agent_id", "tool", "action",
      "decision", "reason", "request_id", "timestamp", "event_hash", "prev_hash", "chain_shard"})
  void should_reject_a_receipt_with_any_member_changed(String member) {
    JsonObject signed = Receipts.sign(FIELDS, PAIR);
    JsonObject receipt = signed.getJsonObject("receipt");
    Object v = receipt.getValue(member);
    receipt.put(member, v instanceof Integer i ? i + 1 : v + "x");
    assertThat(Receipts.check(signed, KEYS)).isEqualTo(Status.BAD_SIGNATURE);

    receipt.put(member, (Object) null); // null instead of the value
    assertThat(Receipts.check(signed, KEYS)).isEqualTo(Status.BAD_SIGNATURE);
    receipt.remove(member); // member dropped
    assertThat(Receipts.check(signed, KEYS)).isEqualTo(Status.BAD_SIGNATURE);
    receipt.put(member, v); // restored
    assertThat(Receipts.check(signed, KEYS)).isEqualTo(Status.VALID);
  }

  @Test
  void should_reject_type_changes_and_added_members() {
    JsonObject signed = Receipts.sign(FIELDS, PAIR);
    signed.getJsonObject("receipt").put("chain_shard", "7");
    assertThat(Receipts.check(signed, KEYS)).isEqualTo(Status.BAD_SIGNATURE);

    JsonObject added = Receipts.sign(FIELDS, PAIR);
    added.getJsonObject("receipt").put("extra", true);
    assertThat(Receipts.check(added, KEYS)).isEqualTo(Status.BAD_SIGNATURE);
  }

  @Test
  void should_reject_tampered_or_misencoded_signatures() {
    JsonObject signed = Receipts.sign(FIELDS, PAIR);
    String sig = signed.getString("signature");
    char c = sig.charAt(10);
    String flipped = sig.substring(0, 10) + (c == 'A' ? 'B' : 'A') + sig.substring(11);
    assertThat(Receipts.check(signed.copy().put("signature", flipped), KEYS))
        .isEqualTo(Status.BAD_SIGNATURE);

    String std = java.util.Base64.getEncoder().encodeToString(
        java.util.Base64.getUrlDecoder().decode(sig));
    for (String bad : List.of(sig + "==", std, sig.substring(1), sig + "A", "", "A".repeat(86),
        sig.substring(0, 85) + (char) (sig.charAt(85) + 1))) {
      Status s = Receipts.check(signed.copy().put("signature", bad), KEYS);
      assertThat(s).as(bad).isIn(Status.MALFORMED, Status.BAD_SIGNATURE).isNotEqualTo(Status.VALID);
    }
    assertThat(Receipts.check(signed.copy().put("signature", sig + "=="), KEYS))
        .isEqualTo(Status.MALFORMED);
    assertThat(Receipts.check(signed.copy().put("signature", 5), KEYS)).isEqualTo(Status.MALFORMED);
  }

  @Test
  void should_reject_unknown_keys_and_algorithms() {
    JsonObject signed = Receipts.sign(FIELDS, PAIR);
    Ed25519Keys.KeyPair other = Ed25519Keys.KeyPair.of(Ed25519Keys.generate());

    assertThat(Receipts.check(signed, Map.of(other.fingerprint(), other.publicKey())))
        .isEqualTo(Status.UNKNOWN_KEY);
    // the right fingerprint mapped to the wrong key still fails
    assertThat(Receipts.check(signed, Map.of(PAIR.fingerprint(), other.publicKey())))
        .isEqualTo(Status.BAD_SIGNATURE);
    assertThat(Receipts.check(signed.copy().put("algorithm", "EdDSA"), KEYS))
        .isEqualTo(Status.UNSUPPORTED_ALGORITHM);
    assertThat(Receipts.check(signed.copy().put("algorithm", "ED25519"), KEYS))
        .isEqualTo(Status.UNSUPPORTED_ALGORITHM);
    assertThat(Receipts.check(signed.copy().put("receipt", "{}"), KEYS))
        .isEqualTo(Status.MALFORMED);
    assertThat(Receipts.check("[1]", KEYS)).isEqualTo(Status.MALFORMED);
  }

  @Test
  void should_verify_with_a_historical_key_after_rotation() {
    Ed25519Keys.KeyPair current = Ed25519Keys.KeyPair.of(Ed25519Keys.generate());
    JsonObject oldReceipt = Receipts.sign(FIELDS, PAIR);
    JsonObject newReceipt = Receipts.sign(FIELDS, current);
    Map<String, Ed25519PublicKeyParameters> both = Map.of(PAIR.fingerprint(), PAIR.publicKey(),
        current.fingerprint(), current.publicKey());

    assertThat(Receipts.verify(oldReceipt, both)).isTrue();
    assertThat(Receipts.verify(newReceipt, both)).isTrue();
  }

  /** Duplicate member names could show a verifier one receipt and a reader another. */
  @Test
  void should_reject_duplicate_members_in_text() {
    String json = Receipts.sign(FIELDS, PAIR).encode();
    String dup = json.replace("\"decision\":\"deny\"",
        "\"decision\":\"deny\",\"decision\":\"allow\"");
    assertThat(dup).isNotEqualTo(json);
    assertThat(Receipts.check(dup, KEYS)).isEqualTo(Status.MALFORMED);
  }

  // --------------------------------------------------------------------------------- fields

  @Test
  void should_read_verified_fields_back() {
    JsonObject signed = Receipts.sign(FIELDS, PAIR);
    assertThat(Receipts.verifiedFields(signed, KEYS)).isEqualTo(FIELDS);
    assertThat(Receipts.verifiedFields(new JsonObject(signed.encode()), KEYS)).isEqualTo(FIELDS);
    assertThat(ReceiptFields.fromJson((JsonObject) Jcs.parse(PYTHON_BYTES))).isEqualTo(FIELDS);

    JsonObject tampered = signed.copy();
    tampered.getJsonObject("receipt").put("decision", "allow");
    assertThatThrownBy(() -> Receipts.verifiedFields(tampered, KEYS))
        .isInstanceOf(EvidenceException.class)
        .extracting(e -> ((EvidenceException) e).reason()).isEqualTo(Reason.INVALID_SIGNATURE);
    assertThatThrownBy(() -> ReceiptFields.fromJson(FIELDS.toJson().put("version", 2)))
        .isInstanceOf(EvidenceException.class);
    assertThatThrownBy(() -> ReceiptFields.fromJson(FIELDS.toJson().put("extra", 1)))
        .isInstanceOf(EvidenceException.class);
  }

  @Test
  void should_sign_concurrently() {
    long bad = IntStream.range(0, 1_000).parallel().filter(i -> {
      ReceiptFields f = new ReceiptFields("exec-" + i, FIELDS.tenantId(), FIELDS.agentId(),
          FIELDS.tool(), FIELDS.action(), FIELDS.decision(), FIELDS.reason(), "req-" + i,
          FIELDS.timestamp(), FIELDS.eventHash(), FIELDS.prevHash(), i % 16);
      JsonObject signed = Receipts.sign(f, PAIR);
      return !Receipts.verify(signed, KEYS)
          || !Receipts.verifiedFields(signed, KEYS).equals(f);
    }).count();
    assertThat(bad).isZero();
  }
}
