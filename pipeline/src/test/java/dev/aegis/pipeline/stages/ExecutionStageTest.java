package dev.aegis.pipeline.stages;

import static dev.aegis.pipeline.PipelineFixtures.AGENT;
import static dev.aegis.pipeline.PipelineFixtures.REQUEST_ID;
import static dev.aegis.pipeline.PipelineFixtures.TENANT;
import static dev.aegis.pipeline.PipelineFixtures.TOOL;
import static dev.aegis.pipeline.PipelineFixtures.assertProceeds;
import static dev.aegis.pipeline.PipelineFixtures.authenticated;
import static dev.aegis.pipeline.PipelineFixtures.authenticatedCtx;
import static dev.aegis.pipeline.PipelineFixtures.request;
import static dev.aegis.pipeline.PipelineFixtures.respond;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.ports.ToolExecutor;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExecutionStageTest {

  private final List<JsonObject> sent = new ArrayList<>();
  private final List<Long> budgets = new ArrayList<>();

  private ExecutionStage cut(boolean hasUpstream, Supplier<Future<ToolExecutor.Result>> answer) {
    return new ExecutionStage(new ToolExecutor() {
      @Override
      public boolean hasUpstream(String tool) {
        return hasUpstream && TOOL.equals(tool);
      }

      @Override
      public Future<Result> execute(String tool, JsonObject request, long timeoutMillis) {
        sent.add(request);
        budgets.add(timeoutMillis);
        return answer.get();
      }
    });
  }

  @Test
  void should_identify_as_stage_8() {
    assertThat(cut(false, () -> null).id()).isEqualTo(StageId.EXECUTION);
  }

  @Test
  void should_answer_evaluate_only_when_tool_has_no_upstream() {
    // GIVEN
    RequestContext ctx = authenticatedCtx();

    // WHEN
    assertProceeds(cut(false, () -> Future.failedFuture("must not be called")).apply(ctx));

    // THEN
    assertThat(ctx.result()).isEqualTo(new JsonObject().put("executed", false).put("mode", "evaluate_only"));
    assertThat(ctx.upstream()).isNull();
    assertThat(sent).isEmpty();
  }

  @Test
  void should_forward_and_record_upstream_answer_within_remaining_deadline() {
    // GIVEN
    ToolExecutor.Result up = new ToolExecutor.Result(200, "application/json", Buffer.buffer("{\"rows\":1}"));
    RequestContext ctx = authenticated(request().deadlineMillis(3_000).build());

    // WHEN
    assertProceeds(cut(true, () -> Future.succeededFuture(up)).apply(ctx));

    // THEN
    assertThat(ctx.upstream()).isSameAs(up);
    assertThat(sent).containsExactly(new JsonObject().put("tool", TOOL).put("payload", ctx.payload())
        .put("agent_id", AGENT).put("tenant_id", TENANT).put("request_id", REQUEST_ID));
    assertThat(budgets.get(0)).isBetween(1L, 3_000L).isGreaterThan(2_000L);
  }

  @Test
  void should_give_upstream_at_least_one_millisecond_when_deadline_passed() {
    RequestContext ctx = authenticated(request().deadlineMillis(-50).build());

    cut(true, () -> Future.succeededFuture(new ToolExecutor.Result(200, "text/plain", Buffer.buffer("ok")))).apply(ctx);

    assertThat(budgets).containsExactly(1L);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "upstream_timeout,     504",
      "upstream_busy,        503",
      "upstream_unavailable, 502",
  })
  void should_map_execution_failure_to_its_status_and_key(String key, int status) {
    // GIVEN
    ExecutionStage cut = cut(true, () -> Future.failedFuture(new ToolExecutor.ExecutionFailure(key, status, "upstream said " + key)));

    // WHEN
    Verdict.Respond r = respond(cut.apply(authenticatedCtx()));

    // THEN
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.errorKey()).isEqualTo(key);
    assertThat(r.detail()).isEqualTo("upstream said " + key);
  }

  @Test
  void should_deny_502_upstream_unavailable_when_unexpected_failure() {
    RequestContext ctx = authenticatedCtx();

    Verdict.Respond r = respond(cut(true, () -> Future.failedFuture(new IllegalStateException("socket reset"))).apply(ctx));

    assertThat(r.status()).isEqualTo(502);
    assertThat(r.errorKey()).isEqualTo("upstream_unavailable");
    assertThat(ctx.upstream()).isNull();
  }
}
