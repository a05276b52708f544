package dev.aegis.pipeline.stages;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.Stage;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.detect.OutputRedactor;
import dev.aegis.pipeline.ports.ToolExecutor;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Stage 9: redacts secrets, card numbers, SSNs and high-entropy strings (and e-mails when the
 * tenant asks) from the upstream answer before it reaches the agent. Never denies.
 */
public final class OutputFilterStage implements Stage {

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
    dev.aegis.pipeline.detect.Redaction r = redactor.redact(up.body().toString(), redactEmails);
    ctx.redactions(r.count());
    JsonObject result = new JsonObject().put("executed", true).put("status", up.status())
        .put("redactions", r.count());
    Object body = r.text();
    if (up.contentType() != null && up.contentType().contains("json")) {
      try {
        body = new JsonObject(r.text());
      } catch (DecodeException | ClassCastException notAnObject) {
        body = r.text();
      }
    }
    result.put("output", body);
    ctx.result(result);
    return Future.succeededFuture(Verdict.proceed());
  }
}
