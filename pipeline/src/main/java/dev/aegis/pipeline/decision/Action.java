package dev.aegis.pipeline.decision;

import java.util.Locale;

/** The gateway's decision vocabulary (SPEC section 5). */
public enum Action {
  ALLOW, MONITOR, THROTTLE, ESCALATE, KILL, DENY;

  /** Lower-case wire form used on audit rows ({@code allow}, {@code deny}, ...). */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
