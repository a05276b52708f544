package dev.aegis.pipeline.detect;

import java.util.BitSet;
import java.util.regex.Pattern;

/**
 * A detection rule in two steps: anchor keywords found by the shared {@link KeywordAutomaton},
 * then an optional confirming regex that runs only when an anchor occurs.
 *
 * @param id stable id suffix (for example {@code ignore_previous})
 * @param detail short human readable description
 * @param anchors keyword ids in the automaton the rule was registered with
 * @param confirm the confirming pattern, or null when an anchor alone is enough
 */
record AnchoredPattern(String id, String detail, int[] anchors, Pattern confirm) {

  static AnchoredPattern of(String id, String detail, int[] anchors, String regex) {
    return new AnchoredPattern(id, detail, anchors, regex == null ? null : Pattern.compile(regex));
  }

  /** @return true when an anchor was found and the confirming pattern (if any) matches */
  boolean matches(CharSequence text, BitSet found) {
    return KeywordAutomaton.any(found, anchors)
        && (confirm == null || confirm.matcher(text).find());
  }
}
