package dev.aegis.pipeline.rego;

/** Factories for OPA-shaped built-in errors. Messages match OPA's text exactly. */
public final class BuiltinError {
  public static final String TYPE = "eval_type_error";
  public static final String BUILTIN = "eval_builtin_error";

  private BuiltinError() {
  }

  /** {@code name: operand N must be EXPECTED but got ACTUAL-TYPE}. */
  public static RegoError operand(String name, int pos, String expected, Value got) {
    return type(name + ": operand " + pos + " must be " + expected + " but got " + got.typeName());
  }

  /** {@code eval_type_error} with a free-form message (already prefixed with the name). */
  public static RegoError type(String message) {
    return new RegoError(TYPE, message, null, 0, 0);
  }

  /** {@code eval_builtin_error: name: message}. */
  public static RegoError builtin(String name, String message) {
    return new RegoError(BUILTIN, name + ": " + message, null, 0, 0);
  }
}
