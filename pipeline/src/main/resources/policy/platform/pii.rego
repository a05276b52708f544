# PII values in a normalised text, as the gateway's PiiDetector finds them:
#   card: 13 to 19 digits, optionally separated by single spaces or dashes, starting with 2 to
#         6, passing the Luhn check, not glued to letters, digits or a decimal point;
#   ssn:  exactly ddd-dd-dddd, area not 000, 666 or 9xx, group not 00, serial not 0000;
#   email: local@domain.tld with an alphabetic TLD of two or more letters.
package aegis.platform.pii

import data.aegis.platform.lib

# A digit run's left edge: nothing, or a character that neither continues the run nor glues to
# it (a letter, digit, underscore, or a decimal point after a digit).
run_left := `(?:^|[^\pL\p{Nd}_. -]|(?:^|[^0-9])[. -])`

run_right := `(?:$|[^\pL\p{Nd}_. -]|[. -](?:$|[^0-9]))`

ssn_re := concat("", [
	run_left,
	`(?:00[1-9]|0[1-9][0-9]|[1-578][0-9]{2}|6[0-57-9][0-9]|66[0-57-9])`,
	`-(?:0[1-9]|[1-9][0-9])-(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})`,
	run_right,
])

email_re := `[a-zA-Z0-9_%+-][a-zA-Z0-9._%+-]*@[a-zA-Z0-9][a-zA-Z0-9.-]*\.[a-zA-Z]{2,}[.-]*(?:$|[^a-zA-Z0-9.-])`

# Any of the three kinds in s.
present(s) if email(s)

present(s) if ssn(s)

present(s) if card(s)

email(s) if {
	contains(s, "@")
	regex.match(email_re, s)
}

ssn(s) if {
	contains(s, "-")
	regex.match(ssn_re, s)
}

# Cards: dashes and spaces separate a run alike, so dashes become spaces and the text is read as
# space-separated tokens; a run starts at a 2 to 6 digit that no digit (or digit and separator)
# precedes, takes the following all-digit tokens, and ends in the first token that is not all
# digits.
card(s) if {
	regex.match(`[2-6](?:[ -]?[0-9]){12}`, s)
	toks := split(replace(s, "-", " "), " ")
	some k, tok in toks
	regex.match(`[2-6]`, tok)
	some i in numbers.range(0, count(tok) - 1)
	indexof("23456", substring(tok, i, 1)) >= 0
	run_start(toks, k, tok, i)
	run := run_at(toks, k, substring(tok, i, -1))
	count(run.digits) >= 13
	count(run.digits) <= 19
	regex.match(`^(?:$|[^\pL\p{Nd}_. ]|[. ](?:$|[^0-9]))`, run.after)
	luhn(run.digits)
}

# The digit at tok[i] starts a run that is not glued to a letter, digit, underscore or a decimal
# point after a digit.
run_start(_, 0, _, 0) := true

run_start(toks, k, _, 0) if {
	k > 0
	not regex.match(`[0-9]$`, toks[k - 1])
}

run_start(_, _, tok, 1) if regex.match(`^[^\pL\p{Nd}_]$`, substring(tok, 0, 1))

run_start(_, _, tok, i) if {
	i >= 2
	regex.match(`[^\pL\p{Nd}_.]$|[^0-9]\.$`, substring(tok, i - 2, 2))
}

# The run of digits at the start of rest (the rest of token k): {"digits", "after": the two
# characters that follow it}.
run_at(toks, k, rest) := {"digits": substring(rest, 0, d), "after": after} if {
	d := lib.prefix_len(rest, `^[0-9]$`)
	d < count(rest)
	after := next_two(toks, k, substring(rest, d, -1))
} else := {"digits": concat("", array.concat([rest], middle)), "after": run_end(toks, e)} if {
	e := run_stop(toks, k)
	middle := array.concat([toks[j] | some j in numbers.range(k + 1, e - 1); e > k + 1], tail_digits(toks, e))
}

# The first token after k that is not all digits (at most 20 tokens on), or the token count.
run_stop(toks, k) := count(toks) if {
	k >= count(toks) - 1
} else := e if {
	last := min_of(k + 20, count(toks) - 1)
	stops := [j | some j in numbers.range(k + 1, last); not regex.match(`^[0-9]+$`, toks[j])]
	e := lib.first_or(stops, last + 1)
}

min_of(a, b) := a if {
	a < b
} else := b

# The digits that start token e (the token that ends a run crossing tokens).
tail_digits(toks, e) := [substring(toks[e], 0, p)] if {
	e < count(toks)
	p := lib.prefix_len(toks[e], `^[0-9]$`)
	p > 0
} else := []

run_end(toks, e) := "" if {
	e >= count(toks)
} else := next_two(toks, e, substring(toks[e], p, -1)) if {
	p := lib.prefix_len(toks[e], `^[0-9]$`)
	p > 0
} else := " "

# The first two characters of s (the rest of token k), reading on into the next token.
next_two(toks, k, s) := substring(s, 0, 2) if {
	count(s) >= 2
} else := concat("", [s, " "]) if {
	k < count(toks) - 1
} else := s

doubled := [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]

# The Luhn (mod 10) check. The sum of the digit values is taken as the length of a string made
# of that many characters (the bundle keeps to a small set of built-ins, without sum).
luhn(digits) if {
	n := count(digits)
	vals := [v |
		some k in numbers.range(0, n - 1)
		x := indexof("0123456789", substring(digits, k, 1))
		v := [x, doubled[x]][((n - 1) - k) % 2]
	]
	total := count(concat("", [substring("999999999", 0, v) | some v in vals]))
	total % 10 == 0
}
