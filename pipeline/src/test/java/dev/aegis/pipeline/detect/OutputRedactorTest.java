package dev.aegis.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class OutputRedactorTest {

  private final OutputRedactor cut = new OutputRedactor();

  static Stream<Arguments> secrets() {
    return Stream.of(
        arguments("Authorization: Bearer abcdef1234567890", "Authorization: Bearer [REDACTED:bearer_token]"),
        arguments("key=sk-proj-abc123def456ghi789jkl end", "key=[REDACTED:api_key] end"),
        arguments("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe [REDACTED:api_key]"),
        arguments("aws AKIAIOSFODNN7EXAMPLE here", "aws [REDACTED:api_key] here"),
        arguments("gh ghp_aBcD1234eFgH5678iJkL9012mNoP3456qRsT", "gh [REDACTED:api_key]"),
        arguments("aegis acp_emp_8f2k1m9q3x7z5w4v", "aegis [REDACTED:api_key]"),
        arguments("slack xoxb-123456789012-abcdefghij", "slack [REDACTED:api_key]"),
        arguments("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "jwt [REDACTED:jwt]"),
        arguments("k: -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY----- ok",
            "k: [REDACTED:private_key] ok"),
        arguments("k: -----BEGIN PRIVATE KEY-----\nMIIEow truncated", "k: [REDACTED:private_key]"),
        arguments("card 4111-1111-1111-1111 ok", "card [REDACTED:card_number] ok"),
        arguments("ssn: 123-45-6789.", "ssn: [REDACTED:ssn]."),
        arguments("rand Zx8q2LkP0vR7tYw3NmB5cH1jG9fD4sA6eU!", "rand [REDACTED:high_entropy]!"));
  }

  @ParameterizedTest
  @MethodSource("secrets")
  void should_redact_secret(String input, String expected) {
    Redaction r = cut.redact(input, false);

    assertThat(r.text()).isEqualTo(expected);
    assertThat(r.count()).isEqualTo(1);
  }

  @Test
  void should_redact_emails_only_when_asked() {
    String in = "contact bob.smith@example.com today";

    assertThat(cut.redact(in, true).text()).isEqualTo("contact [REDACTED:email] today");
    assertThat(cut.redact(in, false).text()).isSameAs(in);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "nothing to see here",
      "the bearer of bad news",
      "uses sk-learn-compatible-estimators",
      "card 4111111111111112",
      "ssn 000-12-3456",
      "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "Asia pacific region, eyJ is a prefix",
      "id 550e8400-e29b-41d4-a716-446655440000",
      "bob@example.com",
  })
  void should_return_same_instance_when_nothing_matches(String in) {
    Redaction r = cut.redact(in, false);

    assertThat(r.text()).isSameAs(in);
    assertThat(r.count()).isZero();
  }

  @Test
  void should_redact_several_values_and_keep_surrounding_text() {
    String in = "{\"token\":\"Bearer abcdef1234567890\",\"card\":\"4111 1111 1111 1111\","
        + "\"mail\":\"a@b.io\"}";

    Redaction r = cut.redact(in, true);

    assertThat(r.text()).isEqualTo("{\"token\":\"Bearer [REDACTED:bearer_token]\","
        + "\"card\":\"[REDACTED:card_number]\",\"mail\":\"[REDACTED:email]\"}");
    assertThat(r.count()).isEqualTo(3);
  }

  @Test
  void should_prefer_the_specific_kind_over_high_entropy() {
    String key = "sk-proj-Zx8q2LkP0vR7tYw3NmB5cH1jG9fD4sA6eU";

    assertThat(cut.redact("k " + key, false).text()).isEqualTo("k [REDACTED:api_key]");
  }

  @Test
  void should_pass_null_and_empty_through() {
    assertThat(cut.redact(null, true)).isEqualTo(new Redaction(null, 0));
    assertThat(cut.redact("", true).text()).isEmpty();
  }

  @Test
  void should_measure_entropy() {
    assertThat(OutputRedactor.entropy("aaaa", 0, 4)).isZero();
    assertThat(OutputRedactor.entropy("abcd", 0, 4)).isEqualTo(2.0);
  }
}
