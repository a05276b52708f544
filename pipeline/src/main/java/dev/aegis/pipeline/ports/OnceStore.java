package dev.aegis.pipeline.ports;

import io.vertx.core.Future;

/**
 * Remembers that a key was used, for a while: the JTI replay window and idempotency keys.
 * The Redis and in-process implementations pass the same contract tests.
 *
 * <p><b>Contract.</b>
 *
 * <ul>
 *   <li>{@link #firstUse} is an atomic test-and-set: of any number of concurrent calls for one key
 *       (on any thread, any event loop, and for the Redis store any gateway), exactly one sees
 *       {@code true}.
 *   <li>The window starts at the call that returned {@code true} and lasts {@code ttlMillis}. A
 *       replay (a call that returns {@code false}) neither extends nor restarts it. Once the
 *       window has passed the key is forgotten and the next call returns {@code true} again.
 *   <li>Implementations are non-blocking and thread safe; the future may already be complete
 *       when returned (in-process) or complete on a Vert.x context (Redis).
 *   <li>The future fails, and nothing is remembered, on invalid arguments ({@code key == null},
 *       {@code ttlMillis <= 0}) or when the store cannot answer (Redis unreachable, in-process
 *       store full). The caller decides whether to fail open or closed; for replay protection
 *       failing closed is the safe default.
 * </ul>
 */
public interface OnceStore {

  /**
   * @param key what must be used once (e.g. {@code jti:<issuer>:<jti>}, {@code idem:<tenant>:<key>})
   * @param ttlMillis how long the key is remembered after its first use, > 0 (for a JTI: until
   *     the token expires, plus clock skew)
   * @return {@code true} the first time the key is seen within its window, {@code false} while it
   *     is remembered (a replay)
   */
  Future<Boolean> firstUse(String key, long ttlMillis);
}
