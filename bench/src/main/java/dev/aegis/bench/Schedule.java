package dev.aegis.bench;

/**
 * The open-loop send schedule: request {@code g} (global index) is intended to be sent at
 * {@code start + g * 1e9 / rate} nanoseconds. Each time is computed from the index, never by
 * adding an interval to the previous time, so rounding cannot accumulate into drift.
 *
 * <p>The load may be split over {@code streams} event loops: stream {@code k} owns the global
 * indices {@code k, k + streams, k + 2*streams, ...}; together the streams cover the schedule
 * exactly once.
 *
 * <p>Requests with a global index below {@link #warmupCount()} belong to the warm-up; the rest are
 * measured. The warm-up and the measured part form one continuous schedule (no gap between them).
 */
public final class Schedule {
  private final double rate;
  private final double nanosPerRequest;
  private final long warmupCount;
  private final long totalCount;
  private final int stream;
  private final int streams;

  public Schedule(double ratePerSecond, double warmupSeconds, double durationSeconds) {
    this(ratePerSecond, warmupSeconds, durationSeconds, 0, 1);
  }

  public Schedule(double ratePerSecond, double warmupSeconds, double durationSeconds, int stream,
      int streams) {
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("rate must be > 0: " + ratePerSecond);
    }
    if (warmupSeconds < 0 || durationSeconds <= 0) {
      throw new IllegalArgumentException("warm-up must be >= 0 and duration > 0");
    }
    if (streams < 1 || stream < 0 || stream >= streams) {
      throw new IllegalArgumentException("bad stream " + stream + " of " + streams);
    }
    this.rate = ratePerSecond;
    this.nanosPerRequest = 1e9 / ratePerSecond;
    this.warmupCount = Math.round(ratePerSecond * warmupSeconds);
    this.totalCount = warmupCount + Math.max(1, Math.round(ratePerSecond * durationSeconds));
    this.stream = stream;
    this.streams = streams;
  }

  public double rate() {
    return rate;
  }

  /** Number of warm-up requests in the whole schedule (all streams). */
  public long warmupCount() {
    return warmupCount;
  }

  /** Number of measured requests in the whole schedule (all streams). */
  public long measuredCount() {
    return totalCount - warmupCount;
  }

  /** Number of requests in the whole schedule (all streams). */
  public long totalCount() {
    return totalCount;
  }

  /** Offset from the schedule start of the first measured request. */
  public long measureStartOffsetNanos() {
    return offsetOfGlobal(warmupCount);
  }

  /** Offset from the schedule start at which the measured window ends. */
  public long endOffsetNanos() {
    return offsetOfGlobal(totalCount);
  }

  /** Number of requests this stream sends. */
  public long streamCount() {
    if (totalCount <= stream) {
      return 0;
    }
    return (totalCount - stream + streams - 1) / streams;
  }

  /** Global index of this stream's {@code i}-th request. */
  public long globalIndex(long i) {
    return stream + i * streams;
  }

  /** Intended send offset (nanoseconds from the schedule start) of this stream's i-th request. */
  public long offsetNanos(long i) {
    return offsetOfGlobal(globalIndex(i));
  }

  /** Intended send offset of the request with global index g. */
  public long offsetOfGlobal(long g) {
    return (long) Math.floor(g * nanosPerRequest);
  }

  public boolean isWarmup(long i) {
    return globalIndex(i) < warmupCount;
  }
}
