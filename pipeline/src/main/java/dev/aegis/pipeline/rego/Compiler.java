package dev.aegis.pipeline.rego;

import java.util.Map;

/** The compiler behind {@link RegoCompiler} (work in progress). */
final class Compiler {
  private Compiler() {
  }

  static CompiledPolicy compile(Map<String, String> modules) {
    throw new UnsupportedOperationException("Rego evaluator not implemented yet");
  }
}
