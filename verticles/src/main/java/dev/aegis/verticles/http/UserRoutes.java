package dev.aegis.verticles.http;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.storage.pg.PgRegistryStore;
import dev.aegis.storage.pg.PgUserStore;
import dev.aegis.verticles.gateway.GatewayServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Users of the caller's tenant: {@code GET /users}, {@code GET /users/{id}}, {@code POST /users}
 * (alias {@code POST /auth/users}), {@code POST /users/invite}, {@code POST /users/accept-invite}
 * (no credential: the invite token is the credential), {@code PATCH /users/{id}},
 * {@code DELETE /users/{id}} (soft delete), and {@code GET /auth/me}.
 *
 * <p>The tenant always comes from the verified principal; another tenant's user id, a deleted
 * user and a malformed id are all 404. Writes are ADMIN only; bodies are allow-listed, so
 * protected fields ({@code tenant_id}, {@code email}, {@code is_platform_admin}, {@code id},
 * {@code password_hash}, ...) and unknown fields are 400 {@code validation_error} and never
 * persisted. No reply carries a password hash or an invite token hash; an invite token is shown
 * once, in the reply that creates it. Passwords are hashed on a worker thread.
 */
public final class UserRoutes {

  /** The roles a user (not an agent credential) may hold. */
  static final Set<String> USER_ROLES = Set.of(Principal.Roles.ADMIN, Principal.Roles.SECURITY,
      Principal.Roles.AUDITOR, Principal.Roles.VIEWER);
  static final Set<String> ADMIN_ONLY = Set.of(Principal.Roles.ADMIN);
  static final Pattern EMAIL = Pattern.compile(
      "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
      + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");
  static final int MIN_PASSWORD = 12;
  static final int MAX_PASSWORD = 1024;
  static final Duration INVITE_TTL = Duration.ofHours(24);
  static final String INVITE_PREFIX = "inv_";

  /** Fields a client may never set on a user (mass assignment). */
  static final Set<String> PROTECTED_USER_FIELDS = Set.of("id", "user_id", "tenant_id", "org_id",
      "email", "password", "password_hash", "hashed_password", "is_platform_admin", "platform_admin",
      "created_at", "updated_at", "deleted_at", "last_login");
  private static final Set<String> CREATE_FIELDS = Set.of("email", "password", "role", "full_name");
  private static final Set<String> CREATE_PROTECTED = Set.of("id", "user_id", "tenant_id", "org_id",
      "password_hash", "hashed_password", "is_platform_admin", "platform_admin", "is_active",
      "created_at", "updated_at", "deleted_at", "last_login");
  private static final Set<String> INVITE_FIELDS = Set.of("email", "role", "full_name");
  private static final Set<String> ACCEPT_FIELDS = Set.of("token", "password", "full_name");
  private static final Set<String> ACCEPT_PROTECTED = Set.of("id", "user_id", "tenant_id", "org_id",
      "email", "role", "password_hash", "hashed_password", "is_platform_admin", "platform_admin",
      "is_active", "created_at", "updated_at", "deleted_at", "last_login");
  private static final Set<String> PATCH_FIELDS = Set.of("role", "full_name", "is_active");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final GatewayServices s;
  private final ManagementAuth auth;
  private final ManagementAudit audit;
  private final PgUserStore users;

  public UserRoutes(Vertx vertx, GatewayServices s, ManagementAuth auth, ManagementAudit audit) {
    this.vertx = vertx;
    this.s = s;
    this.auth = auth;
    this.audit = audit;
    this.users = new PgUserStore(s.pool());
  }

  public void mount(Router router) {
    router.get("/auth/me").handler(auth.require(Principal.Roles.ALL)).handler(this::me);
    router.post("/users/accept-invite").handler(this::acceptInvite);
    router.post("/users/invite").handler(auth.require(ADMIN_ONLY)).handler(this::invite);
    router.post("/users").handler(auth.require(ADMIN_ONLY)).handler(this::create);
    router.post("/auth/users").handler(auth.require(ADMIN_ONLY)).handler(this::create);
    router.get("/users").handler(auth.require(ManagementAuth.AUDIT_READERS)).handler(this::list);
    router.get("/users/:id").handler(auth.require(ManagementAuth.AUDIT_READERS)).handler(this::get);
    router.patch("/users/:id").handler(auth.require(ADMIN_ONLY)).handler(this::patch);
    router.delete("/users/:id").handler(auth.require(ADMIN_ONLY)).handler(this::delete);
  }

  // ------------------------------------------------------------------ GET /auth/me

  private void me(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    JsonObject o = new JsonObject().put("subject", p.subject()).put("tenant_id", p.tenantId())
        .put("role", p.role()).put("agent_id", p.agentId()).put("platform_admin", p.platformAdmin())
        .put("expires_at", p.expiresAtEpochSeconds() <= 0 ? null
            : OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(p.expiresAtEpochSeconds()),
                ZoneOffset.UTC).toString());
    UUID userId = p.isAgent() ? null : uuidOrNull(p.subject());
    if (userId == null) {
      o.put("kind", p.isAgent() ? "agent" : "credential");
      Envelope.ok(rc, 200, o);
      return;
    }
    Envelope.reply(rc, 200, users.user(UUID.fromString(p.tenantId()), userId).map(u -> o.put("kind", "user")
        .put("user_id", userId.toString()).put("email", u == null ? null : u.email())
        .put("full_name", u == null ? null : u.fullName()).put("is_active", u != null && u.active())));
  }

  // ------------------------------------------------------------------ reads

  private void list(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      int limit = Bodies.intParam(rc, "limit", 100, 1, 1000);
      int offset = Bodies.intParam(rc, "offset", 0, 0, Integer.MAX_VALUE);
      String inc = rc.request().getParam("include_deleted");
      if (inc != null && !inc.equals("true") && !inc.equals("false")) {
        throw ApiError.badRequest("validation_error", "'include_deleted' must be true or false");
      }
      boolean includeDeleted = "true".equals(inc);
      UUID tenant = UUID.fromString(p.tenantId());
      f = users.users(tenant, includeDeleted, limit, offset)
          .compose(list -> users.count(tenant, includeDeleted).map(total -> {
            JsonArray items = new JsonArray();
            list.forEach(u -> items.add(u.toJson()));
            return new JsonObject().put("items", items).put("total", total).put("limit", limit)
                .put("offset", offset);
          }));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private void get(RoutingContext rc) {
    Envelope.reply(rc, 200, target(rc).map(PgUserStore.User::toJson));
  }

  /** The live user named by the path, in the caller's tenant; 404 otherwise. */
  private Future<PgUserStore.User> target(RoutingContext rc) {
    try {
      Principal p = ManagementAuth.principal(rc);
      UUID id = Bodies.uuid(rc.pathParam("id"), "user", true);
      return users.user(UUID.fromString(p.tenantId()), id)
          .compose(u -> u == null ? Future.failedFuture(ApiError.notFound("user")) : Future.succeededFuture(u));
    } catch (ApiError e) {
      return Future.failedFuture(e);
    }
  }

  // ------------------------------------------------------------------ create, invite, accept

  private void create(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      JsonObject b = Bodies.json(rc);
      allowOnly(b, CREATE_FIELDS, CREATE_PROTECTED);
      String email = email(b, "email");
      String password = password(b, "password");
      String role = role(b, "role");
      String fullName = fullName(b, "full_name");
      UUID tenant = UUID.fromString(p.tenantId());
      f = users.emailTaken(email)
          .compose(taken -> taken ? Future.failedFuture(conflict())
              : vertx.executeBlocking(() -> s.passwords().hash(password), false))
          .compose(hash -> users.insert(tenant, email, hash, role, fullName))
          .recover(UserRoutes::mapConflict)
          .compose(u -> audit.record(rc, p, p.tenantId(), "user_created", "allow", null,
              new JsonObject().put("user_id", u.id().toString()).put("email", u.email()).put("role", u.role()))
              .map(r -> u.toJson()));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 201, f);
  }

  private void invite(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      JsonObject b = Bodies.json(rc);
      allowOnly(b, INVITE_FIELDS, CREATE_PROTECTED);
      String email = email(b, "email");
      String role = role(b, "role");
      String fullName = fullName(b, "full_name");
      UUID tenant = UUID.fromString(p.tenantId());
      byte[] raw = new byte[32];
      RANDOM.nextBytes(raw);
      String token = INVITE_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
      OffsetDateTime expires = OffsetDateTime.now(ZoneOffset.UTC).plus(INVITE_TTL);
      f = users.emailTaken(email)
          .compose(taken -> taken ? Future.failedFuture(conflict())
              : users.insertInvite(sha256Hex(token), tenant, email, role, fullName, p.subject(), expires))
          .compose(v -> audit.record(rc, p, p.tenantId(), "user_invite", "allow", null,
              new JsonObject().put("email", email).put("role", role).put("expires_at", expires.toString())))
          .map(r -> new JsonObject().put("invite_token", token).put("email", email).put("role", role)
              .put("full_name", fullName).put("tenant_id", p.tenantId()).put("expires_at", expires.toString())
              .put("note", "The invite token is shown once; send it to the invitee now."));
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 201, f);
  }

  private void acceptInvite(RoutingContext rc) {
    Future<JsonObject> f;
    try {
      JsonObject b = Bodies.json(rc);
      allowOnly(b, ACCEPT_FIELDS, ACCEPT_PROTECTED);
      String token = Bodies.requiredString(b, "token", 256);
      String password = password(b, "password");
      String fullName = fullName(b, "full_name");
      if (!token.startsWith(INVITE_PREFIX)) {
        throw invalidInvite();
      }
      String hash = sha256Hex(token);
      // an unknown, expired or used token costs one indexed read and no password hashing
      f = users.pendingInvite(hash)
          .compose(inv -> inv == null ? Future.failedFuture(invalidInvite())
              : vertx.executeBlocking(() -> s.passwords().hash(password), false))
          .compose(pwHash -> users.acceptInvite(hash, pwHash, fullName))
          .recover(e -> Future.failedFuture(e instanceof PgUserStore.InvalidInvite ? invalidInvite() : e))
          .recover(UserRoutes::mapConflict)
          .compose(u -> {
            Principal actor = new Principal(u.id().toString(), u.tenantId().toString(), u.role(), null,
                null, 0, false);
            return audit.record(rc, actor, u.tenantId().toString(), "user_invite_accepted", "allow", null,
                new JsonObject().put("user_id", u.id().toString()).put("email", u.email())
                    .put("role", u.role())).map(r -> u.toJson());
          });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 201, f);
  }

  // ------------------------------------------------------------------ update, delete

  private void patch(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Future<JsonObject> f;
    try {
      JsonObject b = Bodies.json(rc);
      allowOnly(b, PATCH_FIELDS, PROTECTED_USER_FIELDS);
      if (b.isEmpty()) {
        throw ApiError.badRequest("validation_error", "Nothing to update: send role, full_name or is_active");
      }
      String role = b.containsKey("role") ? role(b, "role") : null;
      boolean setName = b.containsKey("full_name");
      String fullName = fullName(b, "full_name");
      Boolean active = null;
      if (b.containsKey("is_active")) {
        if (!(b.getValue("is_active") instanceof Boolean v)) {
          throw ApiError.badRequest("validation_error", "'is_active' must be a boolean");
        }
        active = v;
      }
      Boolean newActive = active;
      f = target(rc).compose(u -> {
        boolean self = u.id().toString().equals(p.subject());
        if (self && role != null && !role.equals(u.role())) {
          return Future.failedFuture(selfChange("change your own role"));
        }
        if (self && Boolean.FALSE.equals(newActive)) {
          return Future.failedFuture(selfChange("disable yourself"));
        }
        if (u.platformAdmin() && !p.platformAdmin()) {
          return Future.failedFuture(platformAdminRequired());
        }
        return users.update(u.tenantId(), u.id(), role, setName, fullName, newActive).compose(n -> {
          if (n == null) {
            return Future.failedFuture(ApiError.notFound("user"));
          }
          boolean demoted = !u.role().equals(n.role());
          boolean disabled = !n.active();
          Future<Void> revoke = demoted || disabled
              ? revokeSessions(p, n, disabled ? "user_disabled" : "user_role_changed")
              : Future.succeededFuture();
          return revoke.compose(v -> auditChanges(rc, p, u, n)).map(r -> n.toJson());
        });
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  /** One audit row per kind of change: role, activation, other fields. */
  private Future<Void> auditChanges(RoutingContext rc, Principal p, PgUserStore.User before,
      PgUserStore.User after) {
    String t = p.tenantId();
    String uid = after.id().toString();
    Future<?> chain = Future.succeededFuture();
    boolean any = false;
    if (!before.role().equals(after.role())) {
      any = true;
      chain = chain.compose(v -> audit.record(rc, p, t, "user_role_changed", "allow", null,
          new JsonObject().put("user_id", uid).put("from", before.role()).put("to", after.role())));
    }
    if (before.active() != after.active()) {
      any = true;
      chain = chain.compose(v -> audit.record(rc, p, t, after.active() ? "user_enabled" : "user_disabled",
          "allow", null, new JsonObject().put("user_id", uid)));
    }
    if (!any || !java.util.Objects.equals(before.fullName(), after.fullName())) {
      chain = chain.compose(v -> audit.record(rc, p, t, "user_updated", "allow", null,
          new JsonObject().put("user_id", uid)));
    }
    return chain.mapEmpty();
  }

  private void delete(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    Envelope.reply(rc, 200, target(rc).compose(u -> {
      if (u.id().toString().equals(p.subject())) {
        return Future.failedFuture(selfChange("delete yourself"));
      }
      if (u.platformAdmin() && !p.platformAdmin()) {
        return Future.failedFuture(platformAdminRequired());
      }
      return users.softDelete(u.tenantId(), u.id()).compose(d -> {
        if (d == null) {
          return Future.failedFuture(ApiError.notFound("user"));
        }
        return revokeSessions(p, d, "user_deleted").compose(v -> audit.record(rc, p, p.tenantId(),
                "user_deleted", "allow", null,
                new JsonObject().put("user_id", d.id().toString()).put("email", d.email())))
            .map(r -> new JsonObject().put("id", d.id().toString()).put("deleted", true)
                .put("deleted_at", d.deletedAt().toString()));
      });
    }));
  }

  /**
   * Revokes every session of the user (refresh families and the access tokens minted from them),
   * so that a disable, delete or role change binds at once rather than when the tokens expire.
   */
  private Future<Void> revokeSessions(Principal p, PgUserStore.User u, String reason) {
    return users.sessionFamilies(u.tenantId(), u.id()).compose(families -> {
      Future<Void> f = Future.succeededFuture();
      for (UUID family : families) {
        f = f.compose(v -> s.sessions().revokeFamily(family.toString(), u.tenantId(), p.subject(), reason));
      }
      return f;
    }).recover(e -> Future.failedFuture(new ApiError(503, "session_revocation_failed",
        "The change was saved but the user's sessions could not all be revoked")));
  }

  // ------------------------------------------------------------------ shared validation helpers

  /**
   * Refuses protected fields (mass assignment) and any field not in {@code allowed}, both 400
   * {@code validation_error}.
   */
  static void allowOnly(JsonObject b, Set<String> allowed, Set<String> protectedFields) {
    for (String k : b.fieldNames()) {
      String shown = k.length() > 64 ? k.substring(0, 64) + "…" : k;
      if (protectedFields.contains(k)) {
        throw ApiError.badRequest("validation_error", "'" + shown + "' cannot be set through this API");
      }
      if (!allowed.contains(k)) {
        throw ApiError.badRequest("validation_error", "Unknown field '" + shown + "'; allowed: "
            + new java.util.TreeSet<>(allowed));
      }
    }
  }

  /** A required e-mail, trimmed and lower-cased. */
  static String email(JsonObject b, String field) {
    String e = Bodies.requiredString(b, field, 320).trim().toLowerCase(Locale.ROOT);
    if (!EMAIL.matcher(e).matches()) {
      throw ApiError.badRequest("validation_error", "'" + field + "' must be an e-mail address");
    }
    return e;
  }

  /** A required password meeting the policy (at least 12 characters). */
  static String password(JsonObject b, String field) {
    Object v = b.getValue(field);
    if (!(v instanceof String pw) || pw.isEmpty()) {
      throw ApiError.badRequest("validation_error", "'" + field + "' is required and must be a string");
    }
    if (pw.codePointCount(0, pw.length()) < MIN_PASSWORD || pw.isBlank()) {
      throw ApiError.badRequest("weak_password", "'" + field + "' must have at least " + MIN_PASSWORD
          + " characters");
    }
    if (pw.length() > MAX_PASSWORD) {
      throw ApiError.badRequest("validation_error", "'" + field + "' is longer than " + MAX_PASSWORD);
    }
    return pw;
  }

  /** A required user role (ADMIN, SECURITY, AUDITOR, VIEWER; case-insensitive). */
  static String role(JsonObject b, String field) {
    String r = Bodies.requiredString(b, field, 16).toUpperCase(Locale.ROOT);
    if (!USER_ROLES.contains(r)) {
      throw ApiError.badRequest("validation_error", "'" + field + "' must be one of "
          + new java.util.TreeSet<>(USER_ROLES));
    }
    return r;
  }

  /** An optional full name (null when absent or null), at most 200 characters. */
  static String fullName(JsonObject b, String field) {
    String n = Bodies.optionalString(b, field, 200);
    return n == null || n.isBlank() ? null : n.trim();
  }

  static ApiError conflict() {
    return new ApiError(409, "conflict", "A user with this e-mail already exists");
  }

  static <T> Future<T> mapConflict(Throwable e) {
    return Future.failedFuture(e instanceof PgRegistryStore.Conflict ? conflict() : e);
  }

  static ApiError platformAdminRequired() {
    return ApiError.forbidden("platform_admin_required", "This operation requires a platform admin");
  }

  private static ApiError selfChange(String what) {
    return ApiError.badRequest("self_modification", "You cannot " + what);
  }

  private static ApiError invalidInvite() {
    return ApiError.badRequest("invalid_invite", "The invite is invalid, expired or already used");
  }

  static String sha256Hex(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static UUID uuidOrNull(String s) {
    try {
      return s == null ? null : UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
