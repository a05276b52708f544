package dev.aegis.bench;

/**
 * What one load run does.
 *
 * @param scenario name shown in results (hello, allow, deny, ...)
 * @param url base URL, e.g. http://127.0.0.1:8000
 * @param rate target requests per second (open loop)
 * @param warmupSeconds warm-up at the same rate, not recorded
 * @param durationSeconds measured part
 * @param connections HTTP/1.1 keep-alive connections in the pool (no pipelining), over all
 *     event loops
 * @param eventLoops client event loops (each sends an interleaved share of the schedule)
 * @param timeoutMs a request that waits this long for a connection or for its response counts as
 *     a timeout
 * @param lateThresholdMs a request sent more than this after its intended time counts as backlog
 * @param maxOutstanding requests in flight or queued above this are not sent (counted as dropped)
 * @param source the requests to send
 */
public record LoadSpec(
    String scenario,
    String url,
    double rate,
    double warmupSeconds,
    double durationSeconds,
    int connections,
    int eventLoops,
    long timeoutMs,
    double lateThresholdMs,
    int maxOutstanding,
    RequestSource source) {

  public static final int DEFAULT_CONNECTIONS = 128;
  public static final long DEFAULT_TIMEOUT_MS = 10_000;
  public static final double DEFAULT_LATE_MS = 5.0;
  public static final int DEFAULT_MAX_OUTSTANDING = 200_000;

  public LoadSpec {
    if (connections < 1 || eventLoops < 1 || connections < eventLoops) {
      throw new IllegalArgumentException("need connections >= event loops >= 1");
    }
  }

  public LoadSpec withRate(double newRate, double newWarmup, double newDuration) {
    return new LoadSpec(scenario, url, newRate, newWarmup, newDuration, connections, eventLoops,
        timeoutMs, lateThresholdMs, maxOutstanding, source);
  }
}
