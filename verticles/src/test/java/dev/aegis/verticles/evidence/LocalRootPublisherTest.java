package dev.aegis.verticles.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local-directory publisher: file layout, replacement, and no path outside its directory. */
class LocalRootPublisherTest {

  private final Vertx vertx = Vertx.vertx();

  @TempDir
  Path dir;

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Verifies the layout {@code <tenant>/<date>.json} and {@code keys/<fp>.pem}, and replacement. */
  @Test
  void should_write_roots_and_keys_in_place() throws Exception {
    LocalRootPublisher p = new LocalRootPublisher(vertx, dir);
    String tenant = UUID.randomUUID().toString();
    p.publishRoot(tenant, "2026-03-01", new JsonObject().put("v", 1)).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    p.publishRoot(tenant, "2026-03-01", new JsonObject().put("v", 2)).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    Path file = dir.resolve(tenant).resolve("2026-03-01.json");
    assertThat(new JsonObject(Files.readString(file)).getInteger("v")).isEqualTo(2);
    try (var s = Files.list(dir.resolve(tenant))) {
      assertThat(s.count()).isEqualTo(1); // no temporary files left
    }
    String fp = "ab".repeat(32);
    p.publishKey(fp, "PEM").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(Files.readString(dir.resolve("keys").resolve(fp + ".pem"))).isEqualTo("PEM");
  }

  /** Verifies that tenant, date and fingerprint cannot name another path. */
  @Test
  void should_refuse_names_that_are_not_ids() {
    LocalRootPublisher p = new LocalRootPublisher(vertx, dir);
    assertThat(p.publishRoot("../../etc", "2026-03-01", new JsonObject()).failed()).isTrue();
    assertThat(p.publishRoot(UUID.randomUUID().toString(), "../x", new JsonObject()).failed()).isTrue();
    assertThat(p.publishKey("../../x", "PEM").failed()).isTrue();
    assertThatThrownBy(() -> p.keyFile("AB".repeat(32))).isInstanceOf(IllegalArgumentException.class);
  }
}
