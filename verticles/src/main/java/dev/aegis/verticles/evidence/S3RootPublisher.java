package dev.aegis.verticles.evidence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Publishes daily roots and public keys to an S3 bucket (the public mirror of SPEC section 4.1:
 * {@code <prefix><tenant>/<date>.json}, {@code <prefix>keys/<fingerprint>.pem}) through the AWS
 * SDK v2 async client on its Netty HTTP client. Credentials come from the SDK's default chain
 * (environment, profile, instance role). {@code endpoint} may point at an S3-compatible store
 * (path-style addressing is then used). Results are delivered back on the calling Vert.x context.
 */
public final class S3RootPublisher implements RootPublisher {

  private final Vertx vertx;
  private final S3AsyncClient s3;
  private final String bucket;
  private final String prefix;

  /**
   * @param bucket bucket name
   * @param prefix key prefix (may be empty, else ends with '/')
   * @param region AWS region
   * @param endpoint an S3-compatible endpoint, or null for AWS
   */
  public S3RootPublisher(Vertx vertx, String bucket, String prefix, String region, String endpoint) {
    this.vertx = vertx;
    this.bucket = bucket;
    this.prefix = prefix == null ? "" : prefix;
    var b = S3AsyncClient.builder().region(Region.of(region))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(16))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(endpoint != null)
            .checksumValidationEnabled(false).build());
    if (endpoint != null) {
      b.endpointOverride(URI.create(endpoint));
    }
    this.s3 = b.build();
  }

  /** For tests: a ready client. */
  public S3RootPublisher(Vertx vertx, S3AsyncClient s3, String bucket, String prefix) {
    this.vertx = vertx;
    this.s3 = s3;
    this.bucket = bucket;
    this.prefix = prefix == null ? "" : prefix;
  }

  @Override
  public Future<Void> publishRoot(String tenantId, String rootDate, JsonObject root) {
    return put(prefix + tenantId + "/" + rootDate + ".json", root.encodePrettily(), "application/json");
  }

  @Override
  public Future<Void> publishKey(String fingerprint, String pem) {
    return put(prefix + "keys/" + fingerprint + ".pem", pem, "application/x-pem-file");
  }

  private Future<Void> put(String key, String body, String contentType) {
    var ctx = vertx.getOrCreateContext();
    var cf = s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key).contentType(contentType).build(),
        AsyncRequestBody.fromString(body, StandardCharsets.UTF_8));
    return Future.fromCompletionStage(cf, ctx).mapEmpty();
  }

  @Override
  public String describe() {
    return "s3://" + bucket + "/" + prefix;
  }

  public void close() {
    s3.close();
  }
}
