package dev.aegis.launcher;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A tool upstream for stage 8 tests: answers JSON that contains a secret the gateway must redact. */
final class UpstreamStub {

  static final String SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
  static final Supplier<Integer> PORT = memo(TestEnv::freePort);
  private static Vertx vertx;

  private UpstreamStub() {}

  static synchronized void start() throws Exception {
    if (vertx != null) {
      return;
    }
    vertx = Vertx.vertx();
    vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      JsonObject in = body.toJsonObject();
      req.response().putHeader("content-type", "application/json").end(new JsonObject()
          .put("customer", "ada").put("tool", in.getString("tool"))
          .put("api_key", SECRET).encode());
    })).listen(PORT.get(), "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> Supplier<T> memo(Supplier<T> s) {
    return new Supplier<>() {
      private T value;

      @Override
      public synchronized T get() {
        if (value == null) {
          value = s.get();
        }
        return value;
      }
    };
  }
}
