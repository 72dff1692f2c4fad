"""Filter: turn inventory hosts carrying contract variables into plain node records."""

from ansible.errors import AnsibleFilterError


def meridian_nodes(hostvars, hosts):
    """One dict per host with the contract fields the layout filters work on.

    Roles need a cluster's peers (quorum voters, bootstrap servers, validation) from the whole
    inventory; collecting them here keeps that Jinja out of every role.
    """
    if isinstance(hosts, str):
        raise AnsibleFilterError("meridian_nodes expects a list of host names, not a string")
    nodes = []
    for name in hosts:
        hv = hostvars[name]
        topology = hv.get("meridian_topology", "single-region")
        region = hv.get("meridian_region", "")
        zone = hv.get("meridian_zone", "")
        # Same rule as the kafka role's kafka_broker_rack default: regions in a stretched cluster.
        rack = hv.get("kafka_broker_rack") or (region if topology == "stretched" else zone)
        nodes.append({
            "name": name,
            "cluster": hv.get("meridian_cluster"),
            "topology": topology,
            "roles": list(hv.get("meridian_roles", [])),
            "region": region,
            "zone": zone,
            "node_id": hv.get("meridian_node_id"),
            "address": hv.get("meridian_address"),
            "rack": rack,
        })
    return nodes


class FilterModule:
    def filters(self):
        return {"meridian_nodes": meridian_nodes}
