package dev.aegis.storage.pg;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the versioned schema migrations (classpath {@code db/migration}) with Flyway. Blocking:
 * call it from the launcher's main thread or a worker, never from an event loop.
 */
public final class Migrations {

  private Migrations() {}

  /** @return the number of migrations applied by this call */
  public static int migrate(String pgUrl) {
    String jdbc = PgUrls.jdbc(PgUrls.options(pgUrl));
    Flyway flyway = Flyway.configure(Migrations.class.getClassLoader())
        .dataSource(jdbc, null, null)
        .locations("classpath:db/migration")
        .schemas("public")
        .createSchemas(false)
        .table("aegis_schema_history")
        .load();
    MigrateResult r = flyway.migrate();
    return r.migrationsExecuted;
  }
}
