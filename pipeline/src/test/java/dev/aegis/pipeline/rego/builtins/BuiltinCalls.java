package dev.aegis.pipeline.rego.builtins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.aegis.pipeline.rego.BuiltinContext;
import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.RegoError;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Values;
import java.util.List;
import java.util.TreeSet;

/** Test helpers: call a registered built-in by name with JSON-ish arguments. */
final class BuiltinCalls {
  /** 2021-01-01T00:00:00Z. */
  static final long NOW = 1_609_459_200_000_000_000L;

  private BuiltinCalls() {
  }

  static Value call(String name, Value... args) {
    Builtins.Def def = Builtins.get(name);
    assertThat(def).as("built-in %s", name).isNotNull();
    assertThat(def.arity()).as("arity of %s", name).isEqualTo(args.length);
    return def.fn().call(new BuiltinContext(NOW), args);
  }

  /** Calls with arguments given as JSON texts. */
  static Value callJson(String name, String... json) {
    Value[] args = new Value[json.length];
    for (int i = 0; i < json.length; i++) {
      args[i] = Values.parseJson(json[i]);
    }
    return call(name, args);
  }

  static RegoError error(String name, Value... args) {
    RegoError e = catchThrowableOfType(() -> call(name, args), RegoError.class);
    assertThat(e).as("%s should fail", name).isNotNull();
    return e;
  }

  static RegoError errorJson(String name, String... json) {
    Value[] args = new Value[json.length];
    for (int i = 0; i < json.length; i++) {
      args[i] = Values.parseJson(json[i]);
    }
    return error(name, args);
  }

  static Value j(String json) {
    return Values.parseJson(json);
  }

  static Value s(String s) {
    return new Value.StrV(s);
  }

  static Value n(long v) {
    return Value.NumV.of(v);
  }

  static Value num(String text) {
    return Value.NumV.parse(text);
  }

  static Value set(Value... items) {
    return new Value.SetV(new TreeSet<>(List.of(items)));
  }

  static Value arr(Value... items) {
    return Value.ArrV.of(items);
  }

  /** Rego text of a value (sets in braces), for compact assertions. */
  static String rego(Value v) {
    return v == null ? "<undefined>" : Values.toRego(v);
  }
}
