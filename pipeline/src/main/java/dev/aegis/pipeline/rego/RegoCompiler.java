package dev.aegis.pipeline.rego;

import java.util.Map;

/**
 * Compiles a set of Rego v1 modules once (parse, resolve imports and rule references, check
 * safety and arity, index rules by path) into an immutable, thread-safe {@link CompiledPolicy}.
 */
public final class RegoCompiler {
  private RegoCompiler() {
  }

  /**
   * Compiles {@code modules} (file name to source; names appear in error messages).
   *
   * @throws RegoError with code {@code rego_parse_error}, {@code rego_type_error},
   *     {@code rego_unsafe_var_error}, {@code rego_recursion_error} or {@code rego_compile_error}
   */
  public static CompiledPolicy compile(Map<String, String> modules) {
    return Compiler.compile(modules);
  }
}
