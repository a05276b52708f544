# Money transfers: for a tool whose name contains transfer, payment, wire or payout, an amount
# of 10,000,000 or more is a hard deny (money_transfer_above_hard_cap); 200,000 or more
# escalates (money_transfer_external). The amount is payload.amount: a JSON number or a numeric
# string ("$250,000.00", "1_000", "12,500,000 USD").
package aegis.platform.money

import data.aegis.platform.lib

money_tools := ["transfer", "payment", "wire", "payout"]

hard_cap := 10000000

escalate_at := 200000

money_tool if {
	some m in money_tools
	contains(lib.tool, m)
}

amount := a if {
	a := lib.payload.amount
	is_number(a)
}

amount := a if {
	s0 := lower(trim_space(lib.payload.amount))
	s1 := strip_symbol(s0)
	s2 := strip_currency(s1)
	s3 := trim_space(replace(replace(s2, ",", ""), "_", ""))
	s := strip_plus(s3)
	regex.match(`^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?$`, s)
	a := to_number(s)
}

strip_symbol(s) := substring(s, 1, -1) if {
	some c in ["$", "€", "£"]
	startswith(s, c)
} else := s

strip_currency(s) := trim_space(substring(s, 0, count(s) - 3)) if {
	some c in ["usd", "eur", "gbp"]
	endswith(s, c)
} else := s

strip_plus(s) := substring(s, 1, -1) if {
	startswith(s, "+")
} else := s

default transfer := null

transfer := lib.hit(
	"hard_deny.money.above_hard_cap", "money_transfer_above_hard_cap", "critical", "deny",
	sprintf("Transfer of %v above the hard cap", [amount])
) if {
	money_tool
	amount >= hard_cap
}

transfer := lib.hit(
	"escalate.money.large_transfer", "money_transfer_external", "high", "escalate",
	sprintf("Transfer of %v requires approval", [amount])
) if {
	money_tool
	amount < hard_cap
	amount >= escalate_at
}

# The family's hits.
hits := [h | some h in [transfer]; h != null]
