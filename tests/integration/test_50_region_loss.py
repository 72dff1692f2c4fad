"""Losing a whole region of the stretched cluster loses no acknowledged write."""

import time
import uuid

import labkit

LOST_REGION = "us-east"


def test_stretched_cluster_survives_a_region(lab, log_dir):
    cluster = lab.stretched
    topic = f"region-loss-{uuid.uuid4().hex[:8]}"
    labkit.create_topic(cluster.bootstrap(), topic)
    victims = [h for h in cluster.hosts if h.region == LOST_REGION]
    assert {"controller", "broker"} <= {r for h in victims for r in h.roles}

    producer = labkit.AckedProducer(cluster.bootstrap(), topic)
    producer.send_many(0, 2000)
    assert len(producer.acked) == 2000 and producer.failed == []

    try:
        labkit.podman("stop", "-t", "0", *[h.container for h in victims])
        stopped_at = time.monotonic()
        producer.send_many(2000, 2000)  # same producer: it must find the new leaders itself
        produce_seconds = time.monotonic() - stopped_at
        producer.close()
        assert producer.failed == [], producer.failed[:5]
        assert len(producer.acked) == 4000

        survivors = cluster.bootstrap(exclude_regions=[LOST_REGION])
        consumed = labkit.seqs_of(labkit.consume_all(survivors, topic))
        lost = set(producer.acked) - set(consumed)
        assert not lost, f"{len(lost)} acknowledged records lost with {LOST_REGION} down"
        assert len(consumed) == len(set(consumed)), "duplicates despite the idempotent producer"
        (log_dir / "region-loss.txt").write_text(
            f"region {LOST_REGION} stopped; 2000 records produced and acknowledged in {produce_seconds:.1f}s\n")
    finally:
        labkit.podman("start", *[h.container for h in victims])
        labkit.wait_until(lambda: labkit.healthy(cluster.bootstrap()), 300, interval_s=5,
                          what="stretched cluster healthy after the region returned")
