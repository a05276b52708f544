package dev.aegis.verticles.gateway;

import dev.aegis.pipeline.PipelineRunner;
import dev.aegis.pipeline.PipelineRunner.Step;
import dev.aegis.pipeline.decision.DecisionEngine;
import dev.aegis.pipeline.decision.SignalWeights;
import dev.aegis.pipeline.stages.AuditStage;
import dev.aegis.pipeline.stages.AuthStage;
import dev.aegis.pipeline.stages.BehaviorStage;
import dev.aegis.pipeline.stages.DecisionStage;
import dev.aegis.pipeline.stages.EnforcementStage;
import dev.aegis.pipeline.stages.ExecutionStage;
import dev.aegis.pipeline.stages.InferenceProxyStage;
import dev.aegis.pipeline.stages.KillSwitchStage;
import dev.aegis.pipeline.stages.OutputFilterStage;
import dev.aegis.pipeline.stages.PolicyStage;
import dev.aegis.pipeline.stages.RateLimitStage;
import dev.aegis.verticles.http.AgentRoutes;
import dev.aegis.verticles.http.ApiKeyRoutes;
import dev.aegis.verticles.http.KeyRoutes;
import dev.aegis.verticles.http.AuditRoutes;
import dev.aegis.verticles.http.AuthRoutes;
import dev.aegis.verticles.http.Envelope;
import dev.aegis.verticles.http.ExecuteHandler;
import dev.aegis.verticles.http.HealthRoutes;
import dev.aegis.verticles.http.KillSwitchRoutes;
import dev.aegis.verticles.http.ManagementAudit;
import dev.aegis.verticles.http.ManagementAuth;
import dev.aegis.verticles.http.RequestValidation;
import dev.aegis.verticles.runtime.MicrometerStageObserver;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;

/**
 * The HTTP edge: one instance per event loop. Builds its own stage objects around the shared
 * {@link GatewayServices}, mounts the router and listens. The pipeline order below is the whole
 * request path of {@code /execute}; cheap denies run first, stage numbers stay the labels.
 */
public final class GatewayVerticle extends VerticleBase {

  private final GatewayServices s;
  private HttpServer server;

  public GatewayVerticle(GatewayServices services) {
    this.s = services;
  }

  /** The /execute pipeline, in execution order. */
  static PipelineRunner runner(GatewayServices s) {
    GatewayConfig c = s.config();
    List<Step> chain = List.of(
        // 1 auth: verified credential, tenant header match, role gate, agent binding
        Step.closed(new AuthStage(s.verifier(), s.tenants(), s.once(), c.replayWindowMillis()), 503, "auth_unavailable", "Authentication is unavailable"),
        // 0 kill switch: local state, fail closed when unknown
        Step.closed(new KillSwitchStage(s.killSwitchView()), 503, "kill_switch_state_unknown", "Kill switch state unknown"),
        // 2 rate limit: tenant then agent token bucket (fails open to local limits, counted)
        Step.open(new RateLimitStage(s.rateLimiter())),
        // 3 inference proxy: size, agent, tool grant, injection / PII / shape scan
        Step.closed(new InferenceProxyStage(s.scanner(), s.agents(), c.maxPayloadChars()),
            503, "registry_unavailable", "The agent registry is unavailable"),
        // 4 policy: hard-deny families (Rego arrives behind the same port)
        Step.closed(new PolicyStage(s.policy()), 503, "policy_unavailable", "The policy engine is unavailable"),
        // 5 behaviour: velocity signal; degraded-mode policy on failure
        Step.open(new BehaviorStage(s.behavior())),
        // 6 decision: deterministic fusion
        Step.closed(new DecisionStage(new DecisionEngine(SignalWeights.DEFAULT)), 503, "decision_unavailable", "Decision failed"),
        // 7 enforcement: HTTP mapping
        Step.closed(new EnforcementStage(), 503, "enforcement_unavailable", "Enforcement failed"),
        // 8 execution: evaluate only, or forward to the tool upstream
        Step.closed(new ExecutionStage(s.executor()), 502, "upstream_unavailable", "The tool upstream failed"),
        // 9 output filter: redact secrets and PII from the upstream answer
        Step.closed(new OutputFilterStage(s.redactor(), c.redactEmails()), 502, "output_filter_failed",
            "The tool output could not be filtered"));
    // 10 audit: always runs; no decision leaves without its committed row
    Step tail = Step.closed(new AuditStage(s.auditSink()), 503, "audit_unavailable",
        "The decision could not be durably audited; nothing was executed on your behalf");
    return new PipelineRunner(chain, tail, new MicrometerStageObserver(s.metrics()));
  }

  /** The full router (also used by tests). */
  public static Router router(io.vertx.core.Vertx vertx, GatewayServices s) {
    GatewayConfig c = s.config();
    Router router = Router.router(vertx);
    router.route().handler(RequestValidation::requestId);
    router.route().handler(BodyHandler.create(false).setBodyLimit(c.bodyLimitBytes()));
    router.route().handler(RequestValidation::jsonBody);
    ManagementAuth auth = new ManagementAuth(s.verifier(), s.tenants());
    ManagementAudit audit = new ManagementAudit(s.auditSink());
    new HealthRoutes(s).mount(router);
    new AuthRoutes(vertx, s, auth, audit).mount(router);
    new AgentRoutes(vertx, s, auth, audit).mount(router);
    new KillSwitchRoutes(vertx, s, auth, audit).mount(router);
    new AuditRoutes(vertx, s, auth).mount(router);
    new ApiKeyRoutes(s, auth, audit).mount(router);
    new KeyRoutes(s, auth, audit).mount(router);
    // -- route modules added by later issues mount here, one line each --
    new dev.aegis.verticles.policy.PolicyRoutes(vertx, s, auth, audit).mount(router);
    new dev.aegis.verticles.policy.ShadowDecisionRoutes(s, auth).mount(router);
    new dev.aegis.verticles.evidence.BundleRoutes(s, auth).mount(router);
    new dev.aegis.verticles.evidence.RootRoutes(vertx, s, auth).mount(router);
    new dev.aegis.verticles.evidence.TransparencyRoutes(s.audit(), s.evidence(), s.evidenceKeys(), auth).mount(router);
    new dev.aegis.verticles.http.UserRoutes(vertx, s, auth, audit).mount(router);
    new dev.aegis.verticles.http.TenantRoutes(vertx, s, auth, audit).mount(router);
    new dev.aegis.verticles.sso.SsoRoutes(vertx, s, auth, audit).mount(router);
    new dev.aegis.verticles.opa.OpaBundleRoutes(vertx, s.tenantPolicies(), auth).mount(router);
    ExecuteHandler execute = new ExecuteHandler(runner(s), c.requestTimeoutMillis(), s.metrics());
    router.post("/execute").handler(execute::handle);
    router.post("/execute/:tool").handler(execute::handle);
    router.route().last().handler(rc -> Envelope.error(rc, 404, "not_found", "No such route"));
    router.errorHandler(413, rc -> Envelope.error(rc, 413, "payload_too_large",
        "The request body exceeds " + c.bodyLimitBytes() + " bytes"));
    router.errorHandler(405, rc -> Envelope.error(rc, 405, "method_not_allowed", "Method not allowed"));
    router.errorHandler(404, rc -> Envelope.error(rc, 404, "not_found", "No such route"));
    router.errorHandler(400, rc -> Envelope.error(rc, 400, "bad_request", "Bad request"));
    router.errorHandler(500, rc -> Envelope.fail(rc, rc.failure() == null
        ? new IllegalStateException("500") : rc.failure()));
    return router;
  }

  @Override
  public Future<?> start() {
    Router router = router(vertx, s);
    HttpServerOptions opts = new HttpServerOptions().setHost(s.config().host()).setPort(s.config().port())
        .setTcpNoDelay(true).setMaxHeaderSize(16 * 1024).setMaxInitialLineLength(8 * 1024);
    return vertx.createHttpServer(opts).requestHandler(router).listen().onSuccess(srv -> server = srv);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
