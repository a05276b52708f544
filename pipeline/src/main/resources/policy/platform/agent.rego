# A critical-risk agent calling a dangerous tool (name contains shell, sudo, drop, delete,
# truncate, exec or sql, or has an rm segment): deny, not hard (critical_agent_dangerous_tool,
# risk adjustment 0.85).
package aegis.platform.agent

import data.aegis.platform.lib

dangerous := ["shell", "sudo", "drop", "delete", "truncate", "exec", "sql"]

dangerous_tool if {
	some d in dangerous
	contains(lib.tool, d)
}

dangerous_tool if regex.match(`(?:^|[^a-z0-9])rm(?:$|[^a-z0-9])`, lib.tool)

default critical_dangerous_tool := null

critical_dangerous_tool := lib.hit(
	"agent.critical_dangerous_tool", "critical_agent_dangerous_tool", "high", "deny",
	concat("", ["Critical-risk agent calling dangerous tool ", lib.tool])
) if {
	lib.risk == "critical"
	lib.tool != ""
	dangerous_tool
}

# The family's hits.
hits := [h | some h in [critical_dangerous_tool]; h != null]
