package dev.aegis.storage.inproc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.ports.InvalidationBus;
import dev.aegis.storage.InvalidationBusContractTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The shared contract on one Vert.x instance: two buses on it behave as two subscribers. */
class InProcessInvalidationBusTest extends InvalidationBusContractTest {

  @Override
  protected InvalidationBus newBus(Vertx vertx) {
    return new InProcessInvalidationBus(vertx);
  }

  @Test
  void messagesTravelOnTheDocumentedEventBusAddress() throws Exception {
    String ch = channel("addr");
    assertThat(InProcessInvalidationBus.address(ch)).isEqualTo("aegis.invalidate." + ch);
    Recorder rec = new Recorder();
    there.subscribe(ch, rec);
    vertx.eventBus().publish("aegis.invalidate." + ch, "not json"); // dropped, logged
    vertx.eventBus().publish("aegis.invalidate." + ch, new JsonObject().put("raw", true));
    rec.awaitCount(1, DELIVERY_MILLIS);
    Thread.sleep(QUIET_MILLIS);
    assertThat(rec.messages).containsExactly(new JsonObject().put("raw", true));
  }

  @Test
  void aMessageThatIsNotJsonFailsThePublish() {
    JsonObject bad = new JsonObject().put("thread", new Object());
    dev.aegis.storage.OnceStoreContractTest.assertFails(here.publish(channel("x"), bad), IllegalArgumentException.class);
  }
}
