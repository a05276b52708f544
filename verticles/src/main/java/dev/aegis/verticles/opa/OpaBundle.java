package dev.aegis.verticles.opa;

import dev.aegis.pipeline.ports.TenantPolicySource.TenantPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * A tenant's active policy as an OPA bundle (OPA docs, "Bundles": a gzipped tarball of
 * {@code .rego} files, optional {@code data.json} files and a {@code .manifest}), laid out as
 * {@code opa build} lays out its own:
 *
 * <pre>
 * /.manifest                  {"revision": "&lt;revision&gt;", "roots": ["aegis/tenant"],
 *                              "rego_version": 1, "metadata": {...}}
 * /aegis/tenant/policy.rego   each module under its package's directory
 * </pre>
 *
 * <p>OPA refuses a bundle with a module whose package is outside the manifest roots, so every
 * module must be in {@code package aegis.tenant} or below it ({@link NotBundleable} otherwise).
 * There is no {@code data.json}: a tenant policy carries no data. {@code rego_version: 1} tells
 * OPA the modules are Rego v1 ({@code if}, {@code contains}) whatever its default. Module file
 * names are reduced to their base name (letters, digits, {@code . _ -}) and made unique per
 * directory, so a stored name can never place a file outside its package directory.
 *
 * <p>Every tenant's bundle declares the same root, so one OPA server serves one tenant (the
 * sidecar model of the seed topology's {@code acp_opa}), pulling with that tenant's credential.
 */
public final class OpaBundle {

  /** The root every tenant bundle declares. */
  public static final String ROOT = "aegis/tenant";
  private static final Pattern PACKAGE = Pattern.compile(
      "^\\s*package\\s+([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*)\\s*(?:#.*)?$", Pattern.MULTILINE);

  /** A module that cannot be placed under the bundle's root. */
  public static final class NotBundleable extends RuntimeException {
    public NotBundleable(String message) {
      super(message);
    }
  }

  /**
   * A built bundle.
   *
   * @param revision the policy revision (the manifest's and the ETag's)
   * @param gzip the {@code .tar.gz} bytes
   * @param paths the archive's file paths, in order
   */
  public record Built(String revision, byte[] gzip, List<String> paths) {}

  private OpaBundle() {
  }

  /** Builds the bundle of {@code policy}; CPU work, run it off the event loop. */
  public static Built build(TenantPolicy policy) {
    Map<String, byte[]> files = new TreeMap<>();
    Set<String> used = new HashSet<>();
    for (Map.Entry<String, String> m : new TreeMap<>(policy.modules()).entrySet()) {
      String pkg = packageOf(m.getValue());
      if (pkg == null) {
        throw new NotBundleable("module " + m.getKey() + " has no package declaration");
      }
      String dir = pkg.replace('.', '/');
      if (!(dir.equals(ROOT) || dir.startsWith(ROOT + "/"))) {
        throw new NotBundleable("module " + m.getKey() + " is in package " + pkg
            + ", outside the bundle root " + ROOT);
      }
      String path = "/" + dir + "/" + uniqueName(dir, baseName(m.getKey()), used);
      files.put(path, m.getValue().getBytes(StandardCharsets.UTF_8));
    }
    JsonObject manifest = new JsonObject()
        .put("revision", policy.revision())
        .put("roots", new JsonArray().add(ROOT))
        .put("rego_version", 1)
        .put("metadata", new JsonObject().put("tenant_id", policy.tenantId())
            .put("version", policy.version()).put("version_id", policy.versionId()));
    List<String> paths = new ArrayList<>();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      UstarWriter tar = new UstarWriter(gz);
      tar.file("/.manifest", manifest.encode().getBytes(StandardCharsets.UTF_8));
      paths.add("/.manifest");
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        tar.file(f.getKey(), f.getValue());
        paths.add(f.getKey());
      }
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Built(policy.revision(), bytes.toByteArray(), List.copyOf(paths));
  }

  /** The module's package (dotted), skipping comment lines, or null. */
  static String packageOf(String source) {
    Matcher m = PACKAGE.matcher(source);
    return m.find() ? m.group(1) : null;
  }

  private static String baseName(String fileName) {
    String s = fileName.replace('\\', '/');
    s = s.substring(s.lastIndexOf('/') + 1);
    s = s.replaceAll("[^A-Za-z0-9._-]", "_");
    while (s.startsWith(".")) {
      s = s.substring(1);
    }
    if (s.endsWith(".rego")) {
      s = s.substring(0, s.length() - 5);
    }
    if (s.isEmpty()) {
      s = "policy";
    }
    return s.length() > 60 ? s.substring(0, 60) : s;
  }

  private static String uniqueName(String dir, String base, Set<String> used) {
    String name = base + ".rego";
    for (int i = 2; !used.add(dir + "/" + name); i++) {
      name = base + "-" + i + ".rego";
    }
    return name;
  }
}
