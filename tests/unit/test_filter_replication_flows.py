"""Unit tests for plugins/filter/replication_flows.py."""

import pytest
from ansible.errors import AnsibleFilterError

# conftest.py puts plugins/filter on sys.path.
import replication_flows as rf  # noqa: E402


def kafka(cluster, name=None):
    return {"name": name or cluster + "-kafka-1", "cluster": cluster, "roles": ["controller", "broker"]}


def worker(cluster, index=1):
    return {"name": "%s-mm2-%d" % (cluster, index), "cluster": cluster, "roles": ["mirror_maker"]}


# east and west with a worker each; edge has none; solo has workers but no Kafka host.
NODES = [kafka("east"), kafka("west"), kafka("edge"), kafka("core"),
         worker("east"), worker("west"), worker("west", 2), worker("core"), worker("solo")]


def flow(source, target, **extra):
    return dict(source=source, target=target, **extra)


def errors_of(flows, nodes=NODES):
    return rf.replication_flow_errors(flows, nodes)


# --------------------------------------------------------------------------
# replication_flows: defaults
# --------------------------------------------------------------------------

def test_defaults_are_filled_in():
    (normalized,) = rf.replication_flows([flow("east", "west")])
    assert normalized == {
        "name": "east-to-west", "source": "east", "target": "west",
        "topics": [".*"], "topics_exclude": [], "groups": [".*"], "groups_exclude": [],
        "replication_policy": "prefix",
        "policy_class": "org.apache.kafka.connect.mirror.DefaultReplicationPolicy",
        "sync_group_offsets": True, "exactly_once": False,
        "placement": "pull", "worker_cluster": "west",
    }


@pytest.mark.parametrize("given, key, expected", [
    pytest.param({"placement": "push"}, "worker_cluster", "east", id="push runs at the source"),
    pytest.param({"placement": "pull"}, "worker_cluster", "west", id="pull runs at the target"),
    pytest.param({"replication_policy": "identity"}, "policy_class",
                 "org.apache.kafka.connect.mirror.IdentityReplicationPolicy", id="identity policy class"),
    pytest.param({"name": "dr"}, "name", "dr", id="explicit name"),
    pytest.param({"topics": ["orders\\..*"]}, "topics", ["orders\\..*"], id="topics kept"),
    pytest.param({"exactly_once": True}, "exactly_once", True, id="exactly once"),
])
def test_given_values_are_kept(given, key, expected):
    (normalized,) = rf.replication_flows([flow("east", "west", **given)])
    assert normalized[key] == expected


@pytest.mark.parametrize("flows", [None, []])
def test_no_flows(flows):
    assert rf.replication_flows(flows) == []
    assert rf.replication_flow_errors(flows, NODES) == []


@pytest.mark.parametrize("flows", ["east->west", {"source": "east"}, [{"source": "east"}], ["x"]])
def test_replication_flows_rejects_unvalidated_input(flows):
    with pytest.raises(AnsibleFilterError):
        rf.replication_flows(flows)


# --------------------------------------------------------------------------
# replication_flow_errors: good declarations
# --------------------------------------------------------------------------

@pytest.mark.parametrize("flows", [
    pytest.param([flow("east", "west")], id="one pull flow"),
    pytest.param([flow("east", "west"), flow("west", "east")], id="active-active, prefix"),
    pytest.param([flow("edge", "core"), flow("east", "core", placement="push")], id="aggregation, pull and push"),
    pytest.param([flow("east", "west", replication_policy="identity", exactly_once=True)], id="migration"),
    pytest.param([flow("east", "west"), flow("west", "core"), flow("core", "east", replication_policy="identity")],
                 id="3-cycle with two consecutive prefix flows"),
    pytest.param([flow("east", "west", topics=["orders\\..*", "audit"], topics_exclude=[".*\\.tmp"],
                       groups=["orders-.*"], groups_exclude=["orders-test"], name="orders-dr",
                       sync_group_offsets=False)], id="every key"),
])
def test_good_flows(flows):
    assert errors_of(flows) == []


# --------------------------------------------------------------------------
# replication_flow_errors: bad declarations, one problem each
# --------------------------------------------------------------------------

@pytest.mark.parametrize("flows, expected", [
    pytest.param([flow("east", "nowhere")], "target 'nowhere' is not a Kafka cluster", id="unknown target"),
    pytest.param([flow("atlantis", "west")], "source 'atlantis' is not a Kafka cluster", id="unknown source"),
    pytest.param([flow("solo", "west")], "source 'solo' is not a Kafka cluster", id="cluster without Kafka hosts"),
    pytest.param([{"target": "west"}], "source must name a cluster", id="missing source"),
    pytest.param([flow("east", "east")], "source and target are both 'east'", id="source is target"),
    pytest.param([flow("east", "west", replication_policy="mirror")], "replication_policy 'mirror' is unknown",
                 id="bad policy"),
    pytest.param([flow("east", "west", placement="sideways")], "placement 'sideways' is unknown", id="bad placement"),
    pytest.param([flow("east", "edge")], "cluster 'edge', which has none", id="no worker for pull"),
    pytest.param([flow("edge", "east", placement="push")], "cluster 'edge', which has none", id="no worker for push"),
    pytest.param([flow("east", "west", topics=["orders("])], "is not a valid regular expression", id="bad regex"),
    pytest.param([flow("east", "west", groups_exclude=["[a-"])], "groups_exclude entry '[a-'", id="bad exclude regex"),
    pytest.param([flow("east", "west", topics=["a{1,3}"])], "contains a comma", id="comma in regex"),
    pytest.param([flow("east", "west", topics=[])], "topics is empty", id="empty topics"),
    pytest.param([flow("east", "west", topics="orders")], "topics must be a list", id="topics not a list"),
    pytest.param([flow("east", "west", topics=[""])], "is not a non-empty string", id="empty regex"),
    pytest.param([flow("east", "west", exactly_once="yes")], "exactly_once must be true or false", id="bool as string"),
    pytest.param([flow("east", "west", topic=[".*"])], "unknown key(s) 'topic'", id="typo in key"),
    pytest.param([flow("east", "west", name="a b")], "name 'a b' must be", id="bad name"),
    pytest.param([flow("east", "west"), flow("east", "west", name="second")], "overlap", id="overlapping flows"),
    pytest.param([flow("east", "west"), flow("west", "core", name="east-to-west")], "used 2 times",
                 id="duplicate name"),
    pytest.param([flow("east", "west", replication_policy="identity"), flow("west", "east")],
                 "an identity flow whose reverse flow exists", id="identity with reverse (prefix)"),
    pytest.param([flow("east", "west", replication_policy="identity"),
                  flow("west", "east", replication_policy="identity")],
                 "an identity flow whose reverse flow exists", id="identity both ways"),
    pytest.param([flow("east", "west", replication_policy="identity"), flow("west", "core", replication_policy="identity"),
                  flow("core", "east", replication_policy="identity")], "3 of its 3 flows use identity",
                 id="cycle of identity flows"),
    pytest.param([flow("east", "west", replication_policy="identity"), flow("west", "core", replication_policy="identity"),
                  flow("core", "east")], "2 of its 3 flows use identity", id="cycle with one prefix flow"),
    pytest.param([flow("east", "core", exactly_once=True), flow("west", "core")], "disagree on exactly_once",
                 id="exactly once differs on a shared worker"),
    pytest.param("east->west", "must be a list of flows", id="not a list"),
    pytest.param(["east->west"], "flow #1 must be a dict", id="flow not a dict"),
])
def test_bad_flows(flows, expected):
    errors = errors_of(flows)
    assert any(expected in e for e in errors), errors


def test_alias_must_not_contain_a_dot():
    nodes = NODES + [kafka("eu.central"), worker("eu.central")]
    assert any("cannot be a MirrorMaker alias" in e for e in errors_of([flow("eu.central", "west")], nodes))


def test_every_problem_is_reported_at_once():
    errors = errors_of([flow("east", "nowhere"), flow("west", "west", placement="up"),
                        flow("east", "west", topics=["("])])
    assert len(errors) == 4, errors
    assert errors[0].startswith("flow 'east-to-nowhere'")


def test_loops_are_found_even_when_a_flow_has_other_problems():
    errors = errors_of([flow("east", "west", replication_policy="identity"), flow("west", "east", placement="up")])
    assert any("placement 'up' is unknown" in e for e in errors), errors
    assert any("replication loop" in e for e in errors), errors


def test_exactly_once_may_differ_on_different_workers():
    # Push from east and pull into core run on different workers, each its own Connect cluster.
    flows = [flow("east", "core", placement="push", exactly_once=True), flow("west", "core")]
    assert errors_of(flows) == []


def test_nodes_must_be_a_list():
    with pytest.raises(AnsibleFilterError):
        rf.replication_flow_errors([], "east")


# --------------------------------------------------------------------------
# replication_worker
# --------------------------------------------------------------------------

ACTIVE_ACTIVE = [flow("east", "west"), flow("west", "east")]
EDGE_TO_CORE = [flow("edge", "core"), flow("east", "core", placement="push"), flow("west", "core", exactly_once=True)]


@pytest.mark.parametrize("flows, cluster, names, aliases, targets, idle", [
    pytest.param([flow("east", "west")], "west", ["east-to-west"], ["east", "west"], ["west"], [], id="pull worker"),
    pytest.param([flow("east", "west")], "east", [], [], [], [], id="source side of a pull flow: idle"),
    pytest.param(ACTIVE_ACTIVE, "east", ["west-to-east"], ["east", "west"], ["east"], [], id="active-active east"),
    pytest.param(EDGE_TO_CORE, "core", ["edge-to-core", "west-to-core"], ["core", "edge", "west"], ["core"], [],
                 id="aggregating pull worker"),
    pytest.param(EDGE_TO_CORE, "east", ["east-to-core"], ["core", "east"], ["core"], [], id="push worker"),
    pytest.param([flow("edge", "core"), flow("core", "west", placement="push")], "core",
                 ["edge-to-core", "core-to-west"], ["core", "edge", "west"], ["core", "west"],
                 ["west->core", "edge->west"], id="pull and push on one worker: idle pairs disabled"),
])
def test_replication_worker(flows, cluster, names, aliases, targets, idle):
    result = rf.replication_worker(flows, cluster)
    assert [f["name"] for f in result["flows"]] == names
    assert result["aliases"] == aliases
    assert result["targets"] == targets
    assert result["idle_pairs"] == idle


def test_replication_worker_exactly_once_targets():
    assert rf.replication_worker(EDGE_TO_CORE, "core")["exactly_once_targets"] == ["core"]
    assert rf.replication_worker(EDGE_TO_CORE, "east")["exactly_once_targets"] == []


def test_replication_worker_needs_a_cluster_name():
    with pytest.raises(AnsibleFilterError):
        rf.replication_worker([], None)


# --------------------------------------------------------------------------
# replication_acl_resource
# --------------------------------------------------------------------------

@pytest.mark.parametrize("pattern, expected", [
    pytest.param(".*", ("literal", "*"), id="everything"),
    pytest.param("orders", ("literal", "orders"), id="one name"),
    pytest.param("orders\\.v1", ("literal", "orders.v1"), id="escaped dot is literal"),
    pytest.param("^orders$", ("literal", "orders"), id="anchors"),
    pytest.param("orders\\..*", ("prefixed", "orders."), id="prefix"),
    pytest.param("orders.*", ("prefixed", "orders"), id="unescaped dot ends the prefix"),
    pytest.param("orders.v1", ("prefixed", "orders"), id="unescaped dot matches any character"),
    pytest.param("orders?", ("prefixed", "order"), id="optional last character"),
    pytest.param("order[sz]", ("prefixed", "order"), id="character class"),
    pytest.param("ab+c", ("prefixed", "ab"), id="repeated character"),
    pytest.param("a{2}", ("literal", "*"), id="quantified first character"),
    pytest.param("orders|audit", ("literal", "*"), id="alternation"),
    pytest.param("(orders)", ("literal", "*"), id="group first"),
    pytest.param("\\d+", ("literal", "*"), id="escape class first"),
])
def test_replication_acl_resource(pattern, expected):
    assert rf.replication_acl_resource(pattern) == expected


# --------------------------------------------------------------------------
# replication_internal_topics
# --------------------------------------------------------------------------

@pytest.mark.parametrize("flows, cluster, heartbeats, expected", [
    pytest.param([flow("east", "west")], "east", True, ["mm2-offset-syncs.west.internal"], id="source of a flow"),
    pytest.param([flow("east", "west")], "west", True, ["east.checkpoints.internal", "heartbeats"],
                 id="target of a flow"),
    pytest.param([flow("east", "west")], "west", False, ["east.checkpoints.internal"], id="heartbeats off"),
    pytest.param(ACTIVE_ACTIVE, "east", True,
                 ["heartbeats", "mm2-offset-syncs.west.internal", "west.checkpoints.internal"], id="active-active"),
    # Placement moves the workers, not the topics: a push flow's target topics are still on the core.
    pytest.param(EDGE_TO_CORE, "core", True,
                 ["east.checkpoints.internal", "edge.checkpoints.internal", "heartbeats",
                  "west.checkpoints.internal"], id="aggregating core, one heartbeats topic"),
    pytest.param(EDGE_TO_CORE, "east", True, ["mm2-offset-syncs.core.internal"], id="push source"),
    pytest.param([flow("east", "west")], "solo", True, [], id="outside every flow"),
    pytest.param(None, "east", True, [], id="no flows"),
])
def test_replication_internal_topics(flows, cluster, heartbeats, expected):
    assert rf.replication_internal_topics(flows, cluster, heartbeats) == expected


def test_replication_internal_topics_needs_a_cluster_name():
    with pytest.raises(AnsibleFilterError, match="cluster must be a string"):
        rf.replication_internal_topics([flow("east", "west")], None)


# --------------------------------------------------------------------------
# replication_acls
# --------------------------------------------------------------------------

def acls(flows, cluster, sync_topic_acls=True):
    return {(b["resource_type"], b["pattern_type"], b["resource_name"]): b["operations"]
            for b in rf.replication_acls(flows, cluster, sync_topic_acls)}


def test_source_acls_of_a_prefix_flow():
    assert acls([flow("east", "west")], "east") == {
        ("cluster", "literal", "kafka-cluster"): ["describe"],
        ("group", "literal", "*"): ["describe"],
        ("topic", "literal", "*"): ["describe", "describe_configs", "read"],
        ("topic", "prefixed", "mm2-offset-syncs."): ["create", "describe", "read", "write"],
    }


def test_target_acls_of_a_prefix_flow():
    assert acls([flow("east", "west")], "west") == {
        ("cluster", "literal", "kafka-cluster"): ["alter"],
        # Covers the Connect worker group 'east-mm2' too.
        ("group", "literal", "*"): ["describe", "read"],
        ("topic", "literal", "heartbeats"): ["create", "describe", "write"],
        ("topic", "prefixed", "east."): ["alter", "alter_configs", "create", "describe", "describe_configs",
                                         "read", "write"],
        ("topic", "prefixed", "mm2-"): ["create", "describe", "describe_configs", "read", "write"],
    }


@pytest.mark.parametrize("flows, cluster, key, expected", [
    pytest.param([flow("east", "west", topics=["orders\\..*"])], "east", ("topic", "prefixed", "orders."),
                 ["describe", "describe_configs", "read"], id="narrow topics: prefixed read"),
    pytest.param([flow("east", "west", topics=["orders\\..*"])], "east", ("topic", "literal", "heartbeats"),
                 ["describe", "describe_configs", "read"], id="source heartbeats always readable"),
    pytest.param([flow("east", "west", groups=["orders-.*"])], "west", ("group", "prefixed", "orders-"),
                 ["describe", "read"], id="narrow groups: prefixed on target"),
    pytest.param([flow("east", "west", groups=["orders-.*"])], "west", ("group", "literal", "east-mm2"),
                 ["describe", "read"], id="Connect worker group"),
    pytest.param([flow("east", "west", replication_policy="identity", topics=["orders\\..*"])], "west",
                 ("topic", "prefixed", "orders."),
                 ["alter", "alter_configs", "create", "describe", "describe_configs", "read", "write"],
                 id="identity writes source names"),
    pytest.param([flow("east", "west", exactly_once=True)], "west", ("transactional_id", "prefixed", "east-mm2-"),
                 ["describe", "write"], id="exactly once: task transactional ids"),
    pytest.param([flow("east", "west", exactly_once=True)], "west",
                 ("transactional_id", "literal", "connect-cluster-east-mm2"),
                 ["describe", "write"], id="exactly once: leader's transactional id"),
    pytest.param(ACTIVE_ACTIVE, "east", ("topic", "literal", "heartbeats"),
                 ["create", "describe", "describe_configs", "read", "write"], id="active-active merges"),
])
def test_acl_details(flows, cluster, key, expected):
    assert acls(flows, cluster)[key] == expected


@pytest.mark.parametrize("flows, cluster, absent", [
    pytest.param([flow("east", "west")], "west", ("transactional_id", "prefixed", "east-mm2-"),
                 id="no transactions without exactly once"),
    pytest.param([flow("east", "west", sync_group_offsets=False, groups=["orders-.*"])], "west",
                 ("group", "prefixed", "orders-"), id="no group writes without offset sync"),
    pytest.param([flow("east", "west", topics=["orders\\..*"])], "west", ("topic", "prefixed", "orders."),
                 id="prefix policy never writes source names"),
])
def test_acls_not_granted(flows, cluster, absent):
    assert absent not in acls(flows, cluster)


def test_no_cluster_acls_without_acl_sync():
    assert ("cluster", "literal", "kafka-cluster") not in acls([flow("east", "west")], "west", False)
    assert ("cluster", "literal", "kafka-cluster") not in acls([flow("east", "west")], "east", False)


def test_cluster_outside_every_flow_gets_nothing():
    assert rf.replication_acls([flow("east", "west")], "core") == []


def test_narrower_bindings_under_a_wildcard_are_dropped():
    result = acls([flow("east", "west", topics=[".*", "orders"])], "east")
    assert ("topic", "literal", "orders") not in result
    assert ("topic", "literal", "*") in result
