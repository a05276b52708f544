package dev.aegis.pipeline.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The day-chaining rules of daily transparency roots, on in-memory inputs. */
class DailyRootChainTest {

  private static final String TENANT = "00000000-0000-0000-0000-0000000000aa";
  private static final String R1 = "11".repeat(32);
  private static final String R3 = "33".repeat(32);
  private static final String R4 = "44".repeat(32);

  private static DailyRootChain.Day day(String date, long from, long to, String root) {
    LocalDate d = LocalDate.parse(date);
    return new DailyRootChain.Day(d, from, to, root, from == to ? null : "id-" + from,
        from == to ? null : "id-" + (to - 1), DailyRootChain.endOfDay(d));
  }

  /** Verifies several days with a gap day: counts, ranges, prev links and the empty-epoch root. */
  @Test
  void should_chain_days_with_a_gap() {
    List<DailyRoot> chain = DailyRootChain.chain(TENANT, null, List.of(
        day("2026-03-01", 0, 5, R1),
        day("2026-03-02", 5, 5, null),
        day("2026-03-03", 5, 9, R3),
        day("2026-03-04", 9, 9, null),
        day("2026-03-05", 9, 9, null),
        day("2026-03-06", 9, 12, R4)));
    assertThat(chain).hasSize(6);
    DailyRoot first = chain.get(0);
    assertThat(first.prevRootHash()).isNull();
    assertThat(first.rootHash()).isEqualTo(R1);
    assertThat(first.leafCount()).isEqualTo(5);
    assertThat(first.leafRangeStartId()).isEqualTo("id-0");
    assertThat(first.leafRangeEndId()).isEqualTo("id-4");
    assertThat(first.windowEnd()).isEqualTo("2026-03-02T00:00:00.000000Z");
    DailyRoot gap = chain.get(1);
    assertThat(gap.leafCount()).isZero();
    assertThat(gap.leafRangeStartId()).isNull();
    assertThat(gap.prevRootHash()).isEqualTo(R1);
    assertThat(gap.rootHash()).isEqualTo(DailyRoot.emptyEpochRoot(R1))
        .isEqualTo(Digests.sha256Hex(R1 + "\ntransparency_empty_epoch_v1\n"));
    assertThat(chain.get(2).prevRootHash()).isEqualTo(gap.rootHash());
    assertThat(chain.get(2).leafCount()).isEqualTo(4);
    // two empty days in a row chain empty epochs
    assertThat(chain.get(4).rootHash()).isEqualTo(DailyRoot.emptyEpochRoot(chain.get(3).rootHash()));
    assertThat(chain.get(5).prevRootHash()).isEqualTo(chain.get(4).rootHash());
    for (int i = 1; i < chain.size(); i++) {
      assertThat(DailyRootChain.checkLink(chain.get(i), chain.get(i - 1))).isNull();
      assertThat(DailyRootChain.checkShape(chain.get(i))).isNull();
    }
  }

  /** Verifies that a tenant's empty first day uses the empty-tree root. */
  @Test
  void should_use_the_empty_tree_root_on_an_empty_first_day() {
    DailyRoot r = DailyRootChain.root(TENANT, day("2026-03-01", 0, 0, null), null);
    assertThat(r.rootHash()).isEqualTo(DailyRoot.EMPTY_TREE_ROOT);
    assertThat(DailyRootChain.checkShape(r)).isNull();
  }

  /** Verifies that broken links and wrong empty-epoch roots are caught. */
  @Test
  void should_detect_broken_links() {
    List<DailyRoot> chain = DailyRootChain.chain(TENANT, R4, List.of(day("2026-03-01", 0, 5, R1),
        day("2026-03-02", 5, 5, null)));
    DailyRoot a = chain.get(0);
    DailyRoot b = chain.get(1);
    assertThat(DailyRootChain.checkLink(b, a)).isNull();
    DailyRoot wrongPrev = new DailyRoot(b.rootDate(), DailyRoot.emptyEpochRoot(R3), TENANT, 0, null, null, R3,
        b.windowEnd());
    assertThat(DailyRootChain.checkShape(wrongPrev)).isNull();
    assertThat(DailyRootChain.checkLink(wrongPrev, a)).contains("prev_root_hash");
    assertThat(DailyRootChain.checkLink(chain.get(0), chain.get(0))).contains("previous day");
    DailyRoot otherTenant = new DailyRoot(a.rootDate(), a.rootHash(), UUID.randomUUID().toString(), 5,
        "x", "y", R4, a.windowEnd());
    assertThat(DailyRootChain.checkLink(b, otherTenant)).contains("another tenant");
    DailyRoot fakeEmpty = new DailyRoot(b.rootDate(), R3, TENANT, 0, null, null, R1, b.windowEnd());
    assertThat(DailyRootChain.checkShape(fakeEmpty)).contains("empty-epoch");
    assertThatThrownBy(() -> DailyRootChain.chain(TENANT, null, List.of(day("2026-03-01", 0, 5, R1),
        day("2026-03-03", 5, 6, R3)))).hasMessageContaining("consecutive");
  }

  /** Verifies which days are pending, when a day is sealed, and the running window end. */
  @Test
  void should_plan_sealing_and_running_windows() {
    LocalDate first = LocalDate.parse("2026-03-01");
    Instant now = Instant.parse("2026-03-04T10:15:30.123456789Z");
    assertThat(DailyRootChain.pending(first, null, now)).extracting(LocalDate::toString)
        .containsExactly("2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04");
    assertThat(DailyRootChain.pending(first, LocalDate.parse("2026-03-02"), now)).extracting(LocalDate::toString)
        .containsExactly("2026-03-03", "2026-03-04");
    assertThat(DailyRootChain.pending(first, LocalDate.parse("2026-03-04"), now)).isEmpty();
    assertThat(DailyRootChain.sealable(LocalDate.parse("2026-03-03"), now)).isTrue();
    assertThat(DailyRootChain.sealable(LocalDate.parse("2026-03-04"), now)).isFalse();
    // the grace period after midnight
    Instant justAfter = Instant.parse("2026-03-05T00:01:00Z");
    assertThat(DailyRootChain.sealable(LocalDate.parse("2026-03-04"), justAfter)).isFalse();
    assertThat(DailyRootChain.sealable(LocalDate.parse("2026-03-04"), Instant.parse("2026-03-05T00:02:00Z")))
        .isTrue();
    assertThat(DailyRootChain.windowEnd(LocalDate.parse("2026-03-04"), justAfter))
        .isEqualTo(Instant.parse("2026-03-05T00:00:00Z"));
    assertThat(DailyRootChain.formatInstant(DailyRootChain.windowEnd(LocalDate.parse("2026-03-04"), now)))
        .isEqualTo("2026-03-04T10:15:30.123456Z");
  }

  /** Verifies that a signed chain verifies offline and that tampering is caught. */
  @Test
  void should_sign_and_verify_each_day() {
    Ed25519Keys.KeyPair key = Ed25519Keys.KeyPair.of(Ed25519Keys.generate());
    List<DailyRoot> chain = DailyRootChain.chain(TENANT, null, List.of(day("2026-03-01", 0, 2, R1),
        day("2026-03-02", 2, 2, null)));
    List<DailyRoot> back = new ArrayList<>();
    for (DailyRoot r : chain) {
      DailyRoot.Signed s = r.sign(key);
      back.add(DailyRoot.verify(s.payload(), s.signature(), s.keyFingerprint(),
          Map.of(key.fingerprint(), key.publicKey())));
    }
    assertThat(back).isEqualTo(chain);
    DailyRoot.Signed s = chain.get(1).sign(key);
    String tampered = s.payload().replace("\"leaf_count\":0", "\"leaf_count\":1");
    assertThatThrownBy(() -> DailyRoot.verify(tampered, s.signature(), s.keyFingerprint(),
        Map.of(key.fingerprint(), key.publicKey()))).isInstanceOf(EvidenceException.class);
  }
}
