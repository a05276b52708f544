package dev.aegis.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FindingTest {

  @Test
  void should_keep_components() {
    Finding f = new Finding("pii_ssn", "inference.pii.ssn", 0.8, "1 SSN");

    assertThat(f.signal()).isEqualTo("pii_ssn");
    assertThat(f.ruleId()).isEqualTo("inference.pii.ssn");
    assertThat(f.score()).isEqualTo(0.8);
    assertThat(f.detail()).isEqualTo("1 SSN");
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.01, 1.01, Double.NaN})
  void should_reject_score_outside_unit_interval(double score) {
    assertThatThrownBy(() -> new Finding("s", "r", score, "d"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void should_reject_null_ids_and_default_detail() {
    assertThatThrownBy(() -> new Finding(null, "r", 0.5, "d")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Finding("s", null, 0.5, "d")).isInstanceOf(NullPointerException.class);
    assertThat(new Finding("s", "r", 0, null).detail()).isEmpty();
  }
}
