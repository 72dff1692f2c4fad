"""MirrorMaker 2 between linked lab clusters, secured like everything else.

Each scenario converges its own inventory (inventories/dr-pair, active-active, edge-to-core,
migration) over the shared lab, then checks with independent kafka-python clients what arrived
where. Numbers asserted are the ones the test itself produced; lag, catch-up time and duplicates
are measured and reported (build/test-logs/replication-report.json).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import defaultdict

import kafka_fixtures
import labkit
import pytest

import lab_faults

# Lab topologies this module needs (conftest.py).
LAB_TOPOLOGIES = ("linked-pair", "edge-to-core", "migration")

INVENTORIES = labkit.ROOT / "inventories"
REPORT = labkit.ROOT / "build" / "test-logs" / "replication-report.json"


def report(key: str, value) -> None:
    """Measurements go to a JSON file beside the logs: shown, never asserted as fixed numbers."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    data[key] = value
    REPORT.write_text(json.dumps(data, indent=2, sort_keys=True))
    print(f"{key}: {value}")


def converge(scenario: str, log_dir, name: str | None = None, *args) -> labkit.PlaybookRun:
    run = labkit.run_playbook("playbooks/replication.yml", *args, inventory=INVENTORIES / scenario,
                              log=log_dir / f"replication-{name or scenario}.log")
    assert run.returncode == 0, run.output[-6000:]
    return run


def by_partition(records) -> dict:
    """partition -> [(key, value, headers)] in offset order."""
    out = defaultdict(list)
    for partition, _offset, key, value, headers in sorted(records, key=lambda r: (r[0], r[1])):
        out[partition].append((key, value, tuple(sorted(headers.items()))))
    return out


def without_repeats(seq: list) -> tuple:
    """(first occurrences in order, number of repeats): at-least-once may repeat a record."""
    seen, first = set(), []
    for item in seq:
        if item not in seen:
            seen.add(item)
            first.append(item)
    return first, len(seq) - len(first)


def wait_for_count(bootstrap: str, topic: str, count: int, timeout_s: float) -> list:
    """All records of topic once at least `count` have arrived (read_committed)."""
    deadline = time.monotonic() + timeout_s
    records = []
    while time.monotonic() < deadline:
        if topic in labkit.list_topics(bootstrap):
            records = labkit.consume_all(bootstrap, topic, idle_timeout_s=5, max_wait_s=120)
            if len(records) >= count:
                return records
        time.sleep(3)
    raise AssertionError(f"{topic}: {len(records)} of {count} records arrived within {timeout_s}s")


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    """Runs one of Meridian's modules through ansible-playbook; returns its result dict."""
    runner = kafka_fixtures.ModuleRunner(tmp_path_factory.mktemp("modules"))
    return lambda name, args, *flags: runner(name, args, *flags).result


def replication_status(module, lab, source: str, target: str, policy: str = "prefix", topics=None) -> dict:
    args = dict(labkit.module_connection(lab.clusters[target].bootstrap()),
                source=labkit.module_connection(lab.clusters[source].bootstrap()),
                source_alias=source, target_alias=target, replication_policy=policy)
    if topics:
        args["topics"] = topics
    result = module("kafka_replication_status", args)
    assert not result.get("failed"), result.get("msg")
    return result


@pytest.fixture(scope="module")
def linked(linked_lab):
    return linked_lab


# --- DR pair ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dr_pair(linked, log_dir):
    first = converge("dr-pair", log_dir)
    return first


def test_dr_pair_second_run_and_check_mode_change_nothing(dr_pair, log_dir):
    second = converge("dr-pair", log_dir, "dr-pair-second")
    assert second.changed == 0, second.output[-6000:]
    check = converge("dr-pair", log_dir, "dr-pair-check", "--check", "--diff")
    assert check.changed == 0, check.output[-6000:]


def test_dr_pair_copies_every_record_in_order(linked, dr_pair):
    east, west = linked.clusters["east"], linked.clusters["west"]
    topic = f"orders.{uuid.uuid4().hex[:8]}"
    labkit.create_topic(east.bootstrap(), topic, partitions=3)
    producer = labkit.AckedProducer(east.bootstrap(), topic)
    start = time.monotonic()
    producer.send_many(0, 50_000)
    produced_s = time.monotonic() - start
    producer.close()
    assert not producer.failed and len(producer.acked) == 50_000

    source = labkit.consume_all(east.bootstrap(), topic)
    target = wait_for_count(west.bootstrap(), f"east.{topic}", len(source), timeout_s=300)
    report("dr_pair_50k", {"produce_s": round(produced_s, 1), "replicated_within_s": round(time.monotonic() - start, 1)})

    src, dst = by_partition(source), by_partition(target)
    assert set(dst) == set(src), "partitions differ"
    repeats = 0
    for partition, records in src.items():
        copied, repeated = without_repeats(dst[partition])
        repeats += repeated
        assert copied == records, f"partition {partition}: records differ or out of order"
    report("dr_pair_duplicates", repeats)


def test_new_topics_partitions_and_configs_follow(linked, dr_pair, module):
    east, west = linked.clusters["east"], linked.clusters["west"]
    topic = f"orders.late-{uuid.uuid4().hex[:8]}"
    conn = labkit.module_connection(east.bootstrap())
    created = module("kafka_topic", dict(conn, name=topic, partitions=2, replication_factor=1))
    assert created.get("changed"), created
    labkit.AckedProducer(east.bootstrap(), topic).send_many(0, 100)
    labkit.wait_until(lambda: f"east.{topic}" in labkit.list_topics(west.bootstrap()), 90, what="new topic on west")

    grown = module("kafka_topic", dict(conn, name=topic, partitions=4, replication_factor=1,
                                                  config={"retention.ms": "7200000"}))
    assert grown.get("changed"), grown

    def followed():
        client = labkit.admin(west.bootstrap())
        try:
            (desc,) = client.describe_topics([f"east.{topic}"])
            from kafka.admin import ConfigResource, ConfigResourceType
            configs = client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, f"east.{topic}")],
                                              config_filter="all")
        finally:
            client.close()
        retention = json.dumps(configs, default=str)
        return len(desc["partitions"]) == 4 and "7200000" in retention
    labkit.wait_until(followed, 120, interval_s=5, what="partition count and retention.ms followed on west")


def test_consumer_group_resumes_on_the_target_from_translated_offsets(linked, dr_pair, module):
    from kafka import KafkaConsumer
    east, west = linked.clusters["east"], linked.clusters["west"]
    topic, group = f"orders.group-{uuid.uuid4().hex[:8]}", f"orders.billing-{uuid.uuid4().hex[:6]}"
    labkit.create_topic(east.bootstrap(), topic, partitions=3)
    producer = labkit.AckedProducer(east.bootstrap(), topic)
    # In chunks a few offset flushes apart, as a live topic would be written: MirrorMaker
    # translates an offset only from an offset sync at or before it, and syncs are written
    # at flushes, so one burst would leave the early offsets untranslatable.
    for chunk in range(4):
        producer.send_many(chunk * 1000, 1000)
        time.sleep(7)
    producer.close()

    # Consume half on the source and commit, then leave the group.
    consumer = KafkaConsumer(topic, bootstrap_servers=east.bootstrap().split(","), group_id=group,
                             auto_offset_reset="earliest", enable_auto_commit=False, **labkit.client_auth())
    first = []
    while len(first) < 2000:
        for records in consumer.poll(timeout_ms=1000, max_records=2000 - len(first)).values():
            first.extend(int(dict(r.headers)["seq"]) for r in records)
    consumer.commit()
    consumer.close()
    wait_for_count(west.bootstrap(), f"east.{topic}", 4000, timeout_s=180)

    target = labkit.module_connection(west.bootstrap())
    args = dict(target, group=group, action="translate", source_cluster_alias="east")
    # Until every partition has a checkpoint and a second read one emit interval (5 s) later
    # translates the same: a checkpoint that still moves (offset syncs arriving) would change
    # the offsets between the commit and the re-run below.
    seen = []

    def settled():
        result = module("kafka_consumer_group", args)
        offsets = {(t, p): row["offset"] for t, rows in (result.get("translated") or {}).items()
                   for p, row in rows.items()}
        seen.append(offsets if offsets and not result.get("no_checkpoint") else None)
        return len(seen) > 1 and seen[-1] is not None and seen[-1] == seen[-2]
    labkit.wait_until(settled, 150, interval_s=6, what="settled checkpoints for the group")
    # MirrorMaker's own group offset sync may have committed the same offsets already (the group
    # is idle on west): then there is nothing to change, and check mode must say so truthfully.
    check = module("kafka_consumer_group", dict(args, action="translate_and_commit"), "--check")
    assert not check.get("failed") and bool(check.get("changed")) == bool(check.get("commit")), check
    committed = module("kafka_consumer_group", dict(args, action="translate_and_commit"))
    assert not committed.get("failed"), committed
    again = module("kafka_consumer_group", dict(args, action="translate_and_commit"))
    assert not again.get("failed") and not again.get("changed"), again

    resumed = KafkaConsumer(f"east.{topic}", bootstrap_servers=west.bootstrap().split(","), group_id=group,
                            auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=10000,
                            **labkit.client_auth())
    rest = [int(dict(r.headers)["seq"]) for r in resumed]
    # The group now runs on the target and has moved on: committing the translated offsets again
    # would rewind it, so while it is active the module refuses.
    resumed.commit()
    refused = module("kafka_consumer_group", dict(args, action="translate_and_commit"))
    resumed.close()
    assert refused.get("failed") and "active" in refused.get("msg", "").lower(), refused

    skipped = set(range(4000)) - set(first) - set(rest)
    reread = len(set(first) & set(rest))
    report("offset_translation", {"consumed_on_source": len(first), "consumed_on_target": len(rest),
                                  "reread_after_failover": reread})
    assert not skipped, f"{len(skipped)} records skipped, e.g. {sorted(skipped)[:5]}"
    assert len(rest) < 4000, "the group started over from the beginning: offsets were not translated"


# --- active-active ------------------------------------------------------------------------------
def test_active_active_copies_each_side_once_without_loops(linked, log_dir):
    converge("active-active", log_dir)
    east, west = linked.clusters["east"], linked.clusters["west"]
    topic = f"orders.aa-{uuid.uuid4().hex[:8]}"
    counts = {"east": 3000, "west": 2000}
    for name, count in counts.items():
        cluster = linked.clusters[name]
        labkit.create_topic(cluster.bootstrap(), topic, partitions=3)
        producer = labkit.AckedProducer(cluster.bootstrap(), topic, client_id=f"aa-{name}")
        producer.send_many(0, count)
        producer.close()
    on_west = wait_for_count(west.bootstrap(), f"east.{topic}", counts["east"], timeout_s=180)
    on_east = wait_for_count(east.bootstrap(), f"west.{topic}", counts["west"], timeout_s=180)
    time.sleep(15)  # give a loop, if there were one, time to show
    for name in ("east", "west"):
        topics = labkit.list_topics(linked.clusters[name].bootstrap())
        loops = [t for t in topics if t.startswith(("east.west.", "west.east.", "east.east.", "west.west."))]
        assert not loops, f"replication loop on {name}: {loops}"
    assert sorted(labkit.seqs_of(on_west)) == list(range(counts["east"]))
    assert sorted(labkit.seqs_of(on_east)) == list(range(counts["west"]))
    # Each side's own topic holds only what was produced there.
    assert len(labkit.consume_all(east.bootstrap(), topic)) == counts["east"]
    assert len(labkit.consume_all(west.bootstrap(), topic)) == counts["west"]


# --- edge to core -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def edge_to_core(linked, log_dir):
    return converge("edge-to-core", log_dir)


@pytest.mark.skipif(os.geteuid() != 0, reason="iptables needs root")
def test_edge_link_down_for_two_minutes_loses_nothing(linked, edge_to_core):
    edge, core = linked.clusters["edge-1"], linked.clusters["core"]
    topic = f"sensors.{uuid.uuid4().hex[:8]}"
    labkit.create_topic(edge.bootstrap(), topic, partitions=3)
    producer = labkit.AckedProducer(edge.bootstrap(), topic)
    load = labkit.BackgroundLoad(producer, rate_per_s=100)
    load.start()
    time.sleep(10)
    outage_s = float(os.environ.get("MERIDIAN_EDGE_OUTAGE_S", "120"))
    try:
        rules = lab_faults.partition(labkit.region_side(edge), labkit.region_side(core))
        assert rules and lab_faults.active_rules()
        time.sleep(outage_s)
    finally:
        lab_faults.heal()
    healed = time.monotonic()
    time.sleep(10)
    load.stop()
    producer.close()
    assert not producer.failed, producer.failed[:3]
    acked = len(producer.acked)

    records = wait_for_count(core.bootstrap(), f"edge-1.{topic}", acked, timeout_s=600)
    catch_up_s = time.monotonic() - healed
    seqs = labkit.seqs_of(records)
    missing = set(producer.acked) - set(seqs)
    duplicates = len(seqs) - len(set(seqs))
    report("edge_link_down", {"outage_s": outage_s, "acked": acked, "catch_up_s_upper_bound": round(catch_up_s, 1),
                              "duplicates": duplicates})
    assert not missing, f"{len(missing)} acknowledged records never reached the core"
    assert duplicates == 0, "the exactly-once flow (inventories/edge-to-core) wrote duplicates"
    assert not lab_faults.active_rules()


@pytest.mark.skipif(os.geteuid() != 0, reason="tc needs root")
def test_bandwidth_capped_link_keeps_up_below_the_cap_and_reports_lag(linked, edge_to_core, module):
    edge, core = linked.clusters["edge-1"], linked.clusters["core"]
    topic = f"sensors.capped-{uuid.uuid4().hex[:8]}"
    labkit.create_topic(edge.bootstrap(), topic, partitions=3)
    payload = os.urandom(1000)  # incompressible: the cap is what limits the link
    # 8 Mbit/s is 1 MB/s; produce 400 records/s of 1 kB, well below it.
    lab_faults.cap_bandwidth([(edge.hosts[0].address.rsplit(".", 2)[0] + ".0.0/16", 9092, "8mbit")])
    try:
        producer = labkit.AckedProducer(edge.bootstrap(), topic)
        samples = []
        end = time.monotonic() + 60
        seq = 0
        while time.monotonic() < end:
            for _ in range(40):
                producer.send(seq, payload)
                seq += 1
            time.sleep(0.1)
            if seq % 2000 == 0:
                status = replication_status(module, linked, "edge-1", "core", topics=[topic])
                samples.append((status["max_lag_records"], status["max_lag_seconds"]))
        producer.close()
        assert not producer.failed
        records = wait_for_count(core.bootstrap(), f"edge-1.{topic}", seq, timeout_s=120)
        final = replication_status(module, linked, "edge-1", "core", topics=[topic])
        # A burst of 40 MB, 40 s of link time: the lag must show it while it drains. The core's
        # worker is frozen while the burst is written (the producer's acks would otherwise queue
        # behind the replication traffic in the capped class), then drains it through the cap.
        burst_records = 40_000
        (worker,) = [h for h in core.hosts if h.roles == ["mirror_maker"]]
        labkit.podman("pause", worker.container)
        try:
            burst = labkit.AckedProducer(edge.bootstrap(), topic)
            for i in range(burst_records):
                burst.send(seq + i, payload)
            burst.close()
        finally:
            labkit.podman("unpause", worker.container)
        during = replication_status(module, linked, "edge-1", "core", topics=[topic])
        wait_for_count(core.bootstrap(), f"edge-1.{topic}", seq + burst_records, timeout_s=300)
        drained = replication_status(module, linked, "edge-1", "core", topics=[topic])
    finally:
        lab_faults.uncap()
    report("bandwidth_cap_8mbit", {"samples_lag_records_seconds": samples, "after_load": final["max_lag_records"],
                                   "burst_lag_records": during["max_lag_records"],
                                   "burst_lag_seconds": during["max_lag_seconds"], "burst_records": burst_records})
    assert len(set(labkit.seqs_of(records))) == seq
    assert max(s[1] for s in samples) < 30, f"replication fell behind below the cap: {samples}"
    assert final["max_lag_records"] == 0, final
    assert 0 < during["total_lag_records"] <= burst_records, during
    assert during["max_lag_seconds"] > 0, during
    assert drained["total_lag_records"] == 0, drained


# --- migration ----------------------------------------------------------------------------------
def test_migration_moves_consumers_with_nothing_lost(linked, log_dir, tmp_path):
    from kafka import KafkaConsumer
    legacy, modern = linked.clusters["legacy"], linked.clusters["modern"]
    topic, group = f"orders.mig-{uuid.uuid4().hex[:8]}", f"orders.mig-app-{uuid.uuid4().hex[:6]}"
    labkit.create_topic(legacy.bootstrap(), topic, partitions=3)

    producer = labkit.AckedProducer(legacy.bootstrap(), topic)
    load = labkit.BackgroundLoad(producer, rate_per_s=100)
    load.start()
    consumer = KafkaConsumer(topic, bootstrap_servers=legacy.bootstrap().split(","), group_id=group,
                             auto_offset_reset="earliest", enable_auto_commit=False, **labkit.client_auth())
    before = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            before.extend(int(dict(r.headers)["seq"]) for r in records)
        consumer.commit()
    consumer.close()

    # The hook stops the producer the way a real one would stop an application.
    flag = tmp_path / "producers-stopped"
    hook = tmp_path / "stop-producers.yml"
    hook.write_text(json.dumps([{"name": "Stop producers", "ansible.builtin.file": {"path": str(flag), "state": "touch",
                                                                                     "mode": "0600"}},
                                {"name": "Wait for them", "ansible.builtin.wait_for": {"path": str(flag) + ".done",
                                                                                       "timeout": 60}}]))

    def stopper():
        labkit.wait_until(flag.exists, 600, interval_s=0.5, what="stop hook")
        load.stop()
        producer.close()
        (tmp_path / "producers-stopped.done").touch()
    import threading
    threading.Thread(target=stopper, daemon=True).start()

    run = labkit.run_playbook("playbooks/migrate.yml", "-e", "migrate_flow=legacy-to-modern",
                              "-e", json.dumps({"migrate_groups": [group], "migrate_stop_producers_hook": str(hook)}),
                              inventory=INVENTORIES / "migration", log=log_dir / "migrate.log")
    assert run.returncode == 0, run.output[-6000:]
    assert flag.exists() and not producer.failed
    acked = set(producer.acked)

    # Topic names are unchanged; consumers continue on modern from the translated offsets.
    assert topic in labkit.list_topics(modern.bootstrap())
    resumed = KafkaConsumer(topic, bootstrap_servers=modern.bootstrap().split(","), group_id=group,
                            auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=15000,
                            isolation_level="read_committed", **labkit.client_auth())
    after = [int(dict(r.headers)["seq"]) for r in resumed]
    resumed.close()
    lost = acked - set(before) - set(after)
    report("migration", {"acked": len(acked), "consumed_on_legacy": len(before), "consumed_on_modern": len(after),
                         "reread": len(set(before) & set(after))})
    assert not lost, f"{len(lost)} acknowledged records lost in the migration"
    copied = labkit.seqs_of(labkit.consume_all(modern.bootstrap(), topic))
    assert len(copied) == len(set(copied)) == len(acked), "exactly-once flow wrote duplicates or missed records"
