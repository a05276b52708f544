package dev.aegis.bench;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Accounts for the outcome of each request. Latency is always charged from the request's
 * <em>intended</em> send time (coordinated-omission correction): a request that waited behind a
 * stalled server or a busy client is charged for that wait.
 *
 * <p>Not thread-safe: each load stream owns one recorder, used only from its event loop; streams'
 * recorders are merged with {@link #add(LatencyRecorder)} after the run.
 */
public final class LatencyRecorder {
  /** Highest trackable latency: 60 s in microseconds. */
  public static final long MAX_MICROS = 60_000_000L;

  private final Histogram latency = new Histogram(1, MAX_MICROS, 3);
  /** Time from intended send to the moment the request got a connection and was written. */
  private final Histogram sendLag = new Histogram(1, MAX_MICROS, 3);
  /** Time from the actual write to the answer: the server's share, not corrected (diagnostic). */
  private final Histogram service = new Histogram(1, MAX_MICROS, 3);
  private final Map<Integer, Long> statusCounts = new TreeMap<>();
  private final Map<String, Long> errorCounts = new TreeMap<>();
  /** The first few answers with an unexpected status ("STATUS body"), to tell why. */
  private final java.util.List<String> unexpectedSamples = new java.util.ArrayList<>();
  static final int MAX_SAMPLES = 3;
  private final long lateThresholdNanos;
  private final int expectedStatus;

  private long responses;
  private long expected;
  private long unexpected;
  private long timeouts;
  private long errors;
  private long late;
  private long schedulerLate;
  private long dropped;
  private long lastCompletionNanos = Long.MIN_VALUE;

  // Optional per-second timeline, by intended send time: completions, slow answers, worst latency.
  private long timelineOrigin;
  private long[] tlCompleted;
  private long[] tlSlow;
  private long[] tlMaxMicros;
  private long slowMicros;

  /**
   * Keeps per-second counters from {@code originNanos} on (seconds by intended send time).
   *
   * @param slowMicros answers slower than this count as slow in the timeline
   */
  public void enableTimeline(long originNanos, int seconds, long slowMicros) {
    timelineOrigin = originNanos;
    tlCompleted = new long[seconds];
    tlSlow = new long[seconds];
    tlMaxMicros = new long[seconds];
    this.slowMicros = slowMicros;
  }

  private void timeline(long intendedNanos, long micros) {
    if (tlCompleted == null) {
      return;
    }
    long sec = (intendedNanos - timelineOrigin) / 1_000_000_000L;
    if (sec < 0 || sec >= tlCompleted.length) {
      return;
    }
    int i = (int) sec;
    tlCompleted[i]++;
    if (micros > slowMicros) {
      tlSlow[i]++;
    }
    if (micros > tlMaxMicros[i]) {
      tlMaxMicros[i] = micros;
    }
  }

  /** Per-second completions, or null when the timeline is off. */
  public long[] timelineCompleted() {
    return tlCompleted;
  }

  public long[] timelineSlow() {
    return tlSlow;
  }

  public long[] timelineMaxMicros() {
    return tlMaxMicros;
  }

  /**
   * @param expectedStatus the status the scenario expects (e.g. 200 for allow, 403 for deny)
   * @param lateThresholdNanos a request sent more than this after its intended time counts as
   *     backlog
   */
  public LatencyRecorder(int expectedStatus, long lateThresholdNanos) {
    this.expectedStatus = expectedStatus;
    this.lateThresholdNanos = lateThresholdNanos;
  }

  /** The scheduler fired request late (the generator itself could not keep up). */
  public void recordFired(long intendedNanos, long firedNanos) {
    if (firedNanos - intendedNanos > lateThresholdNanos) {
      schedulerLate++;
    }
  }

  /** The request got a connection and was written at {@code sentNanos}. */
  public void recordSent(long intendedNanos, long sentNanos) {
    long lag = sentNanos - intendedNanos;
    sendLag.recordValue(toMicros(lag));
    if (lag > lateThresholdNanos) {
      late++;
    }
  }

  /**
   * An answer arrived.
   *
   * @param sentNanos when the request was actually written (Long.MIN_VALUE if unknown)
   */
  public void recordResponse(long intendedNanos, long sentNanos, long completedNanos, int status) {
    if (sentNanos != Long.MIN_VALUE) {
      service.recordValue(toMicros(completedNanos - sentNanos));
    }
    long us = toMicros(completedNanos - intendedNanos);
    latency.recordValue(us);
    timeline(intendedNanos, us);
    responses++;
    statusCounts.merge(status, 1L, Long::sum);
    if (status == expectedStatus) {
      expected++;
    } else {
      unexpected++;
    }
    noteCompletion(completedNanos);
  }

  public boolean wantsSample(int status) {
    return status != expectedStatus && unexpectedSamples.size() < MAX_SAMPLES;
  }

  public void sample(int status, String body) {
    if (unexpectedSamples.size() < MAX_SAMPLES) {
      String b = body == null ? "" : body;
      unexpectedSamples.add(status + " " + (b.length() > 400 ? b.substring(0, 400) + "..." : b));
    }
  }

  public java.util.List<String> unexpectedSamples() {
    return unexpectedSamples;
  }

  /** A timed-out request is charged the time it was outstanding (from its intended time). */
  public void recordTimeout(long intendedNanos, long nowNanos) {
    long us = toMicros(nowNanos - intendedNanos);
    latency.recordValue(us);
    timeline(intendedNanos, us);
    timeouts++;
    noteCompletion(nowNanos);
  }

  /** A transport error (connection refused, reset...). Not a latency sample. */
  public void recordError(String kind) {
    errors++;
    errorCounts.merge(kind, 1L, Long::sum);
  }

  /** A request the generator did not send because too many were outstanding. */
  public void recordDropped() {
    dropped++;
  }

  private void noteCompletion(long nanos) {
    if (nanos > lastCompletionNanos) {
      lastCompletionNanos = nanos;
    }
  }

  static long toMicros(long nanos) {
    long us = Math.max(0, nanos) / 1_000L;
    return Math.min(us, MAX_MICROS);
  }

  public void add(LatencyRecorder other) {
    latency.add(other.latency);
    sendLag.add(other.sendLag);
    service.add(other.service);
    for (String smp : other.unexpectedSamples) {
      if (unexpectedSamples.size() < MAX_SAMPLES) {
        unexpectedSamples.add(smp);
      }
    }
    other.statusCounts.forEach((k, v) -> statusCounts.merge(k, v, Long::sum));
    other.errorCounts.forEach((k, v) -> errorCounts.merge(k, v, Long::sum));
    responses += other.responses;
    expected += other.expected;
    unexpected += other.unexpected;
    timeouts += other.timeouts;
    errors += other.errors;
    late += other.late;
    schedulerLate += other.schedulerLate;
    dropped += other.dropped;
    lastCompletionNanos = Math.max(lastCompletionNanos, other.lastCompletionNanos);
    if (other.tlCompleted != null) {
      if (tlCompleted == null) {
        enableTimeline(other.timelineOrigin, other.tlCompleted.length, other.slowMicros);
      }
      for (int i = 0; i < Math.min(tlCompleted.length, other.tlCompleted.length); i++) {
        tlCompleted[i] += other.tlCompleted[i];
        tlSlow[i] += other.tlSlow[i];
        tlMaxMicros[i] = Math.max(tlMaxMicros[i], other.tlMaxMicros[i]);
      }
    }
  }

  public Histogram latency() {
    return latency;
  }

  public Histogram service() {
    return service;
  }

  public Histogram sendLag() {
    return sendLag;
  }

  public Map<Integer, Long> statusCounts() {
    return statusCounts;
  }

  public Map<String, Long> errorCounts() {
    return errorCounts;
  }

  public int expectedStatus() {
    return expectedStatus;
  }

  public long responses() {
    return responses;
  }

  public long expected() {
    return expected;
  }

  public long unexpected() {
    return unexpected;
  }

  public long timeouts() {
    return timeouts;
  }

  public long errors() {
    return errors;
  }

  public long late() {
    return late;
  }

  public long schedulerLate() {
    return schedulerLate;
  }

  public long dropped() {
    return dropped;
  }

  public long lastCompletionNanos() {
    return lastCompletionNanos;
  }
}
