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
import dev.aegis.pipeline.rego.Ast.Import;
import dev.aegis.pipeline.rego.Ast.Loc;
import dev.aegis.pipeline.rego.Ast.Module;
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
import dev.aegis.pipeline.rego.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser for Rego v1 modules and queries. Operator precedence follows OPA's
 * parser (lowest first): {@code in}, relations ({@code == != < <= > >=}), {@code |}, {@code &},
 * {@code + -}, {@code * / %}, unary minus. Errors are {@link RegoError} with code
 * {@code rego_parse_error}.
 */
public final class Parser {

  private static final Set<String> FUTURE_KEYWORDS = Set.of("in", "if", "contains", "every", "not");

  private final List<Token> toks;
  private final String file;
  private int i;

  private Parser(String src, String file) {
    this.toks = Lexer.tokenize(src, file);
    this.file = file;
  }

  /** Parses a whole module. */
  public static Module parseModule(String src) {
    return parseModule(src, null);
  }

  /** Parses a whole module; {@code file} (e.g. "test-0.rego") is used in error messages. */
  public static Module parseModule(String src, String file) {
    return new Parser(src, file).module();
  }

  /** Parses a query: expressions separated by newlines or ';'. */
  public static Body parseQuery(String src) {
    Parser p = new Parser(src, null);
    if (p.at(Kind.EOF)) {
      throw p.err(p.peek(), "empty query");
    }
    Body b = p.exprList(Kind.EOF);
    return b;
  }

  /** Parses a single term (e.g. an {@code input_term}). */
  public static Term parseTerm(String src) {
    Parser p = new Parser(src, null);
    Term t = p.term();
    p.expect(Kind.EOF);
    return t;
  }

  // ------------------------------------------------------------------ token helpers

  private Token peek() {
    return toks.get(i);
  }

  private Token peek(int ahead) {
    return toks.get(Math.min(i + ahead, toks.size() - 1));
  }

  private boolean at(Kind k) {
    return toks.get(i).kind() == k;
  }

  private Token next() {
    Token t = toks.get(i);
    if (t.kind() != Kind.EOF) {
      i++;
    }
    return t;
  }

  private Token expect(Kind k) {
    Token t = peek();
    if (t.kind() != k) {
      throw unexpected(t, "expected " + describe(k));
    }
    return next();
  }

  private static String describe(Kind k) {
    return switch (k) {
      case IDENT -> "ident";
      case EOF -> "EOF";
      case RBRACE -> "}";
      case RBRACK -> "]";
      case RPAREN -> ")";
      case LBRACE -> "{";
      case COLON -> ":";
      case AS -> "as";
      case IN -> "in";
      default -> k.name().toLowerCase();
    };
  }

  private RegoError err(Token t, String msg) {
    return RegoError.parse(msg, file, t.line(), t.column());
  }

  private RegoError unexpected(Token t, String hint) {
    String what = t.kind() == Kind.EOF ? "unexpected eof token"
        : "unexpected " + t.describe() + " token";
    return err(t, hint == null ? what : what + ": " + hint);
  }

  private static Loc loc(Token t) {
    return new Loc(t.line(), t.column());
  }

  // ------------------------------------------------------------------ module

  private Module module() {
    Token first = peek();
    if (!at(Kind.PACKAGE)) {
      throw err(first, first.kind() == Kind.EOF ? "empty module"
          : "unexpected " + first.describe() + " token: expected package");
    }
    next();
    Ref pkg = packagePath();
    List<Import> imports = new ArrayList<>();
    List<Rule> rules = new ArrayList<>();
    while (at(Kind.IMPORT)) {
      requireLineStart();
      imports.add(importDecl());
    }
    while (!at(Kind.EOF)) {
      requireLineStart();
      if (at(Kind.IMPORT)) {
        throw err(peek(), "unexpected import token: imports must precede rules");
      }
      if (at(Kind.PACKAGE)) {
        throw err(peek(), "unexpected package token: a module has exactly one package");
      }
      rules.add(rule());
    }
    return new Module(pkg, imports, rules, loc(first));
  }

  /** A statement must start on a new line (or after ';'). */
  private void requireLineStart() {
    Token t = peek();
    if (at(Kind.SEMI)) {
      next();
      return;
    }
    if (!t.newlineBefore()) {
      throw unexpected(t, null);
    }
  }

  private Ref packagePath() {
    Token t = peek();
    if (!at(Kind.IDENT)) {
      throw unexpected(t, "expected package path");
    }
    Term r = refTail(new Var(next().text()), true);
    Ref ref = r instanceof Ref rr ? rr : new Ref(r, List.of());
    for (Term p : ref.path()) {
      if (!(p instanceof Str)) {
        throw err(t, "package path must contain only strings");
      }
    }
    if (ref.head() instanceof Var v && v.name().equals("data") && !ref.path().isEmpty()) {
      // `package data.x` is the same as `package x`
      Term h = ref.path().get(0);
      return new Ref(new Var(((Str) h).value()), ref.path().subList(1, ref.path().size()));
    }
    return ref;
  }

  private Import importDecl() {
    Token kw = next();
    Token t = peek();
    if (!at(Kind.IDENT)) {
      throw unexpected(t, "expected import path");
    }
    Term r = refTail(new Var(next().text()), true);
    Ref ref = r instanceof Ref rr ? rr : new Ref(r, List.of());
    String root = ((Var) ref.head()).name();
    switch (root) {
      case "data", "input" -> { }
      case "future" -> {
        if (ref.path().isEmpty() || !ref.path().get(0).equals(new Str("keywords"))) {
          throw err(t, "invalid import, must be `future.keywords`");
        }
        if (ref.path().size() > 2) {
          throw err(t, "invalid import, must be `future.keywords.<keyword>`");
        }
        if (ref.path().size() == 2 && !(ref.path().get(1) instanceof Str s
            && FUTURE_KEYWORDS.contains(s.value()))) {
          throw err(t, "unexpected keyword, must be one of " + FUTURE_KEYWORDS);
        }
      }
      case "rego" -> {
        if (!(ref.path().size() == 1 && ref.path().get(0).equals(new Str("v1")))) {
          throw err(t, "invalid import `" + (ref.dotted() == null ? "rego" : ref.dotted())
              + "`, must be `rego.v1`");
        }
      }
      default -> throw err(t, "invalid import path `" + root
          + "`, path must begin with input, data, future or rego");
    }
    String alias = null;
    if (at(Kind.AS) && !peek().newlineBefore()) {
      next();
      Token a = expect(Kind.IDENT);
      alias = a.text();
      if (root.equals("future") || root.equals("rego")) {
        throw err(a, "`" + root + "` imports cannot be aliased");
      }
    }
    return new Import(ref, alias, loc(kw));
  }

  // ------------------------------------------------------------------ rules

  private Rule rule() {
    Token start = peek();
    boolean isDefault = false;
    if (at(Kind.DEFAULT)) {
      isDefault = true;
      next();
    }
    Token ht = peek();
    if (!at(Kind.IDENT)) {
      throw unexpected(ht, isDefault ? "expected rule name" : null);
    }
    Term headTerm = refTail(new Var(next().text()), true);
    Ref head = headTerm instanceof Ref r ? r : new Ref(headTerm, List.of());

    List<Term> args = List.of();
    boolean isFunction = false;
    if (at(Kind.LPAREN) && !peek().spaceBefore()) {
      isFunction = true;
      next();
      args = new ArrayList<>();
      if (!at(Kind.RPAREN)) {
        do {
          args.add(term());
        } while (accept(Kind.COMMA));
      }
      expect(Kind.RPAREN);
    }

    Term key = null;
    Term value = null;
    String op = null;
    RuleKind kind;
    if (at(Kind.CONTAINS)) {
      if (isDefault || isFunction) {
        throw unexpected(peek(), null);
      }
      next();
      key = nested(false);
      kind = RuleKind.PARTIAL_SET;
    } else {
      if (at(Kind.ASSIGN) || at(Kind.UNIFY)) {
        op = next().text();
        value = nested(false);
      }
      if (isFunction) {
        kind = RuleKind.FUNCTION;
      } else if (!head.path().isEmpty() && !isGround(head.path().get(head.path().size() - 1))) {
        kind = RuleKind.PARTIAL_OBJECT;
      } else {
        kind = RuleKind.COMPLETE;
      }
    }

    if (isDefault) {
      if (value == null) {
        throw err(peek(), "default rule must have a value: `default " + headName(head)
            + " := <value>`");
      }
      if (at(Kind.IF) && !peek().newlineBefore() || at(Kind.LBRACE) && !peek().newlineBefore()) {
        throw err(peek(), "default rules cannot have a body");
      }
      if (kind == RuleKind.PARTIAL_OBJECT) {
        throw err(ht, "default rules must have a ground reference head");
      }
      return new Rule(kind, true, head, args, null, value, op, Body.EMPTY, null, loc(start));
    }

    Body body = Body.EMPTY;
    boolean hasBody = false;
    if (at(Kind.IF) && !peek().newlineBefore()) {
      next();
      body = ruleBody();
      hasBody = true;
    } else if (at(Kind.LBRACE) && !peek().newlineBefore()) {
      throw err(peek(), "`if` keyword is required before rule body");
    }
    if (!hasBody && value == null && key == null) {
      throw err(ht, "rule must have value assignment and/or body declaration");
    }
    Rule elseRule = null;
    if (at(Kind.ELSE)) {
      if (kind != RuleKind.COMPLETE && kind != RuleKind.FUNCTION || !hasBody) {
        throw err(peek(), "else keyword cannot be used on " + (hasBody
            ? "multi-value rules" : "rules without a body"));
      }
      elseRule = elseChain(kind, head, args);
    }
    return new Rule(kind, false, head, args, key, value, op, body, elseRule, loc(start));
  }

  private Rule elseChain(RuleKind kind, Ref head, List<Term> args) {
    Token kw = expect(Kind.ELSE);
    Term value = null;
    String op = null;
    if (at(Kind.ASSIGN) || at(Kind.UNIFY)) {
      op = next().text();
      value = nested(false);
    }
    Body body = Body.EMPTY;
    if (at(Kind.IF) && !peek().newlineBefore()) {
      next();
      body = ruleBody();
    } else if (at(Kind.LBRACE) && !peek().newlineBefore()) {
      throw err(peek(), "`if` keyword is required before rule body");
    }
    Rule next = null;
    if (at(Kind.ELSE)) {
      if (body.isEmpty()) {
        throw err(peek(), "expected `if` before else body");
      }
      next = elseChain(kind, head, args);
    }
    return new Rule(kind, false, head, args, null, value, op, body, next, loc(kw));
  }

  private static String headName(Ref head) {
    String d = head.dotted();
    return d == null ? ((Var) head.head()).name() : d;
  }

  /** True when the term contains no variables, refs, calls or comprehensions. */
  static boolean isGround(Term t) {
    if (t instanceof ArrayTerm a) {
      return a.items().stream().allMatch(Parser::isGround);
    }
    if (t instanceof SetTerm st) {
      return st.items().stream().allMatch(Parser::isGround);
    }
    if (t instanceof ObjectTerm o) {
      return o.entries().stream().allMatch(e -> isGround(e.key()) && isGround(e.value()));
    }
    return t instanceof Str || t instanceof Num || t instanceof Bool || t instanceof Null;
  }

  /** After {@code if}: a braced body or a single literal. */
  private Body ruleBody() {
    if (at(Kind.LBRACE)) {
      int save = i;
      next();
      if (at(Kind.RBRACE)) {
        throw err(peek(), "found empty body");
      }
      try {
        Body b = exprList(Kind.RBRACE);
        expect(Kind.RBRACE);
        return b;
      } catch (RegoError e) {
        // `if {x: 1 | ...}`: a single literal that starts with a brace (as OPA backtracks)
        int afterBody = i;
        i = save;
        try {
          return new Body(List.of(literal()));
        } catch (RegoError e2) {
          i = afterBody;
          throw e;
        }
      }
    }
    return new Body(List.of(literal()));
  }

  /** Literals separated by ';' or newlines, up to (not including) {@code end}. */
  private Body exprList(Kind end) {
    List<Expr> out = new ArrayList<>();
    while (true) {
      out.add(literal());
      if (at(end)) {
        return new Body(out);
      }
      if (at(Kind.SEMI)) {
        next();
        if (at(end)) {
          return new Body(out);
        }
        continue;
      }
      if (!peek().newlineBefore()) {
        throw unexpected(peek(), null);
      }
    }
  }

  // ------------------------------------------------------------------ literals

  private Expr literal() {
    Token start = peek();
    boolean negated = false;
    ExprKind kind;
    if (at(Kind.SOME)) {
      kind = some();
    } else if (at(Kind.EVERY)) {
      kind = every();
    } else {
      if (at(Kind.NOT)) {
        next();
        negated = true;
        if (at(Kind.SOME) || at(Kind.EVERY) || at(Kind.NOT)) {
          throw unexpected(peek(), "expected expression after `not`");
        }
      }
      kind = exprKind();
    }
    List<With> withs = new ArrayList<>();
    while (at(Kind.WITH)) {
      Token w = next();
      Term target = term();
      if (target instanceof Var v) {
        target = new Ref(v, List.of());
      }
      if (!(target instanceof Ref r) || !(r.head() instanceof Var)) {
        throw err(w, "expected with target to be a reference");
      }
      expect(Kind.AS);
      Term value = nested(false);
      withs.add(new With(target, value, loc(w)));
    }
    return new Expr(negated, kind, withs, loc(start));
  }

  private ExprKind exprKind() {
    Token start = peek();
    Term lhs = inExpr(true);
    if (at(Kind.ASSIGN)) {
      next();
      Term rhs = inExpr(true);
      if (!isAssignable(lhs)) {
        throw err(start, "cannot assign to " + kindName(lhs));
      }
      return new Assign(lhs, rhs);
    }
    if (at(Kind.UNIFY)) {
      next();
      Term rhs = inExpr(true);
      return new Unify(lhs, rhs);
    }
    return new TermExpr(lhs);
  }

  private static boolean isAssignable(Term t) {
    if (t instanceof Var) {
      return true;
    }
    if (t instanceof ArrayTerm a) {
      return a.items().stream().allMatch(Parser::isAssignableElem);
    }
    if (t instanceof ObjectTerm o) {
      return o.entries().stream().allMatch(e -> isAssignableElem(e.value()));
    }
    return false;
  }

  private static boolean isAssignableElem(Term t) {
    return t instanceof Var || t instanceof ArrayTerm || t instanceof ObjectTerm
        || t instanceof Str || t instanceof Num || t instanceof Bool || t instanceof Null
        ? (t instanceof ArrayTerm || t instanceof ObjectTerm ? isAssignable(t) : true) : false;
  }

  private static String kindName(Term t) {
    if (t instanceof Ref) {
      return "ref";
    } else if (t instanceof Call) {
      return "call";
    } else if (t instanceof Str) {
      return "string";
    } else if (t instanceof Num) {
      return "number";
    } else if (t instanceof Bool) {
      return "boolean";
    } else if (t instanceof Null) {
      return "null";
    } else if (t instanceof SetTerm) {
      return "set";
    }
    return "term";
  }

  private ExprKind some() {
    Token kw = next();
    Token t = peek();
    Term first = inExpr(true);
    if (first instanceof Call c && c.name() != null && c.name().startsWith("internal.member_")) {
      if (c.args().size() == 2) {
        return new SomeIn(null, c.args().get(0), c.args().get(1));
      }
      return new SomeIn(c.args().get(0), c.args().get(1), c.args().get(2));
    }
    List<Var> vars = new ArrayList<>();
    Term cur = first;
    while (true) {
      if (!(cur instanceof Var v)) {
        throw err(t, "expected var or `x in xs` after `some`");
      }
      vars.add(v);
      if (!accept(Kind.COMMA)) {
        break;
      }
      t = peek();
      cur = term();
    }
    if (at(Kind.IN)) {
      throw unexpected(peek(), null);
    }
    return new SomeVars(vars);
  }

  private ExprKind every() {
    Token kw = next();
    Term first = term();
    Term key = null;
    Term value = first;
    if (accept(Kind.COMMA)) {
      key = first;
      value = term();
    }
    if (!(value instanceof Var) || key != null && !(key instanceof Var)) {
      throw err(kw, "unexpected term: expected var after `every`");
    }
    expect(Kind.IN);
    Term domain = relation();
    if (!at(Kind.LBRACE)) {
      throw unexpected(peek(), "expected { after every domain");
    }
    next();
    if (at(Kind.RBRACE)) {
      throw err(peek(), "every body must be non-empty");
    }
    Body body = exprList(Kind.RBRACE);
    expect(Kind.RBRACE);
    return new Every(key, value, domain, body);
  }

  private boolean accept(Kind k) {
    if (at(k)) {
      next();
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------------ infix terms

  private boolean noOr;

  /** Membership level: {@code x in xs}, {@code k, v in xs} (the latter only if keyVal). */
  private Term inExpr(boolean keyVal) {
    Term lhs = relation();
    if (keyVal && at(Kind.COMMA)) {
      // `k, v in xs`: only if an `in` follows the second term
      int save = i;
      next();
      Term mid;
      try {
        mid = relation();
      } catch (RegoError e) {
        i = save;
        return lhs;
      }
      if (at(Kind.IN)) {
        next();
        Term rhs = relation();
        Term call = call("internal.member_3", lhs, mid, rhs);
        return inLoop(call);
      }
      i = save;
      return lhs;
    }
    return inLoop(lhs);
  }

  private Term inLoop(Term lhs) {
    while (at(Kind.IN)) {
      next();
      Term rhs = relation();
      lhs = call("internal.member_2", lhs, rhs);
    }
    return lhs;
  }

  private static Call call(String name, Term... args) {
    String[] parts = name.split("\\.");
    List<Term> path = new ArrayList<>();
    for (int k = 1; k < parts.length; k++) {
      path.add(new Str(parts[k]));
    }
    return new Call(new Ref(new Var(parts[0]), path), List.of(args));
  }

  private Term relation() {
    Term lhs = or();
    while (true) {
      String op = switch (peek().kind()) {
        case EQ -> "equal";
        case NEQ -> "neq";
        case LT -> "lt";
        case LTE -> "lte";
        case GT -> "gt";
        case GTE -> "gte";
        default -> null;
      };
      if (op == null) {
        return lhs;
      }
      next();
      lhs = call(op, lhs, or());
    }
  }

  private Term or() {
    Term lhs = and();
    while (at(Kind.BAR) && !noOr) {
      next();
      lhs = call("or", lhs, and());
    }
    return lhs;
  }

  private Term and() {
    Term lhs = arith();
    while (at(Kind.AMP)) {
      next();
      lhs = call("and", lhs, arith());
    }
    return lhs;
  }

  private Term arith() {
    Term lhs = factor();
    while (at(Kind.PLUS) || at(Kind.MINUS)) {
      String op = next().is(Kind.PLUS) ? "plus" : "minus";
      lhs = call(op, lhs, factor());
    }
    return lhs;
  }

  private Term factor() {
    Term lhs = term();
    while (at(Kind.STAR) || at(Kind.SLASH) || at(Kind.PERCENT)) {
      Kind k = next().kind();
      String op = k == Kind.STAR ? "mul" : k == Kind.SLASH ? "div" : "rem";
      lhs = call(op, lhs, term());
    }
    return lhs;
  }

  // ------------------------------------------------------------------ terms

  /** A full infix expression in a nested context (resets the no-`|` flag). */
  private Term nested(boolean keyVal) {
    boolean saved = noOr;
    noOr = false;
    try {
      return inExpr(keyVal);
    } finally {
      noOr = saved;
    }
  }

  /** A collection element or comprehension head: like nested() but `|` is not an operator. */
  private Term element() {
    boolean saved = noOr;
    noOr = true;
    try {
      return inExpr(false);
    } finally {
      noOr = saved;
    }
  }

  /** A single operand: scalar, var, ref, call, collection, comprehension, parenthesised expr. */
  Term term() {
    Token t = peek();
    Term base;
    switch (t.kind()) {
      case NULL -> {
        next();
        base = new Null();
      }
      case TRUE -> {
        next();
        base = new Bool(true);
      }
      case FALSE -> {
        next();
        base = new Bool(false);
      }
      case NUMBER -> {
        next();
        base = new Num(t.text());
      }
      case STRING, RAW_STRING -> {
        next();
        base = new Str(t.text());
      }
      case MINUS -> {
        next();
        Token n = peek();
        if (n.is(Kind.NUMBER) && !n.spaceBefore()) {
          next();
          base = new Num("-" + n.text());
        } else {
          Term operand = term();
          return call("minus", new Num("0"), operand);
        }
      }
      case IDENT -> {
        next();
        base = new Var(t.text());
      }
      case CONTAINS -> {
        // the built-in function `contains(s, x)` survives as a call
        if (peek(1).is(Kind.LPAREN) && !peek(1).spaceBefore()) {
          next();
          base = new Var("contains");
        } else {
          throw unexpected(t, null);
        }
      }
      case LBRACK -> base = array();
      case LBRACE -> base = braces();
      case LPAREN -> {
        next();
        base = nested(true);
        expect(Kind.RPAREN);
      }
      default -> throw unexpected(t, null);
    }
    return refTail(base, false);
  }

  /** Ref continuations: {@code .x}, {@code [t]}, {@code (args)} directly attached to base. */
  private Term refTail(Term base, boolean pathOnly) {
    Term cur = base;
    while (true) {
      Token t = peek();
      if (t.spaceBefore()) {
        return cur;
      }
      if (t.is(Kind.DOT)) {
        next();
        Token f = peek();
        if (f.spaceBefore() || !(f.is(Kind.IDENT) || f.isKeyword())) {
          throw unexpected(f, "expected ident after .");
        }
        next();
        cur = append(cur, new Str(f.text()));
      } else if (t.is(Kind.LBRACK)) {
        next();
        Term idx = nested(false);
        expect(Kind.RBRACK);
        cur = append(cur, idx);
      } else if (t.is(Kind.LPAREN) && !pathOnly) {
        Ref fn;
        if (cur instanceof Var v) {
          fn = new Ref(v, List.of());
        } else if (cur instanceof Ref r && r.head() instanceof Var) {
          fn = r;
        } else {
          return cur;
        }
        next();
        List<Term> args = new ArrayList<>();
        if (!at(Kind.RPAREN)) {
          do {
            args.add(nested(false));
          } while (accept(Kind.COMMA));
        }
        expect(Kind.RPAREN);
        if (fn.path().isEmpty() && ((Var) fn.head()).name().equals("set") && args.isEmpty()) {
          cur = new SetTerm(List.of());
        } else {
          cur = new Call(fn, args);
        }
      } else {
        return cur;
      }
    }
  }

  private static Term append(Term cur, Term elem) {
    if (cur instanceof Ref r) {
      List<Term> p = new ArrayList<>(r.path());
      p.add(elem);
      return new Ref(r.head(), p);
    }
    return new Ref(cur, List.of(elem));
  }

  private Term array() {
    next(); // [
    if (accept(Kind.RBRACK)) {
      return new ArrayTerm(List.of());
    }
    Term first = element();
    if (at(Kind.BAR)) {
      next();
      Body body = comprBody(Kind.RBRACK);
      return new ArrayCompr(first, body);
    }
    List<Term> items = new ArrayList<>();
    items.add(first);
    while (accept(Kind.COMMA)) {
      if (at(Kind.RBRACK)) {
        break;
      }
      items.add(nested(false));
    }
    expect(Kind.RBRACK);
    return new ArrayTerm(items);
  }

  private Term braces() {
    next(); // {
    if (accept(Kind.RBRACE)) {
      return new ObjectTerm(List.of());
    }
    Term first = element();
    if (at(Kind.COLON)) {
      next();
      Term v = element();
      if (at(Kind.BAR)) {
        next();
        Body body = comprBody(Kind.RBRACE);
        return new ObjectCompr(first, v, body);
      }
      List<Entry> entries = new ArrayList<>();
      entries.add(new Entry(first, v));
      while (accept(Kind.COMMA)) {
        if (at(Kind.RBRACE)) {
          break;
        }
        Term k = nested(false);
        expect(Kind.COLON);
        entries.add(new Entry(k, nested(false)));
      }
      expect(Kind.RBRACE);
      return new ObjectTerm(entries);
    }
    if (at(Kind.BAR)) {
      next();
      Body body = comprBody(Kind.RBRACE);
      return new SetCompr(first, body);
    }
    List<Term> items = new ArrayList<>();
    items.add(first);
    while (accept(Kind.COMMA)) {
      if (at(Kind.RBRACE)) {
        break;
      }
      items.add(nested(false));
    }
    expect(Kind.RBRACE);
    return new SetTerm(items);
  }

  private Body comprBody(Kind end) {
    boolean saved = noOr;
    noOr = false;
    try {
      if (at(end)) {
        throw err(peek(), "comprehension body must be non-empty");
      }
      Body b = exprList(end);
      expect(end);
      return b;
    } finally {
      noOr = saved;
    }
  }
}
