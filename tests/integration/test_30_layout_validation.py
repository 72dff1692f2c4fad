"""Bad layouts fail with a clear message before any host is changed."""

import json

import labkit
import pytest

# Lab topologies this module needs (conftest.py).
LAB_TOPOLOGIES = ("stretched", "single-region")

INSTALL_PLAY = "PLAY [Install and configure Java and Kafka]"


def assert_rejected_before_hosts(run, *fragments):
    assert run.returncode != 0, "site.yml accepted a bad layout"
    assert INSTALL_PLAY not in run.output, "hosts were configured despite the bad layout"
    assert all(r["changed"] == 0 and r["unreachable"] == 0 for r in run.recap.values()), run.recap
    for fragment in fragments:
        assert fragment in run.output, f"{fragment!r} missing from:\n{run.output[-3000:]}"


@pytest.mark.parametrize("extra_vars, fragments", [
    # Stretched: min ISR 1 lets an acknowledged write live in one region only.
    ({"kafka_min_insync_replicas": 1}, ["Kafka layout rejected", "cluster 'stretched'", "min"]),
    # More replicas than brokers.
    ({"kafka_default_replication_factor": 5}, ["Kafka layout rejected", "replication", "5"]),
], ids=["stretched-min-isr-1", "rf-above-brokers"])
def test_bad_settings_on_the_lab_are_rejected(lab, log_dir, extra_vars, fragments):
    run = labkit.run_playbook("site.yml", "-e", json.dumps(extra_vars), log=log_dir / f"reject-{next(iter(extra_vars))}.log")
    assert_rejected_before_hosts(run, *fragments)


def contract_inventory(tmp_path, hosts, topology="stretched"):
    """A saved contract whose hosts do not exist: touching any of them would be unreachable."""
    contract = {"contract_version": 1, "stack": "test", "clusters": {"bad": {"topology": topology}}, "hosts": [
        {"name": name, "address": address, "platform": "lab", "cluster": "bad", "roles": roles,
         "region": region, "zone": f"{region}-a", "node_id": node_id,
         "connection": {"ansible_connection": "lab_podman", "ansible_host": f"meridian-absent-{name}"}}
        for name, address, roles, region, node_id in hosts]}
    (tmp_path / "outputs.json").write_text(json.dumps(contract))
    inventory = tmp_path / "bad.meridian_terraform.yml"
    inventory.write_text("plugin: meridian_terraform\noutputs_file: outputs.json\n")
    return inventory


def test_controller_majority_in_one_region_is_rejected(lab, tmp_path, log_dir):
    inventory = contract_inventory(tmp_path, [
        ("a-ctrl-1", "127.61.0.1", ["controller"], "region-a", 1),
        ("a-ctrl-2", "127.61.0.2", ["controller"], "region-a", 2),
        ("b-ctrl-1", "127.62.0.1", ["controller"], "region-b", 3),
        ("a-broker", "127.61.0.11", ["broker"], "region-a", 11),
        ("b-broker", "127.62.0.11", ["broker"], "region-b", 12),
        ("b-broker-2", "127.62.0.12", ["broker"], "region-b", 13),
    ])
    run = labkit.run_playbook("site.yml", inventory=inventory, log=log_dir / "reject-majority.log")
    assert_rejected_before_hosts(run, "cluster 'bad'", "region-a", "majority")


def test_even_controller_count_is_rejected(lab, tmp_path, log_dir):
    inventory = contract_inventory(tmp_path, [
        ("n1", "127.63.0.1", ["controller", "broker"], "region-c", 1),
        ("n2", "127.63.0.2", ["controller", "broker"], "region-c", 2),
    ], topology="single-region")
    run = labkit.run_playbook("site.yml", "-e", "kafka_default_replication_factor=2", inventory=inventory,
                              log=log_dir / "reject-even.log")
    assert_rejected_before_hosts(run, "cluster 'bad'", "odd")


def test_duplicate_node_ids_are_rejected_by_the_inventory(lab, tmp_path, log_dir):
    inventory = contract_inventory(tmp_path, [
        ("n1", "127.64.0.1", ["controller", "broker"], "region-d", 1),
        ("n2", "127.64.0.2", ["controller", "broker"], "region-d", 1),
        ("n3", "127.64.0.3", ["controller", "broker"], "region-d", 3),
    ], topology="single-region")
    run = labkit.run_playbook("site.yml", inventory=inventory, log=log_dir / "reject-duplicate-ids.log")
    assert run.returncode != 0
    assert "host 'n2', field 'node_id': duplicate node_id 1 in cluster 'bad'" in run.output, run.output[-3000:]
    assert "No inventory was parsed" in run.output
    assert INSTALL_PLAY not in run.output
