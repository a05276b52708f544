package dev.aegis.pipeline.stages;

import static dev.aegis.pipeline.PipelineFixtures.assertProceeds;
import static dev.aegis.pipeline.PipelineFixtures.authenticatedCtx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.detect.OutputRedactor;
import dev.aegis.pipeline.ports.ToolExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class OutputFilterStageTest {

  private static final OutputRedactor REDACTOR = new OutputRedactor();

  private final OutputFilterStage cut = new OutputFilterStage(REDACTOR, false);

  private static RequestContext withUpstream(int status, String contentType, String body) {
    RequestContext ctx = authenticatedCtx();
    ctx.upstream(new ToolExecutor.Result(status, contentType, Buffer.buffer(body)));
    return ctx;
  }

  @Test
  void should_identify_as_stage_9() {
    assertThat(cut.id()).isEqualTo(StageId.OUTPUT_FILTER);
  }

  @Test
  void should_proceed_untouched_when_nothing_was_executed() {
    // GIVEN the evaluate-only answer of stage 8
    RequestContext ctx = authenticatedCtx();
    JsonObject evaluateOnly = new JsonObject().put("executed", false).put("mode", "evaluate_only");
    ctx.result(evaluateOnly);

    // WHEN
    assertProceeds(cut.apply(ctx));

    // THEN
    assertThat(ctx.result()).isSameAs(evaluateOnly);
    assertThat(ctx.redactions()).isZero();
  }

  @Test
  void should_redact_secret_in_json_body_and_record_count() {
    // GIVEN
    RequestContext ctx = withUpstream(200, "application/json; charset=utf-8",
        "{\"user\":\"bob\",\"api_key\":\"sk_live_abcdefghij1234567890\"}");

    // WHEN
    assertProceeds(cut.apply(ctx));

    // THEN
    assertThat(ctx.redactions()).isEqualTo(1);
    assertThat(ctx.result().getBoolean("executed")).isTrue();
    assertThat(ctx.result().getInteger("status")).isEqualTo(200);
    assertThat(ctx.result().getInteger("redactions")).isEqualTo(1);
    assertThat(ctx.result().getJsonObject("output"))
        .isEqualTo(new JsonObject().put("user", "bob").put("api_key", "[REDACTED:api_key]"));
  }

  @Test
  void should_pass_clean_json_body_through_as_object() {
    RequestContext ctx = withUpstream(201, "application/json", "{\"rows\":[1,2,3],\"ok\":true}");

    assertProceeds(cut.apply(ctx));

    assertThat(ctx.redactions()).isZero();
    assertThat(ctx.result().getInteger("status")).isEqualTo(201);
    assertThat(ctx.result().getJsonObject("output")).isEqualTo(new JsonObject("{\"rows\":[1,2,3],\"ok\":true}"));
  }

  @Test
  void should_return_text_body_as_string_with_bearer_token_redacted() {
    RequestContext ctx = withUpstream(200, "text/plain", "use Authorization: Bearer abcdefgh12345678 next time");

    assertProceeds(cut.apply(ctx));

    assertThat(ctx.result().getString("output")).isEqualTo("use Authorization: Bearer [REDACTED:bearer_token] next time");
    assertThat(ctx.redactions()).isEqualTo(1);
  }

  @Test
  void should_keep_a_json_array_body_as_an_array() {
    RequestContext ctx = withUpstream(200, "application/json", "[1,2]");

    assertProceeds(cut.apply(ctx));

    assertThat(ctx.result().getValue("output")).isEqualTo(new io.vertx.core.json.JsonArray().add(1).add(2));
  }

  @Test
  void should_redact_emails_only_when_tenant_asks() {
    String body = "{\"contact\":\"bob@example.com\"}";
    RequestContext keep = withUpstream(200, "application/json", body);
    RequestContext redact = withUpstream(200, "application/json", body);

    new OutputFilterStage(REDACTOR, false).apply(keep);
    new OutputFilterStage(REDACTOR, true).apply(redact);

    assertThat(keep.result().getJsonObject("output").getString("contact")).isEqualTo("bob@example.com");
    assertThat(redact.result().getJsonObject("output").getString("contact")).isEqualTo("[REDACTED:email]");
    assertThat(redact.redactions()).isEqualTo(1);
  }

  /** Verifies that redaction keeps a JSON answer a JSON object when the secret is a JSON number. */
  @Test
  void should_keep_json_output_an_object_when_card_number_is_a_json_number() {
    RequestContext ctx = withUpstream(200, "application/json", "{\"card\":4111111111111111}");

    assertProceeds(cut.apply(ctx));

    assertThat(ctx.redactions()).isEqualTo(1);
    assertThat(ctx.result().getValue("output")).isInstanceOf(JsonObject.class);
  }

  /** Verifies that redaction never splits a JSON escape sequence such as {@code \n}. */
  @Test
  void should_keep_json_output_an_object_when_secret_follows_escaped_newline() {
    RequestContext ctx = withUpstream(200, "application/json",
        new JsonObject().put("note", "line\nAbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/xyz").toString());

    assertProceeds(cut.apply(ctx));

    assertThat(ctx.redactions()).isEqualTo(1);
    assertThat(ctx.result().getValue("output")).isInstanceOf(JsonObject.class);
    assertThat(ctx.result().getJsonObject("output").getString("note")).startsWith("line\n");
  }
}
