"""Real Kafka processes for module tests: KRaft brokers, MirrorMaker 2, ansible-playbook runs.

Nothing here is a mock.  Brokers and MirrorMaker 2 are started from the distribution tarball
(build/kafka/kafka_2.13-<version>.tgz, see ``make kafka-dist``) as child processes in their own
session, so a test can stop, pause (SIGSTOP) or kill exactly the processes it started.

* ``make_pki(dir, hosts)``: a throw-away CA and one PEM keystore per host (openssl), with the
  host's IP address as subjectAltName so clients keep ``ssl_check_hostname`` on.
* ``start_broker(...)``: one combined controller+broker node with a PLAINTEXT listener and a
  SASL_SSL (SCRAM-SHA-512) listener, small heap, SerialGC.
* ``start_mirror_maker(...)``: a dedicated MirrorMaker 2 (connect-mirror-maker.sh) for one flow.
* ``run_module(...)``: one module task in a real ``ansible-playbook`` subprocess (repository
  ansible.cfg), returning the registered result and asserting that no secret was printed.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 120
SECRET_OPTIONS = ("password", "sasl_password", "ssl_password")
# Low memory, quick start: these JVMs only serve a handful of test clients.
JVM_ENV = {"KAFKA_HEAP_OPTS": "-Xms64m -Xmx256m",
           "KAFKA_JVM_PERFORMANCE_OPTS": "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto "
                                         "-Djava.awt.headless=true"}


# --- the distribution -------------------------------------------------------------------------
def kafka_tarball() -> Path:
    text = (ROOT / "roles" / "kafka" / "defaults" / "main.yml").read_text()
    match = re.search(r'^kafka_version:\s*"?([^"\s]+)"?', text, re.M)
    version = match.group(1) if match else "4.1.1"
    return ROOT / "build" / "kafka" / f"kafka_2.13-{version}.tgz"


def require_distribution(*binaries: str) -> Path:
    """The tarball path, or skip the calling test/fixture with a message saying what is missing."""
    tarball = kafka_tarball()
    if not tarball.exists():
        pytest.skip(f"{tarball} missing: run `make kafka-dist`")
    for binary in ("java", "tar") + binaries:
        if not shutil.which(binary):
            pytest.skip(f"{binary} not found")
    return tarball


def extract_distribution(work: Path) -> Path:
    run(["tar", "-xzf", str(require_distribution()), "-C", str(work)])
    return next(p for p in work.iterdir() if p.name.startswith("kafka_") and p.is_dir())


def tool(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def run(cmd, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


# --- PKI --------------------------------------------------------------------------------------
def make_pki(pki: Path, hosts) -> Path:
    """A CA (``pki/ca.crt``) and, per host, ``pki/<host>-keystore.pem`` (PKCS#8 key + certificate).

    Each certificate has the host's IP address as subjectAltName and is valid for two days.
    Returns the CA file.
    """
    pki.mkdir(parents=True, exist_ok=True)
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=meridian-test-ca",
         "-keyout", pki / "ca.key", "-out", pki / "ca.crt"])
    for host in hosts:
        key, csr, crt, ext = (pki / f"{host}.{suffix}" for suffix in ("key", "csr", "crt", "ext"))
        # PKCS#8 key: what Kafka's PEM keystore expects.
        run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key])
        run(["openssl", "req", "-new", "-key", key, "-subj", f"/CN={host}", "-out", csr])
        ext.write_text(f"subjectAltName=IP:{host}\nextendedKeyUsage=serverAuth,clientAuth\n")
        run(["openssl", "x509", "-req", "-in", csr, "-CA", pki / "ca.crt", "-CAkey", pki / "ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", crt])
        (pki / f"{host}-keystore.pem").write_text(key.read_text() + crt.read_text())
    return pki / "ca.crt"


# --- processes --------------------------------------------------------------------------------
def stop_process(proc: subprocess.Popen | None, timeout: float = 30) -> None:
    """Stop a child started with start_new_session=True: its own process group, nothing else."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGCONT)   # a paused process cannot handle SIGTERM
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def log_tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"


@dataclass
class Broker:
    """One KRaft combined node with a PLAINTEXT and a SASL_SSL (SCRAM-SHA-512) listener."""
    name: str
    host: str
    plaintext_port: int
    secure_port: int
    ca_file: str
    admin_user: str
    admin_password: str
    workdir: Path
    log_file: Path
    proc: subprocess.Popen | None = None

    @property
    def plaintext(self) -> str:
        return f"{self.host}:{self.plaintext_port}"

    @property
    def secure(self) -> str:
        return f"{self.host}:{self.secure_port}"

    def connection(self, secure: bool = False) -> dict:
        """The modules' connection options for this broker."""
        if not secure:
            return {"bootstrap_servers": [self.plaintext], "security_protocol": "PLAINTEXT"}
        return {"bootstrap_servers": [self.secure], "security_protocol": "SASL_SSL", "ssl_cafile": self.ca_file,
                "sasl_mechanism": "SCRAM-SHA-512", "sasl_username": self.admin_user,
                "sasl_password": self.admin_password}

    def client_config(self, secure: bool = False, **extra) -> dict:
        """kafka-python keyword arguments for this broker."""
        if secure:
            config = dict(bootstrap_servers=[self.secure], security_protocol="SASL_SSL", ssl_cafile=self.ca_file,
                          sasl_mechanism="SCRAM-SHA-512", sasl_plain_username=self.admin_user,
                          sasl_plain_password=self.admin_password)
        else:
            config = dict(bootstrap_servers=[self.plaintext], security_protocol="PLAINTEXT")
        config.update(request_timeout_ms=10000)
        config.update(extra)
        return config

    def admin(self, secure: bool = False):
        from kafka import KafkaAdminClient
        return KafkaAdminClient(**self.client_config(secure))

    def log_tail(self, lines: int = 60) -> str:
        return log_tail(self.log_file, lines)


def _server_properties(broker: Broker, controller_port: int, keystore: Path, ca_file: Path) -> str:
    host = broker.host
    return textwrap.dedent(f"""\
        process.roles=broker,controller
        node.id=1
        controller.quorum.voters=1@{host}:{controller_port}
        listeners=PLAINTEXT://{host}:{broker.plaintext_port},SASL_SSL://{host}:{broker.secure_port},CONTROLLER://{host}:{controller_port}
        advertised.listeners=PLAINTEXT://{host}:{broker.plaintext_port},SASL_SSL://{host}:{broker.secure_port}
        controller.listener.names=CONTROLLER
        listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
        inter.broker.listener.name=PLAINTEXT
        sasl.enabled.mechanisms=SCRAM-SHA-512
        listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
        ssl.keystore.type=PEM
        ssl.keystore.location={keystore}
        ssl.truststore.type=PEM
        ssl.truststore.location={ca_file}
        log.dirs={broker.workdir / "data"}
        num.partitions=1
        default.replication.factor=1
        offsets.topic.replication.factor=1
        offsets.topic.num.partitions=3
        transaction.state.log.replication.factor=1
        transaction.state.log.min.isr=1
        group.initial.rebalance.delay.ms=0
        # The cleaner's default 128 MiB buffer did not fit the small heap once (OOM at start).
        log.cleaner.dedupe.buffer.size=16777216
        """)


def start_broker(kafka_home: Path, work: Path, name: str, host: str, pki: Path, admin_password: str,
                 admin_user: str = "admin") -> Broker:
    """Format and start one node (does not wait: call ``wait_for_broker``)."""
    workdir = work / name
    workdir.mkdir()
    broker = Broker(name=name, host=host, plaintext_port=free_port(host), secure_port=free_port(host),
                    ca_file=str(pki / "ca.crt"), admin_user=admin_user, admin_password=admin_password,
                    workdir=workdir, log_file=workdir / "broker.out")
    props = workdir / "server.properties"
    props.write_text(_server_properties(broker, free_port(host), pki / f"{host}-keystore.pem", pki / "ca.crt"))
    env = dict(os.environ, LOG_DIR=str(workdir / "logs"), **JVM_ENV)
    storage = kafka_home / "bin" / "kafka-storage.sh"
    cluster_id = "-"
    while cluster_id.startswith("-"):   # kafka-storage would read "-..." as an option
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    run([storage, "format", "-t", cluster_id, "-c", props,
         "--add-scram", f"SCRAM-SHA-512=[name={admin_user},password={admin_password}]"], env=env)
    with open(broker.log_file, "w") as out:
        broker.proc = subprocess.Popen([str(kafka_home / "bin" / "kafka-server-start.sh"), str(props)],
                                       stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    return broker


def wait_for_broker(broker: Broker, timeout: float = START_TIMEOUT) -> None:
    from kafka import KafkaAdminClient
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if broker.proc.poll() is not None:
            raise RuntimeError(f"broker {broker.name} exited with {broker.proc.returncode}:\n{broker.log_tail()}")
        try:
            with socket.create_connection((broker.host, broker.secure_port), timeout=1):
                pass
            client = KafkaAdminClient(**broker.client_config(secure=True, bootstrap_timeout_ms=3000))
            try:
                client.describe_cluster()
                return
            finally:
                client.close()
        except Exception as exc:  # not listening / not serving yet
            last = exc
            time.sleep(0.5)
    raise RuntimeError(f"broker {broker.name} not ready after {timeout}s ({last!r}):\n{broker.log_tail()}")


@dataclass
class MirrorMaker:
    """A dedicated MirrorMaker 2 process (its own session, so SIGSTOP/SIGCONT reach only it)."""
    properties: Path
    log_file: Path
    proc: subprocess.Popen

    def pause(self) -> None:
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.killpg(self.proc.pid, signal.SIGCONT)

    def stop(self) -> None:
        stop_process(self.proc)

    def log_tail(self, lines: int = 80) -> str:
        return log_tail(self.log_file, lines)


def mirror_maker_properties(source: Broker, target: Broker, source_alias: str, target_alias: str,
                            topics: str = ".*", **extra) -> str:
    """MM2 settings for one flow source->target: source over PLAINTEXT, target over SASL_SSL + SCRAM."""
    s, t = source_alias, target_alias
    jaas = ('org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";'
            % (target.admin_user, target.admin_password))
    settings = {
        "clusters": f"{s}, {t}",
        f"{s}.bootstrap.servers": source.plaintext,
        f"{t}.bootstrap.servers": target.secure,
        f"{t}.security.protocol": "SASL_SSL",
        f"{t}.ssl.truststore.type": "PEM",
        f"{t}.ssl.truststore.location": target.ca_file,
        f"{t}.sasl.mechanism": "SCRAM-SHA-512",
        f"{t}.sasl.jaas.config": jaas,
        f"{s}->{t}.enabled": "true",
        f"{s}->{t}.topics": topics,
        f"{t}->{s}.enabled": "false",
        f"{t}->{s}.emit.heartbeats.enabled": "false",
        "groups": ".*",
        "tasks.max": "1",
        "replication.factor": "1",
        "checkpoints.topic.replication.factor": "1",
        "heartbeats.topic.replication.factor": "1",
        "offset-syncs.topic.replication.factor": "1",
        "offset.storage.replication.factor": "1",
        "status.storage.replication.factor": "1",
        "config.storage.replication.factor": "1",
        "sync.topic.acls.enabled": "false",
        # The modules translate and commit group offsets themselves.
        "sync.group.offsets.enabled": "false",
        "sync.group.offsets.interval.seconds": "1",
        "emit.checkpoints.interval.seconds": "1",
        "emit.heartbeats.interval.seconds": "1",
        "refresh.topics.interval.seconds": "2",
        "refresh.groups.interval.seconds": "2",
        "offset.lag.max": "0",
        "offset.flush.interval.ms": "1000",
        "replication.policy.class": "org.apache.kafka.connect.mirror.DefaultReplicationPolicy",
    }
    settings.update(extra)
    return "".join(f"{key} = {value}\n" for key, value in settings.items())


def start_mirror_maker(kafka_home: Path, work: Path, properties: str, target_alias: str) -> MirrorMaker:
    mm_dir = work / "mm2"
    mm_dir.mkdir(exist_ok=True)
    props = mm_dir / "mm2.properties"
    props.write_text(properties)
    log_file = mm_dir / "mm2.out"
    env = dict(os.environ, LOG_DIR=str(mm_dir / "logs"), **JVM_ENV)
    with open(log_file, "w") as out:
        proc = subprocess.Popen([str(kafka_home / "bin" / "connect-mirror-maker.sh"), str(props),
                                 "--clusters", target_alias],
                                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    return MirrorMaker(properties=props, log_file=log_file, proc=proc)


def wait_for(predicate, timeout: float, interval: float = 0.5, what: str = "condition", details=None):
    """Poll ``predicate`` until it returns a truthy value (returned), or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception as exc:  # the thing waited for may not exist yet
            last, value = exc, None
        if value:
            return value
        time.sleep(interval)
    extra = details() if details else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last!r})\n{extra}")


# --- running modules --------------------------------------------------------------------------
@dataclass
class ModuleRun:
    result: dict
    output: str
    returncode: int


@dataclass
class ModuleRunner:
    """Runs one module task per ``ansible-playbook`` process; remembers every secret it saw."""
    workdir: Path
    secrets: set = field(default_factory=set)

    def __call__(self, module: str, args: dict, *flags: str, task_options: dict | None = None) -> ModuleRun:
        return run_module(self.workdir, module, args, *flags, secrets=self.secrets, task_options=task_options)


def _secrets_in(args) -> set:
    found = set()
    if isinstance(args, dict):
        for key, value in args.items():
            if key in SECRET_OPTIONS and isinstance(value, str) and value:
                found.add(value)
            else:
                found |= _secrets_in(value)
    elif isinstance(args, list):
        for value in args:
            found |= _secrets_in(value)
    return found


def run_module(workdir: Path, module: str, args: dict, *flags: str, secrets: set | None = None,
               task_options: dict | None = None) -> ModuleRun:
    """Run ``module`` with ``args`` in a one-task playbook; return its registered result.

    Argument values come from an extra-vars file, so no secret is in the playbook; every run
    asserts that no password (here or in ``secrets``) reached stdout or stderr.
    ``task_options`` are extra task keywords written as is (e.g. ``until``, ``retries``, ``delay``);
    the task registers ``result``.
    """
    secrets = secrets if secrets is not None else set()
    secrets |= _secrets_in(args)
    run_id = uuid.uuid4().hex[:8]
    vars_file = workdir / f"vars-{run_id}.json"
    vars_file.write_text(json.dumps({"margs": args, "ansible_python_interpreter": sys.executable}))
    task_args = "\n".join(f"        {key}: \"{{{{ margs['{key}'] }}}}\"" for key in args)
    playbook = workdir / f"play-{run_id}.yml"
    playbook.write_text(
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        "    - name: module under test\n"
        f"      {module}:\n{task_args}\n"
        "      register: result\n"
        + "".join(f"      {key}: {json.dumps(value)}\n" for key, value in (task_options or {}).items()) +
        "      ignore_errors: true\n"
        "    - name: show result\n"
        "      debug:\n"
        "        var: result\n")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    # tests/unit/conftest.py narrows inventory plugins for this process; -i localhost, needs host_list.
    for var in ("ANSIBLE_INVENTORY_ENABLED", "ANSIBLE_INVENTORY_PLUGINS"):
        env.pop(var, None)
    proc = subprocess.run([tool("ansible-playbook"), "-i", "localhost,", "-c", "local", "-e", f"@{vars_file}",
                           str(playbook), *flags], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = proc.stdout + proc.stderr
    leaked = [s for s in secrets if s in output]
    assert not leaked, f"a password appears in the output of {module}"
    try:
        start = 0 if proc.stdout.startswith("{") else proc.stdout.index("\n{") + 1
        report, _ = json.JSONDecoder().raw_decode(proc.stdout, start)
        tasks = report["plays"][0]["tasks"]
        result = next(t for t in tasks if t["task"]["name"] == "show result")["hosts"]["localhost"]["result"]
    except (ValueError, KeyError, IndexError, StopIteration) as exc:
        raise AssertionError(f"no result from ansible-playbook ({exc!r}), rc={proc.returncode}:\n{output[-4000:]}")
    assert proc.returncode == 0, output[-4000:]
    return ModuleRun(result, output, proc.returncode)


def ok(run: ModuleRun) -> dict:
    assert not run.result.get("failed"), run.result.get("msg") or run.output[-3000:]
    return run.result


def failed(run: ModuleRun) -> dict:
    assert run.result.get("failed"), f"expected a failure, got {json.dumps(run.result)[:3000]}"
    return run.result
