package dev.aegis.verticles.evidence;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Where daily transparency roots and the public keys that signed them are published for
 * auditors (a public mirror). Implementations must not block the event loop; a failed
 * publication is retried by the scheduler on its next round and never blocks anything else.
 */
public interface RootPublisher {

  /** Publishes one root row as served ({@code <tenant>/<date>.json}), replacing an older version. */
  Future<Void> publishRoot(String tenantId, String rootDate, JsonObject root);

  /** Publishes a public key ({@code keys/<fingerprint>.pem}). */
  Future<Void> publishKey(String fingerprint, String pem);

  /** Where it publishes, for logs. */
  String describe();
}
