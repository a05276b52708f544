package dev.aegis.pipeline.rego.builtins;

import static dev.aegis.pipeline.rego.builtins.BuiltinCalls.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.rego.Value;
import org.junit.jupiter.api.Test;

/** Net, units, types, casts and crypto. */
class MiscBuiltinsTest {
  @Test
  void cidrContains() {
    assertThat(call("net.cidr_contains", s("10.0.0.0/8"), s("10.1.0.0/24"))).isEqualTo(Value.TRUE);
    assertThat(call("net.cidr_contains", s("10.0.0.0/8"), s("10.1.2.3"))).isEqualTo(Value.TRUE);
    assertThat(call("net.cidr_contains", s("10.0.0.0/8"), s("11.0.0.1"))).isEqualTo(Value.FALSE);
    assertThat(call("net.cidr_contains", s("10.0.0.0/24"), s("10.0.0.0/16"))).isEqualTo(Value.FALSE);
    assertThat(call("net.cidr_contains", s("2001:4860:4860::8888/32"),
        s("2001:4860:4860:1234:5678:1234:5678:8888/128"))).isEqualTo(Value.TRUE);
    assertThat(call("net.cidr_contains", s("2001:4860::/32"), s("2001:4861::1"))).isEqualTo(Value.FALSE);
    assertThat(call("net.cidr_contains", s("::ffff:0:0/96"), s("::ffff:1.2.3.4"))).isEqualTo(Value.TRUE);
    assertThat(call("net.cidr_contains", s("::ffff:0:0/96"), s("1.2.3.4"))).isEqualTo(Value.TRUE);
    assertThat(call("net.cidr_contains", s("10.0.0.0/8"), s("::ffff:10.1.1.1"))).isEqualTo(Value.TRUE);
    assertThat(call("net.cidr_contains", s("::/0"), s("1.2.3.4"))).isEqualTo(Value.FALSE);
    assertThat(error("net.cidr_contains", s("192.168.1.0/28"), s("not-a-cidr")).detail()).isEqualTo(
        "net.cidr_contains: not a valid textual representation of an IP address or CIDR: not-a-cidr");
    assertThat(error("net.cidr_contains", s("192.168.1.0"), s("1.1.1.1")).detail())
        .isEqualTo("net.cidr_contains: invalid CIDR address: 192.168.1.0");
  }

  @Test
  void cidrIntersectsAndIsValid() {
    assertThat(call("net.cidr_intersects", s("192.168.0.0/16"), s("192.168.1.0/24"))).isEqualTo(Value.TRUE);
    assertThat(call("net.cidr_intersects", s("192.168.0.0/24"), s("192.168.1.0/24"))).isEqualTo(Value.FALSE);
    assertThat(call("net.cidr_intersects", s("fd1e:5bfe:8af3:9ddc::/64"), s("fd1e:5bfe:8af3:9ddc:1111::/72")))
        .isEqualTo(Value.TRUE);
    assertThat(call("net.cidr_is_valid", s("10.0.0.0/8"))).isEqualTo(Value.TRUE);
    assertThat(call("net.cidr_is_valid", s("::/0"))).isEqualTo(Value.TRUE);
    assertThat(call("net.cidr_is_valid", s("10.0.0.0/33"))).isEqualTo(Value.FALSE);
    assertThat(call("net.cidr_is_valid", s("010.0.0.0/8"))).isEqualTo(Value.FALSE);
    assertThat(call("net.cidr_is_valid", s("1::2::3/64"))).isEqualTo(Value.FALSE);
    assertThat(call("net.cidr_is_valid", n(1))).isEqualTo(Value.FALSE);
  }

  @Test
  void unitsParseBytes() {
    assertThat(call("units.parse_bytes", s("\"100TIB\""))).isEqualTo(n(109951162777600L));
    assertThat(call("units.parse_bytes", s("1.1KiB"))).isEqualTo(n(1126));
    assertThat(call("units.parse_bytes", s(".5KB"))).isEqualTo(n(500));
    assertThat(call("units.parse_bytes", s("1e3KB"))).isEqualTo(n(1000000));
    assertThat(call("units.parse_bytes", s("10EiB"))).isEqualTo(num("11529215046068469760"));
    assertThat(call("units.parse_bytes", s("5E"))).isNotEqualTo(n(5));
    assertThat(error("units.parse_bytes", s("")).detail()).isEqualTo("units.parse_bytes: no byte amount provided");
    assertThat(error("units.parse_bytes", s("GB")).detail()).isEqualTo("units.parse_bytes: no byte amount provided");
    assertThat(error("units.parse_bytes", s("0.0.0")).detail())
        .isEqualTo("units.parse_bytes: could not parse byte amount to a number");
    assertThat(error("units.parse_bytes", s("100 kb")).detail())
        .isEqualTo("units.parse_bytes: spaces not allowed in resource strings");
    assertThat(error("units.parse_bytes", s("10e10000000EiB")).detail())
        .isEqualTo("units.parse_bytes: exponent too large");
    assertThat(error("units.parse_bytes", s("10xb")).detail()).isEqualTo("units.parse_bytes: byte unit xb not recognized");
  }

  @Test
  void unitsParse() {
    assertThat(call("units.parse", s("1G"))).isEqualTo(n(1000000000));
    assertThat(call("json.marshal", call("units.parse", s("1G")))).isEqualTo(s("1000000000"));
    assertThat(call("units.parse", s("10Ki"))).isEqualTo(n(10240));
    assertThat(call("units.parse", s("100m"))).isEqualTo(num("0.1"));
    assertThat(call("units.parse", s("1M"))).isEqualTo(n(1000000));
    assertThat(error("units.parse", s("1x")).detail()).isEqualTo("units.parse: unit x not recognized");
  }

  @Test
  void typesAndCasts() {
    assertThat(call("is_number", n(1))).isEqualTo(Value.TRUE);
    assertThat(call("is_null", Value.TRUE)).isEqualTo(Value.FALSE);
    assertThat(call("is_set", set(n(1)))).isEqualTo(Value.TRUE);
    assertThat(call("is_object", j("{}"))).isEqualTo(Value.TRUE);
    assertThat(call("is_array", j("{}"))).isEqualTo(Value.FALSE);
    assertThat(call("type_name", set())).isEqualTo(s("set"));
    assertThat(call("type_name", Value.NULL)).isEqualTo(s("null"));
    assertThat(call("to_number", s("3"))).isEqualTo(n(3));
    assertThat(call("to_number", s("-1.5e2"))).isEqualTo(n(-150));
    assertThat(call("to_number", Value.TRUE)).isEqualTo(n(1));
    assertThat(call("to_number", Value.NULL)).isEqualTo(n(0));
    assertThat(error("to_number", s("nan")).code()).isEqualTo("eval_type_error");
    assertThat(error("to_number", s("-Infinity")).detail())
        .isEqualTo("to_number: operand 1 must be valid number string but got string");
    assertThat(error("to_number", s("abc")).code()).isEqualTo("eval_builtin_error");
    assertThat(error("to_number", j("[]")).detail())
        .isEqualTo("to_number: operand 1 must be one of {null, boolean, number, string} but got array");
  }

  @Test
  void hashes() {
    assertThat(call("crypto.sha256", s("hello")))
        .isEqualTo(s("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
    assertThat(call("crypto.md5", s("hello"))).isEqualTo(s("5d41402abc4b2a76b9719d911017c592"));
    assertThat(call("crypto.sha1", s("hello"))).isEqualTo(s("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"));
  }
}
