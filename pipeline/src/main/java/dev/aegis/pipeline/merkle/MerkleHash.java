package dev.aegis.pipeline.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * RFC 9162 §2.1.1 hashing (identical to RFC 6962 §2.1) with SHA-256.
 *
 * <ul>
 *   <li>leaf hash: {@code SHA-256(0x00 || data)}</li>
 *   <li>interior node hash: {@code SHA-256(0x01 || left || right)}</li>
 *   <li>root of the empty tree: {@code SHA-256()} = {@value #EMPTY_ROOT_HEX}</li>
 * </ul>
 *
 * <p>The distinct prefixes keep leaves and interior nodes in separate domains, which defeats
 * second-preimage attacks that pass an interior node off as a leaf. Thread safe: each thread
 * uses its own {@link MessageDigest}.
 */
public final class MerkleHash {

  /** Length in bytes of every hash in the tree. */
  public static final int HASH_SIZE = 32;

  /** Hex of the empty tree's root, {@code SHA-256("")}. */
  public static final String EMPTY_ROOT_HEX =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  });

  private static final byte[] EMPTY_ROOT = HexFormat.of().parseHex(EMPTY_ROOT_HEX);

  private MerkleHash() {}

  /**
   * The root of the empty tree, {@code SHA-256("")}. Returns a fresh copy (a shared
   * {@code byte[]} constant could be modified by any caller).
   */
  public static byte[] emptyRoot() {
    return EMPTY_ROOT.clone();
  }

  /** {@code SHA-256(0x00 || data)}; {@code data} may be empty, not null. */
  public static byte[] leafHash(byte[] data) {
    Objects.requireNonNull(data, "data");
    return leafHash(data, 0, data.length);
  }

  /** {@code SHA-256(0x00 || data[offset .. offset+length))}. */
  public static byte[] leafHash(byte[] data, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(data, "data").length);
    MessageDigest md = SHA256.get();
    md.reset();
    md.update(LEAF_PREFIX);
    md.update(data, offset, length);
    return md.digest();
  }

  /**
   * {@code SHA-256(0x01 || left || right)}.
   *
   * @throws IllegalArgumentException unless both inputs are exactly {@value #HASH_SIZE} bytes
   *     (a node over inputs of other lengths would make the encoding ambiguous)
   */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    requireHash(left, "left");
    requireHash(right, "right");
    MessageDigest md = SHA256.get();
    md.reset();
    md.update(NODE_PREFIX);
    md.update(left);
    md.update(right);
    return md.digest();
  }

  /** True if {@code h} is non-null and exactly {@value #HASH_SIZE} bytes long. */
  public static boolean isHash(byte[] h) {
    return h != null && h.length == HASH_SIZE;
  }

  /**
   * Returns {@code h} if it is a {@value #HASH_SIZE}-byte hash.
   *
   * @throws IllegalArgumentException if {@code h} is null or has another length
   */
  public static byte[] requireHash(byte[] h, String what) {
    if (!isHash(h)) {
      throw new IllegalArgumentException(what + " must be a " + HASH_SIZE + "-byte hash, got "
          + (h == null ? "null" : h.length + " bytes"));
    }
    return h;
  }

  /** Constant-time equality of two hashes (false if either is null). */
  public static boolean equal(byte[] a, byte[] b) {
    return a != null && b != null && MessageDigest.isEqual(a, b);
  }
}
