package dev.aegis.pipeline.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.ports.PolicyResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DecisionCacheTest {

  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final AtomicInteger evaluations = new AtomicInteger();

  static PolicyInput input(String tenant, String agent, String tool, JsonObject payload, List<String> flags) {
    return new PolicyInput(tenant, agent, "agent-" + agent, "low", tool, payload, payload.encode(), "req-1", flags);
  }

  static PolicyInput input(JsonObject payload) {
    return input("t1", "a1", "shell.exec", payload, List.of());
  }

  Future<PolicyResult> evaluate(String version) {
    evaluations.incrementAndGet();
    return Future.succeededFuture(PolicyResult.clean(version));
  }

  DecisionCache cache(int max, Duration ttl) {
    return new DecisionCache(max, ttl, now::get);
  }

  @Test
  void should_serve_a_hit_without_evaluating_again() {
    DecisionCache c = cache(10, Duration.ofMinutes(5));
    DecisionCache.Key k = DecisionCache.key(input(new JsonObject().put("cmd", "ls")), "rev-1");
    PolicyResult first = c.get(k, () -> evaluate("rev-1")).result();
    PolicyResult second = c.get(k, () -> evaluate("rev-1")).result();
    assertThat(second).isSameAs(first);
    assertThat(evaluations.get()).isEqualTo(1);
    assertThat(c.hits()).isEqualTo(1);
    assertThat(c.misses()).isEqualTo(1);
  }

  @Test
  void should_key_by_the_exact_action_not_its_structure() {
    // same shape (one string field "cmd"), opposite meaning: never the same key
    String ls = DecisionCache.digest(input(new JsonObject().put("cmd", "ls")));
    String rm = DecisionCache.digest(input(new JsonObject().put("cmd", "rm -rf /")));
    assertThat(ls).isNotEqualTo(rm).hasSize(64);
    // key order on the wire and number spelling do not matter
    PolicyInput p1 = new PolicyInput("t1", "a1", "n", "low", "t", new JsonObject("{\"a\":1,\"b\":2}"), "x", "r1", List.of());
    PolicyInput p2 = new PolicyInput("t1", "a1", "n", "low", "t", new JsonObject("{\"b\":2,\"a\":1.0}"), "x", "r2", List.of());
    assertThat(DecisionCache.digest(p1)).isEqualTo(DecisionCache.digest(p2));
  }

  @Test
  void should_separate_findings_risk_level_text_tenant_agent_tool_and_revision() {
    JsonObject p = new JsonObject().put("q", "select 1");
    PolicyInput base = new PolicyInput("t1", "a1", "n", "low", "db.query", p, "select 1", "r", List.of());
    DecisionCache.Key k = DecisionCache.key(base, "rev-1");
    assertThat(DecisionCache.key(new PolicyInput("t1", "a1", "n", "low", "db.query", p, "select 1", "r",
        List.of("pii_card_number")), "rev-1")).isNotEqualTo(k);
    assertThat(DecisionCache.key(new PolicyInput("t1", "a1", "n", "critical", "db.query", p, "select 1", "r",
        List.of()), "rev-1")).isNotEqualTo(k);
    assertThat(DecisionCache.key(new PolicyInput("t1", "a1", "n", "low", "db.query", p, "select 1; drop", "r",
        List.of()), "rev-1")).isNotEqualTo(k);
    assertThat(DecisionCache.key(new PolicyInput("t2", "a1", "n", "low", "db.query", p, "select 1", "r",
        List.of()), "rev-1")).isNotEqualTo(k);
    assertThat(DecisionCache.key(new PolicyInput("t1", "a2", "n", "low", "db.query", p, "select 1", "r",
        List.of()), "rev-1")).isNotEqualTo(k);
    assertThat(DecisionCache.key(new PolicyInput("t1", "a1", "n", "low", "db.exec", p, "select 1", "r",
        List.of()), "rev-1")).isNotEqualTo(k);
    assertThat(DecisionCache.key(base, "rev-2")).isNotEqualTo(k);
    // the request id is per request and not part of the key
    assertThat(DecisionCache.key(new PolicyInput("t1", "a1", "n", "low", "db.query", p, "select 1", "other",
        List.of()), "rev-1")).isEqualTo(k);
  }

  @Test
  void should_expire_entries_after_their_ttl() {
    DecisionCache c = cache(10, Duration.ofSeconds(60));
    DecisionCache.Key k = DecisionCache.key(input(new JsonObject().put("x", 1)), "r");
    c.get(k, () -> evaluate("r"));
    now.addAndGet(Duration.ofSeconds(59).toNanos());
    c.get(k, () -> evaluate("r"));
    assertThat(evaluations.get()).isEqualTo(1);
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    c.get(k, () -> evaluate("r"));
    assertThat(evaluations.get()).isEqualTo(2);
    assertThat(c.expirations()).isEqualTo(1);
    // a per-entry TTL (e.g. the tenant tier's) overrides the default
    DecisionCache.Key k2 = DecisionCache.key(input(new JsonObject().put("x", 2)), "r");
    c.get(k2, true, Duration.ofSeconds(1), () -> evaluate("r"));
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(c.lookup(k2)).isNull();
  }

  @Test
  void should_never_hold_more_than_its_cap_and_count_evictions() {
    DecisionCache c = cache(100, Duration.ofHours(1));
    for (int i = 0; i < 10_000; i++) {
      c.put(DecisionCache.key(input(new JsonObject().put("i", i)), "r"), PolicyResult.clean("r"), null);
      assertThat(c.size()).isLessThanOrEqualTo(100);
    }
    assertThat(c.evictions()).isEqualTo(10_000 - 100);
  }

  @Test
  void should_keep_recently_used_entries_over_unused_ones() {
    DecisionCache c = cache(10, Duration.ofHours(1));
    List<DecisionCache.Key> keys = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      DecisionCache.Key k = DecisionCache.key(input(new JsonObject().put("i", i)), "r");
      keys.add(k);
      c.put(k, PolicyResult.clean("r"), null);
    }
    DecisionCache.Key hot = keys.get(0);
    assertThat(c.lookup(hot)).isNotNull();
    for (int i = 10; i < 15; i++) {
      c.put(DecisionCache.key(input(new JsonObject().put("i", i)), "r"), PolicyResult.clean("r"), null);
      assertThat(c.lookup(hot)).as("the hot entry survives insertion " + i).isNotNull();
    }
    assertThat(c.lookup(keys.get(1))).as("the oldest cold entry went first").isNull();
  }

  @Test
  void should_not_grow_its_ring_when_the_same_keys_are_replaced() {
    DecisionCache c = cache(5, Duration.ofHours(1));
    DecisionCache.Key k = DecisionCache.key(input(new JsonObject()), "r");
    for (int i = 0; i < 100_000; i++) {
      c.put(k, PolicyResult.clean("r"), null);
    }
    assertThat(c.size()).isEqualTo(1);
    assertThat(c.lookup(k)).isNotNull();
    assertThat(c.evictions()).isZero();
  }

  @Test
  void should_bypass_when_the_policy_is_not_cacheable() {
    DecisionCache c = cache(10, Duration.ofHours(1));
    DecisionCache.Key k = DecisionCache.key(input(new JsonObject().put("x", 1)), "r");
    c.get(k, false, null, () -> evaluate("r"));
    c.get(k, false, null, () -> evaluate("r"));
    assertThat(evaluations.get()).isEqualTo(2);
    assertThat(c.size()).isZero();
    assertThat(c.bypasses()).isEqualTo(2);
    assertThat(c.hits() + c.misses()).isZero();
  }

  @Test
  void should_not_cache_failures() {
    DecisionCache c = cache(10, Duration.ofHours(1));
    DecisionCache.Key k = DecisionCache.key(input(new JsonObject().put("x", 1)), "r");
    Future<PolicyResult> failed = c.get(k, () -> Future.failedFuture(new IllegalStateException("down")));
    assertThat(failed.failed()).isTrue();
    Future<PolicyResult> thrown = c.get(k, () -> {
      throw new IllegalStateException("boom");
    });
    assertThat(thrown.failed()).isTrue();
    assertThat(c.size()).isZero();
    assertThat(c.get(k, false, null, () -> {
      throw new IllegalStateException("boom");
    }).failed()).as("a throwing uncacheable evaluation is a failed future too").isTrue();
    assertThat(c.get(k, () -> evaluate("r")).succeeded()).isTrue();
    assertThat(c.size()).isEqualTo(1);
  }

  @Test
  void should_invalidate_one_tenant_only() {
    DecisionCache c = cache(10, Duration.ofHours(1));
    DecisionCache.Key a = DecisionCache.key(input("ta", "a", "t", new JsonObject(), List.of()), "r");
    DecisionCache.Key b = DecisionCache.key(input("tb", "a", "t", new JsonObject(), List.of()), "r");
    c.put(a, PolicyResult.clean("r"), null);
    c.put(b, PolicyResult.clean("r"), null);
    c.invalidateTenant("ta");
    assertThat(c.lookup(a)).isNull();
    assertThat(c.lookup(b)).isNotNull();
    c.invalidateAll();
    assertThat(c.size()).isZero();
  }

  @Test
  void should_stay_bounded_and_consistent_under_concurrent_use() throws Exception {
    DecisionCache c = new DecisionCache(64, Duration.ofHours(1));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch done = new CountDownLatch(4);
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int t = 0; t < 4; t++) {
      int seed = t;
      pool.execute(() -> {
        try {
          for (int i = 0; i < 20_000; i++) {
            int n = (i * 31 + seed) % 200;
            DecisionCache.Key k = DecisionCache.key(input(new JsonObject().put("n", n)), "r");
            PolicyResult r = c.get(k, () -> Future.succeededFuture(PolicyResult.clean("v" + n))).result();
            if (!r.policyVersion().equals("v" + n)) {
              throw new AssertionError("wrong value for " + n + ": " + r.policyVersion());
            }
          }
        } catch (Throwable e) {
          errors.add(e);
        } finally {
          done.countDown();
        }
      });
    }
    assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
    pool.shutdown();
    assertThat(errors).isEmpty();
    assertThat(c.size()).isLessThanOrEqualTo(64 + 4);
    assertThat(c.hits() + c.misses()).isEqualTo(80_000);
  }

  @Test
  void should_refuse_nonsense_bounds() {
    assertThatThrownBy(() -> new DecisionCache(0, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DecisionCache(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
