package dev.aegis.verticles.opa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.pipeline.ports.TenantPolicySource.TenantPolicy;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

class OpaBundleTest {

  static final String POLICY = """
      # tenant overlay
      package aegis.tenant

      deny contains {"id": "tenant.no_prod", "reason": "prod is off limits", "severity": "high"} if {
        contains(input.text, "prod")
      }
      """;
  static final String HELPER = """
      package aegis.tenant.lib

      prod_namespaces := {"prod", "payments"}
      """;

  static TenantPolicy policy(String revision, Map<String, String> modules) {
    return new TenantPolicy("tenant-1", "3f1c", 3, revision, modules, null);
  }

  @Test
  void should_lay_out_the_bundle_as_opa_documents_it() throws Exception {
    Map<String, String> modules = new LinkedHashMap<>();
    modules.put("policy.rego", POLICY);
    modules.put("lib/helpers.rego", HELPER);
    OpaBundle.Built b = OpaBundle.build(policy("rev-42", modules));
    BundleArchive a = BundleArchive.read(b.gzip());
    assertThat(a.files.keySet()).containsExactly("/.manifest", "/aegis/tenant/lib/helpers.rego",
        "/aegis/tenant/policy.rego");
    assertThat(a.manifest.getString("revision")).isEqualTo("rev-42");
    assertThat(a.manifest.getJsonArray("roots").getList()).containsExactly("aegis/tenant");
    assertThat(a.manifest.getInteger("rego_version")).isEqualTo(1);
    assertThat(a.manifest.getJsonObject("metadata").getInteger("version")).isEqualTo(3);
    assertThat(a.files.get("/aegis/tenant/policy.rego")).isEqualTo(POLICY);
    assertThat(a.files).doesNotContainKey("/data.json");
    assertThat(b.paths()).containsExactlyElementsOf(a.files.keySet());
    assertThat(b.revision()).isEqualTo("rev-42");
  }

  @Test
  void should_build_the_same_bytes_for_the_same_revision() {
    OpaBundle.Built one = OpaBundle.build(policy("r", Map.of("p.rego", POLICY)));
    OpaBundle.Built two = OpaBundle.build(policy("r", Map.of("p.rego", POLICY)));
    assertThat(one.gzip()).isEqualTo(two.gzip());
  }

  @Test
  void should_keep_stored_file_names_inside_the_package_directory() throws Exception {
    Map<String, String> modules = new LinkedHashMap<>();
    modules.put("../../etc/passwd.rego", POLICY);
    modules.put("..\\evil name.rego", POLICY);
    modules.put(".manifest", POLICY);
    modules.put("policy", POLICY);
    modules.put("policy.rego", POLICY);
    BundleArchive a = BundleArchive.read(OpaBundle.build(policy("r", modules)).gzip());
    assertThat(a.files.keySet()).containsExactlyInAnyOrder("/.manifest", "/aegis/tenant/passwd.rego",
        "/aegis/tenant/evil_name.rego", "/aegis/tenant/manifest.rego", "/aegis/tenant/policy.rego",
        "/aegis/tenant/policy-2.rego");
  }

  @Test
  void should_refuse_modules_outside_the_root() {
    assertThatThrownBy(() -> OpaBundle.build(policy("r", Map.of("p.rego", "package aegis.platform\nx := 1\n"))))
        .isInstanceOf(OpaBundle.NotBundleable.class).hasMessageContaining("aegis.platform");
    assertThatThrownBy(() -> OpaBundle.build(policy("r", Map.of("p.rego", "package aegis.tenantx\nx := 1\n"))))
        .isInstanceOf(OpaBundle.NotBundleable.class);
    assertThatThrownBy(() -> OpaBundle.build(policy("r", Map.of("p.rego", "# package aegis.tenant\nx := 1\n"))))
        .isInstanceOf(OpaBundle.NotBundleable.class).hasMessageContaining("no package");
  }

  @Test
  void should_find_the_package_after_comments_and_blank_lines() {
    assertThat(OpaBundle.packageOf("# package nope\n\n  package aegis.tenant.x # trailing\nimport rego.v1\n"))
        .isEqualTo("aegis.tenant.x");
  }

  @Test
  void should_write_long_names_with_the_ustar_prefix_field() throws Exception {
    String dir = "/aegis/tenant/" + "d".repeat(80) + "/" + "e".repeat(40);
    String name = dir + "/" + "f".repeat(90) + ".rego";
    byte[] tar = UstarWriter.archive(Map.of(name, "x".getBytes(StandardCharsets.UTF_8),
        "/empty", new byte[0], "/block", new byte[512]));
    BundleArchive.checkHeaders(tar);
    Map<String, Long> seen = new LinkedHashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        seen.put(e.getName(), e.getSize());
        in.readAllBytes();
      }
    }
    // (readers may drop the leading slash; the prefix and name fields must join back to the path)
    String read = seen.containsKey(name) ? name : name.substring(1);
    assertThat(seen).containsEntry(read, 1L);
    assertThat(seen.values()).containsExactlyInAnyOrder(1L, 0L, 512L);
    assertThatThrownBy(() -> UstarWriter.archive(Map.of("/" + "x".repeat(300), new byte[0])))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
