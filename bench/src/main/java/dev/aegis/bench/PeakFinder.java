package dev.aegis.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the highest sustained rate: steps the rate up by a factor until a run fails (p99 over the
 * limit, any error / timeout / unexpected status, backlog, or throughput under 95% of target),
 * then optionally tries once halfway between the last passing and the failing rate. When the start
 * rate already fails, the rate is divided by the factor (at most {@link #MAX_DOWN_STEPS} times)
 * until one passes, and the search goes on upwards from there.
 */
final class PeakFinder {

  /** Runs the load at one rate. */
  interface Runner {
    LoadResult run(double rate) throws Exception;
  }

  record Criteria(double maxP99Ms, double maxBacklogFraction) {}

  record Step(double rate, LoadResult result, String failure) {
    JsonObject toJson() {
      return new JsonObject().put("rate", rate).put("passed", failure == null)
          .put("failure", failure).put("result", result.toJson());
    }
  }

  /** {@code peakRps} is the highest passing target rate (0 when none passed). */
  record Peak(double peakRps, double peakAchievedRps, List<Step> steps, String stopReason,
      boolean clientBound) {
    JsonObject toJson() {
      JsonArray s = new JsonArray();
      steps.forEach(st -> s.add(st.toJson()));
      return new JsonObject().put("peak_rps", peakRps).put("peak_achieved_rps", peakAchievedRps)
          .put("stop_reason", stopReason).put("client_bound", clientBound).put("steps", s);
    }
  }

  /** When the start rate fails, it is divided by the factor at most this many times. */
  static final int MAX_DOWN_STEPS = 3;

  private PeakFinder() {}

  static double roundRate(double r) {
    return r >= 100 ? Math.round(r) : Math.round(r * 10) / 10.0;
  }

  static Peak find(Runner runner, double startRate, double factor, int maxSteps, double maxRate,
      Criteria c, boolean refine) throws Exception {
    if (!(factor > 1)) {
      throw new IllegalArgumentException("factor must be > 1");
    }
    List<Step> steps = new ArrayList<>();
    double rate = roundRate(startRate);
    double pass = 0;
    double passAchieved = 0;
    double fail = 0;
    String stop = "reached max steps (" + maxSteps + ")";
    boolean clientBound = false;
    int downSteps = 0;
    while (steps.size() < maxSteps) {
      if (rate > maxRate) {
        stop = "reached max rate " + maxRate;
        break;
      }
      LoadResult r = runner.run(rate);
      String why = r.failureReason(c.maxP99Ms(), c.maxBacklogFraction());
      steps.add(new Step(rate, r, why));
      if (why != null && pass == 0 && downSteps < MAX_DOWN_STEPS) {
        // Even the start rate failed: step down instead of reporting nothing.
        downSteps++;
        stop = "failed at " + rate + " req/s: " + why;
        rate = roundRate(rate / factor);
        continue;
      }
      if (why != null) {
        fail = rate;
        stop = "failed at " + rate + " req/s: " + why;
        // The load generator itself fell behind its schedule (its core busy or stalled): the peak
        // may be the client's, not the server's.
        clientBound = r.clientCpu() >= 0.85
            || (r.scheduled() > 0 && r.generatorLate() > 0.01 * r.scheduled());
        break;
      }
      pass = rate;
      passAchieved = r.achievedRps();
      rate = roundRate(rate * factor);
    }
    if (refine && pass > 0 && fail > 0) {
      double mid = roundRate((pass + fail) / 2);
      if (mid > pass && mid < fail) {
        LoadResult r = runner.run(mid);
        String why = r.failureReason(c.maxP99Ms(), c.maxBacklogFraction());
        steps.add(new Step(mid, r, why));
        if (why == null) {
          pass = mid;
          passAchieved = r.achievedRps();
        }
      }
    }
    return new Peak(pass, passAchieved, steps, stop, clientBound);
  }
}
