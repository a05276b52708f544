package dev.aegis.pipeline.ports;

import io.vertx.core.Future;

/**
 * Evaluates policy for one action. A failed future means the engine is unavailable; stage 4
 * then fails closed (503 {@code policy_unavailable}).
 */
public interface PolicyEngine {
  Future<PolicyResult> evaluate(PolicyInput input);
}
