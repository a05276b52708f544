# The platform policy's decision (SPEC §2.3 stage 4): the hard-deny families and escalate-only
# rules shipped with the gateway, which tenant overlays cannot override.
#
# data.aegis.platform.decision:
#   allow           false when any deny rule fired
#   deny            the deny hits, in family order: [{id, severity, signal, reason}]
#   escalate        true when an escalate-only rule fired
#   escalations     the escalate hits, in family order
#   hard_deny       true when a rule whose id starts with hard_deny. fired
#   rule_id, reason the most severe hit (hard deny, then deny, then escalate; the first of a
#                   kind), or null
#   risk_adjustment the largest of 0.30 (any hard deny), 0.85 (critical-agent rule) and 0.15
#                   (escalate), else 0
package aegis.platform

import data.aegis.platform.agent
import data.aegis.platform.egress
import data.aegis.platform.infra
import data.aegis.platform.money
import data.aegis.platform.paths
import data.aegis.platform.shell
import data.aegis.platform.sql

hard_deny_adjustment := 0.30

critical_agent_adjustment := 0.85

escalate_adjustment := 0.15

# Every hit, in family order.
hits := [h |
	some family in [shell.hits, sql.hits, paths.hits, infra.hits, egress.hits, money.hits, agent.hits]
	some h in family
]

deny_hits := [h | some h in hits; h.effect == "deny"]

hard_hits := [h | some h in deny_hits; startswith(h.id, "hard_deny.")]

soft_deny_hits := [h | some h in deny_hits; not startswith(h.id, "hard_deny.")]

escalate_hits := [h | some h in hits; h.effect == "escalate"]

top := hard_hits[0] if {
	count(hard_hits) > 0
} else := soft_deny_hits[0] if {
	count(soft_deny_hits) > 0
} else := escalate_hits[0] if {
	count(escalate_hits) > 0
} else := null

rule_id := top.id if {
	top != null
} else := null

reason := top.reason if {
	top != null
} else := null

adjustments contains hard_deny_adjustment if count(hard_hits) > 0

adjustments contains critical_agent_adjustment if count(soft_deny_hits) > 0

adjustments contains escalate_adjustment if count(escalate_hits) > 0

adjustments contains 0

# Fail closed should the decision ever be undefined (it is defined for every input by
# construction: every family's hits default to an empty array).
default decision := {
	"allow": false,
	"deny": [{
		"id": "platform.undefined_decision", "severity": "critical",
		"signal": "policy_unavailable", "reason": "the platform policy produced no decision",
	}],
	"escalate": false,
	"escalations": [],
	"hard_deny": false,
	"rule_id": "platform.undefined_decision",
	"reason": "the platform policy produced no decision",
	"risk_adjustment": 0.85,
}

public(h) := {"id": h.id, "severity": h.severity, "signal": h.signal, "reason": h.reason}

# Nothing fired (the common case): a constant.
decision := {
	"allow": true,
	"deny": [],
	"escalate": false,
	"escalations": [],
	"hard_deny": false,
	"rule_id": null,
	"reason": null,
	"risk_adjustment": 0,
} if {
	count(hits) == 0
} else := {
	"allow": count(deny_hits) == 0,
	"deny": [public(h) | some h in deny_hits],
	"escalate": count(escalate_hits) > 0,
	"escalations": [public(h) | some h in escalate_hits],
	"hard_deny": count(hard_hits) > 0,
	"rule_id": rule_id,
	"reason": reason,
	"risk_adjustment": max(adjustments),
}
