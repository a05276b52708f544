package dev.aegis.verticles.identity;

import dev.aegis.pipeline.ports.InvalidationBus;
import dev.aegis.storage.pg.PgTokenStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the signing keys into the {@link TokenService} and rotates them. A rotation stores a new
 * active key (the old one verifies for the access-token lifetime + 5 min), reloads this process's
 * key ring and tells every other process to reload (channel {@value #CHANNEL}).
 */
public final class KeyRotation {

  public static final String CHANNEL = "signing_keys";

  private final PgTokenStore store;
  private final TokenService tokens;
  private final InvalidationBus bus;

  public KeyRotation(PgTokenStore store, TokenService tokens, InvalidationBus bus) {
    this.store = store;
    this.tokens = tokens;
    this.bus = bus;
    bus.subscribe(CHANNEL, msg -> reload());
  }

  /** Reloads the key ring from the database. */
  public Future<Void> reload() {
    return store.verifyingKeys().map(keys -> {
      List<TokenService.SigningKey> verify = new ArrayList<>();
      TokenService.SigningKey active = null;
      for (PgTokenStore.Key k : keys) {
        TokenService.SigningKey d = TokenService.decode(k.kid(), k.privateKey(), k.publicKey());
        if (k.active() && active == null) {
          active = d;
        } else {
          verify.add(d);
        }
      }
      if (active != null) {
        tokens.reload(active, verify);
      }
      return null;
    });
  }

  /** @return the new key id */
  public Future<String> rotate() {
    TokenService.SigningKey k = TokenService.generate();
    return store.rotate(k.kid(), "ES256", k.privateKey().getEncoded(), k.publicKey().getEncoded(),
            tokens.ttlSeconds() + 300)
        .compose(v -> reload())
        .compose(v -> bus.publish(CHANNEL, new JsonObject().put("kid", k.kid())))
        .map(v -> k.kid());
  }
}
