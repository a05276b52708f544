package dev.aegis.pipeline;

import dev.aegis.pipeline.decision.Decision;
import dev.aegis.pipeline.ports.AgentView;
import dev.aegis.pipeline.ports.AuditReceipt;
import dev.aegis.pipeline.ports.BehaviorResult;
import dev.aegis.pipeline.ports.PolicyResult;
import dev.aegis.pipeline.ports.Principal;
import dev.aegis.pipeline.ports.TenantSettings;
import dev.aegis.pipeline.ports.ToolExecutor;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-request state carried through the stages. One instance per request, touched only by the
 * event loop that owns the request, so it is not thread safe and needs not be.
 *
 * <p>Inputs are set by the HTTP layer before the runner starts; each stage fills in its outputs.
 */
public final class RequestContext {

  // ---- inputs (set by the HTTP layer) ----
  private final String requestId;
  private final long startNanos;
  private final long deadlineNanos;
  private final String authorization;
  private final String tenantHeader;
  private final String agentHeader;
  private final String clientIp;
  private final String tool;
  private final JsonObject body;
  private final JsonObject payload;
  private final String actionText;

  // ---- outputs (set by stages) ----
  private Principal principal;
  private TenantSettings tenant;
  private AgentView agent;
  private double inferenceRisk;
  private final List<String> inferenceFlags = new ArrayList<>();
  private final List<String> findings = new ArrayList<>();
  private PolicyResult policy;
  private BehaviorResult behavior;
  private Decision decision;
  private ToolExecutor.Result upstream;
  private JsonObject result;
  private int redactions;
  private AuditReceipt auditReceipt;
  private Verdict.Respond terminal;
  private StageId terminalStage;
  private final long[] stageMicros = new long[StageId.values().length];

  /**
   * @param requestId request id (generated when the client sent none)
   * @param startNanos {@link System#nanoTime()} when the request arrived
   * @param deadlineNanos absolute nanoTime after which the request times out
   * @param authorization the Authorization header, may be null
   * @param tenantHeader X-Tenant-ID, may be null
   * @param agentHeader X-Agent-ID, may be null
   * @param clientIp remote address
   * @param tool the resolved tool name, may be null
   * @param body the parsed JSON body, never null
   * @param payload the action's arguments, never null
   * @param actionText all scannable text of the action (raw, not normalised)
   */
  public RequestContext(String requestId, long startNanos, long deadlineNanos, String authorization,
      String tenantHeader, String agentHeader, String clientIp, String tool, JsonObject body,
      JsonObject payload, String actionText) {
    this.requestId = requestId;
    this.startNanos = startNanos;
    this.deadlineNanos = deadlineNanos;
    this.authorization = authorization;
    this.tenantHeader = tenantHeader;
    this.agentHeader = agentHeader;
    this.clientIp = clientIp;
    this.tool = tool;
    this.body = body;
    this.payload = payload;
    this.actionText = actionText;
    java.util.Arrays.fill(stageMicros, -1);
  }

  public String requestId() { return requestId; }
  public long startNanos() { return startNanos; }
  public long deadlineNanos() { return deadlineNanos; }
  public String authorization() { return authorization; }
  public String tenantHeader() { return tenantHeader; }
  public String agentHeader() { return agentHeader; }
  public String clientIp() { return clientIp; }
  public String tool() { return tool; }
  public JsonObject body() { return body; }
  public JsonObject payload() { return payload; }
  public String actionText() { return actionText; }

  /** Milliseconds left before the deadline (may be negative). */
  public long remainingMillis() {
    return (deadlineNanos - System.nanoTime()) / 1_000_000L;
  }

  /** The tenant of the verified principal, or null before stage 1 succeeded. */
  public String tenantId() {
    return principal == null ? null : principal.tenantId();
  }

  /** The agent this request acts for: the agent token's agent, else X-Agent-ID. */
  public String agentId() {
    if (principal != null && principal.agentId() != null) {
      return principal.agentId();
    }
    return agentHeader;
  }

  public Principal principal() { return principal; }
  public void principal(Principal p) { this.principal = p; }
  public TenantSettings tenant() { return tenant; }
  public void tenant(TenantSettings t) { this.tenant = t; }
  public AgentView agent() { return agent; }
  public void agent(AgentView a) { this.agent = a; }
  public double inferenceRisk() { return inferenceRisk; }
  public void inferenceRisk(double r) { this.inferenceRisk = r; }
  public List<String> inferenceFlags() { return inferenceFlags; }
  /** Canonical findings accumulated so far (stage 6 finalises them). */
  public List<String> findings() { return findings; }
  public PolicyResult policy() { return policy; }
  public void policy(PolicyResult p) { this.policy = p; }
  public BehaviorResult behavior() { return behavior; }
  public void behavior(BehaviorResult b) { this.behavior = b; }
  public Decision decision() { return decision; }
  public void decision(Decision d) { this.decision = d; }
  public ToolExecutor.Result upstream() { return upstream; }
  public void upstream(ToolExecutor.Result u) { this.upstream = u; }
  /** The {@code data.result} object returned to the client on success. */
  public JsonObject result() { return result; }
  public void result(JsonObject r) { this.result = r; }
  public int redactions() { return redactions; }
  public void redactions(int n) { this.redactions = n; }
  public AuditReceipt auditReceipt() { return auditReceipt; }
  public void auditReceipt(AuditReceipt r) { this.auditReceipt = r; }
  public Verdict.Respond terminal() { return terminal; }
  public StageId terminalStage() { return terminalStage; }

  /** Records the answer that stopped the chain (set by the runner). */
  public void terminal(StageId stage, Verdict.Respond respond) {
    this.terminal = respond;
    this.terminalStage = stage;
  }

  /** Replaces the terminal answer (used by the always-run tail when evidence fails). */
  public void overrideTerminal(StageId stage, Verdict.Respond respond) {
    terminal(stage, respond);
  }

  /** Microseconds spent in a stage, -1 when it did not run. */
  public long stageMicros(StageId id) { return stageMicros[id.ordinal()]; }
  public void stageMicros(StageId id, long micros) { stageMicros[id.ordinal()] = micros; }
}
