package dev.aegis.launcher;

import dev.aegis.storage.pg.PgUrls;
import dev.aegis.verticles.identity.TokenService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;

/** Issues tokens signed with the node's real key but already expired (for stage 1 tests). */
final class ExpiredTokens {

  private ExpiredTokens() {}

  static String issue(String dbUrl, String tenant) throws Exception {
    try (Connection c = DriverManager.getConnection(PgUrls.jdbc(PgUrls.options(dbUrl)));
         ResultSet rs = c.createStatement().executeQuery(
             "SELECT kid, private_key, public_key FROM identity.signing_keys ORDER BY created_at DESC LIMIT 1")) {
      rs.next();
      TokenService.SigningKey k = TokenService.decode(rs.getString(1), rs.getBytes(2), rs.getBytes(3));
      return new TokenService(k, List.of(), -120).issue("someone", tenant, "ADMIN", null, false);
    }
  }
}
