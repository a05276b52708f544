package dev.aegis.storage.pg;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Creates and drops throw-away databases on a real server, so that tests and benchmarks never
 * share state. Blocking (JDBC): test and bench setup only.
 */
public final class ScratchDatabase implements AutoCloseable {

  private final String adminUrl;
  private final String name;
  private final String url;

  private ScratchDatabase(String adminUrl, String name) {
    this.adminUrl = adminUrl;
    this.name = name;
    this.url = PgUrls.withDatabase(adminUrl, name);
  }

  /** Creates a fresh empty database named {@code aegis_<prefix>_<random>} and migrates it. */
  public static ScratchDatabase create(String adminUrl, String prefix) {
    String name = "aegis_" + prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    exec(adminUrl, "CREATE DATABASE " + name);
    ScratchDatabase db = new ScratchDatabase(adminUrl, name);
    Migrations.migrate(db.url);
    return db;
  }

  public String url() {
    return url;
  }

  public String name() {
    return name;
  }

  @Override
  public void close() {
    exec(adminUrl, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  private static void exec(String url, String sql) {
    try (Connection c = DriverManager.getConnection(PgUrls.jdbc(PgUrls.options(url)));
         Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot run '" + sql + "' on " + PgUrls.options(url).getHost()
          + ": " + e.getMessage(), e);
    }
  }
}
