package dev.aegis.verticles.runtime;

import dev.aegis.pipeline.detect.HardDenyPolicy;
import dev.aegis.pipeline.ports.PolicyEngine;
import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.ports.PolicyResult;
import io.vertx.core.Future;

/**
 * The platform policy as deterministic in-process rules (the SPEC stage 4 hard-deny families and
 * escalate-only rules). The Rego engine arrives behind the same {@link PolicyEngine} port.
 */
public final class PlatformPolicyEngine implements PolicyEngine {

  public static final String VERSION = "platform-rules-1";

  private final HardDenyPolicy rules;

  public PlatformPolicyEngine(HardDenyPolicy rules) {
    this.rules = rules;
  }

  @Override
  public Future<PolicyResult> evaluate(PolicyInput input) {
    try {
      return Future.succeededFuture(rules.evaluate(input, VERSION));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
