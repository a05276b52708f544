package dev.aegis.pipeline.merkle;

/**
 * A Merkle proof was rejected by {@link MerkleVerifier}. Every rejection, including malformed
 * or null input, is reported this way (never as a bare {@link NullPointerException} or a
 * {@code false}), so a caller that forgets to handle it fails closed.
 */
public final class ProofException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why a proof was rejected. */
  public enum Reason {
    /** A null argument, a null proof list or element, or a hash that is not 32 bytes. */
    MALFORMED,
    /** Inclusion: the index is negative or not below the tree size (always so for size 0). */
    INDEX_OUT_OF_RANGE,
    /** Consistency: a negative size, or the first size is larger than the second. */
    BAD_SIZES,
    /** The proof has the wrong number of elements for the sizes (e.g. non-empty when m = n). */
    WRONG_PROOF_SIZE,
    /** The proof is well formed but the recomputed root(s) differ from the given one(s). */
    ROOT_MISMATCH
  }

  private final Reason reason;

  public ProofException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  /** The class of failure. */
  public Reason reason() {
    return reason;
  }
}
