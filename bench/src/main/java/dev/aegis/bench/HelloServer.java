package dev.aegis.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;

/**
 * The baseline: a bare Vert.x HTTP server answering {@code {"hello":"world"}} to any request.
 *
 * <p>Usage: {@code HelloServer PORT [--instances N] [--native true|false]}. Instances default to
 * the number of available processors (one when pinned to one core). Prints
 * {@code Hello ready on port N} once listening.
 */
public final class HelloServer extends VerticleBase {
  static final Buffer BODY = Buffer.buffer("{\"hello\":\"world\"}");
  static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

  private final int port;

  HelloServer(int port) {
    this.port = port;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions opts = new HttpServerOptions().setPort(port).setHost("0.0.0.0")
        .setTcpNoDelay(true);
    return vertx.createHttpServer(opts)
        .requestHandler(req -> req.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
            .end(BODY))
        .listen();
  }

  /** Starts the server in the given Vert.x instance; completes with the deployment id. */
  public static Future<String> deploy(Vertx vertx, int port, int instances) {
    return vertx.deployVerticle(() -> new HelloServer(port),
        new DeploymentOptions().setInstances(instances));
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: HelloServer PORT [--instances N] [--native true|false]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    int instances = Runtime.getRuntime().availableProcessors();
    boolean nativeTransport = false;
    for (int i = 1; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--instances" -> instances = Integer.parseInt(args[i + 1]);
        case "--native" -> nativeTransport = Boolean.parseBoolean(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setPreferNativeTransport(nativeTransport))
        .build();
    Runtime.getRuntime().addShutdownHook(new Thread(() ->
        vertx.close().toCompletionStage().toCompletableFuture().join()));
    deploy(vertx, port, instances).toCompletionStage().toCompletableFuture().join();
    System.out.println("Hello ready on port " + port + " (instances=" + instances + ", transport="
        + (vertx.isNativeTransportEnabled() ? "epoll" : "nio") + ", java="
        + System.getProperty("java.version") + ")");
    System.out.flush();
  }

}
