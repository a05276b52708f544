package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.Builtins;

/**
 * Built-ins declared but not executed, so policies that mock them with {@code with ... as ...}
 * (OPA's usual way of testing them) compile and run: {@code http.send} (stage 4 runs on an event
 * loop per request and must not make network calls) and {@code io.jwt.decode_verify} (key
 * material is not available to policies). A real call is an {@code eval_builtin_error}
 * (undefined unless strict).
 */
final class Unsupported {
  private Unsupported() {
  }

  static void register(Builtins.Registrar r) {
    r.add("http.send", 1, (ctx, args) -> {
      throw BuiltinError.builtin("http.send",
          "network calls are not available to Aegis policies (mock it with `with`)");
    });
    r.add("io.jwt.decode_verify", 2, (ctx, args) -> {
      throw BuiltinError.builtin("io.jwt.decode_verify",
          "JWT verification is not available to Aegis policies (mock it with `with`)");
    });
  }
}
