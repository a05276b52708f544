package dev.aegis.launcher;

import static dev.aegis.launcher.LifecycleSupport.PASSWORD;
import static dev.aegis.launcher.LifecycleSupport.agent;
import static dev.aegis.launcher.LifecycleSupport.agentToken;
import static dev.aegis.launcher.LifecycleSupport.await;
import static dev.aegis.launcher.LifecycleSupport.claims;
import static dev.aegis.launcher.LifecycleSupport.email;
import static dev.aegis.launcher.LifecycleSupport.execute;
import static dev.aegis.launcher.LifecycleSupport.kid;
import static dev.aegis.launcher.LifecycleSupport.seedTenant;
import static dev.aegis.launcher.LifecycleSupport.seedUser;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.aegis.storage.pg.ScratchDatabase;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two gateway processes (two {@link AegisNode}s in this JVM, each with its own Vert.x and pool) on
 * the same scratch database, both with {@code AEGIS_REDIS_URL}: a change made through node A must
 * bind on node B in under a second (polled every 20 ms), for token revocation, refresh reuse,
 * agent credential rotation, API key revocation, the kill switch, grant revocation, quarantine and
 * signing-key rotation. Node B must have used (and cached) the object first. The measured
 * latencies are printed at the end ("propagation latency ...").
 *
 * <p>Logins go through {@link LifecycleRawHttp} from a random 127.x.y.z source address: the
 * per-IP failed-login counter lives in the shared test Redis, where other suites' deliberate
 * failures from 127.0.0.1 accumulate for 15 minutes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoNodePropagationTest {

  static final long LIMIT_MILLIS = 1000;

  ScratchDatabase db;
  AegisNode nodeA;
  AegisNode nodeB;
  int portA;
  int portB;
  Http a;
  Http b;
  String clientIp;
  String tenant;
  String adminEmail;
  String platformEmail;
  String admin;
  /** A token revoked through A before B started. */
  String revokedBeforeB;
  /** Invalidation subscriber connections of A and of B (Redis client name → id). */
  Map<String, Long> subscriberA;
  Map<String, Long> subscriberB;
  final Map<String, Long> latencies = new TreeMap<>();

  @BeforeAll
  void start() throws Exception {
    clientIp = "127." + ThreadLocalRandom.current().nextInt(1, 255) + "." + ThreadLocalRandom.current().nextInt(1, 255)
        + "." + ThreadLocalRandom.current().nextInt(2, 255);
    LifecycleRedis redis = new LifecycleRedis(TestEnv.redisUrl());
    db = ScratchDatabase.create(TestEnv.pgUrl(), "twonode");
    Map<String, String> env = Map.of("AEGIS_REDIS_URL", TestEnv.redisUrl());
    portA = TestEnv.freePort();
    Set<String> before = redis.clients("aegis-inv-").keySet();
    nodeA = LifecycleSupport.startNode(db.url(), portA, env);
    a = new Http(portA);
    tenant = seedTenant(db.url());
    adminEmail = email("admin");
    seedUser(db.url(), tenant, adminEmail, "ADMIN");
    platformEmail = email("platform");
    String platformId = seedUser(db.url(), tenant, platformEmail, "ADMIN");
    LifecycleSupport.jdbc(db.url(), "UPDATE identity.users SET is_platform_admin = true WHERE id = ?::uuid", platformId);
    admin = login(portA, adminEmail);
    // revoked before B exists: B must load it at startup
    revokedBeforeB = login(portA, adminEmail);
    assertThat(a.post("/auth/revoke", new JsonObject().put("token", revokedBeforeB), Http.bearer(admin)).status())
        .isEqualTo(200);
    subscriberA = newClients(redis, before);

    portB = TestEnv.freePort();
    before = redis.clients("aegis-inv-").keySet();
    nodeB = LifecycleSupport.startNode(db.url(), portB, env);
    b = new Http(portB);
    // warm-up: B's subscriber connects asynchronously after start; wait until a revocation made on A
    // reaches B before measuring anything (the first-message latency is reported separately)
    String probe = login(portA, adminEmail);
    assertThat(b.get("/auth/me", Http.bearer(probe)).status()).isEqualTo(200);
    assertThat(a.post("/auth/revoke", new JsonObject().put("token", probe), Http.bearer(admin)).status()).isEqualTo(200);
    long t0 = System.nanoTime();
    long warm = await(t0, 10_000, () -> b.get("/auth/me", Http.bearer(probe)).status() == 401);
    assertThat(warm).as("B never saw a revocation made on A").isNotNegative();
    latencies.put("0 warm-up: first revocation after B started", warm);
    subscriberB = newClients(redis, before);
  }

  private static Map<String, Long> newClients(LifecycleRedis redis, Set<String> before) {
    Map<String, Long> now = new TreeMap<>(redis.clients("aegis-inv-"));
    now.keySet().removeAll(before);
    return now;
  }

  @AfterAll
  void stop() throws Exception {
    latencies.forEach((k, v) -> System.out.println("propagation latency " + k + ": " + v + " ms"));
    System.out.println("propagation: 503 audit_unavailable answers retried or tolerated: " + auditFailures);
    try {
      if (nodeB != null) {
        nodeB.close();
      }
    } finally {
      try {
        if (nodeA != null) {
          nodeA.close();
        }
      } finally {
        if (db != null) {
          db.close();
        }
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  // Two writers on one database fork the audit chain heads (see the disabled test
  // should_audit_interleaved_requests_from_both_nodes): a node whose head of a (tenant, shard) is
  // stale fails that request with 503 audit_unavailable once, then reloads its heads. So that
  // the propagation tests measure propagation, set-up calls are retried on that answer (counted and
  // printed), and a change under test that answered 503 audit_unavailable counts as made (every
  // route here applies and publishes the change before it writes the audit row; a change that
  // was not made would fail the poll anyway).

  int auditFailures;

  private static boolean auditFailed(Http.Reply r) {
    return r.status() == 503 && "audit_unavailable".equals(r.json() == null ? null : r.error());
  }

  /** Runs a call again (up to 6 times) while it answers 503 audit_unavailable. */
  private Http.Reply call(java.util.function.Supplier<Http.Reply> s) {
    Http.Reply r = s.get();
    for (int i = 0; i < 5 && auditFailed(r); i++) {
      auditFailures++;
      r = s.get();
    }
    return r;
  }

  /** Runs a set-up step again (up to 6 times) while its assertion failed on 503 audit_unavailable. */
  private <T> T setup(java.util.function.Supplier<T> s) {
    for (int i = 0; ; i++) {
      try {
        return s.get();
      } catch (AssertionError e) {
        if (i == 5 || e.getMessage() == null || !e.getMessage().contains("audit_unavailable")) {
          throw e;
        }
        auditFailures++;
      }
    }
  }

  /** The change under test: {@code ok}, or 503 audit_unavailable (made, not audited). */
  private void change(java.util.function.Supplier<Http.Reply> s, int ok) {
    Http.Reply r = s.get();
    if (auditFailed(r)) {
      auditFailures++;
      return;
    }
    assertThat(r.status()).as(r.raw()).isEqualTo(ok);
  }

  private String[] agentOn(Http http, String adminToken, String... tools) {
    return setup(() -> agent(http, adminToken, tools));
  }

  /** Logs in on the node at {@code port} from this run's own client address. */
  private String login(int port, String email) {
    return session(port, email).getString("access_token");
  }

  private JsonObject session(int port, String email) {
    Http.Reply r = call(() -> new LifecycleRawHttp(clientIp, port).post("/auth/token",
        new JsonObject().put("email", email).put("password", PASSWORD).encode()));
    assertThat(r.status()).as("login " + email + ": " + r.raw()).isEqualTo(200);
    return r.data();
  }

  /** /execute answered 200 (retried on audit failures). */
  private void executes(Http http, String token, String agentId) {
    Http.Reply r = call(() -> execute(http, token, agentId));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
  }

  /**
   * Polls {@code cond} on B every 20 ms from now; asserts it holds within {@link #LIMIT_MILLIS}
   * and records the latency under {@code what}.
   */
  private void expectOnB(String what, java.util.function.BooleanSupplier cond) {
    long t0 = System.nanoTime();
    long ms = await(t0, 5_000, cond);
    latencies.put(what, ms);
    assertThat(ms).as(what + ": not seen on B within 5 s").isNotNegative();
    assertThat(ms).as(what + ": latency (ms)").isLessThan(LIMIT_MILLIS);
  }

  private static boolean is(Http.Reply r, int status, String error) {
    return r.status() == status && (error == null || error.equals(r.error()));
  }

  private static void assertError(Http.Reply r, int status, String key) {
    assertThat(r.status()).as(r.raw()).isEqualTo(status);
    assertThat(r.error()).as(r.raw()).isEqualTo(key);
  }

  // ---------------------------------------------------------------- tokens

  /** (a) A token revoked through A is refused by B (which had verified and cached it). */
  @Test
  void should_reject_on_B_a_token_revoked_on_A() {
    String[] ag = agentOn(a, admin, "db.query");
    String user = login(portA, adminEmail);
    assertThat(b.get("/auth/me", Http.bearer(user)).status()).isEqualTo(200);
    executes(b, user, ag[0]);
    change(() -> a.post("/auth/revoke", new JsonObject().put("token", user), Http.bearer(admin)), 200);
    expectOnB("a token revoked (management route)", () -> is(b.get("/auth/me", Http.bearer(user)), 401, "token_revoked"));
    assertError(execute(b, user, ag[0]), 401, "token_revoked");

    // the same for /execute polled directly, by jti
    String user2 = login(portA, adminEmail);
    executes(b, user2, ag[0]);
    change(() -> a.post("/auth/revoke", new JsonObject().put("jti", claims(user2).getString("jti")), Http.bearer(admin)),
        200);
    expectOnB("a token revoked by jti (/execute)", () -> is(execute(b, user2, ag[0]), 401, "token_revoked"));
  }

  /** (a) Logout on A ends the session on B. */
  @Test
  void should_reject_on_B_a_token_logged_out_on_A() {
    String user = login(portA, adminEmail);
    assertThat(b.get("/auth/me", Http.bearer(user)).status()).isEqualTo(200);
    change(() -> a.post("/auth/logout", null, Http.bearer(user)), 200);
    expectOnB("a logout", () -> is(b.get("/auth/me", Http.bearer(user)), 401, "token_revoked"));
  }

  /** A revocation made before B started is loaded by B at startup. */
  @Test
  void should_reject_on_B_a_token_revoked_before_B_started() {
    assertError(b.get("/auth/me", Http.bearer(revokedBeforeB)), 401, "token_revoked");
  }

  /** Refresh reuse detected on B revokes the family on A too (the other direction). */
  @Test
  void should_revoke_the_family_on_A_when_B_detects_refresh_reuse() {
    JsonObject s1 = session(portA, adminEmail);
    Http.Reply r = b.post("/auth/refresh", new JsonObject().put("refresh_token", s1.getString("refresh_token")), Map.of());
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    String at2 = r.data().getString("access_token");
    assertThat(a.get("/auth/me", Http.bearer(at2)).status()).isEqualTo(200);
    assertThat(a.get("/auth/me", Http.bearer(s1.getString("access_token"))).status()).isEqualTo(200);
    Http.Reply reuse = b.post("/auth/refresh", new JsonObject().put("refresh_token", s1.getString("refresh_token")), Map.of());
    if (!auditFailed(reuse)) {
      assertError(reuse, 401, "refresh_token_reused");
    }
    long t0 = System.nanoTime();
    long ms = await(t0, 5_000, () -> is(a.get("/auth/me", Http.bearer(at2)), 401, "token_revoked")
        && is(a.get("/auth/me", Http.bearer(s1.getString("access_token"))), 401, "token_revoked"));
    latencies.put("a refresh-reuse family revocation (B to A)", ms);
    assertThat(ms).isNotNegative().isLessThan(LIMIT_MILLIS);
  }

  /** Rotating an agent's secret on A revokes its old tokens on B. */
  @Test
  void should_reject_on_B_agent_tokens_of_a_rotated_secret() {
    String[] ag = agentOn(a, admin, "db.query");
    executes(b, ag[1], ag[0]);
    Http.Reply rot = call(() -> a.post("/auth/credentials", new JsonObject().put("agent_id", ag[0]), Http.bearer(admin)));
    assertThat(rot.status()).as(rot.raw()).isEqualTo(201);
    expectOnB("a agent secret rotated", () -> is(execute(b, ag[1], ag[0]), 401, "token_revoked"));
    String fresh = setup(() -> agentToken(b, ag[0], rot.data().getString("secret")));
    executes(b, fresh, ag[0]);
  }

  // ---------------------------------------------------------------- API keys

  /** (b) An API key revoked on A is refused by B, which had used and cached it. */
  @Test
  void should_reject_on_B_an_api_key_revoked_on_A() {
    Http.Reply k = call(() -> a.post("/api-keys", new JsonObject().put("name", "propagation").put("role", "VIEWER"),
        Http.bearer(admin)));
    assertThat(k.status()).as(k.raw()).isEqualTo(201);
    String key = k.data().getString("key");
    assertThat(b.get("/agents", Http.bearer(key)).status()).isEqualTo(200);
    assertThat(b.get("/agents", Http.bearer(key)).status()).isEqualTo(200); // served from B's cache
    change(() -> a.delete("/api-keys/" + k.data().getString("id"), Http.bearer(admin)), 200);
    expectOnB("b api key revoked", () -> {
      Http.Reply r = b.get("/agents", Http.bearer(key));
      return r.status() == 401 && ("api_key_revoked".equals(r.error()) || "invalid_api_key".equals(r.error()));
    });
  }

  // ---------------------------------------------------------------- kill switch

  /** (c) The kill switch engaged on A blocks /execute on B; disengaging on A unblocks B. */
  @Test
  void should_engage_and_disengage_the_kill_switch_on_B() {
    String t = seedTenant(db.url());
    String e = email("ks-admin");
    seedUser(db.url(), t, e, "ADMIN");
    String ksAdmin = login(portA, e);
    String[] ag = agentOn(a, ksAdmin, "db.query");
    executes(b, ag[1], ag[0]);
    change(() -> a.post("/decision/kill-switch/" + t, new JsonObject().put("action", "engage").put("reason", "propagation"),
        Http.bearer(ksAdmin)), 200);
    expectOnB("c kill switch engaged", () -> is(execute(b, ag[1], ag[0]), 403, "kill_switch_engaged"));
    change(() -> a.delete("/decision/kill-switch/" + t, Http.bearer(ksAdmin)), 200);
    expectOnB("c kill switch disengaged", () -> execute(b, ag[1], ag[0]).status() == 200);
    // other tenants were never affected
    String[] other = agentOn(a, admin, "db.query");
    executes(b, other[1], other[0]);
  }

  // ---------------------------------------------------------------- registry

  /** (d) A grant revoked on A is enforced by B, which had cached the agent. */
  @Test
  void should_enforce_on_B_a_grant_revoked_on_A() {
    String[] ag = agentOn(a, admin, "db.query", "http.get");
    executes(b, ag[1], ag[0]);
    change(() -> a.delete("/agents/" + ag[0] + "/permissions/" + ag[3], Http.bearer(admin)), 200);
    expectOnB("d grant revoked", () -> is(execute(b, ag[1], ag[0]), 403, "tool_not_permitted"));
  }

  /** (d) An agent quarantined on A is refused by B; released on A, it works on B again. */
  @Test
  void should_enforce_on_B_a_quarantine_made_on_A() {
    String[] ag = agentOn(a, admin, "db.query");
    executes(b, ag[1], ag[0]);
    change(() -> a.post("/agents/" + ag[0] + "/quarantine", new JsonObject().put("reason", "propagation test"),
        Http.bearer(admin)), 200);
    expectOnB("d agent quarantined", () -> is(execute(b, ag[1], ag[0]), 403, "agent_quarantined"));
    change(() -> a.post("/agents/" + ag[0] + "/release", new JsonObject(), Http.bearer(admin)), 200);
    expectOnB("d agent released", () -> execute(b, ag[1], ag[0]).status() == 200);
  }

  // ---------------------------------------------------------------- signing keys

  /** (e) After a key rotation on A, B accepts tokens signed with A's new key, and signs with it too. */
  @Test
  void should_accept_on_B_tokens_signed_with_a_key_rotated_on_A() throws Exception {
    String platform = login(portA, platformEmail);
    String oldKid = kid(platform);
    String[] ag = agentOn(a, admin, "db.query");
    Http.Reply rot = call(() -> a.post("/admin/keys/rotate", null, Http.bearer(platform)));
    assertThat(rot.status()).as(rot.raw()).isEqualTo(200);
    String newKid = rot.data().getString("active_kid");
    assertThat(newKid).isNotEqualTo(oldKid);
    String fresh = login(portA, adminEmail);
    assertThat(kid(fresh)).isEqualTo(newKid);
    expectOnB("e rotated key accepted", () -> b.get("/auth/me", Http.bearer(fresh)).status() == 200);
    String freshAgent = setup(() -> agentToken(a, ag[0], ag[2]));
    assertThat(kid(freshAgent)).isEqualTo(newKid);
    executes(b, freshAgent, ag[0]);
    // B publishes both keys and signs with the new one; old tokens still work on both
    JWKSet jwks = JWKSet.parse(b.get("/.well-known/jwks.json", Map.of()).raw());
    assertThat(jwks.getKeys()).extracting(JWK::getKeyID).contains(oldKid, newKid);
    assertThat(kid(setup(() -> agentToken(b, ag[0], ag[2])))).isEqualTo(newKid);
    assertThat(kid(login(portB, adminEmail))).isEqualTo(newKid);
    assertThat(b.get("/auth/me", Http.bearer(platform)).status()).isEqualTo(200);
    assertThat(a.get("/auth/me", Http.bearer(platform)).status()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- known problems

  /** Both nodes write audit rows for one tenant: every decision must still be audited (no 503). */
  @Test
  void should_audit_interleaved_requests_from_both_nodes() {
    String[] ag = agentOn(a, admin, "db.query");
    int failures = 0;
    StringBuilder seen = new StringBuilder();
    for (int i = 0; i < 24; i++) {
      Http.Reply r = execute(i % 2 == 0 ? a : b, ag[1], ag[0]);
      if (r.status() != 200) {
        failures++;
        seen.append(i % 2 == 0 ? "A:" : "B:").append(r.status()).append(' ').append(r.error()).append("; ");
      }
    }
    assertThat(failures).as("interleaved /execute on A and B that were not 200: " + seen).isZero();
    Http.Reply v = a.get("/audit/logs/verify", Http.bearer(admin));
    assertThat(v.status()).as(v.raw()).isEqualTo(200);
    assertThat(v.data().getBoolean("valid")).as(v.raw()).isTrue();
  }

  /**
   * Kills B's invalidation subscriber connection in Redis, makes {@code changes} through A while B
   * is reconnecting (B waits 50-100 ms before it reconnects), and waits until B is subscribed again.
   * Skipped when B's subscriber cannot be told apart from other suites' nodes, or when the changes
   * took too long to be sure they fell into the gap.
   */
  private void duringBsReconnect(Runnable changes) {
    Assumptions.assumeTrue(subscriberB.size() == 1, "B's subscriber connection could not be told apart: " + subscriberB);
    LifecycleRedis redis = new LifecycleRedis(TestEnv.redisUrl());
    String name = subscriberB.keySet().iterator().next();
    Long id = redis.clients(name).get(name);
    Assumptions.assumeTrue(id != null, "B's subscriber " + name + " is not connected");
    long t0 = System.nanoTime();
    assertThat(redis.kill(id)).isEqualTo(1);
    changes.run();
    long took = (System.nanoTime() - t0) / 1_000_000;
    assertThat(await(System.nanoTime(), 10_000, () -> {
      Long now = redis.clients(name).get(name);
      return now != null && !now.equals(id);
    })).as("B's subscriber reconnected").isNotNegative();
    Assumptions.assumeTrue(took < 45, "the changes took " + took + " ms: maybe not inside B's reconnect gap");
  }

  /**
   * A kill switch engaged and a token revoked while B's subscriber is reconnecting still bind on
   * B once it is subscribed again (B reloads them on re-subscribe), not only after a restart.
   */
  @Test
  void should_catch_up_on_B_after_its_subscriber_reconnects() {
    String t = seedTenant(db.url());
    String e = email("gap-admin");
    seedUser(db.url(), t, e, "ADMIN");
    String gapAdmin = login(portA, e);
    String[] ag = agentOn(a, gapAdmin, "db.query");
    String victim = login(portA, e);
    executes(b, ag[1], ag[0]);
    assertThat(b.get("/auth/me", Http.bearer(victim)).status()).isEqualTo(200);
    duringBsReconnect(() -> {
      change(() -> a.post("/decision/kill-switch/" + t, new JsonObject().put("action", "engage").put("reason", "gap"),
          Http.bearer(gapAdmin)), 200);
      change(() -> a.post("/auth/revoke", new JsonObject().put("token", victim), Http.bearer(gapAdmin)), 200);
    });
    long t0 = System.nanoTime();
    long ks = await(t0, 3_000, () -> is(execute(b, ag[1], ag[0]), 403, "kill_switch_engaged"));
    long tok = await(t0, 3_000, () -> is(b.get("/auth/me", Http.bearer(victim)), 401, "token_revoked"));
    latencies.put("f after reconnect: kill switch engaged in the gap", ks);
    latencies.put("f after reconnect: token revoked in the gap", tok);
    a.delete("/decision/kill-switch/" + t, Http.bearer(gapAdmin));
    assertThat(ks).as("kill switch engaged during B's reconnect is enforced on B").isNotNegative().isLessThan(LIMIT_MILLIS);
    assertThat(tok).as("token revoked during B's reconnect is refused on B").isNotNegative().isLessThan(LIMIT_MILLIS);
  }

  /** An API key revoked while B's subscriber is reconnecting is refused by B once it is subscribed again. */
  @Test
  void should_catch_up_an_api_key_revoked_during_Bs_reconnect() {
    Http.Reply k = call(() -> a.post("/api-keys", new JsonObject().put("name", "gap").put("role", "VIEWER"),
        Http.bearer(admin)));
    assertThat(k.status()).as(k.raw()).isEqualTo(201);
    String key = k.data().getString("key");
    assertThat(b.get("/agents", Http.bearer(key)).status()).isEqualTo(200);
    duringBsReconnect(() -> change(() -> a.delete("/api-keys/" + k.data().getString("id"), Http.bearer(admin)), 200));
    long ms = await(System.nanoTime(), 3_000, () -> b.get("/agents", Http.bearer(key)).status() == 401);
    assertThat(ms).as("API key revoked during B's reconnect is refused on B").isNotNegative().isLessThan(LIMIT_MILLIS);
  }

  /** A key rotation made while B's subscriber is reconnecting reaches B once it is subscribed again. */
  @Test
  void should_catch_up_a_key_rotation_made_during_Bs_reconnect() {
    String platform = login(portA, platformEmail);
    String[] kid = new String[1];
    duringBsReconnect(() -> {
      Http.Reply rot = a.post("/admin/keys/rotate", null, Http.bearer(platform));
      if (rot.status() == 200) {
        kid[0] = rot.data().getString("active_kid");
      }
    });
    String fresh = login(portA, adminEmail);
    assertThat(kid(fresh)).isEqualTo(kid[0]);
    long ms = await(System.nanoTime(), 3_000, () -> b.get("/auth/me", Http.bearer(fresh)).status() == 200);
    assertThat(ms).as("token of a key rotated during B's reconnect is accepted by B").isNotNegative()
        .isLessThan(LIMIT_MILLIS);
  }

  /** Sanity: both nodes really are separate processes on one database (different subscribers). */
  @Test
  void should_run_two_distinct_nodes() {
    assertThat(nodeA.vertx()).isNotSameAs(nodeB.vertx());
    assertThat(portA).isNotEqualTo(portB);
    assertThat(subscriberB.keySet()).doesNotContainAnyElementsOf(subscriberA.keySet());
    assertThat(a.get("/health", Map.of()).status()).isEqualTo(200);
    assertThat(b.get("/readiness", Map.of()).status()).isEqualTo(200);
  }
}
