package dev.aegis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class ScheduleTest {

  @Test
  void withoutWarmupRequestIIsIntendedAtIOverR() {
    Schedule s = new Schedule(1000, 0, 10);
    assertThat(s.warmupCount()).isZero();
    assertThat(s.totalCount()).isEqualTo(10_000);
    for (long i = 0; i < s.totalCount(); i++) {
      assertThat(s.offsetNanos(i)).isEqualTo(i * 1_000_000L);
    }
    assertThat(s.endOffsetNanos()).isEqualTo(10_000_000_000L);
  }

  @Test
  void measuredPartDoesNotDriftAtAnAwkwardRate() {
    // 1/R is not representable exactly; computing each time from its index keeps the error at the
    // nanosecond level after a million requests (summing intervals would accumulate it).
    double rate = 3333.3;
    Schedule s = new Schedule(rate, 4, 300);
    long first = s.warmupCount();
    long base = s.offsetOfGlobal(first);
    for (long k : new long[] {1, 7, 1_000, 123_457, 999_989}) {
      double exact = k * 1e9 / rate;
      assertThat((double) (s.offsetOfGlobal(first + k) - base)).isCloseTo(exact, within(2.0));
    }
    assertThat((double) (s.endOffsetNanos() - s.measureStartOffsetNanos()))
        .isCloseTo(300e9, within(1e9 / rate));
  }

  @Test
  void warmupRampsUpThenHoldsAndMeasurementStartsAfterIt() {
    Schedule s = new Schedule(2000, 4, 10);
    // Ramp over 2 s from 200 to 2000 req/s (2200 requests), then 2 s at 2000 (4000 requests).
    assertThat(s.warmupCount()).isEqualTo(6200);
    assertThat(s.measuredCount()).isEqualTo(20_000);
    assertThat((double) s.measureStartOffsetNanos()).isCloseTo(4e9, within(1e6));
    long prev = -1;
    for (long g = 0; g < s.totalCount(); g++) {
      long o = s.offsetOfGlobal(g);
      assertThat(o).isGreaterThan(prev);
      prev = o;
    }
    // Early in the ramp requests are ~10x further apart than at full rate.
    long earlyGap = s.offsetOfGlobal(1) - s.offsetOfGlobal(0);
    long lateGap = s.offsetOfGlobal(s.warmupCount() + 1) - s.offsetOfGlobal(s.warmupCount());
    assertThat(earlyGap).isGreaterThan(4 * lateGap);
    assertThat(lateGap).isEqualTo(500_000L);
  }

  @Test
  void streamsPartitionTheScheduleExactlyOnce() {
    Schedule whole = new Schedule(999, 1, 3);
    int streams = 3;
    BitSet seen = new BitSet();
    long total = 0;
    for (int k = 0; k < streams; k++) {
      Schedule s = new Schedule(999, 1, 3, k, streams);
      for (long i = 0; i < s.streamCount(); i++) {
        long g = s.globalIndex(i);
        assertThat(seen.get((int) g)).isFalse();
        seen.set((int) g);
        assertThat(s.offsetNanos(i)).isEqualTo(whole.offsetOfGlobal(g));
        assertThat(s.isWarmup(i)).isEqualTo(g < whole.warmupCount());
      }
      total += s.streamCount();
    }
    assertThat(total).isEqualTo(whole.totalCount());
    assertThat(seen.cardinality()).isEqualTo((int) whole.totalCount());
  }
}
