package dev.aegis.pipeline;

/**
 * Receives one callback per stage execution, for metrics and traces. Implementations must be
 * cheap and thread safe (several event loops call them).
 */
public interface StageObserver {

  /** How a stage ended. */
  enum Outcome { PROCEED, RESPOND, ERROR, FAIL_OPEN, TIMEOUT, SKIPPED }

  void onStage(StageId stage, Outcome outcome, long nanos);

  StageObserver NOOP = (stage, outcome, nanos) -> { };
}
