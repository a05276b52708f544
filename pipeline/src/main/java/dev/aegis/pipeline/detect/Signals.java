package dev.aegis.pipeline.detect;

import dev.aegis.pipeline.decision.Findings;
import dev.aegis.pipeline.ports.PolicyResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Security signal names used by the detectors (SPEC section 5, signal registry vocabulary) and
 * their mapping to the canonical findings. Signals are diagnostic: they go to flags, rule hits
 * and {@code metadata.diagnostic_flags}; only {@link #canonicalFinding(String)} turns one into a
 * finding.
 */
public final class Signals {
  public static final String PROMPT_INJECTION = "prompt_injection";
  public static final String PII_CARD_NUMBER = "pii_card_number";
  public static final String PII_SSN = "pii_ssn";
  public static final String PII_EMAIL = "pii_email";
  public static final String SQL_INJECTION = "sql_injection_detected";
  public static final String PATH_TRAVERSAL = "path_traversal_detected";
  public static final String REQUEST_SHAPE_RISK = "request_shape_risk";
  public static final String DESTRUCTIVE_SHELL_COMMAND = "destructive_shell_command";
  public static final String DESTRUCTIVE_SQL_DDL = "destructive_sql_ddl";
  public static final String DESTRUCTIVE_SQL_DML_NO_PREDICATE = "destructive_sql_dml_no_predicate";
  public static final String SYSTEM_SENSITIVE_PATH = "system_sensitive_path";
  public static final String SSH_CREDENTIAL_PATH = "ssh_credential_path";
  public static final String CLOUD_CREDENTIAL_PATH = "cloud_credential_path";
  public static final String K8S_DESTRUCTION_PROD = "k8s_destruction_prod";
  public static final String K8S_DESTRUCTION = "k8s_destruction";
  public static final String IAC_DESTRUCTION_PROD = "iac_destruction_prod";
  public static final String IAC_DESTRUCTION = "iac_destruction";
  public static final String BULK_PII_EGRESS_ABOVE_THRESHOLD = "bulk_pii_egress_above_threshold";
  public static final String BULK_PII_EGRESS_DUMP = "bulk_pii_egress_dump";
  public static final String EXTERNAL_PII_EXFIL = "external_pii_exfil";
  public static final String EXTERNAL_POST_PII_UNKNOWN_DEST = "external_post_pii_unknown_dest";
  public static final String MONEY_TRANSFER_ABOVE_HARD_CAP = "money_transfer_above_hard_cap";
  public static final String MONEY_TRANSFER_EXTERNAL = "money_transfer_external";
  public static final String CRITICAL_AGENT_DANGEROUS_TOOL = "critical_agent_dangerous_tool";

  private static final Map<String, String> CANONICAL = Map.ofEntries(
      Map.entry(PROMPT_INJECTION, Findings.PROMPT_INJECTION_DETECTED),
      Map.entry(SQL_INJECTION, Findings.SQL_INJECTION_DETECTED),
      Map.entry(PATH_TRAVERSAL, Findings.PATH_TRAVERSAL_DETECTED),
      Map.entry(EXTERNAL_PII_EXFIL, Findings.DATA_EXFILTRATION_DETECTED),
      Map.entry(EXTERNAL_POST_PII_UNKNOWN_DEST, Findings.DATA_EXFILTRATION_DETECTED),
      Map.entry(BULK_PII_EGRESS_DUMP, Findings.DATA_EXFILTRATION_DETECTED),
      Map.entry(BULK_PII_EGRESS_ABOVE_THRESHOLD, Findings.DATA_EXFILTRATION_DETECTED),
      Map.entry(DESTRUCTIVE_SHELL_COMMAND, Findings.POLICY_DENY),
      Map.entry(DESTRUCTIVE_SQL_DDL, Findings.POLICY_DENY),
      Map.entry(DESTRUCTIVE_SQL_DML_NO_PREDICATE, Findings.POLICY_DENY),
      Map.entry(SYSTEM_SENSITIVE_PATH, Findings.POLICY_DENY),
      Map.entry(SSH_CREDENTIAL_PATH, Findings.POLICY_DENY),
      Map.entry(CLOUD_CREDENTIAL_PATH, Findings.POLICY_DENY),
      Map.entry(K8S_DESTRUCTION_PROD, Findings.POLICY_DENY),
      Map.entry(IAC_DESTRUCTION_PROD, Findings.POLICY_DENY),
      Map.entry(MONEY_TRANSFER_ABOVE_HARD_CAP, Findings.POLICY_DENY),
      Map.entry(CRITICAL_AGENT_DANGEROUS_TOOL, Findings.POLICY_DENY),
      Map.entry(K8S_DESTRUCTION, Findings.APPROVAL_REQUIRED),
      Map.entry(IAC_DESTRUCTION, Findings.APPROVAL_REQUIRED),
      Map.entry(MONEY_TRANSFER_EXTERNAL, Findings.APPROVAL_REQUIRED));

  private Signals() {}

  /**
   * @return the canonical finding a signal stands for, or null for purely diagnostic signals
   *     (PII values alone, request shape)
   */
  public static String canonicalFinding(String signal) {
    return signal == null ? null : CANONICAL.get(signal);
  }

  /** @return the canonical findings of every hit of a policy result, deduplicated, in order */
  public static List<String> canonicalFindings(PolicyResult result) {
    List<String> out = new ArrayList<>(2);
    for (PolicyResult.RuleHit hit : result.hits()) {
      String f = canonicalFinding(hit.signal());
      if (f != null && !out.contains(f)) {
        out.add(f);
      }
    }
    return out;
  }
}
