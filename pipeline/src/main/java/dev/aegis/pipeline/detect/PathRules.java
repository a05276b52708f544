package dev.aegis.pipeline.detect;

/**
 * Hard-deny family: sensitive system and credential paths (SPEC stage 4). Plain keyword rules
 * (the anchors are specific enough to need no confirming regex): {@code system_sensitive_path},
 * {@code ssh_credential_path}, {@code cloud_credential_path}.
 */
final class PathRules {
  private static final String CRIT = "critical";

  private final int[] system;
  private final int[] ssh;
  private final int[] cloud;

  PathRules(KeywordAutomaton.Builder kb) {
    system = kb.sub("/etc/passwd", "/etc/shadow", "/etc/gshadow", "/etc/sudoers",
        "/proc/self/environ");
    ssh = kb.sub("~/.ssh", "/root/.ssh", "/.ssh/", "$home/.ssh", "id_rsa", "id_ed25519",
        "id_ecdsa", "id_dsa", "authorized_keys");
    cloud = kb.sub(".aws/credentials", ".aws/config", ".config/gcloud", ".azure/",
        ".kube/config", "application_default_credentials.json");
  }

  void evaluate(PolicyContext c) {
    if (c.has(system)) {
      c.hit(PolicyContext.HARD + "path.system_file", Signals.SYSTEM_SENSITIVE_PATH, CRIT,
          PolicyContext.DENY, "Access to a sensitive system file (/etc/passwd, /etc/shadow ...)");
    }
    if (c.has(ssh)) {
      c.hit(PolicyContext.HARD + "path.ssh_credentials", Signals.SSH_CREDENTIAL_PATH, CRIT,
          PolicyContext.DENY, "Access to SSH credentials (~/.ssh, id_rsa ...)");
    }
    if (c.has(cloud)) {
      c.hit(PolicyContext.HARD + "path.cloud_credentials", Signals.CLOUD_CREDENTIAL_PATH, CRIT,
          PolicyContext.DENY, "Access to cloud credentials (.aws, gcloud, .azure, .kube)");
    }
  }
}
