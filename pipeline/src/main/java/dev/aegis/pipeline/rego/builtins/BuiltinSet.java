package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.Builtins;

/** Registers every built-in group. Each group is one class named for its OPA category. */
public final class BuiltinSet {
  private BuiltinSet() {
  }

  public static void registerAll(Builtins.Registrar r) {
    Arithmetic.register(r);
    Comparison.register(r);
    Sets.register(r);
    Membership.register(r);
    Aggregates.register(r);
    Arrays.register(r);
    Strings.register(r);
    Regex.register(r);
    Glob.register(r);
    Objects.register(r);
    Encoding.register(r);
    Net.register(r);
    Units.register(r);
    Types.register(r);
    Crypto.register(r);
    Time.register(r);
    Yaml.register(r);
    Runtime.register(r);
    Bits.register(r);
    Semver.register(r);
    Graph.register(r);
    Rand.register(r);
    JsonPatch.register(r);
    Unsupported.register(r);
  }
}
