"""Config changes roll one node at a time behind health gates, without losing acked writes."""

import json
import time
import uuid

import labkit

# Lab topologies this module needs (conftest.py).
LAB_TOPOLOGIES = ("single-region",)


def service_started_at(host) -> int:
    """Monotonic microseconds at which kafka.service last became active on the host."""
    out = labkit.podman("exec", host.container, "systemctl", "show", "kafka", "-p",
                        "ActiveEnterTimestampMonotonic", "--value").stdout.strip()
    return int(out)


def test_config_change_rolls_under_load_without_losing_acked_records(lab, log_dir):
    cluster = lab.single
    topic = f"rolling-{uuid.uuid4().hex[:8]}"
    labkit.create_topic(cluster.bootstrap(), topic)
    before = {h.name: service_started_at(h) for h in cluster.hosts}

    backoff = 15000 + int(time.time()) % 1000  # a value this run has never rendered before
    run, producer = labkit.run_playbook_under_load(
        cluster.bootstrap(), topic, "site.yml", "-l", "cluster_single",
        "-e", json.dumps({"kafka_properties": {"log.cleaner.backoff.ms": backoff}}),
        log=log_dir / "rolling-config-change.log")
    assert run.returncode == 0, run.output[-5000:]

    # Every node restarted, one after another, each after the previous one's gates passed.
    after = {h.name: service_started_at(h) for h in cluster.hosts}
    assert all(after[n] > before[n] for n in before), (before, after)
    order = sorted(after.values())
    assert all(b - a > 5_000_000 for a, b in zip(order, order[1:])), f"restarts overlapped: {order}"
    for host in cluster.hosts:
        assert f"Gate after restarting node {host.node_id}" in run.output
        props = labkit.podman("exec", host.container, "cat", "/etc/kafka/server.properties").stdout
        assert f"log.cleaner.backoff.ms={backoff}" in props

    # Nothing acknowledged was lost.
    assert len(producer.acked) > 1000, f"load too small to prove anything: {len(producer.acked)}"
    assert producer.failed == [], producer.failed[:5]
    consumed = set(labkit.seqs_of(labkit.consume_all(cluster.bootstrap(), topic)))
    lost = set(producer.acked) - consumed
    assert not lost, f"{len(lost)} acknowledged records lost, e.g. {sorted(lost)[:10]}"


def test_failing_gate_stops_the_rolling_restart(lab, log_dir):
    cluster = lab.single
    victim = cluster.hosts[-1]
    labkit.create_topic(cluster.bootstrap(), "gate-check")
    labkit.podman("exec", victim.container, "systemctl", "stop", "kafka")
    try:
        before = {h.name: service_started_at(h) for h in cluster.hosts if h is not victim}
        run = labkit.run_playbook("playbooks/rolling_restart.yml", "-l", "cluster_single",
                                  "-e", "kafka_gate_retries=3", "-e", "kafka_gate_delay=2",
                                  log=log_dir / "rolling-gate-fails.log")
        assert run.returncode != 0
        assert "did not become healthy before restarting node" in run.output, run.output[-3000:]
        after = {h.name: service_started_at(h) for h in cluster.hosts if h is not victim}
        assert after == before, "a node was restarted although the cluster was unhealthy"
    finally:
        labkit.podman("exec", victim.container, "systemctl", "start", "kafka")
        labkit.wait_until(lambda: labkit.healthy(cluster.bootstrap()), 180, what="single cluster healthy again")
