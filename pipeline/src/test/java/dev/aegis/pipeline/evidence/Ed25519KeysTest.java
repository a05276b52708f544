package dev.aegis.pipeline.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.IntStream;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.junit.jupiter.api.Test;

/** Ed25519 keys, encodings, SPEC §0 fingerprints and signatures. */
class Ed25519KeysTest {

  static final HexFormat HEX = HexFormat.of();

  /** RFC 8032 §7.1, TEST 1 (empty message). */
  static final byte[] RFC8032_SECRET =
      HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  static final byte[] RFC8032_PUBLIC =
      HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  static final byte[] RFC8032_SIGNATURE = HEX.parseHex(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

  /** The PEM and fingerprint Python's cryptography library gives for the RFC 8032 key. */
  static final String PYTHON_PEM = "-----BEGIN PUBLIC KEY-----\n"
      + "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
      + "-----END PUBLIC KEY-----\n";
  static final String PYTHON_FINGERPRINT =
      "7f2d9ed0b71b8e5a6c5cf30e647d6e20b5bca6dac8071f11abe3fef8014db610";
  static final String PYTHON_PKCS8_HEX =
      "302e020100300506032b6570042204209d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

  static Ed25519PrivateKeyParameters rfcKey() {
    return Ed25519Keys.privateKeyFromRaw(RFC8032_SECRET);
  }

  @Test
  void should_sign_rfc8032_test_1_exactly() {
    Ed25519PrivateKeyParameters sk = rfcKey();
    Ed25519PublicKeyParameters pk = Ed25519Keys.publicKey(sk);

    assertThat(Ed25519Keys.rawPublicKey(pk)).isEqualTo(RFC8032_PUBLIC);
    assertThat(Ed25519Keys.sign(sk, new byte[0])).isEqualTo(RFC8032_SIGNATURE);
    assertThat(Ed25519Keys.verify(Ed25519Keys.publicKeyFromRaw(RFC8032_PUBLIC), new byte[0],
        RFC8032_SIGNATURE)).isTrue();
  }

  @Test
  void should_reject_zero_short_long_and_flipped_signatures() {
    Ed25519PublicKeyParameters pk = Ed25519Keys.publicKeyFromRaw(RFC8032_PUBLIC);
    byte[] empty = new byte[0];

    assertThat(Ed25519Keys.verify(pk, empty, new byte[64])).isFalse();
    assertThat(Ed25519Keys.verify(pk, empty, Arrays.copyOf(RFC8032_SIGNATURE, 63))).isFalse();
    assertThat(Ed25519Keys.verify(pk, empty, Arrays.copyOf(RFC8032_SIGNATURE, 65))).isFalse();
    assertThat(Ed25519Keys.verify(pk, empty, new byte[0])).isFalse();
    assertThat(Ed25519Keys.verify(pk, empty, null)).isFalse();
    for (int bit = 0; bit < 512; bit++) {
      byte[] sig = RFC8032_SIGNATURE.clone();
      sig[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(Ed25519Keys.verify(pk, empty, sig)).as("bit %d flipped", bit).isFalse();
    }
    assertThat(Ed25519Keys.verify(pk, new byte[] {0}, RFC8032_SIGNATURE)).isFalse();
  }

  /** Verifies that S + L (same signature, malleated) is rejected: RFC 8032 requires S < L. */
  @Test
  void should_reject_malleated_s() {
    byte[] l = HEX.parseHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    byte[] sig = RFC8032_SIGNATURE.clone();
    int carry = 0;
    for (int i = 0; i < 32; i++) { // little-endian S + L
      int sum = (sig[32 + i] & 0xff) + (l[i] & 0xff) + carry;
      sig[32 + i] = (byte) sum;
      carry = sum >> 8;
    }
    assertThat(carry).isZero();
    assertThat(Ed25519Keys.verify(Ed25519Keys.publicKeyFromRaw(RFC8032_PUBLIC), new byte[0], sig))
        .isFalse();
  }

  @Test
  void should_match_python_cryptography_pem_fingerprint_and_pkcs8() {
    Ed25519PrivateKeyParameters sk = rfcKey();
    Ed25519PublicKeyParameters pk = sk.generatePublicKey();

    assertThat(Ed25519Keys.publicKeyPem(pk)).isEqualTo(PYTHON_PEM);
    assertThat(Ed25519Keys.fingerprint(pk)).isEqualTo(PYTHON_FINGERPRINT);
    assertThat(Ed25519Keys.fingerprintOfPem(PYTHON_PEM)).isEqualTo(PYTHON_FINGERPRINT);
    assertThat(HEX.formatHex(Ed25519Keys.encodePkcs8(sk))).isEqualTo(PYTHON_PKCS8_HEX);
    Ed25519Keys.KeyPair kp = Ed25519Keys.KeyPair.of(sk);
    assertThat(kp.fingerprint()).isEqualTo(PYTHON_FINGERPRINT);
    assertThat(kp.toString()).doesNotContain(HEX.formatHex(RFC8032_SECRET));
  }

  @Test
  void should_round_trip_every_encoding() {
    Ed25519PrivateKeyParameters sk = Ed25519Keys.generate();
    Ed25519PublicKeyParameters pk = sk.generatePublicKey();
    byte[] raw = Ed25519Keys.rawPublicKey(pk);

    assertThat(Ed25519Keys.rawPrivateKey(Ed25519Keys.privateKeyFromRaw(
        Ed25519Keys.rawPrivateKey(sk)))).isEqualTo(sk.getEncoded());
    assertThat(Ed25519Keys.decodePkcs8(Ed25519Keys.encodePkcs8(sk)).getEncoded())
        .isEqualTo(sk.getEncoded());
    assertThat(Ed25519Keys.privateKeyFromPem(Ed25519Keys.privateKeyPem(sk)).getEncoded())
        .isEqualTo(sk.getEncoded());
    assertThat(Ed25519Keys.decodeSpki(Ed25519Keys.encodeSpki(pk)).getEncoded()).isEqualTo(raw);
    assertThat(Ed25519Keys.publicKeyFromPem(Ed25519Keys.publicKeyPem(pk)).getEncoded())
        .isEqualTo(raw);
    assertThat(Ed25519Keys.publicKeyFromPem("\r\n  " + Ed25519Keys.publicKeyPem(pk)
        .replace("\n", "\r\n") + "\n").getEncoded()).isEqualTo(raw);
    assertThat(Ed25519Keys.encodeSpki(pk)).hasSize(44);
    assertThat(Ed25519Keys.encodePkcs8(sk)).hasSize(48);
  }

  /** Verifies that a PKCS#8 v2 key (with the public key, RFC 8410 §7) from OpenSSL 3 is read. */
  @Test
  void should_read_pkcs8_v2_with_public_key() {
    // OneAsymmetricKey v2: version 1, the seed, and [1] publicKey
    String v2 = "3051020101300506032b6570042204209d61b19deffd5a60ba844af492ec2cc44449c5697b326919"
        + "703bac031cae7f60812100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    assertThat(Ed25519Keys.decodePkcs8(HEX.parseHex(v2)).getEncoded()).isEqualTo(RFC8032_SECRET);
  }

  @Test
  void should_reject_malformed_keys() {
    assertThatThrownBy(() -> Ed25519Keys.publicKeyFromRaw(new byte[31]))
        .isInstanceOf(EvidenceException.class);
    assertThatThrownBy(() -> Ed25519Keys.privateKeyFromRaw(new byte[33]))
        .isInstanceOf(EvidenceException.class);
    byte[] spki = Ed25519Keys.encodeSpki(rfcKey().generatePublicKey());
    spki[8] = 0x71; // OID 1.3.101.113 = Ed448
    assertThatThrownBy(() -> Ed25519Keys.decodeSpki(spki)).isInstanceOf(EvidenceException.class);
    assertThatThrownBy(() -> Ed25519Keys.decodePkcs8(new byte[] {0x30, 0x00}))
        .isInstanceOf(EvidenceException.class);
    assertThatThrownBy(() -> Ed25519Keys.publicKeyFromPem(
        PYTHON_PEM.replace("PUBLIC KEY", "PRIVATE KEY"))).isInstanceOf(EvidenceException.class);
    assertThatThrownBy(() -> Ed25519Keys.publicKeyFromPem(PYTHON_PEM.replace("MCow", "MC*w")))
        .isInstanceOf(EvidenceException.class);
    // y = 2 is not the y-coordinate of any curve point
    byte[] notAPoint = new byte[32];
    notAPoint[0] = 2;
    assertThatThrownBy(() -> Ed25519Keys.publicKeyFromRaw(notAPoint))
        .isInstanceOf(EvidenceException.class);
  }

  @Test
  void should_sign_and_verify_concurrently_with_one_key() {
    Ed25519PrivateKeyParameters sk = Ed25519Keys.generate();
    Ed25519PublicKeyParameters pk = sk.generatePublicKey();
    long bad = IntStream.range(0, 2_000).parallel().filter(i -> {
      byte[] msg = ("message " + i).getBytes(StandardCharsets.UTF_8);
      byte[] sig = Ed25519Keys.sign(sk, msg);
      return !Ed25519Keys.verify(pk, msg, sig)
          || Ed25519Keys.verify(pk, ("message " + (i + 1)).getBytes(StandardCharsets.UTF_8), sig);
    }).count();
    assertThat(bad).isZero();
  }
}
