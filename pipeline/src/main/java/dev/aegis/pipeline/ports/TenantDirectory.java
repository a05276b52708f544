package dev.aegis.pipeline.ports;

import io.vertx.core.Future;

/** Reads tenant settings (cached locally by implementations). */
public interface TenantDirectory {

  /** @return the settings, or null when the tenant does not exist or is inactive */
  Future<TenantSettings> settings(String tenantId);
}
