package dev.aegis.launcher;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import okhttp3.Headers;

/**
 * An extra route of the in-JVM provider: when a test has armed it, the provider's next answer at
 * one token endpoint carries the ID token the test chose (tampered, unsigned, HMAC, foreign key),
 * instead of the one the provider would issue. Unarmed, it matches nothing and the provider's own
 * token endpoint answers. Used once per arming.
 */
final class SsoForgedTokenRoute implements Route {

  private final String path;
  private final AtomicReference<String> next = new AtomicReference<>();

  /** @param path the token endpoint's path, e.g. {@code /okta/token} */
  SsoForgedTokenRoute(String path) {
    this.path = path;
  }

  /** The next token request at the path is answered with this ID token. */
  void arm(String idToken) {
    next.set(idToken);
  }

  @Override
  public boolean match(OAuth2HttpRequest request) {
    return "POST".equals(request.getMethod()) && path.equals(request.getUrl().encodedPath()) && next.get() != null;
  }

  @Override
  public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
    String idToken = next.getAndSet(null);
    String body = new JsonObject().put("access_token", "opaque").put("token_type", "Bearer").put("expires_in", 3600)
        .put("id_token", idToken).encode();
    return new OAuth2HttpResponse(Headers.of("Content-Type", "application/json"), 200, body,
        body.getBytes(StandardCharsets.UTF_8));
  }
}
