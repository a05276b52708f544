package dev.aegis.pipeline.policy;

import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.ports.PolicyResult;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Values;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Stage 4's decision cache: policy results keyed by (tenant, agent, tool, action digest, policy
 * revision), so an identical action under the same policy revision is decided once.
 *
 * <p><b>The key.</b> SPEC stage 4 keys the original's cache by the "payload shape". Here the
 * shape is a SHA-256 digest of the canonical JSON (keys sorted, numbers normalised) of everything
 * in the policy input document that can change a decision apart from the per-request fields:
 * the agent's name and risk level, the payload, the stage-3 findings and the action text. A key
 * built from the payload's <i>structure</i> alone (its field names and types) would hand the
 * decision for {@code {"cmd": "ls"}} to {@code {"cmd": "rm -rf /"}}: same shape, opposite
 * answer. Only an identical action reuses a decision. The policy revision is part of the key, so
 * a new revision never sees an old decision; {@link #invalidateTenant} frees the old entries at
 * once instead of waiting for their TTL.
 *
 * <p><b>What is not cacheable.</b> The input document's {@code time} and {@code request_id}
 * change on every request and are not in the key. A policy that reads the clock
 * ({@code time.now_ns}, or {@code input.time}) or the request id decides per request; callers
 * must then pass {@code cacheable = false} to {@link #get(Key, boolean, Duration, Supplier)} (for
 * a local revision: {@code !compiled.usesClock()}), which evaluates every time and counts a
 * bypass.
 *
 * <p><b>Bounds.</b> At most {@code maxEntries} live entries; each expires after its TTL (checked
 * on read, and expired entries are the first evicted). Eviction is CLOCK (second chance), an
 * approximation of LRU: entries sit in a FIFO ring; a hit sets the entry's reference bit; the
 * evictor clears set bits and moves those entries to the back, and removes the first entry found
 * without it. Everything is lock-free (a {@link ConcurrentHashMap} and a
 * {@link ConcurrentLinkedQueue}); nothing blocks. Failed evaluations are never cached. Concurrent
 * misses of one key may each evaluate (no coalescing); the last result wins.
 *
 * <p>Counters ({@link #hits()}, {@link #misses()}, ...) are {@link LongAdder}s; the verticles
 * layer exposes them as Micrometer meters.
 */
public final class DecisionCache {

  /**
   * A cache key.
   *
   * @param tenantId tenant
   * @param agentId agent
   * @param tool tool name
   * @param digest hex SHA-256 of the canonical action (see {@link #digest(PolicyInput)})
   * @param revision the policy revision that decides (tenant revision, platform version, ...)
   */
  public record Key(String tenantId, String agentId, String tool, String digest, String revision) {}

  private static final class Entry {
    final Key key;
    final PolicyResult value;
    final long expiresAtNanos;
    volatile boolean referenced;

    Entry(Key key, PolicyResult value, long expiresAtNanos) {
      this.key = key;
      this.value = value;
      this.expiresAtNanos = expiresAtNanos;
    }
  }

  private static final HexFormat HEX = HexFormat.of();

  private final ConcurrentHashMap<Key, Entry> map = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Entry> ring = new ConcurrentLinkedQueue<>();
  private final AtomicInteger ringSize = new AtomicInteger();
  private final int maxEntries;
  private final long defaultTtlNanos;
  private final LongSupplier nanoClock;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder expirations = new LongAdder();
  private final LongAdder bypasses = new LongAdder();

  /**
   * @param maxEntries live entries at most (at least 1)
   * @param defaultTtl time an entry is served after it was stored (positive)
   */
  public DecisionCache(int maxEntries, Duration defaultTtl) {
    this(maxEntries, defaultTtl, System::nanoTime);
  }

  /** With an injectable monotonic clock in nanoseconds (tests). */
  public DecisionCache(int maxEntries, Duration defaultTtl, LongSupplier nanoClock) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1");
    }
    if (defaultTtl.isNegative() || defaultTtl.isZero()) {
      throw new IllegalArgumentException("the TTL must be positive");
    }
    this.maxEntries = maxEntries;
    this.defaultTtlNanos = defaultTtl.toNanos();
    this.nanoClock = nanoClock;
  }

  // ------------------------------------------------------------------ keys

  /** The key of {@code input} decided by {@code revision}. */
  public static Key key(PolicyInput input, String revision) {
    return new Key(input.tenantId(), input.agentId(), input.tool(), digest(input), revision);
  }

  /**
   * Hex SHA-256 of the canonical JSON of {@code {agent_name, agent_risk_level, findings, payload,
   * text}}: every input field that can change a decision except {@code time} and
   * {@code request_id}. Canonical: object keys in sorted order, numbers in one spelling, so equal
   * actions have equal digests whatever their key order on the wire.
   */
  public static String digest(PolicyInput input) {
    List<Value> findings = new ArrayList<>();
    if (input.inferenceFlags() != null) {
      input.inferenceFlags().forEach(f -> findings.add(Value.str(f)));
    }
    Value doc = Value.ObjV.builder()
        .put("agent_name", nullable(input.agentName()))
        .put("agent_risk_level", nullable(input.agentRiskLevel()))
        .put("findings", new Value.ArrV(findings))
        .put("payload", input.payload() == null ? Value.NULL : Values.fromJava(input.payload()))
        .put("text", nullable(input.scanText()))
        .build();
    return sha256(Values.toJson(doc));
  }

  private static Value nullable(String s) {
    return s == null ? Value.NULL : Value.str(s);
  }

  private static String sha256(String text) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ reads and writes

  /**
   * The cached result for {@code key} or, on a miss, {@code evaluate}'s result, stored with the
   * default TTL when it succeeds.
   */
  public Future<PolicyResult> get(Key key, Supplier<Future<PolicyResult>> evaluate) {
    return get(key, true, null, evaluate);
  }

  /**
   * @param cacheable false for a policy whose decision depends on the clock or the request (see
   *     the class comment): {@code evaluate} runs and nothing is read or stored
   * @param ttl this entry's TTL (e.g. by tenant tier), or null for the default
   */
  public Future<PolicyResult> get(Key key, boolean cacheable, Duration ttl,
      Supplier<Future<PolicyResult>> evaluate) {
    if (!cacheable) {
      bypasses.increment();
      return run(evaluate);
    }
    PolicyResult hit = lookup(key);
    if (hit != null) {
      return Future.succeededFuture(hit);
    }
    return run(evaluate).onSuccess(r -> put(key, r, ttl));
  }

  private static Future<PolicyResult> run(Supplier<Future<PolicyResult>> evaluate) {
    try {
      Future<PolicyResult> f = evaluate.get();
      return f == null ? Future.failedFuture(new IllegalStateException("the engine returned no result")) : f;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The live entry's result (counted as a hit or a miss), or null. */
  public PolicyResult lookup(Key key) {
    Entry e = map.get(key);
    if (e != null) {
      if (nanoClock.getAsLong() - e.expiresAtNanos < 0) {
        e.referenced = true;
        hits.increment();
        return e.value;
      }
      if (map.remove(key, e)) {
        expirations.increment();
      }
    }
    misses.increment();
    return null;
  }

  /** Stores {@code value} under {@code key} for {@code ttl} (null: the default TTL). */
  public void put(Key key, PolicyResult value, Duration ttl) {
    long ttlNanos = ttl == null ? defaultTtlNanos : ttl.toNanos();
    if (ttlNanos <= 0 || value == null) {
      return;
    }
    Entry e = new Entry(key, value, nanoClock.getAsLong() + ttlNanos);
    map.put(key, e);
    ring.offer(e);
    ringSize.incrementAndGet();
    if (map.size() > maxEntries || ringSize.get() > 2 * maxEntries) {
      evict();
    }
  }

  /**
   * Brings the map back to at most {@code maxEntries} and the ring to at most twice that (the ring
   * also holds stale nodes of replaced or removed entries, dropped here).
   */
  private void evict() {
    long now = nanoClock.getAsLong();
    int budget = 4 * maxEntries + 16;
    while (budget-- > 0 && (map.size() > maxEntries || ringSize.get() > 2 * maxEntries)) {
      Entry e = ring.poll();
      if (e == null) {
        return;
      }
      ringSize.decrementAndGet();
      if (map.get(e.key) != e) {
        continue; // stale: replaced, invalidated or expired already
      }
      if (now - e.expiresAtNanos >= 0) {
        if (map.remove(e.key, e)) {
          expirations.increment();
        }
        continue;
      }
      if (map.size() <= maxEntries || e.referenced) {
        // second chance, or only the ring is too long (stale nodes): keep the live entry
        if (map.size() > maxEntries) {
          e.referenced = false;
        }
        ring.offer(e);
        ringSize.incrementAndGet();
        continue;
      }
      if (map.remove(e.key, e)) {
        evictions.increment();
      }
    }
  }

  /** Drops every entry of {@code tenantId} (call when its policy revision changes). */
  public void invalidateTenant(String tenantId) {
    for (Map.Entry<Key, Entry> e : map.entrySet()) {
      if (e.getKey().tenantId().equals(tenantId)) {
        map.remove(e.getKey(), e.getValue());
      }
    }
  }

  /** Drops everything (e.g. the platform policy changed). */
  public void invalidateAll() {
    map.clear();
  }

  // ------------------------------------------------------------------ counters

  /** Live entries (expired ones not yet dropped included). */
  public int size() {
    return map.size();
  }

  public int maxEntries() {
    return maxEntries;
  }

  public long hits() {
    return hits.sum();
  }

  public long misses() {
    return misses.sum();
  }

  /** Entries removed to respect the size cap. */
  public long evictions() {
    return evictions.sum();
  }

  /** Entries dropped because their TTL had passed. */
  public long expirations() {
    return expirations.sum();
  }

  /** Evaluations that skipped the cache because the policy is not cacheable. */
  public long bypasses() {
    return bypasses.sum();
  }
}
