package dev.aegis.pipeline.rego;

import dev.aegis.pipeline.rego.Ast.ArrayCompr;
import dev.aegis.pipeline.rego.Ast.ArrayTerm;
import dev.aegis.pipeline.rego.Ast.Assign;
import dev.aegis.pipeline.rego.Ast.Body;
import dev.aegis.pipeline.rego.Ast.Call;
import dev.aegis.pipeline.rego.Ast.Entry;
import dev.aegis.pipeline.rego.Ast.Every;
import dev.aegis.pipeline.rego.Ast.Expr;
import dev.aegis.pipeline.rego.Ast.ExprKind;
import dev.aegis.pipeline.rego.Ast.ObjectCompr;
import dev.aegis.pipeline.rego.Ast.ObjectTerm;
import dev.aegis.pipeline.rego.Ast.Ref;
import dev.aegis.pipeline.rego.Ast.Rule;
import dev.aegis.pipeline.rego.Ast.SetCompr;
import dev.aegis.pipeline.rego.Ast.SetTerm;
import dev.aegis.pipeline.rego.Ast.SomeIn;
import dev.aegis.pipeline.rego.Ast.SomeVars;
import dev.aegis.pipeline.rego.Ast.Term;
import dev.aegis.pipeline.rego.Ast.TermExpr;
import dev.aegis.pipeline.rego.Ast.Unify;
import dev.aegis.pipeline.rego.Ast.Var;
import dev.aegis.pipeline.rego.Ast.With;
import dev.aegis.pipeline.rego.Compiler.ModuleCtx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Safety checking and body reordering, as OPA's compiler does: every variable must be bound by
 * some expression before an expression that needs it runs, and expressions are reordered
 * (stably) so that producers come before consumers ({@code x > 1; x = 2} runs as
 * {@code x = 2; x > 1}). Nested bodies (comprehensions, {@code every}) are checked with the
 * variables their enclosing body binds. A variable that nothing binds is a
 * {@code rego_unsafe_var_error}, reported at the expression that needs it.
 *
 * <p>An expression <i>needs</i> the variables in its input positions (arguments of calls, the
 * head of a reference, everything under {@code not}, {@code with} values) and <i>binds</i> the
 * variables in output positions (either side of {@code =} / {@code :=}, reference path
 * iteration, the output argument of the legacy call form, {@code some ... in} patterns).
 */
final class Safety {
  private final ModuleCtx ctx;
  private final Set<String> declared;
  private final java.util.Map<String, Integer> functionArities;

  private Safety(ModuleCtx ctx, Set<String> declared,
      java.util.Map<String, Integer> functionArities) {
    this.ctx = ctx;
    this.declared = declared;
    this.functionArities = functionArities;
  }

  /** A query body, reordered; throws on unsafe variables. */
  static Body checkQuery(Body b, ModuleCtx ctx, java.util.Map<String, Integer> arities) {
    Set<String> declared = new HashSet<>();
    collectDeclared(b, declared);
    return new Safety(ctx, declared, arities).body(b, new HashSet<>());
  }

  /** The rule (and its else chain) with reordered bodies; throws on unsafe variables. */
  static Rule check(Rule r, ModuleCtx ctx, java.util.Map<String, Integer> arities) {
    Set<String> declared = new HashSet<>();
    for (Rule x = r; x != null; x = x.elseRule()) {
      collectDeclared(x.body(), declared);
    }
    for (Term a : r.args()) {
      collectVars(a, declared);
    }
    Safety s = new Safety(ctx, declared, arities);
    return s.rule(r, r.args());
  }

  private Rule rule(Rule r, List<Term> args) {
    Set<String> safe = new HashSet<>();
    for (Term a : args) {
      patternVars(a, safe);
    }
    Body body = body(r.body(), safe);
    // head variables must be bound by the body
    Set<String> headNeeds = new LinkedHashSet<>();
    needs(r.key(), headNeeds);
    needs(r.value(), headNeeds);
    for (Term t : r.head().path()) {
      needs(t, headNeeds);
    }
    for (String v : headNeeds) {
      if (!safe.contains(v)) {
        throw new RegoError("rego_unsafe_var_error", "var " + v + " is unsafe", ctx.file(),
            r.loc().line(), r.loc().column());
      }
    }
    Rule elseRule = r.elseRule() == null ? null : rule(r.elseRule(), args);
    return new Rule(r.kind(), r.isDefault(), r.head(), r.args(), r.key(), r.value(),
        r.assignOp(), body, elseRule, r.loc());
  }

  /** Reorders {@code b} given the variables already safe; adds what it binds to {@code safe}. */
  private Body body(Body b, Set<String> safe) {
    if (b == null || b.isEmpty()) {
      return b;
    }
    Set<String> assigned = new HashSet<>();
    for (Expr e : b.exprs()) {
      if (e.kind() instanceof Assign a) {
        Set<String> vs = new LinkedHashSet<>();
        collectVars(a.lhs(), vs);
        for (String v : vs) {
          if (!assigned.add(v)) {
            throw new RegoError("rego_compile_error", "var " + v + " assigned above", ctx.file(),
                e.loc().line(), e.loc().column());
          }
        }
      }
    }
    List<Expr> pending = new ArrayList<>(b.exprs());
    List<Expr> out = new ArrayList<>(pending.size());
    while (!pending.isEmpty()) {
      int pick = -1;
      for (int i = 0; i < pending.size(); i++) {
        Set<String> need = new LinkedHashSet<>();
        exprNeeds(pending.get(i), need, b.exprs());
        need.removeAll(safe);
        if (need.isEmpty()) {
          pick = i;
          break;
        }
      }
      if (pick < 0) {
        Expr e = pending.get(0);
        Set<String> need = new LinkedHashSet<>();
        exprNeeds(e, need, b.exprs());
        need.removeAll(safe);
        throw new RegoError("rego_unsafe_var_error", "var " + need.iterator().next()
            + " is unsafe", ctx.file(), e.loc().line(), e.loc().column());
      }
      Expr e = pending.remove(pick);
      Expr checked = nested(e, safe);
      exprBinds(e, safe);
      out.add(checked);
    }
    return new Body(out);
  }

  // ------------------------------------------------------------------ per expression

  private void exprNeeds(Expr e, Set<String> need, List<Expr> original) {
    for (With w : e.withs()) {
      if (!namesFunction(w.value())) {
        needs(w.value(), need);
      }
    }
    // closure variables of nested bodies: those also used by earlier expressions
    Set<String> earlier = new HashSet<>();
    for (Expr x : original) {
      if (x == e) {
        break;
      }
      allVars(x.kind(), earlier);
    }
    ExprKind k = e.kind();
    if (e.negated()) {
      Set<String> all = new LinkedHashSet<>();
      allVars(k, all);
      need.addAll(all);
      return;
    }
    if (k instanceof TermExpr t) {
      needs(t.term(), need);
    } else if (k instanceof Unify u) {
      inputs(u.lhs(), need);
      inputs(u.rhs(), need);
      // x = y with both sides bare unbound vars can't run until one is bound
    } else if (k instanceof Assign a) {
      inputs(a.rhs(), need);
      inputs(a.lhs(), need);
    } else if (k instanceof SomeIn s) {
      needs(s.collection(), need);
    } else if (k instanceof Every ev) {
      needs(ev.domain(), need);
      Set<String> inner = new HashSet<>();
      collectVars(ev.body(), inner);
      for (String v : inner) {
        if (earlier.contains(v)) {
          need.add(v);
        }
      }
    }
    closureNeeds(k, need, earlier);
  }

  /** A with value that names a built-in or function (a mock by function). */
  private boolean namesFunction(Term t) {
    String name = t instanceof Var v ? v.name() : t instanceof Ref r ? r.dotted() : null;
    if (name == null) {
      return false;
    }
    if (Builtins.get(name) != null || Evaluator.isSpecialBuiltin(name)) {
      return true;
    }
    return functionArity(name) >= 0;
  }

  /** Arity of the user function {@code name} refers to from this module, or -1. */
  private int functionArity(String name) {
    List<String> p = ctx.dataPath(name);
    Integer a = p == null ? null : functionArities.get(String.join(".", p));
    return a == null ? -1 : a;
  }

  private void exprBinds(Expr e, Set<String> safe) {
    if (e.negated()) {
      return;
    }
    ExprKind k = e.kind();
    if (k instanceof TermExpr t) {
      outputs(t.term(), safe);
    } else if (k instanceof Unify u) {
      patternVars(u.lhs(), safe);
      patternVars(u.rhs(), safe);
      outputs(u.lhs(), safe);
      outputs(u.rhs(), safe);
    } else if (k instanceof Assign a) {
      patternVars(a.lhs(), safe);
      outputs(a.rhs(), safe);
    } else if (k instanceof SomeIn s) {
      if (s.key() != null) {
        patternVars(s.key(), safe);
      }
      patternVars(s.value(), safe);
      outputs(s.collection(), safe);
    }
  }

  /** Checks and reorders bodies nested in the expression (comprehensions, every). */
  private Expr nested(Expr e, Set<String> safe) {
    ExprKind k = e.kind();
    if (k instanceof Every ev) {
      Set<String> inner = new HashSet<>(safe);
      if (ev.key() != null) {
        patternVars(ev.key(), inner);
      }
      patternVars(ev.value(), inner);
      Body b = body(ev.body(), inner);
      return new Expr(e.negated(), new Every(ev.key(), ev.value(), ev.domain(), b), e.withs(),
          e.loc());
    }
    // comprehensions are checked in place (their bodies see the enclosing safe set)
    checkComprehensions(k, safe);
    return e;
  }

  private void checkComprehensions(ExprKind k, Set<String> safe) {
    List<Term> terms = new ArrayList<>();
    kindTerms(k, terms);
    for (Term t : terms) {
      Compiler.AstWalker.term(t, x -> {
        Body b = null;
        List<Term> heads = new ArrayList<>();
        if (x instanceof ArrayCompr c) {
          b = c.body();
          heads.add(c.head());
        } else if (x instanceof SetCompr c) {
          b = c.body();
          heads.add(c.head());
        } else if (x instanceof ObjectCompr c) {
          b = c.body();
          heads.add(c.key());
          heads.add(c.value());
        }
        if (b != null) {
          Set<String> inner = new HashSet<>(safe);
          body(b, inner);
          Set<String> need = new LinkedHashSet<>();
          for (Term h : heads) {
            needs(h, need);
          }
          need.removeAll(inner);
          if (!need.isEmpty()) {
            Ast.Loc at = b.exprs().isEmpty() ? new Ast.Loc(0, 0) : b.exprs().get(0).loc();
            throw new RegoError("rego_unsafe_var_error", "var " + need.iterator().next()
                + " is unsafe", ctx.file(), at.line(), at.column());
          }
        }
      });
    }
  }

  private void closureNeeds(ExprKind k, Set<String> need, Set<String> outer) {
    List<Term> terms = new ArrayList<>();
    kindTerms(k, terms);
    Set<String> inner = new HashSet<>();
    for (Term t : terms) {
      Compiler.AstWalker.term(t, x -> {
        if (x instanceof ArrayCompr c) {
          collectVars(c.body(), inner);
        } else if (x instanceof SetCompr c) {
          collectVars(c.body(), inner);
        } else if (x instanceof ObjectCompr c) {
          collectVars(c.body(), inner);
        }
      });
    }
    for (String v : inner) {
      if (outer.contains(v)) {
        need.add(v);
      }
    }
  }

  // ------------------------------------------------------------------ variable positions

  private boolean isLocal(Var v) {
    if (v.isWildcard()) {
      return false;
    }
    String n = v.name();
    if (n.equals("input") || n.equals("data")) {
      return false;
    }
    if (declared.contains(n)) {
      return true;
    }
    return !ctx.imports().containsKey(n) && !ctx.ruleNames().contains(n);
  }

  /** Variables a term needs when it is evaluated as a value. */
  private void needs(Term t, Set<String> out) {
    if (t == null) {
      return;
    }
    if (t instanceof Var v) {
      if (isLocal(v)) {
        out.add(v.name());
      }
    } else if (t instanceof Ref r) {
      needs(r.head(), out);
      for (Term p : r.path()) {
        if (!(p instanceof Var) && !(p instanceof ArrayTerm) && !(p instanceof ObjectTerm)) {
          needs(p, out);
        }
      }
    } else if (t instanceof Call c) {
      int n = c.args().size();
      int ins = legacyOutput(c) ? n - 1 : n;
      for (int i = 0; i < ins; i++) {
        needs(c.args().get(i), out);
      }
    } else if (t instanceof ArrayTerm a) {
      a.items().forEach(x -> needs(x, out));
    } else if (t instanceof SetTerm s) {
      s.items().forEach(x -> needs(x, out));
    } else if (t instanceof ObjectTerm o) {
      for (Entry e : o.entries()) {
        needs(e.key(), out);
        needs(e.value(), out);
      }
    }
  }

  /** Needs of a unification side: call arguments and reference heads only. */
  private void inputs(Term t, Set<String> out) {
    if (t instanceof Var) {
      return;
    }
    if (t instanceof ArrayTerm a) {
      a.items().forEach(x -> inputs(x, out));
    } else if (t instanceof ObjectTerm o) {
      for (Entry e : o.entries()) {
        needs(e.key(), out);
        inputs(e.value(), out);
      }
    } else {
      needs(t, out);
    }
  }

  /** Variables a unification pattern binds. */
  private void patternVars(Term t, Set<String> out) {
    if (t instanceof Var v) {
      if (isLocal(v)) {
        out.add(v.name());
      }
    } else if (t instanceof ArrayTerm a) {
      a.items().forEach(x -> patternVars(x, out));
    } else if (t instanceof ObjectTerm o) {
      o.entries().forEach(e -> patternVars(e.value(), out));
    }
  }

  /** Variables bound while evaluating a term: reference iteration and output arguments. */
  private void outputs(Term t, Set<String> out) {
    if (t instanceof Ref r) {
      for (Term p : r.path()) {
        if (p instanceof Var || p instanceof ArrayTerm || p instanceof ObjectTerm) {
          patternVars(p, out);
        } else {
          outputs(p, out);
        }
      }
      outputs(r.head(), out);
    } else if (t instanceof Call c) {
      int n = c.args().size();
      boolean legacy = legacyOutput(c);
      for (int i = 0; i < n; i++) {
        if (legacy && i == n - 1) {
          patternVars(c.args().get(i), out);
        }
        outputs(c.args().get(i), out);
      }
    } else if (t instanceof ArrayTerm a) {
      a.items().forEach(x -> outputs(x, out));
    } else if (t instanceof SetTerm s) {
      s.items().forEach(x -> outputs(x, out));
    } else if (t instanceof ObjectTerm o) {
      o.entries().forEach(e -> outputs(e.value(), out));
    }
  }

  /** True when the call uses the legacy form whose last argument is the output. */
  private boolean legacyOutput(Call c) {
    String name = c.name();
    if (name == null) {
      return false;
    }
    int n = c.args().size();
    Builtins.Def def = Builtins.get(name);
    if (def != null) {
      return n == def.arity() + 1;
    }
    int arity = functionArity(name);
    return arity >= 0 && n == arity + 1;
  }

  /** Local variables of an expression, not looking into nested bodies. */
  private void allVars(ExprKind k, Set<String> out) {
    List<Term> terms = new ArrayList<>();
    kindTerms(k, terms);
    for (Term t : terms) {
      shallow(t, out);
    }
  }

  private void shallow(Term t, Set<String> out) {
    if (t instanceof Var v) {
      if (isLocal(v)) {
        out.add(v.name());
      }
    } else if (t instanceof Ref r) {
      shallow(r.head(), out);
      r.path().forEach(x -> shallow(x, out));
    } else if (t instanceof Call c) {
      c.args().forEach(x -> shallow(x, out));
    } else if (t instanceof ArrayTerm a) {
      a.items().forEach(x -> shallow(x, out));
    } else if (t instanceof SetTerm st) {
      st.items().forEach(x -> shallow(x, out));
    } else if (t instanceof ObjectTerm o) {
      for (Entry e : o.entries()) {
        shallow(e.key(), out);
        shallow(e.value(), out);
      }
    }
  }

  private static void kindTerms(ExprKind k, List<Term> out) {
    if (k instanceof TermExpr t) {
      out.add(t.term());
    } else if (k instanceof Unify u) {
      out.add(u.lhs());
      out.add(u.rhs());
    } else if (k instanceof Assign a) {
      out.add(a.lhs());
      out.add(a.rhs());
    } else if (k instanceof SomeIn s) {
      if (s.key() != null) {
        out.add(s.key());
      }
      out.add(s.value());
      out.add(s.collection());
    } else if (k instanceof Every ev) {
      out.add(ev.domain());
    } else if (k instanceof SomeVars s) {
      out.addAll(s.vars());
    }
  }

  private void collectVars(Body b, Set<String> out) {
    Compiler.AstWalker.body(b, x -> {
      if (x instanceof Var v && isLocal(v)) {
        out.add(v.name());
      }
    });
  }

  static void collectVars(Term t, Set<String> out) {
    Compiler.AstWalker.term(t, x -> {
      if (x instanceof Var v && !v.isWildcard()) {
        out.add(v.name());
      }
    });
  }

  static void collectDeclared(Body b, Set<String> out) {
    if (b == null) {
      return;
    }
    for (Expr e : b.exprs()) {
      ExprKind k = e.kind();
      if (k instanceof Assign a) {
        collectVars(a.lhs(), out);
      } else if (k instanceof SomeVars s) {
        s.vars().forEach(v -> out.add(v.name()));
      } else if (k instanceof SomeIn s) {
        if (s.key() != null) {
          collectVars(s.key(), out);
        }
        collectVars(s.value(), out);
      } else if (k instanceof Every ev) {
        if (ev.key() != null) {
          collectVars(ev.key(), out);
        }
        collectVars(ev.value(), out);
        collectDeclared(ev.body(), out);
      }
    }
  }
}
