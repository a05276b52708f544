package dev.aegis.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedactionTest {

  @Test
  void should_reject_negative_count() {
    assertThatThrownBy(() -> new Redaction("x", -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void should_keep_components() {
    Redaction r = new Redaction("[REDACTED:ssn]", 1);

    assertThat(r.text()).isEqualTo("[REDACTED:ssn]");
    assertThat(r.count()).isEqualTo(1);
  }
}
