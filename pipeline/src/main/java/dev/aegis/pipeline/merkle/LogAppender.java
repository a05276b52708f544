package dev.aegis.pipeline.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * Appends leaves to a log whose state is a compact range, and reports the roots of the perfect
 * subtrees each append completes. Appending leaf {@code i} completes the subtrees
 * {@code [i + 1 - 2^L, i + 1)} for every level {@code L >= 1} with {@code (i + 1) % 2^L == 0};
 * a writer stores them with the leaf (row {@code i}'s {@code subtree_hashes[L - 1]}), so the hash
 * of any perfect aligned subtree is one lookup and any proof is O(log n) lookups. Not thread safe.
 */
public final class LogAppender {

  /**
   * One append.
   *
   * @param leafIndex the index of the new leaf
   * @param subtrees roots of the perfect subtrees completed, level 1 first (may be empty)
   */
  public record Appended(long leafIndex, List<byte[]> subtrees) {}

  private final ArrayList<byte[]> hashes;
  private long size;

  /** Continues from a saved compact range. */
  public LogAppender(CompactRange state) {
    this.hashes = new ArrayList<>(state.hashes());
    this.size = state.size();
  }

  public LogAppender() {
    this(new CompactRange());
  }

  public long size() {
    return size;
  }

  public Appended append(byte[] leafHash) {
    MerkleHash.requireHash(leafHash, "leafHash");
    long index = size;
    List<byte[]> completed = new ArrayList<>(2);
    byte[] h = leafHash;
    long s = size;
    while ((s & 1) == 1) {
      h = MerkleHash.nodeHash(hashes.remove(hashes.size() - 1), h);
      completed.add(h);
      s >>>= 1;
    }
    hashes.add(h);
    size++;
    return new Appended(index, completed);
  }

  /** The state after the appends so far. */
  public CompactRange state() {
    return CompactRange.of(size, hashes);
  }

  /** The root of the tree of the current size. */
  public byte[] root() {
    return state().root();
  }
}
