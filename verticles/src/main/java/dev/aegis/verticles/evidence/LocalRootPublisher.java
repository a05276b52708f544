package dev.aegis.verticles.evidence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Publishes roots to a local directory through the Vert.x file system (non-blocking):
 * {@code <dir>/<tenant>/<date>.json} and {@code <dir>/keys/<fingerprint>.pem}. Each file is
 * written to a temporary name and moved into place, so a reader never sees a half-written file.
 */
public final class LocalRootPublisher implements RootPublisher {

  private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");

  private final Vertx vertx;
  private final Path dir;

  public LocalRootPublisher(Vertx vertx, Path dir) {
    this.vertx = vertx;
    this.dir = dir.toAbsolutePath();
  }

  public Path dir() {
    return dir;
  }

  /** The file of a tenant's day. */
  public Path rootFile(String tenantId, String rootDate) {
    // both are parsed, so neither can name another directory
    return dir.resolve(UUID.fromString(tenantId).toString()).resolve(LocalDate.parse(rootDate) + ".json");
  }

  /** The file of a public key. */
  public Path keyFile(String fingerprint) {
    if (!FINGERPRINT.matcher(fingerprint).matches()) {
      throw new IllegalArgumentException("bad key fingerprint");
    }
    return dir.resolve("keys").resolve(fingerprint + ".pem");
  }

  @Override
  public Future<Void> publishRoot(String tenantId, String rootDate, JsonObject root) {
    Path target;
    try {
      target = rootFile(tenantId, rootDate);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return write(target, root.encodePrettily() + "\n");
  }

  @Override
  public Future<Void> publishKey(String fingerprint, String pem) {
    Path target;
    try {
      target = keyFile(fingerprint);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return write(target, pem);
  }

  private Future<Void> write(Path target, String text) {
    String tmp = target + ".tmp-" + UUID.randomUUID();
    var fs = vertx.fileSystem();
    return fs.mkdirs(target.getParent().toString())
        .compose(v -> fs.writeFile(tmp, Buffer.buffer(text)))
        .compose(v -> fs.move(tmp, target.toString(), new CopyOptions().setReplaceExisting(true).setAtomicMove(true)))
        .recover(e -> fs.delete(tmp).transform(x -> Future.<Void>failedFuture(e)));
  }

  @Override
  public String describe() {
    return "directory " + dir;
  }
}
