package dev.aegis.verticles.bus;

/** Event-bus addresses, dotted lower case, in one place. */
public final class Addresses {
  /** Request/reply: append one audit row; body {@code AuditEvent}, reply {@code AuditReceipt}. */
  public static final String AUDIT_APPEND = "aegis.audit.append";
  /** Publish: a tenant's kill switch changed; body {@code {tenant_id, engaged}}. */
  public static final String INVALIDATE_KILLSWITCH = "aegis.invalidate.killswitch";
  /** Publish: an agent or its grants changed; body {@code {tenant_id, agent_id}}. */
  public static final String INVALIDATE_AGENT = "aegis.invalidate.agent";
  /** Publish: a tenant's settings changed; body {@code {tenant_id}}. */
  public static final String INVALIDATE_TENANT = "aegis.invalidate.tenant";

  private Addresses() {}
}
