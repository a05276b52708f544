package dev.aegis.pipeline.rego.builtins;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Go's reference-time layouts ({@code "2006-01-02T15:04:05Z07:00"}): formatting of a zoned time
 * and parsing into epoch seconds and nanoseconds, following {@code time.Format} and
 * {@code time.Parse} (a parsed time without a zone is UTC; an unknown zone abbreviation counts as
 * UTC).
 */
final class GoTime {
  static final String RFC3339 = "2006-01-02T15:04:05Z07:00";
  static final String RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00";

  private static final String[] LONG_MONTHS = {"January", "February", "March", "April", "May",
      "June", "July", "August", "September", "October", "November", "December"};
  private static final String[] LONG_DAYS = {"Sunday", "Monday", "Tuesday", "Wednesday",
      "Thursday", "Friday", "Saturday"};

  private GoTime() {
  }

  /** Layout element kinds. */
  enum Std {
    LITERAL, LONG_MONTH, MONTH, NUM_MONTH, ZERO_MONTH, LONG_WEEKDAY, WEEKDAY, DAY, UNDER_DAY,
    ZERO_DAY, UNDER_YEAR_DAY, ZERO_YEAR_DAY, HOUR, HOUR12, ZERO_HOUR12, MINUTE, ZERO_MINUTE,
    SECOND, ZERO_SECOND, LONG_YEAR, YEAR, PM, LOWER_PM, TZ, ISO_SECONDS_TZ, ISO_COLON_SECONDS_TZ,
    ISO_TZ, ISO_SHORT_TZ, ISO_COLON_TZ, NUM_SECONDS_TZ, NUM_TZ, NUM_SHORT_TZ, NUM_COLON_TZ,
    NUM_COLON_SECONDS_TZ, FRAC0, FRAC9
  }

  /** One layout element; {@code text} is the literal text or the layout chunk. */
  record Chunk(Std std, String text, int digits) {
  }

  /** Splits a layout like Go's nextStdChunk. */
  static List<Chunk> chunks(String layout) {
    List<Chunk> out = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    int i = 0;
    int n = layout.length();
    while (i < n) {
      Chunk c = stdAt(layout, i);
      if (c == null) {
        lit.append(layout.charAt(i));
        i++;
        continue;
      }
      if (lit.length() > 0) {
        out.add(new Chunk(Std.LITERAL, lit.toString(), 0));
        lit.setLength(0);
      }
      out.add(c);
      i += c.text().length();
    }
    if (lit.length() > 0) {
      out.add(new Chunk(Std.LITERAL, lit.toString(), 0));
    }
    return out;
  }

  private static boolean startsLower(String s, int i) {
    return i < s.length() && s.charAt(i) >= 'a' && s.charAt(i) <= 'z';
  }

  private static Chunk std(Std s, String layout, int i, int len) {
    return new Chunk(s, layout.substring(i, i + len), 0);
  }

  private static Chunk stdAt(String l, int i) {
    int n = l.length();
    char c = l.charAt(i);
    switch (c) {
      case 'J':
        if (l.startsWith("Jan", i)) {
          if (l.startsWith("January", i)) {
            return std(Std.LONG_MONTH, l, i, 7);
          }
          if (!startsLower(l, i + 3)) {
            return std(Std.MONTH, l, i, 3);
          }
        }
        return null;
      case 'M':
        if (l.startsWith("Mon", i)) {
          if (l.startsWith("Monday", i)) {
            return std(Std.LONG_WEEKDAY, l, i, 6);
          }
          if (!startsLower(l, i + 3)) {
            return std(Std.WEEKDAY, l, i, 3);
          }
        }
        if (l.startsWith("MST", i)) {
          return std(Std.TZ, l, i, 3);
        }
        return null;
      case '0':
        if (i + 1 < n && l.charAt(i + 1) >= '1' && l.charAt(i + 1) <= '6') {
          Std[] s = {Std.ZERO_MONTH, Std.ZERO_DAY, Std.ZERO_HOUR12, Std.ZERO_MINUTE,
              Std.ZERO_SECOND, Std.YEAR};
          return std(s[l.charAt(i + 1) - '1'], l, i, 2);
        }
        if (l.startsWith("002", i)) {
          return std(Std.ZERO_YEAR_DAY, l, i, 3);
        }
        return null;
      case '1':
        if (l.startsWith("15", i)) {
          return std(Std.HOUR, l, i, 2);
        }
        return std(Std.NUM_MONTH, l, i, 1);
      case '2':
        if (l.startsWith("2006", i)) {
          return std(Std.LONG_YEAR, l, i, 4);
        }
        return std(Std.DAY, l, i, 1);
      case '_':
        if (i + 1 < n && l.charAt(i + 1) == '2') {
          if (l.startsWith("2006", i + 1)) {
            return null; // a literal '_' followed by the year
          }
          return std(Std.UNDER_DAY, l, i, 2);
        }
        if (l.startsWith("__2", i)) {
          return std(Std.UNDER_YEAR_DAY, l, i, 3);
        }
        return null;
      case '3':
        return std(Std.HOUR12, l, i, 1);
      case '4':
        return std(Std.MINUTE, l, i, 1);
      case '5':
        return std(Std.SECOND, l, i, 1);
      case 'P':
        return l.startsWith("PM", i) ? std(Std.PM, l, i, 2) : null;
      case 'p':
        return l.startsWith("pm", i) ? std(Std.LOWER_PM, l, i, 2) : null;
      case '-':
        if (l.startsWith("-070000", i)) {
          return std(Std.NUM_SECONDS_TZ, l, i, 7);
        }
        if (l.startsWith("-07:00:00", i)) {
          return std(Std.NUM_COLON_SECONDS_TZ, l, i, 9);
        }
        if (l.startsWith("-0700", i)) {
          return std(Std.NUM_TZ, l, i, 5);
        }
        if (l.startsWith("-07:00", i)) {
          return std(Std.NUM_COLON_TZ, l, i, 6);
        }
        if (l.startsWith("-07", i)) {
          return std(Std.NUM_SHORT_TZ, l, i, 3);
        }
        return null;
      case 'Z':
        if (l.startsWith("Z070000", i)) {
          return std(Std.ISO_SECONDS_TZ, l, i, 7);
        }
        if (l.startsWith("Z07:00:00", i)) {
          return std(Std.ISO_COLON_SECONDS_TZ, l, i, 9);
        }
        if (l.startsWith("Z0700", i)) {
          return std(Std.ISO_TZ, l, i, 5);
        }
        if (l.startsWith("Z07:00", i)) {
          return std(Std.ISO_COLON_TZ, l, i, 6);
        }
        if (l.startsWith("Z07", i)) {
          return std(Std.ISO_SHORT_TZ, l, i, 3);
        }
        return null;
      case '.', ',':
        if (i + 1 < n && (l.charAt(i + 1) == '0' || l.charAt(i + 1) == '9')) {
          char ch = l.charAt(i + 1);
          int j = i + 1;
          while (j < n && l.charAt(j) == ch) {
            j++;
          }
          if (!(j < n && l.charAt(j) >= '0' && l.charAt(j) <= '9')) {
            return new Chunk(ch == '0' ? Std.FRAC0 : Std.FRAC9, l.substring(i, j), j - i - 1);
          }
        }
        return null;
      default:
        return null;
    }
  }

  // ------------------------------------------------------------------ format

  static String format(ZonedDateTime t, String layout) {
    StringBuilder sb = new StringBuilder();
    for (Chunk c : chunks(layout)) {
      int year = t.getYear();
      switch (c.std()) {
        case LITERAL -> sb.append(c.text());
        case YEAR -> pad(sb, Math.floorMod(year, 100), 2);
        case LONG_YEAR -> {
          if (year < 0) {
            sb.append('-');
          }
          pad(sb, Math.abs(year), 4);
        }
        case MONTH -> sb.append(LONG_MONTHS[t.getMonthValue() - 1], 0, 3);
        case LONG_MONTH -> sb.append(LONG_MONTHS[t.getMonthValue() - 1]);
        case NUM_MONTH -> sb.append(t.getMonthValue());
        case ZERO_MONTH -> pad(sb, t.getMonthValue(), 2);
        case WEEKDAY -> sb.append(dayName(t.getDayOfWeek()), 0, 3);
        case LONG_WEEKDAY -> sb.append(dayName(t.getDayOfWeek()));
        case DAY -> sb.append(t.getDayOfMonth());
        case UNDER_DAY -> {
          if (t.getDayOfMonth() < 10) {
            sb.append(' ');
          }
          sb.append(t.getDayOfMonth());
        }
        case ZERO_DAY -> pad(sb, t.getDayOfMonth(), 2);
        case UNDER_YEAR_DAY -> {
          String d = Integer.toString(t.getDayOfYear());
          sb.append(" ".repeat(3 - d.length())).append(d);
        }
        case ZERO_YEAR_DAY -> pad(sb, t.getDayOfYear(), 3);
        case HOUR -> pad(sb, t.getHour(), 2);
        case HOUR12 -> sb.append(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12);
        case ZERO_HOUR12 -> pad(sb, t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, 2);
        case MINUTE -> sb.append(t.getMinute());
        case ZERO_MINUTE -> pad(sb, t.getMinute(), 2);
        case SECOND -> sb.append(t.getSecond());
        case ZERO_SECOND -> pad(sb, t.getSecond(), 2);
        case PM -> sb.append(t.getHour() >= 12 ? "PM" : "AM");
        case LOWER_PM -> sb.append(t.getHour() >= 12 ? "pm" : "am");
        case TZ -> {
          String name = zoneAbbreviation(t);
          if (name != null) {
            sb.append(name);
          } else {
            offset(sb, t.getOffset().getTotalSeconds(), false, false, false);
          }
        }
        case ISO_TZ, ISO_SHORT_TZ, ISO_COLON_TZ, ISO_SECONDS_TZ, ISO_COLON_SECONDS_TZ,
            NUM_TZ, NUM_SHORT_TZ, NUM_COLON_TZ, NUM_SECONDS_TZ, NUM_COLON_SECONDS_TZ -> {
          int off = t.getOffset().getTotalSeconds();
          boolean iso = c.std().name().startsWith("ISO");
          if (iso && off == 0) {
            sb.append('Z');
          } else {
            boolean colon = c.std().name().contains("COLON");
            boolean secs = c.std().name().contains("SECONDS");
            boolean shortTz = c.std().name().contains("SHORT");
            offset(sb, off, colon, secs, shortTz);
          }
        }
        case FRAC0, FRAC9 -> {
          String frac = String.format("%09d", t.getNano()).substring(0, c.digits());
          if (c.std() == Std.FRAC9) {
            int e = frac.length();
            while (e > 0 && frac.charAt(e - 1) == '0') {
              e--;
            }
            if (e > 0) {
              sb.append(c.text().charAt(0)).append(frac, 0, e);
            }
          } else {
            sb.append(c.text().charAt(0)).append(frac);
          }
        }
        default -> sb.append(c.text());
      }
    }
    return sb.toString();
  }

  private static String dayName(DayOfWeek d) {
    return LONG_DAYS[d.getValue() % 7];
  }

  /** The zone's abbreviation (as Go's "MST"), or null when it has none. */
  static String zoneAbbreviation(ZonedDateTime t) {
    if (t.getZone() instanceof ZoneOffset o) {
      return o.getTotalSeconds() == 0 ? "UTC" : null;
    }
    String id = t.getZone().getId();
    if (id.equals("UTC") || id.equals("Etc/UTC")) {
      return "UTC";
    }
    String abbr = java.time.format.DateTimeFormatter.ofPattern("zzz", Locale.ROOT).format(t);
    return abbr.startsWith("GMT") && abbr.length() > 3 ? null : abbr;
  }

  private static void offset(StringBuilder sb, int off, boolean colon, boolean secs,
      boolean shortTz) {
    sb.append(off < 0 ? '-' : '+');
    int a = Math.abs(off);
    pad(sb, a / 3600, 2);
    if (!shortTz) {
      if (colon) {
        sb.append(':');
      }
      pad(sb, a / 60 % 60, 2);
    }
    if (secs) {
      if (colon) {
        sb.append(':');
      }
      pad(sb, a % 60, 2);
    }
  }

  private static void pad(StringBuilder sb, int v, int width) {
    String s = Integer.toString(v);
    for (int i = s.length(); i < width; i++) {
      sb.append('0');
    }
    sb.append(s);
  }

  // ------------------------------------------------------------------ parse

  /** A parse failure with Go's message. */
  static final class ParseException extends Exception {
    ParseException(String message) {
      super(message, null, false, false);
    }
  }

  /** Parses {@code value} with {@code layout}: {epochSecond, nano}. */
  static long[] parse(String layout, String value) throws ParseException {
    String orig = value;
    int year = 1;
    int month = -1;
    int day = -1;
    int yday = -1;
    int hour = 0;
    int min = 0;
    int sec = 0;
    int nsec = 0;
    boolean pm = false;
    boolean am = false;
    Integer zoneOffset = null;
    List<Chunk> chunks = chunks(layout);
    for (int ci = 0; ci < chunks.size(); ci++) {
      Chunk c = chunks.get(ci);
      if (c.std() == Std.LITERAL) {
        String lit = c.text();
        // Go skips matching spaces loosely: each run of spaces in the layout needs one or more
        int li = 0;
        int vi = 0;
        while (li < lit.length()) {
          if (lit.charAt(li) == ' ') {
            if (vi < value.length() && value.charAt(vi) != ' ') {
              throw err(orig, layout, value, lit);
            }
            while (li < lit.length() && lit.charAt(li) == ' ') {
              li++;
            }
            while (vi < value.length() && value.charAt(vi) == ' ') {
              vi++;
            }
            continue;
          }
          if (vi >= value.length() || value.charAt(vi) != lit.charAt(li)) {
            throw err(orig, layout, value, lit);
          }
          li++;
          vi++;
        }
        value = value.substring(vi);
        continue;
      }
      String hold = value;
      String elem = c.text();
      int[] out = new int[1];
      switch (c.std()) {
        case YEAR -> {
          if (value.length() < 2 || !digits(value, 2)) {
            throw err(orig, layout, hold, elem);
          }
          int y = Integer.parseInt(value.substring(0, 2));
          year = y >= 69 ? 1900 + y : 2000 + y;
          value = value.substring(2);
        }
        case LONG_YEAR -> {
          if (value.length() < 4 || !digits(value, 4)) {
            throw err(orig, layout, hold, elem);
          }
          year = Integer.parseInt(value.substring(0, 4));
          value = value.substring(4);
        }
        case MONTH, LONG_MONTH -> {
          int idx = lookup(value, LONG_MONTHS, c.std() == Std.MONTH, out);
          if (idx < 0) {
            throw err(orig, layout, hold, elem);
          }
          month = idx + 1;
          value = value.substring(out[0]);
        }
        case WEEKDAY, LONG_WEEKDAY -> {
          if (lookup(value, LONG_DAYS, c.std() == Std.WEEKDAY, out) < 0) {
            throw err(orig, layout, hold, elem);
          }
          value = value.substring(out[0]);
        }
        case NUM_MONTH, ZERO_MONTH -> {
          value = num(value, c.std() == Std.ZERO_MONTH, out, orig, layout, elem);
          month = out[0];
          if (month <= 0 || month > 12) {
            throw range(orig, layout, "month");
          }
        }
        case DAY, UNDER_DAY, ZERO_DAY -> {
          if (c.std() == Std.UNDER_DAY && value.startsWith(" ")) {
            value = value.substring(1);
          }
          value = num(value, c.std() == Std.ZERO_DAY, out, orig, layout, elem);
          day = out[0];
        }
        case UNDER_YEAR_DAY, ZERO_YEAR_DAY -> {
          for (int k = 0; k < 2 && c.std() == Std.UNDER_YEAR_DAY && value.startsWith(" "); k++) {
            value = value.substring(1);
          }
          int k = 0;
          int v = 0;
          while (k < 3 && k < value.length() && Character.isDigit(value.charAt(k))) {
            v = v * 10 + value.charAt(k) - '0';
            k++;
          }
          if (k == 0 || c.std() == Std.ZERO_YEAR_DAY && k != 3) {
            throw err(orig, layout, hold, elem);
          }
          yday = v;
          value = value.substring(k);
        }
        case HOUR -> {
          value = num(value, false, out, orig, layout, elem);
          hour = out[0];
          if (hour < 0 || hour >= 24) {
            throw range(orig, layout, "hour");
          }
        }
        case HOUR12, ZERO_HOUR12 -> {
          value = num(value, c.std() == Std.ZERO_HOUR12, out, orig, layout, elem);
          hour = out[0];
          if (hour < 0 || hour > 12) {
            throw range(orig, layout, "hour");
          }
        }
        case MINUTE, ZERO_MINUTE -> {
          value = num(value, c.std() == Std.ZERO_MINUTE, out, orig, layout, elem);
          min = out[0];
          if (min < 0 || min >= 60) {
            throw range(orig, layout, "minute");
          }
        }
        case SECOND, ZERO_SECOND -> {
          value = num(value, c.std() == Std.ZERO_SECOND, out, orig, layout, elem);
          sec = out[0];
          if (sec < 0 || sec >= 60) {
            throw range(orig, layout, "second");
          }
          // a fractional second in the value that the layout does not spell out
          if (value.length() >= 2 && (value.charAt(0) == '.' || value.charAt(0) == ',')
              && Character.isDigit(value.charAt(1))) {
            Chunk next = null;
            for (int k = ci + 1; k < chunks.size() && next == null; k++) {
              if (chunks.get(k).std() != Std.LITERAL) {
                next = chunks.get(k);
              }
            }
            if (next != null && (next.std() == Std.FRAC0 || next.std() == Std.FRAC9)) {
              break;
            }
            int k = 1;
            while (k < value.length() && Character.isDigit(value.charAt(k))) {
              k++;
            }
            nsec = frac(value.substring(1, k));
            value = value.substring(k);
          }
        }
        case PM, LOWER_PM -> {
          if (value.length() < 2) {
            throw err(orig, layout, hold, elem);
          }
          String p = value.substring(0, 2);
          String pmText = c.std() == Std.PM ? "PM" : "pm";
          String amText = c.std() == Std.PM ? "AM" : "am";
          if (p.equals(pmText)) {
            pm = true;
          } else if (p.equals(amText)) {
            am = true;
          } else {
            throw err(orig, layout, hold, elem);
          }
          value = value.substring(2);
        }
        case ISO_TZ, ISO_SHORT_TZ, ISO_COLON_TZ, ISO_SECONDS_TZ, ISO_COLON_SECONDS_TZ,
            NUM_TZ, NUM_SHORT_TZ, NUM_COLON_TZ, NUM_SECONDS_TZ, NUM_COLON_SECONDS_TZ -> {
          boolean iso = c.std().name().startsWith("ISO");
          if (iso && value.startsWith("Z")) {
            value = value.substring(1);
            zoneOffset = 0;
            break;
          }
          boolean colon = c.std().name().contains("COLON");
          boolean secs = c.std().name().contains("SECONDS");
          boolean shortTz = c.std().name().contains("SHORT");
          int need = 3 + (shortTz ? 0 : 2 + (colon ? 1 : 0)) + (secs ? 2 + (colon ? 1 : 0) : 0);
          if (value.length() < need || value.charAt(0) != '+' && value.charAt(0) != '-') {
            throw err(orig, layout, hold, elem);
          }
          String h = value.substring(1, 3);
          String m = "00";
          String s = "00";
          int p = 3;
          if (!shortTz) {
            if (colon) {
              if (value.charAt(p) != ':') {
                throw err(orig, layout, hold, elem);
              }
              p++;
            }
            m = value.substring(p, p + 2);
            p += 2;
          }
          if (secs) {
            if (colon) {
              if (value.charAt(p) != ':') {
                throw err(orig, layout, hold, elem);
              }
              p++;
            }
            s = value.substring(p, p + 2);
            p += 2;
          }
          if (!digits(h, 2) || !digits(m, 2) || !digits(s, 2)) {
            throw err(orig, layout, hold, elem);
          }
          int hh = Integer.parseInt(h);
          int mm = Integer.parseInt(m);
          int ss = Integer.parseInt(s);
          if (hh > 24 || mm > 60 || ss > 60) {
            throw range(orig, layout, "time zone offset");
          }
          int off = (hh * 60 + mm) * 60 + ss;
          zoneOffset = value.charAt(0) == '-' ? -off : off;
          value = value.substring(p);
        }
        case TZ -> {
          if (value.startsWith("UTC")) {
            zoneOffset = 0;
            value = value.substring(3);
            break;
          }
          int k = zoneNameLength(value);
          if (k <= 0) {
            throw err(orig, layout, hold, elem);
          }
          zoneOffset = 0;
          if (value.startsWith("GMT") && k > 3) {
            zoneOffset = Integer.parseInt(value.substring(3, k).replace("+", "")) * 3600;
          }
          value = value.substring(k);
        }
        case FRAC0 -> {
          int ndigit = 1 + c.digits();
          if (value.length() < ndigit || value.charAt(0) != c.text().charAt(0)
              || !digits(value.substring(1), c.digits())) {
            throw err(orig, layout, hold, elem);
          }
          nsec = frac(value.substring(1, ndigit));
          value = value.substring(ndigit);
        }
        case FRAC9 -> {
          if (value.length() < 2 || !(value.charAt(0) == '.' || value.charAt(0) == ',')
              || !Character.isDigit(value.charAt(1))) {
            break;
          }
          int k = 1;
          while (k < value.length() && value.charAt(k) >= '0' && value.charAt(k) <= '9') {
            k++;
          }
          nsec = frac(value.substring(1, k));
          value = value.substring(k);
        }
        default -> throw err(orig, layout, hold, elem);
      }
    }
    if (!value.isEmpty()) {
      throw new ParseException("parsing time " + GoFmt.quote(orig, false) + ": extra text: "
          + GoFmt.quote(value, false));
    }
    if (pm && hour < 12) {
      hour += 12;
    } else if (am && hour == 12) {
      hour = 0;
    }
    boolean leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    if (yday >= 0) {
      if (yday < 1 || yday > (leap ? 366 : 365)) {
        throw range(orig, layout, "day-of-year");
      }
      java.time.LocalDate d = java.time.LocalDate.ofYearDay(year, yday);
      if (month >= 0 && month != d.getMonthValue() || day >= 0 && day != d.getDayOfMonth()) {
        throw range(orig, layout, "day-of-year");
      }
      month = d.getMonthValue();
      day = d.getDayOfMonth();
    } else {
      if (month < 0) {
        month = 1;
      }
      if (day < 0) {
        day = 1;
      }
    }
    if (day < 1 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
      throw range(orig, layout, "day");
    }
    LocalDateTime ldt = LocalDateTime.of(year, month, day, hour, min, sec, nsec);
    long epoch = ldt.toEpochSecond(ZoneOffset.UTC) - (zoneOffset == null ? 0 : zoneOffset);
    return new long[] {epoch, nsec};
  }

  /** Go's parseTimeZone: the length of a zone abbreviation at the start of v, or -1. */
  private static int zoneNameLength(String v) {
    if (v.length() < 3) {
      return -1;
    }
    if (v.startsWith("ChST") || v.startsWith("MeST")) {
      return 4;
    }
    if (v.startsWith("GMT")) {
      int k = 3;
      if (k < v.length() && (v.charAt(k) == '+' || v.charAt(k) == '-')) {
        int d = k + 1;
        while (d < v.length() && Character.isDigit(v.charAt(d)) && v.charAt(d) <= '9') {
          d++;
        }
        if (d > k + 1) {
          k = d;
        }
      }
      return k;
    }
    if (v.charAt(0) == '+' || v.charAt(0) == '-') {
      int k = 1;
      while (k < v.length() && Character.isDigit(v.charAt(k)) && v.charAt(k) <= '9') {
        k++;
      }
      return k > 1 ? k : -1;
    }
    int upper = 0;
    while (upper < 6 && upper < v.length() && v.charAt(upper) >= 'A' && v.charAt(upper) <= 'Z') {
      upper++;
    }
    return switch (upper) {
      case 3 -> 3;
      case 4 -> v.charAt(3) == 'T' || v.startsWith("WITA") ? 4 : -1;
      case 5 -> v.charAt(4) == 'T' ? 5 : -1;
      default -> -1;
    };
  }

  private static int frac(String digits) {
    String d = digits.length() > 9 ? digits.substring(0, 9) : digits;
    StringBuilder sb = new StringBuilder(d);
    while (sb.length() < 9) {
      sb.append('0');
    }
    return Integer.parseInt(sb.toString());
  }

  private static boolean digits(String s, int n) {
    if (s.length() < n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** Go's getnum: one or two digits (exactly two when fixed). */
  private static String num(String v, boolean fixed, int[] out, String orig, String layout,
      String elem) throws ParseException {
    if (v.isEmpty() || !Character.isDigit(v.charAt(0)) || v.charAt(0) > '9') {
      throw err(orig, layout, v, elem);
    }
    if (v.length() < 2 || v.charAt(1) < '0' || v.charAt(1) > '9') {
      if (fixed) {
        throw err(orig, layout, v, elem);
      }
      out[0] = v.charAt(0) - '0';
      return v.substring(1);
    }
    out[0] = (v.charAt(0) - '0') * 10 + v.charAt(1) - '0';
    return v.substring(2);
  }

  private static int lookup(String v, String[] names, boolean shortNames, int[] len) {
    for (int i = 0; i < names.length; i++) {
      String name = shortNames ? names[i].substring(0, 3) : names[i];
      if (v.length() >= name.length() && v.substring(0, name.length()).equalsIgnoreCase(name)) {
        len[0] = name.length();
        return i;
      }
    }
    return -1;
  }

  private static ParseException err(String value, String layout, String valueElem,
      String layoutElem) {
    return new ParseException("parsing time " + GoFmt.quote(value, false) + " as "
        + GoFmt.quote(layout, false) + ": cannot parse " + GoFmt.quote(valueElem, false) + " as "
        + GoFmt.quote(layoutElem, false));
  }

  private static ParseException range(String value, String layout, String what) {
    return new ParseException("parsing time " + GoFmt.quote(value, false) + ": " + what
        + " out of range");
  }
}
