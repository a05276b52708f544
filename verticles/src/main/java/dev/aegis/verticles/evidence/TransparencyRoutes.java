package dev.aegis.verticles.evidence;

import dev.aegis.pipeline.evidence.Checkpoint;
import dev.aegis.pipeline.evidence.ReceiptFields;
import dev.aegis.pipeline.evidence.Receipts;
import dev.aegis.pipeline.evidence.SignedNote;
import dev.aegis.pipeline.merkle.CompactRange;
import dev.aegis.pipeline.merkle.MerkleHash;
import dev.aegis.pipeline.merkle.MerkleVerifier;
import dev.aegis.pipeline.merkle.ProofException;
import dev.aegis.pipeline.ports.Principal;
import dev.aegis.storage.pg.AuditRow;
import dev.aegis.storage.pg.PgAuditStore;
import dev.aegis.storage.pg.PgEvidenceStore;
import dev.aegis.verticles.http.ApiError;
import dev.aegis.verticles.http.Bodies;
import dev.aegis.verticles.http.Envelope;
import dev.aegis.verticles.http.ManagementAuth;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Transparency and receipts, all scoped to the caller's tenant: {@code GET
 * /transparency/checkpoint} (the latest signed checkpoint, C2SP signed-note text),
 * {@code /transparency/inclusion/{execution_id}?tree_size=N}, {@code
 * /transparency/consistency?first=M&second=N}, {@code /transparency/keys}, {@code /receipts/key},
 * {@code /receipts/{execution_id}} (the signed AEVF receipt plus its inclusion proof to a signed
 * checkpoint) and {@code POST /receipts/verify}. Hashes are lower-case hex in JSON.
 */
public final class TransparencyRoutes {

  private static final HexFormat HEX = HexFormat.of();

  private final PgAuditStore audit;
  private final PgEvidenceStore evidence;
  private final EvidenceKeys keys;
  private final ProofService proofs;
  private final CheckpointSigner signer;
  private final ManagementAuth auth;

  public TransparencyRoutes(PgAuditStore audit, PgEvidenceStore evidence, EvidenceKeys keys,
      ManagementAuth auth) {
    this.audit = audit;
    this.evidence = evidence;
    this.keys = keys;
    this.proofs = new ProofService(audit);
    this.signer = new CheckpointSigner(evidence, keys);
    this.auth = auth;
  }

  public void mount(Router router) {
    var readers = auth.require(ManagementAuth.AUDIT_READERS);
    router.get("/transparency/keys").handler(rc -> Envelope.ok(rc, 200, keys.keysJson()));
    router.get("/receipts/key").handler(rc -> Envelope.ok(rc, 200, keys.activeKeyJson()));
    router.get("/transparency/checkpoint").handler(readers).handler(this::checkpoint);
    router.get("/transparency/inclusion/:executionId").handler(readers).handler(this::inclusion);
    router.get("/transparency/consistency").handler(readers).handler(this::consistency);
    router.get("/receipts/:executionId").handler(readers).handler(this::receipt);
    router.post("/receipts/verify").handler(readers).handler(this::verify);
  }

  /** The newest checkpoint of the tenant, signing the committed head first when it is newer. */
  private Future<PgEvidenceStore.StoredCheckpoint> latest(UUID tenant) {
    return audit.loadHead(tenant).compose(raw -> {
      if (raw == null) {
        return Future.succeededFuture(null);
      }
      CompactRange head = CompactRange.fromBytes(raw);
      return evidence.checkpoint(tenant, head.size()).compose(cp -> cp != null ? Future.succeededFuture(cp)
          : signer.sign(tenant, head).compose(v -> evidence.checkpoint(tenant, head.size())));
    });
  }

  private void checkpoint(RoutingContext rc) {
    UUID tenant = tenant(rc);
    latest(tenant).onComplete(ar -> {
      if (ar.failed()) {
        Envelope.fail(rc, ar.cause());
      } else if (ar.result() == null) {
        Envelope.error(rc, 404, "empty_log", "The tenant's log has no entries yet");
      } else if (accepts(rc, "application/json")) {
        Envelope.ok(rc, 200, checkpointJson(ar.result()));
      } else {
        rc.response().putHeader("content-type", "text/plain; charset=utf-8").end(ar.result().note());
      }
    });
  }

  private void inclusion(RoutingContext rc) {
    Future<JsonObject> f;
    try {
      UUID tenant = tenant(rc);
      UUID id = Bodies.uuid(rc.pathParam("executionId"), "execution", true);
      String ts = rc.request().getParam("tree_size");
      f = audit.byId(tenant, id).compose(row -> {
        if (row == null) {
          return Future.failedFuture(ApiError.notFound("execution"));
        }
        if (row.leafIndex() == null) {
          return Future.failedFuture(new ApiError(409, "not_in_log",
              "This row predates the Merkle log; it is covered by the hash chain only"));
        }
        return treeSize(tenant, ts).compose(size -> inclusionJson(tenant, row, size));
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  /** The requested tree size, or the latest checkpoint's; with its checkpoint when it has one. */
  private Future<Long> treeSize(UUID tenant, String param) {
    if (param == null) {
      return latest(tenant).compose(cp -> cp == null
          ? Future.failedFuture(new ApiError(404, "empty_log", "The tenant's log has no entries yet"))
          : Future.succeededFuture(cp.treeSize()));
    }
    long size;
    try {
      size = Long.parseLong(param);
    } catch (NumberFormatException e) {
      return Future.failedFuture(ApiError.badRequest("validation_error", "'tree_size' must be an integer"));
    }
    return audit.loadHead(tenant).compose(raw -> {
      long current = raw == null ? 0 : CompactRange.fromBytes(raw).size();
      if (size < 1 || size > current) {
        return Future.failedFuture(ApiError.badRequest("validation_error",
            "'tree_size' must be between 1 and the log's size " + current));
      }
      return Future.succeededFuture(size);
    });
  }

  private Future<JsonObject> inclusionJson(UUID tenant, AuditRow row, long size) {
    if (row.leafIndex() >= size) {
      return Future.failedFuture(ApiError.badRequest("validation_error",
          "The entry (leaf " + row.leafIndex() + ") is not in a tree of size " + size));
    }
    return Future.all(proofs.inclusion(tenant, row.leafIndex(), size), proofs.root(tenant, size),
        evidence.checkpoint(tenant, size)).map(cf -> {
          List<byte[]> path = cf.resultAt(0);
          byte[] root = cf.resultAt(1);
          PgEvidenceStore.StoredCheckpoint cp = cf.resultAt(2);
          JsonArray hexPath = new JsonArray();
          path.forEach(h -> hexPath.add(HEX.formatHex(h)));
          return new JsonObject().put("execution_id", row.id().toString())
              .put("leaf_index", row.leafIndex()).put("leaf_hash", HEX.formatHex(row.leafHash()))
              .put("tree_size", size).put("audit_path", hexPath).put("root_hash", HEX.formatHex(root))
              .put("checkpoint", cp == null ? null : cp.note());
        });
  }

  private void consistency(RoutingContext rc) {
    Future<JsonObject> f;
    try {
      UUID tenant = tenant(rc);
      long first = longParam(rc, "first");
      long second = longParam(rc, "second");
      f = audit.loadHead(tenant).compose(raw -> {
        long current = raw == null ? 0 : CompactRange.fromBytes(raw).size();
        if (first < 1 || first > second || second > current) {
          return Future.failedFuture(ApiError.badRequest("validation_error",
              "need 1 <= first <= second <= " + current));
        }
        return Future.all(proofs.consistency(tenant, first, second), proofs.root(tenant, first),
            proofs.root(tenant, second)).map(cf -> {
              List<byte[]> proof = cf.resultAt(0);
              JsonArray hex = new JsonArray();
              proof.forEach(h -> hex.add(HEX.formatHex(h)));
              return new JsonObject().put("first", first).put("second", second).put("proof", hex)
                  .put("first_root", HEX.formatHex((byte[]) cf.resultAt(1)))
                  .put("second_root", HEX.formatHex((byte[]) cf.resultAt(2)));
            });
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  private void receipt(RoutingContext rc) {
    Future<JsonObject> f;
    try {
      UUID tenant = tenant(rc);
      UUID id = Bodies.uuid(rc.pathParam("executionId"), "execution", true);
      f = audit.byId(tenant, id).compose(row -> {
        if (row == null) {
          return Future.failedFuture(ApiError.notFound("receipt"));
        }
        JsonObject signed = signedReceipt(row);
        if (row.leafIndex() == null) {
          return Future.succeededFuture(signed.put("inclusion", null));
        }
        return latest(tenant).compose(cp -> inclusionJson(tenant, row, cp.treeSize()))
            .map(inc -> signed.put("inclusion", inc));
      });
    } catch (ApiError e) {
      f = Future.failedFuture(e);
    }
    Envelope.reply(rc, 200, f);
  }

  /**
   * Checks a signed receipt ({@code {receipt, signature, algorithm, public_key_fingerprint}}) and,
   * when it carries one, its inclusion proof and checkpoint: {@code {valid, signature_valid,
   * inclusion_valid, checkpoint_valid, reason}}.
   */
  private void verify(RoutingContext rc) {
    JsonObject body = Bodies.json(rc);
    JsonObject out = new JsonObject();
    Receipts.Status status = Receipts.check(body, keys.publicKeys());
    out.put("signature_valid", status == Receipts.Status.VALID).put("signature_status", status.name());
    boolean valid = status == Receipts.Status.VALID;
    JsonObject inc = body.getJsonObject("inclusion");
    if (valid && inc != null) {
      try {
        JsonObject receipt = body.getJsonObject("receipt");
        ReceiptFields rf = ReceiptFields.fromJson(receipt);
        byte[] leaf = MerkleHash.leafHash(Receipts.leafInput(rf, inc.getLong("leaf_index")));
        List<byte[]> path = new ArrayList<>();
        inc.getJsonArray("audit_path").forEach(h -> path.add(HEX.parseHex((String) h)));
        byte[] root = HEX.parseHex(inc.getString("root_hash"));
        MerkleVerifier.verifyInclusion(inc.getLong("leaf_index"), inc.getLong("tree_size"), leaf, path, root);
        out.put("inclusion_valid", true);
        String note = inc.getString("checkpoint");
        if (note != null) {
          Checkpoint cp = Checkpoint.verify(note, EvidenceKeys.origin(rf.tenantId()), keys.noteVerifiers());
          boolean cpOk = cp.size() == inc.getLong("tree_size") && MerkleHash.equal(cp.rootHash(), root);
          out.put("checkpoint_valid", cpOk);
          valid = cpOk;
        }
      } catch (ProofException e) {
        out.put("inclusion_valid", false).put("reason", "inclusion proof: " + e.reason());
        valid = false;
      } catch (RuntimeException e) {
        out.put("inclusion_valid", false).put("reason", "malformed inclusion: " + e.getMessage());
        valid = false;
      }
    }
    Envelope.ok(rc, 200, out.put("valid", valid));
  }

  /** Receipts are immutable per (row, signing key): sign each once and keep up to 10,000. */
  private final java.util.Map<String, JsonObject> receiptCache = java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, JsonObject> eldest) {
          return size() > 10_000;
        }
      });

  private JsonObject signedReceipt(AuditRow row) {
    String key = row.id() + ":" + keys.active().fingerprint();
    JsonObject cached = receiptCache.get(key);
    if (cached == null) {
      cached = Receipts.sign(fields(row), keys.active());
      receiptCache.put(key, cached);
    }
    return cached.copy();
  }

  static ReceiptFields fields(AuditRow r) {
    return new ReceiptFields(r.id().toString(), r.tenantId().toString(), r.agentId(), r.tool(), r.action(),
        r.decision(), r.reason(), r.requestId(), r.timestamp(), r.eventHash(), r.prevHash(), r.chainShard());
  }

  private static JsonObject checkpointJson(PgEvidenceStore.StoredCheckpoint cp) {
    return new JsonObject().put("tree_size", cp.treeSize()).put("root_hash", HEX.formatHex(cp.rootHash()))
        .put("note", cp.note()).put("key_fingerprint", cp.keyId()).put("created_at", cp.createdAt().toString());
  }

  private static UUID tenant(RoutingContext rc) {
    Principal p = ManagementAuth.principal(rc);
    return UUID.fromString(p.tenantId());
  }

  private static long longParam(RoutingContext rc, String name) {
    String v = rc.request().getParam(name);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException | NullPointerException e) {
      throw ApiError.badRequest("validation_error", "'" + name + "' must be an integer");
    }
  }

  private static boolean accepts(RoutingContext rc, String type) {
    String a = rc.request().getHeader("Accept");
    return a != null && a.contains(type);
  }
}
