package dev.aegis.verticles.evidence;

import dev.aegis.pipeline.evidence.Ed25519Keys;
import dev.aegis.pipeline.evidence.SignedNote;
import dev.aegis.storage.pg.PgEvidenceStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * The Ed25519 keys that sign checkpoints, receipts and daily roots. The active key signs; every
 * key that ever signed stays published ({@code /transparency/keys}) so old evidence verifies
 * forever. Keys are identified by their fingerprint (SHA-256 hex of the public key's PEM text).
 * Thread safe.
 */
public final class EvidenceKeys {

  /** The key name in signed notes (C2SP signed-note). */
  public static final String NOTE_KEY_NAME = "aegis-audit";
  /** The origin line of a tenant's checkpoints is this prefix followed by the tenant id. */
  public static final String ORIGIN_PREFIX = "aegis/audit/";

  /** A loaded key. */
  public record Loaded(String fingerprint, Ed25519PublicKeyParameters publicKey, String pem,
      String createdAt, String retiredAt) {}

  private record Ring(Ed25519Keys.KeyPair active, Map<String, Loaded> all) {}

  private final PgEvidenceStore store;
  private final AtomicReference<Ring> ring = new AtomicReference<>();

  public EvidenceKeys(PgEvidenceStore store) {
    this.store = store;
  }

  /** Loads the keys, creating the first one on first start. */
  public Future<Void> load() {
    return store.keys().compose(keys -> {
      if (keys.isEmpty() || keys.get(0).retiredAt() != null) {
        return rotate().mapEmpty();
      }
      install(keys);
      return Future.succeededFuture();
    });
  }

  /** Makes a new key the signer; the old ones stay published. Returns the new fingerprint. */
  public Future<String> rotate() {
    Ed25519Keys.KeyPair kp = Ed25519Keys.KeyPair.of(Ed25519Keys.generate());
    return store.rotate(kp.fingerprint(), Ed25519Keys.rawPublicKey(kp.publicKey()),
            Ed25519Keys.rawPrivateKey(kp.privateKey()))
        .compose(v -> store.keys()).map(keys -> {
          install(keys);
          return kp.fingerprint();
        });
  }

  private void install(List<PgEvidenceStore.Key> keys) {
    Map<String, Loaded> all = new LinkedHashMap<>();
    Ed25519Keys.KeyPair active = null;
    for (PgEvidenceStore.Key k : keys) {
      Ed25519PublicKeyParameters pub = Ed25519Keys.publicKeyFromRaw(k.publicKey());
      String pem = Ed25519Keys.publicKeyPem(pub);
      all.put(Ed25519Keys.fingerprint(pub), new Loaded(Ed25519Keys.fingerprint(pub), pub, pem,
          k.createdAt().toString(), k.retiredAt() == null ? null : k.retiredAt().toString()));
      if (active == null && k.retiredAt() == null) {
        active = Ed25519Keys.KeyPair.of(Ed25519Keys.privateKeyFromRaw(k.privateKey()));
      }
    }
    ring.set(new Ring(active, Map.copyOf(all)));
  }

  public Ed25519Keys.KeyPair active() {
    return ring.get().active();
  }

  /** Every public key by fingerprint (active and retired). */
  public Map<String, Ed25519PublicKeyParameters> publicKeys() {
    Map<String, Ed25519PublicKeyParameters> m = new LinkedHashMap<>();
    ring.get().all().forEach((k, v) -> m.put(k, v.publicKey()));
    return m;
  }

  /** Verifiers for signed notes: every key under {@link #NOTE_KEY_NAME}. */
  public List<SignedNote.Verifier> noteVerifiers() {
    List<SignedNote.Verifier> out = new ArrayList<>();
    ring.get().all().values().forEach(k -> out.add(SignedNote.Verifier.of(NOTE_KEY_NAME, k.publicKey())));
    return out;
  }

  /** {@code GET /transparency/keys}: every key with its PEM text and lifetime. */
  public JsonObject keysJson() {
    JsonArray arr = new JsonArray();
    ring.get().all().values().forEach(k -> arr.add(new JsonObject().put("algorithm", "ed25519")
        .put("fingerprint", k.fingerprint()).put("public_key_fingerprint", k.fingerprint())
        .put("public_key_pem", k.pem()).put("note_key_name", NOTE_KEY_NAME)
        .put("note_key_id", SignedNote.keyId(NOTE_KEY_NAME, k.publicKey()))
        .put("created_at", k.createdAt()).put("retired_at", k.retiredAt())
        .put("active", k.retiredAt() == null)));
    return new JsonObject().put("keys", arr);
  }

  /** {@code GET /receipts/key}: the active key in the original's shape. */
  public JsonObject activeKeyJson() {
    Ed25519Keys.KeyPair a = active();
    Loaded l = ring.get().all().get(a.fingerprint());
    return new JsonObject().put("algorithm", "ed25519").put("public_key_pem", a.publicKeyPem())
        .put("fingerprint", a.fingerprint()).put("public_key_fingerprint", a.fingerprint())
        .put("created_at", l == null ? null : l.createdAt());
  }

  public static String origin(String tenantId) {
    return ORIGIN_PREFIX + tenantId;
  }
}
