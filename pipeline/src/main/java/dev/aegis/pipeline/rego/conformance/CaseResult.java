package dev.aegis.pipeline.rego.conformance;

/**
 * The outcome of one case.
 *
 * @param file case file relative to the root
 * @param category first folder under the root
 * @param note the case's note
 * @param status passed, failed or skipped
 * @param detail why it failed or was skipped (empty when passed)
 */
public record CaseResult(String file, String category, String note, Status status,
    String detail) {

  /** Status of a case. */
  public enum Status {
    PASSED, FAILED, SKIPPED
  }

  static CaseResult passed(ConformanceCase c) {
    return new CaseResult(c.file(), c.category(), c.note(), Status.PASSED, "");
  }

  static CaseResult failed(ConformanceCase c, String why) {
    return new CaseResult(c.file(), c.category(), c.note(), Status.FAILED, why);
  }

  static CaseResult skipped(ConformanceCase c, String why) {
    return new CaseResult(c.file(), c.category(), c.note(), Status.SKIPPED, why);
  }
}
