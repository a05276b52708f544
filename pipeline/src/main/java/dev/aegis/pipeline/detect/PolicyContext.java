package dev.aegis.pipeline.detect;

import dev.aegis.pipeline.ports.PolicyResult.RuleHit;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the hard-deny rule families of one {@link HardDenyPolicy#evaluate} call share: the
 * normalised text (prefixed with the tool name, so that a tool called {@code kubectl} with the
 * argument {@code delete ns prod} reads as one command), the keyword hits of the single automaton
 * pass, and the hits fired so far. One instance per evaluation; not thread safe.
 */
final class PolicyContext {
  static final String HARD = "hard_deny.";
  static final String DENY = "deny";
  static final String ESCALATE = "escalate";

  final String text;
  final String tool;
  final JsonObject payload;
  final String riskLevel;
  final List<String> inferenceFlags;
  final Set<String> allowedDomains;
  final BitSet found;
  final List<RuleHit> hits = new ArrayList<>(1);

  PolicyContext(String text, String tool, JsonObject payload, String riskLevel,
      List<String> inferenceFlags, Set<String> allowedDomains, BitSet found) {
    this.text = text;
    this.tool = tool;
    this.payload = payload;
    this.riskLevel = riskLevel;
    this.inferenceFlags = inferenceFlags;
    this.allowedDomains = allowedDomains;
    this.found = found;
  }

  static String lower(String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT);
  }

  boolean has(int[] anchors) {
    return KeywordAutomaton.any(found, anchors);
  }

  /** Records a hit; ids starting with {@code hard_deny.} are hard denies. */
  void hit(String id, String signal, String severity, String effect, String reason) {
    hits.add(new RuleHit(id, signal, severity, effect, reason));
  }

  /** @return true when a hit with this id was already recorded */
  boolean fired(String id) {
    for (RuleHit h : hits) {
      if (h.id().equals(id)) {
        return true;
      }
    }
    return false;
  }

  /** A top-level payload string field, lower case, or null. */
  String field(String name) {
    Object v = payload.getValue(name);
    return v instanceof CharSequence ? lower(v.toString()) : null;
  }

  /**
   * The end of the shell command or SQL statement that starts at {@code from}: the next
   * {@code ;}, {@code &&}, {@code ||}, {@code |} or line break, capped at 400 chars.
   */
  int commandEnd(int from) {
    int cap = Math.min(text.length(), from + 400);
    for (int i = from; i < cap; i++) {
      char c = text.charAt(i);
      if (c == ';' || c == '|' || c == '\n'
          || c == '&' && i + 1 < cap && text.charAt(i + 1) == '&') {
        return i;
      }
    }
    return cap;
  }
}
