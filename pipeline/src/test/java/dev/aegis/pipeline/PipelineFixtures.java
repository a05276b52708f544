package dev.aegis.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.decision.Action;
import dev.aegis.pipeline.decision.Decision;
import dev.aegis.pipeline.decision.DecisionEngine;
import dev.aegis.pipeline.detect.ActionText;
import dev.aegis.pipeline.ports.AgentView;
import dev.aegis.pipeline.ports.BehaviorResult;
import dev.aegis.pipeline.ports.PolicyResult;
import dev.aegis.pipeline.ports.Principal;
import dev.aegis.pipeline.ports.TenantSettings;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Shared builders for stage and runner unit tests: request contexts, principals, tenant
 * settings, agents, policy and behaviour results, and helpers that unwrap already-completed
 * futures (every fake port in these tests answers synchronously).
 */
public final class PipelineFixtures {

  public static final String TENANT = "tenant-1";
  public static final String AGENT = "agent-1";
  public static final String TOOL = "db.query";
  public static final String REQUEST_ID = "req-1";
  public static final String TOKEN = "tok-123";

  private PipelineFixtures() {}

  /** A builder of {@link RequestContext} with sensible defaults (a 5 s deadline). */
  public static RequestBuilder request() {
    return new RequestBuilder();
  }

  /** A fresh unauthenticated context with all defaults. */
  public static RequestContext ctx() {
    return request().build();
  }

  /** A fresh context that has passed stage 1: agent principal and default tenant settings. */
  public static RequestContext authenticatedCtx() {
    return authenticated(ctx());
  }

  /** Sets the default agent principal and tenant settings, as a successful stage 1 would. */
  public static RequestContext authenticated(RequestContext ctx) {
    ctx.principal(agentPrincipal());
    ctx.tenant(tenantSettings());
    return ctx;
  }

  public static Principal agentPrincipal() {
    return principal(Principal.Roles.AGENT, AGENT);
  }

  public static Principal principal(String role, String agentId) {
    return new Principal("sub-" + role, TENANT, role, agentId, "jti-1",
        System.currentTimeMillis() / 1000 + 900, false);
  }

  public static TenantSettings tenantSettings() {
    return tenantSettings("block_high_risk");
  }

  public static TenantSettings tenantSettings(String degradedModePolicy) {
    return new TenantSettings(TENANT, 50.0, 100, 10.0, 20, degradedModePolicy);
  }

  /** An ACTIVE agent with the given grants. */
  public static AgentView agent(Map<String, AgentView.Grant> grants) {
    return new AgentView(AGENT, TENANT, "billing-bot", "ACTIVE", "low", grants);
  }

  /** An ACTIVE agent holding a non-expiring ALLOW grant for {@link #TOOL}. */
  public static AgentView allowedAgent() {
    return agent(Map.of(TOOL, new AgentView.Grant("ALLOW", 0)));
  }

  public static PolicyResult cleanPolicy() {
    return PolicyResult.clean("v1");
  }

  /** A hard-deny policy result with one critical rule hit. */
  public static PolicyResult hardDenyPolicy(String ruleId, String signal) {
    return new PolicyResult(false, true, false, ruleId, "blocked by " + ruleId, 0.30,
        List.of(new PolicyResult.RuleHit(ruleId, signal, "critical", "deny", "test")), "v1");
  }

  /** An escalate-only policy result (allowed, but needs approval). */
  public static PolicyResult escalatePolicy(String ruleId, String signal) {
    return new PolicyResult(true, false, true, ruleId, "needs approval: " + ruleId, 0.0,
        List.of(new PolicyResult.RuleHit(ruleId, signal, "high", "escalate", "test")), "v1");
  }

  public static BehaviorResult behavior(double risk) {
    return new BehaviorResult(risk, 0, 0, 0, List.of(), "ok");
  }

  /** A decision as stage 6 would record it (for stages 7 and 10). */
  public static Decision decision(Action action, double risk, List<String> findings) {
    return new Decision(action, risk, 0.9, DecisionEngine.riskLevel(risk), findings, Map.of(),
        Map.of(), List.of("flag.a"), null);
  }

  /** @return the value of an already succeeded future (fails the test otherwise) */
  public static <T> T result(Future<T> f) {
    assertThat(f.isComplete()).as("future completed synchronously").isTrue();
    assertThat(f.succeeded()).as("future succeeded, cause: %s", f.cause()).isTrue();
    return f.result();
  }

  /** @return the terminal answer of an already succeeded stage future */
  public static Verdict.Respond respond(Future<Verdict> f) {
    Verdict v = result(f);
    assertThat(v).isInstanceOf(Verdict.Respond.class);
    return (Verdict.Respond) v;
  }

  /** Asserts that an already succeeded stage future let the request proceed. */
  public static void assertProceeds(Future<Verdict> f) {
    assertThat(result(f)).isSameAs(Verdict.proceed());
  }

  /** @return the cause of an already failed future */
  public static Throwable cause(Future<?> f) {
    assertThat(f.isComplete()).as("future completed synchronously").isTrue();
    assertThat(f.failed()).as("future failed").isTrue();
    return f.cause();
  }

  /** Fluent builder of {@link RequestContext}. */
  public static final class RequestBuilder {
    private String requestId = REQUEST_ID;
    private long deadlineMillis = 5_000;
    private String authorization = "Bearer " + TOKEN;
    private String tenantHeader;
    private String agentHeader = AGENT;
    private String clientIp = "127.0.0.1";
    private String tool = TOOL;
    private JsonObject payload = new JsonObject().put("query", "select name from customers where id = 7");
    private JsonObject body;
    private String actionText;

    public RequestBuilder requestId(String v) {
      requestId = v;
      return this;
    }

    /** Deadline relative to now; may be negative (already passed). */
    public RequestBuilder deadlineMillis(long v) {
      deadlineMillis = v;
      return this;
    }

    public RequestBuilder authorization(String v) {
      authorization = v;
      return this;
    }

    public RequestBuilder tenantHeader(String v) {
      tenantHeader = v;
      return this;
    }

    public RequestBuilder agentHeader(String v) {
      agentHeader = v;
      return this;
    }

    public RequestBuilder tool(String v) {
      tool = v;
      return this;
    }

    public RequestBuilder payload(JsonObject v) {
      payload = v;
      return this;
    }

    /** Overrides the scannable text (by default derived from body and payload). */
    public RequestBuilder actionText(String v) {
      actionText = v;
      return this;
    }

    public RequestContext build() {
      long now = System.nanoTime();
      JsonObject b = body != null ? body : new JsonObject().put("tool", tool).put("payload", payload);
      String text = actionText != null ? actionText : ActionText.of(b, payload);
      return new RequestContext(requestId, now, now + deadlineMillis * 1_000_000L, authorization,
          tenantHeader, agentHeader, clientIp, tool, b, payload, text);
    }
  }
}
