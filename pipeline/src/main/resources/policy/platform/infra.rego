# Kubernetes and infrastructure-as-code destruction: kubectl delete, helm uninstall and
# terraform destroy (or apply -destroy). When the targeted namespace, kube context, workspace,
# var file or chdir (or the payload's namespace, workspace, environment ... field) is
# production-like the rule is a hard deny (k8s_destruction_prod / iac_destruction_prod);
# otherwise it only escalates (k8s_destruction / iac_destruction).
#
# Production-like: a name segment (split on non letters or digits) starting with prod,
# customer, payment, billing, staging, live or mainnet; --all-namespaces (-A) counts as
# production, and so does a flag value starting with '-'.
package aegis.platform.infra

import data.aegis.platform.lib

payload_fields := ["namespace", "ns", "workspace", "environment", "env", "context", "cluster", "kube_context"]

# A flag's value that is production-like: it starts with '-', or one of its segments starts
# with a production word. class: the characters the value is made of, seps: the non
# alphanumeric ones among them.
prod_value(seps) := concat("", [`(?:-|(?:`, seps, `)?`, lib.prod_words, `)`])

k8s_prod_re := concat("", [
	`(?:^|\s)(?:-n|--namespace|--context|--kube-context|--cluster)(?:=|\s+)`,
	prod_value(`[\w.:/@-]*[_.:/@-]`),
	`|\bdelete\s+(?:namespaces?|ns)\s+(?:[a-z0-9][\w.-]*\s+)*(?:[a-z0-9][\w.-]*[_.-])?`,
	lib.prod_words,
	`|(?:^|\s)(?:--all-namespaces|-a)(?:\s|$|=)`,
])

tf_re := `\bterraform\s+(?:-chdir=\S+\s+)?(?:destroy\b|apply\b[^;&|]{0,200}?\s-destroy\b)`

tf_prod_re := concat("", [
	`\btf_workspace=`, prod_value(`\S*[^\pL\p{Nd}\s]`),
	`|\bworkspace\s+(?:select|new)\s+`, prod_value(`\S*[^\pL\p{Nd}\s]`),
	`|-chdir=`, prod_value(`\S*[^\pL\p{Nd}\s]`),
	`|-var-file=`, prod_value(`\S*[^\pL\p{Nd}\s]`),
	`|-var[= ]\s*['"]?\w*(?:env|environment|workspace|stage)\w*=`,
	prod_value(`[^\s'"]*[^\pL\p{Nd}\s'"]`),
])

# The text of each command that starts with `word` (kubectl or helm) and has the verb among
# its first max_before + 1 arguments: from the word to the end of the command that follows the
# verb.
scopes(word, max_before, verb_re) := [scope |
	some t in lib.word_tails(lib.text, concat("", [word, " "]))
	toks := split(t, " ")
	js := [j | some j, tok in toks; j <= max_before; regex.match(verb_re, tok)]
	j := js[0]
	head := concat(" ", [x | some k, x in toks; k <= j])
	pos := (count(head) - count(toks[j])) + verb_len(toks[j])
	scope := concat("", [word, " ", substring(t, 0, pos), lib.command(substring(t, pos, -1))])
]

verb_len(tok) := 9 if {
	regex.match(`^uninstall\b`, tok)
} else := 6 if {
	regex.match(`^delete\b`, tok)
} else := 3

# The hit for a destruction command: hard deny when production-like, else escalate.
destruction(id, signal, what, prod_in_text) := lib.hit(
	concat("", ["hard_deny.", id, "_prod"]),
	concat("", [signal, "_prod"]), "critical", "deny",
	concat("", [what, " targeting production-like '", target, "'"])
) if {
	target := prod_target(prod_in_text)
} else := lib.hit(
	concat("", ["escalate.", id]), signal, "high", "escalate",
	concat("", [what, " requires approval"])
)

prod_target(true) := "target in the command"

prod_target(false) := vs[0] if {
	vs := [lower(v) | some f in payload_fields; v := lib.payload[f]; lib.prod_like(lower(v))]
}

default kubectl_delete := null

kubectl_delete := h if {
	contains(lib.text, "kubectl ")
	ss := scopes("kubectl", 4, `^delete\b`)
	count(ss) > 0
	prod := count([s | some s in ss; regex.match(k8s_prod_re, s)]) > 0
	h := destruction("k8s.delete", "k8s_destruction", "kubectl delete", prod)
}

default helm_uninstall := null

helm_uninstall := h if {
	contains(lib.text, "helm ")
	ss := scopes("helm", 3, `^(?:uninstall|delete|del)\b`)
	count(ss) > 0
	prod := count([s | some s in ss; regex.match(k8s_prod_re, s)]) > 0
	h := destruction("k8s.helm_uninstall", "k8s_destruction", "helm uninstall", prod)
}

default terraform_destroy := null

terraform_destroy := h if {
	contains(lib.text, "terraform ")
	regex.match(tf_re, lib.text)
	prod := regex.match(tf_prod_re, lib.text)
	h := destruction("iac.destroy", "iac_destruction", "terraform destroy", prod)
}

# Every rule of the family needs one of these substrings (a cheap gate before the rules).
gate if contains(lib.text, "kubectl ")

gate if contains(lib.text, "helm ")

gate if contains(lib.text, "terraform ")

# The family's hits, in rule order; nothing to read when no gate stem occurs.
hits := [] if {
	not gate
} else := [h | some h in [kubectl_delete, helm_uninstall, terraform_destroy]; h != null]
