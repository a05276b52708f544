package dev.aegis.launcher;

import java.io.IOException;
import java.net.ServerSocket;

/** Where the test servers are (system properties set by the parent pom) and free ports. */
final class TestEnv {

  private TestEnv() {}

  static String pgUrl() {
    return System.getProperty("aegis.test.pg.url", "postgresql://postgres@127.0.0.1:5432/test");
  }

  static String redisUrl() {
    return System.getProperty("aegis.test.redis.url", "redis://127.0.0.1:6379");
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
