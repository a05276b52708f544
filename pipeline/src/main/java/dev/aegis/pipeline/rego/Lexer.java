package dev.aegis.pipeline.rego;

import dev.aegis.pipeline.rego.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Rego v1 lexer: turns source text into tokens with 1-based line and column (in code points). */
public final class Lexer {

  private static final Map<String, Kind> KEYWORDS = Map.ofEntries(
      Map.entry("package", Kind.PACKAGE), Map.entry("import", Kind.IMPORT),
      Map.entry("default", Kind.DEFAULT), Map.entry("if", Kind.IF),
      Map.entry("contains", Kind.CONTAINS), Map.entry("in", Kind.IN),
      Map.entry("every", Kind.EVERY), Map.entry("some", Kind.SOME), Map.entry("not", Kind.NOT),
      Map.entry("with", Kind.WITH), Map.entry("as", Kind.AS), Map.entry("else", Kind.ELSE),
      Map.entry("true", Kind.TRUE), Map.entry("false", Kind.FALSE), Map.entry("null", Kind.NULL));

  private final String src;
  private final String file;
  private int pos;
  private int line = 1;
  private int col = 1;

  private Lexer(String src, String file) {
    this.src = src;
    this.file = file;
  }

  public static List<Token> tokenize(String src) {
    return tokenize(src, null);
  }

  public static List<Token> tokenize(String src, String file) {
    return new Lexer(src, file).run();
  }

  public static boolean isKeyword(String s) {
    return KEYWORDS.containsKey(s);
  }

  private List<Token> run() {
    List<Token> out = new ArrayList<>();
    while (true) {
      boolean nl = false;
      boolean space = false;
      // skip whitespace and comments
      while (pos < src.length()) {
        char c = src.charAt(pos);
        if (c == '\n') {
          nl = true;
          space = true;
          advance();
        } else if (c == ' ' || c == '\t' || c == '\r') {
          space = true;
          advance();
        } else if (c == '#') {
          space = true;
          while (pos < src.length() && src.charAt(pos) != '\n') {
            advance();
          }
        } else {
          break;
        }
      }
      int l = line;
      int c0 = col;
      if (pos >= src.length()) {
        out.add(new Token(Kind.EOF, "", l, c0, nl, space));
        return out;
      }
      int cp = src.codePointAt(pos);
      if (isIdentStart(cp)) {
        int start = pos;
        while (pos < src.length() && isIdentPart(src.codePointAt(pos))) {
          advance();
        }
        String w = src.substring(start, pos);
        out.add(new Token(KEYWORDS.getOrDefault(w, Kind.IDENT), w, l, c0, nl, space));
      } else if (cp >= '0' && cp <= '9') {
        out.add(new Token(Kind.NUMBER, number(), l, c0, nl, space));
      } else if (cp == '"') {
        out.add(new Token(Kind.STRING, string(), l, c0, nl, space));
      } else if (cp == '`') {
        advance();
        int start = pos;
        while (pos < src.length() && src.charAt(pos) != '`') {
          advance();
        }
        if (pos >= src.length()) {
          throw RegoError.parse("non-terminated raw string", file, l, c0);
        }
        String s = src.substring(start, pos);
        advance();
        out.add(new Token(Kind.RAW_STRING, s, l, c0, nl, space));
      } else {
        Kind k = operator();
        if (k == null) {
          throw RegoError.parse("illegal token", file, l, c0);
        }
        out.add(new Token(k, src.substring(tokStart, pos), l, c0, nl, space));
      }
    }
  }

  private int tokStart;

  private Kind operator() {
    tokStart = pos;
    char c = src.charAt(pos);
    char n = pos + 1 < src.length() ? src.charAt(pos + 1) : '\0';
    Kind two = switch (c) {
      case ':' -> n == '=' ? Kind.ASSIGN : null;
      case '=' -> n == '=' ? Kind.EQ : null;
      case '!' -> n == '=' ? Kind.NEQ : null;
      case '<' -> n == '=' ? Kind.LTE : null;
      case '>' -> n == '=' ? Kind.GTE : null;
      default -> null;
    };
    if (two != null) {
      advance();
      advance();
      return two;
    }
    Kind one = switch (c) {
      case '=' -> Kind.UNIFY;
      case '<' -> Kind.LT;
      case '>' -> Kind.GT;
      case '+' -> Kind.PLUS;
      case '-' -> Kind.MINUS;
      case '*' -> Kind.STAR;
      case '/' -> Kind.SLASH;
      case '%' -> Kind.PERCENT;
      case '&' -> Kind.AMP;
      case '|' -> Kind.BAR;
      case ',' -> Kind.COMMA;
      case ';' -> Kind.SEMI;
      case '.' -> Kind.DOT;
      case '[' -> Kind.LBRACK;
      case ']' -> Kind.RBRACK;
      case '{' -> Kind.LBRACE;
      case '}' -> Kind.RBRACE;
      case '(' -> Kind.LPAREN;
      case ')' -> Kind.RPAREN;
      case ':' -> Kind.COLON;
      default -> null;
    };
    if (one != null) {
      advance();
    }
    return one;
  }

  private String number() {
    int start = pos;
    int l = line;
    int c0 = col;
    if (src.charAt(pos) == '0') {
      advance();
    } else {
      digits();
    }
    if (pos < src.length() && src.charAt(pos) == '.') {
      advance();
      if (digits() == 0) {
        throw RegoError.parse("expected fraction digits in number", file, l, c0);
      }
    }
    if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
      advance();
      if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
        advance();
      }
      if (digits() == 0) {
        throw RegoError.parse("expected exponent digits in number", file, l, c0);
      }
    }
    if (pos < src.length() && (isIdentPart(src.codePointAt(pos)) || src.charAt(pos) == '.')) {
      throw RegoError.parse("illegal number format", file, l, c0);
    }
    return src.substring(start, pos);
  }

  private int digits() {
    int n = 0;
    while (pos < src.length() && src.charAt(pos) >= '0' && src.charAt(pos) <= '9') {
      advance();
      n++;
    }
    return n;
  }

  private String string() {
    int l = line;
    int c0 = col;
    advance(); // opening quote
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= src.length() || src.charAt(pos) == '\n') {
        throw RegoError.parse("non-terminated string", file, l, c0);
      }
      char c = src.charAt(pos);
      if (c == '"') {
        advance();
        return sb.toString();
      }
      if (c == '\\') {
        int el = line;
        int ec = col;
        advance();
        if (pos >= src.length()) {
          throw RegoError.parse("non-terminated string", file, l, c0);
        }
        char e = src.charAt(pos);
        advance();
        switch (e) {
          case '"' -> sb.append('"');
          case '\\' -> sb.append('\\');
          case '/' -> sb.append('/');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (pos + 4 > src.length()) {
              throw RegoError.parse("illegal escape sequence", file, el, ec);
            }
            String hex = src.substring(pos, pos + 4);
            try {
              sb.append((char) Integer.parseInt(hex, 16));
            } catch (NumberFormatException ex) {
              throw RegoError.parse("illegal escape sequence", file, el, ec);
            }
            for (int i = 0; i < 4; i++) {
              advance();
            }
          }
          default -> throw RegoError.parse("illegal escape sequence", file, el, ec);
        }
      } else if (c < 0x20) {
        throw RegoError.parse("illegal control character in string", file, line, col);
      } else {
        int cp = src.codePointAt(pos);
        sb.appendCodePoint(cp);
        advance();
      }
    }
  }

  private void advance() {
    int cp = src.codePointAt(pos);
    pos += Character.charCount(cp);
    if (cp == '\n') {
      line++;
      col = 1;
    } else {
      col++;
    }
  }

  private static boolean isIdentStart(int cp) {
    return cp == '_' || (cp < 128 ? (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')
        : Character.isLetter(cp));
  }

  private static boolean isIdentPart(int cp) {
    return isIdentStart(cp) || (cp >= '0' && cp <= '9');
  }
}
