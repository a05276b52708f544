package dev.aegis.pipeline.rego.builtins;

import static dev.aegis.pipeline.rego.builtins.BuiltinCalls.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.rego.Value;
import org.junit.jupiter.api.Test;

/** Built-ins beyond the core list: bits, semver, hmac, graph, urlquery objects, CIDR matches. */
class ExtrasTest {
  @Test
  void bits() {
    assertThat(call("bits.and", n(5), n(3))).isEqualTo(n(1));
    assertThat(call("bits.or", n(5), n(3))).isEqualTo(n(7));
    assertThat(call("bits.xor", n(5), n(3))).isEqualTo(n(6));
    assertThat(call("bits.negate", n(5))).isEqualTo(n(-6));
    assertThat(call("bits.lsh", n(1), n(70))).isEqualTo(num("1180591620717411303424"));
    assertThat(call("bits.rsh", n(-8), n(1))).isEqualTo(n(-4));
    assertThat(error("bits.lsh", n(1), n(-1)).detail())
        .isEqualTo("bits.lsh: operand 2 must be an unsigned integer number but got a negative integer");
    assertThat(error("bits.and", num("1.5"), n(1)).detail())
        .isEqualTo("bits.and: operand 1 must be integer number but got floating-point number");
  }

  @Test
  void semver() {
    assertThat(call("semver.is_valid", s("1.2.3-rc.1+build.5"))).isEqualTo(Value.TRUE);
    assertThat(call("semver.is_valid", s("v1.2.3"))).isEqualTo(Value.TRUE);
    assertThat(call("semver.is_valid", s("1.2"))).isEqualTo(Value.FALSE);
    assertThat(call("semver.is_valid", n(1))).isEqualTo(Value.FALSE);
    assertThat(call("semver.compare", s("1.0.0"), s("1.0.0-rc.1"))).isEqualTo(n(1));
    assertThat(call("semver.compare", s("1.0.0-alpha"), s("1.0.0-alpha.1"))).isEqualTo(n(-1));
    assertThat(call("semver.compare", s("1.0.0-alpha.1"), s("1.0.0-alpha.beta"))).isEqualTo(n(-1));
    assertThat(call("semver.compare", s("1.0.0-rc.11"), s("1.0.0-rc.2"))).isEqualTo(n(1));
    assertThat(call("semver.compare", s("2.0.0+a"), s("2.0.0+b"))).isEqualTo(n(0));
    assertThat(error("semver.compare", s("1.x"), s("1.0.0")).detail())
        .isEqualTo("semver.compare: operand 1: string 1.x is not a valid SemVer");
  }

  @Test
  void hmac() {
    assertThat(call("crypto.hmac.sha256", s("hello"), s("key")))
        .isEqualTo(s("9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b"));
    assertThat(call("crypto.hmac.md5", s("hello"), s("key"))).isEqualTo(s("04130747afca4d79e32e87cf2104f087"));
    assertThat(call("crypto.hmac.equal", s("abc"), s("abc"))).isEqualTo(Value.TRUE);
    assertThat(call("crypto.hmac.equal", s("abc"), s("abd"))).isEqualTo(Value.FALSE);
  }

  @Test
  void graphReachable() {
    Value g = j("{\"a\": [\"b\"], \"b\": [\"c\"], \"c\": [\"a\"], \"d\": [\"e\"], \"e\": []}");
    assertThat(rego(call("graph.reachable", g, j("[\"a\"]")))).isEqualTo("{\"a\", \"b\", \"c\"}");
    assertThat(rego(call("graph.reachable", g, set(s("d"), s("x"))))).isEqualTo("{\"d\", \"e\"}");
    assertThat(error("graph.reachable", g, s("a")).detail())
        .isEqualTo("graph.reachable: operand 2 must be one of {set, array} but got string");
  }

  @Test
  void urlqueryDecodeObject() {
    assertThat(rego(call("urlquery.decode_object", s("a=1&b=x+y&a=2&c"))))
        .isEqualTo("{\"a\": [\"1\", \"2\"], \"b\": [\"x y\"], \"c\": [\"\"]}");
    assertThat(error("urlquery.decode_object", s("a=%zz")).detail())
        .isEqualTo("urlquery.decode_object: invalid URL escape \"%zz\"");
  }

  @Test
  void cidrContainsMatches() {
    assertThat(rego(call("net.cidr_contains_matches", j("[\"1.1.1.0/24\", \"1.1.2.0/24\"]"),
        j("{\"x\": \"1.1.1.128\", \"y\": [\"1.1.254.1\", \"meta\"]}")))).isEqualTo("{[0, \"x\"]}");
    assertThat(rego(call("net.cidr_contains_matches", s("10.0.0.0/8"), set(s("10.1.1.1"), s("11.0.0.1")))))
        .isEqualTo("{[\"10.0.0.0/8\", \"10.1.1.1\"]}");
    assertThat(error("net.cidr_contains_matches", j("[1]"), s("1.1.1.1")).detail())
        .isEqualTo("net.cidr_contains_matches: operand 1: element must be string or non-empty array");
  }

  @Test
  void randIntnIsStableWithinAQuery() {
    dev.aegis.pipeline.rego.BuiltinContext ctx = new dev.aegis.pipeline.rego.BuiltinContext(NOW);
    dev.aegis.pipeline.rego.Builtin f = dev.aegis.pipeline.rego.Builtins.get("rand.intn").fn();
    Value first = f.call(ctx, new Value[] {s("k"), n(-1000)});
    assertThat(((Value.NumV) first).value().intValue()).isBetween(0, 999);
    for (int i = 0; i < 20; i++) {
      assertThat(f.call(ctx, new Value[] {s("k"), n(1000)})).isEqualTo(first);
    }
    assertThat(f.call(ctx, new Value[] {s("k"), n(0)})).isEqualTo(n(0));
  }
}
