import pytest
from ansible.errors import AnsibleFilterError

from meridian_nodes import meridian_nodes


def hostvars_for(topology, **extra):
    base = {"meridian_cluster": "c", "meridian_topology": topology, "meridian_roles": ["broker"],
            "meridian_region": "eu-west", "meridian_zone": "eu-west-b", "meridian_node_id": 7,
            "meridian_address": "127.5.0.7"}
    base.update(extra)
    return {"h": base}


@pytest.mark.parametrize("topology, extra, rack", [
    ("stretched", {}, "eu-west"),              # regions are racks: replicas spread across regions
    ("single-region", {}, "eu-west-b"),        # zones are racks inside one region
    ("linked", {}, "eu-west-b"),
    ("stretched", {"kafka_broker_rack": "custom"}, "custom"),  # an explicit rack wins
])
def test_rack_follows_the_topology(topology, extra, rack):
    (node,) = meridian_nodes(hostvars_for(topology, **extra), ["h"])
    assert node["rack"] == rack


def test_copies_the_contract_fields():
    (node,) = meridian_nodes(hostvars_for("stretched"), ["h"])
    assert node == {"name": "h", "cluster": "c", "topology": "stretched", "roles": ["broker"],
                    "region": "eu-west", "zone": "eu-west-b", "node_id": 7, "address": "127.5.0.7",
                    "rack": "eu-west"}


def test_missing_topology_means_single_region():
    hv = hostvars_for("x")
    del hv["h"]["meridian_topology"]
    assert meridian_nodes(hv, ["h"])[0]["topology"] == "single-region"


def test_rejects_a_string_of_hosts():
    with pytest.raises(AnsibleFilterError):
        meridian_nodes({}, "h")
