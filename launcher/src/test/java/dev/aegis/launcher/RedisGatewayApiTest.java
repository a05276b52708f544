package dev.aegis.launcher;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The same API suite with Redis-backed adapters. */
class RedisGatewayApiTest extends AbstractGatewayApiTest {

  @Override
  Map<String, String> extraEnv() {
    // failed-login counters live in Redis across runs (15 min windows); this suite makes two
    // failed logins from 127.0.0.1 on purpose, so start each run from a clean count
    resetLoginCounters("aegis:cnt:login:ip:127.0.0.1", "aegis:cnt:login:acct:" + AegisNode.ADMIN_EMAIL);
    return Map.of("AEGIS_REDIS_URL", TestEnv.redisUrl());
  }

  private static void resetLoginCounters(String... keys) {
    URI u = URI.create(TestEnv.redisUrl());
    StringBuilder cmd = new StringBuilder("*").append(keys.length + 1).append("\r\n$3\r\nDEL\r\n");
    for (String k : keys) {
      cmd.append('$').append(k.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(k).append("\r\n");
    }
    try (Socket s = new Socket(u.getHost(), u.getPort() > 0 ? u.getPort() : 6379)) {
      OutputStream out = s.getOutputStream();
      out.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      int c = in.read();
      if (c != ':') {
        throw new IllegalStateException("unexpected Redis reply to DEL");
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Redis is not reachable at " + u + "; run scripts/test-env.sh", e);
    }
  }
}
