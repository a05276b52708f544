package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verifies the durability promise on the embedded default: the gateway runs as a separate process
 * under concurrent load and is killed with SIGKILL several times; after each restart every audit
 * row whose response had been sent exists, and the chain still verifies.
 */
class SigkillDurabilityTest {

  private static final String PASSWORD = "durability-test-password";
  /** Issue #4: 20 kills in CI (override with -Daegis.test.kills=N). */
  private static final int KILLS = Integer.getInteger("aegis.test.kills", 20);

  @TempDir
  Path dataDir;

  @Test
  void should_lose_no_acknowledged_row_across_sigkill() throws Exception {
    int port = TestEnv.freePort();
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    long prevSize = 0;
    byte[] prevRoot = null;
    String agentId = null;
    String secret = null;
    for (int round = 0; round <= KILLS; round++) {
      Process p = startGateway(port);
      try {
        Http http = new Http(port);
        String admin = login(http);
        if (agentId == null) {
          Http.Reply a = http.post("/agents", new JsonObject().put("name", "durable-agent"), Http.bearer(admin));
          assertThat(a.status()).as(a.raw()).isEqualTo(201);
          agentId = a.data().getString("id");
          assertThat(http.post("/agents/" + agentId + "/permissions", new JsonObject().put("tool_name", "db.query"),
              Http.bearer(admin)).status()).isEqualTo(201);
          secret = http.post("/auth/credentials", new JsonObject().put("agent_id", agentId), Http.bearer(admin))
              .data().getString("secret");
        }
        // every row acknowledged before the previous kill is present
        Set<String> present = allAuditIds(http, admin);
        assertThat(present).as("acknowledged rows missing after restart %d", round)
            .containsAll(acknowledged.keySet());
        Http.Reply verify = http.get("/audit/logs/verify", Http.bearer(admin));
        assertThat(verify.data().getBoolean("valid")).as(verify.raw()).isTrue();
        // the newest signed checkpoint verifies and is consistent with the one seen before the kill
        if (!acknowledged.isEmpty()) {
          Http.Reply cp = http.get("/transparency/checkpoint", Http.bearer(admin, "Accept", "application/json"));
          assertThat(cp.status()).as(cp.raw()).isEqualTo(200);
          long size = cp.data().getLong("tree_size");
          byte[] root = java.util.HexFormat.of().parseHex(cp.data().getString("root_hash"));
          List<dev.aegis.pipeline.evidence.SignedNote.Verifier> keys = new ArrayList<>();
          http.get("/transparency/keys", Map.of()).data().getJsonArray("keys").forEach(k -> keys.add(
              dev.aegis.pipeline.evidence.SignedNote.Verifier.of(((JsonObject) k).getString("note_key_name"),
                  dev.aegis.pipeline.evidence.Ed25519Keys.publicKeyFromPem(((JsonObject) k).getString("public_key_pem")))));
          dev.aegis.pipeline.evidence.Checkpoint c = dev.aegis.pipeline.evidence.Checkpoint.verify(
              cp.data().getString("note"), "aegis/audit/" + AegisNode.DEMO_TENANT, keys);
          assertThat(c.size()).isEqualTo(size);
          assertThat(size).isGreaterThanOrEqualTo(prevSize);
          if (prevRoot != null && size > prevSize) {
            Http.Reply cons = http.get("/transparency/consistency?first=" + prevSize + "&second=" + size,
                Http.bearer(admin));
            assertThat(cons.status()).as(cons.raw()).isEqualTo(200);
            List<byte[]> proof = new ArrayList<>();
            cons.data().getJsonArray("proof").forEach(h -> proof.add(java.util.HexFormat.of().parseHex((String) h)));
            dev.aegis.pipeline.merkle.MerkleVerifier.verifyConsistency(prevSize, size, prevRoot, root, proof);
          }
          prevSize = size;
          prevRoot = root;
        }
        if (round == KILLS) {
          assertThat(acknowledged).hasSizeGreaterThan(100);
          return;
        }
        String agentToken = http.post("/auth/agent/token", new JsonObject().put("agent_id", agentId)
            .put("secret", secret), Map.of()).data().getString("access_token");
        load(port, agentToken, agentId, acknowledged, Duration.ofMillis(KILLS > 5 ? 600 : 1500), p);
      } finally {
        // killed rounds are already dead; the last one shuts down cleanly (stops embedded PG)
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  /** Sends concurrent /execute calls, then SIGKILLs the gateway while calls are still in flight. */
  private void load(int port, String token, String agentId, Map<String, String> acknowledged, Duration d,
      Process gateway) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Semaphore inFlight = new Semaphore(32);
    List<CompletableFuture<?>> calls = new ArrayList<>();
    long end = System.nanoTime() + d.toNanos();
    int i = 0;
    while (System.nanoTime() < end) {
      inFlight.acquire();
      String sql = (i++ % 5 == 0) ? "DELETE FROM users /* " + i + " */" : "SELECT * FROM orders WHERE id = " + i;
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/execute"))
          .timeout(Duration.ofSeconds(5))
          .header("Authorization", "Bearer " + token).header("X-Agent-ID", agentId)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("tool", "db.query")
              .put("payload", new JsonObject().put("query", sql)).encode())).build();
      calls.add(client.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
        inFlight.release();
        if (r != null && (r.statusCode() == 200 || r.statusCode() == 403)) {
          JsonObject body = new JsonObject(r.body());
          String id = r.statusCode() == 200 ? body.getJsonObject("data").getString("audit_id")
              : body.getString("audit_id");
          acknowledged.put(id, r.statusCode() == 200 ? "allow" : "deny");
        }
      }));
    }
    gateway.destroyForcibly();          // SIGKILL with requests in flight
    for (CompletableFuture<?> c : calls) {
      try {
        c.get(10, TimeUnit.SECONDS);
      } catch (Exception expectedForInFlightCalls) {
        // connection reset by the kill: never acknowledged, so never counted
      }
    }
  }

  private Set<String> allAuditIds(Http http, String admin) {
    Set<String> ids = new HashSet<>();
    for (int offset = 0; ; offset += 1000) {
      Http.Reply r = http.get("/audit/logs?limit=1000&offset=" + offset, Http.bearer(admin));
      assertThat(r.status()).as(r.raw()).isEqualTo(200);
      JsonArray items = r.data().getJsonArray("items");
      items.forEach(o -> ids.add(((JsonObject) o).getString("id")));
      if (items.size() < 1000) {
        return ids;
      }
    }
  }

  private String login(Http http) {
    Http.Reply r = http.post("/auth/token", new JsonObject().put("email", AegisNode.ADMIN_EMAIL)
        .put("password", PASSWORD), Map.of("X-Tenant-ID", AegisNode.DEMO_TENANT));
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return r.data().getString("access_token");
  }

  private Process startGateway(int port) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Path log = dataDir.resolve("gateway-" + UUID.randomUUID() + ".log");
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        "dev.aegis.launcher.Main", "run");
    pb.environment().put("AEGIS_PORT", Integer.toString(port));
    pb.environment().put("AEGIS_DATA_DIR", dataDir.resolve("data").toString());
    pb.environment().put("AEGIS_ADMIN_PASSWORD", PASSWORD);
    pb.environment().put("AEGIS_LIMITS_TENANT_RPS", "1000000");
    pb.environment().put("AEGIS_LIMITS_TENANT_BURST", "1000000");
    pb.environment().put("AEGIS_LIMITS_AGENT_RPS", "1000000");
    pb.environment().put("AEGIS_LIMITS_AGENT_BURST", "1000000");
    pb.environment().remove("AEGIS_PG_URL");
    pb.environment().remove("AEGIS_REDIS_URL");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = pb.start();
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("gateway exited: " + Files.readString(log));
      }
      if (Files.exists(log) && Files.readString(log).contains("Aegis ready on port")) {
        return p;
      }
      Thread.sleep(100);
    }
    p.destroyForcibly();
    throw new IllegalStateException("gateway did not start: " + Files.readString(log));
  }
}
