package dev.aegis.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.decision.Findings;
import dev.aegis.pipeline.ports.PolicyResult;
import dev.aegis.pipeline.ports.PolicyResult.RuleHit;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SignalsTest {

  @ParameterizedTest
  @CsvSource({
      "prompt_injection, prompt_injection_detected",
      "sql_injection_detected, sql_injection_detected",
      "path_traversal_detected, path_traversal_detected",
      "external_pii_exfil, data_exfiltration_detected",
      "bulk_pii_egress_dump, data_exfiltration_detected",
      "destructive_shell_command, policy_deny",
      "k8s_destruction, approval_required",
  })
  void should_map_signal_to_canonical_finding(String signal, String finding) {
    assertThat(Signals.canonicalFinding(signal)).isEqualTo(finding);
  }

  @Test
  void should_leave_pure_signals_unmapped() {
    assertThat(Signals.canonicalFinding(Signals.PII_SSN)).isNull();
    assertThat(Signals.canonicalFinding(Signals.PII_EMAIL)).isNull();
    assertThat(Signals.canonicalFinding(Signals.REQUEST_SHAPE_RISK)).isNull();
    assertThat(Signals.canonicalFinding(null)).isNull();
  }

  @Test
  void should_only_map_to_canonical_findings() {
    List<String> mapped = Arrays.stream(Signals.class.getFields())
        .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
        .map(SignalsTest::value).map(Signals::canonicalFinding)
        .filter(java.util.Objects::nonNull).toList();

    assertThat(mapped).isNotEmpty();
    assertThat(Findings.ALL).containsAll(mapped);
  }

  @Test
  void should_collect_findings_of_policy_hits_deduplicated() {
    PolicyResult r = new PolicyResult(false, true, false, "x", "y", 0.3, List.of(
        new RuleHit("hard_deny.exfil.external_pii", Signals.EXTERNAL_PII_EXFIL, "critical", "deny", ""),
        new RuleHit("hard_deny.pii.bulk_dump", Signals.BULK_PII_EGRESS_DUMP, "critical", "deny", ""),
        new RuleHit("hard_deny.sql.drop", Signals.DESTRUCTIVE_SQL_DDL, "critical", "deny", "")), "v");

    assertThat(Signals.canonicalFindings(r))
        .containsExactly(Findings.DATA_EXFILTRATION_DETECTED, Findings.POLICY_DENY);
  }

  private static String value(Field f) {
    try {
      return (String) f.get(null);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
