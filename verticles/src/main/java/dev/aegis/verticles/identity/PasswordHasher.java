package dev.aegis.verticles.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashing (BouncyCastle) in the PHC string format
 * {@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}. CPU and memory heavy by design: call it on a
 * worker thread ({@code executeBlocking}), never on an event loop.
 */
public final class PasswordHasher {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final int memoryKib;
  private final int iterations;
  private final int parallelism;
  private volatile String dummy;

  /** OWASP's recommended Argon2id parameters: 19 MiB, 2 iterations, 1 lane. */
  public PasswordHasher() {
    this(19_456, 2, 1);
  }

  public PasswordHasher(int memoryKib, int iterations, int parallelism) {
    this.memoryKib = memoryKib;
    this.iterations = iterations;
    this.parallelism = parallelism;
  }

  /**
   * A valid hash of a random password, verified against when a login names an unknown account so
   * that unknown and known e-mails cost the same. Computed on first use: call it once at startup
   * (off the event loop).
   */
  public String dummyHash() {
    String d = dummy;
    if (d == null) {
      d = hash(java.util.UUID.randomUUID().toString());
      dummy = d;
    }
    return d;
  }

  public String hash(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] out = derive(password, salt, memoryKib, iterations, parallelism, 32);
    return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "$"
        + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
  }

  /** Constant-time check of a password against a PHC string; false for malformed hashes. */
  public boolean verify(String password, String phc) {
    try {
      String[] parts = phc.split("\\$");
      if (parts.length != 6 || !"argon2id".equals(parts[1])) {
        return false;
      }
      int m = 0;
      int t = 0;
      int p = 0;
      for (String kv : parts[3].split(",")) {
        String[] e = kv.split("=");
        switch (e[0]) {
          case "m" -> m = Integer.parseInt(e[1]);
          case "t" -> t = Integer.parseInt(e[1]);
          case "p" -> p = Integer.parseInt(e[1]);
          default -> { }
        }
      }
      byte[] salt = B64D.decode(parts[4]);
      byte[] expected = B64D.decode(parts[5]);
      byte[] actual = derive(password, salt, m, t, p, expected.length);
      return MessageDigest.isEqual(expected, actual);
    } catch (RuntimeException malformed) {
      return false;
    }
  }

  private static byte[] derive(String password, byte[] salt, int m, int t, int p, int len) {
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13).withSalt(salt).withMemoryAsKB(m)
        .withIterations(t).withParallelism(p).build();
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(params);
    byte[] out = new byte[len];
    gen.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
