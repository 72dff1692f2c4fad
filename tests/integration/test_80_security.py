"""The lab is secure by default: SCRAM over TLS, ACLs, and bad security input rejected up front."""

import datetime
import json
import uuid

import labkit
import pytest
from kafka.errors import KafkaError, TopicAuthorizationFailedError

from test_30_layout_validation import assert_rejected_before_hosts

# Lab topologies this module needs (conftest.py).
LAB_TOPOLOGIES = ("single-region",)


def can_produce(bootstrap, topic, auth, timeout_s=20) -> bool | Exception:
    """True when a record is acknowledged; the exception when the cluster refuses."""
    from kafka import KafkaProducer
    try:
        # Idempotence off: without it a denied write surfaces as a topic error, not a cluster one.
        producer = KafkaProducer(bootstrap_servers=bootstrap.split(","), acks="all", enable_idempotence=False,
                                 bootstrap_timeout_ms=timeout_s * 1000, max_block_ms=timeout_s * 1000,
                                 request_timeout_ms=timeout_s * 1000,
                                 **auth)
    except (KafkaError, OSError, ValueError) as exc:
        return exc
    try:
        producer.send(topic, b"probe").get(timeout=timeout_s)
        return True
    except (KafkaError, OSError) as exc:
        return exc
    finally:
        producer.close(timeout=5)


def untrusted_ca(tmp_path):
    """A CA nobody in the lab trusts."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Impostor CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    path = tmp_path / "impostor-ca.crt"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


@pytest.fixture(scope="module")
def orders_topic(lab):
    topic = f"orders.{uuid.uuid4().hex[:8]}"
    labkit.create_topic(lab.single.bootstrap(), topic)
    return topic


def test_right_credentials_and_ca_produce_and_consume(lab, orders_topic):
    auth = labkit.client_auth("app-orders")
    assert can_produce(lab.single.bootstrap(), orders_topic, auth) is True
    records = labkit.consume_all(lab.single.bootstrap(), orders_topic, idle_timeout_s=5, auth=auth)
    assert any(r[3] == b"probe" for r in records)


# A refused client retries until its timeout (kafka-python: "Unable to bootstrap"). An accepted
# one, as in the test above, bootstraps and produces within a second here, so 3 s still tells
# them apart and keeps each refusal short (30 s each with the client's default).
REFUSAL_TIMEOUT_S = 3


def test_plaintext_client_is_refused(lab, orders_topic):
    result = can_produce(lab.single.bootstrap(), orders_topic, {}, timeout_s=REFUSAL_TIMEOUT_S)
    assert result is not True
    assert isinstance(result, KafkaError), repr(result)


def test_wrong_password_is_refused(lab, orders_topic):
    auth = labkit.client_auth("app-orders", password="not-the-password")
    result = can_produce(lab.single.bootstrap(), orders_topic, auth, timeout_s=REFUSAL_TIMEOUT_S)
    assert result is not True, "a wrong password was accepted"


def test_untrusted_ca_is_refused(lab, orders_topic, tmp_path):
    auth = labkit.client_auth("app-orders", ca_file=untrusted_ca(tmp_path))
    result = can_produce(lab.single.bootstrap(), orders_topic, auth, timeout_s=REFUSAL_TIMEOUT_S)
    assert result is not True, "a client that does not trust the lab CA got through"


def test_principal_without_acls_is_denied(lab, orders_topic):
    result = can_produce(lab.single.bootstrap(), orders_topic, labkit.client_auth("app-audit"))
    assert isinstance(result, TopicAuthorizationFailedError), repr(result)


def test_prefixed_acl_allows_only_its_topics(lab, orders_topic):
    other = f"probe.{uuid.uuid4().hex[:8]}"
    labkit.create_topic(lab.single.bootstrap(), other)
    auth = labkit.client_auth("app-orders")
    assert can_produce(lab.single.bootstrap(), orders_topic, auth) is True
    result = can_produce(lab.single.bootstrap(), other, auth)
    assert isinstance(result, TopicAuthorizationFailedError), repr(result)
    # ... while the principal that owns that prefix may write there.
    assert can_produce(lab.single.bootstrap(), other, labkit.client_auth("probe")) is True


def test_check_mode_reports_a_new_user_without_creating_it(lab, log_dir):
    extra = {"kafka_client_users": [{"name": "check-only", "password": "check-only-password-123",
                                     "acls": [{"resource_type": "topic", "resource_name": "check.",
                                               "pattern_type": "prefixed", "operations": ["read"]}]}]}
    run = labkit.run_playbook("playbooks/kafka_access.yml", "--check", "--diff", "-l", "cluster_single",
                              "-e", json.dumps(extra),
                              log=log_dir / "access-check-mode.log")
    assert run.returncode == 0, run.output[-3000:]
    assert run.changed >= 2, run.recap  # the user and its ACL
    result = can_produce(lab.single.bootstrap(), "check.x", labkit.client_auth("check-only", "check-only-password-123"),
                         timeout_s=10)
    assert result is not True, "check mode created the user"


@pytest.mark.parametrize("extra_vars, fragments", [
    ({"vault_kafka_sasl_admin_password": ""}, ["missing secrets", "kafka_sasl_admin_password", "Vault"]),
    ({"kafka_sasl_mechanism": "PLAIN"}, ["kafka_sasl_mechanism", "SCRAM-SHA-512", "PLAIN"]),
], ids=["missing-vault-secret", "unknown-sasl-mechanism"])
def test_bad_security_input_is_rejected_before_hosts(lab, log_dir, extra_vars, fragments):
    run = labkit.run_playbook("site.yml", "-e", json.dumps(extra_vars), log=log_dir / f"reject-{next(iter(extra_vars))}.log")
    assert_rejected_before_hosts(run, *fragments)
