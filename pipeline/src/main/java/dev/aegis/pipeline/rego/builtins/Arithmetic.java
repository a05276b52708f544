package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.SetV;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Arithmetic operators and rounding: {@code plus minus mul div rem abs round ceil floor
 * numbers.range numbers.range_step}. Integers are exact at any size; a quotient that is not an
 * exact short decimal is rounded as OPA's 64-bit-mantissa {@code big.Float} would and printed as
 * the shortest decimal that rounds back to it.
 */
final class Arithmetic {
  private static final long SMALL = 1L << 31;
  /**
   * Exponent gap beyond which sums are rounded (to 34 digits) rather than exact: 1e999999 + 1
   * would otherwise build a million-digit number. OPA's floats round such sums too.
   */
  static final int MAX_EXACT_SCALE_GAP = 1000;
  /** Most numbers numbers.range may produce. */
  static final int MAX_RANGE = 1_000_000;

  private Arithmetic() {
  }

  static void register(Builtins.Registrar r) {
    r.add("plus", 2, (ctx, a) -> plus(a));
    r.add("minus", 2, (ctx, a) -> minus(a));
    r.add("mul", 2, (ctx, a) -> mul(a));
    r.add("div", 2, (ctx, a) -> div(a));
    r.add("rem", 2, (ctx, a) -> rem(a));
    r.add("abs", 1, (ctx, a) -> unary("abs", a, null));
    r.add("round", 1, (ctx, a) -> unary("round", a, RoundingMode.HALF_UP));
    r.add("ceil", 1, (ctx, a) -> unary("ceil", a, RoundingMode.CEILING));
    r.add("floor", 1, (ctx, a) -> unary("floor", a, RoundingMode.FLOOR));
    r.add("numbers.range", 2, (ctx, a) -> range("numbers.range", a, BigInteger.ONE));
    r.add("numbers.range_step", 3, (ctx, a) -> {
      BigInteger step = Args.bigInt("numbers.range_step", a, 2);
      return range("numbers.range_step", a, step);
    });
  }

  /** The value as a long when it is an integer in OPA's small (int32) window, else null. */
  static Long small(NumV n) {
    BigDecimal v = n.value();
    if (v.scale() == 0 && v.precision() <= 10) {
      long l = v.longValue();
      if (l >= -SMALL && l < SMALL) {
        return l;
      }
    }
    return null;
  }

  /** Normalises a result: integral values lose their scale so later calls hit the fast path. */
  static NumV number(BigDecimal v) {
    if (v.signum() == 0) {
      return NumV.of(0);
    }
    if (v.scale() > 0) {
      BigDecimal s = v.stripTrailingZeros();
      if (s.scale() <= 0 && s.scale() > -MAX_EXACT_SCALE_GAP) {
        v = s.setScale(0);
      } else if (s.scale() <= 0) {
        return NumV.of(s);
      }
    } else if (v.scale() < 0) {
      if (v.scale() <= -MAX_EXACT_SCALE_GAP) {
        return NumV.of(v); // keep 1E+5000 compact rather than expanding its digits
      }
      v = v.setScale(0);
    }
    if (v.scale() == 0 && v.precision() < 19) {
      return NumV.of(v.longValue());
    }
    return NumV.of(v);
  }

  private static Value plus(Value[] a) {
    NumV x = Args.num("plus", a, 0);
    NumV y = Args.num("plus", a, 1);
    Long p = small(x);
    Long q = small(y);
    if (p != null && q != null) {
      return NumV.of(p + q);
    }
    return number(add(x.value(), y.value()));
  }

  private static Value minus(Value[] a) {
    Value l = a[0];
    Value r = a[1];
    if (l instanceof NumV x && r instanceof NumV y) {
      Long p = small(x);
      Long q = small(y);
      if (p != null && q != null) {
        return NumV.of(p - q);
      }
      return number(add(x.value(), y.value().negate()));
    }
    if (l instanceof SetV s && r instanceof SetV t) {
      if (t.size() == 0) {
        return s;
      }
      TreeSet<Value> out = new TreeSet<>();
      for (Value v : s) {
        if (!t.contains(v)) {
          out.add(v);
        }
      }
      return out.isEmpty() ? Value.EMPTY_SET : new SetV(out);
    }
    if (!(l instanceof NumV) && !(l instanceof SetV)) {
      throw Args.oneOf("minus", 1, l, "number", "set");
    }
    if (r instanceof NumV) {
      throw BuiltinError.operand("minus", 2, "set", r);
    }
    throw BuiltinError.operand("minus", 2, "number", r);
  }

  /** x + y, exact unless the operands' exponents are too far apart. */
  static BigDecimal add(BigDecimal x, BigDecimal y) {
    if (Math.abs((long) x.scale() - y.scale()) > MAX_EXACT_SCALE_GAP) {
      return x.add(y, MathContext.DECIMAL128);
    }
    return x.add(y);
  }

  /** Whether an integral value is too large to expand into digits (as OPA, treat it as a float). */
  static boolean huge(BigDecimal v) {
    return v.scale() <= -MAX_EXACT_SCALE_GAP || v.precision() - (long) v.scale() > 4 * MAX_EXACT_SCALE_GAP;
  }

  private static Value mul(Value[] a) {
    NumV x = Args.num("mul", a, 0);
    NumV y = Args.num("mul", a, 1);
    Long p = small(x);
    Long q = small(y);
    if (p != null && q != null) {
      return NumV.of(p * q);
    }
    return number(x.value().multiply(y.value()));
  }

  private static Value div(Value[] a) {
    NumV x = Args.num("div", a, 0);
    NumV y = Args.num("div", a, 1);
    Long p = small(x);
    Long q = small(y);
    if (p != null && q != null) {
      if (q == 0) {
        throw BuiltinError.builtin("div", "divide by zero");
      }
      if (p % q == 0) {
        return NumV.of(p / q);
      }
    }
    if (y.value().signum() == 0) {
      throw BuiltinError.builtin("div", "divide by zero");
    }
    return number(quotient(x.value(), y.value()));
  }

  /**
   * x / y as OPA prints it: an exact decimal when it is short, else the quotient rounded to a
   * 64-bit binary mantissa and printed as the shortest decimal that rounds back to it.
   */
  static BigDecimal quotient(BigDecimal x, BigDecimal y) {
    if (x.signum() == 0) {
      return BigDecimal.ZERO;
    }
    try {
      BigDecimal exact = x.divide(y);
      if (exact.stripTrailingZeros().precision() <= 17) {
        return exact;
      }
    } catch (ArithmeticException nonTerminating) {
      // fall through to binary rounding
    }
    BigInteger[] r = rational(x, y);
    return Binary64.shortest(r[0], r[1]);
  }

  /** x / y as numerator and positive denominator. */
  private static BigInteger[] rational(BigDecimal x, BigDecimal y) {
    BigInteger num = x.unscaledValue();
    BigInteger den = y.unscaledValue();
    int scale = x.scale() - y.scale(); // value = num / den * 10^-scale
    if (scale > 0) {
      den = den.multiply(BigInteger.TEN.pow(scale));
    } else if (scale < 0) {
      num = num.multiply(BigInteger.TEN.pow(-scale));
    }
    if (den.signum() < 0) {
      num = num.negate();
      den = den.negate();
    }
    return new BigInteger[] {num, den};
  }

  private static Value rem(Value[] a) {
    NumV x = Args.num("rem", a, 0);
    NumV y = Args.num("rem", a, 1);
    Long p = small(x);
    Long q = small(y);
    if (p != null && q != null) {
      if (q == 0) {
        throw BuiltinError.builtin("rem", "modulo by zero");
      }
      return NumV.of(p % q);
    }
    if (!x.isInteger() || !y.isInteger() || huge(x.value()) || huge(y.value())) {
      throw BuiltinError.builtin("rem", "modulo on floating-point number");
    }
    BigInteger d = y.value().toBigInteger();
    if (d.signum() == 0) {
      throw BuiltinError.builtin("rem", "modulo by zero");
    }
    return number(new BigDecimal(x.value().toBigInteger().remainder(d)));
  }

  private static Value unary(String name, Value[] a, RoundingMode mode) {
    NumV x = Args.num(name, a, 0);
    Long p = small(x);
    if (p != null) {
      return mode == null ? NumV.of(Math.abs(p)) : x;
    }
    BigDecimal v = x.value();
    if (mode == null) {
      return v.signum() < 0 ? number(v.negate()) : x;
    }
    return number(v.setScale(0, mode));
  }

  private static Value range(String name, Value[] a, BigInteger step) {
    BigInteger from = Args.bigInt(name, a, 0);
    BigInteger to = Args.bigInt(name, a, 1);
    if (step.signum() <= 0) {
      throw BuiltinError.builtin(name, "step must be a positive integer");
    }
    BigInteger count = to.subtract(from).abs().divide(step).add(BigInteger.ONE);
    if (count.compareTo(BigInteger.valueOf(MAX_RANGE)) > 0) {
      // OPA relies on query cancellation here; a gateway cannot spend a request on it
      throw BuiltinError.builtin(name, "range too large (more than " + MAX_RANGE + " numbers)");
    }
    List<Value> out = new ArrayList<>();
    if (from.bitLength() < 63 && to.bitLength() < 63 && step.bitLength() < 62) {
      long f = from.longValue();
      long t = to.longValue();
      long s = step.longValue();
      if (f <= t) {
        for (long i = f; i <= t; i += s) {
          out.add(NumV.of(i));
        }
      } else {
        for (long i = f; i >= t; i -= s) {
          out.add(NumV.of(i));
        }
      }
    } else if (from.compareTo(to) <= 0) {
      for (BigInteger i = from; i.compareTo(to) <= 0; i = i.add(step)) {
        out.add(NumV.of(i));
      }
    } else {
      for (BigInteger i = from; i.compareTo(to) >= 0; i = i.subtract(step)) {
        out.add(NumV.of(i));
      }
    }
    return out.isEmpty() ? Value.EMPTY_ARRAY : new Value.ArrV(out);
  }

  /** Emulates Go's {@code big.Float} with a 64-bit mantissa for quotients. */
  static final class Binary64 {
    private static final int PREC = 64;

    private Binary64() {
    }

    /** The shortest decimal that rounds to the same 64-bit value as num/den (den > 0). */
    static BigDecimal shortest(BigInteger num, BigInteger den) {
      boolean neg = num.signum() < 0;
      BigInteger n = num.abs();
      long[] target = new long[2];
      BigInteger m = round(n, den, target);
      BigDecimal exact = exact(m, (int) target[1]);
      for (int p = 1; p <= 40; p++) {
        BigDecimal d = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
        BigInteger[] r = rationalOf(d);
        long[] e = new long[2];
        BigInteger m2 = round(r[0], r[1], e);
        if (m2.equals(m) && e[1] == target[1]) {
          return neg ? d.negate() : d;
        }
      }
      return neg ? exact.negate() : exact;
    }

    /** Rounds n/d (both positive) to a PREC-bit mantissa; out[1] receives the exponent. */
    private static BigInteger round(BigInteger n, BigInteger d, long[] out) {
      int e = n.bitLength() - d.bitLength() - PREC;
      BigInteger q;
      BigInteger[] qr;
      while (true) {
        BigInteger nn = e < 0 ? n.shiftLeft(-e) : n;
        BigInteger dd = e > 0 ? d.shiftLeft(e) : d;
        qr = nn.divideAndRemainder(dd);
        q = qr[0];
        if (q.bitLength() > PREC) {
          e++;
          continue;
        }
        if (q.bitLength() < PREC) {
          e--;
          continue;
        }
        int c = qr[1].shiftLeft(1).compareTo(dd);
        if (c > 0 || (c == 0 && q.testBit(0))) {
          q = q.add(BigInteger.ONE);
          if (q.bitLength() > PREC) {
            q = q.shiftRight(1);
            e++;
          }
        }
        break;
      }
      out[1] = e;
      return q;
    }

    private static BigDecimal exact(BigInteger m, int e) {
      if (e >= 0) {
        return new BigDecimal(m.shiftLeft(e));
      }
      // m / 2^-e = m * 5^-e / 10^-e
      return new BigDecimal(m.multiply(BigInteger.valueOf(5).pow(-e)), -e);
    }

    private static BigInteger[] rationalOf(BigDecimal d) {
      BigInteger u = d.unscaledValue();
      int s = d.scale();
      if (s >= 0) {
        return new BigInteger[] {u, BigInteger.TEN.pow(s)};
      }
      return new BigInteger[] {u.multiply(BigInteger.TEN.pow(-s)), BigInteger.ONE};
    }
  }
}
