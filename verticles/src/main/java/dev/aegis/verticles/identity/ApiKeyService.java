package dev.aegis.verticles.identity;

import dev.aegis.pipeline.ports.InvalidationBus;
import dev.aegis.pipeline.ports.Principal;
import dev.aegis.pipeline.ports.TokenVerifier;
import dev.aegis.storage.pg.PgTokenStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies {@code acp_} API keys. Keys are 256-bit random strings stored only as their SHA-256;
 * verified keys are cached for {@link #CACHE_MILLIS} and dropped at once, in every process, when
 * revoked (invalidation channel {@value #CHANNEL}). Last-used times are written at most once a
 * minute per key, off the request path.
 */
public final class ApiKeyService implements TokenVerifier {

  public static final String PREFIX = "acp_";
  public static final String CHANNEL = "apikey";
  static final long CACHE_MILLIS = 60_000;
  private static final long TOUCH_EVERY_MILLIS = 60_000;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_CACHE = 100_000;

  private record Entry(Principal principal, java.util.UUID id, long cachedAt, long expiresAtMillis) {}

  private final PgTokenStore store;
  private final InvalidationBus bus;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();
  private final Map<java.util.UUID, Long> lastTouch = new ConcurrentHashMap<>();

  public ApiKeyService(PgTokenStore store, InvalidationBus bus) {
    this.store = store;
    this.bus = bus;
    bus.subscribe(CHANNEL, msg -> {
      String hash = msg.getString("key_hash");
      if (hash != null) {
        cache.remove(hash);
      }
    });
  }

  /** A new random key; the caller stores its hash and shows the key once. */
  public static String newKey() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  public static String prefixOf(String key) {
    return key.substring(0, Math.min(key.length(), 12));
  }

  @Override
  public Future<Principal> verify(String key) {
    if (key.length() > 128 || !key.startsWith(PREFIX)) {
      return Future.failedFuture(new AuthFailure("invalid_api_key", "Unknown API key"));
    }
    String hash = TokenService.secretHash(key);
    long now = System.currentTimeMillis();
    Entry e = cache.get(hash);
    if (e != null && now - e.cachedAt() < CACHE_MILLIS) {
      return check(e, now);
    }
    return store.apiKeyByHash(hash).compose(k -> {
      if (k == null) {
        return Future.failedFuture(new AuthFailure("invalid_api_key", "Unknown API key"));
      }
      if (k.revokedAt() != null) {
        return Future.failedFuture(new AuthFailure("api_key_revoked", "The API key has been revoked"));
      }
      Set<String> scopes = new HashSet<>(k.scopes());
      long exp = k.expiresAt() == null ? Long.MAX_VALUE : k.expiresAt().toInstant().toEpochMilli();
      Principal p = new Principal("apikey:" + k.id(), k.tenantId().toString(), k.role(),
          k.agentId() == null ? null : k.agentId().toString(), null,
          exp == Long.MAX_VALUE ? Long.MAX_VALUE / 2000 : exp / 1000, false, scopes);
      if (cache.size() >= MAX_CACHE) {
        cache.clear();
      }
      Entry fresh = new Entry(p, k.id(), System.currentTimeMillis(), exp);
      cache.put(hash, fresh);
      return check(fresh, System.currentTimeMillis());
    });
  }

  private Future<Principal> check(Entry e, long now) {
    if (now >= e.expiresAtMillis()) {
      return Future.failedFuture(new AuthFailure("api_key_expired", "The API key has expired"));
    }
    Long last = lastTouch.get(e.id());
    if (last == null || now - last > TOUCH_EVERY_MILLIS) {
      lastTouch.put(e.id(), now);
      store.touchApiKey(e.id());
    }
    return Future.succeededFuture(e.principal());
  }

  /** Drops every cached key (after invalidation messages may have been lost). */
  public void invalidateAll() {
    cache.clear();
  }

  /** Drops a revoked key everywhere. */
  public Future<Void> invalidate(String keyHash) {
    cache.remove(keyHash);
    return bus.publish(CHANNEL, new JsonObject().put("key_hash", keyHash));
  }
}
