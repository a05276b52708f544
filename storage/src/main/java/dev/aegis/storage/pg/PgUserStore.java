package dev.aegis.storage.pg;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Users of a tenant and their invites ({@code identity.users}, {@code identity.user_invites}).
 * Every user query is scoped by tenant; soft-deleted users are invisible except to listings that
 * ask for them. Password hashes are written here but never read back.
 */
public final class PgUserStore {

  /** A user row without its password hash. */
  public record User(UUID id, UUID tenantId, String email, String role, String fullName,
      boolean active, boolean platformAdmin, OffsetDateTime lastLogin, OffsetDateTime createdAt,
      OffsetDateTime updatedAt, OffsetDateTime deletedAt) {

    public JsonObject toJson() {
      JsonObject o = new JsonObject().put("id", id.toString()).put("tenant_id", tenantId.toString())
          .put("email", email).put("role", role).put("full_name", fullName).put("is_active", active)
          .put("is_platform_admin", platformAdmin)
          .put("last_login", lastLogin == null ? null : lastLogin.toString())
          .put("created_at", createdAt.toString()).put("updated_at", updatedAt.toString());
      if (deletedAt != null) {
        o.put("deleted_at", deletedAt.toString());
      }
      return o;
    }
  }

  /** A pending invite (no token or hash in it). */
  public record Invite(UUID tenantId, String email, String role, String fullName, OffsetDateTime expiresAt) {}

  /** Thrown (as a failed future) when an invite is unknown, expired, used, or its tenant inactive. */
  public static final class InvalidInvite extends RuntimeException {
    public InvalidInvite() {
      super("The invite is invalid, expired or already used", null, false, false);
    }
  }

  private final Pool pool;

  public PgUserStore(Pool pool) {
    this.pool = pool;
  }

  /** A live (not deleted) user of the tenant, or null. */
  public Future<User> user(UUID tenantId, UUID id) {
    return pool.preparedQuery(UserQueries.USER).execute(Tuple.of(tenantId, id))
        .map(rs -> rs.size() == 0 ? null : user(rs.iterator().next()));
  }

  public Future<List<User>> users(UUID tenantId, boolean includeDeleted, int limit, int offset) {
    return pool.preparedQuery(UserQueries.LIST).execute(Tuple.of(tenantId, includeDeleted, limit, offset))
        .map(rs -> {
          List<User> out = new ArrayList<>(rs.size());
          rs.forEach(r -> out.add(user(r)));
          return out;
        });
  }

  public Future<Long> count(UUID tenantId, boolean includeDeleted) {
    return pool.preparedQuery(UserQueries.COUNT).execute(Tuple.of(tenantId, includeDeleted))
        .map(rs -> rs.iterator().next().getLong(0));
  }

  /** Whether any user (of any tenant, deleted or not) has this e-mail, case-insensitively. */
  public Future<Boolean> emailTaken(String email) {
    return pool.preparedQuery(UserQueries.EMAIL_TAKEN).execute(Tuple.of(email)).map(rs -> rs.size() > 0);
  }

  /** Inserts an active, non-platform-admin user; {@link PgRegistryStore.Conflict} if the e-mail is taken. */
  public Future<User> insert(UUID tenantId, String email, String passwordHash, String role, String fullName) {
    return pool.preparedQuery(UserQueries.INSERT).execute(Tuple.tuple().addUUID(UUID.randomUUID())
            .addUUID(tenantId).addString(email).addString(passwordHash).addString(role).addString(fullName))
        .recover(e -> Future.failedFuture(conflictOr(e)))
        .map(rs -> user(rs.iterator().next()));
  }

  /**
   * Updates a live user; null {@code role} / {@code active} keep the value, {@code setFullName}
   * false keeps the name.
   *
   * @return the updated user, or null when there is no such live user in the tenant
   */
  public Future<User> update(UUID tenantId, UUID id, String role, boolean setFullName, String fullName,
      Boolean active) {
    return pool.preparedQuery(UserQueries.UPDATE).execute(Tuple.tuple().addUUID(tenantId).addUUID(id)
            .addString(role).addBoolean(setFullName).addString(fullName).addBoolean(active))
        .map(rs -> rs.size() == 0 ? null : user(rs.iterator().next()));
  }

  /** Soft-deletes a live user (inactive, {@code deleted_at} set, e-mail kept); null when none. */
  public Future<User> softDelete(UUID tenantId, UUID id) {
    return pool.preparedQuery(UserQueries.SOFT_DELETE).execute(Tuple.of(tenantId, id))
        .map(rs -> rs.size() == 0 ? null : user(rs.iterator().next()));
  }

  /**
   * The session families of a user that are not revoked (expired ones included: their access
   * tokens may still be live), so that a disable, delete or role change can revoke them.
   */
  public Future<List<UUID>> sessionFamilies(UUID tenantId, UUID userId) {
    return pool.preparedQuery(UserQueries.LIVE_FAMILIES).execute(Tuple.of(tenantId, userId)).map(rs -> {
      List<UUID> out = new ArrayList<>(rs.size());
      rs.forEach(r -> out.add(r.getUUID(0)));
      return out;
    });
  }

  public Future<Void> insertInvite(String tokenHash, UUID tenantId, String email, String role,
      String fullName, String invitedBy, OffsetDateTime expiresAt) {
    return pool.preparedQuery(UserQueries.INSERT_INVITE).execute(Tuple.tuple().addString(tokenHash)
        .addUUID(tenantId).addString(email).addString(role).addString(fullName).addString(invitedBy)
        .addOffsetDateTime(expiresAt)).mapEmpty();
  }

  /** The pending invite for a token hash, or null (unknown, expired, used, tenant inactive). */
  public Future<Invite> pendingInvite(String tokenHash) {
    return pool.preparedQuery(UserQueries.PENDING_INVITE).execute(Tuple.of(tokenHash))
        .map(rs -> rs.size() == 0 ? null : invite(rs.iterator().next()));
  }

  /**
   * Claims the invite and creates its user in one transaction: exactly one caller can succeed.
   * Fails with {@link InvalidInvite} when the invite is not pending, or with
   * {@link PgRegistryStore.Conflict} when its e-mail has been taken meanwhile (the invite stays
   * unused then).
   *
   * @param fullName the name to use; null keeps the invite's
   */
  public Future<User> acceptInvite(String tokenHash, String passwordHash, String fullName) {
    UUID userId = UUID.randomUUID();
    return pool.withTransaction(conn -> conn.preparedQuery(UserQueries.CLAIM_INVITE)
        .execute(Tuple.tuple().addString(tokenHash).addUUID(userId))
        .compose(rs -> {
          if (rs.size() == 0) {
            return Future.failedFuture(new InvalidInvite());
          }
          Invite inv = invite(rs.iterator().next());
          return conn.preparedQuery(UserQueries.INSERT).execute(Tuple.tuple().addUUID(userId)
              .addUUID(inv.tenantId()).addString(inv.email()).addString(passwordHash)
              .addString(inv.role()).addString(fullName != null ? fullName : inv.fullName()));
        })
        .map(rs -> user(rs.iterator().next())))
        .recover(e -> Future.failedFuture(conflictOr(e)));
  }

  private static Throwable conflictOr(Throwable e) {
    if (e instanceof PgException pe && "23505".equals(pe.getSqlState())) {
      return new PgRegistryStore.Conflict("a user with this e-mail already exists");
    }
    return e;
  }

  private static Invite invite(Row r) {
    return new Invite(r.getUUID("tenant_id"), r.getString("email"), r.getString("role"),
        r.getString("full_name"), r.getOffsetDateTime("expires_at"));
  }

  private static User user(Row r) {
    return new User(r.getUUID("id"), r.getUUID("tenant_id"), r.getString("email"), r.getString("role"),
        r.getString("full_name"), r.getBoolean("is_active"), r.getBoolean("is_platform_admin"),
        r.getOffsetDateTime("last_login"), r.getOffsetDateTime("created_at"),
        r.getOffsetDateTime("updated_at"), r.getOffsetDateTime("deleted_at"));
  }
}
