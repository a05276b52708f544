package dev.aegis.launcher;

import java.util.Map;

/** The API suite on the embedded-default adapters (in-process rate limits). */
class InProcessGatewayApiTest extends AbstractGatewayApiTest {
  @Override
  Map<String, String> extraEnv() {
    return Map.of();
  }
}
