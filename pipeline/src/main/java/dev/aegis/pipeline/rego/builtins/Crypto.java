package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hashes and HMACs of a string's UTF-8 bytes as lowercase hex ({@code crypto.sha256 crypto.md5
 * crypto.sha1 crypto.hmac.*}) and the constant-time {@code crypto.hmac.equal}.
 */
final class Crypto {
  private Crypto() {
  }

  static void register(Builtins.Registrar r) {
    r.add("crypto.sha256", 1, (ctx, a) -> Args.s(hash("SHA-256", Args.str("crypto.sha256", a, 0))));
    r.add("crypto.sha1", 1, (ctx, a) -> Args.s(hash("SHA-1", Args.str("crypto.sha1", a, 0))));
    r.add("crypto.md5", 1, (ctx, a) -> Args.s(hash("MD5", Args.str("crypto.md5", a, 0))));
    r.add("crypto.hmac.md5", 2, (ctx, a) -> hmac("crypto.hmac.md5", "HmacMD5", a));
    r.add("crypto.hmac.sha1", 2, (ctx, a) -> hmac("crypto.hmac.sha1", "HmacSHA1", a));
    r.add("crypto.hmac.sha256", 2, (ctx, a) -> hmac("crypto.hmac.sha256", "HmacSHA256", a));
    r.add("crypto.hmac.sha512", 2, (ctx, a) -> hmac("crypto.hmac.sha512", "HmacSHA512", a));
    r.add("crypto.hmac.equal", 2, (ctx, a) -> Value.bool(MessageDigest.isEqual(
        Encoding.utf8(Args.str("crypto.hmac.equal", a, 0)),
        Encoding.utf8(Args.str("crypto.hmac.equal", a, 1)))));
  }

  private static Value hmac(String name, String algorithm, Value[] a) {
    String message = Args.str(name, a, 0);
    String key = Args.str(name, a, 1);
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(Encoding.utf8(key), algorithm));
      return Args.s(HexFormat.of().formatHex(mac.doFinal(Encoding.utf8(message))));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(algorithm + " is part of every JRE", e);
    }
  }

  static String hash(String algorithm, String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(Encoding.utf8(s)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every JRE", e);
    }
  }
}
