package dev.aegis.pipeline.rego;

import java.util.List;

/**
 * Immutable Rego v1 AST. Operators are represented as OPA does, as calls to built-ins named
 * {@code plus}, {@code minus}, {@code mul}, {@code div}, {@code rem}, {@code and}, {@code or},
 * {@code equal}, {@code neq}, {@code lt}, {@code lte}, {@code gt}, {@code gte}, and membership as
 * {@code internal.member_2} / {@code internal.member_3}.
 */
public final class Ast {
  private Ast() {
  }

  /** 1-based source location. */
  public record Loc(int line, int column) {
    @Override
    public String toString() {
      return line + ":" + column;
    }
  }

  // ------------------------------------------------------------------ module level

  public record Module(Ref pkg, List<Import> imports, List<Rule> rules, Loc loc) {
    public Module {
      imports = List.copyOf(imports);
      rules = List.copyOf(rules);
    }
  }

  /** {@code import path [as alias]}; alias null when absent. */
  public record Import(Ref path, String alias, Loc loc) {
  }

  public enum RuleKind {
    /** {@code p := v if ...}, {@code p = v}, {@code p if ...}, {@code a.b.c := v}. */
    COMPLETE,
    /** {@code p contains x if ...} (also {@code a.b contains x}). */
    PARTIAL_SET,
    /** Ref head whose last element is a non-constant term: {@code p[k] := v if ...}. */
    PARTIAL_OBJECT,
    /** {@code f(x) := y if ...}. */
    FUNCTION
  }

  /**
   * One rule. {@code head} is the rule's reference ({@code p}, {@code a.b["c"]}, {@code p[x]});
   * {@code args} the function arguments (empty otherwise); {@code key} the element of a
   * {@code contains} rule (null otherwise); {@code value} the assigned value, null when the rule
   * has none (it then means {@code true}); {@code assignOp} ":=" or "=" or null; {@code body}
   * empty when the rule has no body; {@code elseRule} the next rule of an else chain or null.
   */
  public record Rule(RuleKind kind, boolean isDefault, Ref head, List<Term> args, Term key,
      Term value, String assignOp, Body body, Rule elseRule, Loc loc) {
    public Rule {
      args = List.copyOf(args);
    }

    /** The first segment of the head, e.g. {@code p} for {@code p.q[x]}. */
    public String name() {
      return ((Var) head.head()).name();
    }
  }

  // ------------------------------------------------------------------ bodies

  public record Body(List<Expr> exprs) {
    public Body {
      exprs = List.copyOf(exprs);
    }

    public static final Body EMPTY = new Body(List.of());

    public boolean isEmpty() {
      return exprs.isEmpty();
    }
  }

  /** One literal: optionally negated, with zero or more {@code with} modifiers. */
  public record Expr(boolean negated, ExprKind kind, List<With> withs, Loc loc) {
    public Expr {
      withs = List.copyOf(withs);
    }
  }

  /** {@code with target as value}. */
  public record With(Term target, Term value, Loc loc) {
  }

  public sealed interface ExprKind permits TermExpr, Assign, Unify, SomeVars, SomeIn, Every {
  }

  /** A bare term: a call (including operators) or any other term whose truth is tested. */
  public record TermExpr(Term term) implements ExprKind {
  }

  /** {@code lhs := rhs}. */
  public record Assign(Term lhs, Term rhs) implements ExprKind {
  }

  /** {@code lhs = rhs} (unification). */
  public record Unify(Term lhs, Term rhs) implements ExprKind {
  }

  /** {@code some x, y}. */
  public record SomeVars(List<Var> vars) implements ExprKind {
    public SomeVars {
      vars = List.copyOf(vars);
    }
  }

  /** {@code some v in coll} or {@code some k, v in coll}; key null when absent. */
  public record SomeIn(Term key, Term value, Term collection) implements ExprKind {
  }

  /** {@code every [k,] v in domain { body }}; key null when absent. */
  public record Every(Term key, Term value, Term domain, Body body) implements ExprKind {
  }

  // ------------------------------------------------------------------ terms

  public sealed interface Term permits Null, Bool, Num, Str, Var, Ref, ArrayTerm, ObjectTerm,
      SetTerm, ArrayCompr, SetCompr, ObjectCompr, Call {
  }

  public record Null() implements Term {
  }

  public record Bool(boolean value) implements Term {
  }

  /**
   * A number in JSON syntax, kept as source text (possibly with a leading '-'), and its value,
   * parsed once.
   */
  public record Num(String text, Value.NumV value) implements Term {
    public Num(String text) {
      this(text, Value.NumV.parse(text));
    }

    public java.math.BigDecimal toBigDecimal() {
      return value.value();
    }
  }

  /** A string literal and its value, made once. */
  public record Str(String value, Value.StrV strValue) implements Term {
    public Str(String value) {
      this(value, new Value.StrV(value));
    }
  }

  /** A variable; the name is interned, so names compare by identity in hot paths. */
  public record Var(String name) implements Term {
    public Var {
      name = name.intern();
    }

    public boolean isWildcard() {
      return name.startsWith("$") || name.equals("_");
    }
  }

  /**
   * A reference. {@code head} is usually a {@link Var} (e.g. {@code input}, {@code data}, a
   * local) but may be any term ({@code [1,2][0]}, {@code f(x).y}); dotted access {@code .a} is
   * stored as {@code Str("a")}.
   */
  public record Ref(Term head, List<Term> path) implements Term {
    public Ref {
      path = List.copyOf(path);
    }

    public static Ref of(String var) {
      return new Ref(new Var(var), List.of());
    }

    /** Dotted name if every element is a string ({@code data.a.b}), else null. */
    public String dotted() {
      if (!(head instanceof Var v)) {
        return null;
      }
      StringBuilder sb = new StringBuilder(v.name());
      for (Term t : path) {
        if (!(t instanceof Str s)) {
          return null;
        }
        sb.append('.').append(s.value());
      }
      return sb.toString();
    }
  }

  public record ArrayTerm(List<Term> items) implements Term {
    public ArrayTerm {
      items = List.copyOf(items);
    }
  }

  public record Entry(Term key, Term value) {
  }

  public record ObjectTerm(List<Entry> entries) implements Term {
    public ObjectTerm {
      entries = List.copyOf(entries);
    }
  }

  public record SetTerm(List<Term> items) implements Term {
    public SetTerm {
      items = List.copyOf(items);
    }
  }

  public record ArrayCompr(Term head, Body body) implements Term {
  }

  public record SetCompr(Term head, Body body) implements Term {
  }

  public record ObjectCompr(Term key, Term value, Body body) implements Term {
  }

  /** A call: {@code fn} is the function reference ({@code count}, {@code a.b.c}, {@code plus}). */
  public record Call(Ref fn, List<Term> args, String name) implements Term {
    public Call {
      args = List.copyOf(args);
    }

    /** {@code name} is the dotted function name, or null for a computed reference. */
    public Call(Ref fn, List<Term> args) {
      this(fn, args, fn.dotted());
    }
  }
}
