package dev.aegis.launcher;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A minimal RESP client for test plumbing on the test Redis: lists the gateways' invalidation
 * subscriber connections ({@code CLIENT LIST}, names {@code aegis-inv-<process id>}) and kills one
 * ({@code CLIENT KILL ID}), to simulate a dropped subscriber. Blocking; one connection per call.
 */
final class LifecycleRedis {

  private final String host;
  private final int port;

  LifecycleRedis(String url) {
    URI u = URI.create(url);
    this.host = u.getHost() == null ? "127.0.0.1" : u.getHost();
    this.port = u.getPort() < 0 ? 6379 : u.getPort();
  }

  /** Client name → client id of every connection whose name starts with {@code prefix}. */
  Map<String, Long> clients(String prefix) {
    String list = (String) command("CLIENT", "LIST");
    Map<String, Long> out = new HashMap<>();
    for (String line : list.split("\n")) {
      Map<String, String> f = new HashMap<>();
      for (String kv : line.trim().split(" ")) {
        int eq = kv.indexOf('=');
        if (eq > 0) {
          f.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
      String name = f.get("name");
      if (name != null && name.startsWith(prefix)) {
        out.put(name, Long.parseLong(f.get("id")));
      }
    }
    return out;
  }

  /** Kills the connection with this client id; returns how many were killed. */
  long kill(long clientId) {
    return (Long) command("CLIENT", "KILL", "ID", Long.toString(clientId));
  }

  private Object command(String... args) {
    try (Socket s = new Socket(host, port)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
      for (String a : args) {
        b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
      }
      out.write(b.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return read(new BufferedInputStream(s.getInputStream()));
    } catch (IOException e) {
      throw new IllegalStateException("redis " + String.join(" ", args) + ": " + e, e);
    }
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = line(in);
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new IOException(line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        byte[] data = in.readNBytes(n);
        line(in);
        return new String(data, StandardCharsets.UTF_8);
      }
      default:
        throw new IOException("unexpected RESP type " + (char) type);
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }
}
