"""Shared helpers for the lab: read the inventory, talk to its clusters, run playbooks.

Used by lab/smoke.py, the integration tests and the benchmarks, so they all see the lab the
same way the playbooks do (through `ansible-inventory` and the meridian_terraform plugin).
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
BROKER_PORT = 9092
LAB_VAULT = ROOT / "inventories" / "lab" / "group_vars" / "all" / "vault.yml"
LAB_VAULT_PASSWORD = ROOT / "inventories" / "lab" / "vault-password.lab-only.txt"
# The estate's trust bundle (roles/kafka_pki). The single-region cluster has a CA of its own
# (inventories/lab/group_vars/cluster_single.yml) so that replacing it touches no other cluster.
LAB_CA = ROOT / "build" / "pki" / "ca-bundle.crt"
SINGLE_CA = ROOT / "build" / "pki-single" / "ca-bundle.crt"
LAB_TRUST = ROOT / "build" / "lab-trust.pem"


def lab_trust() -> Path:
    """One file trusting every lab CA, rebuilt on each call (a CA may have been replaced)."""
    bundles = [LAB_CA, SINGLE_CA]
    LAB_TRUST.write_text("".join(b.read_text() for b in bundles if b.exists()))
    return LAB_TRUST


def tool(name: str) -> str:
    """Path of a console script from the project's virtualenv (falls back to PATH)."""
    candidate = VENV_BIN / name
    return str(candidate) if candidate.exists() else name


def lab_env(**extra: str) -> dict:
    env = dict(os.environ)
    env.setdefault("CONTAINERS_CONF", str(ROOT / "lab" / "containers.conf"))
    env.setdefault("TF_CLI_CONFIG_FILE", str(ROOT / "lab" / "terraformrc"))
    env.setdefault("ANSIBLE_CONFIG", str(ROOT / "ansible.cfg"))
    env.setdefault("ANSIBLE_VAULT_PASSWORD_FILE", str(LAB_VAULT_PASSWORD))
    env["PATH"] = f"{VENV_BIN}:{env.get('PATH', '')}"
    env.update(extra)
    return env


# --- inventory ------------------------------------------------------------------------------
@dataclass
class Host:
    name: str
    address: str
    cluster: str
    roles: list
    region: str
    zone: str
    node_id: int | None
    container: str


@dataclass
class Cluster:
    name: str
    topology: str
    hosts: list = field(default_factory=list)

    @property
    def brokers(self) -> list:
        return [h for h in self.hosts if "broker" in h.roles]

    @property
    def controllers(self) -> list:
        return [h for h in self.hosts if "controller" in h.roles]

    @property
    def regions(self) -> list:
        return sorted({h.region for h in self.hosts})

    def bootstrap(self, exclude_regions=()) -> str:
        return ",".join(f"{h.address}:{BROKER_PORT}" for h in self.brokers if h.region not in exclude_regions)

    def broker_region(self, node_id: int) -> str:
        return next(h.region for h in self.brokers if h.node_id == node_id)


def _plain(value):
    """Strip ansible-core's {"__ansible_unsafe": ...} wrappers from `ansible-inventory --list` output."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def read_inventory(inventory: str | Path = ROOT / "inventories" / "lab") -> dict:
    """Clusters by name, from `ansible-inventory --list` on the given inventory."""
    out = subprocess.run([tool("ansible-inventory"), "-i", str(inventory), "--list"], cwd=ROOT,
                         env=lab_env(), check=True, capture_output=True, text=True).stdout
    data = _plain(json.loads(out))
    clusters: dict[str, Cluster] = {}
    for name, hv in sorted(data.get("_meta", {}).get("hostvars", {}).items()):
        if "meridian_cluster" not in hv:
            continue
        cluster = clusters.setdefault(hv["meridian_cluster"], Cluster(hv["meridian_cluster"], hv.get("meridian_topology", "")))
        cluster.hosts.append(Host(name, hv["meridian_address"], hv["meridian_cluster"], hv["meridian_roles"],
                                  hv["meridian_region"], hv["meridian_zone"], hv.get("meridian_node_id"),
                                  hv.get("ansible_host", name)))
    return clusters


# --- playbooks ------------------------------------------------------------------------------
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


@dataclass
class PlaybookRun:
    returncode: int
    output: str
    seconds: float

    @property
    def recap(self) -> dict:
        """host -> {'ok','changed','unreachable','failed'} from the PLAY RECAP."""
        return {m[1]: dict(ok=int(m[2]), changed=int(m[3]), unreachable=int(m[4]), failed=int(m[5]))
                for m in RECAP.finditer(self.output)}

    @property
    def changed(self) -> int:
        return sum(r["changed"] for r in self.recap.values())


def run_playbook(playbook: str, *args: str, inventory: str | Path | None = None, log: Path | None = None) -> PlaybookRun:
    cmd = [tool("ansible-playbook"), playbook, *args]
    if inventory:
        cmd[1:1] = ["-i", str(inventory)]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=lab_env(ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1"),
                          capture_output=True, text=True)
    run = PlaybookRun(proc.returncode, proc.stdout + proc.stderr, time.monotonic() - start)
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(f"$ {' '.join(cmd)}\n{run.output}")
    return run


def module_connection(bootstrap: str, user: str = "admin") -> dict:
    """The shared connection options of Meridian's Kafka modules, for a lab cluster."""
    auth = client_auth(user)
    return {"bootstrap_servers": bootstrap.split(","), "security_protocol": "SASL_SSL", "ssl_cafile": auth["ssl_cafile"],
            "sasl_mechanism": "SCRAM-SHA-512", "sasl_username": user, "sasl_password": auth["sasl_plain_password"]}


def region_side(cluster) -> list:
    """(cgroup, region range) of every container of a lab cluster: one side of a partition
    (see plugins/module_utils/lab_faults.py)."""
    import sys
    sys.path.insert(0, str(ROOT / "plugins" / "module_utils"))
    import lab_faults
    side = []
    for host in cluster.hosts:
        pid = int(podman("inspect", "-f", "{{.State.Pid}}", host.container).stdout.strip())
        side.append((lab_faults.container_cgroup(pid), host.address.rsplit(".", 2)[0] + ".0.0/16"))
    return side


def podman(*args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["podman", *args], env=lab_env(), check=check, capture_output=True, text=True, input=input)


# --- Kafka clients --------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def lab_secrets() -> dict:
    """The lab's vaulted secrets (decrypted with the public lab-only vault password)."""
    import yaml
    out = subprocess.run([tool("ansible-vault"), "view", "--vault-password-file", str(LAB_VAULT_PASSWORD), str(LAB_VAULT)],
                         env=lab_env(), check=True, capture_output=True, text=True).stdout
    return yaml.safe_load(out)


def client_auth(user: str = "admin", password: str | None = None, ca_file: Path | str | None = None) -> dict:
    """kafka-python settings for SCRAM over TLS as `user` (the lab's admin by default).

    Trusts every lab CA unless ``ca_file`` says otherwise.
    """
    if ca_file is None:
        ca_file = lab_trust()
    if password is None:
        secrets = lab_secrets()
        password = (secrets["vault_kafka_sasl_admin_password"] if user == "admin"
                    else secrets["vault_kafka_client_passwords"][user])
    return {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": user, "sasl_plain_password": password,
            "ssl_cafile": str(ca_file), "ssl_check_hostname": True}


def _auth(auth):
    """None means the lab admin; pass {} for a plaintext cluster."""
    return client_auth() if auth is None else auth


def admin(bootstrap: str, auth: dict | None = None):
    from kafka import KafkaAdminClient
    return KafkaAdminClient(bootstrap_servers=bootstrap.split(","), request_timeout_ms=30000,
                            client_id="meridian-lab", **_auth(auth))


def create_topic(bootstrap: str, name: str, partitions: int = -1, replication_factor: int = -1,
                 auth: dict | None = None) -> None:
    """Create a topic; -1 keeps the brokers' defaults (the placement Meridian configures)."""
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError
    client = admin(bootstrap, auth)
    try:
        client.create_topics([NewTopic(name, partitions, replication_factor)], timeout_ms=30000)
    except TopicAlreadyExistsError:
        pass
    finally:
        client.close()


def list_topics(bootstrap: str, auth: dict | None = None) -> set:
    client = admin(bootstrap, auth)
    try:
        return set(client.list_topics())
    finally:
        client.close()


def topic_replicas(bootstrap: str, name: str) -> dict:
    """partition -> list of replica broker ids."""
    client = admin(bootstrap)
    try:
        (topic,) = client.describe_topics([name])
        return {p["partition_index"]: list(p["replica_nodes"]) for p in topic["partitions"]}
    finally:
        client.close()


class AckedProducer:
    """Sends keyed, sequence-numbered records with acks=all and remembers which were acknowledged.

    Only acknowledged records count: a record whose send failed was never promised to anyone.
    """

    def __init__(self, bootstrap: str, topic: str, client_id: str = "meridian-probe", auth: dict | None = None):
        from kafka import KafkaProducer
        self.topic = topic
        self.producer = KafkaProducer(**_auth(auth),
            bootstrap_servers=bootstrap.split(","), acks="all", client_id=client_id,
            enable_idempotence=True, retries=2**31 - 1, delivery_timeout_ms=120000,
            request_timeout_ms=15000, linger_ms=5, metadata_max_age_ms=5000,
            reconnect_backoff_max_ms=2000)
        self.acked: dict[int, tuple] = {}  # seq -> (partition, offset)
        self.failed: list[tuple] = []
        self._lock = threading.Lock()

    def send(self, seq: int, value: bytes | None = None):
        key = f"key-{seq % 97}".encode()
        value = value if value is not None else f"seq-{seq}".encode()
        future = self.producer.send(self.topic, key=key, value=value, headers=[("seq", str(seq).encode())])
        future.add_callback(self._on_ack, seq).add_errback(self._on_error, seq)
        return future

    def _on_ack(self, seq, metadata):
        with self._lock:
            self.acked[seq] = (metadata.partition, metadata.offset)

    def _on_error(self, seq, exc):
        with self._lock:
            self.failed.append((seq, repr(exc)))

    def send_many(self, start: int, count: int) -> None:
        for seq in range(start, start + count):
            self.send(seq)
        self.producer.flush(timeout=180)

    def close(self):
        self.producer.flush(timeout=180)
        self.producer.close(timeout=30)


class BackgroundLoad(threading.Thread):
    """Produces at a steady rate until stopped; used while nodes restart or regions fail."""

    def __init__(self, producer: AckedProducer, rate_per_s: int = 200, start_seq: int = 0):
        super().__init__(daemon=True)
        self.producer, self.rate, self.next_seq = producer, rate_per_s, start_seq
        self._stop_event = threading.Event()

    def run(self):
        interval = 1.0 / self.rate
        while not self._stop_event.is_set():
            self.producer.send(self.next_seq)
            self.next_seq += 1
            time.sleep(interval)

    def stop(self):
        self._stop_event.set()
        self.join(timeout=30)
        self.producer.producer.flush(timeout=180)


def run_playbook_under_load(bootstrap: str, topic: str, playbook: str, *args: str, log: Path | None = None,
                           rate_per_s: int = 50, auth: dict | None = None) -> tuple:
    """Run a playbook while a producer writes to `topic` with acks=all; returns (run, producer).

    50 records/s is a request every 20 ms, so every restart meets many in flight. At 200/s the
    load (one TLS request per record, copied to two followers) took most of a core and made the
    CA replacement on two shared cores twice as slow (574 s against 284 s unloaded)."""
    producer = AckedProducer(bootstrap, topic, auth=auth)
    load = BackgroundLoad(producer, rate_per_s=rate_per_s)
    load.start()
    time.sleep(3)  # load is flowing before the first node is touched
    run = run_playbook(playbook, *args, log=log)
    time.sleep(3)  # and still flowing after the last one is back
    load.stop()
    producer.close()
    return run, producer


def consume_all(bootstrap: str, topic: str, idle_timeout_s: float = 15.0, max_wait_s: float = 300.0,
                auth: dict | None = None) -> list:
    """Every record of the topic from the beginning, as (partition, offset, key, value, headers)."""
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(**_auth(auth), bootstrap_servers=bootstrap.split(","), enable_auto_commit=False,
                             auto_offset_reset="earliest", client_id="meridian-verifier",
                             consumer_timeout_ms=int(idle_timeout_s * 1000), request_timeout_ms=30000,
                             metadata_max_age_ms=5000, isolation_level="read_committed")
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        end = consumer.end_offsets(tps)
        records, deadline = [], time.monotonic() + max_wait_s
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=1000, max_records=5000)
            for recs in batch.values():
                records.extend((r.partition, r.offset, r.key, r.value, dict(r.headers)) for r in recs)
            if all(consumer.position(tp) >= end[tp] for tp in tps):
                break
        return records
    finally:
        consumer.close()


def seqs_of(records) -> list:
    return [int(r[4]["seq"]) for r in records if "seq" in r[4]]


def broker_config(bootstrap: str, node_id: int) -> dict:
    """Effective configuration of one broker: name -> value."""
    from kafka.admin import ConfigResource, ConfigResourceType
    client = admin(bootstrap)
    try:
        result = client.describe_configs([ConfigResource(ConfigResourceType.BROKER, str(node_id))], config_filter="all")
    finally:
        client.close()
    return {name: entry["value"] for name, entry in result["broker"][str(node_id)].items()}


def wait_until(predicate, timeout_s: float, interval_s: float = 2.0, what: str = "condition"):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as exc:  # noqa: BLE001 - clusters refuse requests while they recover
            last = exc
        time.sleep(interval_s)
    raise TimeoutError(f"{what} not reached within {timeout_s}s (last: {last!r})")


def _fully_replicated(client) -> bool:
    return all(len(p["isr_nodes"]) == len(p["replica_nodes"]) for t in client.describe_topics() for p in t["partitions"])


def serving(bootstrap: str, brokers: int) -> bool:
    """Every one of the cluster's brokers registered and unfenced, and no partition under-replicated."""
    client = admin(bootstrap)
    try:
        unfenced = [b for b in client.describe_cluster()["brokers"] if not b.get("is_fenced")]
        return len(unfenced) >= brokers and _fully_replicated(client)
    finally:
        client.close()


def healthy(bootstrap: str) -> bool:
    """No under-replicated partition anywhere in the cluster."""
    client = admin(bootstrap)
    try:
        return _fully_replicated(client)
    finally:
        client.close()
