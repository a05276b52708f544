package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Mass assignment (OWASP API3): every write endpoint gets, one at a time, the fields a client must
 * never set — {@code tenant_id} and {@code org_id} of tenant B, {@code role: "ADMIN"},
 * {@code is_platform_admin} / {@code platform_admin: true}, {@code id}, {@code created_at},
 * {@code revoked}, {@code status}. Each is either refused (400 {@code validation_error}, or 403
 * {@code tenant_mismatch} where the endpoint checks a body tenant) with nothing changed, or
 * accepted with the field ignored: the object re-read (over the API and with JDBC) is in tenant A
 * and shows none of the values sent. After every call, tenant B's rows in every table are as
 * before and there is still exactly one platform admin. No reply of the suite carries a secret
 * field ({@code password_hash}, {@code key_hash}, {@code secret_hash}, {@code client_secret}, ...).
 *
 * <p>{@code role} is a documented field of {@code POST /api-keys}, {@code POST /users} and
 * {@code PATCH /users/{id}} (an ADMIN may create ADMIN keys and users): there it is checked to
 * take effect only in the caller's tenant and without platform rights.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MassAssignmentTest {

  static final Set<String> SECRET_FIELDS = Set.of("password_hash", "hashed_password", "key_hash", "secret_hash",
      "client_secret", "private_key", "token_hash", "password", "refresh_token_hash");
  static final String OLD = "2000-01-01T00:00:00Z";

  AttackNode n;
  String platform;
  String tenantA;
  String adminA;
  String adminAId;
  String tenantB;
  String adminB;
  String[] agentA;
  String userA;
  String sentId;
  Map<String, Long> countsB;
  final List<String> replies = new CopyOnWriteArrayList<>();
  final List<String> observed = new CopyOnWriteArrayList<>();
  final AtomicInteger seq = new AtomicInteger();

  @BeforeAll
  void start() throws Exception {
    n = AttackNode.start("massassign");
    platform = n.login(AegisNode.ADMIN_EMAIL, AegisNode.DEMO_TENANT);
    tenantA = n.seedTenant("tenant a");
    adminAId = n.seedUser(tenantA, "admin-a@ma.example", "ADMIN", null);
    adminA = n.login("admin-a@ma.example", tenantA);
    tenantB = n.seedTenant("tenant b");
    n.seedUser(tenantB, "admin-b@ma.example", "ADMIN", null);
    adminB = n.login("admin-b@ma.example", tenantB);
    agentA = n.agent(adminA, tenantA, "agent-a", "db.query");
    userA = n.seedUser(tenantA, "viewer-a@ma.example", "VIEWER", "Viewer A");
    countsB = countsB();
  }

  @AfterAll
  void stop() throws Exception {
    System.out.println("MassAssignmentTest observed outcomes (endpoint | field | status error):");
    observed.stream().sorted().forEach(o -> System.out.println("  " + o));
    if (n != null) {
      n.close();
    }
  }

  // ---------------------------------------------------------------- the extra fields

  /** The extras, each sent alone; {@code id} is a fresh UUID per call (see {@link #sentId}). */
  Map<String, Supplier<Object>> extras() {
    Map<String, Supplier<Object>> m = new LinkedHashMap<>();
    m.put("tenant_id", () -> tenantB);
    m.put("org_id", () -> tenantB);
    m.put("role", () -> "ADMIN");
    m.put("is_platform_admin", () -> true);
    m.put("platform_admin", () -> true);
    m.put("id", () -> sentId = UUID.randomUUID().toString());
    m.put("created_at", () -> OLD);
    m.put("revoked", () -> true);
    m.put("status", () -> "QUARANTINED");
    return m;
  }

  record Expect(int status, String error) {}

  static final Expect IGNORED_201 = new Expect(201, null);
  static final Expect IGNORED_200 = new Expect(200, null);
  static final Expect REFUSED = new Expect(400, "validation_error");

  /** Checks an accepted call: the field sent had no effect. */
  interface Accepted {
    void verify(String field, Object value, Http.Reply reply);
  }

  /**
   * A write endpoint: how to call it with one extra field, what it must answer for each field,
   * the state a refusal must leave unchanged, and the check of an accepted call.
   */
  record Endpoint(String route, Function<String, Expect> expect, Function<JsonObject, Http.Reply> send,
      Supplier<Object> state, Accepted accepted) {}

  List<Endpoint> endpoints() {
    List<Endpoint> e = new ArrayList<>();
    Map<String, String> a = Http.bearer(adminA);

    e.add(new Endpoint("POST /agents", f -> IGNORED_201,
        x -> n.http.post("/agents", base(x, "name", "ma-agent-" + seq.incrementAndGet(), "risk_level", "low"), a),
        () -> null, (f, v, r) -> {
          JsonObject d = r.data();
          agentRowIsClean(d.getString("id"), f, v);
          assertThat(d.getString("tenant_id")).isEqualTo(tenantA);
          assertThat(d.getString("status")).isEqualTo("ACTIVE");
          assertThat(d.fieldNames()).doesNotContain("role", "is_platform_admin", "platform_admin", "revoked", "org_id");
          JsonObject again = n.http.get("/agents/" + d.getString("id"), a).data();
          assertThat(again).isEqualTo(d);
        }));

    e.add(new Endpoint("PATCH /agents/{id}", f -> REFUSED,
        x -> n.send("PATCH", "/agents/" + agentA[0], base(x, "description", "patched"), a),
        () -> n.http.get("/agents/" + agentA[0], a).data(), null));

    e.add(new Endpoint("POST /agents/{id}/permissions", f -> IGNORED_201,
        x -> n.http.post("/agents/" + agentA[0] + "/permissions", base(x, "tool_name", "ma.tool" + seq.incrementAndGet(),
            "action", "ALLOW"), a),
        () -> null, (f, v, r) -> {
          JsonObject g = r.data();
          Map<String, Object> row = n.query("SELECT id::text AS id, tenant_id::text AS tenant_id, agent_id::text AS agent_id,"
              + " created_at FROM registry.permissions WHERE id = ?::uuid", g.getString("id")).get(0);
          assertThat(row.get("tenant_id")).isEqualTo(tenantA);
          assertThat(row.get("agent_id")).isEqualTo(agentA[0]);
          assertRecent(row.get("created_at"));
          assertThat(g.getString("agent_id")).isEqualTo(agentA[0]);
          assertThat(g.fieldNames()).doesNotContain("tenant_id", "role", "is_platform_admin", "revoked", "status",
              "org_id");
          if (f.equals("id")) {
            assertThat(g.getString("id")).isNotEqualTo(v);
            assertThat(n.count("SELECT count(*) FROM registry.permissions WHERE id = ?::uuid", v)).isZero();
          }
          JsonArray items = n.http.get("/agents/" + agentA[0] + "/permissions", a).data().getJsonArray("items");
          assertThat(items.stream().map(o -> ((JsonObject) o).getString("id"))).contains(g.getString("id"));
        }));

    e.add(new Endpoint("POST /api-keys", f -> f.equals("role") ? IGNORED_201 : REFUSED,
        x -> n.http.post("/api-keys", base(x, "name", "ma-key-" + seq.incrementAndGet()), a),
        () -> apiKeys(a), (f, v, r) -> {
          // role is a documented field: an ADMIN may mint an ADMIN key, for its own tenant only
          JsonObject k = r.data();
          assertThat(k.getString("role")).isEqualTo("ADMIN");
          Map<String, Object> row = n.query("SELECT tenant_id::text AS tenant_id, role FROM identity.api_keys"
              + " WHERE id = ?::uuid", k.getString("id")).get(0);
          assertThat(row.get("tenant_id")).isEqualTo(tenantA);
          Http.Reply me = n.http.get("/auth/me", Http.bearer(k.getString("key")));
          assertThat(me.data().getString("tenant_id")).isEqualTo(tenantA);
          assertThat(me.data().getBoolean("platform_admin")).isFalse();
        }));

    e.add(new Endpoint("POST /users", f -> f.equals("role") ? IGNORED_201 : REFUSED,
        x -> n.http.post("/users", base(x, "email", "ma-user-" + seq.incrementAndGet() + "@ma.example",
            "password", AttackNode.PASSWORD, "full_name", "MA user"), a),
        () -> n.count("SELECT count(*) FROM identity.users"), (f, v, r) -> {
          // without role the request is a 400 (role is required); with it, a user of tenant A, not a platform admin
          JsonObject u = r.data();
          assertThat(u.getString("tenant_id")).isEqualTo(tenantA);
          assertThat(u.getString("role")).isEqualTo("ADMIN");
          assertThat(u.getBoolean("is_platform_admin")).isFalse();
          userRowIsClean(u.getString("id"));
        }));

    e.add(new Endpoint("PATCH /users/{id}", f -> f.equals("role") ? IGNORED_200 : REFUSED,
        x -> n.send("PATCH", "/users/" + userA, base(x, "full_name", "patched"), a),
        () -> n.http.get("/users/" + userA, a).data(), (f, v, r) -> {
          // role is a documented field (ADMIN may promote); the user stays in tenant A, not a platform admin
          JsonObject u = r.data();
          assertThat(u.getString("id")).isEqualTo(userA);
          assertThat(u.getString("tenant_id")).isEqualTo(tenantA);
          assertThat(u.getString("role")).isEqualTo("ADMIN");
          assertThat(u.getBoolean("is_platform_admin")).isFalse();
          userRowIsClean(userA);
          // put it back for the next field
          assertThat(n.send("PATCH", "/users/" + userA, new JsonObject().put("role", "VIEWER"), a).status()).isEqualTo(200);
        }));

    e.add(new Endpoint("POST /auth/tenants", f -> REFUSED,
        x -> n.http.post("/auth/tenants", base(x, "name", "ma tenant " + seq.incrementAndGet(),
            "admin_email", "ma-tenant-admin-" + seq.get() + "@ma.example", "admin_password", AttackNode.PASSWORD),
            Http.bearer(platform)),
        () -> n.count("SELECT count(*) FROM identity.tenants") + "/" + n.count("SELECT count(*) FROM identity.users"),
        null));

    e.add(new Endpoint("PATCH /admin/tenants/{id}", f -> REFUSED,
        x -> n.send("PATCH", "/admin/tenants/" + tenantA, base(x, "name", "renamed"), Http.bearer(platform)),
        () -> n.query("SELECT * FROM identity.tenants WHERE id = ?::uuid", UUID.fromString(tenantA)).toString(),
        null));

    e.add(new Endpoint("POST /auth/sso/config", f -> f.equals("tenant_id") ? new Expect(403, "tenant_mismatch") : REFUSED,
        x -> n.http.post("/auth/sso/config", base(x, "provider", "ma-idp", "issuer", "https://idp.ma.example",
            "client_id", "ma-client", "client_secret", "ma-secret-value", "redirect_uri", "https://app.ma.example/cb"), a),
        () -> n.http.get("/auth/sso/config", a).data(), null));

    e.add(new Endpoint("POST /decision/kill-switch/{t}", f -> IGNORED_200,
        x -> n.http.post("/decision/kill-switch/" + tenantA, base(x, "action", "engage", "reason", "ma"), a),
        () -> null, (f, v, r) -> {
          assertThat(r.data().getString("tenant_id")).isEqualTo(tenantA);
          assertThat(r.data().getBoolean("engaged")).isTrue();
          assertThat(r.data().getString("actor")).isEqualTo(adminAId);
          Map<String, Object> row = n.query("SELECT engaged, actor FROM decision.kill_switches WHERE tenant_id = ?::uuid",
              UUID.fromString(tenantA)).get(0);
          assertThat(row.get("engaged")).isEqualTo(true);
          assertThat(row.get("actor")).isEqualTo(adminAId);
          assertThat(n.http.get("/decision/kill-switch/" + tenantB, Http.bearer(adminB)).data().getBoolean("engaged"))
              .isFalse();
          assertThat(n.http.delete("/decision/kill-switch/" + tenantA, a).status()).isEqualTo(200);
        }));

    e.add(new Endpoint("POST /auth/credentials", f -> IGNORED_201,
        x -> n.http.post("/auth/credentials", base(x, "agent_id", agentA[0]), a),
        () -> null, (f, v, r) -> {
          assertThat(r.data().getString("agent_id")).isEqualTo(agentA[0]);
          assertThat(r.data().fieldNames()).containsExactlyInAnyOrder("agent_id", "secret", "note");
          Map<String, Object> row = n.query("SELECT id::text AS id, tenant_id::text AS tenant_id, revoked_at"
              + " FROM identity.agent_credentials WHERE agent_id = ?::uuid", UUID.fromString(agentA[0])).get(0);
          assertThat(row.get("tenant_id")).isEqualTo(tenantA);
          assertThat(row.get("revoked_at")).isNull();
          if (f.equals("id")) {
            assertThat(row.get("id")).isNotEqualTo(v);
          }
          // the new secret works, in tenant A
          Http.Reply tok = n.http.post("/auth/agent/token", new JsonObject().put("agent_id", agentA[0])
              .put("secret", r.data().getString("secret")), Map.of("X-Tenant-ID", tenantA));
          assertThat(tok.status()).as(tok.raw()).isEqualTo(200);
          assertThat(tok.data().getString("tenant_id")).isEqualTo(tenantA);
        }));
    return e;
  }

  static JsonObject base(JsonObject extra, Object... kv) {
    JsonObject o = new JsonObject();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      o.put((String) kv[i], kv[i + 1]);
    }
    extra.forEach(x -> o.put(x.getKey(), x.getValue()));
    return o;
  }

  JsonObject apiKeys(Map<String, String> a) {
    JsonObject d = n.http.get("/api-keys?limit=1000", a).data();
    d.getJsonArray("items").forEach(k -> ((JsonObject) k).remove("last_used_at"));
    return d;
  }

  void agentRowIsClean(String id, String field, Object value) {
    Map<String, Object> row = n.query("SELECT tenant_id::text AS tenant_id, status, created_at FROM registry.agents"
        + " WHERE id = ?::uuid", UUID.fromString(id)).get(0);
    assertThat(row.get("tenant_id")).isEqualTo(tenantA);
    assertThat(row.get("status")).isEqualTo("ACTIVE");
    assertRecent(row.get("created_at"));
    if (field.equals("id")) {
      assertThat(id).isNotEqualTo(value);
      assertThat(n.count("SELECT count(*) FROM registry.agents WHERE id = ?::uuid", UUID.fromString((String) value)))
          .isZero();
    }
  }

  void userRowIsClean(String id) {
    Map<String, Object> row = n.query("SELECT tenant_id::text AS tenant_id, is_platform_admin, created_at"
        + " FROM identity.users WHERE id = ?::uuid", UUID.fromString(id)).get(0);
    assertThat(row.get("tenant_id")).isEqualTo(tenantA);
    assertThat(row.get("is_platform_admin")).isEqualTo(false);
  }

  static void assertRecent(Object ts) {
    OffsetDateTime t = ts instanceof OffsetDateTime o ? o
        : ((java.sql.Timestamp) ts).toInstant().atOffset(java.time.ZoneOffset.UTC);
    assertThat(t).isAfter(OffsetDateTime.now().minusHours(1));
  }

  // ---------------------------------------------------------------- tests

  /** Verifies every write endpoint against every extra field. */
  @TestFactory
  @Order(1)
  Stream<DynamicTest> should_ignore_or_refuse_every_protected_field() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Endpoint ep : endpoints()) {
      extras().forEach((field, value) -> tests.add(DynamicTest.dynamicTest(ep.route() + " + " + field, () -> {
        Object before = ep.state().get();
        Object v = value.get();
        Http.Reply r = ep.send().apply(new JsonObject().put(field, v));
        record(ep.route(), field, r);
        Expect e = ep.expect().apply(field);
        assertThat(r.status()).as(ep.route() + " + " + field + ": " + r.raw()).isEqualTo(e.status());
        assertThat(r.json().getString("error")).as(ep.route() + " + " + field).isEqualTo(e.error());
        if (e.error() != null) {
          // refused: a 400 names the field; nothing changed
          if (e.status() == 400) {
            assertThat(r.json().getString("detail")).as(r.raw()).contains(field);
          }
          assertThat(ep.state().get()).as(ep.route() + " state after a refused " + field).isEqualTo(before);
        } else {
          ep.accepted().verify(field, v, r);
        }
        assertThat(r.raw()).doesNotContain(OLD);
        if (!field.equals("tenant_id") && !field.equals("org_id")) {
          assertThat(r.raw()).doesNotContain(tenantB);
        }
        invariants();
      })));
    }
    return tests.stream();
  }

  /** Verifies all extras at once on each endpoint: the same outcome as the strictest single field. */
  @TestFactory
  @Order(2)
  Stream<DynamicTest> should_refuse_or_ignore_all_protected_fields_at_once() {
    return endpoints().stream().map(ep -> DynamicTest.dynamicTest(ep.route() + " + all", () -> {
      JsonObject all = new JsonObject();
      extras().forEach((f, v) -> {
        if (!f.equals("role")) {
          all.put(f, v.get());
        }
      });
      Object before = ep.state().get();
      Http.Reply r = ep.send().apply(all);
      record(ep.route(), "all but role", r);
      boolean anyRefusal = extras().keySet().stream().filter(f -> !f.equals("role"))
          .anyMatch(f -> ep.expect().apply(f).error() != null);
      if (anyRefusal) {
        assertThat(r.status()).as(r.raw()).isIn(400, 403);
        assertThat(ep.state().get()).isEqualTo(before);
      } else {
        assertThat(r.status()).as(r.raw()).isBetween(200, 201);
        ep.accepted().verify("all", all, r);
      }
      invariants();
    }));
  }

  /** Verifies that no reply of the suite carried a secret field or a password hash. */
  @Test
  @Order(3)
  void should_never_return_secret_fields() {
    assertThat(replies).hasSizeGreaterThan(100);
    for (String raw : replies) {
      assertThat(raw).doesNotContain("$argon2").doesNotContain("ma-secret-value");
      if (raw.startsWith("{")) {
        assertNoSecretKeys(new JsonObject(raw), raw);
      }
    }
    // and the read routes of the objects touched here
    Map<String, String> a = Http.bearer(adminA);
    for (String path : new String[] {"/agents?limit=1000", "/agents/" + agentA[0] + "/profile", "/api-keys?limit=1000",
        "/users?limit=1000", "/users/" + userA, "/auth/sso/config", "/auth/me", "/tenant/quota",
        "/auth/tenants/" + tenantA, "/audit/logs?limit=1000"}) {
      Http.Reply r = n.http.get(path, a);
      assertThat(r.status()).as(path + ": " + r.raw()).isEqualTo(200);
      assertNoSecretKeys(r.json(), path);
      assertThat(r.raw()).doesNotContain("$argon2");
    }
    Http.Reply t = n.http.get("/admin/tenants/" + tenantA, Http.bearer(platform));
    assertNoSecretKeys(t.json(), t.raw());
  }

  void record(String route, String field, Http.Reply r) {
    replies.add(r.raw());
    observed.add(String.format("%-32s | %-18s | %d %s", route, field, r.status(),
        r.json() == null || r.json().getString("error") == null ? "" : r.json().getString("error")));
  }

  static void assertNoSecretKeys(Object o, String where) {
    if (o instanceof JsonObject j) {
      for (String k : j.fieldNames()) {
        assertThat(SECRET_FIELDS).as("secret field '" + k + "' in " + where).doesNotContain(k);
        assertNoSecretKeys(j.getValue(k), where);
      }
    } else if (o instanceof JsonArray a) {
      a.forEach(x -> assertNoSecretKeys(x, where));
    }
  }

  /** After every call: B's rows are unchanged and there is still one platform admin. */
  void invariants() {
    assertThat(countsB()).isEqualTo(countsB);
    assertThat(n.count("SELECT count(*) FROM identity.users WHERE is_platform_admin")).isEqualTo(1);
  }

  Map<String, Long> countsB() {
    Map<String, Long> c = new TreeMap<>();
    for (String table : new String[] {"registry.agents", "registry.permissions", "identity.users", "identity.api_keys",
        "identity.agent_credentials", "identity.sso_providers", "decision.kill_switches", "audit.audit_logs",
        "identity.revocations", "identity.user_invites"}) {
      c.put(table, n.count("SELECT count(*) FROM " + table + " WHERE tenant_id = ?::uuid", UUID.fromString(tenantB)));
    }
    c.put("tenant", n.count("SELECT count(*) FROM identity.tenants WHERE id = ?::uuid AND name = 'tenant b'",
        UUID.fromString(tenantB)));
    return c;
  }
}
