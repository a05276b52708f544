package dev.aegis.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.decision.Findings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InferenceReportTest {

  @Test
  void should_reject_non_canonical_findings() {
    assertThatThrownBy(() -> new InferenceReport(0.9, List.of(), List.of("prompt_injection"),
        List.of(), 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void should_reject_bad_risk_and_pii_count() {
    assertThatThrownBy(() -> new InferenceReport(1.5, List.of(), List.of(), List.of(), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new InferenceReport(0.5, List.of(), List.of(), List.of(), -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void should_copy_lists_defensively() {
    List<String> findings = new ArrayList<>(List.of(Findings.SQL_INJECTION_DETECTED));
    Finding hit = new Finding(Signals.SQL_INJECTION, "inference.sqli.tautology", 0.9, "");
    InferenceReport report = new InferenceReport(0.9, List.of(hit), findings, List.of("x"), 0);

    findings.clear();

    assertThat(report.findings()).containsExactly(Findings.SQL_INJECTION_DETECTED);
    assertThat(report.clean()).isFalse();
    assertThatThrownBy(() -> report.flags().add("y")).isInstanceOf(UnsupportedOperationException.class);
  }
}
