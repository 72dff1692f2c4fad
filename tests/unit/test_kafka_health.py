"""Unit tests for plugins/modules/kafka_health.py: how the quorum and partition state is judged.

The module against real brokers: the rolling restarts of tests/integration/test_40_rolling_restart.py
(a healthy roll passes every gate; a stopped node fails the gate and stops the play) and the
certificate rotations of test_82.
"""

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from test_kafka_modules import _load

kafka_health = _load("modules/kafka_health.py", "meridian_module_kafka_health")


def described(leader=1, voters=((1, 100), (2, 100), (3, 100)), observers=()):
    """A DescribeQuorum answer as kafka-python returns it."""
    replica = (lambda node, end: {"replica_id": node, "replica_directory_id": None, "log_end_offset": end,
                                  "last_fetch_timestamp": 0, "last_caught_up_timestamp": 0})
    return {"topics": [{"topic_name": "__cluster_metadata", "partitions": [{
        "partition_index": 0, "leader_id": leader, "leader_epoch": 3, "high_watermark": 100,
        "current_voters": [replica(*v) for v in voters], "observers": [replica(*o) for o in observers]}]}]}


def test_quorum_state_computes_each_lag_from_the_leaders_log_end():
    quorum = kafka_health.quorum_state(described(leader=2, voters=((1, 90), (2, 100), (3, 100)), observers=((4, 97),)))
    assert quorum["leader_id"] == 2
    assert [(r["node_id"], r["lag"]) for r in quorum["voters"]] == [(1, 10), (2, 0), (3, 0)]
    assert quorum["observers"] == [{"node_id": 4, "log_end_offset": 97, "lag": 3}]


@pytest.mark.parametrize("answer, voters, node_id, expected", [
    (described(), [1, 2, 3], 2, []),
    (described(observers=((4, 60),)), [1, 2, 3], 4, []),
    (described(leader=-1), [1, 2, 3], None, ["no leader"]),
    (described(leader=7), [1, 2, 3], None, ["no leader"]),
    (described(voters=((1, 100), (2, 49), (3, 100))), [1, 2, 3], None, ["voter 2 lags", "51 records"]),
    (described(voters=((1, 100), (2, 100))), [1, 2, 3], None, ["node(s) 3 are not voters"]),
    (described(), [1, 2, 3], 4, ["node 4 is not in the metadata quorum"]),
    (described(observers=((4, 10),)), [1, 2, 3], 4, ["node 4 lags", "90 records"]),
], ids=["healthy", "observer-caught-up", "no-leader", "leader-not-a-voter", "voter-behind", "voter-missing",
        "node-absent", "observer-behind"])
def test_quorum_problems(answer, voters, node_id, expected):
    problems = kafka_health.quorum_problems(kafka_health.quorum_state(answer), voters, node_id, 50)
    if not expected:
        assert problems == []
    else:
        assert len(problems) == 1, problems
        for fragment in expected:
            assert fragment in problems[0]


def topic(name, *partitions):
    return {"name": name, "error_code": 0, "partitions": [{"partition_index": i, "replica_nodes": r, "isr_nodes": isr}
                                          for i, (r, isr) in enumerate(partitions)]}


@pytest.mark.parametrize("topics, min_isr, urp, under_min", [
    ([topic("a", ([1, 2, 3], [1, 2, 3]))], {"a": 2}, [], []),
    ([topic("a", ([1, 2, 3], [1, 3]))], {"a": 2}, [("a", 0)], []),
    ([topic("a", ([1, 2, 3], [3]), ([1, 2, 3], [1, 2, 3]))], {"a": 2}, [("a", 0)], [("a", 0)]),
    # min ISR above the replication factor: fully replicated, still unwritable with acks=all.
    ([topic("b", ([1, 2], [1, 2]))], {"b": 3}, [], [("b", 0)]),
    # A topic whose config was not read counts min ISR 1 (Kafka's default).
    ([topic("c", ([1], []))], {}, [("c", 0)], [("c", 0)]),
], ids=["healthy", "under-replicated", "under-min-isr", "min-isr-above-rf", "no-config"])
def test_partition_state(topics, min_isr, urp, under_min):
    under_replicated, under_min_isr = kafka_health.partition_state(topics, min_isr)
    assert [(p["topic"], p["partition"]) for p in under_replicated] == urp
    assert [(p["topic"], p["partition"]) for p in under_min_isr] == under_min


def test_partition_problems_name_the_first_partitions_and_count_the_rest():
    parts = [{"topic": "t", "partition": i} for i in range(7)]
    (problem,) = kafka_health.partition_problems(parts, [])
    assert problem.startswith("7 partition(s) under-replicated: t-0, t-1, t-2, t-3, t-4 and 2 more")
    assert kafka_health.partition_problems([], []) == []


@pytest.mark.parametrize("params, ok", [
    ({"max_quorum_lag": 0}, True),
    ({"max_quorum_lag": -1}, False),
])
def test_check_params(params, ok):
    base = {"bootstrap_servers": ["127.0.0.1:9092"], "sasl_username": "a", "sasl_password": "b"}
    validated = ArgumentSpecValidator(kafka_health.argument_spec()).validate(dict(base, **params))
    assert validated.error_messages == []
    assert (kafka_health.check_params(validated.validated_parameters) == []) is ok
