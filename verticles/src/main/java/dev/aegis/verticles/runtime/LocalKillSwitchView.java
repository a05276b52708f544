package dev.aegis.verticles.runtime;

import dev.aegis.pipeline.ports.KillSwitchView;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The process-wide in-memory kill-switch state, loaded from the durable table at startup and
 * updated by invalidation messages. Until it has been loaded, every tenant reads UNKNOWN (the
 * gateway fails closed). Thread safe.
 */
public final class LocalKillSwitchView implements KillSwitchView {

  private final Map<String, Boolean> engaged = new ConcurrentHashMap<>();
  private volatile boolean loaded;

  @Override
  public State state(String tenantId) {
    if (!loaded) {
      return State.UNKNOWN;
    }
    return Boolean.TRUE.equals(engaged.get(tenantId)) ? State.ENGAGED : State.DISENGAGED;
  }

  /** Replaces the whole state (startup load) and marks it trusted. */
  public void load(Map<String, Boolean> all) {
    engaged.clear();
    all.forEach((k, v) -> {
      if (v) {
        engaged.put(k, true);
      }
    });
    loaded = true;
  }

  /** Marks the state untrusted (e.g. the invalidation channel was lost). */
  public void markUnknown() {
    loaded = false;
  }

  public void set(String tenantId, boolean on) {
    if (on) {
      engaged.put(tenantId, true);
    } else {
      engaged.remove(tenantId);
    }
  }
}
