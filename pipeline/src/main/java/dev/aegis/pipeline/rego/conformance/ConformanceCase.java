package dev.aegis.pipeline.rego.conformance;

import java.util.List;
import java.util.Map;

/**
 * One case of OPA's YAML conformance format ({@code v1/test/cases/testdata}), as loaded from a
 * file. Field names follow the YAML keys; see {@code testdata/rego/README.md}.
 *
 * @param file path of the case file relative to the root folder ({@code /} separated)
 * @param category first folder under the root ({@code .} for a file at the root)
 * @param note the case's {@code note} (its name; not always unique)
 * @param query the Rego query
 * @param modules module sources; named {@code test-0.rego}, {@code test-1.rego}, ... by position
 * @param data the base document (plain Java JSON objects), null when absent
 * @param input the input document, null when absent (see {@code hasInput})
 * @param hasInput true when the {@code input} key holds a value
 * @param inputTerm the input as Rego term text ({@code input_term}); wins over {@code input}
 * @param wantResult expected rows (variable name to value), null when not asserted
 * @param sortBindings compare bound arrays without regard to order
 * @param wantErrorCode expected error code, null when not asserted
 * @param wantError expected substring of the error message, null when not asserted
 * @param strictError evaluate with strict built-in errors
 * @param wantDefined when non-null, asserts only whether the query has a result
 * @param env environment variables the case needs (the runner cannot set them: skipped)
 * @param skip a reason to skip the case given in the file ({@code skip} key), or null
 */
public record ConformanceCase(String file, String category, String note, String query,
    List<String> modules, Object data, Object input, boolean hasInput, String inputTerm,
    List<Map<String, Object>> wantResult, boolean sortBindings, String wantErrorCode,
    String wantError, boolean strictError, Boolean wantDefined, Map<String, String> env,
    String skip) {

  /** True when the case states at least one expectation the runner can check. */
  public boolean hasExpectation() {
    return wantResult != null || wantErrorCode != null || wantError != null
        || wantDefined != null;
  }
}
