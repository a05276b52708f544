package dev.aegis.verticles.opa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.pipeline.ports.TenantPolicySource;
import dev.aegis.pipeline.ports.TokenVerifier;
import dev.aegis.verticles.http.ManagementAuth;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The bundle routes over HTTP, as OPA's bundle downloader calls them: bearer credential, ETag
 * and If-None-Match polling, one tenant's bundle only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpaBundleRoutesTest {

  /** A port fake: tenant id to active policy. */
  static final class FakePolicies implements TenantPolicySource {
    final Map<String, TenantPolicy> active = new ConcurrentHashMap<>();

    @Override
    public TenantPolicy active(String tenantId) {
      return active.get(tenantId);
    }

    @Override
    public TenantPolicy shadow(String tenantId) {
      return null;
    }
  }

  static final Map<String, Principal> TOKENS = Map.of(
      "key-a", new Principal("apikey-a", "tenant-a", "VIEWER", null, "k1", Long.MAX_VALUE, false),
      "key-b", new Principal("apikey-b", "tenant-b", "ADMIN", null, "k2", Long.MAX_VALUE, false),
      "key-c", new Principal("apikey-c", "tenant-c", "ADMIN", null, "k3", Long.MAX_VALUE, false),
      "agent-a", new Principal("agent-1", "tenant-a", "agent", "agent-1", "k4", Long.MAX_VALUE, false));

  Vertx vertx;
  HttpServer server;
  final FakePolicies policies = new FakePolicies();
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    TokenVerifier verifier = bearer -> {
      Principal p = TOKENS.get(bearer);
      return p == null ? Future.failedFuture(new TokenVerifier.AuthFailure("invalid_token", "bad"))
          : Future.succeededFuture(p);
    };
    Router router = Router.router(vertx);
    new OpaBundleRoutes(vertx, policies, new ManagementAuth(verifier)).mount(router);
    server = vertx.createHttpServer().requestHandler(router).listen(0).toCompletionStage()
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    policies.active.put("tenant-a", new TenantPolicySource.TenantPolicy("tenant-a", "v-a", 1, "rev-a1",
        Map.of("policy.rego", OpaBundleTest.POLICY), null));
    policies.active.put("tenant-b", new TenantPolicySource.TenantPolicy("tenant-b", "v-b", 4, "rev-b4",
        Map.of("policy.rego", "package aegis.tenant\n\n# canary-b\ndeny contains \"b\" if { input.tool == \"x\" }\n"),
        null));
  }

  @AfterAll
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  HttpResponse<byte[]> get(String path, String token, String ifNoneMatch) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (ifNoneMatch != null) {
      b.header("If-None-Match", ifNoneMatch);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static JsonObject json(HttpResponse<byte[]> r) {
    return new JsonObject(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void should_serve_the_callers_active_policy_as_a_bundle() throws Exception {
    for (String path : new String[] {"/policy/bundle", "/policy/bundle.tar.gz"}) {
      HttpResponse<byte[]> r = get(path, "key-a", null);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type")).hasValue("application/gzip");
      assertThat(r.headers().firstValue("etag")).hasValue("\"rev-a1\"");
      BundleArchive a = BundleArchive.read(r.body());
      assertThat(a.manifest.getString("revision")).isEqualTo("rev-a1");
      assertThat(a.files).containsEntry("/aegis/tenant/policy.rego", OpaBundleTest.POLICY);
      assertThat(new String(BundleArchive.gunzip(r.body()), java.nio.charset.StandardCharsets.UTF_8))
          .doesNotContain("canary-b").doesNotContain("tenant-b");
    }
  }

  @Test
  void should_answer_304_while_the_revision_is_unchanged_and_200_after_a_new_one() throws Exception {
    policies.active.put("tenant-c", new TenantPolicySource.TenantPolicy("tenant-c", "v-c", 1, "rev-c1",
        Map.of("policy.rego", OpaBundleTest.POLICY), null));
    HttpResponse<byte[]> first = get("/policy/bundle.tar.gz", "key-c", null);
    String etag = first.headers().firstValue("etag").orElseThrow();
    HttpResponse<byte[]> same = get("/policy/bundle.tar.gz", "key-c", etag);
    assertThat(same.statusCode()).isEqualTo(304);
    assertThat(same.body()).isEmpty();
    assertThat(same.headers().firstValue("etag")).hasValue(etag);
    assertThat(get("/policy/bundle.tar.gz", "key-c", "\"other\", W/" + etag).statusCode()).isEqualTo(304);
    assertThat(get("/policy/bundle.tar.gz", "key-c", "*").statusCode()).isEqualTo(304);
    assertThat(get("/policy/bundle.tar.gz", "key-c", "\"rev-c0\"").statusCode()).isEqualTo(200);
    // activation of a new revision: the old tag no longer matches
    policies.active.put("tenant-c", new TenantPolicySource.TenantPolicy("tenant-c", "v-c2", 2, "rev-c2",
        Map.of("policy.rego", OpaBundleTest.POLICY + "\n# v2\n"), null));
    HttpResponse<byte[]> next = get("/policy/bundle.tar.gz", "key-c", etag);
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.headers().firstValue("etag")).hasValue("\"rev-c2\"");
    BundleArchive a = BundleArchive.read(next.body());
    assertThat(a.manifest.getString("revision")).isEqualTo("rev-c2");
    assertThat(a.files.get("/aegis/tenant/policy.rego")).endsWith("# v2\n");
  }

  @Test
  void should_answer_404_without_an_active_policy() throws Exception {
    policies.active.remove("tenant-c");
    HttpResponse<byte[]> r = get("/policy/bundle", "key-c", null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json(r).getString("error")).isEqualTo("policy_not_found");
  }

  @Test
  void should_require_a_reader_credential() throws Exception {
    HttpResponse<byte[]> none = get("/policy/bundle", null, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(json(none).getString("error")).isEqualTo("missing_credentials");
    assertThat(get("/policy/bundle", "forged", null).statusCode()).isEqualTo(401);
    HttpResponse<byte[]> agent = get("/policy/bundle", "agent-a", null);
    assertThat(agent.statusCode()).isEqualTo(403);
    assertThat(json(agent).getString("error")).isEqualTo("insufficient_role");
  }

  @Test
  void should_answer_409_for_a_module_outside_the_bundle_root() throws Exception {
    policies.active.put("tenant-c", new TenantPolicySource.TenantPolicy("tenant-c", "v-c3", 3, "rev-c3",
        Map.of("policy.rego", "package other\nx := 1\n"), null));
    HttpResponse<byte[]> r = get("/policy/bundle", "key-c", null);
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(json(r).getString("error")).isEqualTo("policy_not_bundleable");
    policies.active.remove("tenant-c");
  }

  @Test
  void should_tag_unsafe_revisions_by_their_digest() {
    assertThat(OpaBundleRoutes.etag("rev-1")).isEqualTo("\"rev-1\"");
    assertThat(OpaBundleRoutes.etag("a \"b\", c")).matches("\"[0-9a-f]{64}\"");
    assertThat(OpaBundleRoutes.matches("W/\"x\"", "\"x\"")).isTrue();
    assertThat(OpaBundleRoutes.matches("\"y\"", "\"x\"")).isFalse();
    assertThat(OpaBundleRoutes.matches(null, "\"x\"")).isFalse();
  }
}
