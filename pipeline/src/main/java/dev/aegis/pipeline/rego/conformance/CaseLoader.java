package dev.aegis.pipeline.rego.conformance;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Loads conformance case files ({@code *.yaml}, {@code *.yml}) under a folder, recursively, in
 * path order.
 *
 * <p>YAML is read the way OPA's loader reads it (Go yaml.v2 into JSON): timestamps stay strings,
 * floats keep their decimal text (as {@link BigDecimal}), integers are Integer/Long/BigInteger,
 * mapping keys become strings.
 */
public final class CaseLoader {

  private CaseLoader() {
  }

  /** A file that could not be read or parsed; its cases are reported as one failure. */
  public record LoadError(String file, String category, String message) {
  }

  /** The cases of every file, plus the files that could not be loaded. */
  public record Loaded(List<ConformanceCase> cases, List<LoadError> errors) {
  }

  /** Every case file under {@code root}, sorted by path. */
  public static List<Path> caseFiles(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> {
            String n = p.getFileName().toString();
            return n.endsWith(".yaml") || n.endsWith(".yml");
          })
          .sorted()
          .toList();
    }
  }

  /** Loads every case file under {@code root}; a file that fails to load becomes a LoadError. */
  public static Loaded load(Path root) throws IOException {
    List<ConformanceCase> cases = new ArrayList<>();
    List<LoadError> errors = new ArrayList<>();
    for (Path f : caseFiles(root)) {
      String rel = relative(root, f);
      String category = categoryOf(rel);
      try {
        cases.addAll(parse(rel, Files.readString(f)));
      } catch (IOException | RuntimeException e) {
        errors.add(new LoadError(rel, category, e.getClass().getSimpleName() + ": "
            + e.getMessage()));
      }
    }
    return new Loaded(cases, errors);
  }

  /** First folder of a relative path, or {@code .} for a file at the root. */
  public static String categoryOf(String relativePath) {
    int slash = relativePath.indexOf('/');
    return slash < 0 ? "." : relativePath.substring(0, slash);
  }

  static String relative(Path root, Path f) {
    return root.relativize(f).toString().replace('\\', '/');
  }

  /** Parses one file's text; {@code rel} names it in the cases. */
  public static List<ConformanceCase> parse(String rel, String text) {
    Object doc = yaml().load(text);
    if (!(doc instanceof Map<?, ?> top)) {
      throw new IllegalArgumentException("not a mapping with 'cases'");
    }
    Object list = top.get("cases");
    if (!(list instanceof List<?> items)) {
      throw new IllegalArgumentException("no 'cases' list");
    }
    String category = categoryOf(rel);
    List<ConformanceCase> out = new ArrayList<>();
    for (Object item : items) {
      if (!(item instanceof Map<?, ?> raw)) {
        throw new IllegalArgumentException("a case is not a mapping");
      }
      Map<String, Object> c = stringKeys(raw);
      out.add(new ConformanceCase(rel, category, str(c.get("note")), str(c.get("query")),
          modules(c.get("modules")), c.get("data"), c.get("input"), c.get("input") != null,
          str(c.get("input_term")), rows(c.get("want_result")), bool(c.get("sort_bindings")),
          str(c.get("want_error_code")), str(c.get("want_error")), bool(c.get("strict_error")),
          c.get("want_defined") == null ? null : bool(c.get("want_defined")),
          env(c.get("env")), skip(c.get("skip"))));
    }
    return out;
  }

  private static String str(Object o) {
    return o == null ? null : String.valueOf(o);
  }

  private static boolean bool(Object o) {
    return o instanceof Boolean b ? b : o != null && Boolean.parseBoolean(String.valueOf(o));
  }

  private static String skip(Object o) {
    if (o == null || Boolean.FALSE.equals(o)) {
      return null;
    }
    return Boolean.TRUE.equals(o) ? "skip: true" : String.valueOf(o);
  }

  private static List<String> modules(Object o) {
    if (o == null) {
      return List.of();
    }
    if (!(o instanceof List<?> l)) {
      throw new IllegalArgumentException("'modules' is not a list");
    }
    return l.stream().map(String::valueOf).toList();
  }

  private static Map<String, String> env(Object o) {
    if (!(o instanceof Map<?, ?> m)) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> rows(Object o) {
    if (o == null) {
      return null;
    }
    if (!(o instanceof List<?> l)) {
      throw new IllegalArgumentException("'want_result' is not a list");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object r : l) {
      if (!(r instanceof Map<?, ?> m)) {
        throw new IllegalArgumentException("a 'want_result' row is not a mapping");
      }
      out.add(stringKeys(m));
    }
    return out;
  }

  private static Map<String, Object> stringKeys(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  // ------------------------------------------------------------------ YAML setup

  private static Yaml yaml() {
    LoaderOptions lo = new LoaderOptions();
    lo.setAllowDuplicateKeys(true);
    lo.setMaxAliasesForCollections(1000);
    DumperOptions dumper = new DumperOptions();
    return new Yaml(new JsonLikeConstructor(lo), new Representer(dumper), dumper, lo,
        new NoTimestampResolver());
  }

  /** YAML 1.1 resolution without the timestamp type (Go's yaml.v2 keeps those as strings). */
  private static final class NoTimestampResolver extends Resolver {
    @Override
    public void addImplicitResolver(Tag tag, Pattern regexp, String first) {
      if (!Tag.TIMESTAMP.equals(tag)) {
        super.addImplicitResolver(tag, regexp, first);
      }
    }

    @Override
    public void addImplicitResolver(Tag tag, Pattern regexp, String first, int limit) {
      if (!Tag.TIMESTAMP.equals(tag)) {
        super.addImplicitResolver(tag, regexp, first, limit);
      }
    }
  }

  /** Floats as BigDecimal of their text (so 0.1 stays 0.1); other types as SnakeYAML does. */
  private static final class JsonLikeConstructor extends SafeConstructor {
    JsonLikeConstructor(LoaderOptions lo) {
      super(lo);
      AbstractConstruct floats = (AbstractConstruct) this.yamlConstructors.get(Tag.FLOAT);
      this.yamlConstructors.put(Tag.FLOAT, new AbstractConstruct() {
        @Override
        public Object construct(Node node) {
          String text = ((ScalarNode) node).getValue().replace("_", "");
          try {
            return new BigDecimal(text);
          } catch (NumberFormatException e) {
            return floats.construct(node);
          }
        }
      });
    }
  }
}
