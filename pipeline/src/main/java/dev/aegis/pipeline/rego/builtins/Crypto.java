package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.Builtins;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hashes of a string's UTF-8 bytes as lowercase hex: {@code crypto.sha256 crypto.md5 crypto.sha1}. */
final class Crypto {
  private Crypto() {
  }

  static void register(Builtins.Registrar r) {
    r.add("crypto.sha256", 1, (ctx, a) -> Args.s(hash("SHA-256", Args.str("crypto.sha256", a, 0))));
    r.add("crypto.sha1", 1, (ctx, a) -> Args.s(hash("SHA-1", Args.str("crypto.sha1", a, 0))));
    r.add("crypto.md5", 1, (ctx, a) -> Args.s(hash("MD5", Args.str("crypto.md5", a, 0))));
  }

  static String hash(String algorithm, String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(Encoding.utf8(s)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every JRE", e);
    }
  }
}
