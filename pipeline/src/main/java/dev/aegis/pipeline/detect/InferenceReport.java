package dev.aegis.pipeline.detect;

import dev.aegis.pipeline.decision.Findings;
import java.util.List;

/**
 * The outcome of {@link InferenceScanner#scan(String, int)} (SPEC stage 3 ProxyDecision).
 *
 * @param risk the maximum of all component risks, in [0,1]
 * @param hits every detector hit, in detection order
 * @param findings canonical findings only ({@link Findings}), deduplicated, stable order
 * @param flags diagnostic signal names and rule ids, deduplicated, stable order
 * @param piiCount how many PII values were seen (card numbers + SSNs + e-mail addresses)
 */
public record InferenceReport(double risk, List<Finding> hits, List<String> findings,
    List<String> flags, int piiCount) {

  /** Copies the lists and checks that findings are canonical. */
  public InferenceReport {
    if (!(risk >= 0.0 && risk <= 1.0)) {
      throw new IllegalArgumentException("risk must be in [0,1]: " + risk);
    }
    hits = List.copyOf(hits);
    findings = Findings.requireCanonical(List.copyOf(findings));
    flags = List.copyOf(flags);
    if (piiCount < 0) {
      throw new IllegalArgumentException("piiCount < 0");
    }
  }

  /** @return true when the scanner found nothing at all */
  public boolean clean() {
    return hits.isEmpty();
  }
}
