# Data egress families.
#
# Bulk PII export: when the text names PII columns (email, ssn, phone, address, dob, card,
# credit_card, passport ...) and the action has a row count (payload limit, rows, row_count or
# max_rows; else SQL LIMIT n / TOP n / FETCH FIRST n ROWS; else a SELECT ... FROM without one is
# unbounded, unless its WHERE pins a single id), rows above the agent-risk threshold (critical 0,
# high 100, medium 1000, low 10000; unknown counts as medium) escalate
# (bulk_pii_egress_above_threshold); 10,000 rows or more, or unbounded, is a hard deny
# (bulk_pii_egress_dump).
#
# External exfiltration: email.send, http.post or webhook.send (any of . _ - as separator) with
# PII in the payload (a card number, SSN or e-mail outside the destination fields, or a stage 3
# pii_card_number / pii_ssn finding): a destination domain outside the tenant allow-list
# (data.aegis.config.allowed_domains, subdomains included) is a hard deny (external_pii_exfil);
# no recognisable destination escalates (external_post_pii_unknown_dest).
package aegis.platform.egress

import data.aegis.platform.lib
import data.aegis.platform.pii

# ---- bulk PII export ----

not_alnum := `[^\pL\p{Nd}]`

# Cheap pre-checks: every PII column name contains one of these stems.
pii_stem if contains(lib.text, "mail")

pii_stem if contains(lib.text, "ssn")

pii_stem if contains(lib.text, "social_security")

pii_stem if contains(lib.text, "phone")

pii_stem if contains(lib.text, "address")

pii_stem if contains(lib.text, "dob")

pii_stem if contains(lib.text, "birth")

pii_stem if contains(lib.text, "card")

pii_stem if contains(lib.text, "passport")

pii_columns if {
	pii_stem
	regex.match(pii_columns_re, lib.text)
}

row_hints if {
	some stem in ["select", "limit", "top", "fetch first"]
	contains(lib.text, stem)
	regex.match(row_hints_re, lib.text)
}

pii_columns_re := concat("", [
	`(?:^|`, not_alnum, `)(?:e-mail|emails?|ssns?|social_security_number|phones?|phone_number`,
	`|address(?:es)?|dob|date_of_birth|birthdate|birth_date|cards?|credit_card|card_number`,
	`|passports?|passport_number)(?:$|`, not_alnum, `)`,
])

row_hints_re := concat("", [`(?:^|`, not_alnum, `)(?:select|limit|top|fetch first)(?:$|`, not_alnum, `)`])

pinned_re := `\bwhere\s+(?:\w+\.)?(?:id|uuid|\w+_id)\s*=\s*(?:'[^']*'|\d+|\$\d+|\?|:\w+)`

row_fields := ["limit", "rows", "row_count", "max_rows"]

dump_rows := 10000

unbounded := 9223372036854775807

threshold := 0 if {
	lib.risk == "critical"
} else := 100 if {
	lib.risk == "high"
} else := 10000 if {
	lib.risk == "low"
} else := 1000

# A non-negative number, or a string of 1 to 18 digits (commas and underscores ignored).
row_number(v) := v if {
	is_number(v)
	v >= 0
}

row_number(v) := to_number(s) if {
	s := replace(replace(trim_space(v), ",", ""), "_", "")
	regex.match(`^[0-9]{1,18}$`, s)
}

field_rows := [n | some f in row_fields; n := row_number(lib.payload[f])]

# 1 to 15 digits at the start of t, ending at a word boundary.
leading_int(t) := to_number(substring(t, 0, lib.prefix_len(substring(t, 0, 16), `^[0-9]$`))) if {
	regex.match(`^[0-9]{1,15}(?:$|[^\pL\p{Nd}_])`, t)
}

limit_rows := [n | some t in lib.word_tails(lib.text, "limit "); n := leading_int(t)]

top_rows := [n |
	some t in lib.word_tails(lib.text, "top")
	some k in [0, 1, 2, 3]
	regex.match(`^ ?\(? ?$`, substring(t, 0, k))
	n := leading_int(substring(t, k, -1))
]

fetch_rows := [n |
	some t in lib.word_tails(lib.text, "fetch first ")
	regex.match(`^[0-9]{1,15} rows?(?:$|[^\pL\p{Nd}_])`, t)
	n := leading_int(t)
]

text_rows := array.concat(array.concat(limit_rows, top_rows), fetch_rows)

# The first SELECT statement (up to its end) when a SELECT ... FROM occurs.
select_statement := lib.command(concat("", ["select", tails[0]])) if {
	regex.match(`\bselect\b.+?\bfrom\b`, lib.text)
	tails := [o.after |
		some o in lib.occurrences(lib.text, "select")
		not lib.word_char(o.before)
		not lib.word_char(substring(o.after, 0, 1))
	]
}

select_rows := 1 if {
	regex.match(pinned_re, select_statement)
	not regex.match(`\bor\b`, select_statement)
} else := unbounded

rows := max(field_rows) if {
	count(field_rows) > 0
} else := max(text_rows) if {
	row_hints
	count(text_rows) > 0
} else := select_rows if {
	row_hints
	select_statement
}

shown_rows := "unbounded" if {
	rows == unbounded
} else := sprintf("%v", [rows])

default bulk := null

bulk := lib.hit(
	"hard_deny.pii.bulk_dump", "bulk_pii_egress_dump", "critical", "deny",
	sprintf("Bulk PII export of %s rows (dump limit 10000)", [shown_rows])
) if {
	pii_columns
	rows >= dump_rows
}

# Row counts are whole numbers in the Java rules (a fractional count is truncated), so
# "rows > threshold" is "rows >= threshold + 1".
bulk := lib.hit(
	"escalate.pii.bulk_export", "bulk_pii_egress_above_threshold", "medium", "escalate",
	sprintf("PII export of %s rows above the threshold %d for a %s risk agent", [shown_rows, threshold, lib.risk])
) if {
	pii_columns
	rows < dump_rows
	rows >= threshold + 1
}

# ---- external exfiltration ----

exfil_tools := {"email.send", "http.post", "webhook.send"}

dest_fields := {
	"to", "recipient", "recipients", "cc", "bcc", "url", "endpoint", "webhook_url", "webhook",
	"destination", "host", "from", "sender", "reply_to",
}

# The destination fields whose domains are checked (senders are not destinations).
address_fields := ["to", "recipient", "recipients", "cc", "bcc", "url", "endpoint", "webhook_url", "webhook", "destination", "host"]

pii_flags := {"pii_card_number", "pii_ssn"}

exfil_tool := replace(replace(lib.tool, "_", "."), "-", ".")

pii_present if flagged

pii_present if {
	not flagged
	pii.present(pii_text)
}

flagged if {
	some f in lib.findings
	pii_flags[f]
}

# The action text without the destination fields (key and value as they appear in the text,
# then any value of four characters or more on its own).
removals := array.concat(
	[r | some k, v in lib.payload; dest_fields[lower(k)]; r := concat(" ", array.concat([lower(k)], strings_of(v)))],
	[r | some k, v in lib.payload; dest_fields[lower(k)]; some r in strings_of(v); count(r) >= 4]
)

# A string value (lower case) or the strings of an array value.
strings_of(v) := [s | s := lower(v)] if {
	not array_value(v)
} else := [lower(x) | some x in v]

array_value(v) if {
	some i, _ in v
	is_number(i)
}

strip(t, i) := replace(t, removals[i], " ") if {
	i < count(removals)
} else := t

pii_text := lib.raw_text if {
	count(removals) == 0
} else := replace(lib.raw_text, removals[0], " ") if {
	count(removals) == 1
} else := replace(replace(lib.raw_text, removals[0], " "), removals[1], " ") if {
	count(removals) == 2
} else := t if {
	t0 := lib.raw_text
	t1 := strip(t0, 0)
	t2 := strip(t1, 1)
	t3 := strip(t2, 2)
	t4 := strip(t3, 3)
	t5 := strip(t4, 4)
	t6 := strip(t5, 5)
	t7 := strip(t6, 6)
	t8 := strip(t7, 7)
	t9 := strip(t8, 8)
	t10 := strip(t9, 9)
	t11 := strip(t10, 10)
	t := strip(t11, 11)
}

# Separators between the addresses of one field.
dest_tokens(s) := [tok |
	c := replace(replace(replace(replace(replace(replace(replace(s, ",", " "), ";", " "), "\t", " "), "\n", " "), "\r", " "), "\f", " "), "\u000b", " ")
	some tok in split(c, " ")
	tok != ""
]

domains := [d |
	some f in address_fields
	v := lib.payload[f]
	some s in flat_strings(v)
	some tok in dest_tokens(s)
	d := domain_of(tok)
]

# The strings of a value: itself, or the strings of an array (two levels deep).
flat_strings(v) := [v] if {
	lower(v)
} else := array.concat(
	[x | some x in v; lower(x)],
	[y | some x in v; array_value(x); some y in x; lower(y)]
) if {
	array_value(v)
} else := []

# The host of a URL or the domain of an e-mail address (lower case); undefined when there is
# none.
domain_of(tok) := h if {
	t := unquote(lower(tok))
	h0 := host(t)
	h := strip_dots(h0)
	h != ""
}

# Leading <"' and trailing >"' removed.
unquote(t0) := t0 if {
	not regex.match(`^[<"']|[>"']$`, t0)
} else := t if {
	t1 := substring(t0, lib.prefix_len(t0, `^[<"']$`), -1)
	t := substring(t1, 0, count(t1) - lib.suffix_len(t1, `^[>"']$`))
}

strip_dots(h) := h if {
	not endswith(h, ".")
} else := substring(h, 0, count(h) - lib.suffix_len(h, `^\.$`))

host(t) := h if {
	contains(t, "://")
	rest := substring(t, indexof(t, "://") + 3, -1)
	h0 := substring(rest, 0, lib.first_or([p | some c in ["/", "?", "#"]; p := indexof(rest, c); p >= 0], count(rest)))
	ats := split(h0, "@")
	h1 := ats[count(ats) - 1]
	h := before_last_colon(h1)
} else := h if {
	contains(t, "@")
	ats := split(t, "@")
	h := ats[count(ats) - 1]
} else := h if {
	indexof(t, ".") > 0
	regex.match(`^[a-z0-9.-]+(?::\d+)?(?:/.*)?$`, t)
	h := substring(t, 0, lib.first_or([p | some c in [":", "/"]; p := indexof(t, c); p >= 0], count(t)))
}

before_last_colon(h) := concat(":", [x | some i, x in cs; i < count(cs) - 1]) if {
	contains(h, ":")
	cs := split(h, ":")
} else := h

allowed(d) if {
	some a in lib.allowed_domains
	l := lower(a)
	l != ""
	d == l
}

allowed(d) if {
	some a in lib.allowed_domains
	l := lower(a)
	l != ""
	endswith(d, concat("", [".", l]))
}

default exfil := null

exfil := h if {
	exfil_tools[exfil_tool]
	pii_present
	h := exfil_hit(domains)
}

exfil_hit(ds) := lib.hit(
	"escalate.exfil.unknown_destination", "external_post_pii_unknown_dest", "high", "escalate",
	concat("", ["PII sent by ", lib.tool, " to an unknown destination"])
) if {
	count(ds) == 0
} else := lib.hit(
	"hard_deny.exfil.external_pii", "external_pii_exfil", "critical", "deny",
	concat("", ["PII sent by ", lib.tool, " to external domain ", bad[0]])
) if {
	bad := [d | some d in ds; not allowed(d)]
	count(bad) > 0
}

# The family's hits, in rule order.
hits := [] if {
	not pii_stem
	not exfil_tools[exfil_tool]
} else := [h | some h in [bulk, exfil]; h != null]
