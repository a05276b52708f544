package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;

/** {@code opa.runtime}: this engine exposes no runtime configuration, so it is an empty object. */
final class Runtime {
  private Runtime() {
  }

  static void register(Builtins.Registrar r) {
    r.add("opa.runtime", 0, (ctx, a) -> Value.EMPTY_OBJECT);
  }
}
