package dev.aegis.pipeline.rego;

import dev.aegis.pipeline.rego.Ast.Call;
import dev.aegis.pipeline.rego.Ast.Module;
import dev.aegis.pipeline.rego.Ast.Ref;
import dev.aegis.pipeline.rego.Ast.Rule;
import dev.aegis.pipeline.rego.Ast.RuleKind;
import dev.aegis.pipeline.rego.Ast.Str;
import dev.aegis.pipeline.rego.Ast.Term;
import dev.aegis.pipeline.rego.Ast.Var;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The compiler behind {@link RegoCompiler}: parses every module, builds the rule tree (one node
 * per ground path under {@code data}), resolves each module's imports and rule names, and runs the
 * static checks (unknown functions and arity, conflicting rule kinds, multiple defaults, safety of
 * head variables). The result is immutable.
 */
final class Compiler {
  private Compiler() {
  }

  static CompiledPolicy compile(Map<String, String> modules) {
    List<Module> parsed = new ArrayList<>();
    List<String> files = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(modules).entrySet()) {
      parsed.add(Parser.parseModule(e.getValue(), e.getKey()));
      files.add(e.getKey());
    }
    return compileModules(parsed, files);
  }

  static CompiledPolicy compileModules(List<Module> parsed, List<String> files) {
    RuleNode root = new RuleNode("data", null, List.of());
    Map<String, Set<String>> ruleNamesByPkg = new HashMap<>();
    List<ModuleCtx> ctxs = new ArrayList<>();
    List<String> packages = new ArrayList<>();
    for (int m = 0; m < parsed.size(); m++) {
      Module mod = parsed.get(m);
      List<String> pkg = pkgPath(mod.pkg());
      String pkgName = String.join(".", pkg);
      if (!packages.contains(pkgName)) {
        packages.add(pkgName);
      }
      Set<String> names = ruleNamesByPkg.computeIfAbsent(pkgName, k -> new HashSet<>());
      for (Rule r : mod.rules()) {
        names.add(r.name());
      }
      Map<String, Ref> imports = new HashMap<>();
      for (Ast.Import im : mod.imports()) {
        String root0 = im.path().head() instanceof Var v ? v.name() : "";
        if (root0.equals("future") || root0.equals("rego")) {
          continue;
        }
        if (!root0.equals("data") && !root0.equals("input")) {
          throw new RegoError("rego_compile_error", "invalid import " + im.path()
              + ": must begin with input or data", files.get(m), im.loc().line(),
              im.loc().column());
        }
        String alias = im.alias();
        if (alias == null) {
          List<Term> p = im.path().path();
          if (p.isEmpty()) {
            alias = root0;
          } else if (p.get(p.size() - 1) instanceof Str s) {
            alias = s.value();
          } else {
            throw new RegoError("rego_compile_error", "invalid import path", files.get(m),
                im.loc().line(), im.loc().column());
          }
        }
        imports.put(alias, im.path());
      }
      ctxs.add(new ModuleCtx(pkg, pkgName, imports, names, files.get(m)));
    }
    List<String> testRules = new ArrayList<>();
    boolean[] usesClock = {false};
    Map<String, Integer> arities = new HashMap<>();
    for (int m = 0; m < parsed.size(); m++) {
      for (Rule r : parsed.get(m).rules()) {
        if (r.kind() == RuleKind.FUNCTION) {
          List<String> p = new ArrayList<>(ctxs.get(m).pkg());
          p.add(r.name());
          for (Term t : r.head().path()) {
            if (t instanceof Str s) {
              p.add(s.value());
            }
          }
          arities.put(String.join(".", p), r.args().size());
        }
      }
    }
    for (int m = 0; m < parsed.size(); m++) {
      Module mod = parsed.get(m);
      ModuleCtx ctx = ctxs.get(m);
      for (Rule r0 : mod.rules()) {
        scanCalls(r0, ctx, usesClock);
        for (Rule x = r0; x != null; x = x.elseRule()) {
          checkWiths(x.body(), ctx, arities);
        }
        scanPerRequestInput(r0, ctx, usesClock);
        Rule r = Safety.check(r0, ctx, arities);
        addRule(root, ctx, r, testRules);
      }
    }
    checkTree(root);
    int nodes = number(root, 0);
    StaticRules.checkRecursion(root);
    StaticRules.mark(root);
    for (ModuleCtx ctx : ctxs) {
      ctx.bind(root);
    }
    bindRefs(root);
    return new Program(root, ruleNamesByPkg, List.copyOf(packages), List.copyOf(testRules),
        usesClock[0], Map.copyOf(arities), nodes);
  }

  private static List<String> pkgPath(Ref pkg) {
    List<String> out = new ArrayList<>();
    // package refs are parsed with head "data" or the first name; normalise to names after data
    if (pkg.head() instanceof Var v && !v.name().equals("data")) {
      out.add(v.name());
    }
    for (Term t : pkg.path()) {
      if (t instanceof Str s) {
        out.add(s.value());
      } else {
        throw new RegoError(RegoError.PARSE, "package path must be a string path", null, 0, 0);
      }
    }
    return out;
  }

  private static void addRule(RuleNode root, ModuleCtx ctx, Rule r, List<String> testRules) {
    RuleNode node = root;
    for (String p : ctx.pkg()) {
      node = node.child(p);
    }
    List<Term> headPath = new ArrayList<>();
    headPath.add(new Str(r.name()));
    headPath.addAll(r.head().path());
    int i = 0;
    while (i < headPath.size() && headPath.get(i) instanceof Str s) {
      // a ground string segment; for object rules the last segment stays dynamic only if it
      // is not ground, so plain "p[\"a\"] := 1" is a complete rule at p.a
      node = node.child(s.value());
      i++;
    }
    List<Term> suffix = List.copyOf(headPath.subList(i, headPath.size()));
    CRule cr = new CRule(r, ctx, suffix, node);
    if (r.kind() == RuleKind.FUNCTION && r.isDefault()) {
      if (node.defaultFunction != null) {
        throw new RegoError("rego_type_error", "multiple default functions " + node.dataPath()
            + " found", ctx.file(), r.loc().line(), r.loc().column());
      }
      node.defaultFunction = cr;
      node.functions.add(0, cr);
    } else if (r.kind() == RuleKind.FUNCTION) {
      node.functions.add(cr);
    } else if (r.isDefault()) {
      if (node.defaultRule != null) {
        throw new RegoError("rego_type_error", "multiple default rules " + node.dataPath()
            + " found", ctx.file(), r.loc().line(), r.loc().column());
      }
      node.defaultRule = cr;
    } else {
      node.rules.add(cr);
    }
    if (r.name().startsWith("test_") && suffix.isEmpty() && r.kind() != RuleKind.FUNCTION
        && !testRules.contains(node.dataPath())) {
      testRules.add(node.dataPath().substring("data.".length()));
    }
  }

  /** Checks built-in names and arities; notes use of the clock. */
  private static void scanCalls(Rule r, ModuleCtx ctx, boolean[] usesClock) {
    AstWalker.forEachCall(r, c -> {
      String name = c.name();
      if (name == null) {
        return;
      }
      if (name.equals("time.now_ns") || name.startsWith("rand.") || name.equals("uuid.rfc4122")
          || name.equals("http.send")) {
        usesClock[0] = true;
      }
      String first = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
      if (first.equals("data") || ctx.imports().containsKey(first)
          || ctx.ruleNames().contains(first)) {
        return;
      }
      if (Evaluator.isSpecialBuiltin(name)) {
        return;
      }
      Builtins.Def def = Builtins.get(name);
      if (def == null) {
        Ast.Loc at = AstWalker.AT.get();
        throw new RegoError("rego_type_error", "undefined function " + name, ctx.file(),
            at.line(), at.column());
      }
      int n = c.args().size();
      if (n != def.arity() && n != def.arity() + 1) {
        Ast.Loc at = AstWalker.AT.get();
        throw new RegoError("rego_type_error", name + ": arity mismatch: expected "
            + def.arity() + " arguments, got " + n, ctx.file(), at.line(), at.column());
      }
    });
  }

  /**
   * Notes reads of per-request input ({@code input.time}, {@code input.request_id}, or the whole
   * {@code input} document, which may carry them): decisions of such a policy are not cacheable.
   */
  private static void scanPerRequestInput(Rule r, ModuleCtx ctx, boolean[] perRequest) {
    Set<String> inputAliases = new HashSet<>();
    inputAliases.add("input");
    for (Map.Entry<String, Ref> e : ctx.imports().entrySet()) {
      if (e.getValue().head() instanceof Var v && v.name().equals("input")
          && e.getValue().path().isEmpty()) {
        inputAliases.add(e.getKey());
      }
    }
    java.util.IdentityHashMap<Term, Boolean> heads = new java.util.IdentityHashMap<>();
    AstWalker.forEachTerm(r, t -> {
      if (t instanceof Ref ref && ref.head() instanceof Var v && inputAliases.contains(v.name())) {
        heads.put(ref.head(), true);
        Term first = ref.path().isEmpty() ? null : ref.path().get(0);
        if (!(first instanceof Str s) || s.value().equals("time")
            || s.value().equals("request_id")) {
          perRequest[0] = true;
        }
      }
    });
    AstWalker.forEachTerm(r, t -> {
      if (t instanceof Var v && v.name().equals("input") && !heads.containsKey(t)) {
        perRequest[0] = true; // the whole input document
      }
    });
  }

  /**
   * {@code with} targets must be {@code input}, {@code data} or a function (built-in or user
   * function), as in OPA; checked at compile time so an upload reports them.
   */
  private static void checkWiths(Ast.Body b, ModuleCtx ctx, Map<String, Integer> arities) {
    if (b == null) {
      return;
    }
    for (Ast.Expr e : b.exprs()) {
      for (Ast.With w : e.withs()) {
        Term t = w.target();
        Ref r = t instanceof Ref rr ? rr : t instanceof Var v ? new Ref(v, List.of()) : null;
        String root = r != null && r.head() instanceof Var hv ? hv.name() : null;
        boolean ok = root != null && (root.equals("input") || root.equals("data"));
        if (!ok && r != null && r.dotted() != null) {
          String name = r.dotted();
          ok = Builtins.get(name) != null || Evaluator.isSpecialBuiltin(name)
              || isUserFunction(name, ctx, arities);
        }
        if (!ok) {
          throw new RegoError("rego_compile_error", "with keyword target must reference"
              + " existing input, data, or a function", ctx.file(), w.loc().line(),
              w.loc().column());
        }
      }
      if (e.kind() instanceof Ast.Every ev) {
        checkWiths(ev.body(), ctx, arities);
      }
    }
    AstWalker.body(b, t -> {
      if (t instanceof Ast.ArrayCompr c) {
        checkWiths(c.body(), ctx, arities);
      } else if (t instanceof Ast.SetCompr c) {
        checkWiths(c.body(), ctx, arities);
      } else if (t instanceof Ast.ObjectCompr c) {
        checkWiths(c.body(), ctx, arities);
      }
    });
  }

  private static boolean isUserFunction(String name, ModuleCtx ctx, Map<String, Integer> arities) {
    List<String> p = ctx.dataPath(name);
    return p != null && arities.containsKey(String.join(".", p));
  }

  /**
   * Where a reference lands in the rule tree, resolved once: the deepest node reached through
   * its leading string segments, and how many of the reference's own path terms that consumed.
   */
  record RefTarget(RuleNode node, int consumed) {
  }

  /**
   * Resolves, for every rule, each reference whose head is {@code data}, an import alias or a
   * rule name of the package (and not a local of the rule) as far as its leading string segments
   * go in the tree, so evaluation starts at that node instead of walking names from the root.
   * The maps are filled here, before the program is shared, and only read afterwards.
   */
  private static void bindRefs(RuleNode root) {
    java.util.ArrayDeque<RuleNode> todo = new java.util.ArrayDeque<>();
    todo.add(root);
    while (!todo.isEmpty()) {
      RuleNode n = todo.poll();
      todo.addAll(n.children.values());
      List<CRule> all = new ArrayList<>(n.rules);
      all.addAll(n.functions);
      if (n.defaultRule != null) {
        all.add(n.defaultRule);
      }
      for (CRule cr : all) {
        ModuleCtx ctx = cr.ctx();
        Set<String> locals = new HashSet<>();
        for (Term a : cr.rule().args()) {
          Safety.collectVars(a, locals);
        }
        for (Rule r = cr.rule(); r != null; r = r.elseRule()) {
          Safety.collectDeclared(r.body(), locals);
        }
        AstWalker.forEachTerm(cr.rule(), t -> {
          if (t instanceof Ref ref && ref.head() instanceof Var hv
              && !locals.contains(hv.name())) {
            RefTarget target = target(root, ctx, hv.name(), ref.path());
            if (target != null) {
              ctx.refTargets().put(ref, target);
            }
          }
        });
      }
    }
  }

  private static RefTarget target(RuleNode root, ModuleCtx ctx, String head, List<Term> path) {
    RuleNode node;
    if (head.equals("data")) {
      node = root;
    } else if (head.equals("input")) {
      return null;
    } else {
      List<String> p = ctx.dataPath(head);
      node = p == null ? null : root.find(p);
    }
    if (node == null) {
      return null;
    }
    int used = 0;
    while (used < path.size() && !node.hasRules() && node.functions.isEmpty()
        && path.get(used) instanceof Str s) {
      RuleNode c = node.children.get(s.value());
      if (c == null) {
        break;
      }
      node = c;
      used++;
    }
    return new RefTarget(node, used);
  }

  /** Numbers the nodes depth first from {@code next}; returns the next free number. */
  private static int number(RuleNode node, int next) {
    node.id = next++;
    for (RuleNode c : node.children.values()) {
      next = number(c, next);
    }
    return next;
  }

  private static void checkTree(RuleNode node) {
    if (!node.functions.isEmpty() && (!node.rules.isEmpty() || node.defaultRule != null)) {
      CRule f = node.functions.get(0);
      throw new RegoError("rego_type_error", "conflicting rules " + node.dataPath() + " found",
          f.ctx().file(), f.rule().loc().line(), f.rule().loc().column());
    }
    for (RuleNode c : node.children.values()) {
      checkTree(c);
    }
  }

  // ------------------------------------------------------------------ compiled structures

  /**
   * Per-module resolution context, with caches (filled once at compile time, or lazily and
   * thread-safely at evaluation) of what the module's names denote.
   */
  record ModuleCtx(List<String> pkg, String pkgName, Map<String, Ref> imports,
      Set<String> ruleNames, String file, Map<String, RuleNode> ruleNodes,
      Map<Ref, RefTarget> refTargets,
      java.util.concurrent.ConcurrentHashMap<String, Object> functions) {

    ModuleCtx(List<String> pkg, String pkgName, Map<String, Ref> imports, Set<String> ruleNames,
        String file) {
      this(pkg, pkgName, imports, ruleNames, file, new HashMap<>(),
          new java.util.IdentityHashMap<>(), new java.util.concurrent.ConcurrentHashMap<>());
    }

    /**
     * The path under {@code data} that a dotted name denotes in this module: {@code data.a.f},
     * an import alias ({@code lib.f} with {@code import data.x.lib}) or a rule of the package
     * ({@code f}); null for anything else (a built-in, an input import, a local).
     */
    List<String> dataPath(String name) {
      String[] parts = name.split("\\.");
      List<String> p = new ArrayList<>();
      if (parts[0].equals("data")) {
        p.addAll(List.of(parts).subList(1, parts.length));
        return p;
      }
      Ref imp = imports.get(parts[0]);
      if (imp != null) {
        if (!(imp.head() instanceof Var hv) || !hv.name().equals("data")) {
          return null;
        }
        for (Term t : imp.path()) {
          if (!(t instanceof Str s)) {
            return null;
          }
          p.add(s.value());
        }
        p.addAll(List.of(parts).subList(1, parts.length));
        return p;
      }
      if (ruleNames.contains(parts[0])) {
        p.addAll(pkg);
        p.addAll(List.of(parts));
        return p;
      }
      return null;
    }

    /** Resolves every rule name of the package to its node (before the program is shared). */
    void bind(RuleNode root) {
      RuleNode pkgNode = root.find(pkg);
      if (pkgNode == null) {
        return;
      }
      for (String n : ruleNames) {
        RuleNode c = pkgNode.children.get(n);
        if (c != null) {
          ruleNodes.put(n, c);
        }
      }
    }
  }

  /** A rule placed in the tree: {@code suffix} are the head terms after the ground prefix. */
  record CRule(Rule rule, ModuleCtx ctx, List<Term> suffix, RuleNode node) {
  }

  /** One ground path under data. */
  static final class RuleNode {
    final String key;
    final RuleNode parent;
    /** Index of the node in its program (per-query caches are arrays indexed by it). */
    int id;
    final List<String> path;
    final Map<String, RuleNode> children = new LinkedHashMap<>();
    final List<CRule> rules = new ArrayList<>();
    final List<CRule> functions = new ArrayList<>();
    CRule defaultRule;
    /** The value cannot change between queries (see {@link StaticRules}). */
    boolean isStatic;
    /** The default function (also first in {@link #functions}, for arity), or null. */
    CRule defaultFunction;
    private final String dataPath;

    RuleNode(String key, RuleNode parent, List<String> path) {
      this.key = key;
      this.parent = parent;
      this.path = path;
      this.dataPath = path.isEmpty() ? "data" : "data." + String.join(".", path);
    }

    RuleNode child(String k) {
      RuleNode c = children.get(k);
      if (c == null) {
        List<String> p = new ArrayList<>(path);
        p.add(k);
        c = new RuleNode(k, this, List.copyOf(p));
        children.put(k, c);
      }
      return c;
    }

    boolean hasRules() {
      return !rules.isEmpty() || defaultRule != null;
    }

    String dataPath() {
      return dataPath;
    }

    /** The node at a dotted path under data, or null. */
    RuleNode find(List<String> p) {
      RuleNode n = this;
      for (String s : p) {
        n = n.children.get(s);
        if (n == null) {
          return null;
        }
      }
      return n;
    }
  }

  /** Visits every term of a rule (heads, bodies, else chains, with values). */
  static final class AstWalker {
    private AstWalker() {
    }

    static void forEachCall(Rule r, java.util.function.Consumer<Call> f) {
      forEachTerm(r, t -> {
        if (t instanceof Call c) {
          f.accept(c);
        }
      });
    }

    static void forEachTerm(Rule r, java.util.function.Consumer<Term> f) {
      for (Rule x = r; x != null; x = x.elseRule()) {
        AT.set(x.loc());
        r.args().forEach(t -> term(t, f));
        term(x.key(), f);
        term(x.value(), f);
        body(x.body(), f);
        for (Term t : x.head().path()) {
          term(t, f);
        }
      }
    }

    /** Location of the expression being visited (per thread; compile runs on one thread). */
    static final ThreadLocal<Ast.Loc> AT = new ThreadLocal<>();

    static void body(Ast.Body b, java.util.function.Consumer<Term> f) {
      if (b == null) {
        return;
      }
      for (Ast.Expr e : b.exprs()) {
        AT.set(e.loc());
        Ast.ExprKind k = e.kind();
        if (k instanceof Ast.TermExpr t) {
          term(t.term(), f);
        } else if (k instanceof Ast.Assign a) {
          term(a.lhs(), f);
          term(a.rhs(), f);
        } else if (k instanceof Ast.Unify u) {
          term(u.lhs(), f);
          term(u.rhs(), f);
        } else if (k instanceof Ast.SomeIn s) {
          term(s.key(), f);
          term(s.value(), f);
          term(s.collection(), f);
        } else if (k instanceof Ast.Every ev) {
          term(ev.key(), f);
          term(ev.value(), f);
          term(ev.domain(), f);
          body(ev.body(), f);
        }
        for (Ast.With w : e.withs()) {
          term(w.value(), f);
        }
      }
    }

    static void term(Term t, java.util.function.Consumer<Term> f) {
      if (t == null) {
        return;
      }
      f.accept(t);
      if (t instanceof Call c) {
        c.args().forEach(a -> term(a, f));
      } else if (t instanceof Ref r) {
        term(r.head(), f);
        r.path().forEach(a -> term(a, f));
      } else if (t instanceof Ast.ArrayTerm a) {
        a.items().forEach(x -> term(x, f));
      } else if (t instanceof Ast.SetTerm s) {
        s.items().forEach(x -> term(x, f));
      } else if (t instanceof Ast.ObjectTerm o) {
        o.entries().forEach(en -> {
          term(en.key(), f);
          term(en.value(), f);
        });
      } else if (t instanceof Ast.ArrayCompr c) {
        term(c.head(), f);
        body(c.body(), f);
      } else if (t instanceof Ast.SetCompr c) {
        term(c.head(), f);
        body(c.body(), f);
      } else if (t instanceof Ast.ObjectCompr c) {
        term(c.key(), f);
        term(c.value(), f);
        body(c.body(), f);
      }
    }
  }

  /** The compiled program. */
  static final class Program implements CompiledPolicy {
    final RuleNode root;
    final Map<String, Set<String>> ruleNamesByPkg;
    private final List<String> packages;
    private final List<String> testRules;
    private final boolean usesClock;
    /** Resolution context of ad-hoc queries (its caches are this program's own). */
    final ModuleCtx queryCtx = new ModuleCtx(List.of(), "", Map.of(), Set.of(), null);

    final Map<String, Integer> arities;
    /** Values of static rules, by strictness (non-strict, strict). */
    @SuppressWarnings("unchecked")
    final Map<RuleNode, Object>[] staticValues = new Map[] {
        new java.util.concurrent.ConcurrentHashMap<>(), new java.util.concurrent.ConcurrentHashMap<>()};

    final int nodeCount;

    Program(RuleNode root, Map<String, Set<String>> ruleNamesByPkg, List<String> packages,
        List<String> testRules, boolean usesClock, Map<String, Integer> arities, int nodeCount) {
      this.arities = arities;
      this.nodeCount = nodeCount;
      this.root = root;
      this.ruleNamesByPkg = ruleNamesByPkg;
      this.packages = packages;
      this.testRules = testRules;
      this.usesClock = usesClock;
    }

    @Override
    public PreparedQuery prepare(String query) {
      Ast.Body body = Safety.checkQuery(Parser.parseQuery(query), queryCtx, arities);
      List<String> vars = new ArrayList<>();
      QueryVars.collect(body, vars);
      List<String> out = List.copyOf(vars);
      return new PreparedQuery() {
        @Override
        public List<String> variables() {
          return out;
        }

        @Override
        public List<Map<String, Value>> eval(Value input, Value data, QueryOptions options) {
          return new Evaluator(Program.this, input, data, options).query(body, out);
        }
      };
    }

    @Override
    public Value evalRef(String path, Value input, Value data, QueryOptions options) {
      List<String> p = List.of(path.split("\\."));
      return new Evaluator(this, input, data, options).valueAt(p);
    }

    @Override
    public List<String> packages() {
      return packages;
    }

    @Override
    public List<String> testRules() {
      return testRules;
    }

    @Override
    public boolean usesClock() {
      return usesClock;
    }
  }

  /** The output variables of a query: every non-wildcard var, in order of appearance. */
  static final class QueryVars {
    private QueryVars() {
    }

    static void collect(Ast.Body body, List<String> out) {
      for (Ast.Expr e : body.exprs()) {
        Ast.ExprKind k = e.kind();
        if (k instanceof Ast.TermExpr t) {
          term(t.term(), out);
        } else if (k instanceof Ast.Assign a) {
          term(a.lhs(), out);
          term(a.rhs(), out);
        } else if (k instanceof Ast.Unify u) {
          term(u.lhs(), out);
          term(u.rhs(), out);
        } else if (k instanceof Ast.SomeVars s) {
          s.vars().forEach(v -> term(v, out));
        } else if (k instanceof Ast.SomeIn s) {
          term(s.key(), out);
          term(s.value(), out);
          term(s.collection(), out);
        }
      }
    }

    private static void term(Term t, List<String> out) {
      if (t == null) {
        return;
      }
      if (t instanceof Var v) {
        if (!v.isWildcard() && !v.name().equals("input") && !v.name().equals("data")
            && !out.contains(v.name())) {
          out.add(v.name());
        }
      } else if (t instanceof Ref r) {
        term(r.head(), out);
        r.path().forEach(x -> term(x, out));
      } else if (t instanceof Call c) {
        c.args().forEach(x -> term(x, out));
      } else if (t instanceof Ast.ArrayTerm a) {
        a.items().forEach(x -> term(x, out));
      } else if (t instanceof Ast.SetTerm s) {
        s.items().forEach(x -> term(x, out));
      } else if (t instanceof Ast.ObjectTerm o) {
        o.entries().forEach(en -> {
          term(en.key(), out);
          term(en.value(), out);
        });
      }
    }
  }
}
