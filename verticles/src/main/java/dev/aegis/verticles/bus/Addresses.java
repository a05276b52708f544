package dev.aegis.verticles.bus;

/** Event-bus addresses, dotted lower case, in one place. */
public final class Addresses {
  /** Request/reply: append one audit row; body {@code AuditEvent}, reply {@code AuditReceipt}. */
  public static final String AUDIT_APPEND = "aegis.audit.append";
  /** Publish (local): a tenant's kill switch changed, {@code {tenant_id, engaged}}; the launcher forwards it to the invalidation bus. */
  public static final String INVALIDATE_KILLSWITCH = "aegis.changed.killswitch";
  /** Publish: an agent or its grants changed; body {@code {tenant_id, agent_id}}. */
  public static final String INVALIDATE_AGENT = "aegis.changed.agent";
  /** Publish: a tenant's settings changed; body {@code {tenant_id}}. */
  public static final String INVALIDATE_TENANT = "aegis.changed.tenant";

  private Addresses() {}
}
