# Shared context and string helpers of the platform policy (SPEC §2.3 stage 4).
#
# The platform rules read the text the way the gateway's Java detectors do: the lower-case tool
# name, one space, then input.text (the action text already normalised by stage 3: lower case,
# de-obfuscated, every whitespace run one space). Only these built-ins are used: regex.match,
# contains, startswith, endswith, lower, split, count, sprintf, object.get, is_number, to_number,
# concat, sort, trim_space, indexof, substring, replace, max, numbers.range. Regexes are RE2
# (no lookaround, no backreferences); where the Java rules use a lookahead or a backreference
# the Rego rules locate the literal with split and test the text that follows it.
#
# Built-in errors on values of the wrong type (lower(42)) make the expression undefined, as in
# OPA's default (non-strict) mode; the rules rely on that to skip non-string payload fields.
package aegis.platform.lib

# ---- the action ----

default tool := ""

# The tool name, lower case.
tool := lower(input.tool) if input.tool != null

default raw_text := ""

raw_text := input.text if input.text != null

# The scanned text: "<tool> <text>" (the tool name is part of the command: a tool called
# kubectl with the argument "delete ns prod" reads as one command).
text := raw_text if {
	tool == ""
} else := concat("", [tool, raw_text]) if {
	startswith(raw_text, " ")
} else := concat(" ", [tool, raw_text])

default risk := "medium"

# The agent's risk level, lower case; unknown or empty counts as medium.
risk := r if {
	input.agent.risk_level != null
	r := lower(input.agent.risk_level)
	r != ""
}

default payload := {}

payload := input.payload if input.payload != null

default findings := []

findings := input.findings if input.findings != null

default allowed_domains := []

# Domains (and their subdomains) PII may be sent to, configured per tenant.
allowed_domains := data.aegis.config.allowed_domains

# ---- character classes ----

# True for one ASCII digit.
digit(c) if {
	c != ""
	indexof("0123456789", c) >= 0
}

# True for a character a Java regex \b treats as a word character (letter, digit, underscore).
word_char(c) if regex.match(`^[\pL\p{Nd}_]$`, c)

last_char(s) := "" if {
	s == ""
} else := c if {
	c := substring(s, count(s) - 1, 1)
}

# ---- occurrences ----

# For each occurrence of needle in s, in order: {"before": the character before it ("" at the
# start), "after": the text that follows it}.
occurrences(s, needle) := [o |
	parts := split(s, needle)
	n := count(parts)
	n > 1
	some i in numbers.range(1, n - 1)
	prefix := concat(needle, [p | some j, p in parts; j < i])
	o := {
		"before": last_char(prefix),
		"after": substring(s, count(prefix) + count(needle), -1),
	}
]

# The text after each occurrence of needle that starts a word (\bneedle).
word_tails(s, needle) := [o.after |
	some o in occurrences(s, needle)
	not word_char(o.before)
]

# The length of the longest prefix of s whose characters each match re (a one-character
# pattern such as `^[a-z]$`).
prefix_len(s, re) := 0 if {
	s == ""
} else := n if {
	c := count(s)
	ends := [k | some k in numbers.range(0, c - 1); not regex.match(re, substring(s, k, 1))]
	n := first_or(ends, c)
}

# The length of the longest suffix of s whose characters each match re.
suffix_len(s, re) := 0 if {
	s == ""
} else := n if {
	c := count(s)
	ends := [k | some k in numbers.range(0, c - 1); not regex.match(re, substring(s, (c - k) - 1, 1))]
	n := first_or(ends, c)
}

# ---- commands and statements ----

# The shell command or SQL statement at the start of s: up to the next ';', '|', '&&' (a line
# break never survives normalisation), at most 400 characters.
command(s) := substring(w, 0, end) if {
	w := substring(s, 0, 400)
	ps := [p | some sep in [";", "|", "&&"]; p := indexof(w, sep); p >= 0]
	end := first_or(ps, count(w))
}

first_or(ps, dflt) := dflt if {
	count(ps) == 0
} else := sort(ps)[0]

# ---- production-like names ----

prod_words := `(?:prod|customer|payment|billing|staging|live|mainnet)`

# True when a segment of name (split on non letters or digits) starts with a production-like
# word: prod, customer, payment, billing, staging, live, mainnet.
prod_like(name) if regex.match(concat("", [`(?:^|[^\pL\p{Nd}])`, prod_words]), name)

# ---- hits ----

# One rule hit. effect: deny or escalate; ids starting with hard_deny. are hard denies.
hit(id, signal, severity, effect, reason) := {
	"id": id,
	"signal": signal,
	"severity": severity,
	"effect": effect,
	"reason": reason,
}
