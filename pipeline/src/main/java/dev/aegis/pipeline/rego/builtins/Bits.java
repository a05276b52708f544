package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value.NumV;
import java.math.BigInteger;

/** Bitwise operations on integers of any size: {@code bits.and or xor negate lsh rsh}. */
final class Bits {
  /** Largest shift accepted, so a policy cannot ask for a gigabit-wide number. */
  private static final int MAX_SHIFT = 1 << 16;

  private Bits() {
  }

  static void register(Builtins.Registrar r) {
    r.add("bits.and", 2, (ctx, a) ->
        NumV.of(Args.bigInt("bits.and", a, 0).and(Args.bigInt("bits.and", a, 1))));
    r.add("bits.or", 2, (ctx, a) ->
        NumV.of(Args.bigInt("bits.or", a, 0).or(Args.bigInt("bits.or", a, 1))));
    r.add("bits.xor", 2, (ctx, a) ->
        NumV.of(Args.bigInt("bits.xor", a, 0).xor(Args.bigInt("bits.xor", a, 1))));
    r.add("bits.negate", 1, (ctx, a) -> NumV.of(Args.bigInt("bits.negate", a, 0).not()));
    r.add("bits.lsh", 2, (ctx, a) -> {
      BigInteger x = Args.bigInt("bits.lsh", a, 0);
      return NumV.of(x.shiftLeft(shift("bits.lsh", Args.bigInt("bits.lsh", a, 1))));
    });
    r.add("bits.rsh", 2, (ctx, a) -> {
      BigInteger x = Args.bigInt("bits.rsh", a, 0);
      BigInteger s = Args.bigInt("bits.rsh", a, 1);
      if (s.signum() < 0) {
        throw negative("bits.rsh");
      }
      return NumV.of(s.bitLength() > 31 ? BigInteger.valueOf(x.signum() < 0 ? -1 : 0)
          : x.shiftRight(s.intValue()));
    });
  }

  private static int shift(String name, BigInteger s) {
    if (s.signum() < 0) {
      throw negative(name);
    }
    if (s.compareTo(BigInteger.valueOf(MAX_SHIFT)) > 0) {
      throw BuiltinError.builtin(name, "shift count too large");
    }
    return s.intValue();
  }

  private static RuntimeException negative(String name) {
    return Args.operandErr(name, 2, "must be an unsigned integer number but got a negative integer");
  }
}
