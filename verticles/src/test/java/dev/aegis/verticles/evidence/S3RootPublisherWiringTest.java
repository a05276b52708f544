package dev.aegis.verticles.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * Wiring test of the S3 publisher: the AWS SDK v2 async client on its Netty HTTP client (running
 * on the Netty 4.2 that Vert.x 5 brings) sends SigV4-signed PUTs with the right bucket, keys,
 * content type and body. There is no S3 server on this machine, so the endpoint is a local HTTP
 * server that records what arrives; S3's own semantics are not under test.
 */
class S3RootPublisherWiringTest {

  private record Put(String method, String path, String auth, String contentType, String body) {}

  private Vertx vertx;
  private HttpServer server;
  private final List<Put> puts = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      puts.add(new Put(req.method().name(), req.path(), req.getHeader("Authorization"),
          req.getHeader("Content-Type"), b.toString()));
      req.response().putHeader("ETag", "\"0123\"").setStatusCode(200).end(Buffer.buffer());
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void should_put_signed_roots_and_keys_at_their_keys() throws Exception {
    S3AsyncClient client = S3AsyncClient.builder().region(Region.US_EAST_1)
        .endpointOverride(URI.create("http://127.0.0.1:" + server.actualPort()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .httpClientBuilder(NettyNioAsyncHttpClient.builder()).build();
    S3RootPublisher cut = new S3RootPublisher(vertx, client, "public-roots", "v1/");
    JsonObject root = new JsonObject().put("root_date", "2026-11-27").put("root_hash", "ab".repeat(32));

    cut.publishRoot("tenant-1", "2026-11-27", root).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    cut.publishKey("f00d", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    cut.close();

    assertThat(puts).hasSize(2);
    assertThat(puts.get(0).method()).isEqualTo("PUT");
    assertThat(puts.get(0).path()).isEqualTo("/public-roots/v1/tenant-1/2026-11-27.json");
    assertThat(puts.get(0).auth()).startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/");
    assertThat(puts.get(0).contentType()).isEqualTo("application/json");
    assertThat(puts.get(0).body()).contains("ab".repeat(32));
    assertThat(puts.get(1).path()).isEqualTo("/public-roots/v1/keys/f00d.pem");
    assertThat(puts.get(1).body()).contains("BEGIN PUBLIC KEY");
  }
}
