"""Rotating node certificates under load fails no acks=all produce request."""

import uuid

import labkit


def serial_of(host) -> str:
    """Serial of the node certificate in the installed keystore (openssl skips the key block)."""
    return labkit.podman("exec", host.container, "openssl", "x509", "-noout", "-serial",
                         "-in", "/etc/kafka/tls/keystore.pem").stdout.strip()


def test_rotation_under_load_fails_no_produce_request(lab, log_dir):
    cluster = lab.single
    topic = f"rotation-{uuid.uuid4().hex[:8]}"
    labkit.create_topic(cluster.bootstrap(), topic)
    before = {h.name: serial_of(h) for h in cluster.hosts}
    assert all(before.values()), before

    run, producer = labkit.run_playbook_under_load(cluster.bootstrap(), topic, "playbooks/rotate_certificates.yml",
                                                   "-l", "cluster_single", log=log_dir / "rotate-certificates.log")
    assert run.returncode == 0, run.output[-5000:]

    after = {h.name: serial_of(h) for h in cluster.hosts}
    assert all(after[n] != before[n] for n in before), f"certificates not replaced: {before} -> {after}"
    for host in cluster.hosts:
        assert f"Gate after restarting node {host.node_id}" in run.output
    assert len(producer.acked) > 1000, len(producer.acked)
    assert producer.failed == [], f"{len(producer.failed)} produce requests failed, e.g. {producer.failed[:3]}"
    consumed = set(labkit.seqs_of(labkit.consume_all(cluster.bootstrap(), topic)))
    assert not set(producer.acked) - consumed
