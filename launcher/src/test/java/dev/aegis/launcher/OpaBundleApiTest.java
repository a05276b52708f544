package dev.aegis.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An OPA server's view of the bundle route on a real node: a tenant uploads and activates a
 * policy, creates a read-only API key (what OPA's {@code services[].credentials.bearer} holds) and
 * pulls {@code /policy/bundle.tar.gz}: its own active modules under {@code /aegis/tenant/}, the
 * manifest revision equal to the ETag, 304 while nothing changed, a new revision after the next
 * activation. (The archive layout itself is checked with an independent tar reader in
 * {@code verticles}' OpaBundleTest.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpaBundleApiTest {

  static final String V1 = """
      package aegis.tenant

      deny contains {"id": "tenant.no_shell", "reason": "no shell", "severity": "high"} if {
        input.tool == "shell.exec"
      }
      """;

  AttackNode n;
  final String r = UUID.randomUUID().toString().substring(0, 8);
  final HttpClient client = HttpClient.newHttpClient();
  String adminA;
  String keyA;
  String adminB;

  @BeforeAll
  void start() throws Exception {
    n = AttackNode.start("opabundle");
    String tenantA = n.seedTenant("bundle a " + r);
    n.seedUser(tenantA, "admin-a-" + r + "@bundle.example", "ADMIN", "A");
    adminA = n.login("admin-a-" + r + "@bundle.example", tenantA);
    String tenantB = n.seedTenant("bundle b " + r);
    n.seedUser(tenantB, "admin-b-" + r + "@bundle.example", "ADMIN", "B");
    adminB = n.login("admin-b-" + r + "@bundle.example", tenantB);
    Http.Reply key = n.http.post("/api-keys", new JsonObject().put("name", "opa-puller").put("role", "VIEWER")
        .put("scopes", new JsonArray().add("read")), Http.bearer(adminA));
    assertThat(key.status()).as(key.raw()).isEqualTo(201);
    keyA = key.data().getString("key");
  }

  @AfterAll
  void stop() throws Exception {
    if (n != null) {
      n.close();
    }
  }

  HttpResponse<byte[]> pull(String token, String ifNoneMatch) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.node.port()
        + "/policy/bundle.tar.gz")).header("Authorization", "Bearer " + token).GET();
    if (ifNoneMatch != null) {
      b.header("If-None-Match", ifNoneMatch);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The regular files of a ustar .tar.gz, by name (a minimal reader; enough for our own archives). */
  static Map<String, String> untar(byte[] gz) throws Exception {
    byte[] tar;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      tar = out.toByteArray();
    }
    Map<String, String> files = new LinkedHashMap<>();
    int off = 0;
    while (off + 512 <= tar.length && tar[off] != 0) {
      String name = cstr(tar, off, 100);
      String prefix = cstr(tar, off + 345, 155);
      long size = Long.parseLong(cstr(tar, off + 124, 12).trim(), 8);
      files.put(prefix.isEmpty() ? name : prefix + "/" + name,
          new String(tar, off + 512, (int) size, StandardCharsets.UTF_8));
      off += 512 + (int) ((size + 511) / 512) * 512;
    }
    return files;
  }

  private static String cstr(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.US_ASCII);
  }

  /** Verifies the pull OPA makes: 404 before any activation, then the active modules, ETag = revision, 304, new revision. */
  @Test
  void should_serve_the_active_policy_to_an_opa_puller() throws Exception {
    HttpResponse<byte[]> none = pull(keyA, null);
    assertThat(none.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(new String(none.body(), StandardCharsets.UTF_8)).getString("error"))
        .isEqualTo("policy_not_found");

    Http.Reply up = n.http.post("/policy/upload", new JsonObject().put("source", V1).put("activate", true),
        Http.bearer(adminA));
    assertThat(up.status()).as(up.raw()).isEqualTo(201);
    HttpResponse<byte[]> first = pull(keyA, null);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("content-type")).hasValue("application/gzip");
    Map<String, String> files = untar(first.body());
    assertThat(files.keySet()).containsExactly("/.manifest", "/aegis/tenant/policy.rego");
    assertThat(files.get("/aegis/tenant/policy.rego")).isEqualTo(V1);
    JsonObject manifest = new JsonObject(files.get("/.manifest"));
    assertThat(manifest.getJsonArray("roots").getList()).containsExactly("aegis/tenant");
    String etag = first.headers().firstValue("etag").orElseThrow();
    assertThat(etag).isEqualTo("\"" + manifest.getString("revision") + "\"");

    HttpResponse<byte[]> again = pull(keyA, etag);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();

    // tenant B has no policy: its pull is 404, never A's bundle
    HttpResponse<byte[]> b = pull(adminB, null);
    assertThat(b.statusCode()).isEqualTo(404);

    Http.Reply v2 = n.http.post("/policy/upload", new JsonObject().put("source", V1 + "\n# v2\n")
        .put("activate", true), Http.bearer(adminA));
    assertThat(v2.status()).as(v2.raw()).isEqualTo(201);
    HttpResponse<byte[]> next = pull(keyA, etag);
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.headers().firstValue("etag").orElseThrow()).isNotEqualTo(etag);
    assertThat(untar(next.body()).get("/aegis/tenant/policy.rego")).endsWith("# v2\n");
  }
}
