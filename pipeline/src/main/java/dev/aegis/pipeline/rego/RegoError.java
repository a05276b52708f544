package dev.aegis.pipeline.rego;

/**
 * A Rego error carrying OPA's error code (e.g. {@code rego_parse_error}) and a 1-based location.
 * {@link #getMessage()} renders as OPA does: {@code file:line: code: message} (file optional).
 */
public final class RegoError extends RuntimeException {
  public static final String PARSE = "rego_parse_error";

  private final String code;
  private final String detail;
  private final String file;
  private final int line;
  private final int column;

  public RegoError(String code, String detail, String file, int line, int column) {
    super(render(code, detail, file, line, column));
    this.code = code;
    this.detail = detail;
    this.file = file;
    this.line = line;
    this.column = column;
  }

  static RegoError parse(String detail, String file, int line, int column) {
    return new RegoError(PARSE, detail, file, line, column);
  }

  private static String render(String code, String detail, String file, int line, int column) {
    StringBuilder sb = new StringBuilder();
    if (file != null && !file.isEmpty()) {
      sb.append(file).append(':');
    }
    if (line > 0 && column > 0) {
      sb.append(line).append(':').append(column).append(": ");
    } else if (line > 0) {
      sb.append(line).append(": ");
    } else if (sb.length() > 0) {
      sb.append(' ');
    }
    return sb.append(code).append(": ").append(detail).toString();
  }

  public String code() {
    return code;
  }

  /** The message without location and code. */
  public String detail() {
    return detail;
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }
}
