package dev.aegis.storage.pg;

import java.util.Set;

/** SQL of the tenant store. */
final class TenantQueries {
  static final String COLUMNS = "id, name, tier, requests_per_second, burst, agent_requests_per_second,"
      + " agent_burst, daily_request_cap, monthly_request_cap, daily_inference_cost_cap_usd,"
      + " degraded_mode_policy, is_active, settings, created_at, updated_at";
  /** The columns a create or update may set (column names are never taken from a request). */
  static final Set<String> WRITABLE = Set.of("name", "tier", "requests_per_second", "burst",
      "agent_requests_per_second", "agent_burst", "daily_request_cap", "monthly_request_cap",
      "daily_inference_cost_cap_usd", "degraded_mode_policy", "is_active", "settings");
  static final String TENANT = "SELECT " + COLUMNS + " FROM identity.tenants WHERE id = $1";
  static final String LIST = "SELECT " + COLUMNS + " FROM identity.tenants"
      + " ORDER BY created_at, id LIMIT $1 OFFSET $2";
  static final String COUNT = "SELECT count(*) FROM identity.tenants";

  private TenantQueries() {}
}
