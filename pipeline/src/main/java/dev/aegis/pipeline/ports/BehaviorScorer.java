package dev.aegis.pipeline.ports;

import io.vertx.core.Future;

/**
 * Scores an action against the agent's recent behaviour. A failed future puts stage 5 into the
 * tenant's degraded-mode policy.
 */
public interface BehaviorScorer {
  Future<BehaviorResult> score(String tenantId, String agentId, String tool, long nowMillis);
}
