package dev.aegis.pipeline.decision;

/**
 * Weights of the five signals; they must sum to 1 +- 0.001.
 */
public record SignalWeights(double inference, double behavior, double anomaly, double cost,
    double crossAgent) {

  /** The original's code defaults: 0.35, 0.30, 0.15, 0.10, 0.10. */
  public static final SignalWeights DEFAULT = new SignalWeights(0.35, 0.30, 0.15, 0.10, 0.10);

  public SignalWeights {
    double sum = inference + behavior + anomaly + cost + crossAgent;
    if (Math.abs(sum - 1.0) > 0.001) {
      throw new IllegalArgumentException("signal weights must sum to 1.0, got " + sum);
    }
    for (double w : new double[] {inference, behavior, anomaly, cost, crossAgent}) {
      if (w < 0 || Double.isNaN(w)) {
        throw new IllegalArgumentException("signal weights must be >= 0");
      }
    }
  }
}
