package dev.aegis.verticles.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.policy.DecisionCache;
import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.ports.PolicyResult;
import dev.aegis.pipeline.ports.TenantPolicySource;
import dev.aegis.pipeline.ports.TenantPolicySource.TenantPolicy;
import dev.aegis.pipeline.rego.RegoCompiler;
import dev.aegis.pipeline.rego.Values;
import dev.aegis.storage.pg.PgShadowDecisionStore;
import dev.aegis.storage.pg.PgUrls;
import dev.aegis.storage.pg.ScratchDatabase;
import dev.aegis.verticles.runtime.RegoPolicyEngine;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Stage 4's engine with the real writer and store on a scratch database: requests the tenant's
 * shadow policy would have denied or escalated end up in {@code policy.shadow_decisions}, the
 * request's own result is the live one, and requests where shadow and live agree leave no row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShadowRecordingEndToEndTest {

  static final String PLATFORM = """
      package aegis.platform

      decision := {"allow": true}
      """;

  static final String SHADOW = """
      package aegis.tenant

      deny contains {"id": "no_shell", "reason": "no shell in shadow", "severity": "high"} if {
        input.tool == "shell.exec"
      }

      escalate contains "review_http" if input.tool == "http.post"
      """;

  ScratchDatabase db;
  Vertx vertx;
  Pool pool;
  PgShadowDecisionStore store;

  @BeforeAll
  void start() {
    db = ScratchDatabase.create(System.getProperty("aegis.test.pg.url", "postgresql://postgres@127.0.0.1:5432/test"),
        "shadowe2e");
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

  <T> T onLoop(java.util.function.Supplier<Future<T>> call) throws Exception {
    Promise<T> p = Promise.promise();
    vertx.runOnContext(v -> call.get().onComplete(p));
    return await(p.future());
  }

  @Test
  void should_store_what_the_shadow_would_have_blocked_and_nothing_else() throws Exception {
    String tenant = UUID.randomUUID().toString();
    String versionId = UUID.randomUUID().toString();
    TenantPolicy shadow = new TenantPolicy(tenant, versionId, 4, "r1", Map.of("s.rego", SHADOW),
        RegoCompiler.compile(Map.of("s.rego", SHADOW)));
    TenantPolicySource source = new TenantPolicySource() {
      @Override
      public TenantPolicy active(String tenantId) {
        return null;
      }

      @Override
      public TenantPolicy shadow(String tenantId) {
        return tenant.equals(tenantId) ? shadow : null;
      }
    };
    ShadowDecisionWriter writer = new ShadowDecisionWriter(vertx, store::insert, 1000, 500, 50);
    RegoPolicyEngine engine = new RegoPolicyEngine(RegoCompiler.compile(Map.of("p.rego", PLATFORM)), "p1",
        Values.parseJson("{}"), source, new DecisionCache(100, Duration.ofSeconds(5)), Duration.ofSeconds(5),
        writer, Clock.systemUTC());

    for (String tool : List.of("shell.exec", "http.post", "db.query")) {
      PolicyInput in = new PolicyInput(tenant, "agent-1", "Agent", "low", tool, new JsonObject(), "",
          "req-" + tool, List.of());
      PolicyResult r = onLoop(() -> engine.evaluate(in));
      assertThat(r.allowed()).as("live allows " + tool).isTrue();
      assertThat(r.escalate()).isFalse();
    }
    await(writer.close());

    List<PgShadowDecisionStore.Stored> rows = await(store.page(UUID.fromString(tenant), 10, null));
    assertThat(rows).extracting(PgShadowDecisionStore.Stored::requestId)
        .containsExactlyInAnyOrder("req-shell.exec", "req-http.post");
    PgShadowDecisionStore.Stored shell = rows.stream().filter(x -> x.tool().equals("shell.exec")).findFirst()
        .orElseThrow();
    assertThat(shell.liveDecision()).isEqualTo("ALLOW");
    assertThat(shell.shadowDecision()).isEqualTo("DENY");
    assertThat(shell.shadowVersion()).isEqualTo(4);
    assertThat(shell.shadowVersionId().toString()).isEqualTo(versionId);
    assertThat(shell.ruleId()).endsWith("no_shell");
    assertThat(shell.reason()).isEqualTo("no shell in shadow");
    PgShadowDecisionStore.Summary s = await(store.summary(UUID.fromString(tenant), UUID.fromString(versionId)));
    assertThat(s.wouldHaveBlocked()).isEqualTo(2);
    assertThat(writer.written()).isEqualTo(2);
  }
}
