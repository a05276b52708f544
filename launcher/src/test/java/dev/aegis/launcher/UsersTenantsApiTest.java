package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.storage.pg.PgUrls;
import dev.aegis.storage.pg.ScratchDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Black-box tests of users and tenants over HTTP on a real node and a scratch database: tenant
 * creation by the platform admin, invites, role changes, disable and soft delete, self-change
 * guards, mass assignment, role gates, tenant isolation (BOLA), and quotas reaching /execute.
 * Every reply is recorded; none may carry a password hash or an invite token hash.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsersTenantsApiTest {

  static final String PASSWORD = "correct horse battery staple";
  static final String PLATFORM_TENANT = AegisNode.DEMO_TENANT;

  ScratchDatabase db;
  AegisNode node;
  Http http;
  String platform;
  String tenantA;
  String tenantB;
  String adminAEmail;
  String adminAId;
  String adminA;
  String adminB;
  final List<String> replies = new ArrayList<>();
  final List<String> inviteHashes = new ArrayList<>();

  final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> blocked =
      new ch.qos.logback.core.read.ListAppender<>();

  @BeforeAll
  void start() throws Exception {
    ch.qos.logback.classic.Logger checker = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker");
    blocked.start();
    checker.addAppender(blocked);
    db = ScratchDatabase.create(TestEnv.pgUrl(), "users");
    int port = TestEnv.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("AEGIS_PG_URL", db.url());
    env.put("AEGIS_PORT", Integer.toString(port));
    env.put("AEGIS_ADMIN_PASSWORD", PASSWORD);
    env.put("AEGIS_INSTANCES", "2");
    env.put("AEGIS_MAX_EVENT_LOOP_MS", "100");
    env.put("AEGIS_LIMITS_AGENT_RPS", "1000");
    env.put("AEGIS_LIMITS_AGENT_BURST", "1000");
    env.put("AEGIS_LIMITS_TENANT_RPS", "10000");
    env.put("AEGIS_LIMITS_TENANT_BURST", "10000");
    node = AegisNode.start(AegisConfig.fromEnv(env));
    http = new Http(port);
    platform = login(AegisNode.ADMIN_EMAIL, PLATFORM_TENANT, PASSWORD);
    adminAEmail = "admin-a-" + suffix() + "@acme.example";
    JsonObject a = createTenant("Acme", adminAEmail);
    tenantA = a.getString("id");
    adminAId = a.getJsonObject("admin_user").getString("id");
    String adminBEmail = "admin-b-" + suffix() + "@beta.example";
    tenantB = createTenant("Beta", adminBEmail).getString("id");
    adminA = login(adminAEmail, tenantA, PASSWORD);
    adminB = login(adminBEmail, tenantB, PASSWORD);
    blocked.list.clear();
  }

  @AfterAll
  void stop() throws Exception {
    try {
      assertThat(blocked.list).as("event loops blocked longer than 100 ms").isEmpty();
      for (String raw : replies) {
        assertThat(raw).doesNotContain("$argon2");
        for (String h : inviteHashes) {
          assertThat(raw).doesNotContain(h);
        }
        if (raw.startsWith("{")) {
          assertNoSecretKeys(new JsonObject(raw));
        }
      }
    } finally {
      if (node != null) {
        node.close();
      }
      if (db != null) {
        db.close();
      }
    }
  }

  // ---------------------------------------------------------------- tenants

  /** Verifies that the platform admin creates a tenant whose first ADMIN can log in, audited in the new tenant. */
  @Test
  void should_create_a_tenant_whose_admin_can_log_in() {
    Http.Reply me = get("/auth/me", adminA);
    assertThat(me.status()).as(me.raw()).isEqualTo(200);
    assertThat(me.data().getString("tenant_id")).isEqualTo(tenantA);
    assertThat(me.data().getString("role")).isEqualTo("ADMIN");
    assertThat(me.data().getString("email")).isEqualTo(adminAEmail);
    assertThat(me.data().getBoolean("platform_admin")).isFalse();
    assertThat(me.data().getString("subject")).isEqualTo(adminAId);

    Http.Reply own = get("/auth/tenants/" + tenantA, adminA);
    assertThat(own.status()).as(own.raw()).isEqualTo(200);
    assertThat(own.data().getString("name")).isEqualTo("Acme");
    assertThat(own.data().getString("tier")).isEqualTo("premium");
    assertThat(get("/auth/tenants/" + tenantA, platform).status()).isEqualTo(200);
    assertThat(get("/auth/tenants/" + tenantA, adminB).status()).isEqualTo(404);
    assertThat(get("/auth/tenants/" + UUID.randomUUID(), platform).status()).isEqualTo(404);
    assertThat(get("/auth/tenants/not-a-uuid", platform).status()).isEqualTo(404);

    Http.Reply list = get("/admin/tenants?limit=1000", platform);
    assertThat(list.status()).as(list.raw()).isEqualTo(200);
    assertThat(list.data().getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("id")).toList())
        .contains(tenantA, tenantB, PLATFORM_TENANT);
    assertThat(list.data().getLong("total")).isGreaterThanOrEqualTo(3);

    JsonArray audit = auditRows(adminA, "action=platform_admin_tenant_created");
    assertThat(audit).hasSize(1);
    assertThat(auditRows(platform, "action=tenant_created").stream()
        .map(o -> ((JsonObject) o).encode()).filter(s -> s.contains(tenantA)).count()).isEqualTo(1);
  }

  /** Verifies tenant creation input rules: password policy, duplicate e-mail, unknown and protected fields. */
  @Test
  void should_validate_tenant_creation() {
    Http.Reply weak = post("/auth/tenants", new JsonObject().put("name", "Weak")
        .put("admin_email", "weak-" + suffix() + "@x.example").put("admin_password", "short"), platform);
    assertThat(weak.status()).as(weak.raw()).isEqualTo(400);
    assertThat(weak.error()).isEqualTo("weak_password");
    Http.Reply dup = post("/auth/tenants", new JsonObject().put("name", "Dup")
        .put("admin_email", adminAEmail.toUpperCase()).put("admin_password", PASSWORD), platform);
    assertThat(dup.status()).as(dup.raw()).isEqualTo(409);
    assertThat(dup.error()).isEqualTo("conflict");
    Http.Reply forcedId = post("/auth/tenants", new JsonObject().put("name", "Forced").put("tenant_id", tenantB)
        .put("admin_email", "f-" + suffix() + "@x.example").put("admin_password", PASSWORD), platform);
    assertThat(forcedId.status()).as(forcedId.raw()).isEqualTo(400);
    assertThat(forcedId.error()).isEqualTo("validation_error");
    Http.Reply badBurst = post("/auth/tenants", new JsonObject().put("name", "Bad").put("burst", 0)
        .put("admin_email", "b-" + suffix() + "@x.example").put("admin_password", PASSWORD), platform);
    assertThat(badBurst.status()).as(badBurst.raw()).isEqualTo(400);
  }

  /** Verifies function-level authorization: only the platform admin reaches tenant administration. */
  @Test
  void should_refuse_tenant_administration_to_others() {
    JsonObject body = new JsonObject().put("name", "Nope").put("admin_email", "n-" + suffix() + "@x.example")
        .put("admin_password", PASSWORD);
    for (String token : List.of(adminA, adminB)) {
      Http.Reply create = post("/auth/tenants", body, token);
      assertThat(create.status()).as(create.raw()).isEqualTo(403);
      assertThat(create.error()).isEqualTo("platform_admin_required");
      Http.Reply list = get("/admin/tenants", token);
      assertThat(list.status()).as(list.raw()).isEqualTo(403);
      assertThat(list.error()).isEqualTo("platform_admin_required");
      Http.Reply patch = patch("/admin/tenants/" + tenantA, new JsonObject().put("burst", 1), token);
      assertThat(patch.status()).as(patch.raw()).isEqualTo(403);
    }
    assertThat(get("/admin/tenants", null).status()).isEqualTo(401);
  }

  /** Verifies that a quota change is visible in /tenant/quota and enforced by /execute on the next request. */
  @Test
  void should_apply_a_quota_change_on_the_next_request() throws Exception {
    String[] ag = agent(adminB, tenantB, "db.query");
    JsonObject q = new JsonObject().put("query", "SELECT id FROM orders WHERE id = 42");
    assertThat(execute(ag, q).status()).isEqualTo(200); // warm the tenant cache with the old limits

    Http.Reply bad = patch("/admin/tenants/" + tenantB, new JsonObject().put("agent_burst", 2).put("id", tenantA), platform);
    assertThat(bad.status()).as(bad.raw()).isEqualTo(400);
    Http.Reply unknown = patch("/admin/tenants/" + tenantB, new JsonObject().put("agent_bursts", 2), platform);
    assertThat(unknown.status()).as(unknown.raw()).isEqualTo(400);
    assertThat(patch("/admin/tenants/" + UUID.randomUUID(), new JsonObject().put("agent_burst", 2), platform).status())
        .isEqualTo(404);

    Http.Reply p = patch("/admin/tenants/" + tenantB, new JsonObject().put("agent_burst", 2)
        .put("agent_requests_per_second", 0.01).put("daily_request_cap", 5000)
        .put("settings", new JsonObject().put("region", "eu")), platform);
    assertThat(p.status()).as(p.raw()).isEqualTo(200);
    assertThat(p.data().getInteger("agent_burst")).isEqualTo(2);
    assertThat(p.data().getJsonObject("settings").getString("region")).isEqualTo("eu");

    Http.Reply quota = get("/tenant/quota", adminB);
    assertThat(quota.status()).as(quota.raw()).isEqualTo(200);
    assertThat(quota.data().getInteger("agent_burst")).isEqualTo(2);
    assertThat(quota.data().getDouble("agent_requests_per_second")).isEqualTo(0.01);
    assertThat(quota.data().getLong("daily_request_cap")).isEqualTo(5000);
    assertThat(quota.data().getInteger("burst")).isEqualTo(10000); // the configured default
    assertThat(get("/tenant/quota", adminA).data().getInteger("agent_burst")).isEqualTo(1000);

    // distinct actions, so that the 1 s replay window does not answer first
    String[] fresh = agent(adminB, tenantB, "db.query");
    for (int i = 1; i <= 2; i++) {
      Http.Reply ok = execute(fresh, new JsonObject().put("query", "SELECT id FROM orders WHERE id = " + i));
      assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
    }
    Http.Reply third = execute(fresh, new JsonObject().put("query", "SELECT id FROM orders WHERE id = 3"));
    assertThat(third.status()).as(third.raw()).isEqualTo(429);
    assertThat(third.error()).isEqualTo("rate_limited");
    assertThat(third.json().getString("limit_type")).isEqualTo("agent_rps");
    assertThat(auditRows(adminB, "action=platform_admin_tenant_updated")).isNotEmpty();

    // back to the defaults (null) so other tests of tenant B are not limited
    Http.Reply reset = patch("/admin/tenants/" + tenantB, new JsonObject().putNull("agent_burst")
        .putNull("agent_requests_per_second"), platform);
    assertThat(reset.status()).as(reset.raw()).isEqualTo(200);
    assertThat(get("/tenant/quota", adminB).data().getInteger("agent_burst")).isEqualTo(1000);
  }

  // ---------------------------------------------------------------- users

  /** Verifies invite → accept → login with the invited role, and single use / expiry of invites. */
  @Test
  void should_invite_accept_and_log_in_once() throws Exception {
    String email = "invitee-" + suffix() + "@acme.example";
    Http.Reply inv = post("/users/invite", new JsonObject().put("email", email).put("role", "AUDITOR")
        .put("full_name", "Ivy Invitee"), adminA);
    assertThat(inv.status()).as(inv.raw()).isEqualTo(201);
    String token = inv.data().getString("invite_token");
    assertThat(token).startsWith("inv_");
    inviteHashes.add(sha256(token));
    assertThat(dbString("SELECT token_hash FROM identity.user_invites WHERE email = ?", email)).isEqualTo(sha256(token));

    Http.Reply weak = post("/users/accept-invite", new JsonObject().put("token", token).put("password", "short"), null);
    assertThat(weak.status()).as(weak.raw()).isEqualTo(400);
    Http.Reply acc = post("/users/accept-invite", new JsonObject().put("token", token).put("password", PASSWORD + "!"), null);
    assertThat(acc.status()).as(acc.raw()).isEqualTo(201);
    assertThat(acc.data().getString("role")).isEqualTo("AUDITOR");
    assertThat(acc.data().getString("tenant_id")).isEqualTo(tenantA);
    assertThat(acc.data().getString("full_name")).isEqualTo("Ivy Invitee");

    Http.Reply again = post("/users/accept-invite", new JsonObject().put("token", token).put("password", PASSWORD), null);
    assertThat(again.status()).as(again.raw()).isEqualTo(400);
    assertThat(again.error()).isEqualTo("invalid_invite");

    Http.Reply login = http.post("/auth/token", new JsonObject().put("email", email).put("password", PASSWORD + "!"),
        Map.of("X-Tenant-ID", tenantA));
    replies.add(login.raw());
    assertThat(login.status()).as(login.raw()).isEqualTo(200);
    assertThat(login.data().getString("role")).isEqualTo("AUDITOR");
    String auditor = login.data().getString("access_token");
    // AUDITOR reads users but cannot write
    assertThat(get("/users", auditor).status()).isEqualTo(200);
    Http.Reply create = post("/users", userBody("x-" + suffix() + "@acme.example", "VIEWER"), auditor);
    assertThat(create.status()).as(create.raw()).isEqualTo(403);
    assertThat(create.error()).isEqualTo("insufficient_role");
    assertThat(auditRows(adminA, "action=user_invite")).isNotEmpty();
    assertThat(auditRows(adminA, "action=user_invite_accepted")).isNotEmpty();

    // an expired invite, inserted directly
    String expired = "inv_expired_" + suffix();
    inviteHashes.add(sha256(expired));
    try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement("INSERT INTO identity.user_invites"
        + " (token_hash, tenant_id, email, role, expires_at) VALUES (?, ?::uuid, ?, 'VIEWER', now() - interval '1 minute')")) {
      s.setString(1, sha256(expired));
      s.setString(2, tenantA);
      s.setString(3, "late-" + suffix() + "@acme.example");
      s.executeUpdate();
    }
    Http.Reply late = post("/users/accept-invite", new JsonObject().put("token", expired).put("password", PASSWORD), null);
    assertThat(late.status()).as(late.raw()).isEqualTo(400);
    assertThat(late.error()).isEqualTo("invalid_invite");
    Http.Reply unknown = post("/users/accept-invite", new JsonObject().put("token", "inv_nope").put("password", PASSWORD), null);
    assertThat(unknown.error()).isEqualTo("invalid_invite");

    // invites validate their input and refuse taken e-mails
    assertThat(post("/users/invite", new JsonObject().put("email", email).put("role", "VIEWER"), adminA).status())
        .isEqualTo(409);
    assertThat(post("/users/invite", new JsonObject().put("email", "a-" + suffix() + "@acme.example")
        .put("role", "agent"), adminA).error()).isEqualTo("validation_error");
    assertThat(post("/users/invite", new JsonObject().put("email", "a-" + suffix() + "@acme.example")
        .put("role", "VIEWER").put("tenant_id", tenantB), adminA).error()).isEqualTo("validation_error");
  }

  /** Verifies role change (old tokens revoked), disable (login refused) and the audit rows. */
  @Test
  void should_change_role_and_disable_a_user() {
    String email = "sec-" + suffix() + "@acme.example";
    String id = createUser(adminA, email, "SECURITY");
    String token = login(email, tenantA, PASSWORD);
    assertThat(get("/users", token).status()).isEqualTo(200);

    Http.Reply role = patch("/users/" + id, new JsonObject().put("role", "VIEWER").put("full_name", "Sam"), adminA);
    assertThat(role.status()).as(role.raw()).isEqualTo(200);
    assertThat(role.data().getString("role")).isEqualTo("VIEWER");
    assertThat(role.data().getString("full_name")).isEqualTo("Sam");
    assertThat(get("/users/" + id, adminA).data().getString("role")).isEqualTo("VIEWER");
    // the SECURITY token issued before the change no longer works
    Http.Reply stale = get("/users", token);
    assertThat(stale.status()).as(stale.raw()).isEqualTo(401);

    Http.Reply off = patch("/users/" + id, new JsonObject().put("is_active", false), adminA);
    assertThat(off.status()).as(off.raw()).isEqualTo(200);
    assertThat(off.data().getBoolean("is_active")).isFalse();
    Http.Reply login = http.post("/auth/token", new JsonObject().put("email", email).put("password", PASSWORD),
        Map.of("X-Tenant-ID", tenantA));
    replies.add(login.raw());
    assertThat(login.status()).as(login.raw()).isEqualTo(401);

    assertThat(auditRows(adminA, "action=user_role_changed").stream()
        .anyMatch(o -> ((JsonObject) o).encode().contains(id))).isTrue();
    assertThat(auditRows(adminA, "action=user_disabled").stream()
        .anyMatch(o -> ((JsonObject) o).encode().contains(id))).isTrue();
    assertThat(auditRows(adminA, "action=user_created")).isNotEmpty();
  }

  /** Verifies soft delete: gone from reads and login, the row kept inactive, the e-mail still taken. */
  @Test
  void should_soft_delete_a_user() throws Exception {
    String email = "gone-" + suffix() + "@acme.example";
    String id = createUser(adminA, email, "VIEWER");
    Http.Reply del = http.delete("/users/" + id, Http.bearer(adminA));
    replies.add(del.raw());
    assertThat(del.status()).as(del.raw()).isEqualTo(200);
    assertThat(del.data().getBoolean("deleted")).isTrue();
    assertThat(get("/users/" + id, adminA).status()).isEqualTo(404);
    assertThat(http.delete("/users/" + id, Http.bearer(adminA)).status()).isEqualTo(404);
    assertThat(patch("/users/" + id, new JsonObject().put("is_active", true), adminA).status()).isEqualTo(404);
    assertThat(userIds(get("/users?limit=1000", adminA))).doesNotContain(id);
    assertThat(userIds(get("/users?limit=1000&include_deleted=true", adminA))).contains(id);
    assertThat(dbString("SELECT (deleted_at IS NOT NULL AND NOT is_active)::text FROM identity.users WHERE id = ?::uuid", id))
        .isEqualTo("true");
    Http.Reply login = http.post("/auth/token", new JsonObject().put("email", email).put("password", PASSWORD),
        Map.of("X-Tenant-ID", tenantA));
    replies.add(login.raw());
    assertThat(login.status()).isEqualTo(401);
    assertThat(post("/users", userBody(email, "VIEWER"), adminA).status()).isEqualTo(409);
    assertThat(auditRows(adminA, "action=user_deleted").stream()
        .anyMatch(o -> ((JsonObject) o).encode().contains(id))).isTrue();
  }

  /** Verifies that an ADMIN cannot change their own role, disable or delete themselves. */
  @Test
  void should_refuse_changes_to_oneself() {
    Http.Reply role = patch("/users/" + adminAId, new JsonObject().put("role", "VIEWER"), adminA);
    assertThat(role.status()).as(role.raw()).isEqualTo(400);
    Http.Reply off = patch("/users/" + adminAId, new JsonObject().put("is_active", false), adminA);
    assertThat(off.status()).as(off.raw()).isEqualTo(400);
    Http.Reply del = http.delete("/users/" + adminAId, Http.bearer(adminA));
    replies.add(del.raw());
    assertThat(del.status()).as(del.raw()).isEqualTo(400);
    Http.Reply me = get("/users/" + adminAId, adminA);
    assertThat(me.data().getString("role")).isEqualTo("ADMIN");
    assertThat(me.data().getBoolean("is_active")).isTrue();
    // renaming oneself is fine
    assertThat(patch("/users/" + adminAId, new JsonObject().put("full_name", "Ada Admin"), adminA).status())
        .isEqualTo(200);
  }

  /** Verifies mass assignment: protected and unknown fields are 400 and nothing is persisted. */
  @Test
  void should_refuse_mass_assignment() {
    String id = createUser(adminA, "mass-" + suffix() + "@acme.example", "VIEWER");
    JsonObject before = get("/users/" + id, adminA).data();
    Map<String, Object> attempts = Map.of("tenant_id", tenantB, "email", "evil@x.example",
        "is_platform_admin", true, "id", UUID.randomUUID().toString(), "password_hash", "$argon2id$x",
        "created_at", "2000-01-01T00:00:00Z", "unknown_field", 1);
    attempts.forEach((field, value) -> {
      Http.Reply r = patch("/users/" + id, new JsonObject().put("role", "ADMIN").put(field, value), adminA);
      assertThat(r.status()).as(field + ": " + r.raw()).isEqualTo(400);
      assertThat(r.error()).isEqualTo("validation_error");
    });
    JsonObject after = get("/users/" + id, adminA).data();
    assertThat(after).isEqualTo(before);
    Http.Reply create = post("/users", userBody("mass2-" + suffix() + "@acme.example", "VIEWER")
        .put("is_platform_admin", true), adminA);
    assertThat(create.status()).as(create.raw()).isEqualTo(400);
    Http.Reply create2 = post("/auth/users", userBody("mass3-" + suffix() + "@acme.example", "VIEWER")
        .put("tenant_id", tenantB), adminA);
    assertThat(create2.status()).as(create2.raw()).isEqualTo(400);
    assertThat(get("/users/" + id, adminB).status()).isEqualTo(404);
  }

  /** Verifies role gates: VIEWER reads nothing and writes nothing; agents are refused everywhere but /auth/me. */
  @Test
  void should_gate_user_and_tenant_routes_by_role() {
    String email = "viewer-" + suffix() + "@acme.example";
    createUser(adminA, email, "VIEWER");
    String viewer = login(email, tenantA, PASSWORD);
    Http.Reply create = post("/auth/users", userBody("v-" + suffix() + "@acme.example", "VIEWER"), viewer);
    assertThat(create.status()).as(create.raw()).isEqualTo(403);
    assertThat(create.error()).isEqualTo("insufficient_role");
    assertThat(get("/users", viewer).status()).isEqualTo(403);
    assertThat(get("/tenant/quota", viewer).status()).isEqualTo(200);
    assertThat(get("/auth/tenants/" + tenantA, viewer).status()).isEqualTo(404);
    assertThat(get("/auth/me", viewer).data().getString("role")).isEqualTo("VIEWER");

    String[] ag = agent(adminA, tenantA, "db.query");
    String agentToken = ag[1];
    String someUser = adminAId;
    List<Http.Reply> refused = List.of(
        get("/users", agentToken), get("/users/" + someUser, agentToken),
        post("/users", userBody("ag-" + suffix() + "@acme.example", "VIEWER"), agentToken),
        post("/auth/users", userBody("ag2-" + suffix() + "@acme.example", "VIEWER"), agentToken),
        post("/users/invite", new JsonObject().put("email", "ag3-" + suffix() + "@acme.example").put("role", "ADMIN"), agentToken),
        patch("/users/" + someUser, new JsonObject().put("role", "VIEWER"), agentToken),
        record(http.delete("/users/" + someUser, Http.bearer(agentToken))),
        post("/auth/tenants", new JsonObject().put("name", "x"), agentToken),
        get("/auth/tenants/" + tenantA, agentToken), get("/admin/tenants", agentToken),
        get("/admin/tenants/" + tenantA, agentToken),
        patch("/admin/tenants/" + tenantA, new JsonObject().put("burst", 1), agentToken),
        get("/tenant/quota", agentToken));
    for (Http.Reply r : refused) {
      assertThat(r.status()).as(r.raw()).isEqualTo(403);
      assertThat(r.error()).isEqualTo("insufficient_role");
    }
    Http.Reply me = get("/auth/me", agentToken);
    assertThat(me.status()).as(me.raw()).isEqualTo(200);
    assertThat(me.data().getString("role")).isEqualTo("agent");
    assertThat(me.data().getString("agent_id")).isEqualTo(ag[0]);
    assertThat(me.data().getString("tenant_id")).isEqualTo(tenantA);
    assertThat(get("/users/" + adminAId, adminA).data().getString("role")).isEqualTo("ADMIN");
  }

  /** Verifies tenant isolation: B's ADMIN gets 404 on A's user ids and never sees A's users. */
  @Test
  void should_isolate_users_between_tenants() {
    String email = "iso-" + suffix() + "@acme.example";
    String id = createUser(adminA, email, "SECURITY");
    JsonObject before = get("/users/" + id, adminA).data();
    for (String target : List.of(id, adminAId)) {
      assertThat(get("/users/" + target, adminB).status()).isEqualTo(404);
      Http.Reply p = patch("/users/" + target, new JsonObject().put("role", "VIEWER"), adminB);
      assertThat(p.status()).as(p.raw()).isEqualTo(404);
      assertThat(p.raw()).doesNotContain(email);
      Http.Reply off = patch("/users/" + target, new JsonObject().put("is_active", false), adminB);
      assertThat(off.status()).isEqualTo(404);
      assertThat(record(http.delete("/users/" + target, Http.bearer(adminB))).status()).isEqualTo(404);
    }
    assertThat(get("/users/not-a-uuid", adminB).status()).isEqualTo(404);
    assertThat(get("/users/" + UUID.randomUUID(), adminB).status()).isEqualTo(404);
    Http.Reply listB = get("/users?limit=1000&include_deleted=true", adminB);
    assertThat(listB.status()).isEqualTo(200);
    assertThat(listB.raw()).doesNotContain("@acme.example");
    for (Object o : listB.data().getJsonArray("items")) {
      assertThat(((JsonObject) o).getString("tenant_id")).isEqualTo(tenantB);
    }
    assertThat(get("/users/" + id, adminA).data()).isEqualTo(before);
    assertThat(get("/users/" + adminAId, adminA).data().getBoolean("is_active")).isTrue();
    // X-Tenant-ID naming another tenant is refused
    Http.Reply mismatch = http.get("/users", Http.bearer(adminB, "X-Tenant-ID", tenantA));
    replies.add(mismatch.raw());
    assertThat(mismatch.status()).isEqualTo(403);
    assertThat(mismatch.error()).isEqualTo("tenant_mismatch");
  }

  /** Verifies that a tenant ADMIN who is not a platform admin cannot demote, disable or delete a platform admin. */
  @Test
  void should_protect_platform_admin_accounts() {
    Http.Reply me = get("/auth/me", platform);
    assertThat(me.data().getBoolean("platform_admin")).isTrue();
    String platformId = me.data().getString("subject");
    String email = "demo-admin-" + suffix() + "@aegis.example";
    createUser(platform, email, "ADMIN");
    String demoAdmin = login(email, PLATFORM_TENANT, PASSWORD);
    Http.Reply demote = patch("/users/" + platformId, new JsonObject().put("role", "VIEWER"), demoAdmin);
    assertThat(demote.status()).as(demote.raw()).isEqualTo(403);
    assertThat(demote.error()).isEqualTo("platform_admin_required");
    assertThat(record(http.delete("/users/" + platformId, Http.bearer(demoAdmin))).status()).isEqualTo(403);
    assertThat(get("/users/" + platformId, platform).data().getString("role")).isEqualTo("ADMIN");
    assertThat(get("/admin/tenants", demoAdmin).status()).isEqualTo(403);
    Http.Reply one = get("/admin/tenants/" + tenantB, platform);
    assertThat(one.status()).as(one.raw()).isEqualTo(200);
    assertThat(one.data().getString("name")).isEqualTo("Beta");
    assertThat(get("/admin/tenants?limit=1&offset=1", platform).data().getJsonArray("items")).hasSize(1);
  }

  /** Verifies that a listing is paged and never carries hashes. */
  @Test
  void should_page_the_user_list() {
    createUser(adminB, "p1-" + suffix() + "@beta.example", "VIEWER");
    createUser(adminB, "p2-" + suffix() + "@beta.example", "AUDITOR");
    Http.Reply page = get("/users?limit=1&offset=1", adminB);
    assertThat(page.status()).as(page.raw()).isEqualTo(200);
    assertThat(page.data().getJsonArray("items")).hasSize(1);
    assertThat(page.data().getLong("total")).isGreaterThanOrEqualTo(3);
    assertThat(get("/users?limit=0", adminB).status()).isEqualTo(400);
    assertThat(page.raw()).doesNotContain("password");
  }

  // ---------------------------------------------------------------- helpers

  static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  JsonObject createTenant(String name, String adminEmail) {
    Http.Reply r = post("/auth/tenants", new JsonObject().put("name", name).put("admin_email", adminEmail)
        .put("admin_password", PASSWORD).put("tier", "premium"), platform);
    assertThat(r.status()).as(r.raw()).isEqualTo(201);
    return r.data();
  }

  static JsonObject userBody(String email, String role) {
    return new JsonObject().put("email", email).put("password", PASSWORD).put("role", role);
  }

  String createUser(String admin, String email, String role) {
    Http.Reply r = post("/users", userBody(email, role), admin);
    assertThat(r.status()).as(r.raw()).isEqualTo(201);
    assertThat(r.data().getString("role")).isEqualTo(role);
    return r.data().getString("id");
  }

  String login(String email, String tenant, String password) {
    Http.Reply r = http.post("/auth/token", new JsonObject().put("email", email).put("password", password),
        Map.of("X-Tenant-ID", tenant));
    replies.add(r.raw());
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return r.data().getString("access_token");
  }

  /** Creates an agent with ALLOW grants and returns {agentId, agentToken}. */
  String[] agent(String adminToken, String tenant, String... tools) {
    Http.Reply a = post("/agents", new JsonObject().put("name", "agent-" + suffix()).put("risk_level", "low"), adminToken);
    assertThat(a.status()).as(a.raw()).isEqualTo(201);
    String id = a.data().getString("id");
    for (String tool : tools) {
      Http.Reply g = post("/agents/" + id + "/permissions", new JsonObject().put("tool_name", tool).put("action", "ALLOW"),
          adminToken);
      assertThat(g.status()).as(g.raw()).isEqualTo(201);
    }
    Http.Reply cred = post("/auth/credentials", new JsonObject().put("agent_id", id), adminToken);
    assertThat(cred.status()).as(cred.raw()).isEqualTo(201);
    Http.Reply tok = http.post("/auth/agent/token", new JsonObject().put("agent_id", id)
        .put("secret", cred.data().getString("secret")), Map.of("X-Tenant-ID", tenant));
    assertThat(tok.status()).as(tok.raw()).isEqualTo(200);
    return new String[] {id, tok.data().getString("access_token")};
  }

  Http.Reply execute(String[] agent, JsonObject payload) {
    return record(http.post("/execute", new JsonObject().put("tool", "db.query").put("payload", payload),
        Http.bearer(agent[1], "X-Agent-ID", agent[0])));
  }

  JsonArray auditRows(String token, String query) {
    Http.Reply r = get("/audit/logs?limit=1000&" + query, token);
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return r.data().getJsonArray("items");
  }

  static List<String> userIds(Http.Reply r) {
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return r.data().getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  Http.Reply get(String path, String token) {
    return record(http.get(path, token == null ? Map.of() : Http.bearer(token)));
  }

  Http.Reply post(String path, JsonObject body, String token) {
    return record(http.post(path, body, token == null ? Map.of() : Http.bearer(token)));
  }

  Http.Reply patch(String path, JsonObject body, String token) {
    Map<String, String> h = new HashMap<>(token == null ? Map.of() : Http.bearer(token));
    h.put("Content-Type", "application/json");
    return record(http.raw("PATCH", path, body.encode(), h));
  }

  Http.Reply record(Http.Reply r) {
    synchronized (replies) {
      replies.add(r.raw());
    }
    return r;
  }

  Connection jdbc() throws Exception {
    return DriverManager.getConnection(PgUrls.jdbc(PgUrls.options(db.url())));
  }

  String dbString(String sql, String arg) throws Exception {
    try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, arg);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  /** No JSON key anywhere in a reply names a secret column. */
  static void assertNoSecretKeys(Object node) {
    if (node instanceof JsonObject o) {
      for (String k : o.fieldNames()) {
        assertThat(k).isNotIn("password_hash", "hashed_password", "token_hash", "secret_hash", "key_hash", "password");
        assertNoSecretKeys(o.getValue(k));
      }
    } else if (node instanceof JsonArray a) {
      a.forEach(UsersTenantsApiTest::assertNoSecretKeys);
    }
  }
}
