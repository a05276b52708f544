package dev.aegis.pipeline.evidence;

import dev.aegis.pipeline.evidence.EvidenceException.Reason;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * The daily transparency root of a tenant (SPEC §4.3) and its signed payload: the RFC 8785 bytes
 * of
 *
 * <pre>
 * {kind: "aegis.transparency_root", version: 1, root_date, root_hash, tenant_id, leaf_count,
 *  leaf_range_start_id, leaf_range_end_id, prev_root_hash, window_end}
 * </pre>
 *
 * <p>For these members (ASCII names, strings, nulls, integers below 2^53) RFC 8785 output equals
 * the original's compact sorted {@code json.dumps}. A day with no rows has the empty-epoch root
 * {@code sha256_hex(prev_root_hex + "\ntransparency_empty_epoch_v1\n")}, which keeps the chain of
 * days unbroken; the very first day of a tenant, having no previous root, uses the empty-tree
 * hash {@code sha256("")} instead ({@link #EMPTY_TREE_ROOT}).
 *
 * <p>The signature is Ed25519 over the payload bytes, stored as standard base64 with padding
 * (the bundle's {@code signature_b64}); {@link #verify} also accepts base64url without padding,
 * the receipts' spelling, as both name the same 64 bytes.
 *
 * @param rootDate the UTC day, {@code yyyy-MM-dd}
 * @param rootHash the day's Merkle root, 64 lower-case hex
 * @param leafCount rows in the day
 * @param leafRangeStartId first row id of the day (null for an empty day)
 * @param leafRangeEndId last row id of the day (null for an empty day)
 * @param prevRootHash the previous day's root (null only for a tenant's first day)
 * @param windowEnd ISO-8601 end of the window the root covers (advances while the day is open)
 */
public record DailyRoot(String rootDate, String rootHash, String tenantId, long leafCount,
    String leafRangeStartId, String leafRangeEndId, String prevRootHash, String windowEnd) {

  public static final String KIND = "aegis.transparency_root";
  public static final int VERSION = 1;
  /** SHA-256 of nothing: the empty tree (RFC 9162) and the root of a tenant's empty first day. */
  public static final String EMPTY_TREE_ROOT =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private static final String EMPTY_EPOCH_TAG = "\ntransparency_empty_epoch_v1\n";
  private static final Set<String> NAMES = Set.of("kind", "version", "root_date", "root_hash",
      "tenant_id", "leaf_count", "leaf_range_start_id", "leaf_range_end_id", "prev_root_hash",
      "window_end");

  public DailyRoot {
    if (rootDate == null) {
      throw new IllegalArgumentException("root_date is required");
    }
    try {
      if (!LocalDate.parse(rootDate).toString().equals(rootDate)) {
        throw new IllegalArgumentException("root_date must be yyyy-MM-dd");
      }
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("root_date must be yyyy-MM-dd", e);
    }
    if (!Digests.isSha256Hex(rootHash)) {
      throw new IllegalArgumentException("root_hash must be 64 lower-case hex");
    }
    if (prevRootHash != null && !Digests.isSha256Hex(prevRootHash)) {
      throw new IllegalArgumentException("prev_root_hash must be null or 64 lower-case hex");
    }
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(windowEnd, "windowEnd");
    if (leafCount < 0 || leafCount > (1L << 53)) {
      throw new IllegalArgumentException("leaf_count out of range");
    }
  }

  /** A signed root as stored and served. */
  public record Signed(DailyRoot root, String payload, String signature, String algorithm,
      String keyFingerprint) {

    /** {signed_root_payload, signature, algorithm, signing_key_fingerprint}. */
    public JsonObject toJson() {
      return new JsonObject()
          .put("signed_root_payload", payload)
          .put("signature", signature)
          .put("algorithm", algorithm)
          .put("signing_key_fingerprint", keyFingerprint);
    }
  }

  // ---------------------------------------------------------------------------- empty epochs

  /** {@code sha256_hex(prevRootHex + "\ntransparency_empty_epoch_v1\n")}. */
  public static String emptyEpochRoot(String prevRootHex) {
    if (!Digests.isSha256Hex(prevRootHex)) {
      throw new IllegalArgumentException("previous root must be 64 lower-case hex");
    }
    return Digests.sha256Hex(prevRootHex + EMPTY_EPOCH_TAG);
  }

  /** The root of a day without rows: chained to the previous day, or the empty tree if none. */
  public static DailyRoot emptyEpoch(String rootDate, String tenantId, String prevRootHash,
      String windowEnd) {
    String root = prevRootHash == null ? EMPTY_TREE_ROOT : emptyEpochRoot(prevRootHash);
    return new DailyRoot(rootDate, root, tenantId, 0, null, null, prevRootHash, windowEnd);
  }

  // --------------------------------------------------------------------------------- payload

  /** The payload object, members in SPEC order. */
  public JsonObject toJson() {
    Map<String, Object> m = new LinkedHashMap<>(16);
    m.put("kind", KIND);
    m.put("version", VERSION);
    m.put("root_date", rootDate);
    m.put("root_hash", rootHash);
    m.put("tenant_id", tenantId);
    m.put("leaf_count", leafCount);
    m.put("leaf_range_start_id", leafRangeStartId);
    m.put("leaf_range_end_id", leafRangeEndId);
    m.put("prev_root_hash", prevRootHash);
    m.put("window_end", windowEnd);
    return new JsonObject(m);
  }

  /** The signed payload bytes (RFC 8785). */
  public byte[] canonicalBytes() {
    return Jcs.canonicalize(toJson());
  }

  /** The signed payload as text ({@code signed_root_payload}). */
  public String canonicalPayload() {
    return new String(canonicalBytes(), StandardCharsets.UTF_8);
  }

  /** Signs the payload. */
  public Signed sign(Ed25519Keys.KeyPair key) {
    byte[] payload = canonicalBytes();
    String sig = Base64.getEncoder().encodeToString(key.sign(payload));
    return new Signed(this, new String(payload, StandardCharsets.UTF_8), sig, Receipts.ALGORITHM,
        key.fingerprint());
  }

  /**
   * Verifies a signed payload and reads it back. The payload is parsed strictly and
   * re-canonicalised before checking, so only its content matters.
   *
   * @throws EvidenceException {@link Reason#NO_TRUSTED_SIGNATURE} for an unknown fingerprint
   *     (AEVF V4: unknown key id = fail), {@link Reason#INVALID_SIGNATURE},
   *     {@link Reason#MALFORMED_ENVELOPE} for a payload of the wrong kind, version or shape
   */
  public static DailyRoot verify(String payload, String signature, String keyFingerprint,
      Map<String, Ed25519PublicKeyParameters> publicKeysByFingerprint) {
    Ed25519PublicKeyParameters key = keyFingerprint == null ? null
        : publicKeysByFingerprint.get(keyFingerprint);
    if (key == null) {
      throw new EvidenceException(Reason.NO_TRUSTED_SIGNATURE,
          "root signed by unknown key " + keyFingerprint);
    }
    Object parsed;
    try {
      parsed = Jcs.parse(payload);
    } catch (EvidenceException e) {
      throw new EvidenceException(Reason.MALFORMED_ENVELOPE, "root payload is not JSON", e);
    }
    if (!(parsed instanceof JsonObject)) {
      throw new EvidenceException(Reason.MALFORMED_ENVELOPE, "root payload is not an object");
    }
    JsonObject obj = (JsonObject) parsed;
    byte[] sig = decodeSignature(signature);
    if (sig == null || !Ed25519Keys.verify(key, Jcs.canonicalize(obj), sig)) {
      throw new EvidenceException(Reason.INVALID_SIGNATURE, "root signature fails");
    }
    return fromJson(obj);
  }

  /** {@link #verify(String, String, String, Map)} on a {@link Signed}. */
  public static DailyRoot verify(Signed signed,
      Map<String, Ed25519PublicKeyParameters> publicKeysByFingerprint) {
    if (!Receipts.ALGORITHM.equals(signed.algorithm())) {
      throw new EvidenceException(Reason.MALFORMED_ENVELOPE,
          "unsupported algorithm " + signed.algorithm());
    }
    return verify(signed.payload(), signed.signature(), signed.keyFingerprint(),
        publicKeysByFingerprint);
  }

  /**
   * Reads a payload object. Strict: exactly the ten members, the right kind and version.
   *
   * @throws EvidenceException {@link Reason#MALFORMED_ENVELOPE}
   */
  public static DailyRoot fromJson(JsonObject payload) {
    Map<String, Object> m = payload.getMap();
    if (!m.keySet().equals(NAMES)) {
      throw bad("root payload members are not exactly " + NAMES);
    }
    if (!KIND.equals(m.get("kind"))) {
      throw bad("kind is not " + KIND);
    }
    if (integer(m.get("version")) != VERSION) {
      throw bad("unsupported root version");
    }
    try {
      return new DailyRoot(text(m, "root_date"), text(m, "root_hash"), text(m, "tenant_id"),
          integer(m.get("leaf_count")), text(m, "leaf_range_start_id"),
          text(m, "leaf_range_end_id"), text(m, "prev_root_hash"), text(m, "window_end"));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new EvidenceException(Reason.MALFORMED_ENVELOPE, e.getMessage(), e);
    }
  }

  private static String text(Map<String, Object> m, String name) {
    Object v = m.get(name);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw bad(name + " is not a string");
  }

  private static long integer(Object v) {
    if (v instanceof Long || v instanceof Integer) {
      return ((Number) v).longValue();
    }
    throw bad("expected an integer, got " + v);
  }

  /** Standard padded base64 or base64url without padding, canonical, 64 bytes; else null. */
  private static byte[] decodeSignature(String s) {
    if (s == null) {
      return null;
    }
    boolean url = s.length() == 86;
    if (!url && s.length() != 88) {
      return null;
    }
    try {
      byte[] sig = url ? Base64.getUrlDecoder().decode(s) : Base64.getDecoder().decode(s);
      String again = url ? Base64.getUrlEncoder().withoutPadding().encodeToString(sig)
          : Base64.getEncoder().encodeToString(sig);
      return sig.length == Ed25519Keys.SIGNATURE_SIZE && again.equals(s) ? sig : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static EvidenceException bad(String what) {
    return new EvidenceException(Reason.MALFORMED_ENVELOPE, what);
  }
}
