package dev.aegis.pipeline.detect;

import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.ports.PolicyResult;
import dev.aegis.pipeline.ports.PolicyResult.RuleHit;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

/**
 * The platform hard-deny rules of SPEC stage 4 (shipped with the platform, not overridable by
 * tenant overlays), evaluated in-process and deterministically:
 *
 * <ul>
 *   <li>shell destruction ({@code hard_deny.shell.*}, {@code destructive_shell_command});</li>
 *   <li>SQL destruction ({@code hard_deny.sql.*}, {@code destructive_sql_ddl} /
 *       {@code destructive_sql_dml_no_predicate});</li>
 *   <li>sensitive paths ({@code hard_deny.path.*});</li>
 *   <li>k8s / helm / terraform destruction: hard deny on production-like targets, escalate
 *       otherwise ({@code hard_deny.k8s.*_prod}, {@code escalate.k8s.*},
 *       {@code *.iac.destroy*});</li>
 *   <li>bulk PII export and external PII exfiltration ({@code *.pii.*}, {@code *.exfil.*});</li>
 *   <li>money transfers: {@code amount} >= 10,000,000 hard deny, >= 200,000 escalate, for tools
 *       whose name contains transfer, payment, wire or payout;</li>
 *   <li>a critical-risk agent calling a dangerous tool (name contains shell, sudo, drop, delete,
 *       truncate, exec or sql, or has an {@code rm} segment): deny (not hard),
 *       {@code agent.critical_dangerous_tool}.</li>
 * </ul>
 *
 * <p>Result contract: {@code allowed=false} when any deny rule fired; {@code hardDeny} when a rule
 * whose id starts with {@code hard_deny.} fired; {@code escalate} when an escalate rule fired;
 * {@code ruleId}/{@code reason} of the most severe hit (hard deny, then deny, then escalate; the
 * first of a kind); {@code riskAdjustment} the largest of 0.30 (any hard deny), 0.85 (critical
 * agent rule) and 0.15 (escalate), else 0; {@code hits} every hit in family order. Nothing fired
 * gives {@link PolicyResult#clean(String)}.
 *
 * <p>The text is {@code in.scanText()} (computed from the payload when null), normalised once
 * with {@link TextNormalizer#normalise(String)} (a no-op for text that is already normalised
 * ASCII), then read once by a keyword automaton that gates every confirming regex.
 *
 * <p>Immutable and thread safe.
 */
public final class HardDenyPolicy {

  public static final double HARD_DENY_ADJUSTMENT = 0.30;
  public static final double CRITICAL_AGENT_ADJUSTMENT = 0.85;
  public static final double ESCALATE_ADJUSTMENT = 0.15;
  public static final double TRANSFER_HARD_CAP = 10_000_000;
  public static final double TRANSFER_ESCALATE = 200_000;

  private static final String[] MONEY_TOOLS = {"transfer", "payment", "wire", "payout"};
  private static final String[] DANGEROUS_TOOLS = {"shell", "sudo", "drop", "delete", "truncate",
      "exec", "sql"};

  private static final KeywordAutomaton AUTOMATON;
  private static final ShellRules SHELL;
  private static final SqlRules SQL;
  private static final PathRules PATHS;
  private static final InfraRules INFRA;
  private static final EgressRules EGRESS;

  static {
    KeywordAutomaton.Builder kb = KeywordAutomaton.builder();
    SHELL = new ShellRules(kb);
    SQL = new SqlRules(kb);
    PATHS = new PathRules(kb);
    INFRA = new InfraRules(kb);
    EGRESS = new EgressRules(kb);
    AUTOMATON = kb.build();
  }

  private final Set<String> allowedDomains;

  /**
   * @param tenantAllowedDomains domains (and their subdomains) PII may be sent to; empty means
   *     none
   */
  public HardDenyPolicy(Set<String> tenantAllowedDomains) {
    this.allowedDomains = Set.copyOf(tenantAllowedDomains);
  }

  /**
   * Evaluates every rule family against one action.
   *
   * @param in the action; {@code payload} may be null (empty), {@code scanText} may be null
   * @param policyVersion copied to the result
   * @return the result; never null
   */
  public PolicyResult evaluate(PolicyInput in, String policyVersion) {
    JsonObject payload = in.payload() == null ? new JsonObject() : in.payload();
    String tool = PolicyContext.lower(in.tool());
    String scan = in.scanText() != null ? in.scanText() : ActionText.of(null, payload);
    String text = TextNormalizer.normalise(tool.isEmpty() ? scan : tool + " " + scan);
    String risk = PolicyContext.lower(in.agentRiskLevel());
    PolicyContext c = new PolicyContext(text, tool, payload, risk.isEmpty() ? "medium" : risk,
        in.inferenceFlags() == null ? List.of() : in.inferenceFlags(), allowedDomains,
        AUTOMATON.scan(text));

    SHELL.evaluate(c);
    SQL.evaluate(c);
    PATHS.evaluate(c);
    INFRA.evaluate(c);
    EGRESS.evaluate(c);
    money(c);
    criticalAgent(c);
    return result(c.hits, policyVersion);
  }

  private static void money(PolicyContext c) {
    if (!containsAny(c.tool, MONEY_TOOLS)) {
      return;
    }
    double amount = amount(c.payload.getValue("amount"));
    if (amount >= TRANSFER_HARD_CAP) {
      c.hit(PolicyContext.HARD + "money.above_hard_cap", Signals.MONEY_TRANSFER_ABOVE_HARD_CAP,
          "critical", PolicyContext.DENY, "Transfer of " + plain(amount) + " above the hard cap");
    } else if (amount >= TRANSFER_ESCALATE) {
      c.hit("escalate.money.large_transfer", Signals.MONEY_TRANSFER_EXTERNAL, "high",
          PolicyContext.ESCALATE, "Transfer of " + plain(amount) + " requires approval");
    }
  }

  private static void criticalAgent(PolicyContext c) {
    if (!"critical".equals(c.riskLevel) || c.tool.isEmpty()) {
      return;
    }
    boolean rmSegment = false;
    for (String seg : c.tool.split("[^a-z0-9]+")) {
      rmSegment |= seg.equals("rm");
    }
    if (rmSegment || containsAny(c.tool, DANGEROUS_TOOLS)) {
      c.hit("agent.critical_dangerous_tool", Signals.CRITICAL_AGENT_DANGEROUS_TOOL, "high",
          PolicyContext.DENY, "Critical-risk agent calling dangerous tool " + c.tool);
    }
  }

  private static PolicyResult result(List<RuleHit> hits, String version) {
    if (hits.isEmpty()) {
      return PolicyResult.clean(version);
    }
    RuleHit top = null;
    int topRank = 0;
    boolean hard = false;
    boolean deny = false;
    boolean escalate = false;
    double adjustment = 0;
    for (RuleHit h : hits) {
      int rank;
      if (h.id().startsWith(PolicyContext.HARD)) {
        hard = true;
        deny = true;
        rank = 3;
        adjustment = Math.max(adjustment, HARD_DENY_ADJUSTMENT);
      } else if (PolicyContext.DENY.equals(h.effect())) {
        deny = true;
        rank = 2;
        adjustment = Math.max(adjustment, CRITICAL_AGENT_ADJUSTMENT);
      } else {
        escalate = true;
        rank = 1;
        adjustment = Math.max(adjustment, ESCALATE_ADJUSTMENT);
      }
      if (rank > topRank) {
        top = h;
        topRank = rank;
      }
    }
    return new PolicyResult(!deny, hard, escalate, top.id(), top.reason(), adjustment,
        List.copyOf(hits), version);
  }

  private static boolean containsAny(String s, String[] needles) {
    for (String n : needles) {
      if (s.contains(n)) {
        return true;
      }
    }
    return false;
  }

  /** A JSON number or numeric string ("$250,000.00", "1_000"), else NaN. */
  static double amount(Object v) {
    if (v instanceof Number) {
      return ((Number) v).doubleValue();
    }
    if (v instanceof CharSequence) {
      String s = v.toString().trim().replaceAll("(?i)^[$€£]|\\s*(?:usd|eur|gbp)$", "")
          .replace(",", "").replace("_", "").trim();
      try {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return Double.NaN;
  }

  private static String plain(double d) {
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }
}
