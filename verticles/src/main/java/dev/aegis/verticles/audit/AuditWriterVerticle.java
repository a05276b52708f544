package dev.aegis.verticles.audit;

import dev.aegis.pipeline.audit.AuditChain;
import dev.aegis.pipeline.evidence.ReceiptFields;
import dev.aegis.pipeline.evidence.Receipts;
import dev.aegis.pipeline.merkle.CompactRange;
import dev.aegis.pipeline.merkle.LogAppender;
import dev.aegis.pipeline.merkle.MerkleHash;
import dev.aegis.pipeline.stages.AuditStage;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import dev.aegis.pipeline.ports.AuditEvent;
import dev.aegis.pipeline.ports.AuditReceipt;
import dev.aegis.storage.pg.AuditRow;
import dev.aegis.storage.pg.PgAuditStore;
import dev.aegis.verticles.bus.Addresses;
import dev.aegis.verticles.bus.LocalCodec;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single audit writer of this process: owns the head of every (tenant, shard) chain, computes
 * each row's links and hash, and commits rows in batches (group commit). A batch is flushed at
 * once when no commit is in flight; while one is, new events queue and go in the next batch, so
 * batching adds no latency at low load. Each event is answered with its receipt only after the
 * transaction holding its row has committed; a failed commit fails every event of the batch and
 * the chain heads are reloaded from the database.
 */
public final class AuditWriterVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AuditWriterVerticle.class);

  private final PgAuditStore store;
  private final int shards;
  private final int maxBatch;
  private final int maxQueue;
  private final MeterRegistry metrics;
  private final ArrayDeque<Message<AuditEvent>> queue = new ArrayDeque<>();
  private Map<String, PgAuditStore.Tail> tails = new HashMap<>();
  private boolean inFlight;
  private boolean tailsStale;
  private final dev.aegis.verticles.evidence.CheckpointSigner checkpoints;
  private Map<UUID, CompactRange> heads = new HashMap<>();
  private final java.util.Set<UUID> dirty = new java.util.HashSet<>();
  private static final CompactRange EMPTY = new CompactRange();
  private long chainRaces;
  private static final int MAX_ATTEMPTS = 8;
  private DistributionSummary batchSize;
  private Timer commitTimer;
  private MessageConsumer<AuditEvent> consumer;

  /**
   * @param store the Postgres audit store
   * @param shards chain shards per tenant (16 by default)
   * @param maxBatch the largest batch committed at once
   * @param maxQueue events queued beyond this are refused at once (back-pressure, 503)
   * @param metrics meter registry (may be null)
   */
  public AuditWriterVerticle(PgAuditStore store, int shards, int maxBatch, int maxQueue,
      MeterRegistry metrics) {
    this(store, shards, maxBatch, maxQueue, metrics, null);
  }

  /**
   * @param checkpoints signs the log heads that moved, once a second (null: no checkpoints)
   */
  public AuditWriterVerticle(PgAuditStore store, int shards, int maxBatch, int maxQueue,
      MeterRegistry metrics, dev.aegis.verticles.evidence.CheckpointSigner checkpoints) {
    this.checkpoints = checkpoints;
    this.store = store;
    this.shards = shards;
    this.maxBatch = maxBatch;
    this.maxQueue = maxQueue;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    LocalCodec.register(vertx, AuditEvent.class);
    LocalCodec.register(vertx, AuditReceipt.class);
    if (metrics != null) {
      batchSize = DistributionSummary.builder("aegis_audit_batch_size").publishPercentiles(0.5, 0.99)
          .description("rows per audit commit").register(metrics);
      commitTimer = Timer.builder("aegis_audit_commit_seconds").publishPercentiles(0.5, 0.99)
          .description("audit batch commit latency").register(metrics);
    }
    if (checkpoints != null) {
      vertx.setPeriodic(1000, t -> signCheckpoints());
    }
    vertx.setPeriodic(6 * 3600_000L, t -> store.ensurePartitions()
        .onFailure(e -> LOG.error("Cannot create audit partitions: {}", e.toString())));
    return store.ensurePartitions().compose(v -> Future.all(store.loadTails(), store.loadHeads())).compose(cf -> {
      tails = cf.resultAt(0);
      heads = decodeHeads(cf.resultAt(1));
      Map<String, PgAuditStore.Tail> t = tails;
      consumer = vertx.eventBus().localConsumer(Addresses.AUDIT_APPEND, this::onEvent);
      LOG.info("Audit writer ready: {} chain heads loaded", t.size());
      return consumer.completion();
    });
  }

  private void onEvent(Message<AuditEvent> msg) {
    if (queue.size() >= maxQueue) {
      msg.fail(503, "audit queue full");
      return;
    }
    queue.add(msg);
    if (!inFlight) {
      flush();
    }
  }

  private void flush() {
    if (tailsStale) {
      inFlight = true;
      Future.all(store.loadTails(), store.loadHeads()).onComplete(ar -> {
        inFlight = false;
        if (ar.succeeded()) {
          tails = ar.result().resultAt(0);
          heads = decodeHeads(ar.result().resultAt(1));
          tailsStale = false;
          if (!queue.isEmpty()) {
            flush();
          }
        } else {
          failAll(ar.cause());
        }
      });
      return;
    }
    int n = Math.min(maxBatch, queue.size());
    List<Message<AuditEvent>> batch = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Message<AuditEvent> m = queue.poll();
      try {
        UUID.fromString(m.body().tenantId());
        batch.add(m);
      } catch (RuntimeException bad) {
        m.fail(400, "invalid tenant id");
      }
    }
    if (batch.isEmpty()) {
      if (!queue.isEmpty()) {
        flush();
      }
      return;
    }
    inFlight = true;
    commit(batch, 1);
  }

  /**
   * Links the batch to the current chain heads and commits it. When another writer (a second
   * gateway process on the same database) appended to one of the chains first, the unique
   * (tenant, shard, index) constraint refuses the batch; the heads are then reloaded and the
   * batch is linked again, up to {@link #MAX_ATTEMPTS} times. Chain order thus always equals
   * commit order and no fork can exist.
   */
  private void commit(List<Message<AuditEvent>> batch, int attempt) {
    List<AuditRow> rows = new ArrayList<>(batch.size());
    List<AuditRow> metered = new ArrayList<>();
    Map<String, PgAuditStore.Tail> next = new HashMap<>();
    Map<UUID, LogAppender> appenders = new HashMap<>();
    Map<UUID, Long> fromSizes = new HashMap<>();
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    String timestamp = DateTimeFormatter.ISO_INSTANT.format(now.toInstant());
    for (Message<AuditEvent> m : batch) {
      AuditEvent e = m.body();
      UUID tenant = UUID.fromString(e.tenantId());
      int shard = AuditChain.shardOf(e.requestId(), shards);
      String key = e.tenantId() + ":" + shard;
      PgAuditStore.Tail tail = next.containsKey(key) ? next.get(key) : tails.get(key);
      String prev = tail == null ? AuditChain.GENESIS : tail.eventHash();
      long index = tail == null ? 0 : tail.chainIndex() + 1;
      String hash = AuditChain.eventHash(prev, e.tenantId(), e.agentId(), e.action(), e.tool(),
          e.decision(), e.requestId());
      UUID id = UUID.randomUUID();
      LogAppender log = appenders.computeIfAbsent(tenant, t -> {
        CompactRange state = heads.getOrDefault(t, EMPTY);
        fromSizes.put(t, state.size());
        return new LogAppender(state);
      });
      byte[] leaf = MerkleHash.leafHash(Receipts.leafInput(new ReceiptFields(id.toString(), e.tenantId(),
          e.agentId(), e.tool(), e.action(), e.decision(), e.reason(), e.requestId(), timestamp, hash,
          prev, shard), log.size()));
      LogAppender.Appended appended = log.append(leaf);
      AuditRow row = new AuditRow(id, tenant, e.agentId(), e.action(), e.tool(), e.decision(), e.reason(),
          e.metadata(), e.requestId(), hash, prev, AuditChain.HASH_VERSION, shard, index, now, 0,
          appended.leafIndex(), leaf, appended.subtrees());
      rows.add(row);
      if (AuditStage.ACTION.equals(e.action())) {
        metered.add(row);
      }
      next.put(key, new PgAuditStore.Tail(index, hash));
    }
    List<PgAuditStore.HeadMove> moves = new ArrayList<>(appenders.size());
    Map<UUID, CompactRange> newHeads = new HashMap<>();
    appenders.forEach((t, log) -> {
      CompactRange state = log.state();
      newHeads.put(t, state);
      moves.add(new PgAuditStore.HeadMove(t, fromSizes.get(t), state.size(), state.toBytes()));
    });
    long t0 = System.nanoTime();
    store.insertBatch(rows, moves, metered).onComplete(ar -> {
      if (commitTimer != null) {
        commitTimer.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
        batchSize.record(rows.size());
      }
      if (ar.succeeded()) {
        tails.putAll(next);
        heads.putAll(newHeads);
        newHeads.keySet().forEach(dirty::add);
        for (int i = 0; i < batch.size(); i++) {
          AuditRow r = rows.get(i);
          batch.get(i).reply(new AuditReceipt(r.id().toString(), r.eventHash(), r.prevHash(),
              r.chainShard(), r.chainIndex(), r.createdAt().toString()));
        }
        done();
        return;
      }
      boolean race = ar.cause() instanceof PgAuditStore.HeadRace
          || (ar.cause() instanceof io.vertx.pgclient.PgException pe && "23505".equals(pe.getSqlState()));
      if (race && attempt < MAX_ATTEMPTS) {
        chainRaces++;
        Future.all(store.loadTails(), store.loadHeads()).onComplete(t -> {
          if (t.succeeded()) {
            tails = t.result().resultAt(0);
            heads = decodeHeads(t.result().resultAt(1));
            commit(batch, attempt + 1);
          } else {
            fail(batch, t.cause());
          }
        });
        return;
      }
      fail(batch, ar.cause());
    });
  }

  private static Map<UUID, CompactRange> decodeHeads(Map<UUID, byte[]> raw) {
    Map<UUID, CompactRange> m = new HashMap<>();
    raw.forEach((k, v) -> m.put(k, CompactRange.fromBytes(v)));
    return m;
  }

  /** Signs a checkpoint for every tenant whose log grew since the last round. */
  private void signCheckpoints() {
    for (UUID tenant : drainDirty()) {
      CompactRange head = head(tenant);
      checkpoints.sign(tenant, head).onFailure(e -> {
        LOG.warn("Checkpoint of tenant {} at size {} not stored: {}", tenant, head.size(), e.toString());
        dirty.add(tenant);
      });
    }
  }

  /** Signs the current head of a tenant now (for a receipt that needs a fresh checkpoint). */
  public Future<Void> checkpointNow(UUID tenant) {
    return checkpoints == null ? Future.succeededFuture() : checkpoints.sign(tenant, head(tenant));
  }

  /** Tenants whose log head moved since the last call (for the checkpoint signer). */
  public java.util.Set<UUID> drainDirty() {
    java.util.Set<UUID> out = new java.util.HashSet<>(dirty);
    dirty.clear();
    return out;
  }

  /** The current head of a tenant's log (size and compact range), or an empty range. */
  public CompactRange head(UUID tenant) {
    return heads.getOrDefault(tenant, EMPTY);
  }

  private void fail(List<Message<AuditEvent>> batch, Throwable cause) {
    LOG.error("Audit commit of {} rows failed: {}", batch.size(), cause.toString());
    tailsStale = true;
    batch.forEach(m -> m.fail(503, "audit commit failed"));
    done();
  }

  private void done() {
    inFlight = false;
    if (!queue.isEmpty()) {
      flush();
    }
  }

  /** Batches re-linked because another writer appended first (a counter for tests and metrics). */
  public long chainRaces() {
    return chainRaces;
  }

  private void failAll(Throwable cause) {
    LOG.error("Audit chain heads cannot be loaded: {}", cause.toString());
    while (!queue.isEmpty()) {
      queue.poll().fail(503, "audit store unavailable");
    }
  }

  @Override
  public Future<?> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
