package dev.aegis.pipeline.detect;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Data egress families (SPEC stage 4).
 *
 * <p>Bulk PII export: when the text references PII columns (email, ssn, phone, address, dob,
 * card, credit_card, passport ...) and the action has a row count (payload {@code limit},
 * {@code rows}, {@code row_count} or {@code max_rows}; else SQL {@code LIMIT n}/{@code TOP n};
 * else a {@code SELECT … FROM} without one is unbounded, unless its {@code WHERE} pins a single
 * id), rows above the agent-risk threshold (critical 0, high 100, medium 1000, low 10000;
 * unknown counts as medium) escalate ({@code bulk_pii_egress_above_threshold}); 10,000 rows or
 * more, or unbounded, is a hard deny ({@code bulk_pii_egress_dump}).
 *
 * <p>External exfiltration: {@code email.send}, {@code http.post} or {@code webhook.send} (any
 * of {@code . _ -} as separator) with PII in the payload (a card number, SSN or e-mail outside the
 * destination fields, or a stage 3 card/SSN flag): a destination domain outside the tenant
 * allow-list is a hard deny ({@code external_pii_exfil}); no recognisable destination escalates
 * ({@code external_post_pii_unknown_dest}).
 */
final class EgressRules {
  static final long DUMP_ROWS = 10_000;
  private static final String[] ROW_FIELDS = {"limit", "rows", "row_count", "max_rows"};
  private static final Set<String> EXFIL_TOOLS = Set.of("email.send", "http.post", "webhook.send");
  private static final Set<String> DEST_FIELDS = Set.of("to", "recipient", "recipients", "cc",
      "bcc", "url", "endpoint", "webhook_url", "webhook", "destination", "host", "from", "sender",
      "reply_to");
  private static final Pattern LIMIT = Pattern.compile("\\blimit\\s+(\\d{1,15})\\b"
      + "|\\btop\\s*\\(?\\s*(\\d{1,15})\\b|\\bfetch\\s+first\\s+(\\d{1,15})\\s+rows?\\b");
  private static final Pattern SELECT = Pattern.compile("\\bselect\\b.+?\\bfrom\\b");
  private static final Pattern PINNED = Pattern.compile("\\bwhere\\s+(?:\\w+\\.)?"
      + "(?:id|uuid|\\w+_id)\\s*=\\s*(?:'[^']*'|\\d+|\\$\\d+|\\?|:\\w+)");
  private static final Pattern OR = Pattern.compile("\\bor\\b");

  private final int[] piiColumns;
  private final int[] rowHints;

  EgressRules(KeywordAutomaton.Builder kb) {
    piiColumns = kb.word("email", "emails", "e-mail", "ssn", "ssns", "social_security_number",
        "phone", "phones", "phone_number", "address", "addresses", "dob", "date_of_birth",
        "birthdate", "birth_date", "card", "cards", "credit_card", "card_number", "passport",
        "passports", "passport_number");
    rowHints = kb.word("select", "limit", "top", "fetch first");
  }

  void evaluate(PolicyContext c) {
    bulk(c);
    exfil(c);
  }

  /** Agent-risk row threshold (SPEC stage 4). */
  static long threshold(String riskLevel) {
    switch (riskLevel) {
      case "critical": return 0;
      case "high": return 100;
      case "low": return 10_000;
      default: return 1_000;
    }
  }

  private void bulk(PolicyContext c) {
    if (!c.has(piiColumns)) {
      return;
    }
    long rows = -1;
    for (String f : ROW_FIELDS) {
      rows = Math.max(rows, number(c.payload.getValue(f)));
    }
    if (rows < 0 && c.has(rowHints)) {
      Matcher m = LIMIT.matcher(c.text);
      while (m.find()) {
        String g = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
        rows = Math.max(rows, Long.parseLong(g));
      }
      if (rows < 0) {
        Matcher s = SELECT.matcher(c.text);
        if (s.find()) {
          CharSequence stmt = c.text.subSequence(s.start(), c.commandEnd(s.start()));
          boolean pinned = PINNED.matcher(stmt).find() && !OR.matcher(stmt).find();
          rows = pinned ? 1 : Long.MAX_VALUE;
        }
      }
    }
    if (rows < 0) {
      return;
    }
    String shown = rows == Long.MAX_VALUE ? "unbounded" : Long.toString(rows);
    long limit = threshold(c.riskLevel);
    if (rows >= DUMP_ROWS) {
      c.hit(PolicyContext.HARD + "pii.bulk_dump", Signals.BULK_PII_EGRESS_DUMP, "critical",
          PolicyContext.DENY, "Bulk PII export of " + shown + " rows (dump limit 10000)");
    } else if (rows > limit) {
      c.hit("escalate.pii.bulk_export", Signals.BULK_PII_EGRESS_ABOVE_THRESHOLD, "medium",
          PolicyContext.ESCALATE, "PII export of " + shown + " rows above the threshold "
              + limit + " for a " + c.riskLevel + " risk agent");
    }
  }

  private static void exfil(PolicyContext c) {
    String tool = c.tool.replace('_', '.').replace('-', '.');
    if (!EXFIL_TOOLS.contains(tool) || !piiPresent(c)) {
      return;
    }
    List<String> domains = new ArrayList<>(1);
    for (String f : DEST_FIELDS) {
      if (!f.equals("from") && !f.equals("sender") && !f.equals("reply_to")) {
        collectDomains(c.payload.getValue(f), domains);
      }
    }
    if (domains.isEmpty()) {
      c.hit("escalate.exfil.unknown_destination", Signals.EXTERNAL_POST_PII_UNKNOWN_DEST, "high",
          PolicyContext.ESCALATE, "PII sent by " + c.tool + " to an unknown destination");
      return;
    }
    for (String d : domains) {
      if (!allowed(d, c.allowedDomains)) {
        c.hit(PolicyContext.HARD + "exfil.external_pii", Signals.EXTERNAL_PII_EXFIL, "critical",
            PolicyContext.DENY, "PII sent by " + c.tool + " to external domain " + d);
        return;
      }
    }
  }

  private static boolean piiPresent(PolicyContext c) {
    if (c.inferenceFlags.contains(Signals.PII_CARD_NUMBER)
        || c.inferenceFlags.contains(Signals.PII_SSN)) {
      return true;
    }
    JsonObject rest = new JsonObject();
    c.payload.getMap().forEach((k, v) -> {
      if (!DEST_FIELDS.contains(PolicyContext.lower(k))) {
        rest.put(k, v);
      }
    });
    PiiDetector.Counts counts = new PiiDetector.Counts();
    PiiDetector.scan(TextNormalizer.normalise(ActionText.of(null, rest)), true, counts);
    return counts.total() > 0;
  }

  static boolean allowed(String domain, Set<String> allow) {
    for (String a : allow) {
      String d = PolicyContext.lower(a);
      if (!d.isEmpty() && (domain.equals(d) || domain.endsWith("." + d))) {
        return true;
      }
    }
    return false;
  }

  private static void collectDomains(Object v, List<String> out) {
    if (v instanceof JsonArray) {
      for (Object o : (JsonArray) v) {
        collectDomains(o, out);
      }
    } else if (v instanceof List) {
      for (Object o : (List<?>) v) {
        collectDomains(o, out);
      }
    } else if (v instanceof CharSequence) {
      for (String token : v.toString().split("[,;\\s]+")) {
        String d = domainOf(token);
        if (d != null) {
          out.add(d);
        }
      }
    }
  }

  /** The host of a URL or the domain of an e-mail address (lower case), or null. */
  static String domainOf(String token) {
    String t = PolicyContext.lower(token).replaceAll("^[<\"']+|[>\"']+$", "");
    int scheme = t.indexOf("://");
    String host;
    if (scheme >= 0) {
      host = t.substring(scheme + 3);
      int end = 0;
      while (end < host.length() && "/?#".indexOf(host.charAt(end)) < 0) {
        end++;
      }
      host = host.substring(0, end);
      host = host.substring(host.lastIndexOf('@') + 1);
      int colon = host.lastIndexOf(':');
      host = colon >= 0 ? host.substring(0, colon) : host;
    } else if (t.indexOf('@') >= 0) {
      host = t.substring(t.lastIndexOf('@') + 1);
    } else if (t.indexOf('.') > 0 && t.matches("[a-z0-9.-]+(?::\\d+)?(?:/.*)?")) {
      host = t.replaceAll("[:/].*$", "");
    } else {
      return null;
    }
    while (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    return host.isEmpty() ? null : host;
  }

  /** A non-negative whole number from a JSON number or numeric string, else -1. */
  static long number(Object v) {
    if (v instanceof Number) {
      double d = ((Number) v).doubleValue();
      return d >= 0 && !Double.isNaN(d) ? (long) Math.min(d, Long.MAX_VALUE) : -1;
    }
    if (v instanceof CharSequence) {
      String s = v.toString().trim().replace(",", "").replace("_", "");
      if (!s.isEmpty() && s.matches("\\d{1,18}")) {
        return Long.parseLong(s);
      }
    }
    return -1;
  }
}
