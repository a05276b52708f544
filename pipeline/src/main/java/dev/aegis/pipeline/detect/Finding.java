package dev.aegis.pipeline.detect;

import java.util.Objects;

/**
 * One detector hit.
 *
 * @param signal the security signal name (SPEC section 5 registry vocabulary, for example
 *     {@code prompt_injection}, {@code pii_card_number}, {@code sql_injection_detected}); a
 *     diagnostic name, never a canonical finding by itself
 * @param ruleId stable dotted id of the rule or signature (for example
 *     {@code inference.injection.ignore_previous})
 * @param score the risk this hit stands for, in [0,1]
 * @param detail short human readable explanation (never the matched secret itself)
 */
public record Finding(String signal, String ruleId, double score, String detail) {

  /** @throws IllegalArgumentException when score is outside [0,1] or NaN */
  public Finding {
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(ruleId, "ruleId");
    if (!(score >= 0.0 && score <= 1.0)) {
      throw new IllegalArgumentException("score must be in [0,1]: " + score);
    }
    detail = detail == null ? "" : detail;
  }
}
