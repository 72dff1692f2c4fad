"""Rotating certificates under load fails no acks=all produce request.

Two rotations, each on the single-region cluster only (it has a PKI directory of its own,
build/pki-single, so no other lab cluster shares its CA):
  * node certificates re-issued from the same CA (playbooks/rotate_certificates.yml);
  * the CA itself replaced (playbooks/rotate_ca.yml: trust both, re-issue, retire the old one).
The producer trusts the cluster's bundle file, re-read on every new connection: that is how
the lab "gives clients the bundle" between the trust and re-issue steps.
"""

import uuid

import labkit
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from test_80_security import can_produce

# Lab topologies this module needs (conftest.py): the rotations run on single only, and stretched
# shows that another cluster's trust was left alone. It runs before the replication modules, so
# that their MirrorMaker workers are never frozen and thawed between two of them.
LAB_TOPOLOGIES = ("stretched", "single-region")


def installed_certs(host, path) -> list:
    out = labkit.podman("exec", host.container, "cat", path).stdout
    return x509.load_pem_x509_certificates(out.encode())


def node_cert(host):
    return installed_certs(host, "/etc/kafka/tls/keystore.pem")[0]


def fingerprints(certs) -> list:
    return [c.fingerprint(hashes.SHA256()).hex() for c in certs]


def rotate_under_load(cluster, playbook, log):
    topic = f"rotation-{uuid.uuid4().hex[:8]}"
    auth = labkit.client_auth(ca_file=labkit.SINGLE_CA)
    labkit.create_topic(cluster.bootstrap(), topic, auth=auth)
    run, producer = labkit.run_playbook_under_load(cluster.bootstrap(), topic, playbook, "-l", "cluster_single",
                                                   log=log, auth=auth)
    assert run.returncode == 0, run.output[-5000:]
    assert len(producer.acked) > 1000, len(producer.acked)
    assert producer.failed == [], f"{len(producer.failed)} produce requests failed, e.g. {producer.failed[:3]}"
    consumed = set(labkit.seqs_of(labkit.consume_all(cluster.bootstrap(), topic, auth=auth)))
    assert not set(producer.acked) - consumed
    return run


def test_node_certificate_rotation_under_load_fails_no_produce_request(lab, log_dir):
    cluster = lab.single
    before = {h.name: node_cert(h).serial_number for h in cluster.hosts}
    run = rotate_under_load(cluster, "playbooks/rotate_certificates.yml", log_dir / "rotate-certificates.log")
    after = {h.name: node_cert(h).serial_number for h in cluster.hosts}
    assert all(after[n] != before[n] for n in before), f"certificates not replaced: {before} -> {after}"
    for host in cluster.hosts:
        assert f"Gate after restarting node {host.node_id}" in run.output


def test_ca_replacement_under_load_fails_no_produce_request(lab, log_dir, tmp_path):
    cluster = lab.single
    old_ca = x509.load_pem_x509_certificates(labkit.SINGLE_CA.read_bytes())
    assert len(old_ca) == 1, "the single cluster is in the middle of a CA replacement already"
    old_ca_file = tmp_path / "old-ca.crt"
    old_ca_file.write_bytes(labkit.SINGLE_CA.read_bytes())
    stretched_truststore = installed_certs(lab.stretched.hosts[0], "/etc/kafka/tls/ca.crt")

    run = rotate_under_load(cluster, "playbooks/rotate_ca.yml", log_dir / "rotate-ca.log")

    new_ca = x509.load_pem_x509_certificates(labkit.SINGLE_CA.read_bytes())
    assert len(new_ca) == 1 and fingerprints(new_ca) != fingerprints(old_ca)
    for host in cluster.hosts:
        # Each node went through three restarts: trust both, new certificate, new CA only.
        assert run.output.count(f"Gate after restarting node {host.node_id}") == 3, host.name
        node_cert(host).verify_directly_issued_by(new_ca[0])
        assert fingerprints(installed_certs(host, "/etc/kafka/tls/ca.crt")) == fingerprints(new_ca), host.name
    # The retired CA opens no door any more, the new one does; other clusters were not touched.
    topic = f"after-ca-{uuid.uuid4().hex[:8]}"
    labkit.create_topic(cluster.bootstrap(), topic, auth=labkit.client_auth(ca_file=labkit.SINGLE_CA))
    assert can_produce(cluster.bootstrap(), topic, labkit.client_auth(ca_file=labkit.SINGLE_CA)) is True
    assert can_produce(cluster.bootstrap(), topic, labkit.client_auth(ca_file=old_ca_file), timeout_s=10) is not True
    assert installed_certs(lab.stretched.hosts[0], "/etc/kafka/tls/ca.crt") == stretched_truststore
