package dev.aegis.pipeline.evidence;

/**
 * A piece of evidence (canonical JSON, key, signed note, checkpoint, receipt, daily root) was
 * malformed or did not verify. {@link #reason()} is a stable key for metrics, verifier reports
 * and tests; the message is for humans and never carries key material.
 */
public final class EvidenceException extends RuntimeException {

  /** Why the evidence was rejected. */
  public enum Reason {
    /** JSON text is not valid I-JSON for RFC 8785 (syntax, duplicate key, lone surrogate, NaN). */
    INVALID_JSON,
    /** A value cannot be canonicalised (unsupported type, non-finite or inexact number). */
    UNSUPPORTED_VALUE,
    /** A key encoding (raw, PKCS#8, SPKI, PEM) is malformed or not Ed25519. */
    INVALID_KEY,
    /** A signed note breaks the C2SP signed-note grammar. */
    MALFORMED_NOTE,
    /** A checkpoint body breaks the C2SP tlog-checkpoint grammar. */
    MALFORMED_CHECKPOINT,
    /** The checkpoint's origin is not the one the verifier expects. */
    WRONG_ORIGIN,
    /** The checkpoint is smaller than one the verifier has already seen. */
    ROLLBACK,
    /** A signature from a known key did not verify. */
    INVALID_SIGNATURE,
    /** No signature from a trusted key: nothing may be concluded from the text. */
    NO_TRUSTED_SIGNATURE,
    /** A signed envelope (receipt, daily root) has missing or mistyped fields. */
    MALFORMED_ENVELOPE
  }

  private final Reason reason;

  public EvidenceException(Reason reason, String message) {
    super(reason.name() + ": " + message);
    this.reason = reason;
  }

  public EvidenceException(Reason reason, String message, Throwable cause) {
    super(reason.name() + ": " + message, cause);
    this.reason = reason;
  }

  /** The stable rejection key. */
  public Reason reason() {
    return reason;
  }
}
