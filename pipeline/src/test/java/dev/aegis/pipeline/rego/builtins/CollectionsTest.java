package dev.aegis.pipeline.rego.builtins;

import static dev.aegis.pipeline.rego.builtins.BuiltinCalls.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.rego.Value;
import org.junit.jupiter.api.Test;

/** Comparison, sets, membership, aggregates and arrays. */
class CollectionsTest {
  @Test
  void comparisonsUseTheTotalOrder() {
    assertThat(call("equal", n(1), num("1.0"))).isEqualTo(Value.TRUE);
    assertThat(call("neq", n(1), s("1"))).isEqualTo(Value.TRUE);
    assertThat(call("lt", Value.NULL, Value.FALSE)).isEqualTo(Value.TRUE);
    assertThat(call("lt", n(3), num("3.5"))).isEqualTo(Value.TRUE);
    assertThat(call("gt", j("[1,2]"), j("[1]"))).isEqualTo(Value.TRUE);
    assertThat(call("gte", s("b"), s("a"))).isEqualTo(Value.TRUE);
    assertThat(call("lte", j("{}"), j("[]"))).isEqualTo(Value.FALSE);
  }

  @Test
  void setOperators() {
    assertThat(rego(call("and", set(n(1), n(2)), set(n(2), n(3))))).isEqualTo("{2}");
    assertThat(rego(call("or", set(n(1), n(2)), set(n(2), n(3))))).isEqualTo("{1, 2, 3}");
    assertThat(rego(call("intersection", set(set(n(1), n(2)), set(n(2), n(3)))))).isEqualTo("{2}");
    assertThat(rego(call("intersection", set()))).isEqualTo("set()");
    assertThat(rego(call("union", set(set(n(1)), set(n(2)))))).isEqualTo("{1, 2}");
    assertThat(error("and", set(), j("[]")).detail())
        .isEqualTo("and: operand 2 must be set but got array");
    assertThat(error("union", set(n(1))).detail())
        .isEqualTo("union: operand 1 must be set but got number");
  }

  @Test
  void membership() {
    assertThat(call("internal.member_2", n(2), j("[1,2]"))).isEqualTo(Value.TRUE);
    assertThat(call("internal.member_2", n(3), j("[1,2]"))).isEqualTo(Value.FALSE);
    assertThat(call("internal.member_2", s("v"), j("{\"k\":\"v\"}"))).isEqualTo(Value.TRUE);
    assertThat(call("internal.member_2", s("k"), j("{\"k\":\"v\"}"))).isEqualTo(Value.FALSE);
    assertThat(call("internal.member_2", n(1), set(n(1)))).isEqualTo(Value.TRUE);
    assertThat(call("internal.member_2", n(1), s("1"))).isEqualTo(Value.FALSE);
    assertThat(call("internal.member_3", n(1), s("b"), j("[\"a\",\"b\"]"))).isEqualTo(Value.TRUE);
    assertThat(call("internal.member_3", n(5), s("b"), j("[\"a\",\"b\"]"))).isEqualTo(Value.FALSE);
    assertThat(call("internal.member_3", s("k"), s("v"), j("{\"k\":\"v\"}"))).isEqualTo(Value.TRUE);
    assertThat(call("internal.member_3", n(1), n(1), set(n(1)))).isEqualTo(Value.TRUE);
  }

  @Test
  void aggregates() {
    assertThat(call("count", s("héllo"))).isEqualTo(n(5));
    assertThat(call("count", j("{\"a\":1}"))).isEqualTo(n(1));
    assertThat(error("count", n(1)).detail())
        .isEqualTo("count: operand 1 must be one of {array, object, set, string} but got number");
    assertThat(call("sum", j("[1,2,3.5]"))).isEqualTo(num("6.5"));
    assertThat(rego(call("sum", j("[9223372036854775807, 1]")))).isEqualTo("9223372036854775808");
    assertThat(call("product", set(n(2), n(3), n(4)))).isEqualTo(n(24));
    assertThat(error("sum", j("[1,\"a\"]")).detail())
        .isEqualTo("sum: operand 1 must be array of numbers but got array containing string");
    assertThat(error("product", j("{}")).detail())
        .isEqualTo("product: operand 1 must be one of {set, array} but got object");
    assertThat(call("max", j("[1, \"a\", null]"))).isEqualTo(s("a"));
    assertThat(call("min", set(n(3), n(1)))).isEqualTo(n(1));
    assertThat(call("max", j("[]"))).isNull();
    assertThat(rego(call("sort", j("[3, \"a\", 1, null]")))).isEqualTo("[null, 1, 3, \"a\"]");
    assertThat(call("any", j("[false, true]"))).isEqualTo(Value.TRUE);
    assertThat(call("all", j("[]"))).isEqualTo(Value.TRUE);
    assertThat(call("all", set(Value.TRUE, n(1)))).isEqualTo(Value.FALSE);
    assertThat(error("any", n(1)).detail())
        .isEqualTo("any: operand 1 must be one of {array, set} but got number");
  }

  @Test
  void arrays() {
    assertThat(rego(call("array.concat", j("[1]"), j("[2,3]")))).isEqualTo("[1, 2, 3]");
    assertThat(error("array.concat", j("[]"), j("{}")).detail())
        .isEqualTo("array.concat: operand 2 must be array but got object");
    assertThat(rego(call("array.slice", j("[1,2,3,4]"), n(1), n(3)))).isEqualTo("[2, 3]");
    assertThat(rego(call("array.slice", j("[1,2,3,4]"), n(-5), n(99)))).isEqualTo("[1, 2, 3, 4]");
    assertThat(rego(call("array.slice", j("[1,2,3,4]"), n(3), n(1)))).isEqualTo("[]");
    assertThat(rego(call("array.reverse", j("[1,2,3]")))).isEqualTo("[3, 2, 1]");
    assertThat(rego(call("array.flatten", j("[[[1], [2, 3, []]], [[4, 5]], 6]"))))
        .isEqualTo("[[1], [2, 3, []], [4, 5], 6]");
    assertThat(error("array.flatten", n(42)).detail())
        .isEqualTo("array.flatten: operand 1 must be array but got number");
  }
}
