package dev.aegis.pipeline.detect;

/**
 * The outcome of {@link OutputRedactor#redact(String, boolean)}.
 *
 * @param text the redacted text; the very same instance as the input when {@code count == 0}
 * @param count how many values were replaced by {@code [REDACTED:<kind>]}
 */
public record Redaction(String text, int count) {

  /** @throws IllegalArgumentException when count is negative */
  public Redaction {
    if (count < 0) {
      throw new IllegalArgumentException("count < 0");
    }
  }
}
