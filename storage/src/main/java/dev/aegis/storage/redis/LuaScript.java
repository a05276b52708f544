package dev.aegis.storage.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Lua script called with {@code EVALSHA}; on {@code NOSCRIPT} (first use, Redis restart,
 * {@code SCRIPT FLUSH}) the call is retried once with {@code EVAL}, which caches it again. A client
 * that throws instead of failing its future still yields a failed future. Thread safe.
 */
final class LuaScript {

  private final String text;
  private final String sha;
  private final AtomicLong evalFallbacks = new AtomicLong();

  LuaScript(String text) {
    this.text = Objects.requireNonNull(text, "script");
    this.sha = sha1Hex(text);
  }

  /** The text of a classpath resource. */
  static String load(String resource) {
    try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the script on one key with the given arguments. */
  Future<Response> call(RedisAPI redis, String key, String... args) {
    List<String> sha1 = new ArrayList<>(args.length + 3);
    sha1.add(sha);
    sha1.add("1");
    sha1.add(key);
    sha1.addAll(List.of(args));
    try {
      return redis.evalsha(sha1).recover(err -> {
        if (isNoScript(err)) {
          evalFallbacks.incrementAndGet();
          List<String> eval = new ArrayList<>(sha1);
          eval.set(0, text);
          return redis.eval(eval);
        }
        return Future.failedFuture(err);
      });
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Calls that met NOSCRIPT and were retried with EVAL. */
  long evalFallbacks() {
    return evalFallbacks.get();
  }

  /** SHA-1 of the script as Redis computes it ({@code SCRIPT LOAD} would return the same). */
  String sha() {
    return sha;
  }

  private static boolean isNoScript(Throwable err) {
    String msg = err.getMessage();
    return msg != null && msg.startsWith("NOSCRIPT");
  }

  private static String sha1Hex(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 unavailable", e);
    }
  }
}
