package dev.aegis.pipeline.rego;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The registry of built-in functions, by OPA name ({@code count}, {@code strings.replace_n},
 * operators as {@code plus}, {@code equal}...). Filled once at class load by the
 * {@code dev.aegis.pipeline.rego.builtins} groups; read-only afterwards.
 */
public final class Builtins {
  /** A registered built-in: name, number of declared operands, implementation. */
  public record Def(String name, int arity, Builtin fn) {
  }

  private static final Map<String, Def> REGISTRY;

  static {
    Map<String, Def> m = new HashMap<>();
    dev.aegis.pipeline.rego.builtins.BuiltinSet.registerAll((name, arity, fn) -> {
      if (m.put(name, new Def(name, arity, fn)) != null) {
        throw new IllegalStateException("built-in registered twice: " + name);
      }
    });
    REGISTRY = Collections.unmodifiableMap(m);
  }

  private Builtins() {
  }

  /** The built-in called {@code name}, or null. */
  public static Def get(String name) {
    return REGISTRY.get(name);
  }

  public static Map<String, Def> all() {
    return REGISTRY;
  }

  /** Receives registrations. */
  @FunctionalInterface
  public interface Registrar {
    void add(String name, int arity, Builtin fn);
  }
}
