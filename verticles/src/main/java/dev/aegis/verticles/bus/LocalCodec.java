package dev.aegis.verticles.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes a record by reference between verticles of one process (no serialisation). Messages
 * sent with it are local only; a clustered deployment uses JSON codecs instead.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {

  private final Class<T> type;

  private LocalCodec(Class<T> type) {
    this.type = type;
  }

  /** Registers the codec once for this Vert.x instance; returns its name. */
  public static <T> String register(Vertx vertx, Class<T> type) {
    String name = name(type);
    try {
      vertx.eventBus().registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // registered by another verticle of this process
    }
    return name;
  }

  public static String name(Class<?> type) {
    return "local:" + type.getName();
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    throw new UnsupportedOperationException("local codec " + name() + " cannot cross the cluster");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException("local codec " + name() + " cannot cross the cluster");
  }

  @Override
  public T transform(T t) {
    return t;
  }

  @Override
  public String name() {
    return name(type);
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
