package dev.aegis.pipeline.evidence;

import static dev.aegis.pipeline.evidence.SignedNoteTest.assertReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.evidence.EvidenceException.Reason;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.Map;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The daily transparency root: empty-epoch rule, payload bytes, sign/verify. */
class DailyRootTest {

  static final Ed25519Keys.KeyPair PAIR = Ed25519Keys.KeyPair.of(Ed25519KeysTest.rfcKey());
  static final Map<String, Ed25519PublicKeyParameters> KEYS =
      Map.of(PAIR.fingerprint(), PAIR.publicKey());
  static final String TENANT = "11111111-2222-3333-4444-555555555555";
  static final String PREV = "5f".repeat(32);

  /**
   * Computed independently with CPython's hashlib while writing this test:
   * {@code sha256((prev + "\ntransparency_empty_epoch_v1\n").encode()).hexdigest()}.
   */
  static final String EMPTY_EPOCH_OF_PREV =
      "c1293bc6aeec497d018c0a2b381367422da1df8adfe242ac73f102ad94f1bf9d";

  /** {@code json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)}. */
  static final String PYTHON_PAYLOAD = "{\"kind\":\"aegis.transparency_root\",\"leaf_count\":0,"
      + "\"leaf_range_end_id\":null,\"leaf_range_start_id\":null,\"prev_root_hash\":\""
      + PREV + "\",\"root_date\":\"2025-02-01\",\"root_hash\":\"" + EMPTY_EPOCH_OF_PREV + "\","
      + "\"tenant_id\":\"" + TENANT + "\",\"version\":1,"
      + "\"window_end\":\"2025-02-01T23:59:59.999999+00:00\"}";

  /** Python {@code cryptography}'s signature over PYTHON_PAYLOAD with the RFC 8032 test key. */
  static final String PYTHON_SIGNATURE = "ozl+fx7BgJ1CuNOXRsGKreIjgN+TIuFtNjEZC50YdJkH0+kG3GVp"
      + "Y9HYNK9EyjUeNXMCoxGFYPOttct80ogMCQ==";

  static DailyRoot emptyDay() {
    return DailyRoot.emptyEpoch("2025-02-01", TENANT, PREV, "2025-02-01T23:59:59.999999+00:00");
  }

  static DailyRoot busyDay() {
    return new DailyRoot("2025-01-31", "ab".repeat(32), TENANT, 1234,
        "0190a1b2-0000-7000-8000-000000000001", "0190a1b2-0000-7000-8000-0000000004d2", PREV,
        "2025-01-31T23:59:59.999999+00:00");
  }

  // ----------------------------------------------------------------------------- empty epoch

  @Test
  void should_compute_the_empty_epoch_root_as_python_does() {
    assertThat(DailyRoot.emptyEpochRoot(PREV)).isEqualTo(EMPTY_EPOCH_OF_PREV);
    // a second vector: prev = sha256("aegis")
    assertThat(DailyRoot.emptyEpochRoot(
        "598f7a741a1e3a05654d346033571fda567af6dc2bf099b34b930171519d995f"))
        .isEqualTo("5c7517efce6cee19bd91c3322f01efa81a4c924675dcb9f1142422685cc76214");
  }

  @Test
  void should_chain_consecutive_empty_days() {
    DailyRoot d1 = emptyDay();
    DailyRoot d2 = DailyRoot.emptyEpoch("2025-02-02", TENANT, d1.rootHash(), "2025-02-02T23:59:59Z");

    assertThat(d1.rootHash()).isEqualTo(EMPTY_EPOCH_OF_PREV);
    assertThat(d1.leafCount()).isZero();
    assertThat(d1.leafRangeStartId()).isNull();
    assertThat(d2.prevRootHash()).isEqualTo(d1.rootHash());
    assertThat(d2.rootHash()).isEqualTo(DailyRoot.emptyEpochRoot(d1.rootHash()))
        .isNotEqualTo(d1.rootHash());
    // a tenant's very first day, empty: the empty-tree hash, no previous root
    DailyRoot first = DailyRoot.emptyEpoch("2025-01-01", TENANT, null, "2025-01-01T23:59:59Z");
    assertThat(first.rootHash()).isEqualTo(DailyRoot.EMPTY_TREE_ROOT)
        .isEqualTo(Digests.sha256Hex(new byte[0]));
    assertThat(first.prevRootHash()).isNull();
  }

  @Test
  void should_reject_a_malformed_previous_root() {
    assertThatThrownBy(() -> DailyRoot.emptyEpochRoot(PREV.toUpperCase()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DailyRoot.emptyEpochRoot("5f"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --------------------------------------------------------------------------------- payload

  @Test
  void should_produce_the_original_payload_bytes_and_signature() {
    DailyRoot day = emptyDay();
    assertThat(day.canonicalPayload()).isEqualTo(PYTHON_PAYLOAD);

    DailyRoot.Signed signed = day.sign(PAIR);
    assertThat(signed.payload()).isEqualTo(PYTHON_PAYLOAD);
    assertThat(signed.signature()).isEqualTo(PYTHON_SIGNATURE);
    assertThat(signed.algorithm()).isEqualTo("ed25519");
    assertThat(signed.keyFingerprint()).isEqualTo(Ed25519KeysTest.PYTHON_FINGERPRINT);
    assertThat(signed.toJson().fieldNames()).containsExactlyInAnyOrder("signed_root_payload",
        "signature", "algorithm", "signing_key_fingerprint");
  }

  @Test
  void should_sign_and_verify() {
    DailyRoot day = busyDay();
    DailyRoot.Signed signed = day.sign(PAIR);

    assertThat(DailyRoot.verify(signed, KEYS)).isEqualTo(day);
    assertThat(DailyRoot.verify(PYTHON_PAYLOAD, PYTHON_SIGNATURE,
        Ed25519KeysTest.PYTHON_FINGERPRINT, KEYS)).isEqualTo(emptyDay());
    // base64url without padding names the same signature
    String url = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(Base64.getDecoder().decode(signed.signature()));
    assertThat(DailyRoot.verify(signed.payload(), url, signed.keyFingerprint(), KEYS))
        .isEqualTo(day);
    // a re-serialised payload (other order, whitespace) still verifies
    String pretty = day.toJson().encodePrettily();
    assertThat(DailyRoot.verify(pretty, signed.signature(), signed.keyFingerprint(), KEYS))
        .isEqualTo(day);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"kind", "version", "root_date", "root_hash", "tenant_id", "leaf_count",
      "leaf_range_start_id", "leaf_range_end_id", "prev_root_hash", "window_end"})
  void should_reject_a_payload_with_any_member_changed(String member) {
    DailyRoot.Signed signed = busyDay().sign(PAIR);
    JsonObject payload = (JsonObject) Jcs.parse(signed.payload());
    Object v = payload.getValue(member);
    Object changed;
    if (v instanceof Long l) {
      changed = l + 1;
    } else if (member.endsWith("hash")) {
      changed = "cd".repeat(32);
    } else if (member.equals("root_date")) {
      changed = "2025-01-30";
    } else {
      changed = v + "0";
    }
    payload.put(member, changed);
    assertReason(() -> DailyRoot.verify(payload.encode(), signed.signature(),
        signed.keyFingerprint(), KEYS), Reason.INVALID_SIGNATURE);
  }

  @Test
  void should_reject_unknown_keys_and_bad_signatures() {
    DailyRoot.Signed signed = busyDay().sign(PAIR);
    Ed25519Keys.KeyPair other = Ed25519Keys.KeyPair.of(Ed25519Keys.generate());

    assertReason(() -> DailyRoot.verify(signed, Map.of(other.fingerprint(), other.publicKey())),
        Reason.NO_TRUSTED_SIGNATURE);
    assertReason(() -> DailyRoot.verify(signed.payload(), signed.signature(), null, KEYS),
        Reason.NO_TRUSTED_SIGNATURE);
    assertReason(() -> DailyRoot.verify(signed, Map.of(PAIR.fingerprint(), other.publicKey())),
        Reason.INVALID_SIGNATURE);
    String other64 = Base64.getEncoder().encodeToString(other.sign(busyDay().canonicalBytes()));
    assertReason(() -> DailyRoot.verify(signed.payload(), other64, signed.keyFingerprint(), KEYS),
        Reason.INVALID_SIGNATURE);
    assertReason(() -> DailyRoot.verify(signed.payload(), "AAAA", signed.keyFingerprint(), KEYS),
        Reason.INVALID_SIGNATURE);
    assertReason(() -> DailyRoot.verify(signed.payload(),
        signed.signature().replace("==", ""), signed.keyFingerprint(), KEYS),
        Reason.INVALID_SIGNATURE);
    assertReason(() -> DailyRoot.verify("{\"kind\":1,\"kind\":2}", signed.signature(),
        signed.keyFingerprint(), KEYS), Reason.MALFORMED_ENVELOPE);
  }

  /** Verifies that a validly signed object of another kind is not taken for a root. */
  @Test
  void should_reject_a_signed_payload_of_another_kind_or_version() {
    JsonObject wrongKind = busyDay().toJson().put("kind", "aegis.receipt");
    JsonObject wrongVersion = busyDay().toJson().put("version", 2);
    JsonObject extra = busyDay().toJson().put("note", "x");
    for (JsonObject p : new JsonObject[] {wrongKind, wrongVersion, extra}) {
      String sig = Base64.getEncoder().encodeToString(PAIR.sign(Jcs.canonicalize(p)));
      assertReason(() -> DailyRoot.verify(p.encode(), sig, PAIR.fingerprint(), KEYS),
          Reason.MALFORMED_ENVELOPE);
    }
  }

  @Test
  void should_validate_fields() {
    assertThatThrownBy(() -> new DailyRoot("2025-2-1", EMPTY_EPOCH_OF_PREV, TENANT, 0, null, null,
        null, "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DailyRoot("2025-02-30", EMPTY_EPOCH_OF_PREV, TENANT, 0, null,
        null, null, "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DailyRoot("2025-02-01", EMPTY_EPOCH_OF_PREV.toUpperCase(), TENANT,
        0, null, null, null, "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DailyRoot("2025-02-01", EMPTY_EPOCH_OF_PREV, TENANT, -1, null,
        null, null, "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DailyRoot("2025-02-01", EMPTY_EPOCH_OF_PREV, TENANT, 0, null,
        null, "nothex", "x")).isInstanceOf(IllegalArgumentException.class);
  }
}
