package dev.aegis.storage.pg;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: a PostgreSQL server started from the jar's own binaries, with its data
 * kept in {@code <dataDir>/pg} so a restart keeps everything. A server left running by a process
 * that was killed with SIGKILL (the JVM dies, its postgres child does not) is stopped first.
 * Blocking: launcher startup only.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  private final EmbeddedPostgres pg;

  private EmbeddedPostgresServer(EmbeddedPostgres pg) {
    this.pg = pg;
  }

  /** Starts (initialising on first use) the server whose data lives under {@code dataDir}. */
  public static EmbeddedPostgresServer start(Path dataDir) throws IOException {
    Path pgData = dataDir.resolve("pg");
    Files.createDirectories(pgData);
    stopOrphan(pgData);
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(pgData)
        .setCleanDataDirectory(false)
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("max_connections", "100")
        .setPGStartupWait(java.time.Duration.ofSeconds(30))
        .start();
    return new EmbeddedPostgresServer(pg);
  }

  /** The libpq-style URL of the {@code postgres} database as user {@code postgres}. */
  public String url() {
    return "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres";
  }

  @Override
  public void close() throws IOException {
    pg.close();
  }

  /** Stops a postmaster still running from a previous, killed process on the same data dir. */
  static void stopOrphan(Path pgData) throws IOException {
    Path pidFile = pgData.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty()) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return;
    }
    Optional<ProcessHandle> ph = ProcessHandle.of(pid);
    if (ph.isEmpty() || !ph.get().isAlive()) {
      return;
    }
    String cmd = ph.get().info().command().orElse("");
    if (!cmd.contains("postgres")) {
      return;
    }
    LOG.warn("Stopping orphaned embedded PostgreSQL (pid {}) left by a previous run", pid);
    // SIGTERM = smart shutdown; its clients are dead, so it completes quickly.
    ph.get().destroy();
    long deadline = System.currentTimeMillis() + 20_000;
    while (ph.get().isAlive() && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (ph.get().isAlive()) {
      ph.get().destroyForcibly();
    }
  }
}
