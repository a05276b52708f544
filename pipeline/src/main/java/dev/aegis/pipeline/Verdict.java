package dev.aegis.pipeline;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/** What a stage decided: let the request go on, or answer it now. */
public sealed interface Verdict permits Verdict.Proceed, Verdict.Respond {

  Verdict PROCEED = new Proceed();

  static Verdict proceed() {
    return PROCEED;
  }

  /**
   * A terminal answer.
   *
   * @param status HTTP status
   * @param errorKey stable lower_snake error key (also sent as UPPER_SNAKE {@code meta.code})
   * @param detail human readable text, safe to show a client
   * @param extra extra top-level body fields (may be empty, never null)
   * @param headers extra response headers (may be empty, never null)
   */
  static Respond deny(int status, String errorKey, String detail) {
    return new Respond(status, errorKey, detail, new JsonObject(), Map.of());
  }

  /** Continue with the next stage. */
  final class Proceed implements Verdict {
    private Proceed() {}

    @Override
    public String toString() {
      return "Proceed";
    }
  }

  /** Stop the chain and answer with this status, key and body. */
  record Respond(int status, String errorKey, String detail, JsonObject extra,
      Map<String, String> headers) implements Verdict {

    public Respond withExtra(String field, Object value) {
      JsonObject copy = extra.copy();
      copy.put(field, value);
      return new Respond(status, errorKey, detail, copy, headers);
    }

    public Respond withHeader(String name, String value) {
      java.util.HashMap<String, String> copy = new java.util.HashMap<>(headers);
      copy.put(name, value);
      return new Respond(status, errorKey, detail, extra, Map.copyOf(copy));
    }
  }
}
