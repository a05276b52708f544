# Hard-deny family: sensitive system and credential paths (system_sensitive_path,
# ssh_credential_path, cloud_credential_path). Plain substring rules.
package aegis.platform.paths

import data.aegis.platform.lib

system_paths := ["/etc/passwd", "/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/proc/self/environ"]

ssh_paths := ["~/.ssh", "/root/.ssh", "/.ssh/", "$home/.ssh", "id_rsa", "id_ed25519", "id_ecdsa", "id_dsa", "authorized_keys"]

cloud_paths := [".aws/credentials", ".aws/config", ".config/gcloud", ".azure/", ".kube/config", "application_default_credentials.json"]

mentions(paths) if {
	some p in paths
	contains(lib.text, p)
}

default system_file := null

system_file := lib.hit(
	"hard_deny.path.system_file", "system_sensitive_path", "critical", "deny",
	"Access to a sensitive system file (/etc/passwd, /etc/shadow ...)"
) if {
	some stem in ["/etc/", "/proc/"]
	contains(lib.text, stem)
	mentions(system_paths)
}

default ssh_credentials := null

ssh_credentials := lib.hit(
	"hard_deny.path.ssh_credentials", "ssh_credential_path", "critical", "deny",
	"Access to SSH credentials (~/.ssh, id_rsa ...)"
) if {
	some stem in [".ssh", "id_", "authorized_keys"]
	contains(lib.text, stem)
	mentions(ssh_paths)
}

default cloud_credentials := null

cloud_credentials := lib.hit(
	"hard_deny.path.cloud_credentials", "cloud_credential_path", "critical", "deny",
	"Access to cloud credentials (.aws, gcloud, .azure, .kube)"
) if {
	some stem in [".aws/", ".config/gcloud", ".azure/", ".kube/", "application_default_"]
	contains(lib.text, stem)
	mentions(cloud_paths)
}

# Every path of the family contains one of these substrings (a cheap gate before the rules).
gate if contains(lib.text, "/etc/")

gate if contains(lib.text, "/proc/")

gate if contains(lib.text, ".ssh")

gate if contains(lib.text, "id_")

gate if contains(lib.text, "authorized_keys")

gate if contains(lib.text, ".aws/")

gate if contains(lib.text, ".config/gcloud")

gate if contains(lib.text, ".azure/")

gate if contains(lib.text, ".kube/")

gate if contains(lib.text, "application_default_")

# The family's hits, in rule order; nothing to read when no gate stem occurs.
hits := [] if {
	not gate
} else := [h | some h in [system_file, ssh_credentials, cloud_credentials]; h != null]
