package dev.aegis.pipeline.verify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The outcome of {@link BundleVerifier#verify}: what was checked, every failure found (capped),
 * and the first broken row. Immutable once built.
 *
 * <p>A failure names its check and, when it is tied to a row, the row's position in the bundle's
 * {@code rows} array, id, leaf index and chain (shard, index). The <em>first failure</em> is the
 * row-level failure with the smallest position (the earliest point in log order where the
 * evidence stops holding); failures not tied to a row (a truncated tail, a bad checkpoint
 * signature, a broken chain of daily roots) come after all row-level ones.
 */
public final class Report {

  /** The checks, in the order they are reported. */
  public enum Check {
    /** The bundle is not a well-formed aegis-bundle/1 document (a row or member is malformed). */
    FORMAT,
    /** A row of another tenant, or a row id that occurs twice. */
    ROW_IDENTITY,
    /** Leaf indexes are not 0, 1, 2, ... in bundle order (gap, duplicate, reordering). */
    LEAF_SEQUENCE,
    /** A row's event_hash does not match its content, or its chain link / chain index is broken. */
    CHAIN,
    /** A row's receipt (leaf input) does not hash to the leaf_hash the bundle states for it. */
    LEAF_HASH,
    /** A leaf that two rows claim: the one whose leaf the signed roots do not accept is forged. */
    FORGED_ROW,
    /** A row beyond the last signed checkpoint: nothing signed commits to it. */
    UNCOVERED_ROW,
    /** A checkpoint note does not verify with the bundle's keys (signature, origin, grammar). */
    CHECKPOINT_SIGNATURE,
    /** The Merkle root recomputed from the rows differs from a checkpoint's root. */
    CHECKPOINT_ROOT,
    /** Two checkpoints are not consistent (sizes not increasing, or a consistency proof fails). */
    CHECKPOINT_CONSISTENCY,
    /** Fewer leaves than the last checkpoint's tree size: the tail of the log is missing. */
    TRUNCATED,
    /** A public key whose fingerprint is not the SHA-256 of its PEM text. */
    PUBLIC_KEY,
    /** A daily root that does not verify, or whose prev_root_hash does not link to the day before. */
    DAILY_ROOT
  }

  /** A row as named in a failure. */
  public record RowRef(int position, String id, Long leafIndex, Integer chainShard, Long chainIndex) {
    JsonObject toJson() {
      return new JsonObject().put("position", position).put("id", id).put("leaf_index", leafIndex)
          .put("chain_shard", chainShard).put("chain_index", chainIndex);
    }

    @Override
    public String toString() {
      return "row #" + position + " id=" + id + " leaf_index=" + leafIndex + " chain="
          + chainShard + "/" + chainIndex;
    }
  }

  /**
   * One failed check.
   *
   * @param row the row it is tied to, or null
   * @param extra machine-readable details (e.g. expected_leaf_index, tree_size, missing_from)
   */
  public record Failure(Check check, RowRef row, String detail, JsonObject extra) {
    public JsonObject toJson() {
      JsonObject o = new JsonObject().put("check", check.name().toLowerCase())
          .put("row", row == null ? null : row.toJson()).put("detail", detail);
      if (extra != null) {
        extra.forEach(e -> o.put(e.getKey(), e.getValue()));
      }
      return o;
    }

    @Override
    public String toString() {
      return check.name().toLowerCase() + (row == null ? "" : " at " + row) + ": " + detail;
    }
  }

  static final Comparator<Failure> ORDER = Comparator
      .comparingInt((Failure f) -> f.row() == null ? Integer.MAX_VALUE : f.row().position())
      .thenComparing(Failure::check);

  private final String tenantId;
  private final String formatVersion;
  private final JsonObject stats;
  private final List<Failure> failures;
  private final long failureCount;
  private final List<String> notes;

  Report(String tenantId, String formatVersion, JsonObject stats, List<Failure> failures,
      long failureCount, List<String> notes) {
    this.tenantId = tenantId;
    this.formatVersion = formatVersion;
    this.stats = stats.copy();
    List<Failure> sorted = new ArrayList<>(failures);
    sorted.sort(ORDER);
    this.failures = List.copyOf(sorted);
    this.failureCount = failureCount;
    this.notes = List.copyOf(notes);
  }

  /** True when every check passed. */
  public boolean valid() {
    return failureCount == 0;
  }

  public String tenantId() {
    return tenantId;
  }

  /** Every failure kept (up to the cap), first broken row first. */
  public List<Failure> failures() {
    return failures;
  }

  /** All failures found, including those beyond the cap. */
  public long failureCount() {
    return failureCount;
  }

  /** The first failure (see the class comment), or null when valid. */
  public Failure firstFailure() {
    return failures.isEmpty() ? null : failures.get(0);
  }

  /** Counts: rows, leaves, checkpoints, keys, roots, chains. */
  public JsonObject stats() {
    return stats.copy();
  }

  /** {@code {valid, tenant_id, format_version, stats, first_failure, failures, failure_count, notes}}. */
  public JsonObject toJson() {
    JsonArray arr = new JsonArray();
    failures.forEach(f -> arr.add(f.toJson()));
    Failure first = firstFailure();
    return new JsonObject().put("valid", valid()).put("tenant_id", tenantId)
        .put("format_version", formatVersion).put("stats", stats.copy())
        .put("first_failure", first == null ? null : first.toJson()).put("failures", arr)
        .put("failure_count", failureCount).put("notes", new JsonArray(new ArrayList<>(notes)));
  }

  /** A human-readable report. */
  public String toText() {
    StringBuilder sb = new StringBuilder(512);
    sb.append("Aegis evidence bundle verification\n");
    sb.append("  tenant:           ").append(tenantId).append('\n');
    sb.append("  format:           ").append(formatVersion).append('\n');
    stats.forEach(e -> sb.append("  ").append(String.format("%-18s", e.getKey() + ":"))
        .append(e.getValue()).append('\n'));
    if (valid()) {
      sb.append("RESULT: VALID - every check passed\n");
    } else {
      sb.append("RESULT: INVALID - ").append(failureCount).append(" failure(s)\n");
      Failure first = firstFailure();
      sb.append("  first failure: ").append(first).append('\n');
      int shown = 0;
      for (Failure f : failures) {
        if (shown++ == 50) {
          sb.append("  ... (").append(failureCount - 50).append(" more; use --json)\n");
          break;
        }
        sb.append("  - ").append(f).append('\n');
      }
    }
    for (String n : notes) {
      sb.append("note: ").append(n).append('\n');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return toText();
  }
}
