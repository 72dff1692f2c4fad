"""drill_plan filters: which hosts a fault takes, and every reason a drill is refused."""

import pytest

from drill_plan import drill_cluster_names, drill_hosts, drill_problems


def host(cluster, region, roles=("controller", "broker"), topology="linked", allowed=True, platform="lab", n=1):
    hv = {"meridian_cluster": cluster, "meridian_region": region, "meridian_zone": region + "a",
          "meridian_roles": list(roles), "meridian_topology": topology, "meridian_platform": platform,
          "meridian_address": "127.%d.0.%d" % (len(cluster), n), "ansible_host": "meridian-%s-%d" % (cluster, n)}
    if allowed is not None:
        hv["drill_allowed"] = allowed
    return hv


HOSTVARS = {
    "s-a": host("stretched", "us-east", topology="stretched"),
    "s-b": host("stretched", "us-west", topology="stretched", n=2),
    "s-c": host("stretched", "eu-west", topology="stretched", n=3),
    "east-1": host("east", "us-east-2"),
    "east-mm2": host("east", "us-east-2", roles=("mirror_maker",), n=2),
    "west-1": host("west", "us-west-2"),
    "single-1": host("single", "eu-central", topology="single-region", allowed=False),
    "other-1": host("other", "ap-south", allowed=None),
}
HOSTS = sorted(HOSTVARS)
FLOWS = [{"source": "east", "target": "west"}, {"source": "west", "target": "east"}]


def chosen(**kw):
    base = dict(cluster="", region="", primary="", dr="", edge="", core="")
    base.update(kw)
    return base


def test_drill_hosts_of_a_cluster_and_region():
    everything = drill_hosts(HOSTVARS, HOSTS, "east")
    assert [h["name"] for h in everything] == ["east-1", "east-mm2"]
    assert everything[1]["roles"] == ["mirror_maker"] and everything[0]["container"] == "meridian-east-1"
    assert [h["name"] for h in drill_hosts(HOSTVARS, HOSTS, "stretched", "us-west")] == ["s-b"]
    assert drill_hosts(HOSTVARS, HOSTS, "nowhere") == []


@pytest.mark.parametrize("scenario, pick, expected", [
    ("stretched-region-loss", chosen(cluster="stretched"), []),
    ("stretched-region-loss", chosen(cluster="stretched", region="us-east"), []),
    ("linked-unplanned-failover", chosen(primary="east", dr="west"), []),
    ("failback", chosen(primary="east", dr="west"), []),
    ("edge-disconnect", chosen(edge="east", core="west"), []),
])
def test_good_requests_pass(scenario, pick, expected):
    assert drill_problems(scenario, HOSTVARS, HOSTS, pick, FLOWS) == expected


@pytest.mark.parametrize("scenario, pick, flows, fragment", [
    ("chaos-monkey", chosen(), FLOWS, "is not one of"),
    ("stretched-region-loss", chosen(), FLOWS, "needs drill_cluster"),
    ("stretched-region-loss", chosen(cluster="nope"), FLOWS, "is not a cluster of this inventory"),
    ("stretched-region-loss", chosen(cluster="single"), FLOWS, "single is not marked drill_allowed"),
    ("stretched-region-loss", chosen(cluster="east"), FLOWS, "needs a stretched cluster; east is linked"),
    ("stretched-region-loss", chosen(cluster="stretched", region="mars"), FLOWS, "drill_region=mars is not a region"),
    ("linked-unplanned-failover", chosen(primary="east", dr="other"), FLOWS, "other is not marked drill_allowed"),
    ("linked-unplanned-failover", chosen(primary="east", dr="east"), FLOWS, "needs distinct clusters"),
    ("linked-unplanned-failover", chosen(primary="east", dr="west"), [], "needs a replication flow east -> west"),
    ("failback", chosen(primary="east", dr="west"), FLOWS[:1], "needs a replication flow west -> east"),
    ("edge-disconnect", chosen(edge="east"), FLOWS, "needs drill_core"),
])
def test_bad_requests_are_refused(scenario, pick, flows, fragment):
    problems = drill_problems(scenario, HOSTVARS, HOSTS, pick, flows)
    assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize("scenario, pick, expected", [
    ("stretched-region-loss", chosen(cluster="stretched", primary="east"), ["stretched"]),
    ("failback", chosen(primary="east", dr="west"), ["east", "west"]),
    ("edge-disconnect", chosen(edge="edge-1", core="core"), ["edge-1", "core"]),
    ("unknown", chosen(primary="east"), []),
])
def test_drill_cluster_names(scenario, pick, expected):
    assert drill_cluster_names(pick, scenario) == expected
