package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.RegoError;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.StrV;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Time functions on nanoseconds since the epoch, as Go's time package computes them:
 * {@code time.now_ns time.parse_ns time.parse_rfc3339_ns time.parse_duration_ns time.date
 * time.clock time.weekday time.add_date time.diff time.format}. A time argument is a number or
 * {@code [ns, tz]} ({@code [ns, tz, layout]} for {@code time.format}); results outside the int64
 * range fail with "time outside of valid range".
 */
final class Time {
  private static final Map<String, String> LAYOUTS = Map.of(
      "ANSIC", "Mon Jan _2 15:04:05 2006",
      "UnixDate", "Mon Jan _2 15:04:05 MST 2006",
      "RubyDate", "Mon Jan 02 15:04:05 -0700 2006",
      "RFC822", "02 Jan 06 15:04 MST",
      "RFC822Z", "02 Jan 06 15:04 -0700",
      "RFC850", "Monday, 02-Jan-06 15:04:05 MST",
      "RFC1123", "Mon, 02 Jan 2006 15:04:05 MST",
      "RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700",
      "RFC3339", GoTime.RFC3339,
      "RFC3339Nano", GoTime.RFC3339_NANO);
  private static final Map<String, ZoneId> ZONES = new ConcurrentHashMap<>();
  private static final BigInteger BILLION = BigInteger.valueOf(1_000_000_000L);
  private static final BigInteger MIN_NS = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger MAX_NS = BigInteger.valueOf(Long.MAX_VALUE);

  private Time() {
  }

  /** A time argument: the instant in its zone, and the layout when one was given. */
  record ZonedArg(ZonedDateTime time, String layout) {
  }

  static void register(Builtins.Registrar r) {
    r.add("time.now_ns", 0, (ctx, a) -> NumV.of(ctx.nowNs()));
    r.add("time.parse_ns", 2, (ctx, a) -> {
      String layout = Args.str("time.parse_ns", a, 0);
      String value = Args.str("time.parse_ns", a, 1);
      return parse("time.parse_ns", LAYOUTS.getOrDefault(layout, layout), value);
    });
    r.add("time.parse_rfc3339_ns", 1, (ctx, a) ->
        parse("time.parse_rfc3339_ns", GoTime.RFC3339, Args.str("time.parse_rfc3339_ns", a, 0)));
    r.add("time.parse_duration_ns", 1, (ctx, a) ->
        NumV.of(parseDuration(Args.str("time.parse_duration_ns", a, 0))));
    r.add("time.date", 1, (ctx, a) -> {
      ZonedDateTime t = zoned("time.date", a[0]).time();
      return Value.ArrV.of(NumV.of(t.getYear()), NumV.of(t.getMonthValue()),
          NumV.of(t.getDayOfMonth()));
    });
    r.add("time.clock", 1, (ctx, a) -> {
      ZonedDateTime t = zoned("time.clock", a[0]).time();
      return Value.ArrV.of(NumV.of(t.getHour()), NumV.of(t.getMinute()), NumV.of(t.getSecond()));
    });
    r.add("time.weekday", 1, (ctx, a) -> {
      ZonedDateTime t = zoned("time.weekday", a[0]).time();
      String[] days = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
          "Sunday"};
      return Args.s(days[t.getDayOfWeek().getValue() - 1]);
    });
    r.add("time.add_date", 4, (ctx, a) -> {
      ZonedDateTime t = zoned("time.add_date", a[0]).time();
      int years = Args.integer("time.add_date", a, 1);
      int months = Args.integer("time.add_date", a, 2);
      int days = Args.integer("time.add_date", a, 3);
      return addDate("time.add_date", t, years, months, days);
    });
    r.add("time.diff", 2, (ctx, a) -> diff(zoned("time.diff", a[0]).time(),
        zoned("time.diff", a[1]).time()));
    r.add("time.format", 1, (ctx, a) -> {
      ZonedArg z = zoned("time.format", a[0]);
      String layout = z.layout() == null || z.layout().isEmpty() ? GoTime.RFC3339_NANO
          : LAYOUTS.getOrDefault(z.layout(), z.layout());
      return Args.s(GoTime.format(z.time(), layout));
    });
  }

  private static Value parse(String name, String layout, String value) {
    long[] t;
    try {
      t = GoTime.parse(layout, value);
    } catch (GoTime.ParseException e) {
      throw BuiltinError.builtin(name, e.getMessage());
    } catch (DateTimeException e) {
      throw BuiltinError.builtin(name, "time outside of valid range");
    }
    return nanos(name, t[0], t[1]);
  }

  /** epoch seconds + nanos as a number, or the range error. */
  static Value nanos(String name, long epochSecond, long nano) {
    BigInteger ns = BigInteger.valueOf(epochSecond).multiply(BILLION).add(BigInteger.valueOf(nano));
    if (ns.compareTo(MIN_NS) < 0 || ns.compareTo(MAX_NS) > 0) {
      throw BuiltinError.builtin(name, "time outside of valid range");
    }
    return NumV.of(ns.longValue());
  }

  static ZonedArg zoned(String name, Value v) {
    Value n = v;
    ZoneId zone = ZoneOffset.UTC;
    String layout = null;
    if (v instanceof ArrV arr) {
      if (arr.size() == 0) {
        throw BuiltinError.operand(name, 1, "either number (ns) or [number (ns), string (tz)]", v);
      }
      n = arr.get(0);
      if (!(n instanceof NumV)) {
        throw BuiltinError.operand(name, 1, "number", n);
      }
      if (arr.size() > 1) {
        if (!(arr.get(1) instanceof StrV tz)) {
          throw BuiltinError.operand(name, 1, "string", arr.get(1));
        }
        zone = zone(name, tz.value());
      }
      if (arr.size() > 2) {
        if (!(arr.get(2) instanceof StrV l)) {
          throw BuiltinError.operand(name, 1, "string", arr.get(2));
        }
        layout = l.value();
      }
    } else if (!(v instanceof NumV)) {
      throw BuiltinError.operand(name, 1, "either number (ns) or [number (ns), string (tz)]", v);
    }
    Long ns = Args.longExact((NumV) n);
    if (ns == null) {
      throw BuiltinError.builtin(name, "timestamp too big");
    }
    Instant i = Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L),
        Math.floorMod(ns, 1_000_000_000L));
    return new ZonedArg(ZonedDateTime.ofInstant(i, zone), layout);
  }

  private static ZoneId zone(String name, String tz) {
    switch (tz) {
      case "", "UTC" -> {
        return ZoneOffset.UTC;
      }
      case "Local" -> {
        return ZoneId.systemDefault();
      }
      default -> {
        ZoneId z = ZONES.get(tz);
        if (z != null) {
          return z;
        }
        try {
          z = ZoneId.of(tz);
        } catch (DateTimeException e) {
          throw BuiltinError.builtin(name, "unknown time zone " + tz);
        }
        ZONES.putIfAbsent(tz, z);
        return z;
      }
    }
  }

  /** Go's AddDate: the date is normalised (Jan 31 + 1 month is Mar 3 or 2), the clock kept. */
  static Value addDate(String name, ZonedDateTime t, int years, int months, int days) {
    try {
      long totalMonths = (long) t.getYear() * 12 + (t.getMonthValue() - 1) + (long) years * 12
          + months;
      int y = (int) Math.floorDiv(totalMonths, 12L);
      int m = (int) Math.floorMod(totalMonths, 12L) + 1;
      LocalDate d = LocalDate.of(y, m, 1).plusDays((long) t.getDayOfMonth() - 1 + days);
      ZonedDateTime out = ZonedDateTime.of(d, t.toLocalTime(), t.getZone());
      return nanos(name, out.toEpochSecond(), out.getNano());
    } catch (DateTimeException | ArithmeticException e) {
      throw BuiltinError.builtin(name, "time outside of valid range");
    }
  }

  /** OPA's time.diff: [years, months, days, hours, minutes, seconds] between two times. */
  static Value diff(ZonedDateTime t1, ZonedDateTime t2) {
    if (!t1.getZone().equals(t2.getZone())) {
      t2 = t2.withZoneSameInstant(t1.getZone());
    }
    if (t1.isAfter(t2)) {
      ZonedDateTime x = t1;
      t1 = t2;
      t2 = x;
    }
    int year = t2.getYear() - t1.getYear();
    int month = t2.getMonthValue() - t1.getMonthValue();
    int day = t2.getDayOfMonth() - t1.getDayOfMonth();
    int hour = t2.getHour() - t1.getHour();
    int min = t2.getMinute() - t1.getMinute();
    int sec = t2.getSecond() - t1.getSecond();
    if (sec < 0) {
      sec += 60;
      min--;
    }
    if (min < 0) {
      min += 60;
      hour--;
    }
    if (hour < 0) {
      hour += 24;
      day--;
    }
    if (day < 0) {
      // days in t1's month: Go's Date(y1, M1, 32) normalises into the next month
      int len = java.time.YearMonth.of(t1.getYear(), t1.getMonthValue()).lengthOfMonth();
      int normalisedDay = 32 - len;
      day += 32 - normalisedDay;
      month--;
    }
    if (month < 0) {
      month += 12;
      year--;
    }
    return Value.ArrV.of(NumV.of(year), NumV.of(month), NumV.of(day), NumV.of(hour),
        NumV.of(min), NumV.of(sec));
  }

  // ------------------------------------------------------------------ durations

  private static RegoError badDuration(String s) {
    return BuiltinError.builtin("time.parse_duration_ns", "time: invalid duration "
        + GoFmt.quote(s, false));
  }

  /** Go's time.ParseDuration. */
  static long parseDuration(String orig) {
    String s = orig;
    boolean neg = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      neg = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return 0;
    }
    if (s.isEmpty()) {
      throw badDuration(orig);
    }
    BigDecimal total = BigDecimal.ZERO;
    while (!s.isEmpty()) {
      int i = 0;
      while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
      }
      int intEnd = i;
      boolean dot = i < s.length() && s.charAt(i) == '.';
      if (dot) {
        i++;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
          i++;
        }
      }
      if (intEnd == 0 && (!dot || i == 1)) {
        throw badDuration(orig);
      }
      String number = s.substring(0, i);
      int u = i;
      while (u < s.length() && s.charAt(u) != '.' && (s.charAt(u) < '0' || s.charAt(u) > '9')) {
        u++;
      }
      if (u == i) {
        throw BuiltinError.builtin("time.parse_duration_ns", "time: missing unit in duration "
            + GoFmt.quote(orig, false));
      }
      String unit = s.substring(i, u);
      long scale = switch (unit) {
        case "ns" -> 1L;
        case "us", "\u00b5s", "\u03bcs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "h" -> 3_600_000_000_000L;
        default -> throw BuiltinError.builtin("time.parse_duration_ns", "time: unknown unit "
            + GoFmt.quote(unit, false) + " in duration " + GoFmt.quote(orig, false));
      };
      String numText = number.endsWith(".") ? number.substring(0, number.length() - 1) : number;
      if (numText.startsWith(".")) {
        numText = "0" + numText;
      }
      total = total.add(new BigDecimal(numText).multiply(BigDecimal.valueOf(scale)));
      s = s.substring(u);
    }
    BigInteger ns = total.toBigInteger();
    if (neg) {
      ns = ns.negate();
    }
    if (ns.compareTo(MAX_NS) > 0 || ns.compareTo(MIN_NS) < 0) {
      throw badDuration(orig);
    }
    return ns.longValue();
  }
}
