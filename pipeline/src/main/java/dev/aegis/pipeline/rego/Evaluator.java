package dev.aegis.pipeline.rego;

import dev.aegis.pipeline.rego.Ast.ArrayCompr;
import dev.aegis.pipeline.rego.Ast.ArrayTerm;
import dev.aegis.pipeline.rego.Ast.Assign;
import dev.aegis.pipeline.rego.Ast.Body;
import dev.aegis.pipeline.rego.Ast.Bool;
import dev.aegis.pipeline.rego.Ast.Call;
import dev.aegis.pipeline.rego.Ast.Entry;
import dev.aegis.pipeline.rego.Ast.Every;
import dev.aegis.pipeline.rego.Ast.Expr;
import dev.aegis.pipeline.rego.Ast.ExprKind;
import dev.aegis.pipeline.rego.Ast.Null;
import dev.aegis.pipeline.rego.Ast.Num;
import dev.aegis.pipeline.rego.Ast.ObjectCompr;
import dev.aegis.pipeline.rego.Ast.ObjectTerm;
import dev.aegis.pipeline.rego.Ast.Ref;
import dev.aegis.pipeline.rego.Ast.Rule;
import dev.aegis.pipeline.rego.Ast.RuleKind;
import dev.aegis.pipeline.rego.Ast.SetCompr;
import dev.aegis.pipeline.rego.Ast.SetTerm;
import dev.aegis.pipeline.rego.Ast.SomeIn;
import dev.aegis.pipeline.rego.Ast.SomeVars;
import dev.aegis.pipeline.rego.Ast.Str;
import dev.aegis.pipeline.rego.Ast.Term;
import dev.aegis.pipeline.rego.Ast.TermExpr;
import dev.aegis.pipeline.rego.Ast.Unify;
import dev.aegis.pipeline.rego.Ast.Var;
import dev.aegis.pipeline.rego.Ast.With;
import dev.aegis.pipeline.rego.Compiler.CRule;
import dev.aegis.pipeline.rego.Compiler.ModuleCtx;
import dev.aegis.pipeline.rego.Compiler.Program;
import dev.aegis.pipeline.rego.Compiler.RuleNode;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Value.NumV;
import dev.aegis.pipeline.rego.Value.ObjV;
import dev.aegis.pipeline.rego.Value.SetV;
import dev.aegis.pipeline.rego.Value.StrV;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One evaluation of a compiled program: a top-down, backtracking interpreter in
 * continuation-passing style. Every generator (reference iteration, unification, rule bodies)
 * calls its continuation once per solution; a continuation returns {@code true} to stop the
 * enumeration (used by negation, {@code every} and existence checks). Bindings live in a
 * {@link Frame} per rule invocation and are undone on backtrack.
 *
 * <p>Virtual documents are computed once per evaluation and cached by rule node; a {@code with}
 * modifier opens a fresh cache for the duration of its expression. Not thread safe: one instance
 * per query.
 */
final class Evaluator {
  /** Continuation: returns true to stop. */
  @FunctionalInterface
  interface K {
    boolean go();
  }

  /** Value continuation: returns true to stop. */
  @FunctionalInterface
  interface VK {
    boolean go(Value v);
  }

  private static final Object UNDEFINED = new Object();
  private static final int MAX_DEPTH = 200;

  private final Program prog;
  private final QueryOptions opts;
  private final BuiltinContext bctx;
  private Value input;
  private Value data;
  /** Rule values of this evaluation by node id (null: not computed yet). */
  private Object[] cache;
  private final boolean[] inProgress;
  private List<Override> overrides = List.of();
  private Map<String, Object> mocks = Map.of();
  private Ast.Loc loc = new Ast.Loc(0, 0);
  private String file;
  private int depth;
  private long steps;

  private record Override(List<String> path, Value value) {
  }

  Evaluator(Program prog, Value input, Value data, QueryOptions opts) {
    this.prog = prog;
    this.cache = new Object[prog.nodeCount];
    this.inProgress = new boolean[prog.nodeCount];
    this.input = input;
    this.data = data == null ? Value.EMPTY_OBJECT : data;
    this.opts = opts == null ? QueryOptions.DEFAULT : opts;
    this.bctx = this.opts.nowNs() != 0 ? new BuiltinContext(this.opts.nowNs())
        : BuiltinContext.now();
  }

  static boolean isSpecialBuiltin(String name) {
    return name.equals("walk") || name.equals("print") || name.equals("trace")
        || name.equals("internal.print");
  }

  // ------------------------------------------------------------------ entry points

  List<Map<String, Value>> query(Body body, List<String> vars) {
    try {
      return query0(body, vars);
    } catch (StackOverflowError e) {
      throw new RegoError("eval_budget_error", "evaluation too deeply nested", file, 0, 0);
    }
  }

  Value valueAt(List<String> path) {
    try {
      return valueAt0(path);
    } catch (StackOverflowError e) {
      throw new RegoError("eval_budget_error", "evaluation too deeply nested", file, 0, 0);
    }
  }

  private List<Map<String, Value>> query0(Body body, List<String> vars) {
    Frame f = new Frame(prog.queryCtx);
    List<Map<String, Value>> rows = new ArrayList<>();
    evalBody(body.exprs(), 0, f, () -> {
      Map<String, Value> row = new LinkedHashMap<>();
      for (String v : vars) {
        Value x = f.get(v);
        if (x != null) {
          row.put(v, x);
        }
      }
      rows.add(row);
      return false;
    });
    return rows;
  }

  private Value valueAt0(List<String> path) {
    List<Term> terms = new ArrayList<>(path.size());
    for (String s : path) {
      terms.add(new Str(s));
    }
    Value[] out = new Value[1];
    Frame f = new Frame(prog.queryCtx);
    walkData(prog.root, data, terms, 0, f, v -> {
      out[0] = v;
      return true;
    });
    return out[0];
  }

  // ------------------------------------------------------------------ frames

  /** Variable bindings of one rule invocation (or query), with an undo trail. */
  static final class Frame {
    final ModuleCtx ctx;
    // a rule invocation binds a handful of variables: parallel arrays scanned linearly, names
    // compared by identity first (Var interns them), beat hashing
    private String[] names = new String[8];
    private Value[] vals = new Value[8];
    private int size;
    private String[] declared;
    private int declaredSize;

    Frame(ModuleCtx ctx) {
      this.ctx = ctx;
    }

    Value get(String name) {
      for (int i = size - 1; i >= 0; i--) {
        String n = names[i];
        if (n == name || n.equals(name)) {
          return vals[i];
        }
      }
      return null;
    }

    /** Binds an unbound variable (callers check {@link #get} first). */
    void bind(String name, Value v) {
      if (size == names.length) {
        names = java.util.Arrays.copyOf(names, size * 2);
        vals = java.util.Arrays.copyOf(vals, size * 2);
      }
      names[size] = name;
      vals[size++] = v;
    }

    /** Undoes a binding; bindings are undone in reverse order (backtracking). */
    void unbind(String name) {
      for (int i = size - 1; i >= 0; i--) {
        String n = names[i];
        if (n == name || n.equals(name)) {
          System.arraycopy(names, i + 1, names, i, size - i - 1);
          System.arraycopy(vals, i + 1, vals, i, size - i - 1);
          size--;
          names[size] = null;
          vals[size] = null;
          return;
        }
      }
    }

    void declare(String name) {
      if (declared == null) {
        declared = new String[4];
      } else if (declaredSize == declared.length) {
        declared = java.util.Arrays.copyOf(declared, declaredSize * 2);
      }
      declared[declaredSize++] = name;
    }

    boolean isDeclared(String name) {
      for (int i = 0; i < declaredSize; i++) {
        String d = declared[i];
        if (d == name || d.equals(name)) {
          return true;
        }
      }
      return false;
    }
  }

  // ------------------------------------------------------------------ errors

  private RegoError error(String code, String message) {
    return new RegoError(code, message, file, loc.line(), 0);
  }

  private RegoError unsafe(String var) {
    return new RegoError("rego_unsafe_var_error", "var " + var + " is unsafe", file, loc.line(),
        loc.column());
  }

  private RegoError conflict(String message) {
    return error("eval_conflict_error", message);
  }

  // ------------------------------------------------------------------ bodies and expressions

  private boolean evalBody(List<Expr> exprs, int i, Frame f, K k) {
    if (i == exprs.size()) {
      // every solution of a body counts too: a comprehension or rule whose last expression
      // iterates (some y in big) otherwise produces unbounded output within a bounded budget
      step(f, exprs.isEmpty() ? loc.line() : exprs.get(i - 1).loc().line());
      return k.go();
    }
    Expr e = exprs.get(i);
    return evalExpr(e, f, () -> evalBody(exprs, i + 1, f, k));
  }

  /** Counts one step; enforces the step budget and (every 1,024 steps) the deadline. */
  private void step(Frame f, int line) {
    long n = ++steps;
    if (n > opts.maxSteps()) {
      throw new RegoError("eval_budget_error", "evaluation budget of " + opts.maxSteps()
          + " steps exceeded", f.ctx.file(), line, 0);
    }
    if ((n & 1023) == 0 && opts.deadlineNanos() != 0
        && System.nanoTime() - opts.deadlineNanos() > 0) {
      throw new RegoError("eval_budget_error", "evaluation exceeded its time budget", f.ctx.file(),
          line, 0);
    }
  }

  private boolean evalExpr(Expr e, Frame f, K k) {
    step(f, e.loc().line());
    Ast.Loc saveLoc = loc;
    String saveFile = file;
    loc = e.loc();
    file = f.ctx.file();
    try {
      if (!e.withs().isEmpty()) {
        return evalWith(e, f, k);
      }
      return evalPlain(e, f, k);
    } finally {
      loc = saveLoc;
      file = saveFile;
    }
  }

  private boolean evalPlain(Expr e, Frame f, K k) {
    if (e.negated()) {
      boolean found = evalKind(e.kind(), f, () -> true);
      return !found && k.go();
    }
    return evalKind(e.kind(), f, k);
  }

  private boolean evalKind(ExprKind kind, Frame f, K k) {
    if (kind instanceof TermExpr t) {
      return evalTerm(t.term(), f, v -> (v instanceof Value.BoolV b && !b.value()) ? false
          : k.go());
    }
    if (kind instanceof Unify u) {
      return unify(u.lhs(), u.rhs(), f, k);
    }
    if (kind instanceof Assign a) {
      declarePattern(a.lhs(), f);
      return unify(a.lhs(), a.rhs(), f, k);
    }
    if (kind instanceof SomeVars s) {
      for (Var v : s.vars()) {
        f.declare(v.name());
      }
      return k.go();
    }
    if (kind instanceof SomeIn s) {
      if (s.key() != null) {
        declarePattern(s.key(), f);
      }
      declarePattern(s.value(), f);
      return evalTerm(s.collection(), f, coll -> eachElement(coll, (key, val) -> {
        if (s.key() == null) {
          return unifyValue(s.value(), val, f, k);
        }
        return unifyValue(s.key(), key, f, () -> unifyValue(s.value(), val, f, k));
      }));
    }
    if (kind instanceof Every ev) {
      if (ev.key() != null) {
        declarePattern(ev.key(), f);
      }
      declarePattern(ev.value(), f);
      boolean[] defined = {false};
      boolean stop = evalTerm(ev.domain(), f, dom -> {
        defined[0] = true;
        boolean[] all = {true};
        eachElement(dom, (key, val) -> {
          K bodyK = () -> true;
          K inner = () -> evalBody(ev.body().exprs(), 0, f, bodyK);
          boolean ok = ev.key() == null ? unifyValue(ev.value(), val, f, inner)
              : unifyValue(ev.key(), key, f, () -> unifyValue(ev.value(), val, f, inner));
          if (!ok) {
            all[0] = false;
            return true;
          }
          return false;
        });
        return all[0] ? k.go() : false;
      });
      return stop;
    }
    throw new IllegalStateException("unknown expression " + kind);
  }

  private void declarePattern(Term t, Frame f) {
    if (t instanceof Var v) {
      if (!v.isWildcard()) {
        f.declare(v.name());
      }
    } else if (t instanceof ArrayTerm a) {
      a.items().forEach(x -> declarePattern(x, f));
    } else if (t instanceof ObjectTerm o) {
      o.entries().forEach(en -> declarePattern(en.value(), f));
    }
  }

  @FunctionalInterface
  private interface KV {
    boolean go(Value key, Value value);
  }

  /** Calls {@code k} for each (key, value) of a collection: index/element, key/value, elem/elem. */
  private static boolean eachElement(Value coll, KV k) {
    if (coll instanceof ArrV a) {
      for (int i = 0; i < a.size(); i++) {
        if (k.go(NumV.of(i), a.get(i))) {
          return true;
        }
      }
    } else if (coll instanceof ObjV o) {
      for (Map.Entry<Value, Value> e : o.map().entrySet()) {
        if (k.go(e.getKey(), e.getValue())) {
          return true;
        }
      }
    } else if (coll instanceof SetV s) {
      for (Value v : s) {
        if (k.go(v, v)) {
          return true;
        }
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ with

  private boolean evalWith(Expr e, Frame f, K k) {
    Value saveInput = input;
    Value saveData = data;
    List<Override> saveOverrides = overrides;
    Map<String, Object> saveMocks = mocks;
    Object[] saveCache = cache;
    // evaluate each with value in the current state
    Value newInput = input;
    Value newData = data;
    List<Override> newOverrides = new ArrayList<>(overrides);
    Map<String, Object> newMocks = new HashMap<>(mocks);
    for (With w : e.withs()) {
      Term target = w.target();
      Ref tr = target instanceof Ref r ? r : target instanceof Var v ? new Ref(v, List.of())
          : null;
      if (tr == null || !(tr.head() instanceof Var hv)) {
        throw error("rego_compile_error", "with keyword target must reference input or data");
      }
      String name = tr.dotted();
      String root = hv.name();
      if (root.equals("input")) {
        Value val = single(w.value(), f);
        if (val == null) {
          return false;
        }
        newInput = setPath(newInput, stringPath(tr.path(), f), val);
      } else if (root.equals("data")) {
        List<String> p = stringPath(tr.path(), f);
        RuleNode node = prog.root.find(p);
        if (node != null && !node.functions.isEmpty()) {
          newMocks.put("data." + String.join(".", p), mockValue(w.value(), f));
        } else {
          Value val = single(w.value(), f);
          if (val == null) {
            return false;
          }
          newOverrides.add(new Override(p, val));
          newData = setPath(newData, p, val);
        }
      } else {
        String resolved = resolveFunctionName(name, f.ctx);
        if (resolved == null) {
          throw error("rego_compile_error", "with keyword target must reference input, data or"
              + " a function: " + name);
        }
        newMocks.put(resolved, mockValue(w.value(), f));
      }
    }
    Value ni = newInput;
    Value nd = newData;
    List<Override> no = List.copyOf(newOverrides);
    Map<String, Object> nm = Map.copyOf(newMocks);
    Object[] innerCache = new Object[prog.nodeCount];
    Runnable push = () -> {
      input = ni;
      data = nd;
      overrides = no;
      mocks = nm;
      cache = innerCache;
    };
    Runnable pop = () -> {
      input = saveInput;
      data = saveData;
      overrides = saveOverrides;
      mocks = saveMocks;
      cache = saveCache;
    };
    push.run();
    try {
      return evalPlain(e, f, () -> {
        pop.run();
        try {
          return k.go();
        } finally {
          push.run();
        }
      });
    } finally {
      pop.run();
    }
  }

  /** A with value: a function reference (mock by function) or a value. */
  private Object mockValue(Term t, Frame f) {
    String name = null;
    if (t instanceof Var v && f.get(v.name()) == null) {
      name = v.name();
    } else if (t instanceof Ref r && r.dotted() != null) {
      name = r.dotted();
    }
    if (name != null) {
      String resolved = resolveFunctionName(name, f.ctx);
      if (resolved != null) {
        return new FnRef(resolved);
      }
    }
    Value v = single(t, f);
    if (v == null) {
      throw error("eval_type_error", "with value is undefined");
    }
    return v;
  }

  private record FnRef(String name) {
  }

  /** data.x.f for a user function visible from ctx, the name for a built-in, else null. */
  private String resolveFunctionName(String name, ModuleCtx ctx) {
    if (name == null) {
      return null;
    }
    List<String> p = ctx.dataPath(name);
    if (p != null) {
      RuleNode n = prog.root.find(p);
      if (n != null && !n.functions.isEmpty()) {
        return "data." + String.join(".", p);
      }
    }
    if (Builtins.get(name) != null || isSpecialBuiltin(name)) {
      return name;
    }
    return null;
  }

  private List<String> stringPath(List<Term> terms, Frame f) {
    List<String> out = new ArrayList<>(terms.size());
    for (Term t : terms) {
      Value v = t instanceof Str s ? s.strValue() : single(t, f);
      if (!(v instanceof StrV sv)) {
        throw error("rego_compile_error", "with target path must be strings");
      }
      out.add(sv.value());
    }
    return out;
  }

  static Value setPath(Value base, List<String> path, Value v) {
    if (path.isEmpty()) {
      return v;
    }
    ObjV obj = base instanceof ObjV o ? o : Value.EMPTY_OBJECT;
    TreeMap<Value, Value> m = new TreeMap<>(obj.map());
    StrV key = new StrV(path.get(0));
    m.put(key, setPath(m.get(key), path.subList(1, path.size()), v));
    return new ObjV(m);
  }

  /** The first value of a term, or null when undefined. */
  private Value single(Term t, Frame f) {
    Value[] out = new Value[1];
    evalTerm(t, f, v -> {
      out[0] = v;
      return true;
    });
    return out[0];
  }

  // ------------------------------------------------------------------ terms

  private boolean evalTerm(Term t, Frame f, VK k) {
    // most frequent kinds first
    if (t instanceof Call c) {
      return evalCall(c, f, k);
    }
    if (t instanceof Ref r) {
      return evalRef(r, f, k);
    }
    if (t instanceof Var v) {
      return evalVar(v, f, k);
    }
    if (t instanceof Str s) {
      return k.go(s.strValue());
    }
    if (t instanceof Num n) {
      return k.go(number(n));
    }
    if (t instanceof Bool b) {
      return k.go(Value.bool(b.value()));
    }
    if (t instanceof Null) {
      return k.go(Value.NULL);
    }
    if (t instanceof ArrayTerm a) {
      Value[] out = new Value[a.items().size()];
      return evalTerms(a.items(), 0, out, f,
          () -> k.go(new ArrV(java.util.Arrays.asList(out.clone()))));
    }
    if (t instanceof SetTerm s) {
      Value[] out = new Value[s.items().size()];
      return evalTerms(s.items(), 0, out, f, () -> k.go(SetV.of(out)));
    }
    if (t instanceof ObjectTerm o) {
      List<Term> flat = new ArrayList<>(o.entries().size() * 2);
      for (Entry en : o.entries()) {
        flat.add(en.key());
        flat.add(en.value());
      }
      Value[] out = new Value[flat.size()];
      return evalTerms(flat, 0, out, f, () -> {
        TreeMap<Value, Value> m = new TreeMap<>();
        for (int i = 0; i < out.length; i += 2) {
          m.put(out[i], out[i + 1]);
        }
        return k.go(m.isEmpty() ? Value.EMPTY_OBJECT : new ObjV(m));
      });
    }
    if (t instanceof ArrayCompr c) {
      List<Value> items = new ArrayList<>();
      evalBody(c.body().exprs(), 0, f, () -> evalTerm(c.head(), f, v -> {
        items.add(v);
        return false;
      }));
      return k.go(new ArrV(items));
    }
    if (t instanceof SetCompr c) {
      TreeSet<Value> items = new TreeSet<>();
      evalBody(c.body().exprs(), 0, f, () -> evalTerm(c.head(), f, v -> {
        items.add(v);
        return false;
      }));
      return k.go(new SetV(items));
    }
    if (t instanceof ObjectCompr c) {
      TreeMap<Value, Value> m = new TreeMap<>();
      evalBody(c.body().exprs(), 0, f, () -> evalTerm(c.key(), f, kv -> evalTerm(c.value(), f,
          vv -> {
            Value old = m.put(kv, vv);
            if (old != null && !old.equals(vv)) {
              throw conflict("object keys must be unique");
            }
            return false;
          })));
      return k.go(m.isEmpty() ? Value.EMPTY_OBJECT : new ObjV(m));
    }
    throw new IllegalStateException("unknown term " + t);
  }

  private static NumV number(Num n) {
    return n.value();
  }

  private boolean evalTerms(List<Term> terms, int i, Value[] out, Frame f, K k) {
    if (i == terms.size()) {
      return k.go();
    }
    return evalTerm(terms.get(i), f, v -> {
      out[i] = v;
      return evalTerms(terms, i + 1, out, f, k);
    });
  }

  private boolean evalVar(Var v, Frame f, VK k) {
    Value x = f.get(v.name());
    if (x != null) {
      return k.go(x);
    }
    String n = v.name();
    if (n.equals("input")) {
      return input != null && k.go(input);
    }
    if (n.equals("data")) {
      return walkData(prog.root, data, List.of(), 0, f, k);
    }
    if (!f.isDeclared(n)) {
      Ref imp = f.ctx.imports().get(n);
      if (imp != null) {
        return evalRef(imp, f, k);
      }
      RuleNode node = overrides.isEmpty() ? f.ctx.ruleNodes().get(n) : null;
      if (node != null) {
        return walkData(node, baseAt(node.path), List.of(), 0, f, k);
      }
      if (f.ctx.ruleNames().contains(n)) {
        return walkData(prog.root, data, pkgPath(f.ctx, n, List.of()), 0, f, k);
      }
    }
    throw unsafe(n);
  }

  /** The base document at a path under data, or null. */
  private Value baseAt(List<String> path) {
    Value v = data;
    for (String s : path) {
      if (!(v instanceof ObjV o)) {
        return null;
      }
      v = o.get(s);
      if (v == null) {
        return null;
      }
    }
    return v;
  }

  private static List<Term> pkgPath(ModuleCtx ctx, String name, List<Term> rest) {
    List<Term> p = new ArrayList<>(ctx.pkg().size() + 1 + rest.size());
    for (String s : ctx.pkg()) {
      p.add(new Str(s));
    }
    p.add(new Str(name));
    p.addAll(rest);
    return p;
  }

  /** True when the var has no value here and names no document: it can be bound. */
  private boolean isFree(Var v, Frame f) {
    String n = v.name();
    if (v.isWildcard()) {
      return true;
    }
    if (f.get(n) != null) {
      return false;
    }
    if (n.equals("input") || n.equals("data")) {
      return false;
    }
    if (f.isDeclared(n)) {
      return true;
    }
    return !f.ctx.imports().containsKey(n) && !f.ctx.ruleNames().contains(n);
  }

  // ------------------------------------------------------------------ references

  private boolean evalRef(Ref r, Frame f, VK k) {
    Term head = r.head();
    if (head instanceof Var v) {
      String n = v.name();
      Value local = f.get(n);
      if (local != null) {
        return walkValue(local, r.path(), 0, f, k);
      }
      if (n.equals("input")) {
        return input != null && walkValue(input, r.path(), 0, f, k);
      }
      // resolved at compile time (not valid under a with on data: it skips ancestors)
      if (overrides.isEmpty() && !f.isDeclared(n)) {
        Compiler.RefTarget t = f.ctx.refTargets().get(r);
        if (t != null) {
          return walkData(t.node(), baseAt(t.node().path), r.path(), t.consumed(), f, k);
        }
      }
      if (n.equals("data")) {
        return walkData(prog.root, data, r.path(), 0, f, k);
      }
      if (!f.isDeclared(n)) {
        Ref imp = f.ctx.imports().get(n);
        if (imp != null) {
          List<Term> p = new ArrayList<>(imp.path());
          p.addAll(r.path());
          return evalRef(new Ref(imp.head(), p), f, k);
        }
        if (f.ctx.ruleNames().contains(n)) {
          return walkData(prog.root, data, pkgPath(f.ctx, n, r.path()), 0, f, k);
        }
      }
      throw unsafe(n);
    }
    return evalTerm(head, f, hv -> walkValue(hv, r.path(), 0, f, k));
  }

  private boolean isPattern(Term t, Frame f) {
    if (t instanceof Var v) {
      return isFree(v, f);
    }
    if (t instanceof ArrayTerm a) {
      for (Term x : a.items()) {
        if (isPattern(x, f)) {
          return true;
        }
      }
    }
    if (t instanceof ObjectTerm o) {
      for (Entry e : o.entries()) {
        if (isPattern(e.value(), f)) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean walkValue(Value v, List<Term> path, int i, Frame f, VK k) {
    if (i == path.size()) {
      return k.go(v);
    }
    Term t = path.get(i);
    if (isPattern(t, f)) {
      return eachElement(v, (key, val) -> unifyValue(t, key, f,
          () -> walkValue(val, path, i + 1, f, k)));
    }
    return evalTerm(t, f, key -> {
      Value next = index(v, key);
      return next != null && walkValue(next, path, i + 1, f, k);
    });
  }

  /** As walkValue, inside the base document: integer keys also find their string form. */
  private boolean walkBase(Value v, List<Term> path, int i, Frame f, VK k) {
    if (i == path.size()) {
      return k.go(v);
    }
    Term t = path.get(i);
    if (isPattern(t, f)) {
      return eachElement(v, (key, val) -> unifyValue(t, key, f,
          () -> walkBase(val, path, i + 1, f, k)));
    }
    return evalTerm(t, f, key -> {
      Value next = index(v, key);
      if (next == null && v instanceof ObjV o && key instanceof NumV n && n.isInteger()) {
        next = o.get(new StrV(n.toString()));
      }
      return next != null && walkBase(next, path, i + 1, f, k);
    });
  }

  private static Value index(Value v, Value key) {
    if (v instanceof ObjV o) {
      return o.get(key);
    }
    if (v instanceof ArrV a) {
      if (key instanceof NumV n) {
        Integer i = n.intValueExact();
        if (i != null && i >= 0 && i < a.size()) {
          return a.get(i);
        }
      }
      return null;
    }
    if (v instanceof SetV s) {
      return s.contains(key) ? key : null;
    }
    return null;
  }

  private Value overrideAt(List<String> path) {
    for (int i = overrides.size() - 1; i >= 0; i--) {
      Override o = overrides.get(i);
      if (o.path().equals(path)) {
        return o.value();
      }
    }
    return null;
  }

  private boolean walkData(RuleNode node, Value base, List<Term> path, int i, Frame f, VK k) {
    if (node == null) {
      return base != null && walkBase(base, path, i, f, k);
    }
    if (!overrides.isEmpty()) {
      Value o = overrideAt(node.path);
      if (o != null) {
        return walkValue(o, path, i, f, k);
      }
    }
    if (node.hasRules()) {
      Value v = ruleValue(node);
      return v != null && walkValue(v, path, i, f, k);
    }
    if (!node.functions.isEmpty()) {
      return false;
    }
    if (i == path.size()) {
      Value v = materialize(node, base);
      return v != null && k.go(v);
    }
    Term t = path.get(i);
    ObjV baseObj = base instanceof ObjV o ? o : null;
    if (isPattern(t, f)) {
      TreeSet<Value> keys = new TreeSet<>();
      for (String c : node.children.keySet()) {
        keys.add(new StrV(c));
      }
      if (baseObj != null) {
        keys.addAll(baseObj.map().keySet());
      }
      for (Value key : keys) {
        RuleNode child = key instanceof StrV s ? node.children.get(s.value()) : null;
        Value bc = baseObj == null ? null : baseObj.get(key);
        if (unifyValue(t, key, f, () -> walkData(child, bc, path, i + 1, f, k))) {
          return true;
        }
      }
      return false;
    }
    return evalTerm(t, f, key0 -> {
      // data documents have string keys: data[2] reads data["2"], as in OPA
      Value key = key0 instanceof NumV n && n.isInteger() ? new StrV(n.toString()) : key0;
      RuleNode child = key instanceof StrV s ? node.children.get(s.value()) : null;
      Value bc = baseObj == null ? null : baseObj.get(key);
      if (child == null && bc == null) {
        return false;
      }
      return walkData(child, bc, path, i + 1, f, k);
    });
  }

  /** The whole document at a node: base data merged with every virtual document below. */
  private Value materialize(RuleNode node, Value base) {
    if (!overrides.isEmpty()) {
      Value o = overrideAt(node.path);
      if (o != null) {
        return o;
      }
    }
    if (node.hasRules()) {
      return ruleValue(node);
    }
    if (!node.functions.isEmpty()) {
      return null;
    }
    TreeMap<Value, Value> m = new TreeMap<>();
    if (base instanceof ObjV o) {
      m.putAll(o.map());
    } else if (base != null && node.children.isEmpty()) {
      return base;
    }
    for (RuleNode c : node.children.values()) {
      StrV key = new StrV(c.key);
      Value bv = m.get(key);
      Value cv = materialize(c, bv);
      if (cv != null) {
        // where base and virtual documents overlap, the base document wins (as in OPA)
        m.put(key, bv == null || !c.hasRules() ? cv : merge(cv, bv));
      }
    }
    return m.isEmpty() ? Value.EMPTY_OBJECT : new ObjV(m);
  }

  // ------------------------------------------------------------------ rules

  private Value ruleValue(RuleNode node) {
    Object c = cache[node.id];
    if (c != null) {
      return c == UNDEFINED ? null : (Value) c;
    }
    if (node.isStatic && overrides.isEmpty() && mocks.isEmpty()) {
      Map<RuleNode, Object> shared = prog.staticValues[opts.strictBuiltinErrors() ? 1 : 0];
      Object s = shared.get(node);
      if (s == null) {
        Value v = computeRuleValue(node);
        s = v == null ? UNDEFINED : v;
        shared.putIfAbsent(node, s);
      }
      cache[node.id] = s;
      return s == UNDEFINED ? null : (Value) s;
    }
    Value v = computeRuleValue(node);
    cache[node.id] = v == null ? UNDEFINED : v;
    return v;
  }

  private Value computeRuleValue(RuleNode node) {
    if (inProgress[node.id]) {
      throw error("rego_recursion_error", "rule " + node.dataPath() + " is recursive");
    }
    inProgress[node.id] = true;
    Value v;
    Ast.Loc saveLoc = loc;
    String saveFile = file;
    try {
      v = computeRule(node);
    } finally {
      inProgress[node.id] = false;
      loc = saveLoc;
      file = saveFile;
    }
    if (v != null && !overrides.isEmpty()) {
      int n = node.path.size();
      for (Override o : overrides) {
        if (o.path().size() > n && o.path().subList(0, n).equals(node.path)) {
          v = setPath(v, o.path().subList(n, o.path().size()), o.value());
        }
      }
    }
    return v;
  }

  private Value computeRule(RuleNode node) {
    boolean object = false;
    boolean set = false;
    for (CRule cr : node.rules) {
      if (!cr.suffix().isEmpty()) {
        object = true;
      } else if (cr.rule().kind() == RuleKind.PARTIAL_SET) {
        set = true;
      }
    }
    if (object) {
      Value v = objectRule(node);
      if (!node.children.isEmpty()) {
        TreeMap<Value, Value> m = new TreeMap<>(((ObjV) v).map());
        for (RuleNode c : node.children.values()) {
          StrV key = new StrV(c.key);
          Value cv = materialize(c, null);
          if (cv != null) {
            m.put(key, m.containsKey(key) ? merge(m.get(key), cv) : cv);
          }
        }
        v = new ObjV(m);
      }
      return v;
    }
    if (set) {
      TreeSet<Value> out = new TreeSet<>();
      for (CRule cr : node.rules) {
        Frame f = new Frame(cr.ctx());
        at(cr.ctx(), cr.rule());
        enter();
        try {
          evalBody(cr.rule().body().exprs(), 0, f, () -> evalTerm(cr.rule().key(), f, v -> {
            out.add(v);
            return false;
          }));
        } finally {
          depth--;
        }
      }
      return new SetV(out);
    }
    Value result = null;
    boolean resultFromElse = false;
    for (CRule cr : node.rules) {
      boolean[] fromElse = {false};
      Value v = completeChain(cr, fromElse);
      if (v != null) {
        if (result != null && !result.equals(v)) {
          // OPA words a conflict between an else value and a later plain rule differently
          throw conflict(resultFromElse && !fromElse[0]
              ? "complete rules must not produce multiple outputs"
              : "rule " + node.dataPath() + " produced conflicting values");
        }
        result = v;
        resultFromElse = fromElse[0];
      }
    }
    if (result == null && node.defaultRule != null) {
      Frame f = new Frame(node.defaultRule.ctx());
      Term vt = node.defaultRule.rule().value();
      result = vt == null ? Value.TRUE : single(vt, f);
    }
    return result;
  }

  private void at(ModuleCtx ctx, Rule r) {
    file = ctx.file();
    loc = r.loc();
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      depth = 0;
      throw error("eval_budget_error", "rule evaluation nested deeper than " + MAX_DEPTH);
    }
  }

  /** Value of one complete rule with its else chain, or null. */
  private Value completeChain(CRule cr, boolean[] fromElse) {
    for (Rule r = cr.rule(); r != null; r = r.elseRule()) {
      fromElse[0] = r != cr.rule();
      Frame f = new Frame(cr.ctx());
      Value[] found = new Value[1];
      Rule rule = r;
      at(cr.ctx(), r);
      enter();
      try {
        evalBody(r.body().exprs(), 0, f, () -> {
          if (rule.value() == null) {
            return setOnce(found, Value.TRUE, cr);
          }
          return evalTerm(rule.value(), f, v -> setOnce(found, v, cr));
        });
      } finally {
        depth--;
      }
      if (found[0] != null) {
        return found[0];
      }
    }
    return null;
  }

  private boolean setOnce(Value[] slot, Value v, CRule cr) {
    if (slot[0] != null && !slot[0].equals(v)) {
      throw conflict("rule " + cr.node().dataPath() + " produced conflicting values");
    }
    slot[0] = v;
    return false;
  }

  /** Rules with a dynamic head suffix: an object built from every solution. */
  private Value objectRule(RuleNode node) {
    TreeMap<Value, Object> root = new TreeMap<>();
    for (CRule cr : node.rules) {
      Frame f = new Frame(cr.ctx());
      Rule r = cr.rule();
      List<Term> suffix = cr.suffix();
      Value[] keys = new Value[suffix.size()];
      at(cr.ctx(), r);
      enter();
      try {
        evalBody(r.body().exprs(), 0, f, () -> evalTerms(suffix, 0, keys, f, () -> {
          if (r.kind() == RuleKind.PARTIAL_SET) {
            return evalTerm(r.key(), f, elem -> {
              insert(root, keys, elem, true);
              return false;
            });
          }
          if (r.value() == null) {
            insert(root, keys, Value.TRUE, false);
            return false;
          }
          return evalTerm(r.value(), f, val -> {
            insert(root, keys, val, false);
            return false;
          });
        }));
      } finally {
        depth--;
      }
    }
    return (Value) freeze(root);
  }

  /** Deep merge of two objects (b wins for non-object leaves). */
  private static Value merge(Value a, Value b) {
    if (a instanceof ObjV x && b instanceof ObjV y) {
      TreeMap<Value, Value> m = new TreeMap<>(x.map());
      for (Map.Entry<Value, Value> e : y.map().entrySet()) {
        Value old = m.get(e.getKey());
        m.put(e.getKey(), old == null ? e.getValue() : merge(old, e.getValue()));
      }
      return new ObjV(m);
    }
    return b;
  }

  @SuppressWarnings("unchecked")
  private void insert(TreeMap<Value, Object> root, Value[] keys, Value v, boolean setLeaf) {
    TreeMap<Value, Object> m = root;
    for (int i = 0; i < keys.length - 1; i++) {
      Object next = m.get(keys[i]);
      if (next == null) {
        next = new TreeMap<Value, Object>();
        m.put(keys[i], next);
      } else if (!(next instanceof TreeMap)) {
        throw conflict("object keys must be unique");
      }
      m = (TreeMap<Value, Object>) next;
    }
    Value last = keys[keys.length - 1];
    Object old = m.get(last);
    if (setLeaf) {
      if (old == null) {
        old = new TreeSet<Value>();
        m.put(last, old);
      } else if (!(old instanceof TreeSet)) {
        throw conflict("object keys must be unique");
      }
      ((TreeSet<Value>) old).add(v);
      return;
    }
    if (old != null && !(old instanceof Value && old.equals(v))) {
      throw conflict("object keys must be unique");
    }
    m.put(last, v);
  }

  @SuppressWarnings("unchecked")
  private static Object freeze(Object o) {
    if (o instanceof TreeMap<?, ?> m) {
      TreeMap<Value, Value> out = new TreeMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put((Value) e.getKey(), (Value) freeze(e.getValue()));
      }
      return new ObjV(out);
    }
    if (o instanceof TreeSet<?> s) {
      return new SetV((TreeSet<Value>) s);
    }
    return o;
  }

  // ------------------------------------------------------------------ unification

  private boolean unify(Term a, Term b, Frame f, K k) {
    if (a instanceof Var va && isFree(va, f)) {
      return evalTerm(b, f, v -> unifyValue(a, v, f, k));
    }
    if (b instanceof Var vb && isFree(vb, f)) {
      return evalTerm(a, f, v -> unifyValue(b, v, f, k));
    }
    boolean pa = isPattern(a, f);
    boolean pb = isPattern(b, f);
    if (!pb) {
      return evalTerm(b, f, v -> unifyValue(a, v, f, k));
    }
    if (!pa) {
      return evalTerm(a, f, v -> unifyValue(b, v, f, k));
    }
    if (a instanceof ArrayTerm x && b instanceof ArrayTerm y) {
      if (x.items().size() != y.items().size()) {
        return false;
      }
      return unifyPairs(x.items(), y.items(), 0, f, k);
    }
    if (a instanceof ObjectTerm x && b instanceof ObjectTerm y) {
      if (x.entries().size() != y.entries().size()) {
        return false;
      }
      List<Term> xs = new ArrayList<>();
      List<Term> ys = new ArrayList<>();
      for (Entry ex : x.entries()) {
        Value kx = single(ex.key(), f);
        Entry match = null;
        for (Entry ey : y.entries()) {
          if (kx != null && kx.equals(single(ey.key(), f))) {
            match = ey;
          }
        }
        if (match == null) {
          return false;
        }
        xs.add(ex.value());
        ys.add(match.value());
      }
      return unifyPairs(xs, ys, 0, f, k);
    }
    throw unsafe(firstFree(a, f));
  }

  private String firstFree(Term t, Frame f) {
    if (t instanceof Var v && isFree(v, f)) {
      return v.name();
    }
    if (t instanceof ArrayTerm a) {
      for (Term x : a.items()) {
        String s = firstFree(x, f);
        if (s != null) {
          return s;
        }
      }
    }
    if (t instanceof ObjectTerm o) {
      for (Entry e : o.entries()) {
        String s = firstFree(e.value(), f);
        if (s != null) {
          return s;
        }
      }
    }
    return t.toString();
  }

  private boolean unifyPairs(List<Term> xs, List<Term> ys, int i, Frame f, K k) {
    if (i == xs.size()) {
      return k.go();
    }
    return unify(xs.get(i), ys.get(i), f, () -> unifyPairs(xs, ys, i + 1, f, k));
  }

  /** Unifies a term (possibly containing free variables) with a ground value. */
  private boolean unifyValue(Term pat, Value v, Frame f, K k) {
    if (pat instanceof Var var) {
      if (var.isWildcard()) {
        return k.go();
      }
      if (isFree(var, f)) {
        f.bind(var.name(), v);
        try {
          return k.go();
        } finally {
          f.unbind(var.name());
        }
      }
      return evalTerm(pat, f, x -> x.equals(v) && k.go());
    }
    if (pat instanceof ArrayTerm a && isPattern(pat, f)) {
      if (!(v instanceof ArrV arr) || arr.size() != a.items().size()) {
        return false;
      }
      return unifyItems(a.items(), arr, 0, f, k);
    }
    if (pat instanceof ObjectTerm o && isPattern(pat, f)) {
      if (!(v instanceof ObjV obj) || obj.size() != o.entries().size()) {
        return false;
      }
      return unifyEntries(o.entries(), obj, 0, f, k);
    }
    return evalTerm(pat, f, x -> x.equals(v) && k.go());
  }

  private boolean unifyItems(List<Term> items, ArrV arr, int i, Frame f, K k) {
    if (i == items.size()) {
      return k.go();
    }
    return unifyValue(items.get(i), arr.get(i), f, () -> unifyItems(items, arr, i + 1, f, k));
  }

  private boolean unifyEntries(List<Entry> entries, ObjV obj, int i, Frame f, K k) {
    if (i == entries.size()) {
      return k.go();
    }
    Entry e = entries.get(i);
    return evalTerm(e.key(), f, key -> {
      Value val = obj.get(key);
      return val != null && unifyValue(e.value(), val, f,
          () -> unifyEntries(entries, obj, i + 1, f, k));
    });
  }

  // ------------------------------------------------------------------ calls

  private boolean evalCall(Call c, Frame f, VK k) {
    String name = c.name();
    if (name == null) {
      throw error("rego_type_error", "invalid function reference " + c.fn());
    }
    Object res = f.ctx.functions().get(name);
    if (res == null) {
      List<String> userPath = f.ctx.dataPath(name);
      RuleNode node = userPath == null ? null : prog.root.find(userPath);
      if (node != null) {
        res = new ResolvedFn(node, "data." + String.join(".", userPath));
      } else {
        Builtins.Def d = Builtins.get(name);
        res = d != null ? d : name;
      }
      f.ctx.functions().putIfAbsent(name, res);
    }
    RuleNode fnNode = res instanceof ResolvedFn rf ? rf.node() : null;
    String resolved = res instanceof ResolvedFn rf ? rf.name() : name;
    if (!mocks.isEmpty()) {
      Object mock = mocks.get(resolved);
      if (mock != null) {
        return callMock(mock, resolved, c, f, k);
      }
    }
    if (fnNode != null && !fnNode.functions.isEmpty()) {
      int n = fnNode.functions.get(0).rule().args().size();
      boolean legacy = c.args().size() == n + 1;
      return callWith(c, n, f, k, args -> userCall(fnNode, resolved, args, legacy));
    }
    if (fnNode != null) {
      // a call of a rule that is not a function
      throw error("rego_type_error", "undefined function " + resolved);
    }
    switch (name) {
      case "walk":
        return callWalk(c, f, k);
      case "print":
      case "internal.print":
        return k.go(Value.TRUE); // nothing is printed on the request path
      case "trace":
        return k.go(Value.TRUE);
      default:
        break;
    }
    if (!(res instanceof Builtins.Def def)) {
      throw error("rego_type_error", "undefined function " + name);
    }
    return callWith(c, def.arity(), f, k, args -> callBuiltin(def, args));
  }

  /** A call name resolved to a user function node. */
  private record ResolvedFn(RuleNode node, String name) {
  }

  @FunctionalInterface
  private interface Fn {
    Value apply(Value[] args);
  }

  /** Evaluates the n input arguments, applies fn, and handles the legacy output argument. */
  private boolean callWith(Call c, int n, Frame f, VK k, Fn fn) {
    List<Term> args = c.args();
    if (args.size() != n && args.size() != n + 1) {
      throw error("rego_type_error", c.name() + ": arity mismatch: expected " + n
          + " arguments, got " + args.size());
    }
    Value[] vals = new Value[n];
    List<Term> ins = args.size() == n ? args : args.subList(0, n);
    return evalTerms(ins, 0, vals, f, () -> {
      Value out = fn.apply(vals.clone());
      if (out == null) {
        return false;
      }
      if (args.size() == n + 1) {
        return unifyValue(args.get(n), out, f, () -> k.go(Value.TRUE));
      }
      return k.go(out);
    });
  }

  private Value callBuiltin(Builtins.Def def, Value[] args) {
    try {
      return def.fn().call(bctx, args);
    } catch (RegoError e) {
      if (opts.strictBuiltinErrors()) {
        throw new RegoError(e.code(), e.detail(), file, loc.line(), 0);
      }
      return null;
    } catch (RuntimeException e) {
      if (opts.strictBuiltinErrors()) {
        throw new RegoError("eval_builtin_error", def.name() + ": " + e.getMessage(), file,
            loc.line(), 0);
      }
      return null;
    }
  }

  private boolean callMock(Object mock, String mocked, Call c, Frame f, VK k) {
    if (mock instanceof Value v) {
      int n = c.args().size();
      String name = c.name();
      Builtins.Def def = Builtins.get(name);
      int arity = def != null ? def.arity() : n;
      if (def == null) {
        List<String> up = f.ctx.dataPath(name);
        RuleNode node = up == null ? null : prog.root.find(up);
        if (node != null && !node.functions.isEmpty()) {
          arity = node.functions.get(0).rule().args().size();
        }
      }
      return callWith(c, Math.min(arity, n), f, k, args -> v);
    }
    String target = ((FnRef) mock).name();
    Call replaced = new Call(refOf(target), c.args());
    Map<String, Object> save = mocks;
    // inside the replacement the mocked function is the original again (a mock may call it)
    Map<String, Object> inner = new HashMap<>(mocks);
    inner.remove(mocked);
    mocks = Map.copyOf(inner);
    try {
      return evalCall(replaced, f, v -> {
        Map<String, Object> s2 = mocks;
        mocks = save;
        try {
          return k.go(v);
        } finally {
          mocks = s2;
        }
      });
    } finally {
      mocks = save;
    }
  }

  private static Ref refOf(String dotted) {
    String[] parts = dotted.split("\\.");
    List<Term> p = new ArrayList<>();
    for (int i = 1; i < parts.length; i++) {
      p.add(new Str(parts[i]));
    }
    return new Ref(new Var(parts[0]), p);
  }

  private Value userCall(RuleNode node, String name, Value[] args, boolean legacy) {
    Ast.Loc saveLoc = loc;
    String saveFile = file;
    try {
      return userCall0(node, name, args, legacy);
    } finally {
      loc = saveLoc;
      file = saveFile;
    }
  }

  private Value userCall0(RuleNode node, String name, Value[] args, boolean legacy) {
    Value result = null;
    for (CRule cr : node.functions) {
      if (cr == node.defaultFunction) {
        continue;
      }
      Value v = null;
      for (Rule r = cr.rule(); r != null; r = r.elseRule()) {
        Frame f = new Frame(cr.ctx());
        Value[] found = new Value[1];
        Rule rule = r;
        List<Term> params = cr.rule().args();
        for (Term p : params) {
          declarePattern(p, f);
        }
        at(cr.ctx(), r);
        enter();
        try {
          unifyArgs(params, args, 0, f, () -> evalBody(rule.body().exprs(), 0, f, () -> {
            if (rule.value() == null) {
              return setFn(found, Value.TRUE, name);
            }
            return evalTerm(rule.value(), f, val -> setFn(found, val, name));
          }));
        } finally {
          depth--;
        }
        if (found[0] != null) {
          v = found[0];
          break;
        }
      }
      if (v != null) {
        if (result != null && !result.equals(v)) {
          throw conflict(legacy ? "functions must not produce multiple outputs for same inputs"
              : "function " + name + " produced conflicting values for the same inputs");
        }
        result = v;
      }
    }
    if (result == null && node.defaultFunction != null) {
      Term vt = node.defaultFunction.rule().value();
      result = vt == null ? Value.TRUE : single(vt, new Frame(node.defaultFunction.ctx()));
    }
    return result;
  }

  private boolean setFn(Value[] slot, Value v, String name) {
    if (slot[0] != null && !slot[0].equals(v)) {
      throw conflict("function " + name + " produced conflicting values for the same inputs");
    }
    slot[0] = v;
    return false;
  }

  private boolean unifyArgs(List<Term> params, Value[] args, int i, Frame f, K k) {
    if (i == params.size()) {
      return k.go();
    }
    return unifyValue(params.get(i), args[i], f, () -> unifyArgs(params, args, i + 1, f, k));
  }

  private boolean callWalk(Call c, Frame f, VK k) {
    if (c.args().size() < 1 || c.args().size() > 2) {
      throw error("rego_type_error", "walk: arity mismatch");
    }
    return evalTerm(c.args().get(0), f, root -> {
      List<Value> pairs = new ArrayList<>();
      walkAll(root, new ArrayList<>(), pairs);
      for (Value pair : pairs) {
        boolean stop = c.args().size() == 2
            ? unifyValue(c.args().get(1), pair, f, () -> k.go(Value.TRUE))
            : k.go(pair);
        if (stop) {
          return true;
        }
      }
      return false;
    });
  }

  private static void walkAll(Value v, List<Value> path, List<Value> out) {
    out.add(ArrV.of(new ArrV(List.copyOf(path)), v));
    eachElement(v, (key, val) -> {
      path.add(key);
      walkAll(val, path, out);
      path.remove(path.size() - 1);
      return false;
    });
  }
}
