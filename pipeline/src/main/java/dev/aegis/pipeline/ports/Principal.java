package dev.aegis.pipeline.ports;

import java.util.Set;

/**
 * A verified caller. Everything here comes from a verified credential, never from headers or
 * bodies.
 *
 * @param subject user id or agent id ({@code sub})
 * @param tenantId the tenant of the credential
 * @param role one of {@link Roles}
 * @param agentId the agent id for agent credentials, otherwise null
 * @param tokenId the JWT id ({@code jti}), may be null for API keys
 * @param expiresAtEpochSeconds when the credential stops being valid
 * @param platformAdmin whether the caller may administer all tenants
 * @param scopes what an API key may do ({@code execute}, {@code read}, {@code write}); empty means
 *     everything the role allows (JWTs carry no scopes)
 */
public record Principal(String subject, String tenantId, String role, String agentId,
    String tokenId, long expiresAtEpochSeconds, boolean platformAdmin, Set<String> scopes) {

  /** API-key scopes. */
  public static final class Scopes {
    public static final String EXECUTE = "execute";
    public static final String READ = "read";
    public static final String WRITE = "write";
    public static final Set<String> ALL = Set.of(EXECUTE, READ, WRITE);

    private Scopes() {}
  }

  public Principal {
    scopes = scopes == null ? Set.of() : Set.copyOf(scopes);
  }

  /** A principal without scope restrictions (JWTs). */
  public Principal(String subject, String tenantId, String role, String agentId, String tokenId,
      long expiresAtEpochSeconds, boolean platformAdmin) {
    this(subject, tenantId, role, agentId, tokenId, expiresAtEpochSeconds, platformAdmin, Set.of());
  }

  /** Whether the credential's scopes allow this (always true when it has no scope list). */
  public boolean allows(String scope) {
    return scopes.isEmpty() || scopes.contains(scope);
  }

  /** The five roles of the access model. */
  public static final class Roles {
    public static final String ADMIN = "ADMIN";
    public static final String SECURITY = "SECURITY";
    public static final String AUDITOR = "AUDITOR";
    public static final String VIEWER = "VIEWER";
    public static final String AGENT = "agent";
    public static final Set<String> ALL = Set.of(ADMIN, SECURITY, AUDITOR, VIEWER, AGENT);

    private Roles() {}
  }

  public boolean isAgent() {
    return Roles.AGENT.equals(role);
  }

  /** ADMIN or SECURITY: the roles allowed to write. */
  public boolean canWrite() {
    return Roles.ADMIN.equals(role) || Roles.SECURITY.equals(role);
  }
}
