package dev.aegis.pipeline.rego;

/**
 * Options of one evaluation.
 *
 * @param strictBuiltinErrors a failing built-in halts the query with its error (OPA's
 *     strict-builtin-errors); otherwise the expression is undefined
 * @param nowNs the clock for {@code time.now_ns}, nanoseconds since the epoch; 0 means "read the
 *     wall clock once at query start"
 * @param maxSteps the evaluation budget: expressions evaluated (and solutions produced) before the
 *     query is stopped with {@code eval_budget_error} (a runaway policy must not hold a thread)
 * @param deadlineNanos a {@link System#nanoTime()} instant after which the query is stopped with
 *     {@code eval_budget_error} (checked every 1,024 steps); 0 for none. The request path sets
 *     one, so a slow tenant policy holds an event loop for a bounded time
 */
public record QueryOptions(boolean strictBuiltinErrors, long nowNs, long maxSteps,
    long deadlineNanos) {
  /** Default budget: far above any sane policy (the platform bundle takes about 1,000). */
  public static final long DEFAULT_MAX_STEPS = 2_000_000;
  public static final QueryOptions DEFAULT = new QueryOptions(false, 0);
  public static final QueryOptions STRICT = new QueryOptions(true, 0);

  public QueryOptions(boolean strictBuiltinErrors, long nowNs) {
    this(strictBuiltinErrors, nowNs, DEFAULT_MAX_STEPS, 0);
  }

  /** Non-strict options that stop after {@code maxSteps} or {@code budgetNanos} from now. */
  public static QueryOptions bounded(long maxSteps, long budgetNanos) {
    return new QueryOptions(false, 0, maxSteps, System.nanoTime() + budgetNanos);
  }
}
