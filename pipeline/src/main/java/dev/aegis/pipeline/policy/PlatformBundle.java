package dev.aegis.pipeline.policy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The platform policy (SPEC stage 4 hard-deny families and escalate-only rules) as shipped in
 * the jar: the Rego modules under {@code policy/platform/} on the classpath, listed one file name
 * a line in {@code policy/platform/index.txt} (a jar's directories cannot be listed). The
 * decision document is {@code data.aegis.platform.decision}.
 *
 * <p>Read once at class load; immutable and thread safe.
 */
public final class PlatformBundle {

  /** Classpath directory of the modules. */
  public static final String DIR = "policy/platform/";
  /** The query path of the decision document. */
  public static final String DECISION = "aegis.platform.decision";

  private static final Map<String, String> MODULES = load();
  private static final String REVISION = revisionOf(MODULES);

  private PlatformBundle() {
  }

  /**
   * @return file name ({@code policy/platform/shell.rego}) to source, in index order, for
   *     {@code RegoCompiler.compile}
   */
  public static Map<String, String> modules() {
    return MODULES;
  }

  /**
   * @return {@code sha256:} and the hex SHA-256 over every module's name and source, in index
   *     order; changes whenever any module changes
   */
  public static String revision() {
    return REVISION;
  }

  private static Map<String, String> load() {
    String index = read(DIR + "index.txt");
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : index.split("\n")) {
      String name = line.strip();
      if (name.isEmpty() || name.startsWith("#")) {
        continue;
      }
      out.put(DIR + name, read(DIR + name));
    }
    if (out.isEmpty()) {
      throw new IllegalStateException(DIR + "index.txt lists no module");
    }
    return Collections.unmodifiableMap(out);
  }

  private static String read(String resource) {
    try (InputStream in = PlatformBundle.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read classpath resource " + resource, e);
    }
  }

  private static String revisionOf(Map<String, String> modules) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, String> e : modules.entrySet()) {
        byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
        byte[] src = e.getValue().getBytes(StandardCharsets.UTF_8);
        md.update(lengthPrefix(name.length));
        md.update(name);
        md.update(lengthPrefix(src.length));
        md.update(src);
      }
      return "sha256:" + HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private static byte[] lengthPrefix(int n) {
    return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
  }
}
