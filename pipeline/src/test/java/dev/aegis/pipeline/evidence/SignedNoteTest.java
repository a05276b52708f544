package dev.aegis.pipeline.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.evidence.EvidenceException.Reason;
import dev.aegis.pipeline.evidence.SignedNote.KeyRef;
import dev.aegis.pipeline.evidence.SignedNote.Signer;
import dev.aegis.pipeline.evidence.SignedNote.Verified;
import dev.aegis.pipeline.evidence.SignedNote.Verifier;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** C2SP signed-note: interop with the Go reference vector, rotation, and strict parsing. */
class SignedNoteTest {

  // golang.org/x/mod/sumdb/note's published example key and note (key material after the
  // algorithm byte 0x01 of its "PRIVATE+KEY+name+id+base64" and "name+id+base64" key strings)
  static final String GO_SKEY = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  static final String GO_VKEY = "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  static final String GO_TEXT = "If you think cryptography is the answer to your problem,\n"
      + "then you don't know what your problem is.\n";
  static final String GO_NOTE = GO_TEXT + "\n\u2014 PeterNeumann "
      + "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

  static final Ed25519PrivateKeyParameters OLD = Ed25519Keys.generate();
  static final Ed25519PrivateKeyParameters NEW = Ed25519Keys.generate();
  static final Ed25519PrivateKeyParameters STRANGER = Ed25519Keys.generate();
  static final String NAME = "aegis.example/log";

  static Ed25519PrivateKeyParameters goPrivate() {
    byte[] b = Base64.getDecoder().decode(GO_SKEY);
    assertThat(b[0]).isEqualTo((byte) 1);
    return Ed25519Keys.privateKeyFromRaw(Arrays.copyOfRange(b, 1, b.length));
  }

  static Ed25519PublicKeyParameters goPublic() {
    byte[] b = Base64.getDecoder().decode(GO_VKEY);
    return Ed25519Keys.publicKeyFromRaw(Arrays.copyOfRange(b, 1, b.length));
  }

  static Verifier verifier(String name, Ed25519PrivateKeyParameters k) {
    return Verifier.of(name, k.generatePublicKey());
  }

  // --------------------------------------------------------------------------------- interop

  @Test
  void should_reproduce_the_go_reference_note_byte_for_byte() {
    assertThat(goPrivate().generatePublicKey().getEncoded()).isEqualTo(goPublic().getEncoded());
    assertThat(SignedNote.keyId("PeterNeumann", goPublic())).isEqualTo(0xc74f20a3);

    assertThat(SignedNote.sign(GO_TEXT, "PeterNeumann", goPrivate())).isEqualTo(GO_NOTE);

    Verified v = SignedNote.verify(GO_NOTE, List.of(Verifier.of("PeterNeumann", goPublic())));
    assertThat(v.text()).isEqualTo(GO_TEXT);
    assertThat(v.verifiedBy()).containsExactly(new KeyRef("PeterNeumann", 0xc74f20a3));
  }

  @Test
  void should_reject_the_go_note_with_its_text_changed() {
    String tampered = GO_NOTE.replace("cryptography", "cryptographY");
    assertReason(() -> SignedNote.verify(tampered,
        List.of(Verifier.of("PeterNeumann", goPublic()))), Reason.INVALID_SIGNATURE);
  }

  /** The spec's own example: the text may contain empty lines; the last one separates. */
  @Test
  void should_parse_the_spec_example_with_an_empty_line_in_the_text() {
    String note = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\n"
        + "ed \u00e8 subito sera.\n\n\u2014 quasimodo.example/salvatore "
        + "NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
    SignedNote.Note n = SignedNote.parse(note);
    assertThat(n.text()).isEqualTo("Ognuno sta solo sul cuor della terra\n"
        + "trafitto da un raggio di sole:\n\ned \u00e8 subito sera.\n");
    assertThat(n.signatures()).singleElement().satisfies(s -> {
      assertThat(s.keyName()).isEqualTo("quasimodo.example/salvatore");
      assertThat(s.signature()).hasSize(64);
    });
    assertThat(n.encode()).isEqualTo(note);
  }

  // ------------------------------------------------------------------------------ round trip

  @Test
  void should_round_trip_a_note() {
    String text = "aegis.example/log\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    String note = SignedNote.sign(text, NAME, OLD);

    assertThat(note).startsWith(text + "\n\u2014 " + NAME + " ").endsWith("\n");
    Verified v = SignedNote.verify(note, List.of(verifier(NAME, OLD)));
    assertThat(v.text()).isEqualTo(text);
    assertThat(v.ignored()).isEmpty();
    assertThat(SignedNote.parse(note).encode()).isEqualTo(note);
  }

  // -------------------------------------------------------------------------------- rotation

  @Test
  void should_verify_a_rotation_note_with_either_key_alone() {
    String note = SignedNote.sign("rotate\n",
        List.of(Signer.of(NAME, OLD), Signer.of(NAME, NEW)));
    Verifier oldV = verifier(NAME, OLD);
    Verifier newV = verifier(NAME, NEW);

    assertThat(SignedNote.verify(note, List.of(oldV)).verifiedBy()).containsExactly(oldV.ref());
    assertThat(SignedNote.verify(note, List.of(oldV)).ignored()).hasSize(1);
    assertThat(SignedNote.verify(note, List.of(newV)).verifiedBy()).containsExactly(newV.ref());
    assertThat(SignedNote.verify(note, List.of(oldV, newV)).verifiedBy())
        .containsExactly(oldV.ref(), newV.ref());
    assertThat(oldV.ref()).isNotEqualTo(newV.ref()); // same name, different key ID
  }

  @Test
  void should_ignore_signatures_from_unknown_keys() {
    String note = SignedNote.sign("hello\n",
        List.of(Signer.of("stranger.example", STRANGER), Signer.of(NAME, OLD)));
    Verified v = SignedNote.verify(note, List.of(verifier(NAME, OLD)));
    assertThat(v.verifiedBy()).containsExactly(verifier(NAME, OLD).ref());
    assertThat(v.ignored()).extracting(SignedNote.Signature::keyName)
        .containsExactly("stranger.example");
  }

  /** Verifies the spec rule: unknown unless name AND ID both match, even if one of them does. */
  @Test
  void should_ignore_signatures_matching_a_known_key_in_name_or_id_only() {
    Verifier known = verifier(NAME, OLD);
    // same name, other key (other ID): its signature is garbage for `known` but must be ignored
    String sameName = SignedNote.sign("hello\n", NAME, STRANGER);
    assertReason(() -> SignedNote.verify(sameName, List.of(known)), Reason.NO_TRUSTED_SIGNATURE);
    // same ID as the known key under another name
    SignedNote.Signature forged = new SignedNote.Signature("other.example", known.keyId(),
        Ed25519Keys.sign(STRANGER, "hello\n".getBytes()));
    String sameId = "hello\n\n" + forged.line()
        + SignedNote.parse(SignedNote.sign("hello\n", NAME, OLD)).signatures().get(0).line();
    Verified v = SignedNote.verify(sameId, List.of(known));
    assertThat(v.verifiedBy()).containsExactly(known.ref());
    assertThat(v.ignored()).containsExactly(forged);
  }

  @Test
  void should_reject_a_note_without_a_trusted_signature() {
    String note = SignedNote.sign("hello\n", "stranger.example", STRANGER);
    assertReason(() -> SignedNote.verify(note, List.of(verifier(NAME, OLD))),
        Reason.NO_TRUSTED_SIGNATURE);
    assertReason(() -> SignedNote.verify(note, List.of()), Reason.NO_TRUSTED_SIGNATURE);
  }

  @Test
  void should_reject_the_whole_note_when_a_known_key_signature_fails() {
    String good = SignedNote.sign("hello\n", List.of(Signer.of(NAME, OLD), Signer.of(NAME, NEW)));
    SignedNote.Note parsed = SignedNote.parse(good);
    byte[] bad = parsed.signatures().get(1).signature();
    bad[10] ^= 1;
    String note = new SignedNote.Note(parsed.text(), List.of(parsed.signatures().get(0),
        new SignedNote.Signature(NAME, parsed.signatures().get(1).keyId(), bad))).encode();

    assertReason(() -> SignedNote.verify(note, List.of(verifier(NAME, OLD), verifier(NAME, NEW))),
        Reason.INVALID_SIGNATURE);
    // a verifier that does not know the new key ignores the broken signature
    assertThat(SignedNote.verify(note, List.of(verifier(NAME, OLD))).verifiedBy()).hasSize(1);
  }

  @Test
  void should_cosign_an_existing_note_and_accept_a_map_of_keys() {
    String note = SignedNote.sign("checkpoint\n", NAME, OLD);
    String cosigned = SignedNote.cosign(note, Signer.of("witness.example", NEW));

    assertThat(cosigned).startsWith(note);
    Map<KeyRef, Ed25519PublicKeyParameters> keys = Map.of(
        verifier("witness.example", NEW).ref(), NEW.generatePublicKey());
    assertThat(SignedNote.verify(cosigned, keys).verifiedBy())
        .containsExactly(verifier("witness.example", NEW).ref());
  }

  // ----------------------------------------------------------------------------- strictness

  static String validSigLine() {
    return SignedNote.parse(SignedNote.sign("hello\n", NAME, OLD)).signatures().get(0).line();
  }

  @Test
  void should_reject_malformed_notes() {
    String line = validSigLine(); // "— name base64\n"
    String b64 = line.substring(line.lastIndexOf(' ') + 1, line.length() - 1);
    byte[] blob = Base64.getDecoder().decode(b64);
    String[] bad = {
        "hello\n" + line,                                      // no blank line
        "hello\n\n\n" + line,                                  // two blank lines
        "hello\n\n" + line.substring(0, line.length() - 1),   // last line without newline
        "hello\n\n" + line + "\n",                             // blank line after signatures
        "hello\n\n",                                           // no signature lines
        "\n" + line,                                           // empty text
        "\n\n" + line,                                         // empty text
        "hello\n\n" + line.replace('\u2014', '-'),             // hyphen, not em dash
        "hello\n\n" + line.replace('\u2014', '\u2013'),        // en dash
        "hello\n\n" + line.replace("\u2014 ", "\u2014"),       // no space after the dash
        "hello\n\n" + line.replace("\u2014 ", "\u2014  "),     // two spaces
        "hello\n\n" + line.replace(NAME, "aegis log"),         // space in name
        "hello\n\n" + line.replace(NAME, "aegis+log"),         // plus in name
        "hello\n\n" + line.replace(NAME + " ", ""),            // no name
        "hello\n\n" + line.replace(b64, b64.replace("=", "")), // missing padding
        "hello\n\n" + line.replace(b64, b64 + "=="),           // excess padding
        "hello\n\n" + line.replace(b64, b64.substring(1)),     // not a multiple of 4
        "hello\n\n" + line.replace(b64, Base64.getUrlEncoder().encodeToString(
            new byte[] {-1, -1, -1, -1, -5, -17})),            // base64url alphabet
        "hello\n\n" + line.replace(b64, nonCanonical(blob)),   // non-zero trailing bits
        "hello\n\n" + line.replace(b64, "AAAAAA=="),           // shorter than ID + 1 byte
        "hello\n\n" + line + "garbage\n",                      // not a signature line
        "hel\rlo\n\n" + line,                                  // control character
        "hello\r\n\r\n" + line,                                // CRLF
        "hel\tlo\n\n" + line,                                  // tab
        "he\uD800llo\n\n" + line,                              // lone surrogate
    };
    for (int i = 0; i < bad.length; i++) {
      String note = bad[i];
      assertThatThrownBy(() -> SignedNote.parse(note)).as("case %d: %s", i, note)
          .isInstanceOf(EvidenceException.class)
          .extracting(e -> ((EvidenceException) e).reason()).isEqualTo(Reason.MALFORMED_NOTE);
    }
  }

  /** Base64 of {@code blob} whose last character carries non-zero padding bits. */
  static String nonCanonical(byte[] blob) {
    String s = Base64.getEncoder().encodeToString(blob); // 68 bytes -> ends in "="
    int pad = s.indexOf('=');
    char last = s.charAt(pad - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char bumped = alphabet.charAt(alphabet.indexOf(last) + 1); // 68 % 3 == 2: low 2 bits unused
    String out = s.substring(0, pad - 1) + bumped + s.substring(pad);
    assertThat(Base64.getDecoder().decode(out)).isEqualTo(blob);
    return out;
  }

  @Test
  void should_limit_the_number_of_signatures() {
    String line = validSigLine();
    String ok = "hello\n\n" + line.repeat(SignedNote.MAX_SIGNATURES);
    assertThat(SignedNote.parse(ok).signatures()).hasSize(SignedNote.MAX_SIGNATURES);
    assertReason(() -> SignedNote.parse("hello\n\n" + line.repeat(SignedNote.MAX_SIGNATURES + 1)),
        Reason.MALFORMED_NOTE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "no newline", "\n", "ends with blank\n\n", "tab\there\n", "cr\r\n"})
  void should_refuse_to_sign_text_it_could_not_parse_back(String text) {
    assertReason(() -> SignedNote.sign(text, NAME, OLD), Reason.MALFORMED_NOTE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a b", "a+b", "a\tb", "a\u00a0b", "a\u2003b"})
  void should_refuse_invalid_key_names(String name) {
    assertThat(SignedNote.isValidName(name)).isFalse();
    assertThatThrownBy(() -> SignedNote.sign("hello\n", name, OLD))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static void assertReason(ThrowingCallable call, Reason reason) {
    assertThatThrownBy(call).isInstanceOf(EvidenceException.class)
        .extracting(e -> ((EvidenceException) e).reason()).isEqualTo(reason);
  }
}
