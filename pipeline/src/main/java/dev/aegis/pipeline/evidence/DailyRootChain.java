package dev.aegis.pipeline.evidence;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The day-chaining rules of daily transparency roots (docs/evidence.md, "Daily transparency
 * root"), pure and clock-free so they can be tested with in-memory inputs.
 *
 * <p>The root of day D (UTC) of a tenant is the RFC 9162 root of the tenant's Merkle log at the
 * tree size reached by the end of D: {@code size(D) = max(leaf_index) + 1} over the rows with
 * {@code created_at < D+1 00:00Z} (a prefix of the log). {@code leaf_count = size(D) -
 * size(D-1)}; {@code leaf_range_start_id} / {@code leaf_range_end_id} are the execution ids of
 * leaves {@code size(D-1)} and {@code size(D) - 1}; {@code prev_root_hash} is the root hash of D-1
 * (null only for the tenant's first day, the day of its leaf 0). A day with no new leaves has the
 * empty-epoch root {@link DailyRoot#emptyEpochRoot(String)} of the previous day's root (so a day
 * without traffic still gets a row and the chain of days has no gaps). While D is open its
 * running root covers the leaves created before {@code window_end = now}; D is sealed
 * ({@code window_end = D+1 00:00Z}) once {@link #SEAL_GRACE} has passed after its end, so rows
 * created just before midnight and committed just after are still in it.
 */
public final class DailyRootChain {

  /** How long after the end of a day it is sealed (late commits of rows created before midnight). */
  public static final Duration SEAL_GRACE = Duration.ofMinutes(2);

  private static final DateTimeFormatter WINDOW =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private DailyRootChain() {}

  /**
   * What is known about one day of a tenant's log.
   *
   * @param date the UTC day
   * @param sizeAtStart the tree size at the end of the previous day
   * @param sizeAtEnd the tree size at {@code windowEnd}
   * @param merkleRootAtEnd hex RFC 9162 root at {@code sizeAtEnd} (ignored when no leaf was added)
   * @param firstLeafId execution id of leaf {@code sizeAtStart} (null when no leaf was added)
   * @param lastLeafId execution id of leaf {@code sizeAtEnd - 1} (null when no leaf was added)
   * @param windowEnd the end of the window the root covers
   */
  public record Day(LocalDate date, long sizeAtStart, long sizeAtEnd, String merkleRootAtEnd,
      String firstLeafId, String lastLeafId, Instant windowEnd) {
    public Day {
      Objects.requireNonNull(date, "date");
      Objects.requireNonNull(windowEnd, "windowEnd");
      if (sizeAtStart < 0 || sizeAtEnd < sizeAtStart) {
        throw new IllegalArgumentException("need 0 <= sizeAtStart <= sizeAtEnd");
      }
    }

    public long leafCount() {
      return sizeAtEnd - sizeAtStart;
    }
  }

  /** The root of {@code day} chained to {@code prevRootHash} (null for the tenant's first day). */
  public static DailyRoot root(String tenantId, Day day, String prevRootHash) {
    String window = formatInstant(day.windowEnd());
    if (day.leafCount() == 0) {
      return DailyRoot.emptyEpoch(day.date().toString(), tenantId, prevRootHash, window);
    }
    return new DailyRoot(day.date().toString(), day.merkleRootAtEnd(), tenantId, day.leafCount(),
        day.firstLeafId(), day.lastLeafId(), prevRootHash, window);
  }

  /** Chains consecutive days starting after a root {@code prevRootHash} (null: the first day). */
  public static List<DailyRoot> chain(String tenantId, String prevRootHash, List<Day> days) {
    List<DailyRoot> out = new ArrayList<>(days.size());
    String prev = prevRootHash;
    LocalDate last = null;
    for (Day d : days) {
      if (last != null && !d.date().equals(last.plusDays(1))) {
        throw new IllegalArgumentException("days must be consecutive: " + last + " then " + d.date());
      }
      DailyRoot r = root(tenantId, d, prev);
      out.add(r);
      prev = r.rootHash();
      last = d.date();
    }
    return out;
  }

  /** The UTC day of an instant. */
  public static LocalDate day(Instant t) {
    return LocalDate.ofInstant(t, ZoneOffset.UTC);
  }

  /** {@code D+1 00:00Z}. */
  public static Instant endOfDay(LocalDate d) {
    return d.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  /** Whether day {@code d} is closed for good at {@code now} (its end plus the grace passed). */
  public static boolean sealable(LocalDate d, Instant now) {
    return !now.isBefore(endOfDay(d).plus(SEAL_GRACE));
  }

  /** The window end of day {@code d} computed at {@code now}: now, or the end of the day. */
  public static Instant windowEnd(LocalDate d, Instant now) {
    Instant end = endOfDay(d);
    return (now.isBefore(end) ? now : end).truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * The days to (re)compute at {@code now}: from the day after the newest sealed root (or the
   * tenant's first day) through today, in order. Empty when everything up to today is sealed.
   */
  public static List<LocalDate> pending(LocalDate firstDay, LocalDate lastSealed, Instant now) {
    LocalDate from = lastSealed != null ? lastSealed.plusDays(1) : firstDay;
    LocalDate today = day(now);
    List<LocalDate> out = new ArrayList<>();
    for (LocalDate d = from; d != null && !d.isAfter(today); d = d.plusDays(1)) {
      out.add(d);
    }
    return out;
  }

  /** ISO-8601 UTC with microseconds, the {@code window_end} spelling. */
  public static String formatInstant(Instant t) {
    return WINDOW.format(t.truncatedTo(ChronoUnit.MICROS));
  }

  /**
   * Checks the rules a root must satisfy on its own: an empty day carries the empty-epoch root of
   * its previous root (or the empty-tree hash on a first day) and no leaf range; a non-empty day
   * has both range ids. Returns null when it holds, else the reason.
   */
  public static String checkShape(DailyRoot r) {
    if (r.leafCount() == 0) {
      String expected = r.prevRootHash() == null ? DailyRoot.EMPTY_TREE_ROOT
          : DailyRoot.emptyEpochRoot(r.prevRootHash());
      if (!expected.equals(r.rootHash())) {
        return "empty day does not carry the empty-epoch root of its previous root";
      }
      if (r.leafRangeStartId() != null || r.leafRangeEndId() != null) {
        return "empty day has a leaf range";
      }
      return null;
    }
    if (r.leafRangeStartId() == null || r.leafRangeEndId() == null) {
      return "non-empty day without leaf range";
    }
    return null;
  }

  /**
   * Checks that {@code root} links to {@code previous}: same tenant, the previous UTC day, and
   * {@code prev_root_hash} equal to the previous root's hash. Returns null when it holds.
   */
  public static String checkLink(DailyRoot root, DailyRoot previous) {
    if (!root.tenantId().equals(previous.tenantId())) {
      return "previous root belongs to another tenant";
    }
    if (!LocalDate.parse(root.rootDate()).minusDays(1).toString().equals(previous.rootDate())) {
      return "previous root is not of the previous day";
    }
    if (!previous.rootHash().equals(root.prevRootHash())) {
      return "prev_root_hash does not equal the previous day's root_hash";
    }
    return null;
  }
}
