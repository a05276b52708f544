package dev.aegis.verticles.identity;

import dev.aegis.pipeline.ports.Principal;
import dev.aegis.pipeline.ports.TokenVerifier;
import io.vertx.core.Future;

/** A bearer credential is either an {@code acp_} API key or one of our JWTs. */
public final class CompositeVerifier implements TokenVerifier {

  private final TokenService jwt;
  private final ApiKeyService apiKeys;

  public CompositeVerifier(TokenService jwt, ApiKeyService apiKeys) {
    this.jwt = jwt;
    this.apiKeys = apiKeys;
  }

  @Override
  public Future<Principal> verify(String bearer) {
    if (bearer.startsWith(ApiKeyService.PREFIX)) {
      return apiKeys.verify(bearer);
    }
    return jwt.verify(bearer);
  }
}
