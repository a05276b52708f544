package dev.aegis.pipeline.rego;

import dev.aegis.pipeline.rego.Ast.Call;
import dev.aegis.pipeline.rego.Ast.Ref;
import dev.aegis.pipeline.rego.Ast.Rule;
import dev.aegis.pipeline.rego.Ast.Str;
import dev.aegis.pipeline.rego.Ast.Term;
import dev.aegis.pipeline.rego.Ast.Var;
import dev.aegis.pipeline.rego.Compiler.CRule;
import dev.aegis.pipeline.rego.Compiler.ModuleCtx;
import dev.aegis.pipeline.rego.Compiler.RuleNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the rules whose value cannot change between queries of one compiled program: they read
 * neither {@code input} nor the base {@code data} document, call no clock or random built-in, use
 * no {@code with}, and depend only on other such rules (constants, keyword sets, regexes built
 * with {@code concat}). Their values are computed once per program and shared by every query
 * (unless the query replaces something with {@code with}). The analysis is conservative: anything
 * it cannot resolve statically counts as dynamic.
 */
final class StaticRules {
  private static final Set<String> NON_DETERMINISTIC = Set.of("time.now_ns", "rand.intn",
      "uuid.rfc4122", "uuid.parse", "http.send", "opa.runtime", "net.lookup_ip_addr", "trace",
      "print", "internal.print", "io.jwt.decode_verify", "crypto.x509.parse_and_verify_certificates");

  private final RuleNode root;
  private final Map<RuleNode, Boolean> verdict = new IdentityHashMap<>();
  private final Set<RuleNode> visiting = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

  private StaticRules(RuleNode root) {
    this.root = root;
  }

  /**
   * Rejects recursion (a rule or function that depends on itself, directly or through others),
   * as OPA's compiler does: {@code rego_recursion_error}. References that reach a subtree (a
   * package, {@code data.x[y]}) depend on every rule below it.
   */
  static void checkRecursion(RuleNode root) {
    StaticRules s = new StaticRules(root);
    Map<RuleNode, Integer> state = new IdentityHashMap<>();
    s.dfsAll(root, state, new ArrayList<>());
  }

  private void dfsAll(RuleNode n, Map<RuleNode, Integer> state, List<RuleNode> stack) {
    if (n.hasRules() || !n.functions.isEmpty()) {
      dfs(n, state, stack);
    }
    for (RuleNode c : n.children.values()) {
      dfsAll(c, state, stack);
    }
  }

  private void dfs(RuleNode n, Map<RuleNode, Integer> state, List<RuleNode> stack) {
    Integer st = state.get(n);
    if (st != null && st == 2) {
      return;
    }
    if (st != null && st == 1) {
      StringBuilder cycle = new StringBuilder();
      for (int i = stack.indexOf(n); i < stack.size(); i++) {
        cycle.append(stack.get(i).dataPath()).append(" -> ");
      }
      cycle.append(n.dataPath());
      CRule at = !n.rules.isEmpty() ? n.rules.get(0) : !n.functions.isEmpty()
          ? n.functions.get(0) : n.defaultRule;
      throw new RegoError("rego_recursion_error", "rule " + n.dataPath() + " is recursive: "
          + cycle, at.ctx().file(), at.rule().loc().line(), at.rule().loc().column());
    }
    state.put(n, 1);
    stack.add(n);
    for (RuleNode d : dependencies(n)) {
      dfs(d, state, stack);
    }
    stack.remove(stack.size() - 1);
    state.put(n, 2);
  }

  /** The rule nodes the rules at {@code n} may read or call. */
  private Set<RuleNode> dependencies(RuleNode n) {
    Set<RuleNode> out = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    List<CRule> all = new ArrayList<>(n.rules);
    all.addAll(n.functions);
    if (n.defaultRule != null) {
      all.add(n.defaultRule);
    }
    for (CRule cr : all) {
      ModuleCtx ctx = cr.ctx();
      Map<Term, Boolean> heads = new IdentityHashMap<>();
      Compiler.AstWalker.forEachTerm(cr.rule(), t -> {
        if (t instanceof Ref r) {
          heads.put(r.head(), true);
        }
      });
      Set<String> locals = declared(cr);
      Compiler.AstWalker.forEachTerm(cr.rule(), t -> {
        if (heads.containsKey(t)) {
          // the head of a reference: handled with the reference, unless it is a local
          return;
        }
        if (t instanceof Var lv && locals.contains(lv.name())) {
          return;
        }
        if (t instanceof Call c && c.name() != null) {
          RuleNode fn = resolve(c.name(), ctx);
          if (fn != null) {
            out.add(fn);
          }
        } else if (t instanceof Ref r) {
          if (!(r.head() instanceof Var hv && locals.contains(hv.name()))) {
            refDeps(r, ctx, out);
          }
        } else if (t instanceof Var v) {
          if (v.name().equals("data")) {
            below(root, out);
          } else if (ctx.imports().containsKey(v.name())) {
            refDeps(ctx.imports().get(v.name()), ctx, out);
          } else if (ctx.ruleNames().contains(v.name())) {
            List<String> p = new ArrayList<>(ctx.pkg());
            p.add(v.name());
            RuleNode node = root.find(p);
            if (node != null) {
              below(node, out);
            }
          }
        }
      });
    }
    return out;
  }

  /**
   * The path from {@code data} of a reference whose head is {@code data}, an import of a data
   * path or a rule name of the package; null for anything else (input, a local).
   */
  private static List<Term> dataTerms(Ref r, ModuleCtx ctx) {
    if (!(r.head() instanceof Var hv)) {
      return null;
    }
    if (hv.name().equals("data")) {
      return r.path();
    }
    List<String> prefix = hv.name().equals("input") ? null : ctx.dataPath(hv.name());
    if (prefix == null) {
      return null;
    }
    List<Term> out = new ArrayList<>(prefix.size() + r.path().size());
    for (String s : prefix) {
      out.add(new Str(s));
    }
    out.addAll(r.path());
    return out;
  }

  private void refDeps(Ref r, ModuleCtx ctx, Set<RuleNode> out) {
    List<Term> path = dataTerms(r, ctx);
    if (path == null) {
      return;
    }
    RuleNode n = root;
    for (Term t : path) {
      if (n.hasRules() || !n.functions.isEmpty()) {
        out.add(n);
        return;
      }
      if (t instanceof Ast.Num || t instanceof Ast.Bool || t instanceof Ast.Null) {
        return; // rule paths are strings: a number key reads base data only
      }
      if (!(t instanceof Str s)) {
        below(n, out);
        return;
      }
      RuleNode c = n.children.get(s.value());
      if (c == null) {
        return;
      }
      n = c;
    }
    below(n, out);
  }

  /** Names a rule declares locally (arguments, :=, some, every): they shadow rule names. */
  private static Set<String> declared(CRule cr) {
    Set<String> out = new HashSet<>();
    for (Term a : cr.rule().args()) {
      Safety.collectVars(a, out);
    }
    for (Rule r = cr.rule(); r != null; r = r.elseRule()) {
      Safety.collectDeclared(r.body(), out);
    }
    return out;
  }

  private static void below(RuleNode n, Set<RuleNode> out) {
    if (n.hasRules() || !n.functions.isEmpty()) {
      out.add(n);
      return;
    }
    for (RuleNode c : n.children.values()) {
      below(c, out);
    }
  }

  /** Marks {@link RuleNode#isStatic} on every node of the tree. */
  static void mark(RuleNode root) {
    StaticRules s = new StaticRules(root);
    s.visit(root);
  }

  private void visit(RuleNode n) {
    if (n.hasRules() || !n.functions.isEmpty()) {
      n.isStatic = isStatic(n);
    }
    for (RuleNode c : n.children.values()) {
      visit(c);
    }
  }

  private boolean isStatic(RuleNode n) {
    Boolean v = verdict.get(n);
    if (v != null) {
      return v;
    }
    if (!visiting.add(n)) {
      return false; // recursion: let the evaluator report it
    }
    boolean ok = true;
    List<CRule> all = new ArrayList<>(n.rules);
    all.addAll(n.functions);
    if (n.defaultRule != null) {
      all.add(n.defaultRule);
    }
    for (CRule cr : all) {
      if (!ruleStatic(cr)) {
        ok = false;
        break;
      }
    }
    visiting.remove(n);
    verdict.put(n, ok);
    return ok;
  }

  private boolean ruleStatic(CRule cr) {
    ModuleCtx ctx = cr.ctx();
    boolean[] ok = {true};
    for (Rule r = cr.rule(); r != null; r = r.elseRule()) {
      // with anywhere makes the rule dynamic (the replaced document is query-specific)
      if (hasWith(r.body())) {
        return false;
      }
    }
    Map<Term, Boolean> heads = new IdentityHashMap<>();
    Compiler.AstWalker.forEachTerm(cr.rule(), t -> {
      if (t instanceof Ref r) {
        heads.put(r.head(), true);
      }
    });
    Set<String> locals = declared(cr);
    Compiler.AstWalker.forEachTerm(cr.rule(), t -> {
      if (!ok[0] || heads.containsKey(t)) {
        return;
      }
      if (t instanceof Var lv && locals.contains(lv.name())) {
        return;
      }
      if (t instanceof Ref r && r.head() instanceof Var hv && locals.contains(hv.name())) {
        return;
      }
      if (t instanceof Call c) {
        String name = c.name();
        if (name == null || NON_DETERMINISTIC.contains(name)) {
          ok[0] = false;
          return;
        }
        RuleNode fn = resolve(name, ctx);
        if (fn != null && !isStatic(fn)) {
          ok[0] = false;
        }
        if (fn == null && Builtins.get(name) == null && !Evaluator.isSpecialBuiltin(name)
            && (name.startsWith("data.") || ctx.imports().containsKey(first(name)))) {
          ok[0] = false;
        }
      } else if (t instanceof Ref r) {
        if (!refStatic(r, ctx)) {
          ok[0] = false;
        }
      } else if (t instanceof Var v) {
        if (!varStatic(v, ctx)) {
          ok[0] = false;
        }
      }
    });
    return ok[0];
  }

  private static boolean hasWith(Ast.Body b) {
    if (b == null) {
      return false;
    }
    for (Ast.Expr e : b.exprs()) {
      if (!e.withs().isEmpty()) {
        return true;
      }
      if (e.kind() instanceof Ast.Every ev && hasWith(ev.body())) {
        return true;
      }
    }
    boolean[] found = {false};
    Compiler.AstWalker.body(b, t -> {
      Ast.Body inner = t instanceof Ast.ArrayCompr c ? c.body() : t instanceof Ast.SetCompr c
          ? c.body() : t instanceof Ast.ObjectCompr c ? c.body() : null;
      if (inner != null && hasWith(inner)) {
        found[0] = true;
      }
    });
    return found[0];
  }

  private static String first(String dotted) {
    int i = dotted.indexOf('.');
    return i < 0 ? dotted : dotted.substring(0, i);
  }

  private boolean varStatic(Var v, ModuleCtx ctx) {
    String n = v.name();
    if (n.equals("input") || n.equals("data")) {
      return false;
    }
    Ref imp = ctx.imports().get(n);
    if (imp != null) {
      return refStatic(imp, ctx);
    }
    if (ctx.ruleNames().contains(n)) {
      List<String> p = new ArrayList<>(ctx.pkg());
      p.add(n);
      RuleNode node = root.find(p);
      return node != null && (node.hasRules() || !node.functions.isEmpty()) && isStatic(node);
    }
    return true; // a local
  }

  /** A reference is static when it starts at a local or reaches a static rule by strings. */
  private boolean refStatic(Ref r, ModuleCtx ctx) {
    if (!(r.head() instanceof Var hv)) {
      return true; // a composite head: its parts are visited on their own
    }
    List<Term> path = dataTerms(r, ctx);
    if (path == null) {
      // input (directly or through an import) is dynamic; anything else is a local
      return !hv.name().equals("input") && !ctx.imports().containsKey(hv.name());
    }
    RuleNode n = root;
    for (Term t : path) {
      if (!(t instanceof Str s)) {
        return false;
      }
      n = n.children.get(s.value());
      if (n == null) {
        return false; // base data
      }
      if (n.hasRules() || !n.functions.isEmpty()) {
        return isStatic(n);
      }
    }
    return false; // a whole subtree, possibly merged with base data
  }

  private RuleNode resolve(String name, ModuleCtx ctx) {
    List<String> p = ctx.dataPath(name);
    RuleNode n = p == null ? null : root.find(p);
    return n != null && !n.functions.isEmpty() ? n : null;
  }
}
