package dev.aegis.pipeline.ports;

/**
 * Local, synchronous view of the per-tenant kill switch. Implementations keep the state in memory
 * and refresh it by invalidation messages, so reading it costs no I/O.
 */
public interface KillSwitchView {

  /** The state of one tenant's switch. */
  enum State { ENGAGED, DISENGAGED, UNKNOWN }

  /**
   * @param tenantId the tenant
   * @return ENGAGED, DISENGAGED, or UNKNOWN when the state cannot be trusted (fail closed)
   */
  State state(String tenantId);
}
