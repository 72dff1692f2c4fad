"""Unit tests for plugins/filter/kafka_layout.py."""


import pytest
from ansible.errors import AnsibleFilterError

# conftest.py puts plugins/filter on sys.path.
import kafka_layout as kl  # noqa: E402


# --------------------------------------------------------------------------
# layout builders
# --------------------------------------------------------------------------

def host(name, roles, region, node_id=None, cluster="c", topology="stretched", rack=None,
         zone=None, address=None):
    return {
        "name": name, "cluster": cluster, "topology": topology, "roles": list(roles),
        "region": region, "zone": zone or region + "-1", "node_id": node_id,
        "rack": region if rack is None and "broker" in roles else rack,
        "address": address,
    }


def cluster(controllers, brokers, cluster="c", topology="stretched", first_id=1):
    """Dedicated controllers and brokers: {region: count} each; ids count up from first_id."""
    nodes, next_id = [], first_id
    for role, per_region in (("controller", controllers), ("broker", brokers)):
        for region, count in per_region.items():
            for i in range(1, count + 1):
                nodes.append(host("%s-%s-%s-%d" % (cluster, region, role, i), [role], region,
                                  next_id, cluster=cluster, topology=topology))
                next_id += 1
    return nodes


def settings(rf=3, isr=2, name="c"):
    return {name: {"replication_factor": rf, "min_insync_replicas": isr}}


GOOD_STRETCHED = cluster({"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1, "c": 1})


def errors_of(nodes, sets):
    errors = kl.kafka_layout_errors(nodes, sets)
    assert errors == sorted(errors)
    assert all(e.startswith("cluster '") for e in errors)
    return errors


# --------------------------------------------------------------------------
# good layouts
# --------------------------------------------------------------------------

@pytest.mark.parametrize("nodes, sets", [
    pytest.param(GOOD_STRETCHED, settings(3, 2), id="3 regions x 1 controller, RF3 ISR2"),
    pytest.param(cluster({"a": 2, "b": 2, "tie": 1}, {"a": 2, "b": 2}), settings(4, 3),
                 id="2 regions + tiebreaker controller, RF4 ISR3"),
    pytest.param(cluster({"a": 1, "b": 1, "tie": 1}, {"a": 2, "b": 2}), settings(2, 2),
                 id="tiebreaker, RF2 ISR2"),
    pytest.param(cluster({"a": 3}, {"a": 3}, topology="single-region"), settings(3, 2),
                 id="single-region 3+3"),
    pytest.param(cluster({"a": 1}, {"a": 1}, topology="single-region"), settings(1, 1),
                 id="single-region 1+1 RF1"),
    pytest.param(cluster({"a": 3}, {"a": 3}, cluster="east", topology="linked")
                 + cluster({"b": 3}, {"b": 3}, cluster="west", topology="linked"),
                 {**settings(3, 2, "east"), **settings(3, 2, "west")}, id="two linked clusters"),
    # The kafka role's default for a linked cluster with one broker (the lab's linked topologies).
    pytest.param([host("east-1", ["controller", "broker"], "a", 1, cluster="east", topology="linked"),
                  host("west-1", ["controller", "broker"], "b", 1, cluster="west", topology="linked")],
                 {**settings(1, 1, "east"), **settings(1, 1, "west")}, id="two single-node linked clusters, RF1"),
    pytest.param([host("n%d" % i, ["controller", "broker"], "a", i, topology="single-region")
                  for i in range(3)], settings(3, 2), id="combined nodes, node id 0"),
    pytest.param(cluster({"a": 3}, {"a": 3}, topology="single-region")
                 + [host("mm", ["mirror_maker"], "a", None, topology="single-region")],
                 settings(3, 2), id="mirror maker without node id"),
    pytest.param([], {}, id="empty estate"),
])
def test_good_layouts(nodes, sets):
    assert errors_of(nodes, sets) == []


def test_settings_for_unused_cluster_are_ignored():
    assert errors_of(GOOD_STRETCHED, {**settings(3, 2), "other": {}}) == []


# --------------------------------------------------------------------------
# node ids
# --------------------------------------------------------------------------

@pytest.mark.parametrize("bad_id", [None, -1, "3", 2.0, True])
def test_node_id_must_be_non_negative_int(bad_id):
    nodes = cluster({"a": 3}, {"a": 3}, topology="single-region")
    nodes[4]["node_id"] = bad_id
    assert errors_of(nodes, settings()) == [
        "cluster 'c': host 'c-a-broker-2' (broker) needs an integer node_id >= 0, got %r" % (bad_id,)]


def test_node_id_message_names_combined_roles():
    nodes = [host("n1", ["controller", "broker"], "a", None, topology="single-region")]
    assert errors_of(nodes, settings(1, 1)) == [
        "cluster 'c': host 'n1' (controller+broker) needs an integer node_id >= 0, got None"]


def test_duplicate_node_ids_name_both_hosts():
    nodes = cluster({"a": 3}, {"a": 3}, topology="single-region")
    nodes[5]["node_id"] = nodes[1]["node_id"]  # broker-3 reuses controller-2's id (2)
    assert errors_of(nodes, settings()) == [
        "cluster 'c': node_id 2 is used by hosts 'c-a-broker-3', 'c-a-controller-2'; "
        "node ids must be unique within a cluster"]


def test_duplicate_node_ids_name_every_host():
    nodes = [host(n, ["controller", "broker"], "a", 7, topology="single-region") for n in "xyz"]
    assert errors_of(nodes, settings()) == [
        "cluster 'c': node_id 7 is used by hosts 'x', 'y', 'z'; "
        "node ids must be unique within a cluster"]


def test_same_node_id_in_different_clusters_is_fine():
    nodes = (cluster({"a": 3}, {"a": 3}, cluster="east", topology="linked")
             + cluster({"b": 3}, {"b": 3}, cluster="west", topology="linked"))
    assert {n["node_id"] for n in nodes if n["cluster"] == "east"} == \
           {n["node_id"] for n in nodes if n["cluster"] == "west"}
    assert errors_of(nodes, {**settings(3, 2, "east"), **settings(3, 2, "west")}) == []


# --------------------------------------------------------------------------
# role counts
# --------------------------------------------------------------------------

@pytest.mark.parametrize("count, fix", [(2, "(1 or 3)"), (4, "(3 or 5)"), (6, "(5 or 7)")])
def test_even_controller_count(count, fix):
    nodes = cluster({"a": count}, {"a": 3}, topology="single-region")
    assert errors_of(nodes, settings()) == [
        "cluster 'c': has %d controllers; use an odd number %s: an even count tolerates no "
        "more failures than one controller fewer" % (count, fix)]


@pytest.mark.parametrize("count", [1, 3, 5])
def test_odd_controller_count(count):
    assert errors_of(cluster({"a": count}, {"a": 3}, topology="single-region"), settings()) == []


def test_no_controller():
    errors = errors_of(cluster({}, {"a": 3}, topology="single-region"), settings())
    assert errors == ["cluster 'c': has no controller; give at least one host (3 for fault "
                      "tolerance) the controller role"]


def test_no_broker():
    errors = errors_of(cluster({"a": 3}, {}, topology="single-region"), settings())
    assert errors == ["cluster 'c': has no broker; give at least one host the broker role"]


def test_unknown_role_and_bad_roles_type():
    nodes = cluster({"a": 3}, {"a": 3}, topology="single-region")
    nodes.append(host("odd", ["zookeeper"], "a", topology="single-region"))
    nodes.append(host("str", [], "a", topology="single-region"))
    nodes[-1]["roles"] = "broker"
    assert errors_of(nodes, settings()) == [
        "cluster 'c': host 'odd' has unknown role(s) 'zookeeper'; use controller, broker, mirror_maker",
        "cluster 'c': host 'str' has roles 'broker'; roles must be a list of controller, broker, "
        "mirror_maker",
    ]


def test_missing_region():
    nodes = cluster({"a": 3}, {"a": 3}, topology="single-region")
    nodes[0]["region"] = ""
    errors = errors_of(nodes, settings())
    assert "cluster 'c': host 'c-a-controller-1' has no region; set its region" in errors


# --------------------------------------------------------------------------
# replication settings
# --------------------------------------------------------------------------

@pytest.mark.parametrize("rf, isr, expected", [
    (3, 2, None),
    (3, 3, None),
    (1, 1, None),
    (4, 2, "replication_factor 4 exceeds the 3 brokers; lower it or add brokers"),
    (0, 1, "replication_factor 0 must be at least 1"),
    (3, 0, "min_insync_replicas 0 must be at least 1"),
    (2, 3, "min_insync_replicas 3 exceeds replication_factor 2; acks=all writes could never succeed"),
    ("3", 2, "replication_factor must be an integer, got '3'"),
    (3, None, "min_insync_replicas must be an integer, got None"),
])
def test_replication_settings(rf, isr, expected):
    nodes = cluster({"a": 3}, {"a": 3}, topology="single-region")
    assert errors_of(nodes, settings(rf, isr)) == ([] if expected is None else ["cluster 'c': " + expected])


def test_replication_factor_against_one_broker():
    nodes = cluster({"a": 1}, {"a": 1}, topology="single-region")
    assert errors_of(nodes, settings(2, 1)) == [
        "cluster 'c': replication_factor 2 exceeds the 1 broker; lower it or add brokers"]


def test_missing_settings():
    nodes = cluster({"a": 3}, {"a": 3}, cluster="orders", topology="single-region")
    assert errors_of(nodes, settings(name="other")) == [
        "cluster 'orders': has hosts but no settings; add replication_factor and "
        "min_insync_replicas for it"]


def test_settings_not_a_dict():
    nodes = cluster({"a": 3}, {"a": 3}, topology="single-region")
    assert errors_of(nodes, {"c": [3, 2]}) == [
        "cluster 'c': settings must be a dict with replication_factor and min_insync_replicas, "
        "got [3, 2]"]


# --------------------------------------------------------------------------
# topology
# --------------------------------------------------------------------------

@pytest.mark.parametrize("topology", ["multi-region", "", "Stretched"])
def test_unknown_topology(topology):
    nodes = cluster({"a": 3}, {"a": 3}, topology=topology)
    assert errors_of(nodes, settings()) == [
        "cluster 'c': unknown topology '%s'; use one of single-region, stretched, linked" % topology]


def test_hosts_disagree_on_topology():
    nodes = cluster({"a": 3}, {"a": 3}, topology="single-region")
    nodes[0]["topology"] = "linked"
    assert errors_of(nodes, settings()) == [
        "cluster 'c': hosts disagree on topology ('linked', 'single-region'); give the cluster "
        "one topology"]


def test_single_region_spanning_regions():
    nodes = cluster({"a": 3}, {"a": 2, "b": 1}, topology="single-region")
    assert errors_of(nodes, settings()) == [
        "cluster 'c': topology single-region but hosts span 2 regions: 'a' (5 hosts), "
        "'b' (1 host); move them into one region or use topology stretched or linked"]


def test_linked_cluster_spanning_regions():
    nodes = (cluster({"a": 3}, {"a": 3}, cluster="east", topology="linked")
             + cluster({"b": 3}, {"b": 2, "c": 1}, cluster="west", topology="linked"))
    assert errors_of(nodes, {**settings(3, 2, "east"), **settings(3, 2, "west")}) == [
        "cluster 'west': topology linked but hosts span 2 regions: 'b' (5 hosts), 'c' (1 host); "
        "each linked cluster lives in one region (split it into one cluster per region)"]


def test_errors_are_prefixed_and_sorted_across_clusters():
    nodes = (cluster({"a": 2}, {"a": 3}, cluster="zeta", topology="single-region")
             + cluster({"a": 3}, {}, cluster="alpha", topology="single-region"))
    errors = errors_of(nodes, {**settings(3, 2, "zeta"), **settings(3, 2, "alpha")})
    assert [e.split(":")[0] for e in errors] == ["cluster 'alpha'", "cluster 'zeta'"]


# --------------------------------------------------------------------------
# stretched
# --------------------------------------------------------------------------

MAJORITY = ("region '%s' holds %d of %d controllers, a majority: losing that region stops the "
            "metadata quorum; spread controllers so no region holds %d, e.g. add a third region "
            "or a tiebreaker controller site")


@pytest.mark.parametrize("controllers, expected", [
    ({"a": 1, "b": 1, "c": 1}, []),
    ({"a": 1, "b": 1, "tie": 1}, []),
    ({"a": 2, "b": 2, "c": 1}, []),
    ({"a": 2, "b": 1}, [MAJORITY % ("a", 2, 3, 2)]),
    ({"b": 3}, [MAJORITY % ("b", 3, 3, 2)]),
    ({"a": 3, "b": 1, "c": 1}, [MAJORITY % ("a", 3, 5, 3)]),
])
def test_stretched_controller_majority(controllers, expected):
    nodes = cluster(controllers, {"a": 2, "b": 2})
    assert errors_of(nodes, settings(4, 3)) == ["cluster 'c': " + e for e in expected]


def test_stretched_single_controller_is_a_majority():
    nodes = cluster({"a": 1}, {"a": 1, "b": 1})
    assert errors_of(nodes, settings(2, 2)) == [
        "cluster 'c': region 'a' holds 1 of 1 controller, a majority: losing that region stops "
        "the metadata quorum; spread controllers so no region holds 1, e.g. add a third region "
        "or a tiebreaker controller site"]


def test_stretched_combined_nodes_count_as_controllers():
    nodes = [host("a1", ["controller", "broker"], "a", 1), host("a2", ["controller", "broker"], "a", 2),
             host("b1", ["controller", "broker"], "b", 3)]
    assert errors_of(nodes, settings(3, 3)) == ["cluster 'c': " + MAJORITY % ("a", 2, 3, 2)]


ISR_LOW = ("min_insync_replicas %d is too low: with rack-aware placement up to %d of the %d "
           "replicas land in one region, so an acks=all write could be confirmed by one region "
           "alone; set min_insync_replicas to at least %d")


@pytest.mark.parametrize("brokers, rf, isr, expected", [
    ({"a": 1, "b": 1, "c": 1}, 3, 2, []),                       # ceil(3/3)=1 < 2
    ({"a": 2, "b": 2, "c": 2}, 6, 3, []),                       # ceil(6/3)=2 < 3
    ({"a": 2, "b": 2, "c": 2}, 6, 2, [ISR_LOW % (2, 2, 6, 3)]),
    ({"a": 2, "b": 2}, 4, 2, [ISR_LOW % (2, 2, 4, 3)]),         # ceil(4/2)=2, not > 2
    ({"a": 2, "b": 2}, 4, 3, []),
    ({"a": 2, "b": 2}, 3, 2, [ISR_LOW % (2, 2, 3, 3)]),         # ceil(3/2)=2
    ({"a": 2, "b": 2}, 3, 3, []),
    ({"a": 1, "b": 1}, 2, 2, []),
    ({"a": 2, "b": 2, "c": 2}, 3, 2, []),                       # RF below the region count is fine
    ({"a": 3, "b": 1}, 4, 3, [ISR_LOW % (3, 3, 4, 4)]),         # b has one broker, a takes the rest
    ({"a": 3, "b": 1}, 4, 4, []),
])
def test_stretched_acks_all_reaches_two_regions(brokers, rf, isr, expected):
    nodes = cluster({"a": 1, "b": 1, "c": 1}, brokers)
    assert errors_of(nodes, settings(rf, isr)) == ["cluster 'c': " + e for e in expected]


def test_stretched_min_isr_one():
    nodes = cluster({"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1, "c": 1})
    assert errors_of(nodes, settings(3, 1)) == ["cluster 'c': " + ISR_LOW % (1, 1, 3, 2)]


def test_stretched_rf_one():
    nodes = cluster({"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1})
    assert errors_of(nodes, settings(1, 1)) == [
        "cluster 'c': " + ISR_LOW % (1, 1, 1, 2),
        "cluster 'c': replication_factor 1 keeps each partition in one region; a stretched "
        "cluster needs at least 2",
    ]


def test_stretched_racks_per_zone_count_per_region():
    # Region a has two racks (zones), region b one: placement spreads RF 6 over three
    # racks, 2 each, so region a holds 4 replicas where ceil(6/2) would say 3.
    nodes = cluster({"a": 1, "b": 1, "c": 1}, {"a": 4, "b": 2})
    for node in nodes:
        if node["region"] == "a" and "broker" in node["roles"]:
            node["rack"] = "a-1" if node["name"].endswith(("1", "2")) else "a-2"
    assert errors_of(nodes, settings(6, 4)) == ["cluster 'c': " + ISR_LOW % (4, 4, 6, 5)]
    assert errors_of(nodes, settings(6, 5)) == []


@pytest.mark.parametrize("rack", [None, ""])
def test_stretched_broker_needs_rack(rack):
    nodes = cluster({"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1, "c": 1})
    for node in nodes:
        if node["name"] in ("c-a-broker-1", "c-c-broker-1"):
            node["rack"] = rack
    assert errors_of(nodes, settings(3, 2)) == [
        "cluster 'c': brokers without a rack: 'c-a-broker-1', 'c-c-broker-1'; a stretched "
        "cluster needs broker.rack (the region) on every broker so replicas spread across regions"]


def test_single_region_broker_without_rack_is_fine():
    nodes = cluster({"a": 3}, {"a": 3}, topology="single-region")
    for node in nodes:
        node["rack"] = ""
    assert errors_of(nodes, settings()) == []


def test_stretched_rack_spanning_regions():
    nodes = cluster({"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1, "c": 1})
    for node in nodes:
        node["rack"] = "r1" if "broker" in node["roles"] else None
    errors = errors_of(nodes, settings(3, 2))
    assert "cluster 'c': rack 'r1' spans regions 'a', 'b', 'c'; a rack must stay inside one " \
           "region" in errors


def test_stretched_brokers_in_one_region():
    nodes = cluster({"a": 1, "b": 1, "c": 1}, {"a": 3})
    assert errors_of(nodes, settings(3, 2)) == [
        "cluster 'c': all brokers are in region 'a'; a stretched cluster needs brokers in at "
        "least 2 regions (or use topology single-region)"]


def test_stretched_everything_wrong_at_once():
    nodes = cluster({"a": 2, "b": 2}, {"a": 2})
    nodes[-1]["rack"] = ""
    errors = errors_of(nodes, settings(3, 1))
    joined = "\n".join(errors)
    for fact in ("has 4 controllers", "replication_factor 3 exceeds the 2 brokers",
                 "brokers without a rack: 'c-a-broker-2'", "all brokers are in region 'a'",
                 "min_insync_replicas 1 is too low"):
        assert fact in joined
    # An even split holds no majority; the even-count rule reports the problem instead.
    assert "a majority" not in joined


# --------------------------------------------------------------------------
# kafka_region_loss_tolerance
# --------------------------------------------------------------------------

@pytest.mark.parametrize("controllers, brokers, rf, isr, expected", [
    ({"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1, "c": 1}, 3, 2, (True, True)),
    ({"a": 1, "b": 1, "c": 1}, {"a": 2, "b": 2}, 4, 2, (True, True)),
    ({"a": 1, "b": 1, "c": 1}, {"a": 2, "b": 2}, 4, 3, (True, False)),
    ({"a": 1, "b": 1, "tie": 1}, {"a": 2, "b": 2}, 3, 3, (True, False)),
    ({"a": 2, "b": 1}, {"a": 1, "b": 1, "c": 1}, 3, 2, (False, True)),
    ({"a": 1}, {"a": 1, "b": 1}, 2, 2, (False, False)),
    ({"a": 2, "b": 2, "c": 1}, {"a": 2, "b": 2, "c": 2}, 6, 3, (True, True)),
    ({"a": 2, "b": 2, "c": 1}, {"a": 2, "b": 2, "c": 2}, 6, 4, (True, True)),
    ({"a": 2, "b": 2, "c": 1}, {"a": 2, "b": 2, "c": 2}, 6, 5, (True, False)),
    ({}, {"a": 1, "b": 1}, 2, 1, (False, True)),
    ({"a": 1, "b": 1, "c": 1}, {"a": 3}, 3, 2, (True, False)),
])
def test_region_loss_tolerance(controllers, brokers, rf, isr, expected):
    nodes = cluster(controllers, brokers)
    assert kl.kafka_region_loss_tolerance(nodes, settings(rf, isr)) == {
        "c": {"controllers_survive": expected[0], "writes_survive": expected[1]}}


def test_region_loss_tolerance_controllers_only_region_loss():
    # Losing a broker-only region never costs controllers.
    nodes = cluster({"a": 1, "b": 1, "c": 1}, {"d": 1, "e": 1})
    assert kl.kafka_region_loss_tolerance(nodes, settings(2, 1))["c"]["controllers_survive"] is True


def test_region_loss_tolerance_only_stretched_and_missing_settings():
    nodes = (cluster({"a": 3}, {"a": 3}, cluster="solo", topology="single-region")
             + cluster({"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1, "c": 1}, cluster="wide"))
    assert kl.kafka_region_loss_tolerance(nodes, {}) == {
        "wide": {"controllers_survive": True, "writes_survive": False}}


# --------------------------------------------------------------------------
# connection strings
# --------------------------------------------------------------------------

ADDRESSED = [
    host("c3", ["controller"], "a", 3, address="127.1.0.3"),
    host("c1", ["controller"], "b", 1, address="127.1.0.1"),
    host("cb2", ["controller", "broker"], "c", 2, address="127.1.0.2"),
    host("b5", ["broker"], "a", 5, address="127.1.0.5"),
    host("b4", ["broker"], "b", 4, address="127.1.0.4"),
    host("mm", ["mirror_maker"], "a", None, address="127.1.0.9"),
    host("x1", ["controller", "broker"], "a", 1, cluster="other", address="127.2.0.1"),
]


@pytest.mark.parametrize("port", [9093, "9093"])
def test_controller_voters(port):
    assert kl.kafka_controller_voters(ADDRESSED, "c", port) == \
        "1@127.1.0.1:9093,2@127.1.0.2:9093,3@127.1.0.3:9093"


def test_bootstrap_servers():
    assert kl.kafka_bootstrap_servers(ADDRESSED, "c", 9092) == \
        "127.1.0.2:9092,127.1.0.4:9092,127.1.0.5:9092"


def test_connection_strings_other_cluster_and_unknown_cluster():
    assert kl.kafka_controller_voters(ADDRESSED, "other", 9093) == "1@127.2.0.1:9093"
    assert kl.kafka_bootstrap_servers(ADDRESSED, "other", 9092) == "127.2.0.1:9092"
    assert kl.kafka_controller_voters(ADDRESSED, "nope", 9093) == ""
    assert kl.kafka_bootstrap_servers(ADDRESSED, "nope", 9092) == ""


def test_ipv6_addresses_are_bracketed():
    nodes = [host("v6", ["controller", "broker"], "a", 0, address="fd00::1")]
    assert kl.kafka_controller_voters(nodes, "c", 9093) == "0@[fd00::1]:9093"
    assert kl.kafka_bootstrap_servers(nodes, "c", 9092) == "[fd00::1]:9092"


@pytest.mark.parametrize("field, value", [("node_id", None), ("address", None), ("address", "")])
def test_connection_strings_refuse_incomplete_hosts(field, value):
    nodes = [dict(n) for n in ADDRESSED]
    nodes[2][field] = value
    for func in (kl.kafka_controller_voters, kl.kafka_bootstrap_servers):
        with pytest.raises(AnsibleFilterError, match="host 'cb2' needs an integer node_id and an address"):
            func(nodes, "c", 9093)


@pytest.mark.parametrize("cluster, names", [
    ("c", ["cb2", "b5", "b4"]),    # inventory order; controller-only hosts and workers left out
    ("other", ["x1"]),
    ("nope", []),
])
def test_brokers_of_a_cluster(cluster, names):
    assert [n["name"] for n in kl.kafka_brokers(ADDRESSED, cluster)] == names


def test_brokers_need_no_id_or_address():
    # Replication factors are capped by the broker count before validation has looked at ids.
    assert len(kl.kafka_brokers([host("b", ["broker"], "a", None)], "c")) == 1


@pytest.mark.parametrize("nodes, cluster, match", [
    ("x", "c", "nodes must be a list"),
    ([], None, "cluster must be a string"),
])
def test_brokers_reject_wrong_types(nodes, cluster, match):
    with pytest.raises(AnsibleFilterError, match=match):
        kl.kafka_brokers(nodes, cluster)


# --------------------------------------------------------------------------
# argument types
# --------------------------------------------------------------------------

@pytest.mark.parametrize("nodes, sets, match", [
    ("nodes", {}, "nodes must be a list of dicts, got str"),
    ({"name": "x"}, {}, "nodes must be a list of dicts, got dict"),
    (None, {}, "nodes must be a list of dicts, got NoneType"),
    (["host"], {}, r"nodes\[0\] must be a dict, got str"),
    ([], [], "settings must be a dict"),
    ([], None, "settings must be a dict"),
])
@pytest.mark.parametrize("func", [kl.kafka_layout_errors, kl.kafka_region_loss_tolerance])
def test_layout_filters_reject_wrong_types(func, nodes, sets, match):
    with pytest.raises(AnsibleFilterError, match=match):
        func(nodes, sets)


@pytest.mark.parametrize("nodes, name, port, match", [
    ("x", "c", 9093, "nodes must be a list"),
    ([], 1, 9093, "cluster must be a string"),
    ([], "c", "ninety", "port must be an integer"),
    ([], "c", None, "port must be an integer"),
    ([], "c", True, "port must be an integer"),
])
@pytest.mark.parametrize("func", [kl.kafka_controller_voters, kl.kafka_bootstrap_servers])
def test_connection_filters_reject_wrong_types(func, nodes, name, port, match):
    with pytest.raises(AnsibleFilterError, match=match):
        func(nodes, name, port)


def test_filter_module_exports():
    assert set(kl.FilterModule().filters()) == {
        "kafka_layout_errors", "kafka_region_loss_tolerance",
        "kafka_controller_voters", "kafka_bootstrap_servers", "kafka_brokers"}
