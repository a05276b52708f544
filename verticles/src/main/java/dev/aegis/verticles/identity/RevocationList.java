package dev.aegis.verticles.identity;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The process's view of revoked token ids ({@code jti:<tenant>:<id>}: a tenant can only revoke its
 * own tokens, even by a guessed id) and token families ({@code fam:<id>}), each kept until the tokens it covers have expired. Loaded from
 * {@code identity.revocations} at startup and updated by invalidation messages, so checking a
 * token costs one hash lookup. Thread safe.
 */
public final class RevocationList {

  private final Map<String, Long> entries = new ConcurrentHashMap<>();

  public static String jti(String tenantId, String jti) {
    return "jti:" + tenantId + ":" + jti;
  }

  public static String family(String family) {
    return "fam:" + family;
  }

  /** Adds a revocation that lapses at {@code expiresAtEpochSeconds}. */
  public void add(String id, long expiresAtEpochSeconds) {
    entries.merge(id, expiresAtEpochSeconds, Math::max);
  }

  public void load(Map<String, Long> all) {
    entries.putAll(all);
  }

  /** Whether the token of this tenant with this jti (and family, may be null) is revoked. */
  public boolean revoked(String tenantId, String jti, String family) {
    if (entries.isEmpty()) {
      return false;
    }
    return (jti != null && entries.containsKey(jti(tenantId, jti)))
        || (family != null && entries.containsKey(family(family)));
  }

  /** Drops revocations whose tokens have all expired. */
  public void sweep(long nowEpochSeconds) {
    entries.values().removeIf(exp -> exp < nowEpochSeconds);
  }

  public int size() {
    return entries.size();
  }
}
