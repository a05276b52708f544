package dev.aegis.launcher;

import dev.aegis.verticles.gateway.GatewayConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The launcher's typed configuration, read once from environment variables (defaults shown in
 * {@link #describe()}), validated, and passed down as immutable records.
 *
 * @param dataDir embedded data directory ({@code AEGIS_DATA_DIR}, default {@code ./aegis-data})
 * @param pgUrl external PostgreSQL URL ({@code AEGIS_PG_URL}); null means embedded
 * @param redisUrl external Redis URL ({@code AEGIS_REDIS_URL}); null means in-process adapters
 * @param adminPassword the seeded admin's password ({@code AEGIS_ADMIN_PASSWORD}); null = random
 * @param instances gateway verticle instances ({@code AEGIS_INSTANCES}, default: cores)
 * @param tenantRps default tenant rate ({@code AEGIS_LIMITS_TENANT_RPS}, 50)
 * @param tenantBurst default tenant burst ({@code AEGIS_LIMITS_TENANT_BURST}, 100)
 * @param agentRps default agent rate ({@code AEGIS_LIMITS_AGENT_RPS}, 50)
 * @param agentBurst default agent burst ({@code AEGIS_LIMITS_AGENT_BURST}, 100)
 * @param auditShards chain shards per tenant ({@code AEGIS_AUDIT_SHARDS}, 16)
 * @param auditMaxBatch rows per commit at most ({@code AEGIS_AUDIT_MAX_BATCH}, 256)
 * @param pgPoolSize reactive pool size ({@code AEGIS_PG_POOL_SIZE}, 8)
 * @param maxEventLoopMillis blocked-thread warning threshold ({@code AEGIS_MAX_EVENT_LOOP_MS}, 200)
 * @param gateway the gateway settings ({@code AEGIS_PORT} 8000, {@code AEGIS_UPSTREAMS}
 *     {@code tool=url,...}, {@code AEGIS_MAX_PAYLOAD_CHARS} 5000, {@code AEGIS_REQUEST_TIMEOUT_MS}
 *     10000)
 * @param remoteOpa the remote OPA settings when {@code AEGIS_POLICY_MODE=remote} (then
 *     {@code AEGIS_OPA_URL}, {@code AEGIS_OPA_DECISION_PATH}, {@code AEGIS_OPA_TIMEOUT_MS},
 *     {@code AEGIS_OPA_TOKEN}, {@code AEGIS_OPA_CACHE_TTL_MS}, {@code AEGIS_OPA_CACHE_MAX}; see
 *     {@link dev.aegis.verticles.opa.RemoteOpaConfig}); null in the default {@code local} mode
 * @param policyCacheTtlMillis how long stage 4 serves a cached decision in local mode
 *     ({@code AEGIS_POLICY_CACHE_TTL_MS}, 300000 = SPEC's basic tier; 0 disables the cache)
 * @param policyCacheMax decisions cached at most in local mode ({@code AEGIS_POLICY_CACHE_MAX},
 *     100000)
 */
public record AegisConfig(Path dataDir, String pgUrl, String redisUrl, String adminPassword,
    int instances, double tenantRps, int tenantBurst, double agentRps, int agentBurst,
    int auditShards, int auditMaxBatch, int pgPoolSize, long maxEventLoopMillis, GatewayConfig gateway,
    dev.aegis.verticles.opa.RemoteOpaConfig remoteOpa, long policyCacheTtlMillis,
    int policyCacheMax) {

  public static AegisConfig fromEnv(Map<String, String> env) {
    int cores = Runtime.getRuntime().availableProcessors();
    GatewayConfig g = new GatewayConfig(
        str(env, "AEGIS_HOST", "0.0.0.0"),
        integer(env, "AEGIS_PORT", 8000, 0, 65535),
        integer(env, "AEGIS_BODY_LIMIT_BYTES", 1_048_576, 1024, 64 * 1024 * 1024),
        integer(env, "AEGIS_MAX_PAYLOAD_CHARS", 5_000, 1, 10_000_000),
        integer(env, "AEGIS_REQUEST_TIMEOUT_MS", 10_000, 10, 600_000),
        integer(env, "AEGIS_AUDIT_TIMEOUT_MS", 5_000, 10, 600_000),
        dbl(env, "AEGIS_BEHAVIOR_VELOCITY_PER_MINUTE", 600),
        upstreams(str(env, "AEGIS_UPSTREAMS", "")),
        integer(env, "AEGIS_UPSTREAM_TIMEOUT_MS", 10_000, 1, 600_000),
        integer(env, "AEGIS_UPSTREAM_MAX_CONCURRENT", 100, 1, 100_000),
        Boolean.parseBoolean(str(env, "AEGIS_REDACT_EMAILS", "false")),
        Set.of(str(env, "AEGIS_ALLOWED_EGRESS_DOMAINS", "").split(",")).stream()
            .filter(d -> !d.isBlank()).map(String::trim).collect(java.util.stream.Collectors.toSet()),
        integer(env, "AEGIS_REPLAY_WINDOW_MS", 1000, 0, 3_600_000));
    return new AegisConfig(
        Path.of(str(env, "AEGIS_DATA_DIR", "aegis-data")).toAbsolutePath(),
        blankToNull(env.get("AEGIS_PG_URL")),
        blankToNull(env.get("AEGIS_REDIS_URL")),
        blankToNull(env.get("AEGIS_ADMIN_PASSWORD")),
        integer(env, "AEGIS_INSTANCES", cores, 1, 256),
        dbl(env, "AEGIS_LIMITS_TENANT_RPS", 50),
        integer(env, "AEGIS_LIMITS_TENANT_BURST", 100, 1, Integer.MAX_VALUE),
        dbl(env, "AEGIS_LIMITS_AGENT_RPS", 50),
        integer(env, "AEGIS_LIMITS_AGENT_BURST", 100, 1, Integer.MAX_VALUE),
        integer(env, "AEGIS_AUDIT_SHARDS", 16, 1, 1024),
        integer(env, "AEGIS_AUDIT_MAX_BATCH", 256, 1, 10_000),
        integer(env, "AEGIS_PG_POOL_SIZE", 8, 1, 256),
        integer(env, "AEGIS_MAX_EVENT_LOOP_MS", 200, 10, 60_000),
        g,
        dev.aegis.verticles.opa.RemoteOpaConfig.fromEnv(env),
        integer(env, "AEGIS_POLICY_CACHE_TTL_MS", 300_000, 0, 86_400_000),
        integer(env, "AEGIS_POLICY_CACHE_MAX", 100_000, 1, 10_000_000));
  }

  /** The effective settings, secrets masked, for the startup log. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("port", gateway.port());
    m.put("data_dir", dataDir);
    m.put("postgres", pgUrl == null ? "embedded" : "external");
    m.put("redis", redisUrl == null ? "in-process" : "external");
    m.put("instances", instances);
    m.put("tenant_rps", tenantRps);
    m.put("tenant_burst", tenantBurst);
    m.put("agent_rps", agentRps);
    m.put("agent_burst", agentBurst);
    m.put("upstreams", gateway.upstreams().keySet());
    m.put("policy_mode", remoteOpa == null ? "local" : "remote " + remoteOpa.decisionUrl());
    return m;
  }

  private static Map<String, String> upstreams(String spec) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("AEGIS_UPSTREAMS entries are tool=url, got '" + part + "'");
      }
      String url = part.substring(eq + 1).trim();
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new IllegalArgumentException("upstream URL must be http(s): " + url);
      }
      m.put(part.substring(0, eq).trim(), url);
    }
    return m;
  }

  private static String str(Map<String, String> env, String key, String dflt) {
    String v = env.get(key);
    return v == null || v.isBlank() ? dflt : v.trim();
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static int integer(Map<String, String> env, String key, int dflt, int min, int max) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      int i = Integer.parseInt(v.trim());
      if (i < min || i > max) {
        throw new NumberFormatException();
      }
      return i;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer in [" + min + ", " + max + "], got '" + v + "'");
    }
  }

  private static double dbl(Map<String, String> env, String key, double dflt) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      double d = Double.parseDouble(v.trim());
      if (!(d > 0) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a positive number, got '" + v + "'");
    }
  }
}
