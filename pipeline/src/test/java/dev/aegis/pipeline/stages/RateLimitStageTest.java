package dev.aegis.pipeline.stages;

import static dev.aegis.pipeline.PipelineFixtures.AGENT;
import static dev.aegis.pipeline.PipelineFixtures.TENANT;
import static dev.aegis.pipeline.PipelineFixtures.assertProceeds;
import static dev.aegis.pipeline.PipelineFixtures.authenticatedCtx;
import static dev.aegis.pipeline.PipelineFixtures.cause;
import static dev.aegis.pipeline.PipelineFixtures.respond;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.ports.RateLimiter;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RateLimitStageTest {

  private static final String TENANT_KEY = "tenant:" + TENANT;
  private static final String AGENT_KEY = "agent:" + TENANT + ":" + AGENT;

  /** Every call as "key rate burst". */
  private final List<String> calls = new ArrayList<>();

  /** A limiter answering from a per-key table (keys not listed are allowed). */
  private RateLimitStage cut(Map<String, RateLimiter.Result> answers) {
    return new RateLimitStage((key, rate, burst) -> {
      calls.add(key + " " + rate + " " + burst);
      return Future.succeededFuture(answers.getOrDefault(key, new RateLimiter.Result(true, 0, 5)));
    });
  }

  private static RateLimiter.Result refused(double retryAfter) {
    return new RateLimiter.Result(false, retryAfter, 0);
  }

  @Test
  void should_identify_as_stage_2() {
    assertThat(cut(Map.of()).id()).isEqualTo(StageId.RATE_LIMIT);
  }

  @Test
  void should_proceed_and_use_tenant_then_agent_buckets_when_both_allow() {
    // WHEN
    assertProceeds(cut(Map.of()).apply(authenticatedCtx()));

    // THEN the tenant bucket uses the tenant's rate/burst, the agent bucket the agent's
    assertThat(calls).containsExactly(TENANT_KEY + " 50.0 100", AGENT_KEY + " 10.0 20");
  }

  @Test
  void should_deny_429_tenant_rps_when_tenant_bucket_empty() {
    // GIVEN
    RateLimitStage cut = cut(Map.of(TENANT_KEY, refused(0.25)));

    // WHEN
    Verdict.Respond r = respond(cut.apply(authenticatedCtx()));

    // THEN the agent bucket is not touched
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.errorKey()).isEqualTo("rate_limited");
    assertThat(r.extra().getString("limit_type")).isEqualTo("tenant_rps");
    assertThat(r.extra().getDouble("retry_after")).isEqualTo(0.25);
    assertThat(r.headers()).containsEntry("Retry-After", "1");
    assertThat(calls).containsExactly(TENANT_KEY + " 50.0 100");
  }

  @Test
  void should_deny_429_agent_rps_when_agent_bucket_empty() {
    // GIVEN
    RateLimitStage cut = cut(Map.of(AGENT_KEY, refused(2.3)));

    // WHEN
    Verdict.Respond r = respond(cut.apply(authenticatedCtx()));

    // THEN
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.errorKey()).isEqualTo("rate_limited");
    assertThat(r.extra().getString("limit_type")).isEqualTo("agent_rps");
    assertThat(r.extra().getDouble("retry_after")).isEqualTo(2.3);
    assertThat(r.headers()).containsEntry("Retry-After", "3");
    assertThat(calls).hasSize(2);
  }

  @ParameterizedTest(name = "retry {0} s -> retry_after {1}, Retry-After {2}")
  @CsvSource({
      "0.0,     0.0,   1",
      "0.0004,  0.0,   1",
      "0.02,    0.02,  1",
      "1.0,     1.0,   1",
      "1.23456, 1.235, 2",
      "59.9991, 59.999, 60",
  })
  void should_round_retry_after_and_ceil_header_to_at_least_one_second(double retry, double body, String header) {
    Verdict.Respond r = respond(cut(Map.of(TENANT_KEY, refused(retry))).apply(authenticatedCtx()));

    assertThat(r.extra().getDouble("retry_after")).isEqualTo(body);
    assertThat(r.headers()).containsEntry("Retry-After", header);
  }

  @Test
  void should_fail_future_when_limiter_fails() {
    RateLimitStage cut = new RateLimitStage((key, rate, burst) -> Future.failedFuture(new IllegalStateException("redis down")));

    assertThat(cause(cut.apply(authenticatedCtx()))).hasMessage("redis down");
  }
}
