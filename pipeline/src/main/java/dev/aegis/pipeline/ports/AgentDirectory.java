package dev.aegis.pipeline.ports;

import io.vertx.core.Future;

/**
 * Looks up agents and their grants for the hot path. Implementations cache locally and are
 * invalidated when grants or status change.
 */
public interface AgentDirectory {

  /**
   * @return the agent, or a succeeded future with null when it does not exist in that tenant
   *     (or was deleted)
   */
  Future<AgentView> find(String tenantId, String agentId);
}
