package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.NumV;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code rand.intn(str, n)}: a random integer in [0, |n|), stable for the same (str, n) within one
 * query as in OPA.
 */
final class Rand {
  private Rand() {
  }

  static void register(Builtins.Registrar r) {
    r.add("rand.intn", 2, (ctx, a) -> {
      String key = Args.str("rand.intn", a, 0);
      int n = Args.integer("rand.intn", a, 1);
      if (n == 0) {
        return NumV.of(0);
      }
      int bound = Math.abs(n == Integer.MIN_VALUE ? Integer.MAX_VALUE : n);
      return ctx.<List<Object>, Value>memo(List.of("rand.intn", key, bound),
          k -> NumV.of(ThreadLocalRandom.current().nextInt(bound)));
    });
  }
}
