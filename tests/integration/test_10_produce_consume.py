"""After site.yml, both lab clusters take acks=all writes and give every record back in order."""

import collections
import uuid

import labkit
import pytest

# Lab topologies this module needs (conftest.py).
LAB_TOPOLOGIES = ("stretched", "single-region")

RECORDS = 10_000


@pytest.mark.parametrize("cluster_name", ["single", "stretched"])
def test_keyed_records_round_trip_in_order(lab, cluster_name):
    cluster = lab.clusters[cluster_name]
    topic = f"roundtrip-{uuid.uuid4().hex[:8]}"
    labkit.create_topic(cluster.bootstrap(), topic)  # broker defaults: partitions, RF, min ISR

    producer = labkit.AckedProducer(cluster.bootstrap(), topic)
    producer.send_many(0, RECORDS)
    producer.close()
    assert producer.failed == []
    assert len(producer.acked) == RECORDS

    records = labkit.consume_all(cluster.bootstrap(), topic)
    assert sorted(labkit.seqs_of(records)) == list(range(RECORDS))

    # In order per partition: offsets ascend, and per key the sequence numbers ascend.
    by_partition = collections.defaultdict(list)
    for partition, offset, key, value, headers in records:
        by_partition[partition].append((offset, key, int(headers["seq"]), value))
    assert len(by_partition) > 1
    for partition, rows in by_partition.items():
        offsets = [r[0] for r in rows]
        assert offsets == sorted(offsets)
        per_key = collections.defaultdict(list)
        for _, key, seq, value in rows:
            assert value == f"seq-{seq}".encode()
            per_key[key].append(seq)
        for key, seqs in per_key.items():
            assert seqs == sorted(seqs), f"partition {partition} key {key} out of order"
        # Every record sits where the producer was told it was acknowledged.
        for offset, _, seq, _ in rows:
            assert producer.acked[seq] == (partition, offset)


def test_stretched_default_placement_spans_regions(lab):
    cluster = lab.stretched
    topic = f"placement-{uuid.uuid4().hex[:8]}"
    labkit.create_topic(cluster.bootstrap(), topic)
    replicas = labkit.topic_replicas(cluster.bootstrap(), topic)
    assert replicas, "topic has no partitions"
    for partition, brokers in replicas.items():
        regions = {cluster.broker_region(b) for b in brokers}
        assert len(regions) >= 2, f"partition {partition} replicas {brokers} all in {regions}"
        # Rack-aware placement: never two replicas in one region while another region has none.
        assert len(regions) == min(len(brokers), len(cluster.regions))


def test_broker_settings_make_acked_writes_survive_a_region(lab):
    """min.insync.replicas must exceed the replicas one region can hold."""
    cluster = lab.stretched
    for broker in cluster.brokers:
        configs = labkit.broker_config(cluster.bootstrap(), broker.node_id)
        rf, min_isr = int(configs["default.replication.factor"]), int(configs["min.insync.replicas"])
        per_region = -(-rf // len(cluster.regions))
        assert min_isr > per_region, f"broker {broker.node_id}: RF {rf}, min ISR {min_isr}"
        assert configs["broker.rack"] == broker.region
        assert configs["replica.selector.class"].endswith("RackAwareReplicaSelector")
        assert configs["unclean.leader.election.enable"] == "false"
