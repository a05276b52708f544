package dev.aegis.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class KeywordAutomatonTest {

  @Test
  void should_find_overlapping_keywords_in_one_pass() {
    KeywordAutomaton.Builder kb = KeywordAutomaton.builder();
    int he = kb.sub("he")[0];
    int she = kb.sub("she")[0];
    int his = kb.sub("his")[0];
    int hers = kb.sub("hers")[0];
    KeywordAutomaton cut = kb.build();

    BitSet found = cut.scan("ushers");

    assertThat(found.get(he)).isTrue();
    assertThat(found.get(she)).isTrue();
    assertThat(found.get(hers)).isTrue();
    assertThat(found.get(his)).isFalse();
  }

  @Test
  void should_match_case_insensitively_and_any_whitespace_as_space() {
    KeywordAutomaton.Builder kb = KeywordAutomaton.builder();
    int[] ids = kb.sub("union select");
    KeywordAutomaton cut = kb.build();

    assertThat(cut.scan("1 UNION\nSELECT x").get(ids[0])).isTrue();
    assertThat(cut.scan("1 UNION  SELECT x").get(ids[0])).isFalse();
  }

  @Test
  void should_respect_whole_words() {
    KeywordAutomaton.Builder kb = KeywordAutomaton.builder();
    int dan = kb.word("dan")[0];
    int rm = kb.word("rm")[0];
    KeywordAutomaton cut = kb.build();

    assertThat(cut.scan("abundant guidance").get(dan)).isFalse();
    assertThat(cut.scan("you are dan.").get(dan)).isTrue();
    assertThat(cut.scan("terraform confirm").get(rm)).isFalse();
    assertThat(cut.scan("sudo rm -rf").get(rm)).isTrue();
    assertThat(cut.scan("x;rm").get(rm)).isTrue();
  }

  @Test
  void should_not_match_non_ascii_and_dedupe_ids() {
    KeywordAutomaton.Builder kb = KeywordAutomaton.builder();
    int a = kb.sub("drop")[0];
    int b = kb.sub("DROP")[0];
    KeywordAutomaton cut = kb.build();

    assertThat(a).isEqualTo(b);
    assertThat(cut.size()).isEqualTo(1);
    assertThat(cut.scan("dr\u00F6p").isEmpty()).isTrue();
    KeywordAutomaton.Builder bad = KeywordAutomaton.builder();
    bad.sub("caf\u00E9");
    assertThatThrownBy(bad::build).isInstanceOf(IllegalArgumentException.class);
  }
}
