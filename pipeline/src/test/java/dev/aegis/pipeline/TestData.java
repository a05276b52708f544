package dev.aegis.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the conformance vectors: the repository's {@code testdata/}, else {@code ../shared/testdata/}. */
public final class TestData {

  private TestData() {}

  /** The vector folder {@code name} (merkle, jcs, rego); fails loudly when neither copy exists. */
  public static Path dir(String name) {
    Path module = Path.of(System.getProperty("user.dir"));
    for (Path candidate : new Path[] {module.resolve("../testdata").resolve(name).normalize(),
        module.resolve("../../shared/testdata").resolve(name).normalize()}) {
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("test vectors '" + name + "' not found under " + module.resolve("../testdata")
        + " or " + module.resolve("../../shared/testdata"));
  }
}
