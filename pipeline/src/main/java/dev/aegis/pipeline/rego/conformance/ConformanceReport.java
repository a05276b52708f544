package dev.aegis.pipeline.rego.conformance;

import dev.aegis.pipeline.rego.conformance.CaseResult.Status;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The results of a conformance run: every case, and counts per category. */
public final class ConformanceReport {

  /** Counts of one category (or of the whole run). */
  public record Counts(int passed, int failed, int skipped) {
    Counts plus(Status s) {
      return new Counts(passed + (s == Status.PASSED ? 1 : 0),
          failed + (s == Status.FAILED ? 1 : 0), skipped + (s == Status.SKIPPED ? 1 : 0));
    }

    public int total() {
      return passed + failed + skipped;
    }
  }

  private static final int SHORT_REASON = 200;

  private final List<CaseResult> results;
  private final Map<String, Counts> categories;
  private final Counts totals;

  public ConformanceReport(List<CaseResult> results) {
    this.results = List.copyOf(results);
    Map<String, Counts> byCategory = new TreeMap<>();
    Counts all = new Counts(0, 0, 0);
    for (CaseResult r : results) {
      byCategory.merge(r.category(), new Counts(0, 0, 0).plus(r.status()),
          (a, b) -> new Counts(a.passed() + b.passed(), a.failed() + b.failed(),
              a.skipped() + b.skipped()));
      all = all.plus(r.status());
    }
    this.categories = java.util.Collections.unmodifiableMap(byCategory);
    this.totals = all;
  }

  public List<CaseResult> results() {
    return results;
  }

  /** Counts per category, sorted by name. */
  public Map<String, Counts> categories() {
    return categories;
  }

  public Counts totals() {
    return totals;
  }

  public int passed() {
    return totals.passed();
  }

  public int failed() {
    return totals.failed();
  }

  public int skipped() {
    return totals.skipped();
  }

  /**
   * Prints one line per failed case with a short reason (every case with its full detail when
   * {@code verbose}), the per-category table, the skipped count, and as the last line
   * {@code N passed, M failed}.
   */
  public void print(PrintStream out, boolean verbose) {
    for (CaseResult r : results) {
      if (r.status() == Status.FAILED) {
        out.println("FAIL " + r.file() + " [" + r.note() + "]: "
            + (verbose ? r.detail() : shortReason(r.detail())));
      } else if (verbose) {
        out.println((r.status() == Status.PASSED ? "ok   " : "SKIP ") + r.file() + " ["
            + r.note() + "]" + (r.detail().isEmpty() ? "" : ": " + r.detail()));
      }
    }
    int width = Math.max("category".length(),
        categories.keySet().stream().mapToInt(String::length).max().orElse(0));
    String row = "%-" + width + "s %7s %7s %8s%n";
    out.printf(row, "category", "passed", "failed", "skipped");
    categories.forEach((name, c) -> out.printf(row, name, c.passed(), c.failed(), c.skipped()));
    out.printf(row, "total", totals.passed(), totals.failed(), totals.skipped());
    out.println(totals.skipped() + " skipped");
    out.println(totals.passed() + " passed, " + totals.failed() + " failed");
    out.flush();
  }

  /** The first line of a detail, cut to a readable length. */
  public static String shortReason(String detail) {
    String s = detail == null ? "" : detail.strip();
    int nl = s.indexOf('\n');
    if (nl >= 0) {
      s = s.substring(0, nl) + " ...";
    }
    return s.length() <= SHORT_REASON ? s : s.substring(0, SHORT_REASON) + " ...";
  }
}
