package dev.aegis.pipeline.ports;

import io.vertx.core.Future;

/**
 * Fixed-window counters, e.g. failed logins per account and per IP. The Redis and in-process
 * implementations pass the same contract tests.
 *
 * <p><b>Contract.</b>
 *
 * <ul>
 *   <li>{@link #increment} atomically adds one and returns the new count; concurrent increments
 *       are never lost (for the Redis store, across gateways too).
 *   <li>The window is fixed: it starts at the increment that creates the key and lasts that
 *       call's {@code ttlMillis}. Later increments do not extend it and their {@code ttlMillis}
 *       is ignored. When the window has passed the count is gone: {@link #get} returns 0 and the
 *       next {@link #increment} returns 1 and starts a new window.
 *   <li>{@link #reset} deletes the count (e.g. after a successful login); resetting an absent key
 *       succeeds.
 *   <li>Implementations are non-blocking and thread safe. The future fails on invalid arguments
 *       ({@code key == null}, {@code ttlMillis <= 0}) or when the store cannot answer (Redis
 *       unreachable, in-process store full); the caller decides whether to fail open or closed.
 * </ul>
 */
public interface CounterStore {

  /**
   * @param key counter key (e.g. {@code login:acct:<tenant>:<user>}, {@code login:ip:<addr>})
   * @param ttlMillis window length, > 0; only used when this call creates the key
   * @return the count after this increment, >= 1
   */
  Future<Long> increment(String key, long ttlMillis);

  /**
   * @param key counter key
   * @return the current count, 0 when the key is absent or its window has passed
   */
  Future<Long> get(String key);

  /**
   * Deletes the count; the next {@link #increment} starts a new window at 1.
   *
   * @param key counter key
   */
  Future<Void> reset(String key);
}
