package dev.aegis.pipeline.evidence;

import dev.aegis.pipeline.evidence.EvidenceException.Reason;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.Map;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * AEVF receipts (SPEC §0 and §4.3): the signed envelope served at
 * {@code GET /receipts/{execution_id}}:
 *
 * <pre>
 * {"receipt": {version:1, execution_id, tenant_id, agent_id, tool, action, decision, reason,
 *              request_id, timestamp, event_hash, prev_hash, chain_shard},
 *  "signature": base64url-without-padding(Ed25519(canonical receipt bytes)),
 *  "algorithm": "ed25519",
 *  "public_key_fingerprint": sha256_hex(PEM text of the public key)}
 * </pre>
 *
 * <p><b>What is signed.</b> We sign the RFC 8785 (JCS) bytes of the receipt object. The original
 * signed Python's {@code json.dumps(receipt, sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False)}. For a receipt, whose members are strings, nulls and small integers, the two
 * are byte-identical: same member order (ASCII names), same separators, raw UTF-8, the same
 * escapes ({@code \" \\ \n \r \t \b \f}, other controls as lower-case
 * <code>&#92;u00xx</code>), and small
 * integers print alike. They would differ only on floats ({@code 1.0} vs {@code 1}), on integers
 * above 2^53, and on member names outside the Basic Multilingual Plane (code-point vs UTF-16
 * order), none of which a receipt carries. So receipts signed by the original verify here and
 * ours verify in its verifier.
 *
 * <p><b>Verification re-canonicalises</b>: a receipt re-serialised with another member order or
 * whitespace (by Jackson, by hand) still verifies; changing any value does not.
 *
 * <p><b>Merkle leaf.</b> A row's leaf input is exactly the canonical receipt bytes
 * ({@link #leafInput}); the tree applies its own hashing to it (RFC 9162: SHA-256(0x00 || input)).
 *
 * <p>Stateless and thread safe.
 */
public final class Receipts {

  public static final String ALGORITHM = "ed25519";

  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private Receipts() {}

  /** The outcome of {@link #check}: why a receipt is or is not valid. */
  public enum Status {
    VALID,
    /** Not an envelope of the wire contract (missing or mistyped member, bad base64url). */
    MALFORMED,
    /** {@code algorithm} is not {@code "ed25519"}. */
    UNSUPPORTED_ALGORITHM,
    /** No trusted key has this fingerprint (current and historical keys are all trusted). */
    UNKNOWN_KEY,
    /** The signature does not match the receipt (tampered receipt or signature). */
    BAD_SIGNATURE
  }

  /** The receipt object. */
  public static JsonObject receipt(ReceiptFields fields) {
    return fields.toJson();
  }

  /** The RFC 8785 bytes of the receipt object: what is signed. */
  public static byte[] canonicalBytes(ReceiptFields fields) {
    return Jcs.canonicalize(fields.toJson());
  }

  /**
   * The Merkle leaf input of a row: the RFC 8785 bytes of its receipt object with one more member,
   * {@code leaf_index}, its position in the tenant's log. Binding the position into the leaf
   * makes a reordering of rows visible at the exact row (its stored leaf hash no longer matches
   * its position), not only as a changed root. The tree applies its RFC 9162 leaf hash on top.
   */
  public static byte[] leafInput(ReceiptFields fields, long leafIndex) {
    return Jcs.canonicalize(fields.toJson().put("leaf_index", leafIndex));
  }

  /** Signs a receipt; computes the key's fingerprint (prefer the {@code KeyPair} form when hot). */
  public static JsonObject sign(ReceiptFields fields, Ed25519PrivateKeyParameters privateKey) {
    return sign(fields, Ed25519Keys.KeyPair.of(privateKey));
  }

  /** Signs a receipt and returns the wire envelope. */
  public static JsonObject sign(ReceiptFields fields, Ed25519Keys.KeyPair key) {
    JsonObject receipt = fields.toJson();
    byte[] sig = key.sign(Jcs.canonicalize(receipt));
    return new JsonObject()
        .put("receipt", receipt)
        .put("signature", B64URL.encodeToString(sig))
        .put("algorithm", ALGORITHM)
        .put("public_key_fingerprint", key.fingerprint());
  }

  /** True iff {@link #check(JsonObject, Map)} is {@link Status#VALID}. */
  public static boolean verify(JsonObject signed,
      Map<String, Ed25519PublicKeyParameters> publicKeysByFingerprint) {
    return check(signed, publicKeysByFingerprint) == Status.VALID;
  }

  /** True iff {@link #check(String, Map)} is {@link Status#VALID}. */
  public static boolean verify(String signedJson,
      Map<String, Ed25519PublicKeyParameters> publicKeysByFingerprint) {
    return check(signedJson, publicKeysByFingerprint) == Status.VALID;
  }

  /**
   * Checks an envelope given as JSON text, parsed strictly (duplicate member names, which could
   * show a verifier and a reader different receipts, make it {@link Status#MALFORMED}).
   */
  public static Status check(String signedJson,
      Map<String, Ed25519PublicKeyParameters> publicKeysByFingerprint) {
    Object parsed;
    try {
      parsed = Jcs.parse(signedJson);
    } catch (EvidenceException e) {
      return Status.MALFORMED;
    }
    if (!(parsed instanceof JsonObject)) {
      return Status.MALFORMED;
    }
    return check((JsonObject) parsed, publicKeysByFingerprint);
  }

  /**
   * Checks an envelope: algorithm, key by fingerprint, then the Ed25519 signature over the RFC
   * 8785 bytes of {@code receipt} as received (re-canonicalised). Only the signature is checked
   * here; {@link ReceiptFields#fromJson} checks the receipt's shape. Extra envelope members are
   * allowed (an added field never breaks an old client).
   */
  public static Status check(JsonObject signed,
      Map<String, Ed25519PublicKeyParameters> publicKeysByFingerprint) {
    if (signed == null) {
      return Status.MALFORMED;
    }
    Object receipt = signed.getValue("receipt");
    Object signature = signed.getValue("signature");
    Object algorithm = signed.getValue("algorithm");
    Object fingerprint = signed.getValue("public_key_fingerprint");
    if (!(receipt instanceof JsonObject) || !(signature instanceof String)
        || !(algorithm instanceof String) || !(fingerprint instanceof String)) {
      return Status.MALFORMED;
    }
    if (!ALGORITHM.equals(algorithm)) {
      return Status.UNSUPPORTED_ALGORITHM;
    }
    Ed25519PublicKeyParameters key = publicKeysByFingerprint.get(fingerprint);
    if (key == null) {
      return Status.UNKNOWN_KEY;
    }
    byte[] sig = decodeSignature((String) signature);
    if (sig == null) {
      return Status.MALFORMED;
    }
    byte[] message;
    try {
      message = Jcs.canonicalize(receipt);
    } catch (EvidenceException e) {
      return Status.MALFORMED;
    }
    return Ed25519Keys.verify(key, message, sig) ? Status.VALID : Status.BAD_SIGNATURE;
  }

  /**
   * Verifies and reads the receipt fields, throwing on any failure.
   *
   * @throws EvidenceException {@link Reason#INVALID_SIGNATURE}, {@link Reason#NO_TRUSTED_SIGNATURE}
   *     or {@link Reason#MALFORMED_ENVELOPE}
   */
  public static ReceiptFields verifiedFields(JsonObject signed,
      Map<String, Ed25519PublicKeyParameters> publicKeysByFingerprint) {
    Status s = check(signed, publicKeysByFingerprint);
    switch (s) {
      case VALID:
        return ReceiptFields.fromJson(signed.getJsonObject("receipt"));
      case UNKNOWN_KEY:
        throw new EvidenceException(Reason.NO_TRUSTED_SIGNATURE, "receipt key is not trusted");
      case BAD_SIGNATURE:
        throw new EvidenceException(Reason.INVALID_SIGNATURE, "receipt signature fails");
      default:
        throw new EvidenceException(Reason.MALFORMED_ENVELOPE, "receipt envelope: " + s);
    }
  }

  /** Strict base64url without padding, exactly 64 bytes; null otherwise. */
  private static byte[] decodeSignature(String s) {
    if (s.length() != 86) { // ceil(64 * 4 / 3) characters, no padding
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_')) {
        return null;
      }
    }
    byte[] sig;
    try {
      sig = Base64.getUrlDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
    // reject non-zero trailing bits (a second spelling of the same signature)
    return sig.length == Ed25519Keys.SIGNATURE_SIZE && B64URL.encodeToString(sig).equals(s)
        ? sig : null;
  }
}
