package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.RegoError;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.ObjV;
import dev.aegis.pipeline.rego.Value.SetV;
import dev.aegis.pipeline.rego.Value.StrV;
import java.math.BigInteger;

/**
 * Operand checks shared by the built-in groups, with OPA's error texts. Positions are 1-based as
 * in OPA's messages; {@code args} indices are 0-based.
 */
final class Args {
  private Args() {
  }

  static NumV num(String name, Value[] args, int i) {
    if (args[i] instanceof NumV n) {
      return n;
    }
    throw BuiltinError.operand(name, i + 1, "number", args[i]);
  }

  static String str(String name, Value[] args, int i) {
    if (args[i] instanceof StrV s) {
      return s.value();
    }
    throw BuiltinError.operand(name, i + 1, "string", args[i]);
  }

  static ArrV arr(String name, Value[] args, int i) {
    if (args[i] instanceof ArrV a) {
      return a;
    }
    throw BuiltinError.operand(name, i + 1, "array", args[i]);
  }

  static ObjV obj(String name, Value[] args, int i) {
    if (args[i] instanceof ObjV o) {
      return o;
    }
    throw BuiltinError.operand(name, i + 1, "object", args[i]);
  }

  static SetV set(String name, Value[] args, int i) {
    if (args[i] instanceof SetV s) {
      return s;
    }
    throw BuiltinError.operand(name, i + 1, "set", args[i]);
  }

  static boolean bool(String name, Value[] args, int i) {
    if (args[i] instanceof Value.BoolV b) {
      return b.value();
    }
    throw BuiltinError.operand(name, i + 1, "boolean", args[i]);
  }

  /** OPA's IntOperand: a number that is an integer fitting an int. */
  static int integer(String name, Value[] args, int i) {
    NumV n = num(name, args, i);
    Integer v = n.intValueExact();
    if (v == null) {
      throw notInteger(name, i + 1);
    }
    return v;
  }

  /** OPA's BigIntOperand. */
  static BigInteger bigInt(String name, Value[] args, int i) {
    if (!(args[i] instanceof NumV n)) {
      throw BuiltinError.operand(name, i + 1, "integer", args[i]);
    }
    if (!n.isInteger()) {
      throw notInteger(name, i + 1);
    }
    if (Arithmetic.huge(n.value())) {
      throw BuiltinError.builtin(name, "operand " + (i + 1) + " is too large");
    }
    return n.value().toBigInteger();
  }

  /** The value as a long if it is an integer in range, else null (never expands huge values). */
  static Long longExact(NumV n) {
    java.math.BigDecimal v = n.value();
    if (v.precision() - (long) v.scale() > 19 || !n.isInteger()) {
      return v.signum() == 0 ? 0L : null;
    }
    try {
      return v.setScale(0, java.math.RoundingMode.UNNECESSARY).longValueExact();
    } catch (ArithmeticException e) {
      return null;
    }
  }

  static RegoError notInteger(String name, int pos) {
    return BuiltinError.type(
        name + ": operand " + pos + " must be integer number but got floating-point number");
  }

  /** {@code operand N must be one of {a, b} but got T}. */
  static RegoError oneOf(String name, int pos, Value got, String... expected) {
    return BuiltinError.type(name + ": operand " + pos + " must be one of {"
        + String.join(", ", expected) + "} but got " + got.typeName());
  }

  /** {@code operand N must be array of strings but got array containing number}. */
  static RegoError element(String name, int pos, Value composite, Value got, String expected) {
    String t = composite.typeName();
    return BuiltinError.type(name + ": operand " + pos + " must be " + t + " of " + expected
        + "s but got " + t + " containing " + got.typeName());
  }

  /** {@code operand N <free text>} as a type error. */
  static RegoError operandErr(String name, int pos, String text) {
    return BuiltinError.type(name + ": operand " + pos + " " + text);
  }

  /** Longest string a built-in may build (replacements can multiply their input). */
  static final int MAX_RESULT_CHARS = 16 * 1024 * 1024;

  /** Fails when a result under construction outgrows {@link #MAX_RESULT_CHARS}. */
  static void checkSize(String name, StringBuilder sb) {
    if (sb.length() > MAX_RESULT_CHARS) {
      throw tooLarge(name);
    }
  }

  static RegoError tooLarge(String name) {
    return BuiltinError.builtin(name, "result too large (more than " + MAX_RESULT_CHARS
        + " characters)");
  }

  static StrV s(String v) {
    return v.isEmpty() ? StrV.EMPTY : new StrV(v);
  }
}
