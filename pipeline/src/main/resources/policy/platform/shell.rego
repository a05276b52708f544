# Hard-deny family: filesystem and device destruction (signal destructive_shell_command).
# Targets below the filesystem root (rm -rf ./build, rm -rf /tmp/x) do not fire.
package aegis.platform.shell

import data.aegis.platform.lib

# End of a shell word: an optional closing quote, then the end, a blank or a command separator.
end := `['"]?(?:$|[\s;&|)\x60])`

rm_root_re := concat("", [
	`\brm\s+(?:-{1,2}[a-z-]+\s+)*?(?:-[a-z]*r[a-z]*|--recursive)\b(?:\s+-{1,2}[a-z-]+)*`,
	`\s+(?:--\s+)?['"]?(?:/\*?|~/?\*?|\$home/?\*?|\$\{home\}/?`,
	`|/(?:bin|boot|dev|etc|home|lib|lib64|opt|root|sbin|srv|sys|usr|var)/?\*?)`,
	end,
])

mkfs_re := `\b(?:mkfs(?:\.[a-z0-9]+)?|mke2fs|mkswap)(?:\s+-{1,2}\S+(?:\s+[a-z0-9]+)?)*\s+/dev/\S`

# of=/dev/<name> where <name> starts with a letter and is not null, zero, stdout, stderr (as
# whole words) or fd/ (the Java rule's negative lookahead, spelt out positively).
dd_re := concat("", [
	`\bdd\s+(?:\S+\s+){0,8}?of=/dev/(?:[a-eg-mo-rt-y]`,
	`|n(?:$|[^u]|u(?:$|[^l]|l(?:$|[^l]|l\w)))`,
	`|z(?:$|[^e]|e(?:$|[^r]|r(?:$|[^o]|o\w)))`,
	`|s(?:$|[^t]|t(?:$|[^d]|d(?:$|[^oe]|o(?:$|[^u]|u(?:$|[^t]|t\w))|e(?:$|[^r]|r(?:$|[^r]|r\w)))))`,
	`|f(?:$|[^d]|d(?:$|[^/])))`,
])

fork_colon_re := `:\s*\(\s*\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:`

chmod_re := concat("", [`\bchmod\s+(?:-{1,2}[a-z-]+\s+)*0?777\s+(?:-{1,2}[a-z-]+\s+)*['"]?/\*?`, end])

device_re := concat("", [
	`>\s*/dev/(?:sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|disk\d)`,
	`|\b(?:shred|wipefs)\s+(?:-\S+\s+(?:\d+\s+)?)*/dev/[a-z]`,
])

shell_hit(rule, detail) := lib.hit(
	concat("", ["hard_deny.shell.", rule]),
	"destructive_shell_command", "critical", "deny",
	concat("", ["Destructive shell command: ", detail])
)

default rm_root := null

rm_root := shell_hit("rm_root", "rm -r on the filesystem root or a system directory") if {
	contains(lib.text, "rm ")
	regex.match(rm_root_re, lib.text)
}

default mkfs := null

mkfs := shell_hit("mkfs", "mkfs on a device") if {
	contains(lib.text, "mk")
	contains(lib.text, "/dev/")
	regex.match(mkfs_re, lib.text)
}

default dd := null

dd := shell_hit("dd_device", "dd writing to a block device") if {
	contains(lib.text, "of=/dev/")
	regex.match(dd_re, lib.text)
}

default fork_bomb := null

fork_bomb := shell_hit("fork_bomb", "fork bomb") if fork_bomb_found

fork_bomb_found if {
	contains(lib.text, "{")
	regex.match(fork_colon_re, lib.text)
}

# name() { name | name & }; name  (the Java rule's backreference \1, checked by extracting the
# name that follows each '{' and matching both sides with it).
fork_bomb_found if {
	contains(lib.text, "{")
	parts := split(lib.text, "{")
	some i in numbers.range(1, count(parts) - 1)
	after := parts[i]
	name := trim_space(split(after, "|")[0])
	regex.match(`^\w+$`, name)
	regex.match(concat("", [`^\s*`, name, `\s*\|\s*`, name, `\s*&\s*\}\s*;\s*`, name, `\b`]), after)
	regex.match(concat("", [`(?:^|\W)`, name, `\s*\(\s*\)\s*$`]), parts[i - 1])
}

default chmod_root := null

chmod_root := shell_hit("chmod_root", "chmod 777 on the filesystem root") if {
	contains(lib.text, "chmod")
	regex.match(chmod_re, lib.text)
}

default device := null

device := shell_hit("device_overwrite", "overwriting a block device") if {
	contains(lib.text, "/dev/")
	regex.match(device_re, lib.text)
}

default no_preserve_root := null

# Reported only when rm_root did not fire for the same command.
no_preserve_root := shell_hit("no_preserve_root", "--no-preserve-root") if {
	rm_root == null
	contains(lib.text, "--no-preserve-root")
}

# Every rule of the family needs one of these substrings (a cheap gate before the rules).
gate if contains(lib.text, "rm ")

gate if contains(lib.text, "/dev/")

gate if contains(lib.text, "{")

gate if contains(lib.text, "chmod")

gate if contains(lib.text, "--no-preserve-root")

# The family's hits, in rule order; nothing to read when no gate stem occurs.
hits := [] if {
	not gate
} else := [h | some h in [rm_root, mkfs, dd, fork_bomb, chmod_root, device, no_preserve_root]; h != null]
