package dev.aegis.pipeline.ports;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * Forwards an allowed action to its tool upstream (stage 8).
 */
public interface ToolExecutor {

  /** Whether an upstream is configured for this tool; if not, the gateway evaluates only. */
  boolean hasUpstream(String tool);

  /**
   * @param tool tool name
   * @param request the JSON sent upstream
   * @param timeoutMillis the remaining budget
   * @return the upstream answer, or a failed future with {@link ExecutionFailure}
   */
  Future<Result> execute(String tool, JsonObject request, long timeoutMillis);

  /** The upstream's answer. */
  record Result(int status, String contentType, Buffer body) {}

  /** Why forwarding failed: key is upstream_timeout, upstream_unavailable or upstream_busy. */
  final class ExecutionFailure extends RuntimeException {
    private final String key;
    private final int status;

    public ExecutionFailure(String key, int status, String message) {
      super(message, null, false, false);
      this.key = key;
      this.status = status;
    }

    public String key() {
      return key;
    }

    public int status() {
      return status;
    }
  }
}
