package dev.aegis.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeakFinderTest {

  static LoadResult fake(double rate, double p99) {
    LoadSpec spec = new LoadSpec("hello", "http://x", rate, 1, 1, 8, 1, 1000, 5, 100,
        Scenarios.hello("http://127.0.0.1:1"));
    LatencyRecorder rec = new LatencyRecorder(200, 5_000_000);
    long n = Math.round(rate);
    for (long i = 0; i < n; i++) {
      long lat = i < n * 0.98 ? 1_000_000 : (long) (p99 * 1e6);
      rec.recordResponse(0, 0, lat, 200);
    }
    return LoadResult.of(spec, rec, new LatencyRecorder(200, 5_000_000), n, 0, 1.0, 0.2,
        java.util.Map.of());
  }

  @Test
  void stepsUpUntilP99BreaksThenRefinesOnce() throws Exception {
    List<Double> tried = new ArrayList<>();
    PeakFinder.Peak p = PeakFinder.find(rate -> {
      tried.add(rate);
      return fake(rate, rate > 7000 ? 200 : 2);
    }, 1000, 1.5, 20, 1e6, new PeakFinder.Criteria(50, 0.01), true);
    assertThat(tried).containsExactly(1000.0, 1500.0, 2250.0, 3375.0, 5063.0, 7595.0, 6329.0);
    assertThat(p.peakRps()).isEqualTo(6329.0);
    assertThat(p.stopReason()).contains("7595").contains("p99");
    assertThat(p.steps()).hasSize(7);
    assertThat(p.steps().get(5).failure()).isNotNull();
  }

  @Test
  void noPassingRateGivesZeroAfterSteppingDown() throws Exception {
    List<Double> tried = new ArrayList<>();
    PeakFinder.Peak p = PeakFinder.find(rate -> {
      tried.add(rate);
      return fake(rate, 500);
    }, 1000, 2, 10, 1e6, new PeakFinder.Criteria(50, 0.01), true);
    assertThat(p.peakRps()).isZero();
    assertThat(tried).containsExactly(1000.0, 500.0, 250.0, 125.0);
  }

  @Test
  void aFailingStartRateStepsDownThenSearchesUp() throws Exception {
    List<Double> tried = new ArrayList<>();
    PeakFinder.Peak p = PeakFinder.find(rate -> {
      tried.add(rate);
      return fake(rate, rate > 600 ? 200 : 2);
    }, 1000, 2, 10, 1e6, new PeakFinder.Criteria(50, 0.01), true);
    // 1000 fails, 500 passes, 1000 fails again, then 750 (halfway) fails: the peak is 500.
    assertThat(tried).containsExactly(1000.0, 500.0, 1000.0, 750.0);
    assertThat(p.peakRps()).isEqualTo(500.0);
  }
}
