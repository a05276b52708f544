package dev.aegis.verticles.evidence;

import dev.aegis.pipeline.evidence.DailyRoot;
import dev.aegis.pipeline.evidence.DailyRootChain;
import dev.aegis.storage.pg.PgRootStore;
import dev.aegis.storage.pg.PgRootStore.StoredRoot;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Computes, signs and stores the daily transparency roots of a tenant (the rules are in
 * {@link DailyRootChain}). {@link #advance} seals every closed day not yet sealed, in order, and
 * re-anchors today's running root. Several processes may run it at once: rows are written with
 * {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE NOT sealed}, a sealed row is never changed
 * (V7 trigger), and the chain continues from the row as stored, so every process links to the
 * same previous root. The Merkle root at a size is {@link ProofService#root} (stored subtree
 * roots, one query). The clock is injectable for tests.
 */
public final class DailyRootService {

  private static final HexFormat HEX = HexFormat.of();

  private final PgRootStore store;
  private final ProofService proofs;
  private final EvidenceKeys keys;
  private final Clock clock;

  public DailyRootService(PgRootStore store, ProofService proofs, EvidenceKeys keys, Clock clock) {
    this.store = store;
    this.proofs = proofs;
    this.keys = keys;
    this.clock = clock;
  }

  public PgRootStore store() {
    return store;
  }

  /** Every tenant with a log, one after the other; a failing tenant does not stop the others. */
  public Future<Integer> advanceAll() {
    return store.tenantsWithLog().compose(tenants -> {
      Future<Integer> f = Future.succeededFuture(0);
      for (UUID t : tenants) {
        f = f.compose(n -> advance(t).transform(ar -> Future.succeededFuture(ar.succeeded() ? n + 1 : n)));
      }
      return f;
    });
  }

  /**
   * Seals the tenant's closed days and re-anchors today's root. Returns today's row as stored,
   * or null when the tenant has no log (or everything up to today is already sealed, in which
   * case the newest sealed row).
   */
  public Future<StoredRoot> advance(UUID tenant) {
    Instant now = clock.instant();
    return store.firstLeafAt(tenant).compose(first -> {
      if (first == null) {
        return Future.succeededFuture(null);
      }
      return store.latestSealed(tenant).compose(sealed -> {
        List<LocalDate> days = DailyRootChain.pending(DailyRootChain.day(first.toInstant()),
            sealed == null ? null : sealed.rootDate(), now);
        Future<StoredRoot> f = Future.succeededFuture(sealed);
        for (LocalDate d : days) {
          f = f.compose(prev -> day(tenant, d, prev, now));
        }
        return f;
      });
    });
  }

  /** Computes, signs and upserts day {@code d} after {@code prev} (null: the first day). */
  private Future<StoredRoot> day(UUID tenant, LocalDate d, StoredRoot prev, Instant now) {
    Instant windowEnd = DailyRootChain.windowEnd(d, now);
    long start = prev == null ? 0 : prev.treeSize();
    return store.sizeBefore(tenant, OffsetDateTime.ofInstant(windowEnd, ZoneOffset.UTC)).compose(s -> {
      long end = Math.max(s, start);
      if (end == start) {
        return Future.succeededFuture(new DailyRootChain.Day(d, start, end, null, null, null, windowEnd));
      }
      return Future.all(proofs.root(tenant, end), store.leafIds(tenant, List.of(start, end - 1))).map(cf -> {
        byte[] root = cf.resultAt(0);
        Map<Long, UUID> ids = cf.resultAt(1);
        UUID a = ids.get(start);
        UUID b = ids.get(end - 1);
        if (a == null || b == null) {
          throw new IllegalStateException("missing leaf rows " + start + ".." + (end - 1) + " of " + tenant);
        }
        return new DailyRootChain.Day(d, start, end, HEX.formatHex(root), a.toString(), b.toString(), windowEnd);
      });
    }).compose(day -> {
      DailyRoot root = DailyRootChain.root(tenant.toString(), day, prev == null ? null : prev.rootHash());
      DailyRoot.Signed signed = root.sign(keys.active());
      return store.upsert(new StoredRoot(tenant, d, root.rootHash(), root.prevRootHash(), root.leafCount(),
          day.sizeAtEnd(), uuid(root.leafRangeStartId()), uuid(root.leafRangeEndId()),
          OffsetDateTime.ofInstant(windowEnd, ZoneOffset.UTC), signed.keyFingerprint(), signed.payload(),
          signed.signature(), DailyRootChain.sealable(d, now), null, null));
    });
  }

  private static UUID uuid(String s) {
    return s == null ? null : UUID.fromString(s);
  }

  /** A root row as served and published. */
  public static JsonObject toJson(StoredRoot r) {
    return new JsonObject()
        .put("tenant_id", r.tenantId().toString())
        .put("root_date", r.rootDate().toString())
        .put("root_hash", r.rootHash())
        .put("prev_root_hash", r.prevRootHash())
        .put("leaf_count", r.leafCount())
        .put("tree_size", r.treeSize())
        .put("leaf_range_start_id", r.leafRangeStartId() == null ? null : r.leafRangeStartId().toString())
        .put("leaf_range_end_id", r.leafRangeEndId() == null ? null : r.leafRangeEndId().toString())
        .put("window_end", DailyRootChain.formatInstant(r.windowEnd().toInstant()))
        .put("sealed", r.sealed())
        .put("computed_at", r.computedAt() == null ? null : DailyRootChain.formatInstant(r.computedAt().toInstant()))
        .put("signed_root_payload", r.signedRootPayload())
        .put("signature", r.signature())
        .put("algorithm", "ed25519")
        .put("signing_key_fingerprint", r.signingKeyFingerprint())
        .put("kid", r.signingKeyFingerprint());
  }
}
