package dev.aegis.pipeline.detect;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stage 9 output filter (SPEC stage table row 9): replaces secrets and PII in a response body
 * with {@code [REDACTED:<kind>]}. Never denies.
 *
 * <p>Kinds: {@code bearer_token} (the token after {@code Bearer}), {@code api_key}
 * ({@code sk-…}, {@code sk_live_…}, {@code AKIA…}, {@code ghp_…}, {@code acp_…},
 * {@code xoxb-…} and relatives), {@code jwt} (three base64url segments starting {@code eyJ}),
 * {@code private_key} (PEM private key blocks, to the end of the text when unterminated),
 * {@code card_number} (Luhn-valid), {@code ssn}, {@code high_entropy} (32+ chars of
 * {@code [A-Za-z0-9+/=_-]}, {@code =} only as trailing padding, with Shannon entropy above 4.0
 * bits per char, and not overlapping a more specific match) and, only when asked,
 * {@code email}. Where specific matches overlap, the earliest and then the longest wins.
 *
 * <p>Cost: one keyword pass gates the regexes; card, SSN, e-mail and entropy detection are
 * linear hand-written scans. When nothing matches, the input instance is returned unchanged.
 * Immutable and thread safe.
 */
public final class OutputRedactor {

  /** Shortest run considered for the entropy rule. */
  public static final int MIN_ENTROPY_RUN = 32;
  /** Entropy (bits per char) a run must exceed to be redacted. */
  public static final double ENTROPY_THRESHOLD = 4.0;

  private static final KeywordAutomaton AUTOMATON;
  private static final List<AnchoredPattern> PATTERNS;

  static {
    KeywordAutomaton.Builder kb = KeywordAutomaton.builder();
    PATTERNS = List.of(
        AnchoredPattern.of("private_key", "PEM private key", kb.sub("-----begin"),
            "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?s:.*?)"
                + "(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|\\z)"),
        AnchoredPattern.of("bearer_token", "bearer token", kb.word("bearer"),
            "(?i)\\bbearer\\s+([A-Za-z0-9._~+/=-]{8,})"),
        AnchoredPattern.of("jwt", "JWT", kb.sub("eyj"),
            "\\beyJ[A-Za-z0-9_-]{6,}\\.[A-Za-z0-9_-]{6,}\\.[A-Za-z0-9_-]*"),
        AnchoredPattern.of("api_key", "API key",
            kb.sub("sk-", "sk_live_", "sk_test_", "rk_live_", "rk_test_", "akia", "asia", "ghp_",
                "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "acp_", "xoxb-", "xoxp-", "xoxa-",
                "xoxr-", "xoxs-"),
            "\\b(?:sk-(?=[\\w-]*\\d)[\\w-]{16,}|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}"
                + "|(?:AKIA|ASIA)[0-9A-Z]{16}\\b|gh[pousr]_[A-Za-z0-9]{30,}"
                + "|github_pat_[A-Za-z0-9_]{22,}|acp_(?=[\\w-]*\\d)[\\w-]{16,}"
                + "|xox[abprs]-[A-Za-z0-9-]{10,})"));
    AUTOMATON = kb.build();
  }

  /** A replacement: [start, end) of the input and what it was. */
  private record Span(int start, int end, String kind, int priority) {}

  /**
   * @param text the response text, may be null (returned as is)
   * @param redactEmails the tenant's {@code redact_pii_in_responses} setting
   * @return the redacted text and how many values were replaced; the same instance as
   *     {@code text} when the count is 0
   */
  public Redaction redact(String text, boolean redactEmails) {
    if (text == null || text.isEmpty()) {
      return new Redaction(text, 0);
    }
    List<Span> spans = new ArrayList<>(0);
    BitSet found = AUTOMATON.scan(text);
    if (!found.isEmpty()) {
      for (int p = 0; p < PATTERNS.size(); p++) {
        AnchoredPattern ap = PATTERNS.get(p);
        if (!KeywordAutomaton.any(found, ap.anchors())) {
          continue;
        }
        Matcher m = ap.confirm().matcher(text);
        int group = m.groupCount() >= 1 ? 1 : 0;
        while (m.find()) {
          spans.add(new Span(m.start(group), m.end(group), ap.id(), p));
        }
      }
    }
    int base = PATTERNS.size();
    PiiDetector.scan(text, redactEmails, (kind, start, end) ->
        spans.add(new Span(start, end, PiiDetector.KIND_NAMES[kind], base + 1 + kind)));
    highEntropy(text, spans, base);
    if (spans.isEmpty()) {
      return new Redaction(text, 0);
    }
    return apply(text, spans);
  }

  private static Redaction apply(String text, List<Span> spans) {
    spans.sort(Comparator.comparingInt(Span::start)
        .thenComparing(Comparator.comparingInt((Span s) -> s.end() - s.start()).reversed())
        .thenComparingInt(Span::priority));
    StringBuilder sb = new StringBuilder(text.length());
    int pos = 0;
    int count = 0;
    for (Span s : spans) {
      if (s.start() < pos) {
        continue;
      }
      sb.append(text, pos, s.start()).append("[REDACTED:").append(s.kind()).append(']');
      pos = s.end();
      count++;
    }
    sb.append(text, pos, text.length());
    return new Redaction(sb.toString(), count);
  }

  /** Adds runs of token characters that are long and random enough to be secrets. */
  private static void highEntropy(String text, List<Span> spans, int priority) {
    int len = text.length();
    int i = 0;
    while (i < len) {
      if (!tokenChar(text.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      while (i < len && tokenChar(text.charAt(i))) {
        i++;
      }
      int end = i;
      while (i < len && i - end < 2 && text.charAt(i) == '=') {
        i++;
      }
      if (i - start >= MIN_ENTROPY_RUN && entropy(text, start, i) > ENTROPY_THRESHOLD
          && !overlaps(spans, start, i)) {
        spans.add(new Span(start, i, "high_entropy", priority));
      }
    }
  }

  /** @return true when [start, end) overlaps a span already found by a specific rule */
  private static boolean overlaps(List<Span> spans, int start, int end) {
    for (Span s : spans) {
      if (s.start() < end && start < s.end()) {
        return true;
      }
    }
    return false;
  }

  /** Shannon entropy in bits per char of [start, end), all chars ASCII. */
  static double entropy(CharSequence s, int start, int end) {
    int[] counts = new int[128];
    for (int k = start; k < end; k++) {
      counts[s.charAt(k)]++;
    }
    double n = end - start;
    double h = 0;
    for (int c : counts) {
      if (c > 0) {
        double p = c / n;
        h -= p * (Math.log(p) / Math.log(2));
      }
    }
    return h;
  }

  /** {@code [A-Za-z0-9+/_-]}; {@code =} counts only as trailing padding (at most two). */
  private static boolean tokenChar(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+'
        || c == '/' || c == '_' || c == '-';
  }
}
