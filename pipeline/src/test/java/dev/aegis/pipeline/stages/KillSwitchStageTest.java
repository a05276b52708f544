package dev.aegis.pipeline.stages;

import static dev.aegis.pipeline.PipelineFixtures.TENANT;
import static dev.aegis.pipeline.PipelineFixtures.assertProceeds;
import static dev.aegis.pipeline.PipelineFixtures.authenticatedCtx;
import static dev.aegis.pipeline.PipelineFixtures.respond;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.ports.KillSwitchView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KillSwitchStageTest {

  private final List<String> asked = new ArrayList<>();

  private KillSwitchStage cut(KillSwitchView.State state) {
    return new KillSwitchStage(tenant -> {
      asked.add(tenant);
      return state;
    });
  }

  @Test
  void should_identify_as_stage_0() {
    assertThat(cut(KillSwitchView.State.DISENGAGED).id()).isEqualTo(StageId.KILL_SWITCH);
  }

  @Test
  void should_proceed_when_switch_disengaged() {
    assertProceeds(cut(KillSwitchView.State.DISENGAGED).apply(authenticatedCtx()));
    assertThat(asked).containsExactly(TENANT);
  }

  @Test
  void should_deny_403_kill_switch_engaged_when_switch_engaged() {
    // WHEN
    Verdict.Respond r = respond(cut(KillSwitchView.State.ENGAGED).apply(authenticatedCtx()));

    // THEN
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.errorKey()).isEqualTo("kill_switch_engaged");
    assertThat(asked).containsExactly(TENANT);
  }

  @Test
  void should_fail_closed_503_when_switch_state_unknown() {
    Verdict.Respond r = respond(cut(KillSwitchView.State.UNKNOWN).apply(authenticatedCtx()));

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.errorKey()).isEqualTo("kill_switch_state_unknown");
  }
}
