package dev.aegis.pipeline.rego.conformance;

import dev.aegis.pipeline.rego.Ast;
import dev.aegis.pipeline.rego.CompiledPolicy;
import dev.aegis.pipeline.rego.Parser;
import dev.aegis.pipeline.rego.QueryOptions;
import dev.aegis.pipeline.rego.RegoCompiler;
import dev.aegis.pipeline.rego.RegoError;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Values;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs OPA's YAML conformance cases ({@code v1/test/cases/testdata} format, see
 * {@code testdata/rego/README.md}) against this engine: modules named {@code test-N.rego},
 * compiled with {@link RegoCompiler#compile}, the query run with
 * {@link CompiledPolicy#query} and checked by {@link ResultMatcher}.
 *
 * <p>Never throws for a case: any exception other than {@link RegoError} fails the case with its
 * message, and a case that runs longer than the timeout fails with {@code timeout} (its thread
 * is abandoned, as the evaluator may not heed interrupts).
 */
public final class ConformanceRunner {

  /** Default time limit of one case. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Options of a run.
   *
   * @param category run only this category (first folder), or null for all
   * @param timeout time limit of one case
   */
  public record Options(String category, Duration timeout) {
    public static final Options DEFAULT = new Options(null, DEFAULT_TIMEOUT);
  }

  private static final long STACK_BYTES = 64L << 20;
  private static final AtomicInteger THREADS = new AtomicInteger();

  private ConformanceRunner() {
  }

  /** Loads every case file under {@code root} and runs its cases. */
  public static ConformanceReport run(Path root, Options options) throws IOException {
    CaseLoader.Loaded loaded = CaseLoader.load(root);
    List<CaseResult> results = new ArrayList<>();
    for (CaseLoader.LoadError e : loaded.errors()) {
      if (options.category() == null || options.category().equals(e.category())) {
        results.add(new CaseResult(e.file(), e.category(), "(file)", CaseResult.Status.FAILED,
            "cannot load: " + e.message()));
      }
    }
    List<ConformanceCase> cases = loaded.cases().stream()
        .filter(c -> options.category() == null || options.category().equals(c.category()))
        .toList();
    results.addAll(runAll(cases, options.timeout()));
    results.sort((a, b) -> a.file().compareTo(b.file()));
    return new ConformanceReport(results);
  }

  /** Runs {@code cases} in order, each on a worker thread with a time limit. */
  public static List<CaseResult> runAll(List<ConformanceCase> cases, Duration timeout) {
    List<CaseResult> out = new ArrayList<>(cases.size());
    ExecutorService worker = newWorker();
    try {
      for (ConformanceCase c : cases) {
        Future<CaseResult> f = worker.submit(() -> runCase(c));
        try {
          out.add(f.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
          f.cancel(true);
          worker.shutdownNow();
          worker = newWorker();
          out.add(CaseResult.failed(c, "timeout (" + timeout.toMillis() + " ms)"));
        } catch (ExecutionException e) {
          out.add(CaseResult.failed(c, "exception: " + e.getCause()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          out.add(CaseResult.failed(c, "interrupted"));
          break;
        }
      }
    } finally {
      worker.shutdownNow();
    }
    return out;
  }

  private static ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(null, r, "rego-conformance-" + THREADS.incrementAndGet(),
          STACK_BYTES);
      t.setDaemon(true);
      return t;
    });
  }

  /** Runs one case on the calling thread (no time limit). Never throws. */
  public static CaseResult runCase(ConformanceCase c) {
    if (c.skip() != null) {
      return CaseResult.skipped(c, c.skip());
    }
    if (!c.env().isEmpty()) {
      return CaseResult.skipped(c, "needs environment variables " + c.env().keySet());
    }
    if (c.query() == null || c.query().isBlank()) {
      return CaseResult.failed(c, "case has no query");
    }
    if (!c.hasExpectation()) {
      return CaseResult.failed(c,
          "case has none of want_result, want_error_code, want_error, want_defined");
    }
    Map<String, String> modules = new LinkedHashMap<>();
    for (int i = 0; i < c.modules().size(); i++) {
      modules.put("test-" + i + ".rego", c.modules().get(i));
    }
    List<Map<String, Value>> rows = List.of();
    RegoError error = null;
    try {
      QueryOptions opts = new QueryOptions(c.strictError(), 0);
      CompiledPolicy policy = RegoCompiler.compile(modules);
      Value data = c.data() == null ? Value.EMPTY_OBJECT : ResultMatcher.expected(c.data());
      Value input = input(c, policy, data, opts);
      rows = policy.query(c.query(), input, data, opts);
    } catch (RegoError e) {
      error = e;
    } catch (StackOverflowError e) {
      return CaseResult.failed(c, "exception: StackOverflowError");
    } catch (Throwable e) {
      return CaseResult.failed(c, "exception: " + e);
    }
    String problem = ResultMatcher.check(c, rows, error);
    return problem == null ? CaseResult.passed(c) : CaseResult.failed(c, problem);
  }

  /**
   * The case's input: {@code input_term} (a Rego term; a ground one is converted directly, any
   * other is evaluated), else {@code input}, else null (no input document).
   */
  static Value input(ConformanceCase c, CompiledPolicy policy, Value data, QueryOptions opts) {
    if (c.inputTerm() != null) {
      Value ground = groundValue(Parser.parseTerm(c.inputTerm()));
      if (ground != null) {
        return ground;
      }
      List<Map<String, Value>> rows =
          policy.query("__input_term__ = " + c.inputTerm(), null, data, opts);
      if (rows.isEmpty()) {
        throw new IllegalArgumentException("input_term is undefined: " + c.inputTerm());
      }
      return rows.get(0).get("__input_term__");
    }
    return c.hasInput() ? ResultMatcher.expected(c.input()) : null;
  }

  /** The value of a ground scalar/composite term, or null when it needs evaluation. */
  static Value groundValue(Ast.Term t) {
    if (t instanceof Ast.Null) {
      return Value.NULL;
    }
    if (t instanceof Ast.Bool b) {
      return Value.bool(b.value());
    }
    if (t instanceof Ast.Num n) {
      return Value.NumV.parse(n.text());
    }
    if (t instanceof Ast.Str s) {
      return new Value.StrV(s.value());
    }
    if (t instanceof Ast.ArrayTerm a) {
      List<Value> items = new ArrayList<>();
      for (Ast.Term x : a.items()) {
        Value v = groundValue(x);
        if (v == null) {
          return null;
        }
        items.add(v);
      }
      return new Value.ArrV(items);
    }
    if (t instanceof Ast.SetTerm s) {
      java.util.TreeSet<Value> items = new java.util.TreeSet<>(Values::compare);
      for (Ast.Term x : s.items()) {
        Value v = groundValue(x);
        if (v == null) {
          return null;
        }
        items.add(v);
      }
      return items.isEmpty() ? Value.EMPTY_SET : new Value.SetV(items);
    }
    if (t instanceof Ast.ObjectTerm o) {
      java.util.TreeMap<Value, Value> m = new java.util.TreeMap<>(Values::compare);
      for (Ast.Entry e : o.entries()) {
        Value k = groundValue(e.key());
        Value v = groundValue(e.value());
        if (k == null || v == null) {
          return null;
        }
        m.put(k, v);
      }
      return m.isEmpty() ? Value.EMPTY_OBJECT : new Value.ObjV(m);
    }
    return null;
  }
}
