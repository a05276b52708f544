package dev.aegis.pipeline.merkle;

import dev.aegis.pipeline.merkle.ProofException.Reason;
import java.util.List;

/**
 * RFC 9162 proof verification: inclusion (§2.1.3.2) and consistency (§2.1.4.2).
 *
 * <p><b>Style:</b> a proof is accepted by returning normally and rejected by throwing
 * {@link ProofException} (unchecked) with a {@link ProofException.Reason}; nothing else is
 * thrown for any input, null included. There is no boolean variant, so an ignored result cannot
 * silently accept.
 *
 * <p>Beyond the RFC algorithms (which are run as written) the verifier checks up front that
 * every hash is exactly 32 bytes and that the proof has exactly the length
 * {@link MerkleMath} prescribes for the sizes, so padding, truncation and garbage are rejected
 * with {@link Reason#WRONG_PROOF_SIZE} or {@link Reason#MALFORMED} before any hashing. An empty
 * proof is an empty list, not null (the Go vectors' {@code "proof": null} is an empty slice).
 * Hashes are compared in constant time. Stateless and thread safe.
 */
public final class MerkleVerifier {

  private MerkleVerifier() {}

  /**
   * Checks that {@code leafHash} is leaf {@code index} of the tree of {@code size} leaves whose
   * root is {@code root}.
   *
   * @param index leaf index, {@code 0 <= index < size}
   * @param size tree size
   * @param leafHash {@link MerkleHash#leafHash} of the entry, 32 bytes
   * @param proof the inclusion path, bottom to top (empty when {@code size == 1})
   * @param root the tree's root, 32 bytes
   * @throws ProofException if the proof does not hold
   */
  public static void verifyInclusion(long index, long size, byte[] leafHash, List<byte[]> proof,
      byte[] root) {
    hash(root, "root");
    byte[] computed = rootFromInclusionProof(index, size, leafHash, proof);
    if (!MerkleHash.equal(computed, root)) {
      throw new ProofException(Reason.ROOT_MISMATCH, "inclusion proof of leaf " + index
          + " in tree of size " + size + " does not lead to the given root");
    }
  }

  /**
   * The root that an inclusion proof implies: {@code MTH(D[0:size])} if the proof is genuine.
   * Compare it with a trusted root (or use {@link #verifyInclusion}).
   *
   * @throws ProofException if the inputs are malformed or the proof has the wrong length
   */
  public static byte[] rootFromInclusionProof(long index, long size, byte[] leafHash,
      List<byte[]> proof) {
    if (index < 0 || size < 0 || index >= size) {
      throw new ProofException(Reason.INDEX_OUT_OF_RANGE, "need 0 <= index < size, got index "
          + Long.toUnsignedString(index) + ", size " + Long.toUnsignedString(size));
    }
    hash(leafHash, "leafHash");
    int want = MerkleMath.inclusionProofLength(index, size);
    checkProof(proof, want, "inclusion proof for index " + index + ", size " + size);

    // RFC 9162 §2.1.3.2, steps 2-5.
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (sn == 0) {
        throw new ProofException(Reason.WRONG_PROOF_SIZE, "inclusion proof too long");
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = MerkleHash.nodeHash(p, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>>= 1;
            sn >>>= 1;
          }
        }
      } else {
        r = MerkleHash.nodeHash(r, p);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    if (sn != 0) {
      throw new ProofException(Reason.WRONG_PROOF_SIZE, "inclusion proof too short");
    }
    return r == leafHash ? leafHash.clone() : r;
  }

  /**
   * Checks that the tree of {@code m} leaves with root {@code rootM} is a prefix of the tree of
   * {@code n} leaves with root {@code rootN}.
   *
   * <p>Special cases: {@code m == n} needs an empty proof and equal roots; {@code m == 0} needs
   * an empty proof and {@code rootM} equal to {@link MerkleHash#emptyRoot()} (every tree extends
   * the empty tree; {@code rootN} must still be a 32-byte hash).
   *
   * @param m size of the older tree, {@code 0 <= m <= n}
   * @param n size of the newer tree
   * @param rootM root of the older tree, 32 bytes
   * @param rootN root of the newer tree, 32 bytes
   * @param proof the consistency proof, bottom to top
   * @throws ProofException if the proof does not hold
   */
  public static void verifyConsistency(long m, long n, byte[] rootM, byte[] rootN,
      List<byte[]> proof) {
    if (m < 0 || n < 0 || m > n) {
      throw new ProofException(Reason.BAD_SIZES, "need 0 <= m <= n, got m "
          + Long.toUnsignedString(m) + ", n " + Long.toUnsignedString(n));
    }
    hash(rootM, "rootM");
    hash(rootN, "rootN");
    int want = MerkleMath.consistencyProofLength(m, n);
    checkProof(proof, want, "consistency proof from " + m + " to " + n);

    if (m == 0) {
      mustMatch(rootM, MerkleHash.emptyRoot(), "rootM is not the empty tree's root");
      if (n == 0) {
        mustMatch(rootN, MerkleHash.emptyRoot(), "rootN is not the empty tree's root");
      }
      return;
    }
    if (m == n) {
      mustMatch(rootM, rootN, "equal sizes but different roots");
      return;
    }

    // RFC 9162 §2.1.4.2. Step 1 (and the bounds checks in the loop) repeat what the length
    // check above already guarantees; kept so the algorithm stands on its own.
    if (proof.isEmpty()) {
      throw new ProofException(Reason.WRONG_PROOF_SIZE, "empty consistency proof");
    }
    int i = 0;
    byte[] fr;
    byte[] sr;
    if (MerkleMath.isPowerOfTwo(m)) {
      fr = rootM;
      sr = rootM;
    } else {
      fr = proof.get(0);
      sr = fr;
      i = 1;
    }
    long fn = m - 1;
    long sn = n - 1;
    while ((fn & 1) == 1) {
      fn >>>= 1;
      sn >>>= 1;
    }
    for (; i < proof.size(); i++) {
      byte[] c = proof.get(i);
      if (sn == 0) {
        throw new ProofException(Reason.WRONG_PROOF_SIZE, "consistency proof too long");
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = MerkleHash.nodeHash(c, fr);
        sr = MerkleHash.nodeHash(c, sr);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>>= 1;
            sn >>>= 1;
          }
        }
      } else {
        sr = MerkleHash.nodeHash(sr, c);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    if (sn != 0) {
      throw new ProofException(Reason.WRONG_PROOF_SIZE, "consistency proof too short");
    }
    mustMatch(fr, rootM, "consistency proof does not lead to rootM (size " + m + ")");
    mustMatch(sr, rootN, "consistency proof does not lead to rootN (size " + n + ")");
  }

  private static void hash(byte[] h, String what) {
    if (!MerkleHash.isHash(h)) {
      throw new ProofException(Reason.MALFORMED, what + " must be " + MerkleHash.HASH_SIZE
          + " bytes, got " + (h == null ? "null" : h.length + " bytes"));
    }
  }

  private static void checkProof(List<byte[]> proof, int want, String what) {
    if (proof == null) {
      throw new ProofException(Reason.MALFORMED, what + ": proof is null (use an empty list)");
    }
    if (proof.size() != want) {
      throw new ProofException(Reason.WRONG_PROOF_SIZE, what + ": has " + proof.size()
          + " elements, needs " + want);
    }
    for (int i = 0; i < want; i++) {
      hash(proof.get(i), "proof[" + i + "]");
    }
  }

  private static void mustMatch(byte[] computed, byte[] given, String message) {
    if (!MerkleHash.equal(computed, given)) {
      throw new ProofException(Reason.ROOT_MISMATCH, message);
    }
  }
}
