package dev.aegis.storage.pg;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Per-tenant OpenID Connect providers ({@code identity.sso_providers}), started logins
 * ({@code identity.sso_states}) and the user lookups and changes an SSO login needs. Every provider
 * query is scoped by tenant. Non-blocking (the reactive pool).
 */
public final class PgSsoStore {

  /**
   * A provider configuration.
   *
   * @param clientSecret the stored secret (never to be shown), or null
   * @param scopes space-separated
   * @param roleMapping {@code {"claim-value": "ROLE"}}
   * @param allowedDomains lower-case e-mail domains; empty means any
   */
  public record Provider(UUID tenantId, String provider, String displayName, String issuer,
      String clientId, String clientSecret, String tokenAuthMethod, String redirectUri, String scopes,
      String roleClaim, JsonObject roleMapping, String defaultRole, List<String> allowedDomains,
      boolean enabled, OffsetDateTime createdAt, OffsetDateTime updatedAt) {}

  /** The slug and display name of an enabled provider. */
  public record ProviderName(String provider, String displayName) {}

  /** The result of a create-or-update. */
  public record Upserted(Provider provider, boolean created) {}

  /** A consumed login attempt; {@code live} is false when it had expired. */
  public record State(UUID tenantId, String provider, String nonce, String codeVerifier,
      String redirectUri, String redirectAfter, boolean live) {}

  private final Pool pool;

  public PgSsoStore(Pool pool) {
    this.pool = pool;
  }

  /** Every provider of the tenant, by slug. */
  public Future<List<Provider>> providers(UUID tenantId) {
    return pool.preparedQuery(SsoQueries.PROVIDERS).execute(Tuple.of(tenantId)).map(rs -> {
      List<Provider> out = new ArrayList<>();
      rs.forEach(r -> out.add(provider(r)));
      return out;
    });
  }

  /** One provider of the tenant (enabled or not), or null. */
  public Future<Provider> provider(UUID tenantId, String slug) {
    return pool.preparedQuery(SsoQueries.PROVIDER).execute(Tuple.of(tenantId, slug))
        .map(rs -> rs.size() == 0 ? null : provider(rs.iterator().next()));
  }

  /** An enabled provider of an active tenant, or null. */
  public Future<Provider> enabledProvider(UUID tenantId, String slug) {
    return pool.preparedQuery(SsoQueries.ENABLED_PROVIDER).execute(Tuple.of(tenantId, slug))
        .map(rs -> rs.size() == 0 ? null : provider(rs.iterator().next()));
  }

  /** The enabled providers of an active tenant (slug and display name). */
  public Future<List<ProviderName>> enabledProviders(UUID tenantId) {
    return pool.preparedQuery(SsoQueries.ENABLED_PROVIDERS).execute(Tuple.of(tenantId)).map(rs -> {
      List<ProviderName> out = new ArrayList<>();
      rs.forEach(r -> out.add(new ProviderName(r.getString("provider"), r.getString("display_name"))));
      return out;
    });
  }

  /**
   * Creates or replaces a provider. A null {@code p.clientSecret()} keeps the stored secret (the
   * method {@code none} clears it).
   */
  public Future<Upserted> upsert(Provider p) {
    Tuple t = Tuple.tuple().addUUID(p.tenantId()).addString(p.provider()).addString(p.displayName())
        .addString(p.issuer()).addString(p.clientId()).addString(p.clientSecret())
        .addString(p.tokenAuthMethod()).addString(p.redirectUri()).addString(p.scopes())
        .addString(p.roleClaim()).addValue(p.roleMapping()).addString(p.defaultRole())
        .addValue(new JsonArray(new ArrayList<Object>(p.allowedDomains()))).addBoolean(p.enabled());
    return pool.preparedQuery(SsoQueries.UPSERT_PROVIDER).execute(t).map(rs -> {
      Row r = rs.iterator().next();
      return new Upserted(provider(r), Boolean.TRUE.equals(r.getBoolean("inserted")));
    });
  }

  /** @return whether a provider was deleted */
  public Future<Boolean> delete(UUID tenantId, String slug) {
    return pool.preparedQuery(SsoQueries.DELETE_PROVIDER).execute(Tuple.of(tenantId, slug))
        .map(rs -> rs.rowCount() > 0);
  }

  /** Stores a started login under the SHA-256 (hex) of its state. */
  public Future<Void> insertState(String stateHash, UUID tenantId, String provider, String nonce,
      String codeVerifier, String redirectUri, String redirectAfter, long ttlSeconds) {
    return pool.preparedQuery(SsoQueries.INSERT_STATE).execute(Tuple.tuple().addString(stateHash)
        .addUUID(tenantId).addString(provider).addString(nonce).addString(codeVerifier)
        .addString(redirectUri).addString(redirectAfter).addDouble((double) ttlSeconds)).mapEmpty();
  }

  /**
   * Marks a state used, atomically: a state is returned at most once, expired or not.
   *
   * @return the state, or null when it is unknown or was already used
   */
  public Future<State> consumeState(String stateHash) {
    return pool.preparedQuery(SsoQueries.CONSUME_STATE).execute(Tuple.of(stateHash)).map(rs -> {
      if (rs.size() == 0) {
        return null;
      }
      Row r = rs.iterator().next();
      return new State(r.getUUID("tenant_id"), r.getString("provider"), r.getString("nonce"),
          r.getString("code_verifier"), r.getString("redirect_uri"), r.getString("redirect_after"),
          Boolean.TRUE.equals(r.getBoolean("live")));
    });
  }

  /** Deletes states that expired more than an hour ago. */
  public Future<Integer> purgeStates() {
    return pool.query(SsoQueries.PURGE_STATES).execute().map(rs -> rs.rowCount());
  }

  /** The user with this e-mail in any tenant (case-insensitive), or null. */
  public Future<PgIdentityStore.User> userByEmail(String email) {
    return pool.preparedQuery(SsoQueries.USER_BY_EMAIL).execute(Tuple.of(email))
        .map(rs -> rs.size() == 0 ? null : user(rs.iterator().next()));
  }

  /**
   * Creates a user that has no usable password.
   *
   * @return the user, or null when the e-mail is already taken (by any tenant)
   */
  public Future<PgIdentityStore.User> insertUser(UUID tenantId, String email, String unusableHash,
      String role, String fullName) {
    return pool.preparedQuery(SsoQueries.INSERT_USER).execute(Tuple.tuple().addUUID(UUID.randomUUID())
            .addUUID(tenantId).addString(email).addString(unusableHash).addString(role).addString(fullName))
        .map(rs -> rs.size() == 0 ? null : user(rs.iterator().next()));
  }

  /** Sets a user's role; null when the user is not in the tenant. */
  public Future<PgIdentityStore.User> updateRole(UUID tenantId, UUID userId, String role) {
    return pool.preparedQuery(SsoQueries.UPDATE_ROLE).execute(Tuple.of(tenantId, userId, role))
        .map(rs -> rs.size() == 0 ? null : user(rs.iterator().next()));
  }

  private static PgIdentityStore.User user(Row r) {
    return new PgIdentityStore.User(r.getUUID("id"), r.getUUID("tenant_id"), r.getString("email"),
        r.getString("password_hash"), r.getString("role"), r.getString("full_name"),
        r.getBoolean("is_active"), r.getBoolean("is_platform_admin"));
  }

  private static Provider provider(Row r) {
    Object mapping = r.getValue("role_mapping");
    Object domains = r.getValue("allowed_domains");
    List<String> allowed = new ArrayList<>();
    if (domains instanceof JsonArray a) {
      a.forEach(d -> {
        if (d instanceof String s) {
          allowed.add(s);
        }
      });
    }
    return new Provider(r.getUUID("tenant_id"), r.getString("provider"), r.getString("display_name"),
        r.getString("issuer"), r.getString("client_id"), r.getString("client_secret"),
        r.getString("token_auth_method"), r.getString("redirect_uri"), r.getString("scopes"),
        r.getString("role_claim"), mapping instanceof JsonObject o ? o : new JsonObject(),
        r.getString("default_role"), List.copyOf(allowed), r.getBoolean("enabled"),
        r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"));
  }
}
