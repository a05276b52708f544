package dev.aegis.pipeline.policy.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.policy.PlatformBundle;
import dev.aegis.pipeline.rego.Parser;
import dev.aegis.pipeline.rego.RegoError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlatformBundleTest {

  @Test
  void should_load_every_indexed_module_from_the_classpath() {
    Map<String, String> modules = PlatformBundle.modules();

    assertThat(modules).containsKeys("policy/platform/decision.rego",
        "policy/platform/lib.rego", "policy/platform/shell.rego", "policy/platform/sql.rego",
        "policy/platform/paths.rego", "policy/platform/infra.rego", "policy/platform/pii.rego",
        "policy/platform/egress.rego", "policy/platform/money.rego", "policy/platform/agent.rego");
    assertThat(modules.values()).allSatisfy(src -> assertThat(src).contains("package aegis.platform"));
  }

  @Test
  void should_parse_every_module_as_rego_v1() {
    List<String> errors = new ArrayList<>();
    PlatformBundle.modules().forEach((name, src) -> {
      try {
        Parser.parseModule(src, name);
      } catch (RegoError e) {
        errors.add(e.getMessage());
      }
    });

    assertThat(errors).isEmpty();
  }

  @Test
  void should_give_a_stable_sha256_revision() {
    assertThat(PlatformBundle.revision()).matches("sha256:[0-9a-f]{64}");
    assertThat(PlatformBundle.revision()).isEqualTo(PlatformBundle.revision());
  }
}
