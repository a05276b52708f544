package dev.aegis.verticles.runtime;

import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.StageObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Per-stage timers ({@code aegis_stage_seconds{stage,name}}) and outcome counters
 * ({@code aegis_stage_outcomes_total{stage,name,outcome}}), plus a fail-open counter per stage.
 * Meters are created once; recording is lock free.
 */
public final class MicrometerStageObserver implements StageObserver {

  private final Timer[] timers = new Timer[StageId.values().length];
  private final Counter[][] outcomes = new Counter[StageId.values().length][Outcome.values().length];

  public MicrometerStageObserver(MeterRegistry registry) {
    for (StageId s : StageId.values()) {
      String n = Integer.toString(s.number());
      timers[s.ordinal()] = Timer.builder("aegis_stage_seconds").tag("stage", n).tag("name", s.label())
          .description("time spent in each pipeline stage (count, sum, max; no client-side percentiles"
              + " on the hot path)")
          .register(registry);
      for (Outcome o : Outcome.values()) {
        outcomes[s.ordinal()][o.ordinal()] = Counter.builder("aegis_stage_outcomes_total")
            .tag("stage", n).tag("name", s.label()).tag("outcome", o.name().toLowerCase())
            .description("stage outcomes (fail_open counts fail-open branches)").register(registry);
      }
    }
  }

  @Override
  public void onStage(StageId stage, Outcome outcome, long nanos) {
    timers[stage.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    outcomes[stage.ordinal()][outcome.ordinal()].increment();
  }
}
