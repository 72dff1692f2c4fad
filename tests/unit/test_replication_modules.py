"""kafka_topic, kafka_consumer_group and kafka_replication_status against real Kafka.

One module-scoped lab (tests/kafka_fixtures.py): two single-node KRaft clusters from the
distribution tarball, source on 127.8.1.1 and target on 127.8.1.2, each with a PLAINTEXT and a
SASL_SSL (SCRAM-SHA-512, CA made by openssl) listener, and one real MirrorMaker 2 process
replicating ``rep\\..*`` from alias ``src`` to alias ``dst`` (target over SASL_SSL).  The modules run
through real ``ansible-playbook`` processes; their effect is checked with independent kafka-python
clients.  Skipped when the tarball (``make kafka-dist``), java or openssl is missing.

The first tests are pure (record decoding, planning) and need no broker.
"""

from __future__ import annotations

import importlib.util
import json
import struct
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

import kafka_fixtures as kf
from kafka_fixtures import failed, ok

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
SOURCE_HOST, TARGET_HOST = "127.8.1.1", "127.8.1.2"
SRC, DST = "src", "dst"
MM2_CONNECTORS = {"MirrorSourceConnector", "MirrorCheckpointConnector", "MirrorHeartbeatConnector"}

# conftest puts plugins/module_utils on sys.path; the modules import them as Ansible ships them.
import kafka_client  # noqa: E402
import mirror_maker_records as mmr  # noqa: E402

# Starts real processes (ansible-playbook, Kafka, podman) but needs no lab: make test-component.
pytestmark = pytest.mark.component

sys.modules.setdefault("ansible.module_utils.kafka_client", kafka_client)
sys.modules.setdefault("ansible.module_utils.mirror_maker_records", mmr)


def _load(relpath, name):
    spec = importlib.util.spec_from_file_location(name, PLUGINS / relpath)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


kafka_topic = _load("modules/kafka_topic.py", "meridian_module_kafka_topic")
kafka_consumer_group = _load("modules/kafka_consumer_group.py", "meridian_module_kafka_consumer_group")
kafka_replication_status = _load("modules/kafka_replication_status.py", "meridian_module_kafka_replication_status")


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# === pure: record formats and planning ==========================================================
def kstring(text: str) -> bytes:
    data = text.encode()
    return struct.pack(">h", len(data)) + data


def test_checkpoint_decoding_follows_the_java_schema():
    # Checkpoint.KEY_SCHEMA: STRING group, STRING topic, INT32 partition;
    # HEADER_SCHEMA INT16 version, VALUE_SCHEMA_V0: INT64 upstreamOffset, INT64 offset, STRING metadata.
    key = kstring("billing") + kstring("src.orders") + struct.pack(">i", 3)
    value = struct.pack(">hqq", 0, 1234, 1200) + kstring("meta")
    assert mmr.decode_checkpoint(key, value) == {"group": "billing", "topic": "src.orders", "partition": 3,
                                                 "upstream_offset": 1234, "downstream_offset": 1200,
                                                 "metadata": "meta"}
    with pytest.raises(mmr.RecordFormatError, match="version 1"):
        mmr.decode_checkpoint(key, struct.pack(">hqq", 1, 1, 1) + kstring(""))
    with pytest.raises(mmr.RecordFormatError, match="truncated"):
        mmr.decode_checkpoint(key, value[:10])
    with pytest.raises(mmr.RecordFormatError):
        mmr.decode_checkpoint(key, None)


def test_offset_sync_decoding_follows_the_java_schema():
    # OffsetSync.KEY_SCHEMA: STRING topic, INT32 partition; VALUE_SCHEMA: INT64 upstreamOffset, INT64 offset.
    key = kstring("orders") + struct.pack(">i", 1)
    assert mmr.decode_offset_sync(key, struct.pack(">qq", 50, 48)) == {
        "topic": "orders", "partition": 1, "upstream_offset": 50, "downstream_offset": 48}
    with pytest.raises(mmr.RecordFormatError):
        mmr.decode_offset_sync(key, b"\x00" * 8)


def rec(key, value, timestamp=0):
    return SimpleNamespace(key=key if key is None or isinstance(key, bytes) else key.encode(),
                           value=value if value is None or isinstance(value, bytes) else json.dumps(value).encode(),
                           timestamp=timestamp)


def sync_rec(topic, partition, upstream, downstream):
    return rec(kstring(topic) + struct.pack(">i", partition), struct.pack(">qq", upstream, downstream))


def test_offset_sync_history_keeps_write_order_and_forgets_a_recreated_target():
    records = [sync_rec("o", 0, 0, 0), sync_rec("o", 1, 0, 0), sync_rec("o", 0, 100, 100), rec("bad", "x"),
               sync_rec("o", 0, 200, 5),            # downstream went back: the target topic was recreated
               sync_rec("o", 0, 300, 105)]
    history, bad = mmr.offset_sync_history(records)
    assert bad == 1
    assert history == {("o", 0): [(200, 5), (300, 105)], ("o", 1): [(0, 0)]}


@pytest.mark.parametrize("syncs, upstream, expected", [
    ([(0, 0), (100, 97), (200, 190)], 150, 98),      # past the sync: one more than its copy
    ([(0, 0), (100, 97), (200, 190)], 100, 97),      # at the sync: its copy
    ([(0, 0), (100, 97), (200, 190)], 250, 191),
    ([(100, 97), (200, 190)], 50, None),             # older than every sync: nothing to say
    ([], 10, None),
    ([(100, 97), (50, 120), (100, 170)], 100, 170),  # replayed after a restart: the later copy
])
def test_translate_with_syncs_follows_mirror_makers_rule(syncs, upstream, expected):
    assert mmr.translate_with_syncs(syncs, upstream) == expected


def checkpoint_of(upstream, downstream):
    return {"upstream_offset": upstream, "downstream_offset": downstream, "metadata": "", "timestamp": 1}


@pytest.mark.parametrize("checkpoint, position, expected", [
    (checkpoint_of(40, 38), None, ("checkpoint", 38, 40)),                          # no source view: as is
    (checkpoint_of(40, 38), {"offset": 40, "metadata": "", "syncs": [(0, 0)]}, ("checkpoint", 38, 40)),
    (checkpoint_of(10, 1), {"offset": 482, "metadata": "", "syncs": [(0, 0), (400, 390)]},
     ("offset_sync", 391, 482)),                                                   # stale checkpoint
    (None, {"offset": 670, "metadata": "", "syncs": [(300, 300)]}, ("offset_sync", 301, 670)),
    (checkpoint_of(90, 88), {"offset": 50, "metadata": "", "syncs": [(0, 0)]},      # rewound on the source
     ("offset_sync", 1, 50)),
    (checkpoint_of(10, 1), {"offset": 30, "metadata": "", "syncs": [(0, 0)]}, ("offset_sync", 1, 30)),  # tie
    (None, {"offset": 5, "metadata": "", "syncs": [(20, 20)]}, None),
])
def test_choose_translation(checkpoint, position, expected):
    chosen = kafka_consumer_group.choose_translation(checkpoint, position)
    if expected is None:
        assert chosen is None
    else:
        basis = chosen.get("basis", "checkpoint")
        assert (basis, chosen["downstream_offset"], chosen["upstream_offset"]) == expected


def test_connect_status_keeps_the_last_value_and_honours_tombstones():
    running = {"state": "RUNNING", "trace": None, "worker_id": "w1", "generation": 2}
    records = [
        rec("status-connector-MirrorSourceConnector", dict(running, state="UNASSIGNED")),
        rec("status-connector-MirrorSourceConnector", running),
        rec("status-task-MirrorSourceConnector-0", dict(running, state="FAILED", trace="boom")),
        rec("status-task-MirrorSourceConnector-0", running),
        rec("status-task-MirrorSourceConnector-1", running),
        rec("status-task-MirrorSourceConnector-1", None),
        rec("status-connector-Gone", running),
        rec("status-connector-Gone", None),
        rec("status-task-My-Connector-12", running),
        rec("status-topic-src.orders:connector-MirrorSourceConnector", {"topic": {"name": "src.orders"}}),
    ]
    states = mmr.connector_states(records)
    assert set(states) == {"MirrorSourceConnector", "My-Connector"}
    assert states["MirrorSourceConnector"]["state"] == "RUNNING"
    assert list(states["MirrorSourceConnector"]["tasks"]) == [0]
    assert states["My-Connector"]["state"] is None and list(states["My-Connector"]["tasks"]) == [12]
    assert mmr.parse_status_key(b"status-topic-x:connector-y") is None


def test_latest_checkpoint_per_group_topic_partition():
    def cp(group, topic, part, up, down, ts):
        return rec(kstring(group) + kstring(topic) + struct.pack(">i", part),
                   struct.pack(">hqq", 0, up, down) + kstring(""), ts)
    records = [cp("g", "src.a", 0, 5, 5, 1), cp("g", "src.a", 0, 9, 8, 2), cp("h", "src.a", 0, 1, 1, 3),
               rec(b"junk", b"junk")]
    latest, bad = mmr.latest_checkpoints(records, group="g")
    assert bad == 1 and list(latest) == [("g", "src.a", 0)]
    assert (latest[("g", "src.a", 0)]["downstream_offset"], latest[("g", "src.a", 0)]["timestamp"]) == (8, 2)


def test_topic_names_follow_the_default_replication_policy():
    assert mmr.checkpoints_topic("eu") == "eu.checkpoints.internal"
    assert mmr.offset_syncs_topic("us") == "mm2-offset-syncs.us.internal"
    assert mmr.status_topic("eu") == "mm2-status.eu.internal"
    assert mmr.remote_topic("prefix", "eu", "orders") == "eu.orders"
    assert mmr.remote_topic("identity", "eu", "orders") == "orders"
    assert [t for t in ("__consumer_offsets", ".hidden", "a.internal", "a-internal", "orders")
            if not mmr.is_internal_topic(t)] == ["orders"]


@pytest.mark.parametrize("start, end, target_end, sync, expected", [
    (0, 100, 100, {"upstream_offset": 90, "downstream_offset": 90}, (100, "offset_sync")),
    (0, 130, 100, {"upstream_offset": 90, "downstream_offset": 90}, (100, "offset_sync")),
    (0, 130, 100, {"upstream_offset": 95, "downstream_offset": 90}, (105, "offset_sync")),   # source had gaps
    (0, 100, 120, {"upstream_offset": 90, "downstream_offset": 90}, (100, "offset_sync")),   # capped at end
    (10, 10, None, None, (10, "empty")),
    (5, 50, None, None, (5, "target_missing")),
    (5, 50, 20, None, (25, "estimate")),
])
def test_replicated_position(start, end, target_end, sync, expected):
    assert kafka_replication_status.replicated_position(start, end, target_end, sync) == expected


def test_default_topic_selection():
    params = {"topics": None, "topics_regex": r"orders\..*", "target_alias": "us", "replication_policy": "prefix"}
    names = ["orders.eu", "orders.us", "us.orders.x", "__consumer_offsets", "mm2-offset-syncs.us.internal", "other"]
    assert kafka_replication_status.select_topics(names, params) == ["orders.eu", "orders.us"]
    assert kafka_replication_status.select_topics(names, dict(params, topics_regex=None)) == \
        ["orders.eu", "orders.us", "other"]
    assert kafka_replication_status.select_topics(names, dict(params, topics=["x", "x"])) == ["x"]


def test_kafka_topic_planning():
    params = {"name": "t", "state": "present", "partitions": 6, "replication_factor": 3,
              "config": {"retention.ms": 1000, "preallocate": True, "cleanup.policy": ["compact", "delete"],
                         "segment.ms": None},
              "allow_delete": False}
    assert kafka_topic.wanted_config(params) == {"retention.ms": "1000", "preallocate": "true",
                                                 "cleanup.policy": "compact,delete", "segment.ms": None}
    before = {"exists": True, "partitions": 3, "replication_factor": 3,
              "config": {"retention.ms": "1000", "preallocate": "false", "cleanup.policy": "delete",
                         "segment.ms": "5"},
              "config_sources": {"segment.ms": "DYNAMIC_TOPIC_CONFIG"}}
    assert kafka_topic.config_changes(before, kafka_topic.wanted_config(params)) == {
        "preallocate": "true", "cleanup.policy": "compact,delete", "segment.ms": None}
    assert kafka_topic.plan(before, params) == (["config_updated", "partitions_increased"], [])
    actions, problems = kafka_topic.plan(before, dict(params, partitions=2, replication_factor=2, config={}))
    assert actions == [] and len(problems) == 2
    assert "cannot remove partitions" in problems[0] and "reassignment" in problems[1]
    assert kafka_topic.plan(before, dict(params, state="absent"))[1][0].endswith("set allow_delete: true to delete it")
    # Read-after-write: the module waits until the broker shows what was applied.
    after = {"exists": True, "partitions": 6, "replication_factor": 3,
             "config": {"retention.ms": "1000", "preallocate": "true", "cleanup.policy": "compact,delete",
                        "segment.ms": "604800000"},
             "config_sources": {"segment.ms": "DEFAULT_CONFIG"}}
    assert kafka_topic.converged(after, params, ["config_updated", "partitions_increased"])
    assert not kafka_topic.converged(dict(after, partitions=3), params, ["partitions_increased"])
    assert not kafka_topic.converged(dict(after, config_sources={"segment.ms": "DYNAMIC_TOPIC_CONFIG"}), params,
                                     ["config_updated"])
    assert kafka_topic.converged({"exists": False}, params, ["deleted"])
    assert kafka_topic.check_params({"name": "bad name", "partitions": 0}) == [
        kafka_topic.check_params({"name": "bad name"})[0], "partitions must be at least 1, got 0"]


@pytest.mark.parametrize("module, fragment", [(kafka_replication_status, "SOURCE_REQUIRED"),
                                              (kafka_consumer_group, "SOURCE")])
def test_source_suboptions_are_the_connection_options(module, fragment):
    fragments = _load("doc_fragments/kafka_connection.py", "meridian_doc_fragment_kafka_connection")
    source = module.argument_spec()["source"]
    spec = source["options"]
    assert spec == kafka_client.KAFKA_CONNECTION_ARGSPEC
    documented = yaml.safe_load(getattr(fragments.ModuleDocFragment, fragment))["options"]["source"]
    assert documented["required"] is bool(source.get("required"))
    assert "kafka_connection.%s" % fragment.lower() in module.DOCUMENTATION
    assert set(documented["suboptions"]) == set(spec)
    for name, option in spec.items():
        for key in ("type", "default", "choices", "elements", "required"):
            if key in option and not (key == "required" and option[key] is False):
                assert documented["suboptions"][name].get(key) == option[key], (name, key)
    assert spec["sasl_password"]["no_log"] and spec["ssl_password"]["no_log"]


def test_ansible_doc_renders_the_three_modules():
    env = {"ANSIBLE_CONFIG": str(kf.ROOT / "ansible.cfg"), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    proc = subprocess.run([kf.tool("ansible-doc"), "--json", "-M", str(PLUGINS / "modules"), "kafka_topic",
                           "kafka_consumer_group", "kafka_replication_status"], cwd=kf.ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    for name in ("kafka_topic", "kafka_consumer_group", "kafka_replication_status"):
        options = docs[name]["doc"]["options"]
        assert "bootstrap_servers" in options and "sasl_password" in options, name  # the doc fragment applied
        assert docs[name]["return"], name


# === the lab ====================================================================================
@dataclass
class Flow:
    source: kf.Broker
    target: kf.Broker
    mirror_maker: kf.MirrorMaker
    run: kf.ModuleRunner
    workdir: Path

    def diagnostics(self) -> str:
        return (f"--- MirrorMaker 2 log:\n{self.mirror_maker.log_tail()}\n--- source:\n{self.source.log_tail(20)}"
                f"\n--- target:\n{self.target.log_tail(20)}")


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    kf.require_distribution("openssl")
    work = tmp_path_factory.mktemp("replication")
    home = kf.extract_distribution(work)
    pki = work / "pki"
    kf.make_pki(pki, [SOURCE_HOST, TARGET_HOST])
    started = []
    try:
        source = kf.start_broker(home, work, "source", SOURCE_HOST, pki, "src-" + uuid.uuid4().hex)
        started.append(source.proc)
        target = kf.start_broker(home, work, "target", TARGET_HOST, pki, "dst-" + uuid.uuid4().hex)
        started.append(target.proc)
        kf.wait_for_broker(source)
        kf.wait_for_broker(target)
        properties = kf.mirror_maker_properties(source, target, SRC, DST, topics=r"rep\..*",
                                                # Worker setting: commit offsets (and flush pending offset
                                                # syncs) every second instead of every minute.
                                                **{f"{DST}.offset.flush.interval.ms": "1000"})
        mirror_maker = kf.start_mirror_maker(home, work, properties, DST)
        started.insert(0, mirror_maker.proc)   # stopped first, while the brokers still answer
        runs = work / "runs"
        runs.mkdir()
        runner = kf.ModuleRunner(runs, {source.admin_password, target.admin_password})
        yield Flow(source, target, mirror_maker, runner, work)
    finally:
        for proc in started:
            kf.stop_process(proc, timeout=20)


def target_args(flow: Flow, **args) -> dict:
    return dict(flow.target.connection(secure=True), **args)


def admin_call(broker: kf.Broker, fn, secure: bool = False):
    client = broker.admin(secure)
    try:
        return fn(client)
    finally:
        client.close()


def create_topic(broker: kf.Broker, name: str, partitions: int) -> None:
    admin_call(broker, lambda a: a.create_topics({name: {"num_partitions": partitions, "replication_factor": 1}},
                                                 wait_for_metadata=True))


def end_offsets(broker: kf.Broker, topic: str, partitions: int, spec: str = "latest") -> dict:
    from kafka import TopicPartition
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    offsets = admin_call(broker, lambda a: kafka_client.partition_offsets(a, tps, spec))
    return {tp.partition: offset for tp, offset in offsets.items()}


def produce(broker: kf.Broker, topic: str, values, partitions: int, batch: int = 0):
    """Send ``values`` round-robin over the partitions; returns their RecordMetadata in order.

    With ``batch``, flush every ``batch`` records and pause briefly, so MirrorMaker 2 writes offset
    syncs as it goes (a burst leaves few syncs, and MM2 cannot translate offsets older than its first).
    """
    from kafka import KafkaProducer
    producer = KafkaProducer(**broker.client_config(acks="all"))
    try:
        futures = []
        for i, value in enumerate(values):
            futures.append(producer.send(topic, value=value.encode(), partition=i % partitions))
            if batch and (i + 1) % batch == 0:
                producer.flush()
                time.sleep(0.3)
        producer.flush()
        return [f.get(timeout=30) for f in futures]
    finally:
        producer.close()


def group_member(broker: kf.Broker, topic: str, group: str, secure: bool = False, **settings):
    """A KafkaConsumer of ``group`` subscribed to ``topic``, which never commits by itself.

    The topic's metadata is fetched before subscribing: a member that joins before knowing the
    partitions can get an empty assignment from kafka-python's range assignor and keep it.
    """
    from kafka import KafkaConsumer
    consumer = KafkaConsumer(group_id=group, enable_auto_commit=False, **broker.client_config(secure, **settings))
    try:
        kf.wait_for(lambda: consumer.partitions_for_topic(topic), timeout=30, what=f"metadata of {topic}")
        consumer.subscribe([topic])
    except BaseException:
        consumer.close()
        raise
    return consumer


def committed(broker: kf.Broker, group: str, secure: bool = False) -> dict:
    offsets = admin_call(broker, lambda a: a.list_group_offsets({group: None}).get(group) or {}, secure)
    return {(tp.topic, tp.partition): oam.offset for tp, oam in offsets.items() if oam.offset >= 0}


# === kafka_topic (target cluster, SASL_SSL) =====================================================
def topic_on_broker(flow: Flow, name: str, keys=()) -> dict:
    def read(admin):
        state = kafka_topic.read_state(admin, name, set(keys))
        return kafka_topic.public(state)
    return admin_call(flow.target, read, secure=True)


def test_topic_create_check_mode_idempotence_grow_and_config(flow):
    name = uid("tt.orders")
    args = target_args(flow, name=name, partitions=2, replication_factor=1, config={"retention.ms": 3600000})

    check = ok(flow.run("kafka_topic", args, "--check", "--diff"))
    assert (check["changed"], check["actions"]) == (True, ["created"])
    assert check["diff"]["before"]["exists"] is False and check["diff"]["after"]["partitions"] == 2
    assert topic_on_broker(flow, name)["exists"] is False

    created = ok(flow.run("kafka_topic", args))
    assert (created["changed"], created["actions"]) == (True, ["created"])
    assert created["topic"] == {"exists": True, "partitions": 2, "replication_factor": 1,
                                "config": {"retention.ms": "3600000"}}
    assert topic_on_broker(flow, name, ["retention.ms"]) == created["topic"]

    again = ok(flow.run("kafka_topic", args))
    assert (again["changed"], again["actions"]) == (False, [])
    assert again["diff"]["before"] == again["diff"]["after"]

    grow = dict(args, partitions=4, config={"retention.ms": 7200000, "cleanup.policy": ["compact", "delete"]})
    check = ok(flow.run("kafka_topic", grow, "--check", "--diff"))
    assert (check["changed"], check["actions"]) == (True, ["config_updated", "partitions_increased"])
    assert check["diff"]["before"]["config"] == {"retention.ms": "3600000", "cleanup.policy": "delete"}
    assert check["diff"]["after"]["config"] == {"retention.ms": "7200000", "cleanup.policy": "compact,delete"}
    assert topic_on_broker(flow, name, ["retention.ms"])["partitions"] == 2
    assert topic_on_broker(flow, name, ["retention.ms"])["config"] == {"retention.ms": "3600000"}

    grown = ok(flow.run("kafka_topic", grow, "--diff"))
    assert grown["changed"] is True and grown["diff"]["after"]["partitions"] == 4
    assert topic_on_broker(flow, name, ["retention.ms", "cleanup.policy"]) == {
        "exists": True, "partitions": 4, "replication_factor": 1,
        "config": {"retention.ms": "7200000", "cleanup.policy": "compact,delete"}}
    assert ok(flow.run("kafka_topic", grow))["changed"] is False

    # Only the keys given are touched; null removes an override.
    reset = ok(flow.run("kafka_topic", target_args(flow, name=name, config={"cleanup.policy": None})))
    assert reset["changed"] is True and reset["topic"]["config"] == {"cleanup.policy": "delete"}
    assert topic_on_broker(flow, name, ["retention.ms"])["config"] == {"retention.ms": "7200000"}


def test_topic_refusals_and_delete(flow):
    name = uid("tt.refuse")
    ok(flow.run("kafka_topic", target_args(flow, name=name, partitions=3)))

    shrink = failed(flow.run("kafka_topic", target_args(flow, name=name, partitions=2,
                                                        config={"retention.ms": 1000})))
    assert "has 3 partitions and Kafka cannot remove partitions" in shrink["msg"]
    assert (shrink["changed"], shrink["actions"]) == (False, [])
    rf = failed(flow.run("kafka_topic", target_args(flow, name=name, replication_factor=2)))
    assert "partition reassignment" in rf["msg"] and "kafka-reassign-partitions.sh" in rf["msg"]
    unknown = failed(flow.run("kafka_topic", target_args(flow, name=name, config={"retention.mss": 1})))
    assert "unknown topic config key(s)" in unknown["msg"] and "retention.mss" in unknown["msg"]
    refused = failed(flow.run("kafka_topic", target_args(flow, name=name, state="absent")))
    assert "allow_delete: true" in refused["msg"]
    assert topic_on_broker(flow, name, ["retention.ms"]) == {
        "exists": True, "partitions": 3, "replication_factor": 1, "config": {"retention.ms": "604800000"}}

    check = ok(flow.run("kafka_topic", target_args(flow, name=name, state="absent", allow_delete=True), "--check"))
    assert (check["changed"], check["actions"]) == (True, ["deleted"])
    assert topic_on_broker(flow, name)["exists"] is True
    gone = ok(flow.run("kafka_topic", target_args(flow, name=name, state="absent", allow_delete=True)))
    assert gone["changed"] is True and gone["topic"]["exists"] is False
    assert topic_on_broker(flow, name)["exists"] is False
    assert ok(flow.run("kafka_topic", target_args(flow, name=name, state="absent")))["changed"] is False

    # The broker validates in check mode too: one broker cannot hold three replicas.
    too_many = failed(flow.run("kafka_topic", target_args(flow, name=uid("tt.rf"), replication_factor=3), "--check"))
    assert "InvalidReplicationFactor" in too_many["msg"] and too_many["changed"] is False


# === kafka_consumer_group =======================================================================
def test_consumer_group_describe(flow):
    topic, group = uid("cg.describe"), uid("describe")
    create_topic(flow.source, topic, 2)
    produce(flow.source, topic, [f"v{i}" for i in range(30)], 2)
    consumer = group_member(flow.source, topic, group, auto_offset_reset="earliest")
    try:
        seen = 0
        deadline = time.monotonic() + 30
        while seen < 12 and time.monotonic() < deadline:
            seen += sum(len(b) for b in consumer.poll(500, max_records=12 - seen).values())
        consumer.commit()
        active = ok(flow.run("kafka_consumer_group", dict(flow.source.connection(), group=group)))
        assert active["group"]["state"] == "Stable" and active["group"]["members"] == 1
        assert sorted(active["group"]["member_details"][0]["assignment"]) == [f"{topic}-0", f"{topic}-1"]
    finally:
        consumer.close()

    result = ok(flow.run("kafka_consumer_group", dict(flow.source.connection(), group=group)))
    assert result["changed"] is False and result["group"]["state"] == "Empty" and result["group"]["members"] == 0
    done = committed(flow.source, group)
    ends = end_offsets(flow.source, topic, 2)
    expected = {str(p): {"committed": done[(topic, p)], "end_offset": ends[p], "log_start_offset": 0,
                         "lag": ends[p] - done[(topic, p)]} for p in range(2)}
    assert result["offsets"] == {topic: expected}
    assert result["total_lag"] == 30 - 12 == sum(e["lag"] for e in expected.values())

    unknown = ok(flow.run("kafka_consumer_group", dict(flow.source.connection(), group=uid("nobody"))))
    assert unknown["group"]["state"] == "Dead" and unknown["offsets"] == {} and unknown["total_lag"] == 0


@pytest.fixture(scope="module")
def half_consumed(flow):
    """A replicated topic of 120 records; a group consumed (and committed) half of them on the source."""
    topic, group = uid("rep.orders"), uid("billing")
    create_topic(flow.source, topic, 2)
    # Produce only once MirrorMaker 2 replicates the topic, so it writes offset syncs as records arrive
    # (after a burst it only has syncs near the end, and cannot translate offsets before its first sync).
    kf.wait_for(lambda: admin_call(flow.target, lambda a: kafka_client.topic_partitions(a, [f"{SRC}.{topic}"])),
                timeout=90,
                what=f"MirrorMaker 2 to create {SRC}.{topic}", details=flow.diagnostics)
    values = [f"order-{i:03d}" for i in range(120)]
    produce(flow.source, topic, values, 2, batch=6)
    consumer = group_member(flow.source, topic, group, auto_offset_reset="earliest")
    consumed = []
    try:
        deadline = time.monotonic() + 30
        while len(consumed) < 60 and time.monotonic() < deadline:
            for batch in consumer.poll(500, max_records=60 - len(consumed)).values():
                consumed.extend(r.value.decode() for r in batch)
        consumer.commit()
    finally:
        consumer.close()
    assert len(consumed) == 60
    source_offsets = {p: off for (t, p), off in committed(flow.source, group).items() if t == topic}
    return SimpleNamespace(topic=topic, target_topic=f"{SRC}.{topic}", group=group, values=values,
                           consumed=consumed, source_offsets=source_offsets)


def translate_args(flow, data, **extra):
    return target_args(flow, group=data.group, source_cluster_alias=SRC, **extra)


def wait_for_checkpoints(flow, data) -> dict:
    """Run action=translate until the checkpoints cover the group's source offsets on every partition."""
    def translated():
        result = ok(flow.run("kafka_consumer_group", translate_args(flow, data, action="translate",
                                                                    topics=[data.topic])))
        rows = result["translated"].get(data.target_topic, {})
        if all(rows.get(str(p), {}).get("upstream_offset") == off for p, off in data.source_offsets.items()):
            return result
        return None
    return kf.wait_for(translated, timeout=90, interval=1, what="checkpoints of the group", details=flow.diagnostics)


def test_translate_and_commit_then_resume_on_target(flow, half_consumed):
    data = half_consumed
    result = wait_for_checkpoints(flow, data)
    assert result["changed"] is False
    assert (result["no_checkpoint"], result["negative_lag"], result["gaps"]) == ([], [], [])
    rows = result["translated"][data.target_topic]
    target_ends = end_offsets(flow.target, data.target_topic, 2)
    for p in range(2):
        row = rows[str(p)]
        assert row["end_offset"] == target_ends[p] and row["committed"] is None
        assert 0 <= row["offset"] <= row["end_offset"] and row["commit_offset"] == row["offset"]
        assert row["checkpoint_age_seconds"] >= 0
    expected_commit = {str(p): rows[str(p)]["offset"] for p in range(2)}
    assert result["commit"] == {data.target_topic: expected_commit}
    assert committed(flow.target, data.group, secure=True) == {}

    # Check mode: reports the commit, commits nothing.
    check = ok(flow.run("kafka_consumer_group", translate_args(flow, data, action="translate_and_commit"),
                        "--check", "--diff"))
    assert check["changed"] is True and check["commit"] == {data.target_topic: expected_commit}
    assert check["diff"] == {"before": {data.target_topic: {"0": None, "1": None}},
                             "after": {data.target_topic: expected_commit}}
    assert committed(flow.target, data.group, secure=True) == {}

    # An active member of the group on the target: refused, nothing committed.
    member = group_member(flow.target, data.target_topic, data.group, secure=True, auto_offset_reset="earliest")
    try:
        kf.wait_for(lambda: member.poll(200) is not None and member.assignment(), timeout=30,
                    what="the target consumer to join")
        refused = failed(flow.run("kafka_consumer_group", translate_args(flow, data, action="translate_and_commit")))
        assert "is active on this cluster" in refused["msg"] and "nothing was committed" in refused["msg"]
        assert refused["group"]["members"] == 1
        assert committed(flow.target, data.group, secure=True) == {}
    finally:
        member.close()

    done = ok(flow.run("kafka_consumer_group", translate_args(flow, data, action="translate_and_commit"), "--diff"))
    assert done["changed"] is True and done["commit"] == {data.target_topic: expected_commit}
    assert committed(flow.target, data.group, secure=True) == {
        (data.target_topic, p): rows[str(p)]["offset"] for p in range(2)}
    again = ok(flow.run("kafka_consumer_group", translate_args(flow, data, action="translate_and_commit")))
    assert (again["changed"], again["commit"]) == (False, {})

    # A consumer of the group on the target resumes at the committed offsets and misses nothing.
    resumed = group_member(flow.target, data.target_topic, data.group, secure=True, auto_offset_reset="none")
    got, first = [], {}
    try:
        def drained():
            for tp, batch in resumed.poll(500).items():
                first.setdefault(tp.partition, batch[0].offset)
                got.extend(r.value.decode() for r in batch)
            return resumed.assignment() and all(resumed.position(tp) >= target_ends[tp.partition]
                                                for tp in resumed.assignment())
        kf.wait_for(drained, timeout=60, interval=0, what="the target consumer to read to the end")
    finally:
        resumed.close()
    assert first == {p: rows[str(p)]["offset"] for p in range(2) if rows[str(p)]["offset"] < target_ends[p]}
    assert set(data.consumed) | set(got) == set(data.values), "a record was skipped after the failover"
    assert len(got) == len(set(got))
    # MirrorMaker 2 translates conservatively: what is read twice is exactly what lies between the
    # translated offset and the group's source offset (offsets match one to one on this fresh topic).
    assert len(set(data.consumed) & set(got)) == sum(data.source_offsets[p] - rows[str(p)]["offset"] for p in range(2))


def test_translate_with_source_uses_offset_syncs_where_checkpoints_lag(flow):
    """A group whose commits MirrorMaker 2 never checkpointed, with offset syncs written in MirrorMaker 2's
    record format to a topic of this test (the format is checked against real ones below): the source's
    view translates one partition from a sync, and the other (older than every sync) only on request."""
    from kafka import KafkaProducer
    from kafka.structs import OffsetAndMetadata, TopicPartition
    topic, group, syncs_topic = uid("hand.orders"), uid("hand-app"), uid("hand-syncs")
    target_topic = f"{SRC}.{topic}"
    create_topic(flow.source, topic, 2)
    create_topic(flow.source, syncs_topic, 1)
    create_topic(flow.target, target_topic, 2)
    produce(flow.source, topic, [f"s{i}" for i in range(80)], 2)
    produce(flow.target, target_topic, [f"t{i}" for i in range(80)], 2)
    producer = KafkaProducer(**flow.source.client_config())
    try:
        for upstream, downstream in ((0, 0), (10, 10), (25, 25)):
            producer.send(syncs_topic, key=kstring(topic) + struct.pack(">i", 0),
                          value=struct.pack(">qq", upstream, downstream))
        producer.send(syncs_topic, key=kstring(topic) + struct.pack(">i", 1), value=struct.pack(">qq", 20, 20))
        producer.flush()
    finally:
        producer.close()
    commits = {TopicPartition(topic, 0): OffsetAndMetadata(30, "", None),
               TopicPartition(topic, 1): OffsetAndMetadata(5, "", None)}
    # The first commit on a fresh broker waits for __consumer_offsets (its coordinator).
    kf.wait_for(lambda: admin_call(flow.source, lambda a: a.alter_group_offsets(group, commits)) is not None,
                timeout=60, what=f"the commits of {group} on the source")
    kf.wait_for(lambda: admin_call(flow.target, lambda a: a.describe_groups([group])), timeout=60,
                what="the group coordinator of the target")
    kf.wait_for(lambda: admin_call(flow.target, lambda a: kafka_client.topic_partitions(a, [mmr.checkpoints_topic(SRC)])),
                timeout=90, what="MirrorMaker 2 to create its checkpoint topic", details=flow.diagnostics)

    with_source = dict(translate_args(flow, SimpleNamespace(group=group), topics=[topic]),
                       source=flow.source.connection(), target_cluster_alias=DST, offset_syncs_topic=syncs_topic)
    checkpoints_only = ok(flow.run("kafka_consumer_group", translate_args(flow, SimpleNamespace(group=group),
                                                                          action="translate", topics=[topic])))
    assert checkpoints_only["translated"] == {} and checkpoints_only["commit"] == {}

    result = ok(flow.run("kafka_consumer_group", dict(with_source, action="translate")))
    row = result["translated"][target_topic]["0"]
    assert (row["basis"], row["offset"], row["upstream_offset"], row["checkpoint_age_seconds"]) == (
        "offset_sync", 26, 30, None)
    assert "1" not in result["translated"][target_topic]
    assert result["no_checkpoint"] == [{"topic": target_topic, "partition": 1}]
    assert result["commit"] == {target_topic: {"0": 26}}
    assert result["behind"] == [f"{target_topic}[1]: translated at none, committed 5"]
    assert "behind" not in checkpoints_only

    refused = failed(flow.run("kafka_consumer_group", dict(with_source, action="translate", target_cluster_alias="")))
    assert "source needs target_cluster_alias" in refused["msg"]

    done = ok(flow.run("kafka_consumer_group", dict(with_source, action="translate_and_commit",
                                                    untranslated="log_start")))
    assert done["changed"] is True and done["commit"] == {target_topic: {"0": 26, "1": 0}}
    assert done["translated"][target_topic]["1"]["basis"] == "log_start"
    assert done["behind"] == result["behind"]    # the log start does not speak for the commit
    assert any("start at the log start" in w for w in done.get("warnings", []))
    assert committed(flow.target, group, secure=True) == {(target_topic, 0): 26, (target_topic, 1): 0}


def test_translate_requires_a_checkpoint_topic(flow):
    wrong = failed(flow.run("kafka_consumer_group", target_args(flow, group="g", action="translate",
                                                                source_cluster_alias="nowhere")))
    assert "checkpoint topic nowhere.checkpoints.internal does not exist" in wrong["msg"]
    missing = failed(flow.run("kafka_consumer_group", target_args(flow, group="g", action="translate")))
    assert "needs source_cluster_alias" in missing["msg"]


def test_real_mirror_maker_records_decode(flow, half_consumed):
    """The decoders against what MirrorMaker 2 4.1.1 really wrote (names, layout, renamed topics)."""
    from kafka import KafkaConsumer
    data = half_consumed
    wait_for_checkpoints(flow, data)

    def raw(broker, topic, secure):
        consumer = KafkaConsumer(**broker.client_config(secure))
        admin = broker.admin(secure)
        try:
            records = kafka_client.read_topic(admin, consumer, topic, 30)
        finally:
            consumer.close()
            admin.close()
        assert records is not None, f"{topic} does not exist"
        return [r for batch in records.values() for r in batch]

    checkpoints = [mmr.decode_checkpoint(r.key, r.value)
                   for r in raw(flow.target, mmr.checkpoints_topic(SRC), True)]
    ours = [c for c in checkpoints if c["group"] == data.group]
    # The checkpoint names the topic as it is called on the target (already renamed).
    assert {c["topic"] for c in ours} == {data.target_topic}
    syncs = [mmr.decode_offset_sync(r.key, r.value) for r in raw(flow.source, mmr.offset_syncs_topic(DST), False)]
    # Offset syncs name the source topic.
    assert {(s["topic"], s["partition"]) for s in syncs if s["topic"] == data.topic} == {(data.topic, 0),
                                                                                          (data.topic, 1)}
    assert all(s["upstream_offset"] >= 0 and s["downstream_offset"] >= 0 for s in syncs)
    statuses = raw(flow.target, mmr.status_topic(SRC), True)
    kinds = Counter(mmr.parse_status_key(r.key)[0] for r in statuses if mmr.parse_status_key(r.key))
    assert kinds["connector"] >= 3 and kinds["task"] >= 2
    assert set(mmr.connector_states(statuses)) == MM2_CONNECTORS


# === kafka_replication_status ===================================================================
def status_args(flow, topic, **extra):
    # Both clusters over SASL_SSL: the source connection is the nested ``source`` dict.
    return target_args(flow, source=flow.source.connection(secure=True), source_alias=SRC, target_alias=DST,
                       topics=[topic], **extra)


GATE = {"until": "result.max_lag_records == 0 and result.all_running", "retries": 90, "delay": 1}


def test_replication_status_lag_while_paused_then_caught_up(flow):
    topic = uid("rep.status")
    create_topic(flow.source, topic, 2)
    produce(flow.source, topic, [f"a{i}" for i in range(20)], 2)

    # The gate as a playbook would use it: until caught up and every connector and task RUNNING.
    caught = ok(flow.run("kafka_replication_status", status_args(flow, topic), task_options=GATE))
    assert caught["changed"] is False and caught["all_running"] is True
    assert set(caught["connectors"]) == MM2_CONNECTORS
    assert all(t["state"] == "RUNNING" for c in caught["connectors"].values() for t in c["tasks"])
    assert caught["connectors"]["MirrorSourceConnector"]["tasks"], "the source connector has no task"
    entry = caught["topics"][topic]
    assert (entry["target_topic"], entry["target_exists"], entry["lag_records"]) == (f"{SRC}.{topic}", True, 0)
    source_ends = end_offsets(flow.source, topic, 2)
    assert end_offsets(flow.target, f"{SRC}.{topic}", 2) == source_ends
    for p in range(2):
        row = entry["partitions"][str(p)]
        assert (row["source_end_offset"], row["replicated_offset"], row["target_end_offset"]) == \
            (source_ends[p], source_ends[p], source_ends[p])
        assert (row["lag_records"], row["lag_seconds"]) == (0, 0)
        # MirrorMaker 2 writes the first offset sync of a partition at once or, when its in-flight
        # syncs are used up, with its next offset commit; until then the position is estimated.
        assert row["basis"] in ("offset_sync", "estimate")

    flow.mirror_maker.pause()
    try:
        metas = produce(flow.source, topic, [f"b{i}" for i in range(31)], 2)
        before = time.time()
        paused = ok(flow.run("kafka_replication_status", status_args(flow, topic), "-vvv"))
        after = time.time()
        source_ends = end_offsets(flow.source, topic, 2)
        target_ends = end_offsets(flow.target, f"{SRC}.{topic}", 2)
    finally:
        flow.mirror_maker.resume()
    produced = Counter(m.partition for m in metas)
    rows = paused["topics"][topic]["partitions"]
    for p in range(2):
        row = rows[str(p)]
        assert row["lag_records"] == produced[p] == source_ends[p] - target_ends[p] > 0
        assert (row["source_end_offset"], row["target_end_offset"]) == (source_ends[p], target_ends[p])
        assert row["replicated_offset"] == target_ends[p]
        oldest = min(m.timestamp for m in metas if m.partition == p) / 1000.0
        assert before - oldest - 0.5 <= row["lag_seconds"] <= after - oldest + 0.5
    assert paused["max_lag_records"] == max(produced.values())
    assert paused["total_lag_records"] == 31
    assert paused["max_lag_seconds"] == max(r["lag_seconds"] for r in rows.values()) > 0
    # A frozen worker cannot report itself: the status topic still says RUNNING, the lag tells.
    assert paused["all_running"] is True

    caught = ok(flow.run("kafka_replication_status", status_args(flow, topic), task_options=GATE))
    assert (caught["max_lag_records"], caught["max_lag_seconds"], caught["all_running"]) == (0, 0, True)
    assert end_offsets(flow.target, f"{SRC}.{topic}", 2) == end_offsets(flow.source, topic, 2)


def test_replication_status_reports_missing_target_topics_and_checkpoint_age(flow, half_consumed):
    from kafka import TopicPartition
    from kafka.admin import OffsetSpec
    wait_for_checkpoints(flow, half_consumed)
    unreplicated = uid("norep")       # outside MirrorMaker 2's rep\..* filter
    create_topic(flow.source, unreplicated, 1)
    produce(flow.source, unreplicated, ["x", "y", "z"], 1)
    result = ok(flow.run("kafka_replication_status", status_args(flow, unreplicated)))
    row = result["topics"][unreplicated]["partitions"]["0"]
    assert (row["basis"], row["lag_records"], row["target_end_offset"]) == ("target_missing", 3, None)
    assert result["topics_missing_on_target"] == [unreplicated] and result["max_lag_records"] == 3

    def newest_checkpoint(admin):
        topic = mmr.checkpoints_topic(SRC)
        parts = kafka_client.topic_partitions(admin, [topic])[topic]
        answer = admin.list_partition_offsets({TopicPartition(topic, p): OffsetSpec.MAX_TIMESTAMP for p in parts})
        return max(v.timestamp for v in answer.values()) / 1000.0
    newest = admin_call(flow.target, newest_checkpoint, secure=True)
    assert result["last_checkpoint_age_seconds"] is not None
    assert abs(result["last_checkpoint_age_seconds"] - (time.time() - newest)) < 15

    # Default topic selection: rep.* topics of the source (internal ones left out), regex applied.
    everything = ok(flow.run("kafka_replication_status", target_args(
        flow, source=flow.source.connection(), source_alias=SRC, target_alias=DST, topics_regex=r"rep\..*")))
    assert half_consumed.topic in everything["topics"] and unreplicated not in everything["topics"]
    assert not [t for t in everything["topics"] if mmr.is_internal_topic(t)]


def test_wrong_source_password_names_the_source_cluster(flow):
    wrong = "wrong-" + uuid.uuid4().hex
    source = dict(flow.source.connection(secure=True), sasl_password=wrong)
    run = flow.run("kafka_replication_status", target_args(flow, source=source, source_alias=SRC,
                                                           target_alias=DST, topics=["x"]), "-vvv")
    result = failed(run)
    assert result["msg"].startswith(f"Authentication to Kafka (source: {flow.source.secure}) as SCRAM-SHA-512 user")
    assert wrong not in run.output and wrong not in json.dumps(result)
