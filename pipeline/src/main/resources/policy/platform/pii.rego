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

# Cards: dashes and spaces separate a run alike, so dashes become spaces; then every run start
# with a leading 2 to 6 is measured and Luhn-checked.
card(s) if {
	regex.match(`[2-6](?:[ -]?[0-9]){12}`, s)
	t := replace(s, "-", " ")
	some i in numbers.range(0, count(t) - 13)
	indexof("23456", substring(t, i, 1)) >= 0
	card_at(t, i)
}

card_at(t, i) if {
	left_ok(t, i)
	w := substring(t, i, 38)
	ends := [k | some k in numbers.range(1, count(w)); run_ends(w, k)]
	e := ends[0]
	e < 38
	digits := replace(substring(w, 0, e), " ", "")
	count(digits) >= 13
	count(digits) <= 19
	regex.match(`^(?:$|[^\pL\p{Nd}_. ]|[. ](?:$|[^0-9]))`, substring(t, i + e, 2))
	luhn(digits)
}

left_ok(_, 0) := true

left_ok(t, 1) if regex.match(`^[^\pL\p{Nd}_]$`, substring(t, 0, 1))

left_ok(t, i) if {
	i >= 2
	regex.match(`[^\pL\p{Nd}_. ]$|(?:^|[^0-9])[. ]$`, substring(t, i - 2, 2))
}

# A run of digits joined by single spaces ends at k of window w.
run_ends(w, k) if k == count(w)

run_ends(w, k) if {
	k < count(w)
	c := substring(w, k, 1)
	not lib.digit(c)
	not space_then_digit(w, k)
}

space_then_digit(w, k) if {
	substring(w, k, 1) == " "
	lib.digit(substring(w, k + 1, 1))
}

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
