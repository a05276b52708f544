package dev.aegis.verticles.gateway;

import java.util.Map;
import java.util.Set;

/**
 * Gateway settings, validated once by the launcher.
 *
 * @param host bind address
 * @param port HTTP port (default 8000)
 * @param bodyLimitBytes largest request body (413 beyond)
 * @param maxPayloadChars largest scannable action (SPEC: 5,000; 413 beyond)
 * @param requestTimeoutMillis the deadline of one /execute request (504 beyond)
 * @param auditTimeoutMillis how long to wait for the audit commit (503 beyond)
 * @param velocityPerMinute calls per minute per agent before the velocity signal rises
 * @param upstreams tool name to upstream URL (tools not listed are evaluated only)
 * @param upstreamTimeoutMillis per-call cap for upstream calls
 * @param upstreamMaxConcurrent concurrent upstream calls
 * @param redactEmails redact e-mail addresses in tool output
 * @param allowedEgressDomains domains PII may be sent to by email/http tools
 * @param replayWindowMillis the same credential and action again within this window is 429
 *     {@code replay_detected} (0 disables)
 */
public record GatewayConfig(String host, int port, int bodyLimitBytes, int maxPayloadChars,
    long requestTimeoutMillis, long auditTimeoutMillis, double velocityPerMinute,
    Map<String, String> upstreams, long upstreamTimeoutMillis, int upstreamMaxConcurrent,
    boolean redactEmails, Set<String> allowedEgressDomains, long replayWindowMillis) {

  public GatewayConfig {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (bodyLimitBytes < 1024 || maxPayloadChars < 1 || requestTimeoutMillis < 10 || auditTimeoutMillis < 10) {
      throw new IllegalArgumentException("gateway limits are too small");
    }
    upstreams = Map.copyOf(upstreams);
    allowedEgressDomains = Set.copyOf(allowedEgressDomains);
  }

  /** Defaults for tests. */
  public static GatewayConfig defaults(int port) {
    return new GatewayConfig("0.0.0.0", port, 1_048_576, 5_000, 10_000, 5_000, 600, Map.of(), 10_000,
        100, false, Set.of(), 1000);
  }
}
