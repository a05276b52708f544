package dev.aegis.bench;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Open-loop, fixed-rate HTTP load generator on the Vert.x HttpClient.
 *
 * <p>Each stream runs on one event loop and sends its share of the {@link Schedule}: whenever the
 * loop wakes, it sends every request whose intended time has come, then arms a nanosecond timer
 * for the next intended time. Sending never waits for responses (open loop); when all pooled
 * connections are busy, requests queue in the pool and are charged for that wait because latency
 * runs from the intended send time.
 */
public final class LoadGenerator implements AutoCloseable {

  /** Cumulative CPU seconds of named processes (e.g. the server under test). */
  public interface CpuProbe {
    Map<String, Double> cpuSeconds();

    CpuProbe NONE = Map::of;
  }

  private final Vertx vertx;
  private final int eventLoops;

  public LoadGenerator(int eventLoops) {
    this.eventLoops = eventLoops;
    this.vertx = Vertx.builder()
        .with(new VertxOptions()
            .setEventLoopPoolSize(eventLoops)
            .setWorkerPoolSize(2)
            .setInternalBlockingPoolSize(2)
            .setPreferNativeTransport(true))
        .build();
  }

  public boolean nativeTransport() {
    return vertx.isNativeTransportEnabled();
  }

  public String transport() {
    return vertx.isNativeTransportEnabled() ? "epoll" : "nio";
  }

  /** Runs one load run to completion (blocking the calling thread, never an event loop). */
  public LoadResult run(LoadSpec spec, CpuProbe probe) throws InterruptedException {
    if (spec.eventLoops() > eventLoops) {
      throw new IllegalArgumentException("spec wants " + spec.eventLoops()
          + " event loops, generator has " + eventLoops);
    }
    int n = spec.eventLoops();
    long lateNanos = (long) (spec.lateThresholdMs() * 1_000_000L);
    List<Stream> streams = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      int conns = spec.connections() / n + (k < spec.connections() % n ? 1 : 0);
      streams.add(new Stream(spec, new Schedule(spec.rate(), spec.warmupSeconds(),
          spec.durationSeconds(), k, n), conns, lateNanos, spec.maxOutstanding() / n));
    }
    Schedule whole = new Schedule(spec.rate(), spec.warmupSeconds(), spec.durationSeconds());
    // Start a little in the future so every stream is armed before the first intended time.
    long start = System.nanoTime() + 20_000_000L;
    int seconds = (int) Math.ceil(spec.durationSeconds()) + 1;
    for (Stream s : streams) {
      s.measured.enableTimeline(start + whole.measureStartOffsetNanos(), seconds, 10_000);
      s.start(start);
    }
    long measureStart = start + whole.measureStartOffsetNanos();
    long measureEnd = start + whole.endOffsetNanos();
    sleepUntil(measureStart);
    double clientCpu0 = processCpuSeconds();
    Map<String, Double> server0 = probe.cpuSeconds();
    sleepUntil(measureEnd);
    double clientCpu1 = processCpuSeconds();
    Map<String, Double> server1 = probe.cpuSeconds();
    double window = (measureEnd - measureStart) / 1e9;

    // Wait for the stragglers: at most the request timeout plus a margin.
    long deadline = measureEnd + TimeUnit.MILLISECONDS.toNanos(spec.timeoutMs()) + 2_000_000_000L;
    for (Stream s : streams) {
      long left = deadline - System.nanoTime();
      try {
        s.done.future().toCompletionStage().toCompletableFuture()
            .get(Math.max(1, left), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        // counted as unfinished below
      }
    }
    LatencyRecorder measured = new LatencyRecorder(spec.source().expectedStatus(), lateNanos);
    LatencyRecorder warm = new LatencyRecorder(spec.source().expectedStatus(), lateNanos);
    long unfinished = 0;
    for (Stream s : streams) {
      long[] left = onContext(s.ctx, s::stop);
      unfinished += left[0];
      measured.add(s.measured);
      warm.add(s.warm);
      s.client.close().toCompletionStage().toCompletableFuture().join();
    }
    double elapsed = window;
    if (measured.lastCompletionNanos() != Long.MIN_VALUE) {
      elapsed = Math.max(window, (measured.lastCompletionNanos() - measureStart) / 1e9);
    }
    Map<String, Double> serverCpu = new LinkedHashMap<>();
    server1.forEach((k, v) -> {
      Double before = server0.get(k);
      if (before != null) {
        serverCpu.put(k, LoadResult.round3((v - before) / window));
      }
    });
    return LoadResult.of(spec, measured, warm, whole.measuredCount(), unfinished, elapsed,
        (clientCpu1 - clientCpu0) / window, serverCpu);
  }

  private static <T> T onContext(ContextInternal ctx, Supplier<T> task) {
    CompletableFuture<T> f = new CompletableFuture<>();
    ctx.runOnContext(v -> {
      try {
        f.complete(task.get());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    return f.join();
  }

  static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, 100_000_000L));
    }
  }

  static double processCpuSeconds() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime() / 1e9;
    }
    return 0;
  }

  static boolean isTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  /** One request from the schedule: queued, in flight, or done. */
  private static final class Pending {
    final long index;
    final long intended;
    final LatencyRecorder rec;
    final RequestSource.Template template;
    long sent;
    boolean timedOut;

    Pending(long index, long intended, LatencyRecorder rec, RequestSource.Template template) {
      this.index = index;
      this.intended = intended;
      this.rec = rec;
      this.template = template;
    }
  }

  /** A keep-alive connection carrying at most one request at a time (no pipelining). */
  private static final class Conn {
    final HttpClientConnection http;
    Pending inFlight;
    boolean closed;

    Conn(HttpClientConnection http) {
      this.http = http;
    }
  }

  /**
   * One event loop's share of the schedule. It manages its own connections and its own FIFO of
   * requests waiting for a free connection (instead of the client's pool) so that the time a
   * request is really written is known exactly, and queued requests cost no timer each. All fields
   * are touched only on the stream's event loop.
   */
  private final class Stream {
    final ContextInternal ctx;
    final HttpClientAgent client;
    final Schedule schedule;
    final RequestSource source;
    final LatencyRecorder measured;
    final LatencyRecorder warm;
    final long count;
    final int maxConnections;
    final int maxOutstanding;
    final long timeoutNanos;
    final HttpConnectOptions connectOptions;
    final Map<RequestOptions, RequestOptions> optionsCache = new IdentityHashMap<>();
    final ArrayDeque<Pending> queue = new ArrayDeque<>();
    final ArrayDeque<Conn> idle = new ArrayDeque<>();
    final List<Conn> conns = new ArrayList<>();
    final Promise<Void> done = Promise.promise();
    final Runnable tickTask;
    long startNanos;
    long next;
    int connecting;
    int inFlight;
    long sweepTimer = -1;
    long lastConnectFailure;
    boolean retryArmed;
    boolean stopped;

    Stream(LoadSpec spec, Schedule schedule, int connections, long lateNanos, int maxOutstanding) {
      this.ctx = ((VertxInternal) vertx).createEventLoopContext();
      this.schedule = schedule;
      this.source = spec.source();
      this.measured = new LatencyRecorder(source.expectedStatus(), lateNanos);
      this.warm = new LatencyRecorder(source.expectedStatus(), lateNanos);
      this.count = schedule.streamCount();
      this.maxConnections = Math.max(1, connections);
      this.maxOutstanding = Math.max(1, maxOutstanding);
      this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(spec.timeoutMs());
      this.client = vertx.createHttpClient(new HttpClientOptions()
          .setKeepAlive(true)
          .setPipelining(false)
          .setTcpNoDelay(true));
      java.net.URI u = java.net.URI.create(spec.url());
      this.connectOptions = new HttpConnectOptions()
          .setHost(u.getHost())
          .setPort(u.getPort() > 0 ? u.getPort() : 80)
          .setConnectTimeout(spec.timeoutMs());
      this.tickTask = () -> ctx.emit(v -> tick());
    }

    void start(long startNanos) {
      this.startNanos = startNanos;
      ctx.runOnContext(v -> {
        sweepTimer = vertx.setPeriodic(50, id -> sweep());
        // open the connections before the first intended send: a connection opened in the
        // middle of a measured window would charge its handshake to the requests queued behind it
        while (conns.size() + connecting < maxConnections) {
          connect();
        }
        if (count == 0) {
          maybeFinish();
        } else {
          arm();
        }
      });
    }

    private void arm() {
      long delay = startNanos + schedule.offsetNanos(next) - System.nanoTime();
      if (delay <= 0) {
        ctx.nettyEventLoop().execute(tickTask);
      } else {
        ctx.nettyEventLoop().schedule(tickTask, delay, TimeUnit.NANOSECONDS);
      }
    }

    private void tick() {
      if (stopped) {
        return;
      }
      long now = System.nanoTime();
      int burst = 0;
      while (next < count) {
        long intended = startNanos + schedule.offsetNanos(next);
        if (intended > now) {
          break;
        }
        fire(next, intended, now);
        next++;
        if (++burst == 512) {
          // Far behind: let the loop read responses before sending more. Late requests are
          // still charged from their intended time.
          break;
        }
      }
      if (next < count) {
        arm();
      } else {
        maybeFinish();
      }
    }

    private void fire(long i, long intended, long now) {
      LatencyRecorder rec = schedule.isWarmup(i) ? warm : measured;
      rec.recordFired(intended, now);
      if (queue.size() + inFlight >= maxOutstanding) {
        rec.recordDropped();
        return;
      }
      Pending p = new Pending(i, intended, rec, source.get(schedule.globalIndex(i)));
      Conn c = idle.pollFirst();
      if (c != null) {
        send(c, p);
        return;
      }
      queue.addLast(p);
      if (conns.size() + connecting < maxConnections) {
        connect();
      }
    }

    private void connect() {
      if (stopped) {
        return;
      }
      connecting++;
      client.connect(connectOptions).onComplete(ar -> {
        connecting--;
        if (stopped) {
          if (ar.succeeded()) {
            ar.result().close();
          }
          return;
        }
        if (ar.failed()) {
          connectFailed(ar.cause());
          return;
        }
        Conn c = new Conn(ar.result());
        conns.add(c);
        c.http.closeHandler(v -> closed(c));
        release(c);
      });
    }

    /** The server refused or did not answer: charge one waiting request, retry shortly. */
    private void connectFailed(Throwable cause) {
      Pending p = queue.pollFirst();
      if (p != null) {
        p.rec.recordError("connect: " + cause.getClass().getSimpleName());
      }
      lastConnectFailure = System.nanoTime();
      if (!retryArmed && !queue.isEmpty()) {
        retryArmed = true;
        vertx.setTimer(20, id -> {
          retryArmed = false;
          if (!queue.isEmpty() && conns.size() + connecting < maxConnections) {
            connect();
          }
        });
      }
      maybeFinish();
    }

    private void release(Conn c) {
      if (c.closed || stopped) {
        return;
      }
      Pending p = queue.pollFirst();
      if (p != null) {
        send(c, p);
      } else {
        idle.addLast(c);
      }
    }

    private void send(Conn c, Pending p) {
      c.inFlight = p;
      inFlight++;
      p.sent = System.nanoTime();
      p.rec.recordSent(p.intended, p.sent);
      RequestSource.Template t = p.template;
      // Templates may be built per request; their options are shared, so copy each one once.
      RequestOptions options = optionsCache.computeIfAbsent(t.options(), RequestOptions::new);
      c.http.request(options)
          .compose(req -> t.body() == null ? req.send() : req.send(t.body()))
          .compose(resp -> resp.body().map(b -> {
            int status = resp.statusCode();
            if (p.rec.wantsSample(status)) {
              p.rec.sample(status, b.toString());
            }
            return status;
          }))
          .onComplete(ar -> {
            if (c.inFlight == p) {
              c.inFlight = null;
              inFlight--;
            }
            finish(p, ar.succeeded() ? ar.result() : -1, ar.cause());
            release(c);
          });
    }

    private void closed(Conn c) {
      c.closed = true;
      conns.remove(c);
      idle.remove(c);
      // A request still on it fails through its own future; make sure the queue keeps moving.
      if (!stopped && !queue.isEmpty() && conns.size() + connecting < maxConnections
          && System.nanoTime() - lastConnectFailure > 20_000_000L) {
        connect();
      }
    }

    private void finish(Pending p, int status, Throwable cause) {
      if (stopped) {
        return;
      }
      long now = System.nanoTime();
      if (status >= 0 && !p.timedOut) {
        p.rec.recordResponse(p.intended, p.sent, now, status);
      } else if (p.timedOut || isTimeout(cause)) {
        p.rec.recordTimeout(p.intended, now);
      } else {
        p.rec.recordError(cause == null ? "unknown" : cause.getClass().getSimpleName());
      }
      maybeFinish();
    }

    /** Every 50 ms: time out queued requests and requests in flight for too long. */
    private void sweep() {
      if (stopped) {
        return;
      }
      long now = System.nanoTime();
      Pending head;
      while ((head = queue.peekFirst()) != null && now - head.intended > timeoutNanos) {
        queue.pollFirst();
        head.rec.recordTimeout(head.intended, now);
      }
      for (Conn c : new ArrayList<>(conns)) {
        Pending p = c.inFlight;
        if (p != null && now - p.intended > timeoutNanos && !p.timedOut) {
          p.timedOut = true;
          c.http.close();
        }
      }
      maybeFinish();
    }

    private void maybeFinish() {
      if (next >= count && queue.isEmpty() && inFlight == 0) {
        done.tryComplete();
      }
    }

    /** Stops recording, closes the connections; returns the requests still outstanding. */
    long[] stop() {
      stopped = true;
      long left = queue.size() + inFlight + (count - next);
      queue.clear();
      if (sweepTimer >= 0) {
        vertx.cancelTimer(sweepTimer);
      }
      for (Conn c : new ArrayList<>(conns)) {
        c.http.close();
      }
      done.tryComplete();
      return new long[] {left};
    }
  }
}
