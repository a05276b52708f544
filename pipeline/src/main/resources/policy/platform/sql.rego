# Hard-deny family: destructive SQL. DROP TABLE/DATABASE/SCHEMA and TRUNCATE give
# destructive_sql_ddl; DELETE FROM x or UPDATE x SET ... without WHERE, or with an always-true
# predicate (WHERE 1=1, WHERE true, OR 1=1), give destructive_sql_dml_no_predicate. A statement
# ends at the next ';', '|' or '&&' (or 400 characters). Prose ("drop me a note", "truncate the
# text", "delete from your list") does not fire: bare TRUNCATE x needs a statement end or a
# SQL-ish tool name, and determiners are not taken for table names.
package aegis.platform.sql

import data.aegis.platform.lib

# Words that start prose rather than a table name (the Java rule's negative lookahead).
prose_re := `^(?:the|a|an|your|my|our|their|his|her|its|this|that|these|those|it|them|all|any|every|each|here|there|me|us|to|some)\b`

table_start_re := "^[a-z_\"`\\[]"

table_char_re := "^[\\w.\"`\\]]$"

table_re := "^[a-z_\"`\\[][\\w.\"`\\]]*$"

truncate_stmt_re := "^(?:table\\b|(?:only\\s+)?[a-z_\"`][\\w.\"`]*\\s*(?:;|$|cascade\\b|restart\\s+identity\\b|continue\\s+identity\\b))"

sql_tools := ["sql", "db", "database", "query", "postgres", "mysql", "sqlite", "snowflake", "bigquery", "redshift", "warehouse"]

sql_tool if {
	some s in sql_tools
	contains(lib.tool, s)
}

ddl(rule, what) := lib.hit(
	concat("", ["hard_deny.sql.", rule]),
	"destructive_sql_ddl", "critical", "deny",
	concat("", ["Destructive SQL DDL: ", what])
)

dml(rule, what) := lib.hit(
	concat("", ["hard_deny.sql.", rule]),
	"destructive_sql_dml_no_predicate", "critical", "deny",
	concat("", ["Destructive SQL: ", what])
)

tautology_hit := dml("tautology_predicate", "DELETE/UPDATE with an always-true predicate")

# ---- DROP ----

default drop := null

drop := ddl("drop", "DROP TABLE/DATABASE/SCHEMA") if {
	contains(lib.text, "drop ")
	regex.match(`(?:^|[^\pL\p{Nd}])drop (?:table|database|schema)(?:$|[^\pL\p{Nd}])`, lib.text)
}

# ---- TRUNCATE ----

default truncate := null

truncate := ddl("truncate", "TRUNCATE") if {
	contains(lib.text, "truncate ")
	some t in lib.word_tails(lib.text, "truncate ")
	truncate_at(t)
}

truncate_at(t) if regex.match(truncate_stmt_re, t)

truncate_at(t) if {
	sql_tool
	regex.match(table_start_re, t)
	not regex.match(prose_re, t)
}

# ---- DELETE / UPDATE ----

default delete := null

# The first DELETE statement without a narrowing predicate decides.
delete := h if {
	contains(lib.text, "delete from ")
	decisions := [d |
		some t in lib.word_tails(lib.text, "delete from ")
		regex.match(table_start_re, t)
		not regex.match(prose_re, t)
		rest := substring(t, table_len(split(t, " ")[0]), -1)
		d := decide(lib.command(rest))
	]
	h := dml_hit(decisions[0], "delete_no_where", "DELETE without WHERE")
}

default update := null

update := h if {
	contains(lib.text, "update ")
	decisions := [d |
		some t in lib.word_tails(lib.text, "update ")
		rest := update_rest(t)
		d := decide(lib.command(rest))
	]
	h := dml_hit(decisions[0], "update_no_where", "UPDATE without WHERE")
	not repeated_tautology(h)
}

# The tautology rule is reported once, by whichever statement found it first.
repeated_tautology(h) if {
	h.id == tautology_hit.id
	delete == tautology_hit
}

# The length of the table name at the start of tok (tok's first character is a table start).
table_len(tok) := count(tok) if {
	regex.match(table_re, tok)
} else := n if {
	n := 1 + lib.prefix_len(substring(tok, 1, -1), table_char_re)
}

# What follows the table name of UPDATE [ONLY] <table> SET <x>; "only" is first taken as the
# keyword, then as the table name.
update_rest(t) := r if {
	startswith(t, "only ")
	r := update_table_rest(substring(t, 5, -1))
} else := r if {
	r := update_table_rest(t)
}

update_table_rest(a) := r if {
	not regex.match(prose_re, a)
	tok := split(a, " ")[0]
	regex.match(table_re, tok)
	r := substring(a, count(tok), -1)
	regex.match(`^ set \S`, r)
}

# "none" when the statement has no WHERE, "tautology" when its WHERE is always true; undefined
# when the predicate narrows the statement.
decide(stmt) := "none" if {
	not regex.match(`\bwhere\b`, stmt)
} else := "tautology" if {
	tautology(stmt)
}

dml_hit("none", rule, what) := dml(rule, what)

dml_hit("tautology", _, _) := tautology_hit

# ---- always-true predicates ----

# 1=1, 0=0 and 'x'='x' in the spacings a normalised text can have.
equal_literals(l) := [concat("", [l, "=", l]), concat("", [l, " =", l]), concat("", [l, "= ", l]), concat("", [l, " = ", l])]

one_literals := ["1=1", "1 =1", "1= 1", "1 = 1"]

zero_literals := ["0=0", "0 =0", "0= 0", "0 = 0"]

# The literals an always-true predicate can start with, given what follows WHERE or OR
# (the quoted form 'x'='x' only when v starts with a quote).
quoted_literals(v) := equal_literals(q) if {
	startswith(v, "'")
	w := split(v, "'")[1]
	regex.match(`^\w*$`, w)
	q := concat("", ["'", w, "'"])
} else := []

where_literals(v) := quoted_literals(v) if {
	startswith(v, "'")
} else := array.concat(array.concat(one_literals, zero_literals), ["true", "1"])

or_literals(v) := quoted_literals(v) if {
	startswith(v, "'")
} else := array.concat(one_literals, ["true"])

# WHERE [(] <always true> not followed by AND, a comparison, a digit, IN, IS, BETWEEN or LIKE.
tautology(stmt) if {
	contains(stmt, "where ")
	some w in lib.word_tails(stmt, "where ")
	v := strip_paren(w)
	regex.match(`^(?:[01]|true|')`, v)
	some l in where_literals(v)
	startswith(v, l)
	r := substring(v, count(l), -1)
	not narrowed(r)
}

# OR <always true> ending at a word boundary.
tautology(stmt) if {
	contains(stmt, "or ")
	some w in lib.word_tails(stmt, "or ")
	regex.match(`^(?:1|true|')`, w)
	some l in or_literals(w)
	startswith(w, l)
	word_boundary_after(l, substring(w, count(l), -1))
}

strip_paren(w) := v if {
	startswith(w, "( ")
	v := substring(w, 2, -1)
} else := v if {
	startswith(w, "(")
	v := substring(w, 1, -1)
} else := w

narrowed(r) if {
	startswith(r, " ")
	regex.match(`^ (?:and\b|[=<>!0-9]|in\b|is\b|between\b|like\b)`, r)
}

narrowed(r) if regex.match(`^(?:and\b|[=<>!0-9]|in\b|is\b|between\b|like\b)`, r)

# \b after the literal l (which ends in a word character unless it ends with a quote).
word_boundary_after(l, r) if {
	not endswith(l, "'")
	not lib.word_char(substring(r, 0, 1))
}

word_boundary_after(l, r) if {
	endswith(l, "'")
	lib.word_char(substring(r, 0, 1))
}

# Every rule of the family needs one of these substrings (a cheap gate before the rules).
gate if contains(lib.text, "drop ")

gate if contains(lib.text, "truncate ")

gate if contains(lib.text, "delete from ")

gate if contains(lib.text, "update ")

# The family's hits, in rule order; nothing to read when no gate stem occurs.
hits := [] if {
	not gate
} else := [h | some h in [drop, truncate, delete, update]; h != null]
