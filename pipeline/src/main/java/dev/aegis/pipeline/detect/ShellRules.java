package dev.aegis.pipeline.detect;

/**
 * Hard-deny family: filesystem and device destruction (SPEC stage 4). Signal
 * {@code destructive_shell_command}. Targets below the filesystem root (such as
 * {@code rm -rf ./build} or {@code rm -rf /tmp/x}) do not fire.
 */
final class ShellRules {
  private static final String CRIT = "critical";
  private static final String END = "['\"]?(?=$|\\s|;|&|\\||\\)|`)";

  private final AnchoredPattern rmRoot;
  private final AnchoredPattern noPreserveRoot;
  private final AnchoredPattern mkfs;
  private final AnchoredPattern dd;
  private final AnchoredPattern forkBomb;
  private final AnchoredPattern chmodRoot;
  private final AnchoredPattern device;

  ShellRules(KeywordAutomaton.Builder kb) {
    rmRoot = AnchoredPattern.of("rm_root", "rm -r on the filesystem root or a system directory",
        kb.word("rm"),
        "\\brm\\s+(?:-{1,2}[a-z-]+\\s+)*?(?:-[a-z]*r[a-z]*|--recursive)\\b(?:\\s+-{1,2}[a-z-]+)*"
            + "\\s+(?:--\\s+)?['\"]?(?:/\\*?|~/?\\*?|\\$home/?\\*?|\\$\\{home\\}/?"
            + "|/(?:bin|boot|dev|etc|home|lib|lib64|opt|root|sbin|srv|sys|usr|var)/?\\*?)" + END);
    noPreserveRoot = AnchoredPattern.of("no_preserve_root", "--no-preserve-root",
        kb.sub("--no-preserve-root"), null);
    mkfs = AnchoredPattern.of("mkfs", "mkfs on a device", kb.word("mkfs", "mke2fs", "mkswap"),
        "\\b(?:mkfs(?:\\.[a-z0-9]+)?|mke2fs|mkswap)(?:\\s+-{1,2}\\S+(?:\\s+[a-z0-9]+)?)*"
            + "\\s+/dev/\\S");
    dd = AnchoredPattern.of("dd_device", "dd writing to a block device", kb.sub("of=/dev/"),
        "\\bdd\\s+(?:\\S+\\s+){0,8}?of=/dev/(?!null\\b|zero\\b|stdout\\b|stderr\\b|fd/)[a-z]");
    forkBomb = AnchoredPattern.of("fork_bomb", "fork bomb", kb.sub("(){", "() {", "( ){", "( ) {"),
        ":\\s*\\(\\s*\\)\\s*\\{\\s*:\\s*\\|\\s*:\\s*&\\s*\\}\\s*;\\s*:"
            + "|\\b(\\w+)\\s*\\(\\s*\\)\\s*\\{\\s*\\1\\s*\\|\\s*\\1\\s*&\\s*\\}\\s*;\\s*\\1\\b");
    chmodRoot = AnchoredPattern.of("chmod_root", "chmod 777 on the filesystem root",
        kb.word("chmod"),
        "\\bchmod\\s+(?:-{1,2}[a-z-]+\\s+)*0?777\\s+(?:-{1,2}[a-z-]+\\s+)*['\"]?/\\*?" + END);
    device = AnchoredPattern.of("device_overwrite", "overwriting a block device",
        kb.sub(">/dev/", "> /dev/", "shred", "wipefs"),
        ">\\s*/dev/(?:sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\\d|mmcblk\\d|disk\\d)"
            + "|\\b(?:shred|wipefs)\\s+(?:-\\S+\\s+(?:\\d+\\s+)?)*/dev/[a-z]");
  }

  void evaluate(PolicyContext c) {
    for (AnchoredPattern p : new AnchoredPattern[] {rmRoot, mkfs, dd, forkBomb, chmodRoot,
        device}) {
      if (p.matches(c.text, c.found)) {
        c.hit(PolicyContext.HARD + "shell." + p.id(), Signals.DESTRUCTIVE_SHELL_COMMAND, CRIT,
            PolicyContext.DENY, "Destructive shell command: " + p.detail());
      }
    }
    if (!c.fired(PolicyContext.HARD + "shell.rm_root") && noPreserveRoot.matches(c.text, c.found)) {
      c.hit(PolicyContext.HARD + "shell.no_preserve_root", Signals.DESTRUCTIVE_SHELL_COMMAND, CRIT,
          PolicyContext.DENY, "Destructive shell command: " + noPreserveRoot.detail());
    }
  }
}
