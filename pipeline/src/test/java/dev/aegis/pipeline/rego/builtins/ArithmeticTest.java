package dev.aegis.pipeline.rego.builtins;

import static dev.aegis.pipeline.rego.builtins.BuiltinCalls.*;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArithmeticTest {
  @Test
  void integerArithmeticIsExactAcrossTheWindow() {
    assertThat(rego(call("plus", n(2147483647), n(1)))).isEqualTo("2147483648");
    assertThat(rego(call("minus", n(-2147483648), n(1)))).isEqualTo("-2147483649");
    assertThat(rego(call("mul", n(2147483647), n(2147483647)))).isEqualTo("4611686014132420609");
    assertThat(rego(call("plus", num("9223372036854775807"), n(1))))
        .isEqualTo("9223372036854775808");
    assertThat(rego(call("plus", num("1e30"), n(1))))
        .isEqualTo("1000000000000000000000000000001");
    assertThat(rego(call("plus", num("10.00"), n(5)))).isEqualTo("15");
    assertThat(rego(call("mul", num("11529215046068469760"), n(2))))
        .isEqualTo("23058430092136939520");
    assertThat(rego(call("plus", num("0.1"), num("0.2")))).isEqualTo("0.3");
  }

  @Test
  void divisionIsExactOnlyWhenItDivides() {
    assertThat(rego(call("div", n(6), n(3)))).isEqualTo("2");
    assertThat(rego(call("div", n(-6), n(3)))).isEqualTo("-2");
    assertThat(rego(call("div", n(1), n(4)))).isEqualTo("0.25");
    assertThat(rego(call("div", n(0), n(5)))).isEqualTo("0");
    assertThat(rego(call("div", n(1), n(3)))).isEqualTo("0.33333333333333333334");
    assertThat(rego(call("div", n(2), n(3)))).isEqualTo("0.6666666666666666667");
    assertThat(error("div", n(1), n(0)).getMessage())
        .isEqualTo("eval_builtin_error: div: divide by zero");
    assertThat(error("div", n(1), num("0.0")).detail()).isEqualTo("div: divide by zero");
  }

  @Test
  void remainderTakesTheDividendsSign() {
    assertThat(rego(call("rem", n(-17), n(5)))).isEqualTo("-2");
    assertThat(rego(call("rem", n(17), n(-5)))).isEqualTo("2");
    assertThat(rego(call("rem", num("4.0"), n(3)))).isEqualTo("1");
    assertThat(rego(call("rem", n(10), num("18446744073709551616")))).isEqualTo("10");
    assertThat(error("rem", num("1.1"), n(1)).detail())
        .isEqualTo("rem: modulo on floating-point number");
    assertThat(error("rem", n(1), n(0)).detail()).isEqualTo("rem: modulo by zero");
  }

  @Test
  void roundingFunctions() {
    assertThat(rego(call("abs", n(-5)))).isEqualTo("5");
    assertThat(rego(call("abs", num("-9223372036854775808")))).isEqualTo("9223372036854775808");
    assertThat(rego(call("abs", num("-2.5")))).isEqualTo("2.5");
    assertThat(rego(call("round", num("2.5")))).isEqualTo("3");
    assertThat(rego(call("round", num("-2.5")))).isEqualTo("-3");
    assertThat(rego(call("round", num("2.4")))).isEqualTo("2");
    assertThat(rego(call("round", num("10.00")))).isEqualTo("10");
    assertThat(rego(call("ceil", num("1.2")))).isEqualTo("2");
    assertThat(rego(call("ceil", num("-1.2")))).isEqualTo("-1");
    assertThat(rego(call("floor", num("-1.2")))).isEqualTo("-2");
    assertThat(rego(call("floor", num("1.8")))).isEqualTo("1");
  }

  @Test
  void minusIsAlsoSetDifference() {
    assertThat(rego(call("minus", set(n(1), n(2), n(3)), set(n(2))))).isEqualTo("{1, 3}");
    assertThat(rego(call("minus", set(n(1)), set(n(1))))).isEqualTo("set()");
    assertThat(error("minus", set(n(1)), n(1)).getMessage())
        .isEqualTo("eval_type_error: minus: operand 2 must be set but got number");
    assertThat(error("minus", n(1), set(n(1))).detail())
        .isEqualTo("minus: operand 2 must be number but got set");
    assertThat(error("minus", s("a"), n(1)).detail())
        .isEqualTo("minus: operand 1 must be one of {number, set} but got string");
  }

  @Test
  void operandTypeErrors() {
    assertThat(error("plus", n(1), s("a")).detail())
        .isEqualTo("plus: operand 2 must be number but got string");
    assertThat(error("plus", n(1), s("a")).code()).isEqualTo("eval_type_error");
    assertThat(error("mul", j("[]"), n(1)).detail())
        .isEqualTo("mul: operand 1 must be number but got array");
  }

  @Test
  void ranges() {
    assertThat(rego(call("numbers.range", n(1), n(4)))).isEqualTo("[1, 2, 3, 4]");
    assertThat(rego(call("numbers.range", n(2), n(-1)))).isEqualTo("[2, 1, 0, -1]");
    assertThat(rego(call("numbers.range_step", n(0), n(10), n(3)))).isEqualTo("[0, 3, 6, 9]");
    assertThat(rego(call("numbers.range_step", n(10), n(0), n(5)))).isEqualTo("[10, 5, 0]");
    assertThat(error("numbers.range", num("1.5"), n(2)).detail())
        .isEqualTo("numbers.range: operand 1 must be integer number but got floating-point number");
    assertThat(error("numbers.range_step", n(1), n(2), n(0)).detail())
        .isEqualTo("numbers.range_step: step must be a positive integer");
  }

  @Test
  void hugeExponentsStayCheap() {
    long t0 = System.nanoTime();
    assertThat(call("lt", num("1e999999"), num("1e1000000"))).isEqualTo(dev.aegis.pipeline.rego.Value.TRUE);
    assertThat(((dev.aegis.pipeline.rego.Value.NumV) call("plus", num("1e999999"), n(1))).value()
        .compareTo(new java.math.BigDecimal("1e999999"))).isZero();
    assertThat(((dev.aegis.pipeline.rego.Value.NumV) call("mul", num("1e999999"), num("1e999999"))).value()
        .scale()).isEqualTo(-1999998);
    assertThat(error("rem", num("1e999999"), n(7)).detail()).isEqualTo("rem: modulo on floating-point number");
    assertThat(error("time.date", num("1e999999")).detail()).isEqualTo("time.date: timestamp too big");
    assertThat(error("bits.and", num("1e999999"), n(1)).detail()).isEqualTo("bits.and: operand 1 is too large");
    assertThat(((dev.aegis.pipeline.rego.Value.NumV) call("units.parse_bytes", s("1e999999EiB"))).value()
        .scale()).isLessThan(0);
    assertThat(System.nanoTime() - t0).isLessThan(1_000_000_000L);
    assertThat(error("numbers.range", n(0), n(5_000_000)).detail())
        .isEqualTo("numbers.range: range too large (more than 1000000 numbers)");
  }
}
