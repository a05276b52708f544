package dev.aegis.pipeline.detect;

import dev.aegis.pipeline.decision.Findings;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Stage 3 heuristics (SPEC "Stage 3 — Inference proxy"): prompt-injection signatures, PII, SQL
 * injection, path traversal, and keyword/shape scoring, over one normalised copy of the action
 * text.
 *
 * <p>Cost model (DESIGN section 12): the text is normalised once, then a single Aho-Corasick
 * pass finds every anchor keyword of every rule; a confirming regex runs only for rules whose
 * anchor occurred. PII and blob detection are hand-written linear scans. A benign payload runs no
 * regex at all.
 *
 * <p>Component risks: injection 0.95, SQL injection 0.90, path traversal 0.85, card number or
 * SSN 0.80, e-mail 0.10, keyword/shape points / 100 (capped at 1). The report's risk is their
 * maximum. Only injection, SQL injection and path traversal add canonical findings; PII is a
 * signal (flags only).
 *
 * <p>Immutable and thread safe: share one instance.
 */
public final class InferenceScanner {

  public static final double INJECTION_RISK = 0.95;
  public static final double SQL_INJECTION_RISK = 0.90;
  public static final double PATH_TRAVERSAL_RISK = 0.85;
  public static final double PII_RISK = 0.80;
  public static final double EMAIL_RISK = 0.10;
  /** Shape risk at or above this is flagged {@code inference.shape.above_threshold}. */
  public static final double SHAPE_THRESHOLD = 0.70;

  private static final KeywordAutomaton AUTOMATON;
  private static final InjectionCatalogue CATALOGUE;
  private static final List<AnchoredPattern> SQLI;
  private static final AnchoredPattern TRAVERSAL;
  private static final String[] KEYWORD_NAMES = {"password", "secret", "private_key", "bypass",
      "inject", "drop", "sudo", "delete"};
  private static final int[] KEYWORD_WEIGHTS = {20, 20, 25, 20, 20, 15, 15, 10};
  private static final int[][] KEYWORD_ANCHORS = new int[KEYWORD_NAMES.length][];

  static {
    KeywordAutomaton.Builder kb = KeywordAutomaton.builder();
    CATALOGUE = new InjectionCatalogue(kb);
    SQLI = List.of(
        AnchoredPattern.of("tautology", "quoted OR tautology",
            kb.sub("' or", "'or", "\" or", "\"or", "or 1=1", "or 1 = 1", "') or"),
            "['\"]\\s*\\)?\\s*or\\s*\\(?\\s*['\"]?(\\w+)['\"]?\\s*=\\s*['\"]?\\1\\b"
                + "|\\bor\\s+1\\s*=\\s*1\\b|['\"]\\s*or\\s+true\\b"),
        AnchoredPattern.of("union_select", "UNION SELECT", kb.word("union"),
            "\\bunion(?:\\s+|/\\*.*?\\*/)+(?:all\\s+|distinct\\s+)?select\\b"),
        AnchoredPattern.of("stacked_drop", "stacked DROP statement", kb.sub(";drop", "; drop"),
            ";\\s*drop\\s+(?:table|database|schema|user)\\b"),
        AnchoredPattern.of("comment_after_quote", "SQL comment after a quote",
            kb.sub("'--", "' --", "'/*", "' /*", "\"--", "\" --", "')--", "') --"),
            "['\"]\\s*\\)*\\s*(?:--(?:\\s|$|-)|/\\*)"),
        AnchoredPattern.of("time_based", "time-based blind probe",
            kb.sub("sleep(", "sleep (", "benchmark(", "benchmark (", "waitfor delay"),
            "(?:\\b(?:and|or|select|if|union)\\b|['\";(,])\\s*\\(?\\s*(?:pg_)?sleep\\s*\\(\\s*\\d"
                + "|\\bpg_sleep\\s*\\(|\\bbenchmark\\s*\\(\\s*\\d+\\s*,|\\bwaitfor\\s+delay\\s+'"),
        AnchoredPattern.of("xp_cmdshell", "xp_cmdshell", kb.sub("xp_cmdshell"), null));
    TRAVERSAL = AnchoredPattern.of("traversal", "path traversal sequence",
        kb.sub("../", "..\\", "%2e%2e", "..%2f", "..%5c", "%2e./", ".%2e/", "..;/"),
        "(?:^|[^.])\\.\\.[/\\\\]|\\.\\.\\.\\.//|%2e%2e|\\.\\.%2f|\\.\\.%5c|%2e\\./"
            + "|\\.%2e/|\\.\\.;/");
    KEYWORD_ANCHORS[0] = kb.sub("password", "passwd", "passphrase");
    KEYWORD_ANCHORS[1] = kb.sub("secret");
    KEYWORD_ANCHORS[2] = kb.sub("private_key", "private key", "privatekey", "private-key");
    KEYWORD_ANCHORS[3] = kb.sub("bypass");
    KEYWORD_ANCHORS[4] = kb.sub("inject");
    KEYWORD_ANCHORS[5] = kb.sub("drop");
    KEYWORD_ANCHORS[6] = kb.sub("sudo");
    KEYWORD_ANCHORS[7] = kb.sub("delete");
    AUTOMATON = kb.build();
  }

  /** Creates a scanner; the catalogue is built once per JVM and shared. */
  public InferenceScanner() {}

  /** @return how many prompt-injection signatures the catalogue holds (base64 variant included) */
  public static int injectionSignatureCount() {
    return CATALOGUE.signatures().size() + 1;
  }

  /**
   * Scans one action.
   *
   * @param actionText the raw action text ({@link ActionText#of}); null counts as empty
   * @param payloadDepth the payload's nesting depth ({@link ActionText#depth})
   * @return the report; never null
   */
  public InferenceReport scan(String actionText, int payloadDepth) {
    String raw = actionText == null ? "" : actionText;
    String text = TextNormalizer.normalise(raw, true);
    BitSet found = AUTOMATON.scan(text);
    Report r = new Report();

    for (AnchoredPattern sig : CATALOGUE.confirm(text, found)) {
      r.add(new Finding(Signals.PROMPT_INJECTION, "inference.injection." + sig.id(),
          INJECTION_RISK, sig.detail()), Findings.PROMPT_INJECTION_DETECTED);
    }
    BlobScan blobs = new BlobScan(raw);
    if (r.hits.isEmpty()) {
      encodedInjection(blobs, r);
    }

    PiiDetector.Counts pii = new PiiDetector.Counts();
    PiiDetector.scan(text, true, pii);
    if (pii.n[PiiDetector.CARD] > 0) {
      r.add(new Finding(Signals.PII_CARD_NUMBER, "inference.pii.card_number", PII_RISK,
          pii.n[PiiDetector.CARD] + " Luhn-valid card number(s)"), null);
    }
    if (pii.n[PiiDetector.SSN] > 0) {
      r.add(new Finding(Signals.PII_SSN, "inference.pii.ssn", PII_RISK,
          pii.n[PiiDetector.SSN] + " US SSN(s)"), null);
    }
    if (pii.n[PiiDetector.EMAIL] > 0) {
      r.add(new Finding(Signals.PII_EMAIL, "inference.pii.email", EMAIL_RISK,
          pii.n[PiiDetector.EMAIL] + " e-mail address(es)"), null);
    }

    for (AnchoredPattern p : SQLI) {
      if (p.matches(text, found)) {
        r.add(new Finding(Signals.SQL_INJECTION, "inference.sqli." + p.id(), SQL_INJECTION_RISK,
            p.detail()), Findings.SQL_INJECTION_DETECTED);
      }
    }
    if (TRAVERSAL.matches(text, found)) {
      r.add(new Finding(Signals.PATH_TRAVERSAL, "inference.path.traversal", PATH_TRAVERSAL_RISK,
          TRAVERSAL.detail()), Findings.PATH_TRAVERSAL_DETECTED);
    }

    shape(raw.length(), payloadDepth, found, blobs, r);
    return new InferenceReport(r.risk, r.hits, new ArrayList<>(r.findings),
        new ArrayList<>(r.flags), pii.total());
  }

  /** Decodes base64-looking blobs and runs the catalogue on the decoded text. */
  private static void encodedInjection(BlobScan blobs, Report r) {
    for (String run : blobs.candidates) {
      String decoded = BlobScan.decodePrintable(run);
      if (decoded == null) {
        continue;
      }
      String text = TextNormalizer.normalise(decoded, true);
      List<AnchoredPattern> hits = CATALOGUE.confirm(text, AUTOMATON.scan(text));
      if (!hits.isEmpty()) {
        r.add(new Finding(Signals.PROMPT_INJECTION, "inference.injection.base64_encoded",
            INJECTION_RISK, "base64 blob decodes to: " + hits.get(0).detail()),
            Findings.PROMPT_INJECTION_DETECTED);
        return;
      }
    }
  }

  /** Keyword and shape points on the 0–100 scale (SPEC stage 3). */
  private static void shape(int rawLength, int depth, BitSet found, BlobScan blobs, Report r) {
    int points = 0;
    StringBuilder why = new StringBuilder();
    for (int k = 0; k < KEYWORD_NAMES.length; k++) {
      if (KeywordAutomaton.any(found, KEYWORD_ANCHORS[k])) {
        points += KEYWORD_WEIGHTS[k];
        why.append(KEYWORD_NAMES[k]).append(' ');
      }
    }
    if (rawLength > 5_000) {
      points += 20;
      why.append("length>5000 ");
    } else if (rawLength > 2_000) {
      points += 10;
      why.append("length>2000 ");
    }
    if (depth > 8) {
      points += 15;
      why.append("depth>8 ");
    }
    if (blobs.longBase64) {
      points += 15;
      why.append("base64_blob ");
    }
    if (blobs.longHex) {
      points += 10;
      why.append("hex_blob ");
    }
    if (points == 0) {
      return;
    }
    double score = Math.min(1.0, points / 100.0);
    r.add(new Finding(Signals.REQUEST_SHAPE_RISK, "inference.shape.score", score,
        points + " points: " + why.toString().trim()), null);
    if (score >= SHAPE_THRESHOLD) {
      r.flags.add("inference.shape.above_threshold");
    }
  }

  /** Accumulates hits, canonical findings, flags and the max risk. */
  private static final class Report {
    final List<Finding> hits = new ArrayList<>(2);
    final Set<String> findings = new LinkedHashSet<>(2);
    final Set<String> flags = new LinkedHashSet<>(4);
    double risk;

    void add(Finding f, String canonical) {
      hits.add(f);
      flags.add(f.signal());
      flags.add(f.ruleId());
      if (canonical != null) {
        findings.add(canonical);
      }
      risk = Math.max(risk, f.score());
    }
  }
}
