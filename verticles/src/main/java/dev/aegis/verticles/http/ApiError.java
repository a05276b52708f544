package dev.aegis.verticles.http;

/** A client-visible failure with a status and a stable error key. The message is safe to show. */
public final class ApiError extends RuntimeException {

  private final int status;
  private final String key;

  public ApiError(int status, String key, String message) {
    super(message, null, false, false);
    this.status = status;
    this.key = key;
  }

  public int status() {
    return status;
  }

  public String key() {
    return key;
  }

  public static ApiError badRequest(String key, String message) {
    return new ApiError(400, key, message);
  }

  public static ApiError notFound(String what) {
    return new ApiError(404, "not_found", what + " not found");
  }

  public static ApiError forbidden(String key, String message) {
    return new ApiError(403, key, message);
  }
}
