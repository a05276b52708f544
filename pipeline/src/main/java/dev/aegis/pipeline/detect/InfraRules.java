package dev.aegis.pipeline.detect;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes and infrastructure-as-code destruction (SPEC stage 4): {@code kubectl delete},
 * {@code helm uninstall} and {@code terraform destroy} (or {@code apply -destroy}). When the
 * targeted namespace, kube context, workspace, var file or chdir (or the payload's
 * {@code namespace}, {@code workspace}, {@code environment}, ... field) is production-like, the
 * rule is a hard deny ({@code k8s_destruction_prod} / {@code iac_destruction_prod}); otherwise it
 * only escalates ({@code k8s_destruction} / {@code iac_destruction}).
 *
 * <p>Production-like: a name segment (split on non-alphanumerics) starting with prod, customer,
 * payment, billing, staging, live or mainnet; {@code --all-namespaces} counts as production.
 */
final class InfraRules {
  private static final String[] PROD = {"prod", "customer", "payment", "billing", "staging",
      "live", "mainnet"};
  private static final String[] PAYLOAD_FIELDS = {"namespace", "ns", "workspace", "environment",
      "env", "context", "cluster", "kube_context"};
  private static final Pattern KUBECTL =
      Pattern.compile("\\bkubectl\\s+(?:\\S+\\s+){0,4}?delete\\b");
  private static final Pattern HELM =
      Pattern.compile("\\bhelm\\s+(?:\\S+\\s+){0,3}?(?:uninstall|delete|del)\\b");
  private static final Pattern TERRAFORM = Pattern.compile("\\bterraform\\s+(?:-chdir=\\S+\\s+)?"
      + "(?:destroy\\b|apply\\b[^;&|]{0,200}?\\s-destroy\\b)");
  private static final Pattern K8S_TARGET = Pattern.compile("(?:^|\\s)(?:-n|--namespace"
      + "|--context|--kube-context|--cluster)(?:=|\\s+)([\\w.:/@-]+)"
      + "|\\bdelete\\s+(?:namespaces?|ns)\\s+([a-z0-9][\\w.-]*(?:\\s+[a-z0-9][\\w.-]*)*)"
      + "|(?:^|\\s)(--all-namespaces|-a)(?=\\s|$|=)");
  private static final Pattern TF_TARGET = Pattern.compile("\\btf_workspace=(\\S+)"
      + "|\\bworkspace\\s+(?:select|new)\\s+(\\S+)|-chdir=(\\S+)|-var-file=(\\S+)"
      + "|-var[= ]\\s*['\"]?\\w*(?:env|environment|workspace|stage)\\w*=([^\\s'\"]+)");

  private final int[] kubectl;
  private final int[] helm;
  private final int[] terraform;

  InfraRules(KeywordAutomaton.Builder kb) {
    kubectl = kb.word("kubectl");
    helm = kb.word("helm");
    terraform = kb.word("terraform");
  }

  void evaluate(PolicyContext c) {
    if (c.has(kubectl)) {
      command(c, KUBECTL.matcher(c.text), K8S_TARGET, false, "k8s.delete",
          Signals.K8S_DESTRUCTION_PROD, Signals.K8S_DESTRUCTION, "kubectl delete");
    }
    if (c.has(helm)) {
      command(c, HELM.matcher(c.text), K8S_TARGET, false, "k8s.helm_uninstall",
          Signals.K8S_DESTRUCTION_PROD, Signals.K8S_DESTRUCTION, "helm uninstall");
    }
    if (c.has(terraform)) {
      command(c, TERRAFORM.matcher(c.text), TF_TARGET, true, "iac.destroy",
          Signals.IAC_DESTRUCTION_PROD, Signals.IAC_DESTRUCTION, "terraform destroy");
    }
  }

  private static void command(PolicyContext c, Matcher m, Pattern targets, boolean wholeText,
      String id, String prodSignal, String signal, String what) {
    boolean any = false;
    String prod = null;
    while (prod == null && m.find()) {
      any = true;
      CharSequence scope =
          wholeText ? c.text : c.text.subSequence(m.start(), c.commandEnd(m.end()));
      prod = prodTarget(targets.matcher(scope));
    }
    if (!any) {
      return;
    }
    if (prod == null) {
      for (String f : PAYLOAD_FIELDS) {
        String v = c.field(f);
        if (v != null && prodLike(v)) {
          prod = v;
          break;
        }
      }
    }
    if (prod != null) {
      c.hit(PolicyContext.HARD + id + "_prod", prodSignal, "critical", PolicyContext.DENY,
          what + " targeting production-like '" + prod + "'");
    } else {
      c.hit("escalate." + id, signal, "high", PolicyContext.ESCALATE,
          what + " requires approval");
    }
  }

  /** @return the first production-like target captured, or null */
  private static String prodTarget(Matcher m) {
    while (m.find()) {
      for (int g = 1; g <= m.groupCount(); g++) {
        String v = m.group(g);
        if (v != null && (v.startsWith("-") || prodLike(v))) {
          return v;
        }
      }
    }
    return null;
  }

  /** @return true when a segment of the name starts with a production-like word */
  static boolean prodLike(String name) {
    int i = 0;
    int n = name.length();
    while (i < n) {
      while (i < n && !Character.isLetterOrDigit(name.charAt(i))) {
        i++;
      }
      for (String p : PROD) {
        if (name.regionMatches(true, i, p, 0, p.length())) {
          return true;
        }
      }
      while (i < n && Character.isLetterOrDigit(name.charAt(i))) {
        i++;
      }
    }
    return false;
  }
}
