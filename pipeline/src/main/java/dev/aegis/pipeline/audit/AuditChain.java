package dev.aegis.pipeline.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hash-chain recipe of AEVF section 7 (SPEC section 4.3), which the offline verifier checks:
 *
 * <pre>
 * event_hash = sha256_hex(prev_hash + json.dumps({tenant_id, agent_id, action,
 *                         tool ("" if null), decision, request_id ("" if null)}, sort_keys=True))
 * </pre>
 *
 * with Python's default separators ({@code ", "} and {@code ": "}) and {@code ensure_ascii}
 * escaping. Chains are kept per (tenant, shard); the genesis hash is 64 ASCII zeros. Pure and
 * thread safe.
 */
public final class AuditChain {

  public static final String GENESIS = "0".repeat(64);
  public static final int DEFAULT_SHARDS = 16;
  public static final int HASH_VERSION = 1;

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  private AuditChain() {}

  /**
   * The chain shard of a request: the first four bytes of SHA-256(request_id) as an unsigned
   * integer, modulo {@code shards}. A null request id maps to shard 0.
   */
  public static int shardOf(String requestId, int shards) {
    if (requestId == null) {
      return 0;
    }
    byte[] h = SHA256.get().digest(requestId.getBytes(StandardCharsets.UTF_8));
    long v = ((h[0] & 0xffL) << 24) | ((h[1] & 0xffL) << 16) | ((h[2] & 0xffL) << 8) | (h[3] & 0xffL);
    return (int) (v % shards);
  }

  /** The canonical body hashed after the previous hash (exposed for tests and the verifier). */
  public static String canonicalBody(String tenantId, String agentId, String action, String tool,
      String decision, String requestId) {
    StringBuilder sb = new StringBuilder(256);
    sb.append("{\"action\": ");
    pyString(sb, action);
    sb.append(", \"agent_id\": ");
    pyString(sb, agentId);
    sb.append(", \"decision\": ");
    pyString(sb, decision);
    sb.append(", \"request_id\": ");
    pyString(sb, requestId == null ? "" : requestId);
    sb.append(", \"tenant_id\": ");
    pyString(sb, tenantId);
    sb.append(", \"tool\": ");
    pyString(sb, tool == null ? "" : tool);
    sb.append('}');
    return sb.toString();
  }

  /** Computes a row's {@code event_hash} from the previous hash of its chain. */
  public static String eventHash(String prevHash, String tenantId, String agentId, String action,
      String tool, String decision, String requestId) {
    String body = canonicalBody(tenantId, agentId, action, tool, decision, requestId);
    return sha256Hex(prevHash + body);
  }

  /** Lower-case hex SHA-256 of the UTF-8 bytes of {@code s}. */
  public static String sha256Hex(String s) {
    byte[] d = SHA256.get().digest(s.getBytes(StandardCharsets.UTF_8));
    char[] out = new char[d.length * 2];
    for (int i = 0; i < d.length; i++) {
      out[2 * i] = HEX[(d[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[d[i] & 0xf];
    }
    return new String(out);
  }

  /** Appends {@code s} as Python's json.dumps would with ensure_ascii=True (null → null). */
  static void pyString(StringBuilder sb, String s) {
    if (s == null) {
      sb.append("null");
      return;
    }
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            sb.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
