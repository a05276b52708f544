package dev.aegis.pipeline.verify;

import dev.aegis.pipeline.audit.ChainVerifier;
import dev.aegis.pipeline.evidence.Checkpoint;
import dev.aegis.pipeline.evidence.DailyRoot;
import dev.aegis.pipeline.evidence.Ed25519Keys;
import dev.aegis.pipeline.evidence.ReceiptFields;
import dev.aegis.pipeline.evidence.Receipts;
import dev.aegis.pipeline.evidence.SignedNote;
import dev.aegis.pipeline.merkle.InMemoryTree;
import dev.aegis.pipeline.merkle.MerkleHash;
import dev.aegis.pipeline.merkle.MerkleVerifier;
import dev.aegis.pipeline.merkle.ProofException;
import dev.aegis.pipeline.verify.Report.Check;
import dev.aegis.pipeline.verify.Report.Failure;
import dev.aegis.pipeline.verify.Report.RowRef;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * Verifies an {@code aegis-bundle/1} export offline: no database, no network, only the bundle
 * (see docs/evidence.md, "Offline verification").
 *
 * <p>Checks: every row's {@code event_hash} and chain link per (tenant, shard) ({@link
 * ChainVerifier}); leaf indexes 0, 1, 2, ... in bundle order; every row's receipt hashed as its
 * leaf ({@link Receipts#leafInput}, {@link MerkleHash#leafHash}) and compared with the stated
 * {@code leaf_hash}; the Merkle root at every checkpoint's size recomputed from the leaves
 * ({@link InMemoryTree}) equal to the checkpoint's root; every checkpoint note signed by a key of
 * the bundle under origin {@code aegis/audit/<tenant>}; successive checkpoints with increasing
 * sizes and verifying RFC 9162 consistency proofs regenerated from the leaves; no leaf beyond the
 * last checkpoint; no tail missing below the last checkpoint's size; daily roots (if any)
 * signed and linked by {@code prev_root_hash}. Thread safe (stateless).
 */
public final class BundleVerifier {

  public static final String FORMAT_VERSION = "aegis-bundle/1";
  public static final String NOTE_KEY_NAME = "aegis-audit";
  public static final String ORIGIN_PREFIX = "aegis/audit/";

  private static final int MAX_FAILURES = 1000;
  private static final int MAX_DUPLICATES_RESOLVED = 16;
  private static final HexFormat HEX = HexFormat.of();

  /** The bundle cannot be read at all (not JSON, not an aegis-bundle/1 document). */
  public static final class UnreadableBundleException extends Exception {
    private static final long serialVersionUID = 1L;

    public UnreadableBundleException(String message) {
      super(message);
    }
  }

  private record Row(RowRef ref, String id, String tenantId, String agentId, String action,
      String tool, String decision, String reason, String requestId, String eventHash,
      String prevHash, int shard, long chainIndex, Long leafIndex, String leafHashHex,
      String timestamp) {}

  private BundleVerifier() {}

  /** Parses and verifies bundle text. */
  public static Report verify(String json) throws UnreadableBundleException {
    JsonObject bundle;
    try {
      bundle = new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      throw new UnreadableBundleException("not a JSON object: " + e.getMessage());
    }
    return verify(bundle);
  }

  /** Verifies a parsed bundle. */
  public static Report verify(JsonObject bundle) throws UnreadableBundleException {
    return new Run(bundle).run();
  }

  // ------------------------------------------------------------------------------------ run

  private static final class Run {
    final JsonObject bundle;
    final List<Failure> failures = new ArrayList<>();
    long failureCount;
    final List<String> notes = new ArrayList<>();
    String tenant;
    String format;
    InMemoryTree tree = new InMemoryTree();
    long rootsUnchecked;

    Run(JsonObject bundle) {
      this.bundle = bundle;
    }

    void fail(Check check, RowRef row, String detail, JsonObject extra) {
      failureCount++;
      if (failures.size() < MAX_FAILURES) {
        failures.add(new Failure(check, row, detail, extra));
      }
    }

    Report run() throws UnreadableBundleException {
      try {
        format = bundle.getString("format_version");
        tenant = bundle.getString("tenant_id");
      } catch (ClassCastException e) {
        throw new UnreadableBundleException("format_version and tenant_id must be strings");
      }
      if (!FORMAT_VERSION.equals(format)) {
        throw new UnreadableBundleException("format_version is not " + FORMAT_VERSION + ": " + format);
      }
      if (tenant == null || tenant.isEmpty()) {
        throw new UnreadableBundleException("tenant_id is missing");
      }
      JsonArray rowsJson = array("rows");
      JsonArray cpJson = array("checkpoints");
      JsonArray rootsJson = bundle.getValue("roots") == null ? new JsonArray() : array("roots");
      JsonObject keysJson;
      try {
        keysJson = bundle.getJsonObject("public_keys");
      } catch (ClassCastException e) {
        throw new UnreadableBundleException("public_keys is not an object");
      }
      if (rowsJson == null || cpJson == null || keysJson == null) {
        throw new UnreadableBundleException("rows, checkpoints and public_keys are required");
      }

      Map<String, Ed25519PublicKeyParameters> keys = keys(keysJson);
      List<SignedNote.Verifier> noteKeys = new ArrayList<>();
      keys.values().forEach(k -> noteKeys.add(SignedNote.Verifier.of(NOTE_KEY_NAME, k)));

      List<Row> rows = rows(rowsJson);
      identity(rows);
      leafSequence(rows);
      chains(rows);
      Map<Row, byte[]> leafHashes = leafHashes(rows);
      List<Checkpoint> cps = checkpoints(cpJson, noteKeys);
      long[] merkle = merkle(rows, leafHashes, cps);
      int roots = roots(rootsJson, keys);

      JsonObject stats = new JsonObject().put("rows", rows.size())
          .put("leaves", merkle[0]).put("legacy_rows", merkle[1])
          .put("chains", rows.stream().map(Row::shard).distinct().count())
          .put("checkpoints", cpJson.size()).put("checkpoints_ok", merkle[2])
          .put("last_checkpoint", cps.isEmpty() ? 0 : cps.get(cps.size() - 1).size())
          .put("public_keys", keys.size()).put("daily_roots", roots);
      notes.add("checkpoint consistency: every checkpoint root is recomputed from the same leaf"
          + " sequence, so a later tree extending an earlier one is shown by recomputation; RFC 9162"
          + " consistency proofs regenerated from the leaves are verified between successive"
          + " checkpoints as a cross-check");
      if (roots > 0) {
        notes.add("daily roots: signature, prev_root_hash links and (for non-empty days) root_hash ="
            + " the Merkle root of the first tree_size leaves are checked"
            + (rootsUnchecked > 0 ? "; " + rootsUnchecked + " root(s) beyond the bundle's leaves were"
            + " checked for signature and link only" : ""));
      }
      return new Report(tenant, format, stats, failures, failureCount, notes);
    }

    JsonArray array(String name) throws UnreadableBundleException {
      try {
        return bundle.getJsonArray(name);
      } catch (ClassCastException e) {
        throw new UnreadableBundleException(name + " is not an array");
      }
    }

    // -------------------------------------------------------------------------- keys, rows

    Map<String, Ed25519PublicKeyParameters> keys(JsonObject keysJson) {
      Map<String, Ed25519PublicKeyParameters> out = new LinkedHashMap<>();
      for (String fp : keysJson.fieldNames()) {
        Object pem = keysJson.getValue(fp);
        try {
          if (!(pem instanceof String p)) {
            throw new IllegalArgumentException("the PEM is not a string");
          }
          Ed25519PublicKeyParameters k = Ed25519Keys.publicKeyFromPem(p);
          if (!Ed25519Keys.fingerprint(k).equals(fp)) {
            throw new IllegalArgumentException("fingerprint is not SHA-256 of the key's PEM text");
          }
          out.put(fp, k);
        } catch (RuntimeException e) {
          fail(Check.PUBLIC_KEY, null, "key " + fp + ": " + e.getMessage(),
              new JsonObject().put("fingerprint", fp));
        }
      }
      return out;
    }

    List<Row> rows(JsonArray rowsJson) {
      List<Row> out = new ArrayList<>(rowsJson.size());
      for (int i = 0; i < rowsJson.size(); i++) {
        Object o = rowsJson.getValue(i);
        try {
          if (!(o instanceof JsonObject r)) {
            throw new IllegalArgumentException("not an object");
          }
          String id = need(r, "id");
          Long leaf = r.getLong("leaf_index");
          int shard = r.getInteger("chain_shard");
          long chainIndex = r.getLong("chain_index");
          RowRef ref = new RowRef(i, id, leaf, shard, chainIndex);
          out.add(new Row(ref, id, need(r, "tenant_id"), r.getString("agent_id"),
              need(r, "action"), r.getString("tool"), need(r, "decision"), r.getString("reason"),
              r.getString("request_id"), need(r, "event_hash"), need(r, "prev_hash"), shard,
              chainIndex, leaf, r.getString("leaf_hash"), r.getString("created_at")));
        } catch (RuntimeException e) {
          String id = o instanceof JsonObject r && r.getValue("id") instanceof String s ? s : null;
          fail(Check.FORMAT, new RowRef(i, id, null, null, null),
              "malformed row: " + (e.getMessage() == null ? e.toString() : e.getMessage()), null);
        }
      }
      return out;
    }

    static String need(JsonObject r, String name) {
      String v = r.getString(name);
      if (v == null) {
        throw new IllegalArgumentException(name + " is missing");
      }
      return v;
    }

    void identity(List<Row> rows) {
      Set<String> ids = new HashSet<>();
      for (Row r : rows) {
        if (!tenant.equals(r.tenantId())) {
          fail(Check.ROW_IDENTITY, r.ref(), "row of tenant " + r.tenantId() + " in the bundle of "
              + tenant, null);
        }
        if (!ids.add(r.id())) {
          fail(Check.ROW_IDENTITY, r.ref(), "row id occurs twice", null);
        }
      }
    }

    /** Legacy rows (no leaf) first, then leaf indexes 0, 1, 2, ... in bundle order. */
    void leafSequence(List<Row> rows) {
      long expected = 0;
      boolean logStarted = false;
      Set<Long> seen = new HashSet<>();
      for (Row r : rows) {
        Long li = r.leafIndex();
        if (li == null) {
          if (logStarted) {
            fail(Check.LEAF_SEQUENCE, r.ref(), "row without a leaf index after the Merkle log began",
                new JsonObject().put("expected_leaf_index", expected));
          }
          continue;
        }
        logStarted = true;
        if (li == expected) {
          seen.add(li);
          expected++;
        } else if (li > expected) {
          fail(Check.LEAF_SEQUENCE, r.ref(), "expected leaf_index " + expected + " but found " + li
              + (li == expected + 1 ? " (leaf " + expected + " is missing)"
                  : " (leaves " + expected + ".." + (li - 1) + " missing or moved)"),
              new JsonObject().put("expected_leaf_index", expected).put("found_leaf_index", li));
          seen.add(li);
          expected = li + 1;
        } else {
          boolean dup = !seen.add(li);
          fail(Check.LEAF_SEQUENCE, r.ref(), (dup ? "duplicate leaf_index " : "out-of-order leaf_index ")
              + li + " where " + expected + " was expected",
              new JsonObject().put("expected_leaf_index", expected).put("found_leaf_index", li));
        }
      }
    }

    /** Every (shard) chain in bundle order through {@link ChainVerifier}. */
    void chains(List<Row> rows) {
      TreeMap<Integer, List<Row>> byShard = new TreeMap<>();
      for (Row r : rows) {
        byShard.computeIfAbsent(r.shard(), k -> new ArrayList<>()).add(r);
      }
      ChainVerifier cv = new ChainVerifier(MAX_FAILURES);
      Map<String, Row> byKey = new HashMap<>();
      for (List<Row> chain : byShard.values()) {
        for (Row r : chain) {
          byKey.putIfAbsent(r.id() + "|" + r.shard() + "|" + r.chainIndex(), r);
          cv.accept(new ChainVerifier.Row(r.id(), r.ref().position(), r.tenantId(), r.agentId(),
              r.action(), r.tool(), r.decision(), r.requestId(), r.eventHash(), r.prevHash(),
              r.shard(), r.chainIndex()));
        }
      }
      JsonObject res = cv.result();
      for (Object o : res.getJsonArray("violations")) {
        JsonObject v = (JsonObject) o;
        Row r = byKey.get(v.getString("id") + "|" + v.getInteger("chain_shard") + "|"
            + v.getLong("chain_index"));
        // seq carries the bundle position we fed in, which is exact even for a repeated id
        int pos = v.getLong("seq").intValue();
        RowRef ref = r != null && r.ref().position() == pos ? r.ref()
            : new RowRef(pos, v.getString("id"), null, v.getInteger("chain_shard"), v.getLong("chain_index"));
        fail(Check.CHAIN, ref, v.getString("type") + ": " + v.getString("detail"),
            new JsonObject().put("chain_violation", v.getString("type")));
      }
      long beyond = res.getLong("violation_count") - res.getJsonArray("violations").size();
      if (beyond > 0) {
        failureCount += beyond;
      }
    }

    Map<Row, byte[]> leafHashes(List<Row> rows) {
      Map<Row, byte[]> out = new java.util.IdentityHashMap<>();
      for (Row r : rows) {
        if (r.leafIndex() == null) {
          continue;
        }
        byte[] leaf;
        try {
          leaf = MerkleHash.leafHash(Receipts.leafInput(new ReceiptFields(r.id(), r.tenantId(),
              r.agentId(), r.tool(), r.action(), r.decision(), r.reason(), r.requestId(),
              r.timestamp(), r.eventHash(), r.prevHash(), r.shard()), r.leafIndex()));
        } catch (RuntimeException e) {
          fail(Check.FORMAT, r.ref(), "receipt cannot be formed: " + e.getMessage(), null);
          continue;
        }
        out.put(r, leaf);
        if (r.leafHashHex() != null && !r.leafHashHex().equals(HEX.formatHex(leaf))) {
          fail(Check.LEAF_HASH, r.ref(), "the row's receipt does not hash to its stated leaf_hash"
              + " (a field covered by the receipt was changed)", null);
        }
      }
      return out;
    }

    // ------------------------------------------------------------------------- checkpoints

    List<Checkpoint> checkpoints(JsonArray cpJson, List<SignedNote.Verifier> noteKeys) {
      String origin = ORIGIN_PREFIX + tenant;
      List<Checkpoint> out = new ArrayList<>();
      for (int i = 0; i < cpJson.size(); i++) {
        Object o = cpJson.getValue(i);
        String note = o instanceof String s ? s : o instanceof JsonObject j ? j.getString("note") : null;
        try {
          if (note == null) {
            throw new IllegalArgumentException("checkpoint " + i + " has no note text");
          }
          Checkpoint cp = Checkpoint.verify(note, origin, noteKeys);
          if (!out.isEmpty() && cp.size() <= out.get(out.size() - 1).size()) {
            Checkpoint prev = out.get(out.size() - 1);
            if (cp.size() == prev.size() && MerkleHash.equal(cp.rootHash(), prev.rootHash())) {
              continue; // the same checkpoint twice
            }
            fail(Check.CHECKPOINT_CONSISTENCY, null, "checkpoint " + i + " (size " + cp.size()
                + ") does not extend the previous one (size " + prev.size() + ")",
                new JsonObject().put("tree_size", cp.size()));
            continue;
          }
          out.add(cp);
        } catch (RuntimeException e) {
          fail(Check.CHECKPOINT_SIGNATURE, null, "checkpoint " + i + ": " + e.getMessage(),
              new JsonObject().put("checkpoint", i));
        }
      }
      return out;
    }

    /** Returns {leaves, legacy rows, checkpoints whose root matched}. */
    long[] merkle(List<Row> rows, Map<Row, byte[]> leafHashes, List<Checkpoint> cps) {
      TreeMap<Long, List<Row>> claims = new TreeMap<>();
      long legacy = 0;
      for (Row r : rows) {
        if (r.leafIndex() == null) {
          legacy++;
        } else if (leafHashes.containsKey(r)) {
          claims.computeIfAbsent(r.leafIndex(), k -> new ArrayList<>()).add(r);
        }
      }
      // the contiguous prefix [0, contiguous) of claimed leaf indexes
      long contiguous = 0;
      while (claims.containsKey(contiguous)) {
        contiguous++;
      }
      long maxClaimed = claims.isEmpty() ? -1 : claims.lastKey();
      Map<Long, Row> chosen = new HashMap<>();
      claims.forEach((k, l) -> chosen.put(k, l.get(0)));
      resolveDuplicates(claims, chosen, leafHashes, cps, contiguous);

      for (long k = 0; k < contiguous; k++) {
        tree.append(leafHashes.get(chosen.get(k)));
      }
      long ok = 0;
      Checkpoint lastGood = null;
      long lastGoodSize = 0;
      for (Checkpoint cp : cps) {
        if (cp.size() > contiguous) {
          continue;
        }
        byte[] root = tree.root(cp.size());
        if (!MerkleHash.equal(root, cp.rootHash())) {
          fail(Check.CHECKPOINT_ROOT, null, "the root recomputed from leaves [0, " + cp.size()
              + ") differs from the signed checkpoint: a leaf in [" + lastGoodSize + ", " + cp.size()
              + ") was changed", new JsonObject().put("tree_size", cp.size())
              .put("suspect_from", lastGoodSize).put("suspect_to", cp.size()));
          continue;
        }
        ok++;
        if (lastGood != null) {
          try {
            MerkleVerifier.verifyConsistency(lastGood.size(), cp.size(), lastGood.rootHash(),
                cp.rootHash(), tree.consistencyProof(lastGood.size(), cp.size()));
          } catch (ProofException e) {
            fail(Check.CHECKPOINT_CONSISTENCY, null, "checkpoints " + lastGood.size() + " and "
                + cp.size() + ": " + e.getMessage(), new JsonObject().put("tree_size", cp.size()));
          }
        }
        lastGood = cp;
        lastGoodSize = cp.size();
      }
      long lastSize = cps.isEmpty() ? 0 : cps.get(cps.size() - 1).size();
      if (lastSize > contiguous) {
        if (maxClaimed < lastSize - 1 && maxClaimed + 1 == contiguous) {
          fail(Check.TRUNCATED, null, "the last checkpoint commits to " + lastSize + " leaves but the"
              + " bundle holds " + contiguous + ": leaves [" + contiguous + ", " + lastSize
              + ") are missing", new JsonObject().put("expected_tree_size", lastSize)
              .put("leaves_present", contiguous).put("missing_from", contiguous));
        } else {
          fail(Check.CHECKPOINT_ROOT, null, "checkpoints above size " + contiguous + " cannot be"
              + " recomputed: leaf " + contiguous + " is missing", new JsonObject()
              .put("tree_size", lastSize).put("missing_leaf", contiguous));
        }
      }
      // leaves that no signed checkpoint commits to
      for (Map.Entry<Long, List<Row>> e : claims.tailMap(lastSize, true).entrySet()) {
        Row r = e.getValue().get(0);
        fail(Check.UNCOVERED_ROW, r.ref(), "leaf " + e.getKey() + " is beyond the last signed"
            + " checkpoint (size " + lastSize + "); nothing signed commits to it",
            new JsonObject().put("last_checkpoint_size", lastSize));
        break;
      }
      return new long[] {claims.size(), legacy, ok};
    }

    /**
     * A leaf index claimed by several rows: the claimant whose leaf makes the first checkpoint
     * covering it verify is genuine, the others are forged.
     */
    void resolveDuplicates(TreeMap<Long, List<Row>> claims, Map<Long, Row> chosen,
        Map<Row, byte[]> leafHashes, List<Checkpoint> cps, long contiguous) {
      int resolved = 0;
      for (Map.Entry<Long, List<Row>> e : claims.entrySet()) {
        if (e.getValue().size() < 2) {
          continue;
        }
        if (resolved++ == MAX_DUPLICATES_RESOLVED) {
          notes.add("more than " + MAX_DUPLICATES_RESOLVED + " duplicated leaf indexes; the rest"
              + " were not resolved against the checkpoints");
          return;
        }
        long k = e.getKey();
        Checkpoint cover = null;
        for (Checkpoint cp : cps) {
          if (cp.size() > k && cp.size() <= contiguous) {
            cover = cp;
            break;
          }
        }
        if (cover == null) {
          continue;
        }
        Row genuine = null;
        for (Row candidate : e.getValue()) {
          InMemoryTree t = new InMemoryTree();
          for (long i = 0; i < cover.size(); i++) {
            t.append(leafHashes.get(i == k ? candidate : chosen.get(i)));
          }
          if (MerkleHash.equal(t.root(), cover.rootHash())) {
            genuine = candidate;
            break;
          }
        }
        if (genuine == null) {
          continue;
        }
        chosen.put(k, genuine);
        for (Row r : e.getValue()) {
          if (r != genuine) {
            fail(Check.FORGED_ROW, r.ref(), "claims leaf " + k + ", but the signed checkpoint of size "
                + cover.size() + " commits to row " + genuine.id() + " there",
                new JsonObject().put("genuine_id", genuine.id()));
          }
        }
      }
    }

    // -------------------------------------------------------------------------- daily roots

    int roots(JsonArray rootsJson, Map<String, Ed25519PublicKeyParameters> keys) {
      TreeMap<String, DailyRoot> byDate = new TreeMap<>();
      for (int i = 0; i < rootsJson.size(); i++) {
        Object o = rootsJson.getValue(i);
        try {
          if (!(o instanceof JsonObject j)) {
            throw new IllegalArgumentException("not an object");
          }
          String alg = j.getString("algorithm", Receipts.ALGORITHM);
          DailyRoot d = DailyRoot.verify(new DailyRoot.Signed(null, j.getString("signed_root_payload"),
              j.getString("signature"), alg, j.getString("signing_key_fingerprint")), keys);
          if (!tenant.equals(d.tenantId())) {
            throw new IllegalArgumentException("root of tenant " + d.tenantId());
          }
          if (j.getValue("root_hash") != null && !d.rootHash().equals(j.getString("root_hash"))) {
            throw new IllegalArgumentException("root_hash differs from the signed payload");
          }
          if (byDate.put(d.rootDate(), d) != null) {
            throw new IllegalArgumentException("two roots for " + d.rootDate());
          }
          Long size = j.getLong("tree_size");
          if (d.leafCount() > 0 && size != null) {
            if (size > tree.size()) {
              rootsUnchecked++;
            } else if (!HEX.formatHex(tree.root(size)).equals(d.rootHash())) {
              throw new IllegalArgumentException("root_hash is not the Merkle root of the bundle's first "
                  + size + " leaves");
            }
          }
        } catch (RuntimeException e) {
          fail(Check.DAILY_ROOT, null, "root " + i + ": " + e.getMessage(),
              new JsonObject().put("root", i));
        }
      }
      DailyRoot prev = null;
      for (DailyRoot d : byDate.values()) {
        if (prev != null && !prev.rootHash().equals(d.prevRootHash())) {
          fail(Check.DAILY_ROOT, null, "root of " + d.rootDate() + " does not link to the root of "
              + prev.rootDate() + " (prev_root_hash " + d.prevRootHash() + ")",
              new JsonObject().put("root_date", d.rootDate()));
        }
        prev = d;
      }
      return rootsJson.size();
    }
  }
}
