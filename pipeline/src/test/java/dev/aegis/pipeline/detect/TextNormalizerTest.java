package dev.aegis.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TextNormalizerTest {

  @Test
  void should_return_same_instance_for_plain_lower_ascii() {
    String in = "select id from orders where id = 42";

    assertThat(TextNormalizer.normalise(in)).isSameAs(in);
  }

  @Test
  void should_lower_case_and_collapse_whitespace() {
    assertThat(TextNormalizer.normalise("  Hello\t\tWORLD \r\n again  "))
        .isEqualTo(" hello world again ");
  }

  @Test
  void should_fold_fullwidth_and_compatibility_forms_with_nfkc() {
    assertThat(TextNormalizer.normalise("ＩＧＮＯＲＥ ｐｒｅｖｉｏｕｓ ﬁle ①"))
        .isEqualTo("ignore previous file 1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u200B", "\u200C", "\u200D", "\uFEFF", "\u2060", "\u00AD"})
  void should_strip_zero_width_characters(String zw) {
    assertThat(TextNormalizer.normalise("ig" + zw + "nore")).isEqualTo("ignore");
  }

  @Test
  void should_map_cyrillic_and_greek_homoglyphs() {
    assertThat(TextNormalizer.normalise("\u0456gn\u043Er\u0435 \u03C1\u03BFl\u0456cy"))
        .isEqualTo("ignore policy");
  }

  @ParameterizedTest
  @CsvSource(delimiterString = " => ", value = {
      "%2e%2e%2fetc => ../etc",
      "%252e%252e => %2e%2e",
      "caf%C3%A9 => café",
      "%E9t%E9 => été",
      "\\u0069gnore => ignore",
      "100% sure => 100% sure",
      "%zz and \\uXYZW => %zz and \\uxyzw",
  })
  void should_decode_escapes_once(String in, String expected) {
    assertThat(TextNormalizer.normalise(in)).isEqualTo(expected);
  }

  @Test
  void should_return_empty_for_null() {
    assertThat(TextNormalizer.normalise(null)).isEmpty();
  }

  @Test
  void should_drop_control_characters() {
    assertThat(TextNormalizer.normalise("rm\u0000 -rf")).isEqualTo("rm -rf");
  }

  @Test
  void should_keep_single_line_breaks_when_asked() {
    assertThat(TextNormalizer.normalise("a \n\n B\tc", true)).isEqualTo("a\nb c");
    assertThat(TextNormalizer.normalise("a\nb", true)).isEqualTo("a\nb");
    assertThat(TextNormalizer.normalise("a\nb", false)).isEqualTo("a b");
  }

  @Test
  void should_be_idempotent_without_escapes() {
    String once = TextNormalizer.normalise("Ｈｅｌｌｏ\u200B  Wörld \u0456");

    assertThat(TextNormalizer.normalise(once)).isEqualTo(once);
  }
}
