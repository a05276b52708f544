package dev.aegis.pipeline.evidence;

import dev.aegis.pipeline.evidence.EvidenceException.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the signed-note text that commits a
 * log to its Merkle tree head.
 *
 * <pre>
 * &lt;origin&gt;\n
 * &lt;tree size, decimal, no leading zeros ("0" for the empty tree)&gt;\n
 * &lt;base64 (standard, padded) of the 32-byte RFC 6962/9162 root hash&gt;\n
 * [&lt;extension line&gt;\n ...]   (non-empty, opaque, discouraged)
 * </pre>
 *
 * <p>{@link #parse(String, String)} is strict and implements RELIABILITY §1 goal 5: it rejects a
 * wrong origin, leading zeros, a size above 2^63-1, non-canonical base64, a root that is not 32
 * bytes, empty lines and a body that does not end with a newline. {@link #verify} adds the
 * signed-note rules (blank line, trusted signature) and the rollback check against the last size
 * seen. Immutable and thread safe.
 *
 * @param origin the log's identity (non-empty; SHOULD be a schema-less URL)
 * @param size the tree size
 * @param rootHash the 32-byte root hash (copied in and out)
 * @param extensions extension lines, usually empty
 */
public record Checkpoint(String origin, long size, byte[] rootHash, List<String> extensions) {

  public static final int ROOT_HASH_SIZE = 32;

  public Checkpoint {
    checkLine(origin, "origin");
    if (size < 0) {
      throw new IllegalArgumentException("tree size must be >= 0");
    }
    if (rootHash == null || rootHash.length != ROOT_HASH_SIZE) {
      throw new IllegalArgumentException("root hash must be 32 bytes");
    }
    rootHash = rootHash.clone();
    extensions = List.copyOf(extensions);
    for (String e : extensions) {
      checkLine(e, "extension line");
    }
  }

  public Checkpoint(String origin, long size, byte[] rootHash) {
    this(origin, size, rootHash, List.of());
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  /** The note text (body) of this checkpoint, ending with a newline. */
  public String body() {
    StringBuilder sb = new StringBuilder(origin.length() + 72);
    sb.append(origin).append('\n')
        .append(size).append('\n')
        .append(Base64.getEncoder().encodeToString(rootHash)).append('\n');
    for (String e : extensions) {
      sb.append(e).append('\n');
    }
    return sb.toString();
  }

  /** The body of a checkpoint without extension lines. */
  public static String format(String origin, long size, byte[] rootHash) {
    return new Checkpoint(origin, size, rootHash).body();
  }

  /** Signs the body as a signed note under {@code signer} (whose name SHOULD equal the origin). */
  public String sign(SignedNote.Signer signer) {
    return SignedNote.sign(body(), List.of(signer));
  }

  /** Signs the body with several keys at once (rotation: old and new). */
  public String sign(List<SignedNote.Signer> signers) {
    return SignedNote.sign(body(), signers);
  }

  // -------------------------------------------------------------------------------- parsing

  /** {@link #parse(String, String)} without an origin check (for tools that only display). */
  public static Checkpoint parse(String body) {
    return parse(body, null);
  }

  /**
   * Parses a checkpoint body (the note text, not the whole note).
   *
   * @param expectedOrigin the origin the caller trusts, or null to accept any
   * @throws EvidenceException {@link Reason#MALFORMED_CHECKPOINT} or {@link Reason#WRONG_ORIGIN}
   */
  public static Checkpoint parse(String body, String expectedOrigin) {
    if (body == null || body.isEmpty()) {
      throw malformed("empty body");
    }
    if (body.charAt(body.length() - 1) != '\n') {
      throw malformed("body does not end with a newline");
    }
    List<String> lines = new ArrayList<>(4);
    int at = 0;
    while (at < body.length()) {
      int nl = body.indexOf('\n', at);
      String line = body.substring(at, nl);
      if (line.isEmpty()) {
        throw malformed("empty line " + (lines.size() + 1));
      }
      lines.add(line);
      at = nl + 1;
    }
    if (lines.size() < 3) {
      throw malformed("fewer than three lines");
    }
    String origin = lines.get(0);
    for (int i = 0; i < origin.length(); i++) {
      if (origin.charAt(i) < 0x20) {
        throw malformed("control character in origin");
      }
    }
    if (expectedOrigin != null && !expectedOrigin.equals(origin)) {
      throw new EvidenceException(Reason.WRONG_ORIGIN,
          "origin '" + origin + "' is not the expected '" + expectedOrigin + "'");
    }
    long size = parseSize(lines.get(1));
    byte[] root = parseRoot(lines.get(2));
    try {
      return new Checkpoint(origin, size, root, lines.subList(3, lines.size()));
    } catch (IllegalArgumentException e) {
      throw malformed(e.getMessage());
    }
  }

  private static long parseSize(String s) {
    if (s.isEmpty() || s.length() > 19) {
      throw malformed("tree size is not a decimal below 2^63");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw malformed("tree size is not a decimal number");
      }
    }
    if (s.length() > 1 && s.charAt(0) == '0') {
      throw malformed("tree size has a leading zero");
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw malformed("tree size exceeds 2^63-1");
    }
  }

  private static byte[] parseRoot(String s) {
    byte[] root;
    try {
      root = Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw malformed("root hash is not standard base64");
    }
    if (root.length != ROOT_HASH_SIZE) {
      throw malformed("root hash is " + root.length + " bytes, not 32");
    }
    if (!Base64.getEncoder().encodeToString(root).equals(s)) {
      throw malformed("root hash base64 is not canonical");
    }
    return root;
  }

  // --------------------------------------------------------------------------- verification

  /**
   * Verifies a signed checkpoint note: the signed-note rules (strict grammar, unknown keys
   * ignored, a known key's bad signature rejects, at least one trusted signature), then the
   * strict body grammar with the expected origin.
   *
   * @throws EvidenceException with the reason of the first rule broken
   */
  public static Checkpoint verify(String note, String expectedOrigin,
      Collection<SignedNote.Verifier> trusted) {
    Objects.requireNonNull(expectedOrigin, "expectedOrigin");
    SignedNote.Verified v = SignedNote.verify(note, trusted);
    return parse(v.text(), expectedOrigin);
  }

  /**
   * As {@link #verify(String, String, Collection)}, also rejecting a tree smaller than the last
   * one this verifier accepted ({@link Reason#ROLLBACK}). A same-size checkpoint is accepted;
   * whether its root matches, and whether a larger tree extends the old one, is the caller's
   * consistency-proof check.
   */
  public static Checkpoint verify(String note, String expectedOrigin,
      Collection<SignedNote.Verifier> trusted, long lastSeenSize) {
    Checkpoint c = verify(note, expectedOrigin, trusted);
    if (c.size < lastSeenSize) {
      throw new EvidenceException(Reason.ROLLBACK,
          "tree size " + c.size + " is smaller than the last seen " + lastSeenSize);
    }
    return c;
  }

  // ---------------------------------------------------------------------------------- misc

  private static void checkLine(String s, String what) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException(what + " must be non-empty");
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < 0x20) {
        throw new IllegalArgumentException(what + " must not contain control characters");
      }
    }
  }

  private static EvidenceException malformed(String what) {
    return new EvidenceException(Reason.MALFORMED_CHECKPOINT, what);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c && c.origin.equals(origin) && c.size == size
        && Arrays.equals(c.rootHash, rootHash) && c.extensions.equals(extensions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(origin, size, Arrays.hashCode(rootHash), extensions);
  }

  @Override
  public String toString() {
    return "Checkpoint[" + origin + ", " + size + ", " + Digests.hex(rootHash) + "]";
  }
}
