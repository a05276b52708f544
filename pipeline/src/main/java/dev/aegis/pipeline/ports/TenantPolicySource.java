package dev.aegis.pipeline.ports;

import dev.aegis.pipeline.rego.CompiledPolicy;

/**
 * Where stage 4 finds each tenant's compiled Rego policies. Reads are in-memory and
 * non-blocking: implementations keep the compiled active (and shadow) revision of every tenant
 * and swap it when a new revision is activated anywhere in the cluster.
 */
public interface TenantPolicySource {

  /** The tenant's live policy, or null when the tenant has none (platform policy only). */
  TenantPolicy active(String tenantId);

  /** The tenant's shadow policy (evaluated beside the live one, never enforced), or null. */
  TenantPolicy shadow(String tenantId);

  /**
   * One compiled revision.
   *
   * @param tenantId owner
   * @param versionId the policy version's id (uuid)
   * @param version human version number, 1, 2, 3 per tenant
   * @param revision opaque revision string that changes with every activation (cache key part)
   * @param modules the source modules, file name to text (served as an OPA bundle)
   * @param compiled the compiled modules ({@code package aegis.tenant} and their imports)
   */
  record TenantPolicy(String tenantId, String versionId, int version, String revision,
      java.util.Map<String, String> modules, CompiledPolicy compiled) {}
}
