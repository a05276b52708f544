package dev.aegis.verticles.runtime;

import dev.aegis.pipeline.ports.ToolExecutor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Forwards allowed actions to a configured HTTP upstream per tool ({@code POST} of
 * {@code {tool, payload, agent_id, tenant_id, request_id}}), within the request's remaining
 * budget capped by a per-call timeout, and under a concurrency cap (503 {@code upstream_busy}
 * beyond it). Tools without an upstream are evaluated only.
 */
public final class HttpToolExecutor implements ToolExecutor {

  private final HttpClient client;
  private final Map<String, String> upstreams;
  private final long timeoutMillis;
  private final int maxConcurrent;
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * @param upstreams tool name to absolute URL
   * @param timeoutMillis per-call cap (the original used 10 s)
   * @param maxConcurrent concurrent upstream calls allowed (the original used 100 per worker)
   */
  public HttpToolExecutor(Vertx vertx, Map<String, String> upstreams, long timeoutMillis, int maxConcurrent) {
    this.upstreams = Map.copyOf(upstreams);
    this.timeoutMillis = timeoutMillis;
    this.maxConcurrent = maxConcurrent;
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(1000)
        .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(Math.max(8, maxConcurrent)));
  }

  @Override
  public boolean hasUpstream(String tool) {
    return upstreams.containsKey(tool);
  }

  @Override
  public Future<Result> execute(String tool, JsonObject request, long budgetMillis) {
    if (inFlight.incrementAndGet() > maxConcurrent) {
      inFlight.decrementAndGet();
      return Future.failedFuture(new ExecutionFailure("upstream_busy", 503, "Too many concurrent tool calls"));
    }
    long timeout = Math.max(1, Math.min(timeoutMillis, budgetMillis));
    RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(upstreams.get(tool)).setTimeout(timeout)
        .putHeader("content-type", "application/json");
    return client.request(ro)
        .compose(req -> req.send(request.toBuffer()))
        .compose(resp -> resp.body().map(body -> new Result(resp.statusCode(),
            resp.getHeader("content-type"), body)))
        .transform(ar -> {
          inFlight.decrementAndGet();
          if (ar.succeeded()) {
            if (ar.result().status() >= 500) {
              return Future.failedFuture(new ExecutionFailure("upstream_unavailable", 502,
                  "The tool upstream answered " + ar.result().status()));
            }
            return Future.succeededFuture(ar.result());
          }
          Throwable c = ar.cause();
          if (c instanceof TimeoutException || (c.getMessage() != null && c.getMessage().contains("timeout"))) {
            return Future.failedFuture(new ExecutionFailure("upstream_timeout", 504,
                "The tool upstream did not answer within " + timeout + " ms"));
          }
          return Future.failedFuture(new ExecutionFailure("upstream_unavailable", 502,
              "The tool upstream cannot be reached"));
        });
  }
}
