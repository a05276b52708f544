package dev.aegis.pipeline;

import static dev.aegis.pipeline.PipelineFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.PipelineRunner.FailureMode;
import dev.aegis.pipeline.PipelineRunner.Step;
import dev.aegis.pipeline.StageObserver.Outcome;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PipelineRunnerTest {

  private static Vertx vertx;

  /** Every stage invocation, in order. */
  private final List<StageId> calls = new CopyOnWriteArrayList<>();
  /** Every observer callback as "label:OUTCOME". */
  private final List<String> observed = new CopyOnWriteArrayList<>();
  private final StageObserver observer = (stage, outcome, nanos) -> observed.add(stage.label() + ":" + outcome);

  private Step audit;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx(new VertxOptions()
        .setMaxEventLoopExecuteTime(100).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(100));
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @BeforeEach
  void setUp() {
    audit = Step.closed(proceeding(StageId.AUDIT), 503, "audit_unavailable", "no evidence");
  }

  /** A stage that records its call and answers with {@code fn}. */
  private Stage stage(StageId id, Function<RequestContext, Future<Verdict>> fn) {
    return new Stage() {
      @Override
      public StageId id() {
        return id;
      }

      @Override
      public Future<Verdict> apply(RequestContext ctx) {
        calls.add(id);
        return fn.apply(ctx);
      }
    };
  }

  private Stage proceeding(StageId id) {
    return stage(id, ctx -> Future.succeededFuture(Verdict.proceed()));
  }

  private Stage failing(StageId id) {
    return stage(id, ctx -> Future.failedFuture(new IllegalStateException("boom")));
  }

  private Stage throwing(StageId id) {
    return stage(id, ctx -> {
      throw new IllegalStateException("thrown");
    });
  }

  private static Step closed(Stage s, String key) {
    return Step.closed(s, 503, key, "unavailable");
  }

  private static RequestContext runSync(PipelineRunner cut, RequestContext ctx) {
    Future<RequestContext> f = cut.run(ctx);
    assertThat(f.isComplete()).as("synchronous stages complete the run synchronously").isTrue();
    assertThat(f.succeeded()).isTrue();
    assertThat(f.result()).isSameAs(ctx);
    return ctx;
  }

  /** Runs the runner on a Vert.x event-loop context and waits for it. */
  private static RequestContext runOnContext(PipelineRunner cut, RequestContext ctx) throws Exception {
    CompletableFuture<RequestContext> done = new CompletableFuture<>();
    vertx.runOnContext(v -> cut.run(ctx).onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete(ar.result());
      } else {
        done.completeExceptionally(ar.cause());
      }
    }));
    return done.get(5, TimeUnit.SECONDS);
  }

  @Test
  void should_run_stages_in_given_order_then_tail() {
    // GIVEN a chain listed out of stage-number order (cheap denies first)
    PipelineRunner cut = new PipelineRunner(List.of(
        closed(proceeding(StageId.AUTH), "auth_unavailable"),
        closed(proceeding(StageId.KILL_SWITCH), "kill_switch_state_unknown"),
        Step.open(proceeding(StageId.RATE_LIMIT)),
        closed(proceeding(StageId.INFERENCE_PROXY), "registry_unavailable")), audit, observer);

    // WHEN
    RequestContext ctx = runSync(cut, request().build());

    // THEN
    assertThat(calls).containsExactly(StageId.AUTH, StageId.KILL_SWITCH, StageId.RATE_LIMIT,
        StageId.INFERENCE_PROXY, StageId.AUDIT);
    assertThat(cut.order()).containsExactly(StageId.AUTH, StageId.KILL_SWITCH, StageId.RATE_LIMIT,
        StageId.INFERENCE_PROXY);
    assertThat(ctx.terminal()).isNull();
    assertThat(ctx.terminalStage()).isNull();
    assertThat(observed).containsExactly("auth:PROCEED", "kill_switch:PROCEED", "rate_limit:PROCEED",
        "inference_proxy:PROCEED", "audit:PROCEED");
  }

  @Test
  void should_stop_chain_and_still_run_tail_when_stage_responds() {
    // GIVEN the rate limit stage answers 429
    Verdict.Respond limited = Verdict.deny(429, "rate_limited", "slow down");
    PipelineRunner cut = new PipelineRunner(List.of(
        closed(proceeding(StageId.AUTH), "auth_unavailable"),
        Step.open(stage(StageId.RATE_LIMIT, ctx -> Future.succeededFuture(limited))),
        closed(proceeding(StageId.INFERENCE_PROXY), "registry_unavailable")), audit, observer);

    // WHEN
    RequestContext ctx = runSync(cut, request().build());

    // THEN later stages are skipped, the tail ran, and the answer is the stage's
    assertThat(calls).containsExactly(StageId.AUTH, StageId.RATE_LIMIT, StageId.AUDIT);
    assertThat(ctx.terminal()).isSameAs(limited);
    assertThat(ctx.terminalStage()).isEqualTo(StageId.RATE_LIMIT);
    assertThat(observed).containsExactly("auth:PROCEED", "rate_limit:RESPOND", "audit:PROCEED");
    assertThat(ctx.stageMicros(StageId.INFERENCE_PROXY)).isEqualTo(-1);
  }

  @Test
  void should_answer_with_on_error_and_run_tail_when_closed_stage_fails() {
    // GIVEN the policy stage fails closed
    PipelineRunner cut = new PipelineRunner(List.of(
        closed(proceeding(StageId.AUTH), "auth_unavailable"),
        Step.closed(failing(StageId.POLICY), 503, "policy_unavailable", "The policy engine is unavailable"),
        closed(proceeding(StageId.DECISION), "decision_unavailable")), audit, observer);

    // WHEN
    RequestContext ctx = runSync(cut, request().build());

    // THEN
    assertThat(calls).containsExactly(StageId.AUTH, StageId.POLICY, StageId.AUDIT);
    assertThat(ctx.terminal().status()).isEqualTo(503);
    assertThat(ctx.terminal().errorKey()).isEqualTo("policy_unavailable");
    assertThat(ctx.terminal().detail()).isEqualTo("The policy engine is unavailable");
    assertThat(ctx.terminalStage()).isEqualTo(StageId.POLICY);
    assertThat(observed).containsExactly("auth:PROCEED", "policy:ERROR", "audit:PROCEED");
  }

  @Test
  void should_skip_and_count_fail_open_when_open_stage_fails() {
    // GIVEN the behaviour stage is fail-open and fails
    PipelineRunner cut = new PipelineRunner(List.of(
        Step.open(failing(StageId.BEHAVIOR)),
        closed(proceeding(StageId.DECISION), "decision_unavailable")), audit, observer);

    // WHEN
    RequestContext ctx = runSync(cut, request().build());

    // THEN the chain went on and the failure was counted
    assertThat(calls).containsExactly(StageId.BEHAVIOR, StageId.DECISION, StageId.AUDIT);
    assertThat(ctx.terminal()).isNull();
    assertThat(observed).containsExactly("behavior:FAIL_OPEN", "decision:PROCEED", "audit:PROCEED");
  }

  @Test
  void should_treat_thrown_exception_like_failed_future_when_stage_is_closed() {
    // GIVEN a closed stage that throws instead of returning a failed future
    PipelineRunner cut = new PipelineRunner(List.of(
        Step.closed(throwing(StageId.KILL_SWITCH), 503, "kill_switch_state_unknown", "unknown"),
        closed(proceeding(StageId.RATE_LIMIT), "x")), audit, observer);

    // WHEN
    RequestContext ctx = runSync(cut, request().build());

    // THEN
    assertThat(calls).containsExactly(StageId.KILL_SWITCH, StageId.AUDIT);
    assertThat(ctx.terminal().status()).isEqualTo(503);
    assertThat(ctx.terminal().errorKey()).isEqualTo("kill_switch_state_unknown");
    assertThat(observed).containsExactly("kill_switch:ERROR", "audit:PROCEED");
  }

  @Test
  void should_treat_thrown_exception_like_failed_future_when_stage_is_open() {
    // GIVEN an open stage that throws
    PipelineRunner cut = new PipelineRunner(List.of(
        Step.open(throwing(StageId.RATE_LIMIT)),
        closed(proceeding(StageId.INFERENCE_PROXY), "x")), audit, observer);

    // WHEN
    RequestContext ctx = runSync(cut, request().build());

    // THEN
    assertThat(calls).containsExactly(StageId.RATE_LIMIT, StageId.INFERENCE_PROXY, StageId.AUDIT);
    assertThat(ctx.terminal()).isNull();
    assertThat(observed).containsExactly("rate_limit:FAIL_OPEN", "inference_proxy:PROCEED", "audit:PROCEED");
  }

  @Test
  void should_fail_closed_when_stage_returns_null_future() {
    // GIVEN a closed stage that breaks the contract by returning null
    PipelineRunner cut = new PipelineRunner(List.of(
        Step.closed(stage(StageId.DECISION, ctx -> null), 503, "decision_unavailable", "Decision failed")),
        audit, observer);

    // WHEN
    RequestContext ctx = runSync(cut, request().build());

    // THEN
    assertThat(ctx.terminal().errorKey()).isEqualTo("decision_unavailable");
    assertThat(observed).containsExactly("decision:ERROR", "audit:PROCEED");
  }

  @Test
  void should_answer_504_decision_timeout_when_stage_never_completes() throws Exception {
    // GIVEN a 150 ms deadline and a stage whose future never completes
    PipelineRunner cut = new PipelineRunner(List.of(
        closed(proceeding(StageId.AUTH), "auth_unavailable"),
        closed(stage(StageId.POLICY, ctx -> Promise.<Verdict>promise().future()),
            "policy_unavailable"),
        closed(proceeding(StageId.DECISION), "decision_unavailable")), audit, observer);
    RequestContext ctx = request().deadlineMillis(150).build();
    long t0 = System.nanoTime();

    // WHEN
    runOnContext(cut, ctx);

    // THEN the deadline ended the request, the tail still ran, and nothing waited much longer
    long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(ctx.terminal().status()).isEqualTo(504);
    assertThat(ctx.terminal().errorKey()).isEqualTo("decision_timeout");
    assertThat(ctx.terminalStage()).isEqualTo(StageId.POLICY);
    assertThat(calls).containsExactly(StageId.AUTH, StageId.POLICY, StageId.AUDIT);
    assertThat(observed).containsExactly("auth:PROCEED", "policy:TIMEOUT", "audit:PROCEED");
    assertThat(elapsedMs).isBetween(100L, 2_000L);
  }

  @Test
  void should_continue_chain_and_record_timing_when_stage_completes_asynchronously() throws Exception {
    // GIVEN a stage that proceeds 40 ms later on a timer
    PipelineRunner cut = new PipelineRunner(List.of(
        closed(stage(StageId.BEHAVIOR, ctx -> {
          Promise<Verdict> p = Promise.promise();
          vertx.setTimer(40, id -> p.complete(Verdict.proceed()));
          return p.future();
        }), "x"),
        closed(proceeding(StageId.DECISION), "decision_unavailable")), audit, observer);
    RequestContext ctx = request().deadlineMillis(2_000).build();

    // WHEN
    runOnContext(cut, ctx);

    // THEN
    assertThat(calls).containsExactly(StageId.BEHAVIOR, StageId.DECISION, StageId.AUDIT);
    assertThat(ctx.terminal()).isNull();
    assertThat(ctx.stageMicros(StageId.BEHAVIOR)).isGreaterThanOrEqualTo(35_000L);
    assertThat(observed).containsExactly("behavior:PROCEED", "decision:PROCEED", "audit:PROCEED");
  }

  @Test
  void should_answer_504_without_calling_stage_when_deadline_already_passed() {
    // GIVEN a deadline in the past
    PipelineRunner cut = new PipelineRunner(List.of(
        closed(proceeding(StageId.AUTH), "auth_unavailable")), audit, observer);
    RequestContext ctx = request().deadlineMillis(-10).build();

    // WHEN
    runSync(cut, ctx);

    // THEN
    assertThat(calls).containsExactly(StageId.AUDIT);
    assertThat(ctx.terminal().status()).isEqualTo(504);
    assertThat(ctx.terminal().errorKey()).isEqualTo("decision_timeout");
    assertThat(ctx.terminalStage()).isEqualTo(StageId.AUTH);
    assertThat(observed).containsExactly("auth:TIMEOUT", "audit:PROCEED");
  }

  @Test
  void should_replace_allow_with_503_audit_unavailable_when_tail_fails() {
    // GIVEN the chain allows but the audit tail fails
    Step failingAudit = Step.closed(failing(StageId.AUDIT), 503, "audit_unavailable", "no evidence");
    PipelineRunner cut = new PipelineRunner(List.of(
        closed(proceeding(StageId.AUTH), "auth_unavailable")), failingAudit, observer);

    // WHEN
    RequestContext ctx = runSync(cut, request().build());

    // THEN
    assertThat(ctx.terminal().status()).isEqualTo(503);
    assertThat(ctx.terminal().errorKey()).isEqualTo("audit_unavailable");
    assertThat(ctx.terminalStage()).isEqualTo(StageId.AUDIT);
    assertThat(observed).containsExactly("auth:PROCEED", "audit:ERROR");
  }

  @Test
  void should_replace_deny_with_503_audit_unavailable_when_tail_fails() {
    // GIVEN a 403 from the chain and a failing audit tail
    Step failingAudit = Step.closed(failing(StageId.AUDIT), 503, "audit_unavailable", "no evidence");
    PipelineRunner cut = new PipelineRunner(List.of(
        closed(stage(StageId.ENFORCEMENT,
            ctx -> Future.succeededFuture(Verdict.deny(403, "policy_denied", "no"))), "x")),
        failingAudit, observer);

    // WHEN
    RequestContext ctx = runSync(cut, request().build());

    // THEN
    assertThat(ctx.terminal().status()).isEqualTo(503);
    assertThat(ctx.terminal().errorKey()).isEqualTo("audit_unavailable");
  }

  @Test
  void should_keep_answer_when_fail_open_tail_fails() {
    // GIVEN a tail declared fail-open
    PipelineRunner cut = new PipelineRunner(List.of(
        closed(stage(StageId.ENFORCEMENT,
            ctx -> Future.succeededFuture(Verdict.deny(403, "policy_denied", "no"))), "x")),
        Step.open(failing(StageId.AUDIT)), observer);

    // WHEN
    RequestContext ctx = runSync(cut, request().build());

    // THEN
    assertThat(ctx.terminal().errorKey()).isEqualTo("policy_denied");
    assertThat(ctx.terminalStage()).isEqualTo(StageId.ENFORCEMENT);
    assertThat(observed).containsExactly("enforcement:RESPOND", "audit:ERROR");
  }

  @Test
  void should_use_tail_answer_when_tail_responds() {
    // GIVEN a tail that answers itself
    Verdict.Respond tailAnswer = Verdict.deny(500, "tail_said_no", "no");
    PipelineRunner cut = new PipelineRunner(List.of(closed(proceeding(StageId.AUTH), "x")),
        closed(stage(StageId.AUDIT, ctx -> Future.succeededFuture(tailAnswer)), "audit_unavailable"),
        observer);

    // WHEN
    RequestContext ctx = runSync(cut, request().build());

    // THEN
    assertThat(ctx.terminal()).isSameAs(tailAnswer);
    assertThat(ctx.terminalStage()).isEqualTo(StageId.AUDIT);
    assertThat(observed).containsExactly("auth:PROCEED", "audit:RESPOND");
  }

  @Test
  void should_reject_duplicate_stage_ids_at_construction() {
    // GIVEN two steps with the same id
    List<Step> chain = List.of(closed(proceeding(StageId.AUTH), "a"), closed(proceeding(StageId.AUTH), "b"));

    // WHEN / THEN
    assertThatThrownBy(() -> new PipelineRunner(chain, audit, observer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("AUTH");
  }

  @Test
  void should_reject_tail_that_is_also_in_chain() {
    List<Step> chain = List.of(closed(proceeding(StageId.AUTH), "a"), closed(proceeding(StageId.AUDIT), "b"));

    assertThatThrownBy(() -> new PipelineRunner(chain, audit, observer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("AUDIT");
  }

  @Test
  void should_record_stage_timings_for_run_stages_only() {
    // GIVEN a chain that stops at stage 2
    PipelineRunner cut = new PipelineRunner(List.of(
        closed(stage(StageId.AUTH, ctx -> {
          busyWait(3);
          return Future.succeededFuture(Verdict.proceed());
        }), "a"),
        Step.open(stage(StageId.RATE_LIMIT, ctx -> Future.succeededFuture(Verdict.deny(429, "rate_limited", "x")))),
        closed(proceeding(StageId.POLICY), "p")), audit, observer);

    // WHEN
    RequestContext ctx = runSync(cut, request().build());

    // THEN run stages have a timing, skipped ones keep -1
    assertThat(ctx.stageMicros(StageId.AUTH)).isGreaterThanOrEqualTo(3_000L);
    assertThat(ctx.stageMicros(StageId.RATE_LIMIT)).isGreaterThanOrEqualTo(0L);
    assertThat(ctx.stageMicros(StageId.AUDIT)).isGreaterThanOrEqualTo(0L);
    assertThat(ctx.stageMicros(StageId.POLICY)).isEqualTo(-1L);
    assertThat(ctx.stageMicros(StageId.KILL_SWITCH)).isEqualTo(-1L);
  }

  @Test
  void should_report_failure_modes_per_stage() {
    PipelineRunner cut = new PipelineRunner(List.of(
        closed(proceeding(StageId.AUTH), "a"), Step.open(proceeding(StageId.BEHAVIOR))), audit, observer);

    assertThat(cut.failureModes()).containsExactlyInAnyOrderEntriesOf(Map.of(
        StageId.AUTH, FailureMode.CLOSED, StageId.BEHAVIOR, FailureMode.OPEN,
        StageId.AUDIT, FailureMode.CLOSED));
  }

  /**
   * Verifies that only the request deadline produces 504: a fail-open stage whose own call timed
   * out (a {@link TimeoutException} long before the deadline) is skipped like any other failure.
   */
  @Test
  void should_fail_open_when_open_stage_fails_with_its_own_timeout_before_deadline() {
    // GIVEN a fail-open stage failing with a TimeoutException, 5 s before the deadline
    PipelineRunner cut = new PipelineRunner(List.of(
        Step.open(stage(StageId.RATE_LIMIT,
            ctx -> Future.failedFuture(new TimeoutException("redis call timed out after 50 ms")))),
        closed(proceeding(StageId.INFERENCE_PROXY), "x")), audit, observer);

    // WHEN
    RequestContext ctx = runSync(cut, request().deadlineMillis(5_000).build());

    // THEN
    assertThat(ctx.terminal()).isNull();
    assertThat(observed).containsExactly("rate_limit:FAIL_OPEN", "inference_proxy:PROCEED", "audit:PROCEED");
  }

  private static void busyWait(long millis) {
    long end = System.nanoTime() + millis * 1_000_000L;
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }
}
