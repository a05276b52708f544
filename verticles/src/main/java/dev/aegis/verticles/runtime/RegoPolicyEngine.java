package dev.aegis.verticles.runtime;

import dev.aegis.pipeline.policy.DecisionCache;
import dev.aegis.pipeline.policy.PolicyInputDocument;
import dev.aegis.pipeline.policy.PolicyOutput;
import dev.aegis.pipeline.ports.PolicyEngine;
import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.ports.PolicyResult;
import dev.aegis.pipeline.ports.PolicyResult.RuleHit;
import dev.aegis.pipeline.ports.ShadowRecorder;
import dev.aegis.pipeline.ports.ShadowRecorder.ShadowDecision;
import dev.aegis.pipeline.ports.TenantPolicySource;
import dev.aegis.pipeline.ports.TenantPolicySource.TenantPolicy;
import dev.aegis.pipeline.rego.CompiledPolicy;
import dev.aegis.pipeline.rego.QueryOptions;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.verticles.policy.TenantDecision;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 4 in-process: the platform Rego bundle ({@code data.aegis.platform.decision}) and, on top,
 * the tenant's live policy under the tenant contract ({@code data.aegis.tenant.deny} /
 * {@code escalate}), with the decision cache in front and the tenant's shadow policy beside.
 *
 * <p><b>Merging.</b> The tenant layer can only add: a tenant deny makes the result a deny that
 * forces DENY (hard), a tenant escalate sets the escalate flag; nothing a tenant writes removes a
 * platform deny or hard deny, and the platform's rule id stays the reported one when it denied.
 * Tenant rule ids are reported with the prefix {@value #TENANT_PREFIX} ({@code tenant.no_prod}),
 * so a tenant can never pose as a platform rule ({@code hard_deny.*}) in the audit trail.
 *
 * <p><b>Cache.</b> Keyed by the exact action and {@code platformRevision + tenant revision}, so an
 * activation anywhere (which changes the tenant revision) never serves an old decision. A bundle
 * or tenant policy that reads the clock or per-request input is evaluated every time.
 *
 * <p><b>Failure.</b> An undefined or malformed platform decision, or an error in either policy,
 * fails the future: the stage fails closed (503 {@code policy_unavailable}). Shadow evaluation
 * errors are logged and never affect the request.
 *
 * <p>Evaluation is synchronous on the calling event loop: the platform bundle takes tens of
 * microseconds. Each request's evaluation (platform and tenant together, and the shadow
 * separately) is bounded by {@link #MAX_STEPS} steps and {@link #TIME_BUDGET_NANOS} of wall
 * time: a runaway tenant policy fails closed after at most that long instead of holding the loop.
 */
public final class RegoPolicyEngine implements PolicyEngine {
  private static final Logger LOG = LoggerFactory.getLogger(RegoPolicyEngine.class);

  /** The platform decision document, under data. */
  public static final String DECISION_PATH = "aegis.platform.decision";
  /** Prefix of every tenant rule id in results and audit rows. */
  public static final String TENANT_PREFIX = TenantDecision.TENANT_PREFIX;

  private final CompiledPolicy platform;
  private final String platformRevision;
  private final Value platformData;
  private final TenantPolicySource tenants;
  private final DecisionCache cache;
  private final Duration ttl;
  private final ShadowRecorder shadows;
  private final Clock clock;
  /** Steps one request's evaluation may take (the platform bundle takes about 1,000). */
  public static final long MAX_STEPS = 200_000;
  /** Wall time one request's evaluation may take on the event loop. */
  public static final long TIME_BUDGET_NANOS = 20_000_000L;

  /**
   * @param platform the compiled platform bundle
   * @param platformRevision its revision (a digest of its modules)
   * @param platformData the base document the bundle reads ({@code data.aegis.config...})
   * @param tenants every tenant's live and shadow policy
   * @param cache decision cache (shared with nothing else)
   * @param ttl how long a cached decision is served
   * @param shadows where divergent shadow decisions go
   * @param clock time of the input document
   */
  public RegoPolicyEngine(CompiledPolicy platform, String platformRevision, Value platformData,
      TenantPolicySource tenants, DecisionCache cache, Duration ttl, ShadowRecorder shadows,
      Clock clock) {
    this.platform = platform;
    this.platformRevision = platformRevision;
    this.platformData = platformData;
    this.tenants = tenants;
    this.cache = cache;
    this.ttl = ttl;
    this.shadows = shadows;
    this.clock = clock;
  }

  public DecisionCache cache() {
    return cache;
  }

  @Override
  public Future<PolicyResult> evaluate(PolicyInput in) {
    TenantPolicy live = tenants.active(in.tenantId());
    String revision = live == null ? platformRevision
        : platformRevision + "+t" + live.revision();
    boolean cacheable = !ttl.isZero() && !platform.usesClock()
        && (live == null || !live.compiled().usesClock());
    // the input document is built at most once per request, and only when something evaluates
    InputDocument input = new InputDocument(in);
    Future<PolicyResult> result;
    try {
      // the key (a digest of the action) is only worth computing when it can be used
      result = cache.get(cacheable ? DecisionCache.key(in, revision) : null, cacheable, ttl,
          () -> Future.succeededFuture(decide(input.get(), live, revision,
              QueryOptions.bounded(MAX_STEPS, TIME_BUDGET_NANOS))));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    TenantPolicy shadow = tenants.shadow(in.tenantId());
    if (shadow != null) {
      result = result.onSuccess(r -> shadow(in, input, shadow, r));
    }
    return result;
  }

  /** The request's input document, built on first use. */
  private final class InputDocument {
    private final PolicyInput in;
    private Value doc;

    InputDocument(PolicyInput in) {
      this.in = in;
    }

    Value get() {
      if (doc == null) {
        doc = PolicyInputDocument.build(in, Instant.now(clock));
      }
      return doc;
    }
  }

  /**
   * Evaluates the platform bundle over a small set of representative actions, {@code rounds}
   * times, without the cache: call once at boot, off the event loops, so class loading and the
   * first compilations do not land on a request. Returns the evaluations made.
   */
  public int warmUp(int rounds) {
    String[][] actions = {
        {"shell", "{\"command\":\"ls -la /tmp\"}"},
        {"shell", "{\"command\":\"rm -rf /\"}"},
        {"sql", "{\"query\":\"DELETE FROM orders\"}"},
        {"file.read", "{\"path\":\"/etc/shadow\"}"},
        {"kubectl", "{\"command\":\"kubectl delete ns prod\"}"},
        {"payments.transfer", "{\"amount\":250000}"},
        {"email.send", "{\"to\":\"a@b.test\",\"body\":\"4111 1111 1111 1111\"}"},
        {"http.get", "{\"url\":\"https://example.com\"}"},
    };
    int n = 0;
    for (int r = 0; r < rounds; r++) {
      String[] a = actions[r % actions.length];
      JsonObject payload = new JsonObject(a[1]);
      PolicyInput in = new PolicyInput("warmup", "warmup", "warmup",
          r % 4 == 0 ? "critical" : "low", a[0], payload,
          dev.aegis.pipeline.detect.ActionText.of(null, payload), "warmup-" + r,
          a[0].equals("email.send") ? List.of("pii_card_number") : List.of());
      // cold: no time budget
      decide(PolicyInputDocument.build(in, Instant.now(clock)), null, platformRevision,
          QueryOptions.DEFAULT);
      n++;
    }
    return n;
  }

  /** Evaluates both layers (no cache). Throws when a policy fails or answers malformed. */
  public PolicyResult decide(PolicyInput in, TenantPolicy live, String revision) {
    return decide(PolicyInputDocument.build(in, Instant.now(clock)), live, revision,
        QueryOptions.bounded(MAX_STEPS, TIME_BUDGET_NANOS));
  }

  private PolicyResult decide(Value input, TenantPolicy live, String revision,
      QueryOptions options) {
    Value decision = platform.evalRef(DECISION_PATH, input, platformData, options);
    if (decision == null) {
      throw new PolicyOutput.MalformedOutput("platform decision is undefined");
    }
    PolicyResult p = PolicyOutput.fromValue(decision, revision);
    if (live == null) {
      return p;
    }
    TenantDecision t = TenantDecision.evaluate(live.compiled(), input, options);
    return merge(p, t, revision);
  }

  /** Adds the tenant layer to the platform result (only ever more restrictive). */
  static PolicyResult merge(PolicyResult p, TenantDecision t, String revision) {
    if (TenantDecision.ALLOW.equals(t.decision())) {
      return p;
    }
    List<RuleHit> hits = new ArrayList<>(p.hits());
    addHits(hits, t.deny(), "deny");
    addHits(hits, t.escalate(), "escalate");
    boolean deny = TenantDecision.DENY.equals(t.decision());
    boolean platformDecided = !p.allowed() || (p.escalate() && !deny);
    String ruleId = platformDecided ? p.ruleId() : t.ruleId();
    String reason = platformDecided ? p.reason() : t.reason();
    return new PolicyResult(p.allowed() && !deny, p.hardDeny() || deny,
        p.escalate() || !t.escalate().isEmpty(), ruleId, reason, p.riskAdjustment(),
        List.copyOf(hits), revision);
  }

  private static void addHits(List<RuleHit> hits, JsonArray entries, String effect) {
    for (Object e : entries) {
      if (e instanceof JsonObject o) {
        String id = TenantDecision.reportedId(String.valueOf(o.getValue("id", effect)));
        hits.add(new RuleHit(id, "tenant_policy", severity(o.getValue("severity")), effect,
            o.getValue("reason") == null ? id : String.valueOf(o.getValue("reason"))));
      } else {
        String id = TenantDecision.reportedId(String.valueOf(e));
        hits.add(new RuleHit(id, "tenant_policy", "high", effect, String.valueOf(e)));
      }
    }
  }

  private static String severity(Object s) {
    if (s instanceof String str) {
      switch (str) {
        case "critical", "high", "medium", "low", "info":
          return str;
        default:
          break;
      }
    }
    return "high";
  }

  private void shadow(PolicyInput in, InputDocument input, TenantPolicy shadow,
      PolicyResult live) {
    try {
      TenantDecision t = TenantDecision.evaluate(shadow.compiled(), input.get(),
          QueryOptions.bounded(MAX_STEPS, TIME_BUDGET_NANOS));
      String liveDecision = live.hardDeny() || !live.allowed() ? "DENY"
          : live.escalate() ? "ESCALATE" : "ALLOW";
      // the tenant layer can only add to the platform: a shadow ALLOW where live denied by a
      // platform rule is not a divergence of the tenant policy
      boolean platformOnly = live.ruleId() != null && !live.ruleId().startsWith(TENANT_PREFIX);
      if (!t.decision().equals(liveDecision)
          && !(TenantDecision.ALLOW.equals(t.decision()) && platformOnly)) {
        shadows.record(new ShadowDecision(in.tenantId(), in.requestId(), in.agentId(), in.tool(),
            shadow.versionId(), shadow.version(), liveDecision, t.decision(), t.ruleId(),
            t.reason(), Instant.now(clock)));
      }
    } catch (RuntimeException e) {
      LOG.warn("shadow policy v{} of tenant {} failed: {}", shadow.version(), in.tenantId(),
          e.getMessage());
    }
  }
}
