package dev.aegis.bench;

/**
 * The open-loop send schedule. Each intended send time is computed from the request's index,
 * never by adding an interval to the previous time, so rounding cannot accumulate into drift.
 *
 * <p>Shape: the warm-up (W seconds) first ramps the rate linearly from {@link #RAMP_START} × R to R
 * over W/2 (so a cold client or server is not buried under a backlog it built while its JIT was
 * still compiling), then holds R for W/2; the measured part then runs at exactly R for D seconds:
 * request {@code g} is intended at {@code W + (g - warmupCount) / R} plus a constant. The warm-up
 * and the measured part form one continuous schedule.
 *
 * <p>The load may be split over {@code streams} event loops: stream {@code k} owns the global
 * indices {@code k, k + streams, k + 2*streams, ...}; together the streams cover the schedule
 * exactly once.
 */
public final class Schedule {
  /** The warm-up ramp starts at this fraction of the target rate. */
  public static final double RAMP_START = 0.1;

  private final double rate;
  private final double r0;
  private final double rampSeconds;
  /** Requests (fractional) sent during the ramp. */
  private final double rampCount;
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
    this.r0 = RAMP_START * ratePerSecond;
    this.rampSeconds = warmupSeconds / 2;
    this.rampCount = (r0 + rate) / 2 * rampSeconds;
    this.warmupCount = (long) Math.ceil(rampCount + rate * (warmupSeconds - rampSeconds));
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
    if (g < rampCount) {
      // N(t) = r0 t + (R - r0) t^2 / (2 T)  =>  solve a t^2 + r0 t - g = 0.
      double a = (rate - r0) / (2 * rampSeconds);
      double seconds = (-r0 + Math.sqrt(r0 * r0 + 4 * a * g)) / (2 * a);
      return Math.round(seconds * 1e9);
    }
    return Math.round(rampSeconds * 1e9 + (g - rampCount) * 1e9 / rate);
  }

  public boolean isWarmup(long i) {
    return globalIndex(i) < warmupCount;
  }
}
