package dev.aegis.pipeline.rego;

/**
 * A Rego built-in function. Arguments are ground values (never null). The function returns its
 * result, or {@code null} when the call is undefined (for example {@code object.get} never is,
 * but a failed {@code to_number} parse is an error, not undefined). Errors are thrown as
 * {@link RegoError} with code {@code eval_type_error} (operand type) or {@code eval_builtin_error}
 * (anything else); build them with {@link BuiltinError}. The evaluator decides, from the strict
 * flag, whether an error halts the query or makes the expression undefined.
 *
 * <p>Implementations must be pure, thread-safe and non-blocking; per-query state (the frozen
 * clock, compiled-regex caches) comes from {@link BuiltinContext}.
 */
@FunctionalInterface
public interface Builtin {
  Value call(BuiltinContext ctx, Value[] args);
}
