"""kafka_user and kafka_acl against a real SASL_SSL Kafka broker.

The modules run through real ``ansible-playbook`` subprocesses (cwd and ANSIBLE_CONFIG
point at the repository, so ansible.cfg finds plugins/modules, module_utils and
doc_fragments), and their effect is checked with independent kafka-python clients.

The ``secure_kafka`` fixture needs no lab: it starts one KRaft combined node from the
distribution tarball (build/kafka, see ``make kafka-dist``) on 127.8.0.1, with a CA and a
broker certificate made by openssl, SCRAM-SHA-512 over TLS and the StandardAuthorizer.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import textwrap
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kafka_fixtures import (START_TIMEOUT, extract_distribution, free_port, log_tail, make_pki, ok, require_distribution,
                            run, run_module, stop_process)

# No lab: a standalone broker of its own.
LAB_TOPOLOGIES = ()

HOST = "127.8.0.1"
ADMIN_USER = "admin"


# --- the broker -------------------------------------------------------------------------------
@dataclass
class SecureKafka:
    bootstrap: str
    ca_file: str
    admin_user: str
    admin_password: str
    workdir: Path
    log_file: Path
    secrets: set = field(default_factory=set)

    def module_args(self, **args) -> dict:
        """Connection options for the modules (as the admin user) plus ``args``."""
        merged = {
            "bootstrap_servers": [self.bootstrap],
            "security_protocol": "SASL_SSL",
            "ssl_cafile": self.ca_file,
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_username": self.admin_user,
            "sasl_password": self.admin_password,
        }
        merged.update(args)
        return merged

    def client_config(self, user: str, password: str, **extra) -> dict:
        """kafka-python settings for a client logging in as ``user``."""
        return dict(bootstrap_servers=[self.bootstrap], security_protocol="SASL_SSL", ssl_cafile=self.ca_file,
                    sasl_mechanism="SCRAM-SHA-512", sasl_plain_username=user, sasl_plain_password=password,
                    request_timeout_ms=10000, **extra)

    def admin(self):
        from kafka import KafkaAdminClient
        return KafkaAdminClient(**self.client_config(self.admin_user, self.admin_password))

    def log_tail(self, lines: int = 60) -> str:
        return log_tail(self.log_file, lines)


def _server_properties(work: Path, port: int, controller_port: int, admin_password: str) -> str:
    pki = work / "pki"
    return textwrap.dedent(f"""\
        process.roles=broker,controller
        node.id=1
        controller.quorum.voters=1@{HOST}:{controller_port}
        listeners=SASL_SSL://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}
        advertised.listeners=SASL_SSL://{HOST}:{port}
        controller.listener.names=CONTROLLER
        listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
        inter.broker.listener.name=SASL_SSL
        sasl.enabled.mechanisms=SCRAM-SHA-512
        sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
        listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="{ADMIN_USER}" password="{admin_password}";
        ssl.keystore.type=PEM
        ssl.keystore.location={pki / f"{HOST}-keystore.pem"}
        ssl.truststore.type=PEM
        ssl.truststore.location={pki / "ca.crt"}
        authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
        # The controller listener is PLAINTEXT (test only), so the broker registers with the
        # controller as User:ANONYMOUS; it needs CLUSTER_ACTION, hence the super user.
        super.users=User:{ADMIN_USER};User:ANONYMOUS
        log.dirs={work / "data"}
        num.partitions=1
        offsets.topic.replication.factor=1
        transaction.state.log.replication.factor=1
        transaction.state.log.min.isr=1
        group.initial.rebalance.delay.ms=0
        """)


def _wait_until_ready(kafka: SecureKafka, proc: subprocess.Popen) -> None:
    from kafka import KafkaAdminClient
    deadline = time.monotonic() + START_TIMEOUT
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"broker exited with {proc.returncode}:\n{kafka.log_tail()}")
        try:
            with socket.create_connection((HOST, int(kafka.bootstrap.rsplit(":", 1)[1])), timeout=1):
                pass
            client = KafkaAdminClient(**kafka.client_config(kafka.admin_user, kafka.admin_password,
                                                            bootstrap_timeout_ms=3000))
            try:
                client.describe_cluster()
                return
            finally:
                client.close()
        except Exception as exc:  # not listening / not yet serving
            last = exc
            time.sleep(1)
    raise RuntimeError(f"broker not ready after {START_TIMEOUT}s ({last!r}):\n{kafka.log_tail()}")


@pytest.fixture(scope="module")
def secure_kafka(tmp_path_factory):
    require_distribution("openssl")
    work = tmp_path_factory.mktemp("secure-kafka")
    kafka_home = extract_distribution(work)
    make_pki(work / "pki", [HOST])

    admin_password = "adm-" + uuid.uuid4().hex
    port, controller_port = free_port(HOST), free_port(HOST)
    props = work / "server.properties"
    props.write_text(_server_properties(work, port, controller_port, admin_password))
    env = dict(os.environ, KAFKA_HEAP_OPTS="-Xmx256m", LOG_DIR=str(work / "logs"))
    run([kafka_home / "bin" / "kafka-storage.sh", "format", "-t", run(
        [kafka_home / "bin" / "kafka-storage.sh", "random-uuid"], env=env).stdout.strip(), "-c", props,
        "--add-scram", f"SCRAM-SHA-512=[name={ADMIN_USER},password={admin_password}]"], env=env)

    log_file = work / "broker.out"
    kafka = SecureKafka(bootstrap=f"{HOST}:{port}", ca_file=str(work / "pki" / "ca.crt"), admin_user=ADMIN_USER,
                        admin_password=admin_password, workdir=work, log_file=log_file, secrets={admin_password})
    with open(log_file, "w") as out:
        # Own session: teardown signals exactly this broker's process group.
        proc = subprocess.Popen([kafka_home / "bin" / "kafka-server-start.sh", props], stdout=out,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        _wait_until_ready(kafka, proc)
        yield kafka
    finally:
        stop_process(proc)


# --- running the modules ----------------------------------------------------------------------
# kafka_fixtures.run_module greps every run's output for every password the broker has seen.
@pytest.fixture
def kafka_user(secure_kafka, tmp_path):
    def run_user(*flags, **args):
        return run_module(tmp_path, "kafka_user", secure_kafka.module_args(**args), *flags, secrets=secure_kafka.secrets)
    return run_user


@pytest.fixture
def kafka_acl(secure_kafka, tmp_path):
    def run_acl(*flags, **args):
        return run_module(tmp_path, "kafka_acl", secure_kafka.module_args(**args), *flags, secrets=secure_kafka.secrets)
    return run_acl


# --- independent checks with kafka-python -----------------------------------------------------
def can_log_in(kafka: SecureKafka, user: str, password: str) -> bool:
    """Whether a plain KafkaAdminClient can log in (it retries a refused login until its timeout)."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError
    try:
        client = KafkaAdminClient(**kafka.client_config(user, password, bootstrap_timeout_ms=4000))
    except KafkaError:
        return False
    client.close()
    return True


def stored_credentials(kafka: SecureKafka, user: str) -> dict:
    """{mechanism name: iterations} as the broker describes them."""
    client = kafka.admin()
    try:
        described = client.describe_user_scram_credentials()
    finally:
        client.close()
    return {info["mechanism"].name.replace("_", "-"): info["iterations"]
            for info in (described.get(user) or {}).get("credential_infos", [])}


def acls_of(kafka: SecureKafka, principal: str) -> set:
    from kafka.admin import (ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType,
                             ResourcePatternFilter, ResourceType)
    client = kafka.admin()
    try:
        acls, _ = client.describe_acls(ACLFilter(principal=principal, host=None, operation=ACLOperation.ANY,
                                                 permission_type=ACLPermissionType.ANY,
                                                 resource_pattern=ResourcePatternFilter(
                                                     ResourceType.ANY, None, ACLResourcePatternType.ANY)))
    finally:
        client.close()
    return {(a.resource_pattern.resource_type.name, a.resource_pattern.resource_name,
             a.resource_pattern.pattern_type.name, a.operation.name, a.permission_type.name, a.host) for a in acls}


def create_topics(kafka: SecureKafka, *names: str) -> None:
    from kafka.admin import NewTopic
    client = kafka.admin()
    try:
        client.create_topics([NewTopic(name, 1, 1) for name in names])
    finally:
        client.close()


def produce(kafka: SecureKafka, user: str, password: str, topic: str, value: bytes):
    from kafka import KafkaProducer
    # Not idempotent: a denied write then fails on the topic, not on InitProducerId.
    producer = KafkaProducer(**kafka.client_config(user, password, max_block_ms=10000, enable_idempotence=False))
    try:
        return producer.send(topic, value).get(timeout=15)
    finally:
        producer.close()


def consume_all(kafka: SecureKafka, user: str, password: str, topic: str) -> list:
    """Read a one-partition topic from the start without a consumer group (needs only topic READ)."""
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(**kafka.client_config(user, password, enable_auto_commit=False))
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        consumer.seek_to_beginning(partition)
        values, deadline = [], time.monotonic() + 15
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=1000).values():
                values.extend(r.value for r in records)
            if values and consumer.position(partition) >= consumer.end_offsets([partition])[partition]:
                break
        return values
    finally:
        consumer.close()


def new_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


# --- kafka_user -------------------------------------------------------------------------------
def test_user_create_then_rerun_is_unchanged(secure_kafka, kafka_user):
    user, password = new_name("alice"), "pw-" + uuid.uuid4().hex
    first = ok(kafka_user(name=user, password=password))
    assert (first["changed"], first["action"], first["user"], first["mechanism"]) == \
        (True, "created", user, "SCRAM-SHA-512")
    assert first["diff"]["before"]["exists"] is False
    assert first["diff"]["after"] == {"exists": True, "mechanism": "SCRAM-SHA-512", "iterations": 8192,
                                      "password": "set"}
    assert stored_credentials(secure_kafka, user) == {"SCRAM-SHA-512": 8192}
    assert can_log_in(secure_kafka, user, password)

    second = ok(kafka_user(name=user, password=password))
    assert (second["changed"], second["action"]) == (False, "none")
    assert second["diff"]["before"] == second["diff"]["after"]


def test_user_check_mode_changes_nothing(secure_kafka, kafka_user):
    user, old, new = new_name("bob"), "old-" + uuid.uuid4().hex, "new-" + uuid.uuid4().hex
    assert ok(kafka_user("--check", name=user, password=old))["action"] == "created"
    assert stored_credentials(secure_kafka, user) == {}

    ok(kafka_user(name=user, password=old))
    check = ok(kafka_user("--check", "--diff", name=user, password=new))
    assert (check["changed"], check["action"]) == (True, "updated")
    assert check["diff"]["before"]["password"] == "set" and check["diff"]["after"]["password"] == "changed"
    assert can_log_in(secure_kafka, user, old)
    assert not can_log_in(secure_kafka, user, new)


def test_user_password_change(secure_kafka, kafka_user):
    user, old, new = new_name("carol"), "old-" + uuid.uuid4().hex, "new-" + uuid.uuid4().hex
    ok(kafka_user(name=user, password=old))
    change = ok(kafka_user("--diff", name=user, password=new))
    assert (change["changed"], change["action"]) == (True, "updated")
    assert can_log_in(secure_kafka, user, new)
    assert not can_log_in(secure_kafka, user, old)
    assert ok(kafka_user(name=user, password=new))["changed"] is False


def test_user_iterations_and_update_password_on_create(secure_kafka, kafka_user):
    user, password = new_name("dave"), "pw-" + uuid.uuid4().hex
    ok(kafka_user(name=user, password=password, iterations=4096))
    assert stored_credentials(secure_kafka, user) == {"SCRAM-SHA-512": 4096}
    # Right password, other iteration count: rewritten.
    rewrite = ok(kafka_user(name=user, password=password, iterations=8192))
    assert (rewrite["action"], rewrite["diff"]["before"]["iterations"], rewrite["diff"]["after"]["iterations"]) == \
        ("updated", 4096, 8192)
    assert stored_credentials(secure_kafka, user) == {"SCRAM-SHA-512": 8192}
    # on_create never touches an existing credential, even with another password.
    keep = ok(kafka_user(name=user, password="other-" + uuid.uuid4().hex, update_password="on_create"))
    assert (keep["changed"], keep["action"]) == (False, "none")
    assert can_log_in(secure_kafka, user, password)


def test_users_list_sets_changes_and_deletes_several_users_in_one_run(secure_kafka, kafka_user):
    a, b = new_name("frank"), new_name("grace")
    pa, pb, pb2 = ("pw-" + uuid.uuid4().hex for _ in range(3))
    first = ok(kafka_user("--diff", users=[{"name": a, "password": pa},
                                          {"name": b, "password": pb, "iterations": 4096}], iterations=16384))
    assert first["changed"] is True
    assert first["users"] == [{"user": a, "mechanism": "SCRAM-SHA-512", "action": "created"},
                              {"user": b, "mechanism": "SCRAM-SHA-512", "action": "created"}]
    assert first["diff"]["after"][f"{b}/SCRAM-SHA-512"]["iterations"] == 4096
    # an item's own option wins over the top-level one
    assert stored_credentials(secure_kafka, a) == {"SCRAM-SHA-512": 16384}
    assert stored_credentials(secure_kafka, b) == {"SCRAM-SHA-512": 4096}
    assert can_log_in(secure_kafka, a, pa)

    again = ok(kafka_user(users=[{"name": a, "password": pa}, {"name": b, "password": pb, "iterations": 4096}],
                          iterations=16384))
    assert again["changed"] is False and {u["action"] for u in again["users"]} == {"none"}

    # One run: b's password changes and a goes; check mode first changes nothing.
    items = [{"name": a, "state": "absent"}, {"name": b, "password": pb2, "iterations": 4096}]
    check = ok(kafka_user("--check", users=items))
    assert [u["action"] for u in check["users"]] == ["deleted", "updated"]
    assert stored_credentials(secure_kafka, a) == {"SCRAM-SHA-512": 16384}
    done = ok(kafka_user(users=items))
    assert [u["action"] for u in done["users"]] == ["deleted", "updated"]
    assert stored_credentials(secure_kafka, a) == {}
    assert not can_log_in(secure_kafka, b, pb)
    assert can_log_in(secure_kafka, b, pb2)


def test_user_delete(secure_kafka, kafka_user):
    user, password = new_name("erin"), "pw-" + uuid.uuid4().hex
    ok(kafka_user(name=user, password=password))
    check = ok(kafka_user("--check", name=user, state="absent"))
    assert (check["changed"], check["action"]) == (True, "deleted")
    assert can_log_in(secure_kafka, user, password)

    gone = ok(kafka_user("--diff", name=user, state="absent"))
    assert (gone["changed"], gone["action"]) == (True, "deleted")
    assert gone["diff"]["after"]["exists"] is False
    assert stored_credentials(secure_kafka, user) == {}
    assert not can_log_in(secure_kafka, user, password)
    assert ok(kafka_user(name=user, state="absent"))["action"] == "none"


def test_wrong_password_is_refused(secure_kafka, kafka_user):
    user, password = new_name("frank"), "pw-" + uuid.uuid4().hex
    ok(kafka_user(name=user, password=password))
    assert not can_log_in(secure_kafka, user, "not-" + password)

    wrong_admin = "wrong-" + uuid.uuid4().hex
    failed = kafka_user(name=user, password=password, sasl_password=wrong_admin).result
    assert failed["failed"] is True
    assert "Authentication to Kafka" in failed["msg"] and secure_kafka.bootstrap in failed["msg"]
    assert "check sasl_username/sasl_password" in failed["msg"]
    assert can_log_in(secure_kafka, user, password)


def test_module_output_never_contains_the_password(secure_kafka, kafka_user):
    user, old, new = new_name("grace"), "old-" + uuid.uuid4().hex, "new-" + uuid.uuid4().hex
    # run_module greps stdout+stderr of every run for every password it was given;
    # here with maximum verbosity, diff, and a failing run.
    for flags, args in [(("-vvv", "--diff"), dict(password=old)),
                        (("-vvv", "--diff"), dict(password=new)),
                        (("-vvv",), dict(password=new, iterations=10)),
                        (("-vvv", "--diff"), dict(state="absent"))]:
        run = kafka_user(*flags, name=user, **args)
        for secret in (old, new, secure_kafka.admin_password):
            assert secret not in run.output
            assert secret not in json.dumps(run.result)


# --- kafka_acl --------------------------------------------------------------------------------
def test_acl_present_idempotent_check_absent_with_real_clients(secure_kafka, kafka_user, kafka_acl):
    user, password = new_name("alice"), "pw-" + uuid.uuid4().hex
    prefix = new_name("orders") + "."
    allowed_topic, other_topic = prefix + "created", new_name("other")
    ok(kafka_user(name=user, password=password))
    create_topics(secure_kafka, allowed_topic, other_topic)
    principal = f"User:{user}"
    acl = dict(principal=principal, resource_type="topic", resource_name=prefix, pattern_type="prefixed",
               operations=["read", "write", "describe"])
    expected = {("TOPIC", prefix, "PREFIXED", op, "ALLOW", "*") for op in ("READ", "WRITE", "DESCRIBE")}

    check = ok(kafka_acl("--check", "--diff", **acl))
    assert check["changed"] is True and len(check["acls_added"]) == 3
    assert check["diff"]["before"] == [] and len(check["diff"]["after"]) == 3
    assert acls_of(secure_kafka, principal) == set()

    added = ok(kafka_acl(**acl))
    assert added["changed"] is True and added["acls_removed"] == []
    assert {b["operation"] for b in added["acls_added"]} == {"read", "write", "describe"}
    assert all(b["pattern_type"] == "prefixed" and b["resource_name"] == prefix for b in added["acls_added"])
    assert acls_of(secure_kafka, principal) == expected

    again = ok(kafka_acl(**acl))
    assert (again["changed"], again["acls_added"], again["acls_removed"]) == (False, [], [])

    # A real client: allowed under the prefix, denied elsewhere.
    meta = produce(secure_kafka, user, password, allowed_topic, b"hello")
    assert meta.topic == allowed_topic
    assert consume_all(secure_kafka, user, password, allowed_topic) == [b"hello"]
    from kafka.errors import TopicAuthorizationFailedError
    with pytest.raises(TopicAuthorizationFailedError):
        produce(secure_kafka, user, password, other_topic, b"nope")

    # Remove WRITE only: check mode first, then for real.
    write_only = dict(acl, operations=["write"], state="absent")
    check = ok(kafka_acl("--check", **write_only))
    assert check["changed"] is True and [b["operation"] for b in check["acls_removed"]] == ["write"]
    assert acls_of(secure_kafka, principal) == expected

    removed = ok(kafka_acl("--diff", **write_only))
    assert [b["operation"] for b in removed["acls_removed"]] == ["write"]
    assert {b["operation"] for b in removed["diff"]["after"]} == {"read", "describe"}
    assert acls_of(secure_kafka, principal) == expected - {("TOPIC", prefix, "PREFIXED", "WRITE", "ALLOW", "*")}
    assert ok(kafka_acl(**write_only))["changed"] is False
    with pytest.raises(TopicAuthorizationFailedError):
        produce(secure_kafka, user, password, allowed_topic, b"no longer")

    gone = ok(kafka_acl(**dict(acl, state="absent")))
    assert {b["operation"] for b in gone["acls_removed"]} == {"read", "describe"}
    assert acls_of(secure_kafka, principal) == set()


def test_acl_cluster_and_deny_bindings(secure_kafka, kafka_acl):
    principal = f"User:{new_name('henry')}"
    cluster = dict(principal=principal, resource_type="cluster", resource_name="kafka-cluster",
                   operations=["idempotent_write", "describe"])
    assert ok(kafka_acl(**cluster))["changed"] is True
    deny = dict(principal=principal, resource_type="group", resource_name="*", operations=["read"],
                permission="deny", host="10.9.8.7")
    assert ok(kafka_acl(**deny))["changed"] is True
    assert acls_of(secure_kafka, principal) == {
        ("CLUSTER", "kafka-cluster", "LITERAL", "IDEMPOTENT_WRITE", "ALLOW", "*"),
        ("CLUSTER", "kafka-cluster", "LITERAL", "DESCRIBE", "ALLOW", "*"),
        ("GROUP", "*", "LITERAL", "READ", "DENY", "10.9.8.7"),
    }
    assert ok(kafka_acl(**cluster))["changed"] is False
    assert ok(kafka_acl(**dict(cluster, state="absent")))["changed"] is True
    assert ok(kafka_acl(**dict(deny, state="absent")))["changed"] is True
    assert acls_of(secure_kafka, principal) == set()


def test_acls_list_applies_every_set_in_one_run(secure_kafka, kafka_acl):
    principal = f"User:{new_name('ivy')}"
    prefix = new_name("payments") + "."
    items = [dict(principal=principal, resource_type="topic", resource_name=prefix, pattern_type="prefixed",
                  operations=["read", "write"]),
             dict(principal=principal, resource_type="group", resource_name=prefix, pattern_type="prefixed",
                  operations=["read"]),
             dict(principal=principal, resource_type="cluster", resource_name="kafka-cluster",
                  operations=["idempotent_write"])]
    expected = {("TOPIC", prefix, "PREFIXED", "READ", "ALLOW", "*"), ("TOPIC", prefix, "PREFIXED", "WRITE", "ALLOW", "*"),
                ("GROUP", prefix, "PREFIXED", "READ", "ALLOW", "*"),
                ("CLUSTER", "kafka-cluster", "LITERAL", "IDEMPOTENT_WRITE", "ALLOW", "*")}

    check = ok(kafka_acl("--check", "--diff", acls=items))
    assert check["changed"] is True and len(check["acls_added"]) == 4 and len(check["diff"]["after"]) == 4
    assert acls_of(secure_kafka, principal) == set()

    added = ok(kafka_acl(acls=items))
    assert added["changed"] is True and len(added["acls_added"]) == 4
    assert acls_of(secure_kafka, principal) == expected
    again = ok(kafka_acl(acls=items))
    assert (again["changed"], again["acls_added"], again["acls_removed"]) == (False, [], [])

    # One item removed, the others kept; the top-level state is every item's default.
    removed = ok(kafka_acl(acls=[dict(items[0], operations=["write"]), items[1]], state="absent"))
    assert sorted((b["resource_type"], b["operation"]) for b in removed["acls_removed"]) == [("group", "read"), ("topic", "write")]
    assert acls_of(secure_kafka, principal) == {("TOPIC", prefix, "PREFIXED", "READ", "ALLOW", "*"),
                                                 ("CLUSTER", "kafka-cluster", "LITERAL", "IDEMPOTENT_WRITE", "ALLOW", "*")}
    ok(kafka_acl(acls=items, state="absent"))
    assert acls_of(secure_kafka, principal) == set()

    failed = kafka_acl(acls=[items[0], dict(items[1], operations=["write"])]).result
    assert failed["failed"] is True and "acls[1]" in failed["msg"] and "write not valid for resource_type=group" in failed["msg"]


@pytest.mark.parametrize("args, message", [
    (dict(resource_type="group", resource_name="g", operations=["write"]), "write not valid for resource_type=group"),
    (dict(resource_type="cluster", resource_name="my-cluster", operations=["alter"]), "must be 'kafka-cluster'"),
    (dict(resource_type="topic", resource_name="t", operations=["read"], host="client.example.net"),
     'host must be "*" or an IP address'),
])
def test_acl_bad_input_fails_with_a_clear_message(secure_kafka, kafka_acl, args, message):
    failed = kafka_acl(principal="User:nobody", **args).result
    assert failed["failed"] is True and message in failed["msg"]
