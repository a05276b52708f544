package dev.aegis.pipeline.rego;

/**
 * Options of one evaluation.
 *
 * @param strictBuiltinErrors a failing built-in halts the query with its error (OPA's
 *     strict-builtin-errors); otherwise the expression is undefined
 * @param nowNs the clock for {@code time.now_ns}, nanoseconds since the epoch; 0 means "read the
 *     wall clock once at query start"
 */
public record QueryOptions(boolean strictBuiltinErrors, long nowNs) {
  public static final QueryOptions DEFAULT = new QueryOptions(false, 0);
  public static final QueryOptions STRICT = new QueryOptions(true, 0);
}
