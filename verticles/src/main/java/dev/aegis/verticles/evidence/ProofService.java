package dev.aegis.verticles.evidence;

import dev.aegis.pipeline.merkle.MerkleHash;
import dev.aegis.pipeline.merkle.MerkleMath;
import dev.aegis.storage.pg.PgAuditStore;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * RFC 9162 roots and proofs of a tenant's log, computed from stored nodes. Every row stores its
 * leaf hash and the roots of the perfect subtrees that end at it, so the hash of any aligned
 * perfect subtree {@code [s, s + 2^L)} is row {@code s + 2^L - 1}'s level-L hash; a proof range is
 * cut into such subtrees (largest first) and folded right to left. One query per proof.
 */
public final class ProofService {

  private final PgAuditStore store;

  public ProofService(PgAuditStore store) {
    this.store = store;
  }

  public Future<byte[]> root(UUID tenant, long size) {
    if (size == 0) {
      return Future.succeededFuture(MerkleHash.emptyRoot());
    }
    return hashes(tenant, List.of(new MerkleMath.Range(0, size))).map(l -> l.get(0));
  }

  /** The audit path of leaf {@code index} in the tree of {@code size} leaves. */
  public Future<List<byte[]>> inclusion(UUID tenant, long index, long size) {
    return hashes(tenant, MerkleMath.inclusionProof(index, size));
  }

  /** The consistency proof between tree sizes {@code m <= n}. */
  public Future<List<byte[]>> consistency(UUID tenant, long m, long n) {
    return hashes(tenant, MerkleMath.consistencyProof(m, n));
  }

  private Future<List<byte[]>> hashes(UUID tenant, List<MerkleMath.Range> ranges) {
    List<List<long[]>> pieces = new ArrayList<>(ranges.size());
    Set<Long> leaves = new LinkedHashSet<>();
    for (MerkleMath.Range r : ranges) {
      List<long[]> p = perfectPieces(r.start(), r.end());
      pieces.add(p);
      p.forEach(x -> leaves.add(x[0] + (1L << x[1]) - 1));
    }
    if (leaves.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return store.nodes(tenant, new ArrayList<>(leaves)).map(nodes -> {
      List<byte[]> out = new ArrayList<>(ranges.size());
      for (List<long[]> p : pieces) {
        byte[] h = null;
        for (int i = p.size() - 1; i >= 0; i--) {
          byte[] piece = node(nodes, p.get(i));
          h = h == null ? piece : MerkleHash.nodeHash(piece, h);
        }
        out.add(h);
      }
      return out;
    });
  }

  private static byte[] node(Map<Long, List<byte[]>> nodes, long[] piece) {
    long last = piece[0] + (1L << piece[1]) - 1;
    List<byte[]> l = nodes.get(last);
    if (l == null || l.size() <= piece[1]) {
      throw new IllegalStateException("missing Merkle node: leaf " + last + " level " + piece[1]);
    }
    return l.get((int) piece[1]);
  }

  /** [start, end) as aligned perfect subtrees, largest first: {start, level} pairs. */
  static List<long[]> perfectPieces(long start, long end) {
    List<long[]> out = new ArrayList<>();
    long s = start;
    while (s < end) {
      int level = s == 0 ? 62 : Long.numberOfTrailingZeros(s);
      while ((1L << level) > end - s) {
        level--;
      }
      out.add(new long[] {s, level});
      s += 1L << level;
    }
    return out;
  }
}
