package dev.aegis.verticles.sso;

import com.nimbusds.jose.jwk.JWKSet;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Discovery documents (by issuer) and key sets (by {@code jwks_uri}) shared by every gateway
 * verticle of one Vert.x instance. Holds plain values, never futures, so a verticle never runs
 * its continuation on another verticle's event loop. Bounded; thread safe.
 */
final class OidcCache implements Shareable {

  static final long DISCOVERY_TTL_MILLIS = 3_600_000L;
  static final long JWKS_TTL_MILLIS = 3_600_000L;
  /** A key set is refetched for an unknown kid at most this often. */
  static final long JWKS_MIN_REFETCH_MILLIS = 10_000L;
  private static final int MAX_ENTRIES = 1_000;

  /** A cached value and when it was fetched. */
  record Timed<T>(T value, long fetchedAtMillis) {}

  private final Map<String, Timed<Discovery>> discovery = new ConcurrentHashMap<>();
  private final Map<String, Timed<JWKSet>> jwks = new ConcurrentHashMap<>();

  /** The cache of this Vert.x instance. */
  static OidcCache of(Vertx vertx) {
    LocalMap<String, OidcCache> m = vertx.sharedData().getLocalMap("aegis.sso.oidc-cache");
    return m.computeIfAbsent("cache", k -> new OidcCache());
  }

  /** A discovery document fetched within the last hour, or null. */
  Discovery discovery(String issuer, long now) {
    Timed<Discovery> t = discovery.get(issuer);
    return t != null && now - t.fetchedAtMillis() < DISCOVERY_TTL_MILLIS ? t.value() : null;
  }

  void putDiscovery(String issuer, Discovery d, long now) {
    bound(discovery);
    discovery.put(issuer, new Timed<>(d, now));
  }

  Timed<JWKSet> jwks(String uri) {
    return jwks.get(uri);
  }

  void putJwks(String uri, JWKSet set, long now) {
    bound(jwks);
    jwks.put(uri, new Timed<>(set, now));
  }

  private static void bound(Map<String, ?> m) {
    if (m.size() >= MAX_ENTRIES) {
      m.clear();
    }
  }
}
