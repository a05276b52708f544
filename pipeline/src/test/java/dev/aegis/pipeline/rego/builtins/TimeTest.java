package dev.aegis.pipeline.rego.builtins;

import static dev.aegis.pipeline.rego.builtins.BuiltinCalls.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.rego.Value;
import org.junit.jupiter.api.Test;

class TimeTest {
  @Test
  void nowIsTheFrozenClock() {
    assertThat(call("time.now_ns")).isEqualTo(n(NOW));
  }

  @Test
  void parseRfc3339AtTheInt64Edges() {
    assertThat(call("time.parse_rfc3339_ns", s("1677-09-21T00:12:43.145224192-00:00")))
        .isEqualTo(n(Long.MIN_VALUE));
    assertThat(call("time.parse_rfc3339_ns", s("2262-04-11T23:47:16.854775807-00:00")))
        .isEqualTo(n(Long.MAX_VALUE));
    assertThat(call("time.parse_rfc3339_ns", s("2017-06-02T19:00:00-07:00")))
        .isEqualTo(n(1496455200000000000L));
    assertThat(call("time.parse_rfc3339_ns", s("1970-01-01T00:00:00Z"))).isEqualTo(n(0));
    assertThat(error("time.parse_rfc3339_ns", s("1677-09-21T00:12:43.145224191-00:00")).detail())
        .isEqualTo("time.parse_rfc3339_ns: time outside of valid range");
    assertThat(error("time.parse_rfc3339_ns", s("2262-04-11T23:47:16.854775808-00:00")).detail())
        .isEqualTo("time.parse_rfc3339_ns: time outside of valid range");
    assertThat(error("time.parse_rfc3339_ns", s("2017-13-02T19:00:00Z")).detail())
        .isEqualTo("time.parse_rfc3339_ns: parsing time \"2017-13-02T19:00:00Z\": month out of range");
  }

  @Test
  void parseWithGoLayouts() {
    assertThat(call("time.parse_ns", s("2006-01-02"), s("2020-02-02"))).isEqualTo(n(1580601600000000000L));
    assertThat(call("time.parse_ns", s("RFC822"), s("02 Jan 21 15:04 UTC"))).isEqualTo(n(1609599840000000000L));
    assertThat(call("time.parse_ns", s("Jan _2 2006 3:04PM"), s("Feb  3 2021 1:05PM")))
        .isEqualTo(n(1612357500000000000L));
    assertThat(call("time.parse_ns", s("2006-01-02 15:04:05.000 -0700"), s("2021-01-01 10:00:00.250 +0200")))
        .isEqualTo(n(1609488000250000000L));
    assertThat(call("time.parse_rfc3339_ns", s("1970-01-01T00:00:01.0000000019Z"))).isEqualTo(n(1000000001));
    assertThat(call("time.parse_ns", s("RFC3339Nano"), s("1970-01-01T00:00:00.123456789123Z")))
        .isEqualTo(n(123456789));
    assertThat(call("time.parse_ns", s("2006-01-02 15:04"), s("2021-01-01   10:00"))).isEqualTo(n(1609495200000000000L));
    assertThat(error("time.parse_ns", s("2006-01-02"), s("2021/01/01")).detail())
        .isEqualTo("time.parse_ns: parsing time \"2021/01/01\" as \"2006-01-02\": cannot parse \"/01/01\" as \"-\"");
    assertThat(error("time.parse_ns", s("2006-01-02"), s("2021-01-01x")).detail())
        .isEqualTo("time.parse_ns: parsing time \"2021-01-01x\": extra text: \"x\"");
    assertThat(error("time.parse_ns", s("2006-01-02"), s("2020-02-30")).detail())
        .isEqualTo("time.parse_ns: parsing time \"2020-02-30\": day out of range");
    assertThat(error("time.parse_ns", s("2006-01-02"), s("20-02-03")).detail())
        .isEqualTo("time.parse_ns: parsing time \"20-02-03\" as \"2006-01-02\": cannot parse \"20-02-03\" as \"2006\"");
  }

  @Test
  void durations() {
    assertThat(call("time.parse_duration_ns", s("100ms"))).isEqualTo(n(100000000));
    assertThat(call("time.parse_duration_ns", s("1h30m"))).isEqualTo(n(5400000000000L));
    assertThat(call("time.parse_duration_ns", s("-1.5s"))).isEqualTo(n(-1500000000));
    assertThat(call("time.parse_duration_ns", s("2µs"))).isEqualTo(n(2000));
    assertThat(error("time.parse_duration_ns", s("1")).detail())
        .isEqualTo("time.parse_duration_ns: time: missing unit in duration \"1\"");
    assertThat(error("time.parse_duration_ns", s("1x")).detail())
        .isEqualTo("time.parse_duration_ns: time: unknown unit \"x\" in duration \"1x\"");
    assertThat(error("time.parse_duration_ns", s("abc")).detail())
        .isEqualTo("time.parse_duration_ns: time: invalid duration \"abc\"");
  }

  @Test
  void calendarParts() {
    assertThat(rego(call("time.clock", n(1582977600L * 1_000_000_000L)))).isEqualTo("[12, 0, 0]");
    assertThat(rego(call("time.date", n(1582977600L * 1_000_000_000L)))).isEqualTo("[2020, 2, 29]");
    assertThat(call("time.weekday", n(1518177600000000000L))).isEqualTo(s("Friday"));
    assertThat(rego(call("time.clock", j("[0, \"Asia/Shanghai\"]")))).isEqualTo("[8, 0, 0]");
    assertThat(error("time.clock", j("[0, \"Mars/Base\"]")).detail())
        .isEqualTo("time.clock: unknown time zone Mars/Base");
    assertThat(error("time.date", s("x")).detail())
        .isEqualTo("time.date: operand 1 must be either number (ns) or [number (ns), string (tz)] but got string");
  }

  @Test
  void addDateNormalisesLikeGo() {
    long jan31 = 1612051200000000000L; // 2021-01-31T00:00:00Z
    assertThat(call("time.add_date", n(jan31), n(0), n(1), n(0))).isEqualTo(n(1614729600000000000L)); // 2021-03-03
    assertThat(call("time.add_date", n(0), n(1), n(0), n(-1))).isEqualTo(n(31449600000000000L)); // 1970-12-31
    assertThat(error("time.add_date", n(0), n(400), n(0), n(0)).detail())
        .isEqualTo("time.add_date: time outside of valid range");
  }

  @Test
  void diff() {
    long a = 1580601600000000000L; // 2020-02-02
    long b = 1583020800000000000L; // 2020-03-01
    assertThat(rego(call("time.diff", n(a), n(b)))).isEqualTo("[0, 0, 28, 0, 0, 0]");
    assertThat(rego(call("time.diff", n(NOW + 61_000_000_000L), n(NOW)))).isEqualTo("[0, 0, 0, 0, 1, 1]");
    assertThat(rego(call("time.diff", Value.ArrV.of(n(NOW + 60_000_000_000L), s("UTC")),
        Value.ArrV.of(n(NOW), s("Asia/Shanghai"))))).isEqualTo("[0, 0, 0, 0, 1, 0]");
  }

  @Test
  void format() {
    assertThat(call("time.format", n(1609459200123000000L))).isEqualTo(s("2021-01-01T00:00:00.123Z"));
    assertThat(call("time.format", j("[1609459200000000000, \"Asia/Shanghai\"]")))
        .isEqualTo(s("2021-01-01T08:00:00+08:00"));
    assertThat(call("time.format", j("[1609459200000000000, \"UTC\", \"Mon Jan _2 15:04:05 MST 2006\"]")))
        .isEqualTo(s("Fri Jan  1 00:00:00 UTC 2021"));
    assertThat(call("time.format", j("[1609459200000000000, \"UTC\", \"RFC1123Z\"]")))
        .isEqualTo(s("Fri, 01 Jan 2021 00:00:00 +0000"));
    assertThat(call("time.format", j("[1609502400000000000, \"\", \"3:04pm 002 06\"]")))
        .isEqualTo(s("12:00pm 001 21"));
  }
}
