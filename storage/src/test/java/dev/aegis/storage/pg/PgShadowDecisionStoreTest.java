package dev.aegis.storage.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.ports.ShadowRecorder.ShadowDecision;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link PgShadowDecisionStore} on a scratch database: one-statement batch insert, paging by the
 * {@code before} cursor, the per-version summary, tenant isolation of every read, and retention.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgShadowDecisionStoreTest {

  ScratchDatabase db;
  Vertx vertx;
  Pool pool;
  PgShadowDecisionStore store;

  @BeforeAll
  void start() {
    db = ScratchDatabase.create(System.getProperty("aegis.test.pg.url", "postgresql://postgres@127.0.0.1:5432/test"),
        "shadow");
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(PgUrls.options(db.url()))
        .using(vertx).build();
    store = new PgShadowDecisionStore(pool);
  }

  @AfterAll
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    db.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static ShadowDecision d(String tenant, String version, int v, String live, String shadow, String rule, Instant at) {
    return new ShadowDecision(tenant, "req-" + UUID.randomUUID(), "agent-1", "shell.exec", version, v, live, shadow,
        rule, rule == null ? null : "because " + rule, at);
  }

  long count(String tenant) throws Exception {
    return await(pool.preparedQuery("SELECT count(*) FROM policy.shadow_decisions WHERE tenant_id = $1")
        .execute(Tuple.of(UUID.fromString(tenant)))).iterator().next().getLong(0);
  }

  @Test
  void should_insert_a_batch_and_page_newest_first_with_the_cursor() throws Exception {
    String t = UUID.randomUUID().toString();
    String v = UUID.randomUUID().toString();
    Instant base = Instant.now().minusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    List<ShadowDecision> batch = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      batch.add(d(t, v, 3, "ALLOW", "DENY", "r" + i, base.plusSeconds(i)));
    }
    assertThat(await(store.insert(batch))).isEqualTo(25);
    assertThat(count(t)).isEqualTo(25);

    List<PgShadowDecisionStore.Stored> seen = new ArrayList<>();
    Long before = null;
    int pages = 0;
    while (true) {
      List<PgShadowDecisionStore.Stored> page = await(store.page(UUID.fromString(t), 10, before));
      pages++;
      seen.addAll(page);
      if (page.size() < 10) {
        break;
      }
      before = page.get(page.size() - 1).id();
    }
    assertThat(pages).isEqualTo(3);
    assertThat(seen).hasSize(25);
    assertThat(seen.get(0).ruleId()).isEqualTo("r24");
    assertThat(seen.get(24).ruleId()).isEqualTo("r0");
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i).createdAt()).isBefore(seen.get(i - 1).createdAt());
    }
    PgShadowDecisionStore.Stored first = seen.get(0);
    assertThat(first.tenantId().toString()).isEqualTo(t);
    assertThat(first.shadowVersionId().toString()).isEqualTo(v);
    assertThat(first.shadowVersion()).isEqualTo(3);
    assertThat(first.tool()).isEqualTo("shell.exec");
    assertThat(first.reason()).isEqualTo("because r24");
    assertThat(first.createdAt().toInstant()).isEqualTo(base.plusSeconds(24));
    assertThat(first.toJson().getBoolean("would_have_blocked")).isTrue();
  }

  @Test
  void should_summarise_would_have_blocked_per_rule_of_one_version() throws Exception {
    String t = UUID.randomUUID().toString();
    String v1 = UUID.randomUUID().toString();
    String v2 = UUID.randomUUID().toString();
    Instant now = Instant.now();
    await(store.insert(List.of(
        d(t, v2, 2, "ALLOW", "DENY", "no_shell", now),
        d(t, v2, 2, "ALLOW", "DENY", "no_shell", now),
        d(t, v2, 2, "ALLOW", "ESCALATE", "review", now),
        d(t, v2, 2, "ALLOW", "DENY", null, now),
        d(t, v2, 2, "DENY", "ALLOW", null, now), // more lenient: divergent, not blocked
        d(t, v1, 1, "ALLOW", "DENY", "old_rule", now))));
    PgShadowDecisionStore.Summary s = await(store.summary(UUID.fromString(t), UUID.fromString(v2)));
    assertThat(s.wouldHaveBlocked()).isEqualTo(4);
    assertThat(s.divergent()).isEqualTo(5);
    assertThat(s.byRule()).isEqualTo(Map.of("no_shell", 2L, "review", 1L, "", 1L));
    assertThat(await(store.countsByVersion(UUID.fromString(t)))).containsExactly(
        Map.entry(1, 1L), Map.entry(2, 4L));
  }

  @Test
  void should_scope_every_read_to_the_tenant() throws Exception {
    String a = UUID.randomUUID().toString();
    String b = UUID.randomUUID().toString();
    String v = UUID.randomUUID().toString();
    Instant now = Instant.now();
    await(store.insert(List.of(d(a, v, 1, "ALLOW", "DENY", "a_rule", now), d(b, v, 1, "ALLOW", "DENY", "b_rule", now))));
    List<PgShadowDecisionStore.Stored> pageA = await(store.page(UUID.fromString(a), 100, null));
    assertThat(pageA).extracting(PgShadowDecisionStore.Stored::ruleId).containsExactly("a_rule");
    List<PgShadowDecisionStore.Stored> pageB = await(store.page(UUID.fromString(b), 100, null));
    // B's row id as A's cursor reveals nothing
    assertThat(await(store.page(UUID.fromString(a), 100, pageB.get(0).id() + 1))).isEmpty();
    assertThat(await(store.page(UUID.fromString(a), 100, pageB.get(0).id()))).isEmpty();
    // same shadow version id in both tenants: each counts its own
    assertThat(await(store.summary(UUID.fromString(a), UUID.fromString(v))).byRule()).isEqualTo(Map.of("a_rule", 1L));
    assertThat(await(store.countsByVersion(UUID.fromString(b)))).isEqualTo(Map.of(1, 1L));
  }

  @Test
  void should_skip_malformed_rows_and_keep_the_rest_of_the_batch() throws Exception {
    String t = UUID.randomUUID().toString();
    String v = UUID.randomUUID().toString();
    Instant now = Instant.now();
    String longReason = "x".repeat(5000);
    int n = await(store.insert(List.of(
        d("not-a-uuid", v, 1, "ALLOW", "DENY", "r", now),
        d(t, "nope", 1, "ALLOW", "DENY", "r", now),
        d(t, v, 1, "MAYBE", "DENY", "r", now),
        new ShadowDecision(t, "req\0nul", null, null, v, 1, "ALLOW", "DENY", null, longReason, null))));
    assertThat(n).isEqualTo(1);
    PgShadowDecisionStore.Stored row = await(store.page(UUID.fromString(t), 10, null)).get(0);
    assertThat(row.requestId()).isEqualTo("reqnul");
    assertThat(row.reason()).hasSize(PgShadowDecisionStore.MAX_TEXT);
    assertThat(await(store.insert(List.of()))).isZero();
  }

  @Test
  void should_delete_rows_older_than_the_cutoff_in_chunks() throws Exception {
    String t = UUID.randomUUID().toString();
    String v = UUID.randomUUID().toString();
    Instant old = Instant.now().minusSeconds(90L * 86400);
    List<ShadowDecision> batch = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      batch.add(d(t, v, 1, "ALLOW", "DENY", "old", old.plusSeconds(i)));
    }
    batch.add(d(t, v, 1, "ALLOW", "DENY", "fresh", Instant.now()));
    await(store.insert(batch));
    OffsetDateTime cutoff = OffsetDateTime.now(ZoneOffset.UTC).minusDays(30);
    assertThat(await(store.deleteOlderThan(cutoff, 3))).isEqualTo(3);
    assertThat(await(store.deleteOlderThan(cutoff, 3))).isEqualTo(2);
    assertThat(await(store.page(UUID.fromString(t), 10, null))).extracting(PgShadowDecisionStore.Stored::ruleId)
        .containsExactly("fresh");
  }
}
