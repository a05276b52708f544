package dev.aegis.pipeline.evidence;

import static dev.aegis.pipeline.evidence.SignedNoteTest.assertReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.evidence.EvidenceException.Reason;
import dev.aegis.pipeline.evidence.SignedNote.Signer;
import dev.aegis.pipeline.evidence.SignedNote.Verifier;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** C2SP tlog-checkpoint format and the RELIABILITY §1 goal 5 rejections. */
class CheckpointTest {

  static final String ORIGIN = "aegis.example/t/11111111-2222-3333-4444-555555555555";
  static final Ed25519PrivateKeyParameters KEY = Ed25519Keys.generate();
  static final Ed25519PrivateKeyParameters NEXT_KEY = Ed25519Keys.generate();
  static final Signer SIGNER = Signer.of(ORIGIN, KEY);
  static final List<Verifier> TRUSTED = List.of(SIGNER.verifier());
  static final byte[] ROOT = HexFormat.of()
      .parseHex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  static final String ROOT_B64 = Base64.getEncoder().encodeToString(ROOT);

  static String body(String size, String root) {
    return ORIGIN + "\n" + size + "\n" + root + "\n";
  }

  // ----------------------------------------------------------------------------------- format

  @Test
  void should_parse_the_spec_example() {
    String body = "example.com/behind-the-sofa\n20852163\n"
        + "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    Checkpoint c = Checkpoint.parse(body, "example.com/behind-the-sofa");

    assertThat(c.origin()).isEqualTo("example.com/behind-the-sofa");
    assertThat(c.size()).isEqualTo(20852163L);
    assertThat(Base64.getEncoder().encodeToString(c.rootHash()))
        .isEqualTo("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
    assertThat(c.extensions()).isEmpty();
    assertThat(c.body()).isEqualTo(body);
  }

  @Test
  void should_format_and_round_trip() {
    String body = Checkpoint.format(ORIGIN, 8, ROOT);
    assertThat(body).isEqualTo(body("8", ROOT_B64));
    assertThat(Checkpoint.parse(body, ORIGIN)).isEqualTo(new Checkpoint(ORIGIN, 8, ROOT));

    byte[] empty = HexFormat.of()
        .parseHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(Checkpoint.parse(Checkpoint.format(ORIGIN, 0, empty)).size()).isZero();
    assertThat(Checkpoint.parse(body("9223372036854775807", ROOT_B64)).size())
        .isEqualTo(Long.MAX_VALUE);

    Checkpoint ext = new Checkpoint(ORIGIN, 3, ROOT, List.of("ext one", "\u2014 ext two"));
    assertThat(Checkpoint.parse(ext.body(), ORIGIN)).isEqualTo(ext);
    assertThat(ext.body()).endsWith("\next one\n\u2014 ext two\n");
  }

  @Test
  void should_refuse_to_format_invalid_checkpoints() {
    assertThatThrownBy(() -> Checkpoint.format(ORIGIN, -1, ROOT))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checkpoint.format(ORIGIN, 1, new byte[31]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checkpoint.format("", 1, ROOT))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checkpoint.format("a\nb", 1, ROOT))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Checkpoint(ORIGIN, 1, ROOT, List.of("")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void should_not_share_the_root_array() {
    byte[] root = ROOT.clone();
    Checkpoint c = new Checkpoint(ORIGIN, 1, root);
    root[0] ^= 1;
    c.rootHash()[1] ^= 1;
    assertThat(c.rootHash()).isEqualTo(ROOT);
  }

  // ------------------------------------------------------------------------ body strictness

  @Test
  void should_reject_a_wrong_origin() {
    assertReason(() -> Checkpoint.parse(body("8", ROOT_B64), "aegis.example/other"),
        Reason.WRONG_ORIGIN);
    assertReason(() -> Checkpoint.parse(body("8", ROOT_B64), ORIGIN + " "), Reason.WRONG_ORIGIN);
  }

  @ParameterizedTest(name = "size <{0}>")
  @ValueSource(strings = {"08", "00", "007", "-1", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "",
      "9223372036854775808", "18446744073709551616", "99999999999999999999", "\u0661"})
  void should_reject_a_malformed_tree_size(String size) {
    assertReason(() -> Checkpoint.parse(body(size, ROOT_B64), ORIGIN),
        Reason.MALFORMED_CHECKPOINT);
  }

  @Test
  void should_reject_a_non_canonical_or_wrong_length_root() {
    String unpadded = ROOT_B64.replace("=", "");
    String url = Base64.getUrlEncoder().encodeToString(HexFormat.of()
        .parseHex("fbff" + "00".repeat(30)));
    // 32 bytes -> 44 chars with one '='; the last char before it has 2 unused low bits
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char last = ROOT_B64.charAt(42);
    String trailingBits = ROOT_B64.substring(0, 42) + alphabet.charAt(alphabet.indexOf(last) + 1)
        + "=";
    assertThat(Base64.getDecoder().decode(trailingBits)).isEqualTo(ROOT); // same bytes!

    for (String root : List.of(unpadded, url, trailingBits, ROOT_B64 + "=", " " + ROOT_B64,
        Base64.getEncoder().encodeToString(new byte[31]),
        Base64.getEncoder().encodeToString(new byte[33]), "", "!!!!")) {
      assertReason(() -> Checkpoint.parse(body("8", root), ORIGIN), Reason.MALFORMED_CHECKPOINT);
    }
  }

  @Test
  void should_reject_bad_line_structure() {
    String good = body("8", ROOT_B64);
    for (String b : List.of(
        good.substring(0, good.length() - 1),         // missing newline at the end
        ORIGIN + "\n8\n",                               // no root line
        good + "\n",                                    // empty extension line
        good + "ext\n\n",                               // empty line at the end
        "\n" + good,                                    // empty origin
        good.replace("\n", "\r\n"),                     // CRLF: '\r' ends up in the lines
        "")) {
      assertReason(() -> Checkpoint.parse(b, ORIGIN), Reason.MALFORMED_CHECKPOINT);
    }
  }

  // --------------------------------------------------------------------- signed checkpoints

  @Test
  void should_sign_and_verify_a_checkpoint() {
    Checkpoint c = new Checkpoint(ORIGIN, 8, ROOT);
    String note = c.sign(SIGNER);

    assertThat(note).startsWith(c.body() + "\n\u2014 " + ORIGIN + " ");
    assertThat(Checkpoint.verify(note, ORIGIN, TRUSTED)).isEqualTo(c);
    assertThat(Checkpoint.verify(note, ORIGIN, TRUSTED, 8)).isEqualTo(c);
  }

  @Test
  void should_reject_a_signed_checkpoint_with_a_wrong_origin() {
    String note = new Checkpoint(ORIGIN, 8, ROOT).sign(SIGNER);
    assertReason(() -> Checkpoint.verify(note, "aegis.example/other", TRUSTED),
        Reason.WRONG_ORIGIN);
  }

  @Test
  void should_reject_a_signed_checkpoint_with_leading_zeros() {
    // validly signed by a trusted key, but the body is not canonical
    String note = SignedNote.sign(body("08", ROOT_B64), List.of(SIGNER));
    assertReason(() -> Checkpoint.verify(note, ORIGIN, TRUSTED), Reason.MALFORMED_CHECKPOINT);
  }

  @Test
  void should_reject_a_signed_checkpoint_with_non_canonical_base64() {
    String note = SignedNote.sign(body("8", ROOT_B64.replace("=", "")), List.of(SIGNER));
    assertReason(() -> Checkpoint.verify(note, ORIGIN, TRUSTED), Reason.MALFORMED_CHECKPOINT);
  }

  @Test
  void should_reject_a_signed_checkpoint_without_the_blank_line() {
    String note = new Checkpoint(ORIGIN, 8, ROOT).sign(SIGNER);
    String noBlank = note.replace("\n\n\u2014", "\n\u2014");
    assertReason(() -> Checkpoint.verify(noBlank, ORIGIN, TRUSTED), Reason.MALFORMED_NOTE);
  }

  @Test
  void should_reject_a_checkpoint_without_a_trusted_signature() {
    Ed25519PrivateKeyParameters impostor = Ed25519Keys.generate();
    String note = new Checkpoint(ORIGIN, 8, ROOT).sign(Signer.of(ORIGIN, impostor));
    assertReason(() -> Checkpoint.verify(note, ORIGIN, TRUSTED), Reason.NO_TRUSTED_SIGNATURE);
  }

  @Test
  void should_reject_a_checkpoint_whose_body_was_altered_after_signing() {
    String note = new Checkpoint(ORIGIN, 8, ROOT).sign(SIGNER);
    String altered = note.replaceFirst("\n8\n", "\n9\n");
    assertReason(() -> Checkpoint.verify(altered, ORIGIN, TRUSTED), Reason.INVALID_SIGNATURE);
  }

  @Test
  void should_reject_a_checkpoint_smaller_than_the_last_seen() {
    String note = new Checkpoint(ORIGIN, 8, ROOT).sign(SIGNER);
    assertReason(() -> Checkpoint.verify(note, ORIGIN, TRUSTED, 9), Reason.ROLLBACK);
  }

  @Test
  void should_verify_a_rotation_checkpoint_with_the_new_key_alone() {
    Signer next = Signer.of(ORIGIN, NEXT_KEY);
    Checkpoint c = new Checkpoint(ORIGIN, 8, ROOT);
    String note = c.sign(List.of(SIGNER, next));

    assertThat(Checkpoint.verify(note, ORIGIN, List.of(next.verifier()))).isEqualTo(c);
    assertThat(Checkpoint.verify(note, ORIGIN, TRUSTED)).isEqualTo(c);
    // and a witness cosignature from an unknown key changes nothing
    String cosigned = SignedNote.cosign(note, Signer.of("witness.example", Ed25519Keys.generate()));
    assertThat(Checkpoint.verify(cosigned, ORIGIN, List.of(next.verifier()))).isEqualTo(c);
  }
}
