package dev.aegis.pipeline.ports;

import java.util.Map;

/**
 * What the gateway needs to know about an agent on the hot path.
 *
 * @param id agent id
 * @param tenantId owning tenant
 * @param name agent name
 * @param status ACTIVE or QUARANTINED
 * @param riskLevel low, medium, high or critical
 * @param grants tool name to grant
 */
public record AgentView(String id, String tenantId, String name, String status, String riskLevel,
    Map<String, Grant> grants) {

  /**
   * A tool grant.
   *
   * @param action ALLOW or DENY
   * @param expiresAtEpochMillis 0 when it never expires
   */
  public record Grant(String action, long expiresAtEpochMillis) {
    public boolean allowsAt(long nowMillis) {
      return "ALLOW".equals(action) && (expiresAtEpochMillis == 0 || nowMillis < expiresAtEpochMillis);
    }
  }

  public boolean quarantined() {
    return "QUARANTINED".equals(status);
  }

  /** Whether this agent may call {@code tool} now. A DENY grant or an expired grant says no. */
  public boolean mayCall(String tool, long nowMillis) {
    if (quarantined()) {
      return false;
    }
    Grant g = grants.get(tool);
    return g != null && g.allowsAt(nowMillis);
  }
}
