"""No vaulted secret leaks: not in any play output the tests captured, nor in logs or
files that a non-root user on a lab host could read. Runs last, after every other play."""

import labkit

# Scans whatever the other modules brought up (every host of the lab), so every host must run.
LAB_TOPOLOGIES = ()
LAB_USES_WHOLE_INVENTORY = True

SCANNED_DIRS = ["/etc", "/var/log", "/opt/kafka", "/var/lib/kafka", "/opt/mirror-maker", "/tmp", "/run/systemd",
                "/home"]
# The only places a secret may be: root-only files the roles write for the services and the tools.
ALLOWED = {"/etc/kafka/secrets.properties", "/etc/kafka/admin-client.properties",
           "/etc/mirror-maker/secrets.properties"}


def vault_secrets() -> dict:
    secrets = labkit.lab_secrets()
    flat = {k: v for k, v in secrets.items() if isinstance(v, str)}
    flat.update({f"client password of {k}": v for k, v in secrets["vault_kafka_client_passwords"].items()})
    assert len(flat) >= 6 and all(len(v) >= 16 for v in flat.values())
    return flat


def test_no_secret_in_captured_play_output(lab, log_dir):
    logs = sorted(log_dir.glob("*.log"))
    assert len(logs) >= 5, "too few captured runs to mean anything"
    for name, secret in vault_secrets().items():
        for log in logs:
            assert secret not in log.read_text(errors="replace"), f"{name} appears in {log}"


def test_no_secret_in_host_logs_or_readable_files(lab):
    secrets = vault_secrets()
    patterns = "\n".join(secrets.values())
    for host in (h for c in lab.clusters.values() for h in c.hosts):
        journal = labkit.podman("exec", host.container, "journalctl", "--no-pager", "-o", "cat", check=False).stdout
        for name, secret in secrets.items():
            assert secret not in journal, f"{name} appears in the journal of {host.name}"
        # Every file under the scanned trees that holds any secret, with its owner and mode.
        found = labkit.podman(
            "exec", "-i", host.container, "sh", "-c",
            "cat > /tmp/.scan-patterns && grep -rlF -f /tmp/.scan-patterns " + " ".join(SCANNED_DIRS)
            + " 2>/dev/null | grep -v '^/tmp/.scan-patterns$' | xargs -r stat -c '%n %U %a'; rm -f /tmp/.scan-patterns",
            check=False, input=patterns).stdout.split("\n")
        holders = {line.split()[0]: line.split()[1:] for line in found if line.strip()}
        assert set(holders) <= ALLOWED, f"{host.name}: secrets in {sorted(set(holders) - ALLOWED)}"
        for path, (owner, mode) in holders.items():
            assert owner == "root" and mode == "600", f"{host.name}: {path} is {owner} {mode}"
        if "broker" in host.roles:
            assert "/etc/kafka/secrets.properties" in holders, "scan found nothing: is it scanning at all?"
        if host.roles == ["mirror_maker"] and "mirror-maker" in labkit.podman(
                "exec", host.container, "ls", "/etc", check=False).stdout:
            assert "/etc/mirror-maker/secrets.properties" in holders, "scan found nothing on a worker"
