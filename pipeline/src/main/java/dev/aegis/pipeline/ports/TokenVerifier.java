package dev.aegis.pipeline.ports;

import io.vertx.core.Future;

/**
 * Verifies a bearer credential. Implementations check signature with an explicit algorithm
 * allow-list, expiry, not-before, issuer, audience and token type, and may cache verified tokens
 * (bounded by their expiry). Must not block the event loop.
 */
public interface TokenVerifier {

  /**
   * @param bearer the raw credential from {@code Authorization: Bearer}
   * @return the principal, or a failed future with {@link AuthFailure}
   */
  Future<Principal> verify(String bearer);

  /** A credential was rejected; {@code key} is the stable error key (e.g. {@code token_expired}). */
  final class AuthFailure extends RuntimeException {
    private final String key;

    public AuthFailure(String key, String message) {
      super(message, null, false, false);
      this.key = key;
    }

    public String key() {
      return key;
    }
  }
}
