package dev.aegis.pipeline.stages;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.Stage;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.detect.OutputRedactor;
import dev.aegis.pipeline.detect.Redaction;
import dev.aegis.pipeline.ports.ToolExecutor;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Stage 9: redacts secrets, card numbers, SSNs and high-entropy strings (and e-mails when the
 * tenant asks) from the upstream answer before it reaches the agent. A JSON answer is redacted
 * value by value (strings, and numbers that hold a secret such as a card number become strings),
 * so the result stays valid JSON; any other answer is redacted as text. Never denies.
 */
public final class OutputFilterStage implements Stage {

  private static final int MAX_DEPTH = 64;

  private final OutputRedactor redactor;
  private final boolean redactEmails;

  public OutputFilterStage(OutputRedactor redactor, boolean redactEmails) {
    this.redactor = redactor;
    this.redactEmails = redactEmails;
  }

  @Override
  public StageId id() {
    return StageId.OUTPUT_FILTER;
  }

  @Override
  public Future<Verdict> apply(RequestContext ctx) {
    ToolExecutor.Result up = ctx.upstream();
    if (up == null) {
      return Future.succeededFuture(Verdict.proceed());
    }
    int[] count = {0};
    Object output = null;
    if (up.contentType() != null && up.contentType().contains("json")) {
      try {
        Object parsed = up.body().toJsonValue();
        output = redactValue(parsed, count, 0);
      } catch (DecodeException notJson) {
        output = null;
      }
    }
    if (output == null) {
      Redaction r = redactor.redact(up.body().toString(), redactEmails);
      count[0] = r.count();
      output = r.text();
    }
    ctx.redactions(count[0]);
    ctx.result(new JsonObject().put("executed", true).put("status", up.status())
        .put("redactions", count[0]).put("output", output));
    return Future.succeededFuture(Verdict.proceed());
  }

  private Object redactValue(Object v, int[] count, int depth) {
    if (depth > MAX_DEPTH) {
      return "[REDACTED:too_deep]";
    }
    if (v instanceof String s) {
      Redaction r = redactor.redact(s, redactEmails);
      count[0] += r.count();
      return r.text();
    }
    if (v instanceof Number n) {
      String s = n.toString();
      Redaction r = redactor.redact(s, redactEmails);
      if (r.count() == 0) {
        return n;
      }
      count[0] += r.count();
      return r.text();
    }
    if (v instanceof JsonObject o) {
      JsonObject out = new JsonObject();
      for (String k : o.fieldNames()) {
        out.put(k, redactValue(o.getValue(k), count, depth + 1));
      }
      return out;
    }
    if (v instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      for (Object e : a) {
        out.add(redactValue(e, count, depth + 1));
      }
      return out;
    }
    return v;
  }
}
