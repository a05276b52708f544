package dev.aegis.verticles.evidence;

import dev.aegis.storage.pg.PgRootStore.StoredRoot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daily-root scheduler: every {@code periodMs} (30 s in production) it advances the roots of
 * every tenant with a log ({@link DailyRootService#advanceAll}: seals closed days, re-anchors
 * today), then publishes every row whose current content is not yet published and every public
 * key not yet published. Rounds never overlap in one process; several processes are safe (see
 * {@link DailyRootService}). A message on {@link #NUDGE} (any process-local sender, e.g. {@code
 * POST /transparency/compute}) runs a round soon. Failures are logged and retried next round.
 */
public final class RootScheduler {

  /** Event-bus address that asks for a round now. */
  public static final String NUDGE = "aegis.transparency.roots.nudge";
  private static final Logger LOG = LoggerFactory.getLogger(RootScheduler.class);

  private final Vertx vertx;
  private final DailyRootService roots;
  private final RootPublisher publisher;
  private final EvidenceKeys keys;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();
  private final Set<String> publishedKeys = ConcurrentHashMap.newKeySet();
  private long timer = -1;

  public RootScheduler(Vertx vertx, DailyRootService roots, RootPublisher publisher, EvidenceKeys keys) {
    this.vertx = vertx;
    this.roots = roots;
    this.publisher = publisher;
    this.keys = keys;
  }

  /** Starts the rounds: the first after a second, then every {@code periodMs}. */
  public void start(long periodMs) {
    timer = vertx.setPeriodic(1_000, periodMs, t -> trigger());
    vertx.eventBus().localConsumer(NUDGE, m -> trigger());
    LOG.info("Daily transparency roots every {} s, published to {}", periodMs / 1000, publisher.describe());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void trigger() {
    if (!running.compareAndSet(false, true)) {
      again.set(true);
      return;
    }
    round().onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("Transparency root round failed; retrying next round", ar.cause());
      }
      running.set(false);
      if (again.getAndSet(false)) {
        trigger();
      }
    });
  }

  /** One round: advance every tenant, then publish. */
  public Future<Void> round() {
    return roots.advanceAll().transform(ar -> {
      if (ar.failed()) {
        LOG.warn("Advancing transparency roots failed", ar.cause());
      }
      return publishKeys();
    }).transform(ar -> publishRoots());
  }

  private Future<Void> publishKeys() {
    Future<Void> f = Future.succeededFuture();
    for (Object o : keys.keysJson().getJsonArray("keys")) {
      JsonObject k = (JsonObject) o;
      String fp = k.getString("fingerprint");
      if (publishedKeys.contains(fp)) {
        continue;
      }
      f = f.compose(v -> publisher.publishKey(fp, k.getString("public_key_pem"))
          .onSuccess(x -> publishedKeys.add(fp))
          .recover(e -> {
            LOG.warn("Publishing key {} failed; retrying next round: {}", fp, e.toString());
            return Future.succeededFuture();
          }));
    }
    return f;
  }

  private Future<Void> publishRoots() {
    return roots.store().unpublished(500).compose(rows -> {
      Future<Void> f = Future.succeededFuture();
      for (StoredRoot r : rows) {
        f = f.compose(v -> publishOne(r));
      }
      return f;
    });
  }

  private Future<Void> publishOne(StoredRoot r) {
    return publisher.publishRoot(r.tenantId().toString(), r.rootDate().toString(), DailyRootService.toJson(r))
        .compose(v -> roots.store().markPublished(r.tenantId(), r.rootDate(), r.signature()))
        .recover(e -> {
          LOG.warn("Publishing root {}/{} failed; retrying next round: {}", r.tenantId(), r.rootDate(), e.toString());
          return Future.succeededFuture();
        });
  }

  /** For tests: the rows not yet published. */
  public Future<List<StoredRoot>> pendingPublication() {
    return roots.store().unpublished(500);
  }
}
