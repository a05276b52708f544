package dev.aegis.pipeline.rego;

import java.util.List;
import java.util.Map;

/**
 * A compiled set of modules. Immutable and safe to share across threads and event loops; each
 * evaluation has its own state.
 */
public interface CompiledPolicy {

  /** Prepares an ad-hoc query ({@code data.x.allow = x}, {@code x := 1; y := x + 1}) once. */
  PreparedQuery prepare(String query);

  /**
   * Parses and runs {@code query}; each result row maps the query's (non-wildcard) variables to
   * their values, in order of first appearance. An empty list means undefined.
   */
  default List<Map<String, Value>> query(String query, Value input, Value data,
      QueryOptions options) {
    return prepare(query).eval(input, data, options);
  }

  /**
   * The value of the document at {@code path} (dotted, under {@code data}, e.g.
   * {@code aegis.tenant.deny}), or null when undefined. The fast path for the gateway.
   */
  Value evalRef(String path, Value input, Value data, QueryOptions options);

  /** Names of the packages defined by the modules, e.g. {@code aegis.tenant}. */
  List<String> packages();

  /**
   * Full paths (under data) of every rule whose last name starts with {@code test_}, for
   * {@code opa test}-style runs.
   */
  List<String> testRules();

  /**
   * True when some rule may read the clock ({@code time.now_ns}) or other per-call state, so its
   * decisions must not be cached.
   */
  boolean usesClock();

  /** A query prepared once and evaluated many times. */
  interface PreparedQuery {
    /** Variables of the query in order of first appearance (wildcards excluded). */
    List<String> variables();

    List<Map<String, Value>> eval(Value input, Value data, QueryOptions options);
  }
}
