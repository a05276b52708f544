package dev.aegis.pipeline.evidence;

import dev.aegis.pipeline.evidence.EvidenceException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 signatures (type 0x01).
 *
 * <pre>
 * &lt;text, ending in a newline&gt;
 * &lt;one blank line&gt;
 * — &lt;key name&gt; &lt;base64(4-byte key ID || 64-byte signature)&gt;
 * ...
 * </pre>
 *
 * <p>The signature covers the text including its final newline, not the blank line. Key ID =
 * first four bytes of SHA-256(name || 0x0A || 0x01 || 32-byte public key), big-endian.
 *
 * <p>Parsing is strict: valid UTF-8 text without ASCII control characters other than newline;
 * the text is non-empty and ends with a newline; the text and the signatures are separated by the
 * last empty line, and exactly one (the text may hold empty lines, as the spec allows, but not as
 * its last line: a deliberate tightening that keeps the separator unambiguous to a reader and that
 * every note we sign satisfies); after it every line is
 * {@code U+2014 U+0020 name U+0020 base64 \n}; names
 * are non-empty, without Unicode spaces or {@code +}; base64 is standard, padded and canonical
 * (re-encodes to the same text); at most {@link #MAX_SIGNATURES} lines and
 * {@link #MAX_NOTE_CHARS} characters.
 *
 * <p>Verification follows the spec: signatures whose (name, key ID) pair is unknown are ignored
 * (this is what makes key rotation and witness cosigning work); a signature from a known key that
 * fails rejects the whole note; a note without at least one verified known signature is rejected.
 *
 * <p>Stateless and thread safe.
 */
public final class SignedNote {

  /** Signature type byte of Ed25519 in the key-ID hash. */
  public static final byte SIG_TYPE_ED25519 = 0x01;
  /** Go's {@code note.Open} limit; the spec requires accepting at least 16. */
  public static final int MAX_SIGNATURES = 100;
  public static final int MAX_NOTE_CHARS = 1 << 20;

  private static final String SIG_PREFIX = "\u2014 ";

  private SignedNote() {}

  /** One signature line: who (name + key ID) and the signature bytes after the key ID. */
  public record Signature(String keyName, int keyId, byte[] signature) {
    public Signature {
      Objects.requireNonNull(keyName, "keyName");
      signature = signature.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }

    KeyRef ref() {
      return new KeyRef(keyName, keyId);
    }

    /** The line as it appears in the note, with its final newline. */
    public String line() {
      byte[] blob = new byte[4 + signature.length];
      blob[0] = (byte) (keyId >>> 24);
      blob[1] = (byte) (keyId >>> 16);
      blob[2] = (byte) (keyId >>> 8);
      blob[3] = (byte) keyId;
      System.arraycopy(signature, 0, blob, 4, signature.length);
      return SIG_PREFIX + keyName + ' ' + Base64.getEncoder().encodeToString(blob) + '\n';
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Signature s && s.keyName.equals(keyName) && s.keyId == keyId
          && Arrays.equals(s.signature, signature);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * keyName.hashCode() + keyId) + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
      return "Signature[" + keyName + "+" + String.format("%08x", keyId) + "]";
    }
  }

  /** A parsed (not yet verified) note: its text and its signature lines in order. */
  public record Note(String text, List<Signature> signatures) {
    public Note {
      Objects.requireNonNull(text, "text");
      signatures = List.copyOf(signatures);
    }

    /** Serialises back to the wire form. */
    public String encode() {
      StringBuilder sb = new StringBuilder(text.length() + 1 + 120 * signatures.size());
      sb.append(text).append('\n');
      for (Signature s : signatures) {
        sb.append(s.line());
      }
      return sb.toString();
    }
  }

  /** Identity of a key inside notes: its name and 32-bit key ID (the spec's "tuple"). */
  public record KeyRef(String keyName, int keyId) {
    public KeyRef {
      Objects.requireNonNull(keyName, "keyName");
    }

    @Override
    public String toString() {
      return keyName + "+" + String.format("%08x", keyId);
    }
  }

  /** A trusted key: name, derived key ID, and the Ed25519 public key. */
  public record Verifier(String keyName, int keyId, Ed25519PublicKeyParameters publicKey) {
    public Verifier {
      checkName(keyName);
      Objects.requireNonNull(publicKey, "publicKey");
    }

    /** A verifier whose key ID is derived from the name and key as the spec recommends. */
    public static Verifier of(String keyName, Ed25519PublicKeyParameters publicKey) {
      return new Verifier(keyName, SignedNote.keyId(keyName, publicKey), publicKey);
    }

    public KeyRef ref() {
      return new KeyRef(keyName, keyId);
    }
  }

  /** A signing key under a note key name. */
  public record Signer(String keyName, Ed25519PrivateKeyParameters privateKey, int keyId) {
    public Signer {
      checkName(keyName);
      Objects.requireNonNull(privateKey, "privateKey");
    }

    public static Signer of(String keyName, Ed25519PrivateKeyParameters privateKey) {
      return new Signer(keyName, privateKey,
          SignedNote.keyId(keyName, privateKey.generatePublicKey()));
    }

    public Verifier verifier() {
      return new Verifier(keyName, keyId, privateKey.generatePublicKey());
    }

    Signature sign(byte[] text) {
      return new Signature(keyName, keyId, Ed25519Keys.sign(privateKey, text));
    }

    @Override
    public String toString() {
      return "Signer[" + keyName + "+" + String.format("%08x", keyId) + "]";
    }
  }

  /**
   * The outcome of a successful verification.
   *
   * @param text the note text, now trustworthy
   * @param verifiedBy the known keys whose signatures verified, in note order
   * @param ignored signatures from unknown keys (left unchecked, as the spec requires)
   */
  public record Verified(String text, List<KeyRef> verifiedBy, List<Signature> ignored) {
    public Verified {
      verifiedBy = List.copyOf(verifiedBy);
      ignored = List.copyOf(ignored);
    }

    public boolean signedBy(KeyRef key) {
      return verifiedBy.contains(key);
    }
  }

  // ---------------------------------------------------------------------------------- key ID

  /** SHA-256(name || 0x0A || 0x01 || public key)[:4] as a big-endian int. */
  public static int keyId(String keyName, Ed25519PublicKeyParameters publicKey) {
    checkName(keyName);
    MessageDigest md = Digests.sha256();
    md.update(keyName.getBytes(StandardCharsets.UTF_8));
    md.update((byte) '\n');
    md.update(SIG_TYPE_ED25519);
    md.update(publicKey.getEncoded());
    byte[] h = md.digest();
    return ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
  }

  // -------------------------------------------------------------------------------- signing

  /** Signs {@code text} with one key and returns the whole note. */
  public static String sign(String text, String keyName, Ed25519PrivateKeyParameters privateKey) {
    return sign(text, List.of(Signer.of(keyName, privateKey)));
  }

  /**
   * Signs {@code text} with each signer in order (e.g. the old and the new key during rotation).
   *
   * @throws EvidenceException {@link Reason#MALFORMED_NOTE} if the text could not be parsed back
   *     (empty, no final newline, control characters)
   */
  public static String sign(String text, List<Signer> signers) {
    checkText(text);
    if (signers.isEmpty() || signers.size() > MAX_SIGNATURES) {
      throw new IllegalArgumentException("between 1 and " + MAX_SIGNATURES + " signers");
    }
    byte[] msg = text.getBytes(StandardCharsets.UTF_8);
    List<Signature> sigs = new ArrayList<>(signers.size());
    for (Signer s : signers) {
      sigs.add(s.sign(msg));
    }
    return new Note(text, sigs).encode();
  }

  /**
   * Adds a signature to an existing note (a witness cosigning, or a new key joining during
   * rotation). The existing signatures are kept as they are and are not verified here.
   */
  public static String cosign(String note, Signer signer) {
    Note parsed = parse(note);
    if (parsed.signatures().size() >= MAX_SIGNATURES) {
      throw new EvidenceException(Reason.MALFORMED_NOTE, "too many signatures");
    }
    List<Signature> sigs = new ArrayList<>(parsed.signatures());
    sigs.add(signer.sign(parsed.text().getBytes(StandardCharsets.UTF_8)));
    return new Note(parsed.text(), sigs).encode();
  }

  // -------------------------------------------------------------------------------- parsing

  /**
   * Parses a note without verifying it. Nothing in the text may be trusted until
   * {@link #verify} succeeds.
   *
   * @throws EvidenceException {@link Reason#MALFORMED_NOTE}
   */
  public static Note parse(String note) {
    if (note == null) {
      throw malformed("no note");
    }
    if (note.length() > MAX_NOTE_CHARS) {
      throw malformed("note longer than " + MAX_NOTE_CHARS + " characters");
    }
    checkChars(note);
    int split = note.lastIndexOf("\n\n");
    if (split < 0) {
      throw malformed("no blank line between text and signatures");
    }
    String text = note.substring(0, split + 1);
    String sigBlock = note.substring(split + 2);
    if (text.length() == 1) {
      throw malformed("empty text");
    }
    if (text.endsWith("\n\n")) {
      throw malformed("more than one blank line before the signatures");
    }
    if (sigBlock.isEmpty()) {
      throw malformed("no signature lines");
    }
    if (sigBlock.charAt(sigBlock.length() - 1) != '\n') {
      throw malformed("signature block does not end with a newline");
    }
    List<Signature> sigs = new ArrayList<>();
    int at = 0;
    while (at < sigBlock.length()) {
      int nl = sigBlock.indexOf('\n', at);
      if (sigs.size() == MAX_SIGNATURES) {
        throw malformed("more than " + MAX_SIGNATURES + " signatures");
      }
      sigs.add(parseLine(sigBlock.substring(at, nl)));
      at = nl + 1;
    }
    return new Note(text, sigs);
  }

  private static Signature parseLine(String line) {
    if (!line.startsWith(SIG_PREFIX)) {
      throw malformed("signature line does not start with an em dash and a space");
    }
    int sp = line.indexOf(' ', SIG_PREFIX.length());
    if (sp < 0 || line.indexOf(' ', sp + 1) >= 0) {
      throw malformed("signature line is not '— <name> <base64>'");
    }
    String name = line.substring(SIG_PREFIX.length(), sp);
    if (!isValidName(name)) {
      throw malformed("invalid key name in signature line");
    }
    String b64 = line.substring(sp + 1);
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw malformed("signature is not standard base64");
    }
    if (blob.length < 5) {
      throw malformed("signature shorter than key ID plus one byte");
    }
    if (!Base64.getEncoder().encodeToString(blob).equals(b64)) {
      throw malformed("non-canonical base64 in signature");
    }
    int id = ((blob[0] & 0xff) << 24) | ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8)
        | (blob[3] & 0xff);
    return new Signature(name, id, Arrays.copyOfRange(blob, 4, blob.length));
  }

  // --------------------------------------------------------------------------- verification

  /** {@link #verify(String, Map)} with the trusted keys as a list. */
  public static Verified verify(String note, Collection<Verifier> trusted) {
    Map<KeyRef, Ed25519PublicKeyParameters> known = new HashMap<>();
    for (Verifier v : trusted) {
      known.put(v.ref(), v.publicKey());
    }
    return verify(note, known);
  }

  /**
   * Parses and verifies a note against the trusted keys, keyed by (name, key ID).
   *
   * @return the text and which known keys signed it
   * @throws EvidenceException {@link Reason#MALFORMED_NOTE} for a syntax error,
   *     {@link Reason#INVALID_SIGNATURE} if a known key's signature fails,
   *     {@link Reason#NO_TRUSTED_SIGNATURE} if no known key signed the note
   */
  public static Verified verify(String note, Map<KeyRef, Ed25519PublicKeyParameters> trusted) {
    Note parsed = parse(note);
    byte[] msg = parsed.text().getBytes(StandardCharsets.UTF_8);
    List<KeyRef> verified = new ArrayList<>(2);
    List<Signature> ignored = new ArrayList<>(0);
    for (Signature s : parsed.signatures()) {
      KeyRef ref = s.ref();
      Ed25519PublicKeyParameters key = trusted.get(ref);
      if (key == null) {
        ignored.add(s); // unknown (name, ID): ignore, even if one of the two matches a known key
        continue;
      }
      if (!Ed25519Keys.verify(key, msg, s.signature)) {
        throw new EvidenceException(Reason.INVALID_SIGNATURE, "signature by " + ref + " fails");
      }
      if (!verified.contains(ref)) {
        verified.add(ref);
      }
    }
    if (verified.isEmpty()) {
      throw new EvidenceException(Reason.NO_TRUSTED_SIGNATURE, "no signature from a trusted key");
    }
    return new Verified(parsed.text(), verified, ignored);
  }

  // ---------------------------------------------------------------------------------- rules

  /** Key names: non-empty, no Unicode white space, no '+'. */
  public static boolean isValidName(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      if (cp == '+' || Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp < 0x20
          || Character.isSurrogate((char) cp)) {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }

  private static void checkName(String keyName) {
    if (!isValidName(keyName)) {
      throw new IllegalArgumentException("invalid note key name: " + keyName);
    }
  }

  private static void checkText(String text) {
    if (text == null || text.isEmpty() || text.charAt(text.length() - 1) != '\n') {
      throw malformed("note text must be non-empty and end with a newline");
    }
    if (text.length() == 1) {
      throw malformed("empty text");
    }
    if (text.endsWith("\n\n")) {
      throw malformed("note text must not end with an empty line");
    }
    checkChars(text);
  }

  /** No ASCII controls other than newline; no lone surrogates (not valid UTF-8). */
  private static void checkChars(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 && c != '\n') {
        throw malformed("control character U+" + String.format("%04X", (int) c));
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          throw malformed("lone surrogate (not UTF-8)");
        }
      }
    }
  }

  private static EvidenceException malformed(String what) {
    return new EvidenceException(Reason.MALFORMED_NOTE, what);
  }
}
