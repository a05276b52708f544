package dev.aegis.pipeline.ports;

import java.time.Instant;

/**
 * Receives the decisions a tenant's shadow policy would have made differently from the live one
 * (SPEC §3.4 shadow mode: "would have blocked"). Called on the event loop of the request after
 * stage 4 decided; implementations must not block (buffer and write asynchronously) and must
 * never fail the request.
 */
public interface ShadowRecorder {

  void record(ShadowDecision decision);

  /** Records nothing. */
  ShadowRecorder NONE = d -> { };

  /**
   * One divergent shadow decision.
   *
   * @param tenantId tenant
   * @param requestId the request evaluated
   * @param agentId agent
   * @param tool tool
   * @param shadowVersionId the shadow policy version (uuid)
   * @param shadowVersion its version number
   * @param liveDecision ALLOW, ESCALATE or DENY: what the live policies decided at stage 4
   * @param shadowDecision ALLOW, ESCALATE or DENY: what the shadow tenant policy decides
   * @param ruleId the shadow rule that decided, or null
   * @param reason its reason, or null
   * @param at evaluation time
   */
  record ShadowDecision(String tenantId, String requestId, String agentId, String tool,
      String shadowVersionId, int shadowVersion, String liveDecision, String shadowDecision,
      String ruleId, String reason, Instant at) {

    /** True when the shadow would have stopped (denied or escalated) what live allowed. */
    public boolean wouldHaveBlocked() {
      return "ALLOW".equals(liveDecision) && !"ALLOW".equals(shadowDecision);
    }
  }
}
