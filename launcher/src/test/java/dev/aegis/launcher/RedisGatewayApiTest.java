package dev.aegis.launcher;

import java.util.Map;

/** The same API suite with Redis-backed adapters. */
class RedisGatewayApiTest extends AbstractGatewayApiTest {
  @Override
  Map<String, String> extraEnv() {
    return Map.of("AEGIS_REDIS_URL", TestEnv.redisUrl());
  }
}
