package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinError;

/**
 * The subject of a regex match with a budget of character reads. java.util.regex backtracks, so a
 * pathological pattern ({@code (a+)+$}) can take exponential time where Go's RE2 is linear; on the
 * request path that would block an event loop. Once the budget is spent the match fails with a
 * built-in error instead.
 */
final class BoundedInput implements CharSequence {
  /** Reads allowed per call: generous for linear work on large inputs, small for exponential. */
  static final long BASE_BUDGET = 2_000_000L;
  static final long PER_CHAR_BUDGET = 200L;

  private final String s;
  private final String name;
  private final long[] remaining;

  private BoundedInput(String s, String name, long[] remaining) {
    this.s = s;
    this.name = name;
    this.remaining = remaining;
  }

  static BoundedInput of(String s, String name) {
    return new BoundedInput(s, name, new long[] {BASE_BUDGET + PER_CHAR_BUDGET * s.length()});
  }

  @Override
  public int length() {
    return s.length();
  }

  @Override
  public char charAt(int index) {
    if (--remaining[0] < 0) {
      throw BuiltinError.builtin(name, "regular expression too expensive to evaluate");
    }
    return s.charAt(index);
  }

  @Override
  public CharSequence subSequence(int start, int end) {
    return new BoundedInput(s.substring(start, end), name, remaining);
  }

  @Override
  public String toString() {
    return s;
  }
}
