package dev.aegis.storage.pg;

import io.vertx.pgclient.PgConnectOptions;

/**
 * Turns a libpq-style URL ({@code postgresql://user:pass@host:port/db}) into reactive client
 * options and a JDBC URL (for migrations, which run once at startup off the event loop).
 */
public final class PgUrls {

  private PgUrls() {}

  /** Reactive client options with pipelining on and a cached prepared statements. */
  public static PgConnectOptions options(String url) {
    String u = url.startsWith("jdbc:") ? url.substring(5) : url;
    if (u.startsWith("postgres://")) {
      u = "postgresql://" + u.substring("postgres://".length());
    }
    PgConnectOptions o = PgConnectOptions.fromUri(u);
    if (o.getUser() == null || o.getUser().isEmpty()) {
      o.setUser("postgres");
    }
    return o.setPipeliningLimit(256).setCachePreparedStatements(true);
  }

  /** The JDBC URL for the same database. */
  public static String jdbc(PgConnectOptions o) {
    StringBuilder sb = new StringBuilder("jdbc:postgresql://").append(o.getHost()).append(':')
        .append(o.getPort()).append('/').append(o.getDatabase()).append("?user=")
        .append(java.net.URLEncoder.encode(o.getUser(), java.nio.charset.StandardCharsets.UTF_8));
    if (o.getPassword() != null && !o.getPassword().isEmpty()) {
      sb.append("&password=").append(java.net.URLEncoder.encode(o.getPassword(),
          java.nio.charset.StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  /** The same server's URL with another database name. */
  public static String withDatabase(String url, String database) {
    PgConnectOptions o = options(url);
    StringBuilder sb = new StringBuilder("postgresql://").append(o.getUser());
    if (o.getPassword() != null && !o.getPassword().isEmpty()) {
      sb.append(':').append(o.getPassword());
    }
    return sb.append('@').append(o.getHost()).append(':').append(o.getPort()).append('/')
        .append(database).toString();
  }
}
