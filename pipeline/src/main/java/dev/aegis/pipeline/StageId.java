package dev.aegis.pipeline;

/**
 * The eleven stages of the request path. The number and name are the stable labels used in
 * metrics, audit rows and timelines, whatever order the runner executes them in.
 */
public enum StageId {
  KILL_SWITCH(0, "kill_switch"),
  AUTH(1, "auth"),
  RATE_LIMIT(2, "rate_limit"),
  INFERENCE_PROXY(3, "inference_proxy"),
  POLICY(4, "policy"),
  BEHAVIOR(5, "behavior"),
  DECISION(6, "decision"),
  ENFORCEMENT(7, "enforcement"),
  EXECUTION(8, "execution"),
  OUTPUT_FILTER(9, "output_filter"),
  AUDIT(10, "audit");

  private final int number;
  private final String label;

  StageId(int number, String label) {
    this.number = number;
    this.label = label;
  }

  public int number() {
    return number;
  }

  public String label() {
    return label;
  }
}
