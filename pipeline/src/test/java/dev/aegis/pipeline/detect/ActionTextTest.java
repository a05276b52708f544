package dev.aegis.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActionTextTest {

  @Test
  void should_concatenate_keys_strings_and_numbers_recursively() {
    JsonObject payload = new JsonObject().put("q", "hello").put("n", 42)
        .put("nested", new JsonObject().put("k", "v").put("list", new JsonArray().add("a").add(7)));

    assertThat(ActionText.of(null, payload)).isEqualTo("q\nhello\nn\n42\nnested\nk\nv\nlist\na\n7");
  }

  @Test
  void should_append_top_level_body_fields_when_strings() {
    JsonObject body = new JsonObject().put("query", "SELECT 1").put("sql", "DROP TABLE x")
        .put("path", "/etc/passwd").put("command", "ls").put("cmd", "pwd").put("tool", "t")
        .put("payload", new JsonObject().put("ignored", "not from body"));

    assertThat(ActionText.of(body, new JsonObject().put("a", "b")))
        .isEqualTo("a\nb\nSELECT 1\nDROP TABLE x\n/etc/passwd\nls\npwd");
  }

  @Test
  void should_skip_non_string_body_fields_booleans_and_nulls() {
    JsonObject body = new JsonObject().put("query", 5).put("cmd", new JsonObject());
    JsonObject payload = new JsonObject().put("flag", true).put("none", (Object) null);

    assertThat(ActionText.of(body, payload)).isEqualTo("flag\nnone");
  }

  @Test
  void should_print_integral_doubles_without_exponent() {
    JsonObject payload = new JsonObject().put("amount", 1.0e7).put("rate", 0.25)
        .put("card", 4111111111111111L);

    assertThat(ActionText.of(null, payload))
        .isEqualTo("amount\n10000000\nrate\n0.25\ncard\n4111111111111111");
  }

  @Test
  void should_read_raw_maps_and_lists() {
    JsonObject payload = new JsonObject(Map.of("m", Map.of("k", List.of("x", 1))));

    assertThat(ActionText.of(null, payload)).isEqualTo("m\nk\nx\n1");
  }

  @Test
  void should_bound_recursion_depth() {
    JsonObject root = new JsonObject();
    JsonObject cur = root;
    for (int i = 1; i < 40; i++) {
      JsonObject next = new JsonObject();
      cur.put("d" + i, next);
      cur = next;
    }
    cur.put("deep", "secret");

    String text = ActionText.of(null, root);

    assertThat(text).contains("d32").doesNotContain("d33").doesNotContain("secret");
    assertThat(ActionText.depth(root)).isEqualTo(40);
  }

  @Test
  void should_cap_output_at_one_million_chars() {
    JsonObject payload = new JsonObject();
    for (int i = 0; i < 30; i++) {
      payload.put("k" + i, "x".repeat(50_000));
    }

    assertThat(ActionText.of(null, payload)).hasSize(ActionText.MAX_CHARS);
  }

  @Test
  void should_return_empty_for_null_inputs() {
    assertThat(ActionText.of(null, null)).isEmpty();
    assertThat(ActionText.depth(null)).isZero();
  }

  @Test
  void should_compute_depth() {
    assertThat(ActionText.depth(new JsonObject())).isEqualTo(1);
    assertThat(ActionText.depth(new JsonObject().put("a", 1))).isEqualTo(1);
    assertThat(ActionText.depth(new JsonObject().put("a", new JsonArray().add(new JsonObject()
        .put("b", new JsonArray()))))).isEqualTo(4);
  }
}
