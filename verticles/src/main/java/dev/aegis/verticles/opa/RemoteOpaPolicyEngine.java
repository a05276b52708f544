package dev.aegis.verticles.opa;

import dev.aegis.pipeline.policy.DecisionCache;
import dev.aegis.pipeline.policy.PolicyInputDocument;
import dev.aegis.pipeline.policy.PolicyOutput;
import dev.aegis.pipeline.ports.PolicyEngine;
import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.ports.PolicyResult;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Values;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 4 against an OPA server (the seed topology's {@code acp_opa}) instead of the in-process
 * engine: {@code POST {AEGIS_OPA_URL}/v1/data/{AEGIS_OPA_DECISION_PATH}} with body
 * {@code {"input": <PolicyInputDocument>}}, as OPA's Data API defines it, and the answer's
 * {@code result} read by {@link PolicyOutput}.
 *
 * <p><b>Fail closed.</b> Every way the call can go wrong fails the future with
 * {@link OpaUnavailable}, and stage 4 answers 503 {@code policy_unavailable}: the connection
 * refused or not made within the timeout, no complete answer within the timeout (one deadline
 * {@code AEGIS_OPA_TIMEOUT_MS} for the whole call; the request is reset), a non-2xx status (OPA's
 * 400 {@code invalid_parameter} / 500 {@code internal_error} bodies are logged by code only), a
 * body that is not a JSON object, a 200 without {@code result} (OPA's answer for an undefined
 * decision: the path names no rule, or the bundle is not loaded yet) and a result that
 * {@link PolicyOutput} refuses. Nothing is ever allowed by default.
 *
 * <p><b>Cache.</b> Decisions are reused through a {@link DecisionCache} keyed by the action and
 * {@code "opa:" + revisionOf(tenant)} (the tenant's active revision, which is what OPA serves
 * once it has pulled the tenant's bundle). OPA polls for bundles, so for up to one polling delay
 * after an activation OPA may still answer with the old revision, and its answer could be cached
 * under the new one; the TTL ({@code AEGIS_OPA_CACHE_TTL_MS}, default 60 s) bounds that, and 0
 * turns the cache off. Failures are never cached.
 *
 * <p>The bearer token ({@code AEGIS_OPA_TOKEN}) is sent as {@code Authorization: Bearer} and is
 * never logged. There is no OPA binary on the build machine: the tests run this engine against
 * an in-test Vert.x server that implements the Data API contract ({@code OpaDataApiStub}).
 */
public final class RemoteOpaPolicyEngine implements PolicyEngine {

  private static final Logger LOG = LoggerFactory.getLogger(RemoteOpaPolicyEngine.class);

  /** The remote call failed; stage 4 fails closed. {@code reason} is a stable label. */
  public static final class OpaUnavailable extends RuntimeException {
    private final String reason;

    public OpaUnavailable(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }

  private final Vertx vertx;
  private final RemoteOpaConfig cfg;
  private final HttpClient client;
  private final Function<String, String> revisionOf;
  private final DecisionCache cache;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final Timer latency;
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final AtomicLong lastWarnMillis = new AtomicLong();

  /**
   * @param revisionOf the tenant's policy revision for the cache key (e.g. its active tenant
   *     revision, or a constant); never null
   * @param metrics registry for request outcomes, latency and cache meters, or null
   */
  public RemoteOpaPolicyEngine(Vertx vertx, RemoteOpaConfig cfg, Function<String, String> revisionOf,
      MeterRegistry metrics) {
    this(vertx, cfg, revisionOf, metrics, Clock.systemUTC());
  }

  RemoteOpaPolicyEngine(Vertx vertx, RemoteOpaConfig cfg, Function<String, String> revisionOf,
      MeterRegistry metrics, Clock clock) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.revisionOf = revisionOf;
    this.clock = clock;
    this.metrics = metrics;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
        .setConnectTimeout(cfg.timeoutMillis()), new PoolOptions().setHttp1MaxSize(64));
    this.cache = cfg.cacheTtlMillis() > 0
        ? new DecisionCache(cfg.cacheMaxEntries(), Duration.ofMillis(cfg.cacheTtlMillis())) : null;
    if (cache != null) {
      DecisionCacheMetrics.bind(cache, metrics, "remote");
    }
    this.latency = metrics == null ? null : Timer.builder("aegis.opa.request")
        .description("Remote OPA Data API calls").register(metrics);
  }

  /** The decision cache, or null when it is off. */
  public DecisionCache cache() {
    return cache;
  }

  /**
   * Loads the classes of the request path and opens a pooled connection with OPA's
   * {@code GET /health}, so the first real decision is not the one paying for a cold start
   * (class loading alone can exceed a 250 ms deadline). Fails when OPA is not healthy; callers
   * log that and go on: requests fail closed until OPA answers.
   */
  public Future<Void> warmUp() {
    try {
      Values.toJson(PolicyInputDocument.build(new PolicyInput("warm-up", "warm-up", "warm-up", "low", "warm-up",
          new io.vertx.core.json.JsonObject(), "", "warm-up", java.util.List.of()), clock.instant()));
      PolicyOutput.fromValue(Values.parseJson("{\"allow\": true}"), "warm-up");
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    RequestOptions ro = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(cfg.url() + "/health")
        .setConnectTimeout(5_000).setIdleTimeout(5_000);
    if (cfg.token() != null) {
      ro.putHeader("Authorization", "Bearer " + cfg.token());
    }
    return client.request(ro).compose(req -> req.send().compose(resp -> resp.body().compose(b ->
        resp.statusCode() == 200 ? Future.<Void>succeededFuture()
            : Future.<Void>failedFuture(new OpaUnavailable("status", "OPA /health answered " + resp.statusCode())))));
  }

  @Override
  public Future<PolicyResult> evaluate(PolicyInput input) {
    String revision = "opa:" + revisionOf.apply(input.tenantId());
    if (cache == null) {
      return call(input, revision);
    }
    return cache.get(DecisionCache.key(input, revision), () -> call(input, revision));
  }

  private Future<PolicyResult> call(PolicyInput input, String revision) {
    long t0 = System.nanoTime();
    Buffer body;
    try {
      Value doc = PolicyInputDocument.build(input, clock.instant());
      body = Buffer.buffer("{\"input\":" + Values.toJson(doc) + "}");
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(cfg.decisionUrl())
        .setConnectTimeout(cfg.timeoutMillis()).setIdleTimeout(cfg.timeoutMillis())
        .putHeader("Content-Type", "application/json").putHeader("Accept", "application/json");
    if (cfg.token() != null) {
      ro.putHeader("Authorization", "Bearer " + cfg.token());
    }
    Promise<PolicyResult> promise = Promise.promise();
    AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
    long timer = vertx.setTimer(cfg.timeoutMillis(), id -> {
      if (promise.tryFail(new OpaUnavailable("timeout", "OPA did not answer within " + cfg.timeoutMillis() + " ms"))) {
        HttpClientRequest req = sent.get();
        if (req != null) {
          req.reset();
        }
      }
    });
    // body() is asked for inside send()'s callback: a response whose body handler is set a tick
    // later (after a context hop) may have delivered its data already, and the call would hang
    client.request(ro)
        .compose(req -> {
          sent.set(req);
          return req.send(body).compose(resp -> resp.body().map(b -> read(resp.statusCode(), b, revision)));
        })
        .onComplete(ar -> {
          vertx.cancelTimer(timer);
          if (ar.succeeded()) {
            promise.tryComplete(ar.result());
          } else {
            promise.tryFail(unavailable(ar.cause()));
          }
        });
    return promise.future().andThen(ar -> {
      String outcome = ar.succeeded() ? "ok" : ar.cause() instanceof OpaUnavailable u ? u.reason() : "error";
      record(outcome, System.nanoTime() - t0);
      if (ar.failed()) {
        warn(ar.cause());
      }
    });
  }

  /** Reads a Data API answer; throws OpaUnavailable for anything but a readable decision. */
  private static PolicyResult read(int status, Buffer body, String revision) {
    if (status < 200 || status > 299) {
      String code = "";
      try {
        Value v = Values.parseJson(body.toString());
        if (v instanceof Value.ObjV o && o.get("code") instanceof Value.StrV s) {
          code = " (" + s.value() + ")";
        }
      } catch (RuntimeException ignored) {
        // not OPA's error shape; the status says enough
      }
      throw new OpaUnavailable("status", "OPA answered " + status + code);
    }
    Value answer;
    try {
      answer = Values.parseJson(body.toString());
    } catch (RuntimeException e) {
      throw new OpaUnavailable("malformed", "OPA's answer is not JSON");
    }
    if (!(answer instanceof Value.ObjV o)) {
      throw new OpaUnavailable("malformed", "OPA's answer is not a JSON object");
    }
    Value result = o.get("result");
    if (result == null) {
      throw new OpaUnavailable("undefined", "OPA's decision is undefined (no rule at the decision path,"
          + " or its bundle is not loaded)");
    }
    if (o.get("decision_id") instanceof Value.StrV id && LOG.isDebugEnabled()) {
      LOG.debug("OPA decision {}", id.value());
    }
    try {
      return PolicyOutput.fromValue(result, revision);
    } catch (PolicyOutput.MalformedOutput e) {
      throw new OpaUnavailable("malformed", "OPA's decision is malformed: " + e.getMessage());
    }
  }

  private OpaUnavailable unavailable(Throwable t) {
    if (t instanceof OpaUnavailable u) {
      return u;
    }
    String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
    if (t instanceof java.util.concurrent.TimeoutException || m.contains("timeout") || m.contains("timed out")) {
      return new OpaUnavailable("timeout", "OPA did not answer within " + cfg.timeoutMillis() + " ms");
    }
    return new OpaUnavailable("unreachable", "OPA cannot be reached: " + t.getClass().getSimpleName());
  }

  private void record(String outcome, long nanos) {
    if (metrics == null) {
      return;
    }
    latency.record(nanos, TimeUnit.NANOSECONDS);
    outcomes.computeIfAbsent(outcome, o -> Counter.builder("aegis.opa.requests").tag("outcome", o)
        .description("Remote OPA Data API calls by outcome").register(metrics)).increment();
  }

  /** At most one warning every 10 s (an outage must not flood the log); the counter has them all. */
  private void warn(Throwable t) {
    long now = System.currentTimeMillis();
    long last = lastWarnMillis.get();
    if (now - last >= 10_000 && lastWarnMillis.compareAndSet(last, now)) {
      LOG.warn("Remote OPA call failed, failing closed: {}", t.getMessage());
    }
  }
}
