package dev.aegis.pipeline.rego;

/**
 * One lexical token. {@code text} is the source text, except for strings where it is the decoded
 * value. {@code newlineBefore} is true when a line break separates it from the previous token;
 * {@code spaceBefore} is true when any whitespace or comment does.
 */
public record Token(Kind kind, String text, int line, int column, boolean newlineBefore,
    boolean spaceBefore) {

  public enum Kind {
    IDENT, NUMBER, STRING, RAW_STRING,
    // keywords
    PACKAGE, IMPORT, DEFAULT, IF, CONTAINS, IN, EVERY, SOME, NOT, WITH, AS, ELSE, TRUE, FALSE, NULL,
    // operators and punctuation
    ASSIGN, UNIFY, EQ, NEQ, LT, LTE, GT, GTE, PLUS, MINUS, STAR, SLASH, PERCENT, AMP, BAR, COMMA,
    SEMI, DOT, LBRACK, RBRACK, LBRACE, RBRACE, LPAREN, RPAREN, COLON,
    EOF
  }

  public boolean is(Kind k) {
    return kind == k;
  }

  public boolean isKeyword() {
    return kind.ordinal() >= Kind.PACKAGE.ordinal() && kind.ordinal() <= Kind.NULL.ordinal();
  }

  public String describe() {
    return switch (kind) {
      case EOF -> "EOF";
      case STRING -> "string";
      case RAW_STRING -> "string";
      case NUMBER -> "number";
      case IDENT -> "ident";
      default -> text;
    };
  }
}
