"""Filters: what a drill may touch, checked before anything changes.

drill_hosts      the fault hosts of a cluster (optionally one region): what the fault backends take
drill_problems   every reason a drill request must be refused, as sentences (empty list: go)
"""

SCENARIOS = {
    # scenario: (cluster roles it needs, flows it needs, topology of the victim cluster)
    "stretched-region-loss": (("cluster",), (), "stretched"),
    "linked-unplanned-failover": (("primary", "dr"), (("primary", "dr"),), None),
    "linked-planned-switchover": (("primary", "dr"), (("primary", "dr"),), None),
    "failback": (("primary", "dr"), (("primary", "dr"), ("dr", "primary")), None),
    "edge-disconnect": (("edge", "core"), (("edge", "core"),), None),
}


def drill_hosts(hostvars, hosts, cluster, region=None):
    """One dict per host of ``cluster`` (in ``region`` when given): name, address, region, zone,
    platform, roles, container/instance details from the contract's connection variables."""
    out = []
    for name in hosts:
        hv = hostvars[name]
        if hv.get("meridian_cluster") != cluster or (region and hv.get("meridian_region") != region):
            continue
        out.append({
            "name": name,
            "cluster": cluster,
            "address": hv.get("meridian_address"),
            "region": hv.get("meridian_region"),
            "zone": hv.get("meridian_zone"),
            "platform": hv.get("meridian_platform", "static"),
            "roles": list(hv.get("meridian_roles", [])),
            "container": hv.get("ansible_host", name),
        })
    return out


def _clusters(hostvars, hosts):
    clusters = {}
    for name in hosts:
        hv = hostvars[name]
        if hv.get("meridian_cluster"):
            clusters.setdefault(hv["meridian_cluster"], []).append((name, hv))
    return clusters


def drill_problems(scenario, hostvars, hosts, chosen, flows):
    """Reasons to refuse the drill.

    chosen: {"cluster": ..., "region": ..., "primary": ..., "dr": ..., "edge": ..., "core": ...}
    flows: the validated replication flows (replication_flows filter), each with source and target.
    """
    if scenario not in SCENARIOS:
        return ["drill_scenario %r is not one of: %s" % (scenario, ", ".join(sorted(SCENARIOS)))]
    needs, flow_needs, topology = SCENARIOS[scenario]
    clusters = _clusters(hostvars, hosts)
    problems = []
    for role in needs:
        name = chosen.get(role)
        if not name:
            problems.append("%s needs drill_%s (one of: %s)" % (scenario, role, ", ".join(sorted(clusters))))
        elif name not in clusters:
            problems.append("drill_%s=%s is not a cluster of this inventory (%s)" % (role, name, ", ".join(sorted(clusters))))
        else:
            refused = [host for host, hv in clusters[name] if hv.get("drill_allowed") is not True]
            if refused:
                problems.append("cluster %s is not marked drill_allowed: true (hosts %s); drills only touch "
                                "clusters that opt in" % (name, ", ".join(sorted(refused))))
    if problems:
        return problems
    names = [chosen[role] for role in needs]
    if len(set(names)) != len(names):
        problems.append("%s needs distinct clusters, got %s" % (scenario, ", ".join(names)))
    if topology:
        actual = clusters[chosen["cluster"]][0][1].get("meridian_topology")
        if actual != topology:
            problems.append("%s needs a %s cluster; %s is %s" % (scenario, topology, chosen["cluster"], actual))
        regions = sorted({hv.get("meridian_region") for _, hv in clusters[chosen["cluster"]]})
        if chosen.get("region") and chosen["region"] not in regions:
            problems.append("drill_region=%s is not a region of %s (%s)" % (chosen["region"], chosen["cluster"],
                                                                           ", ".join(regions)))
    pairs = {(f.get("source"), f.get("target")) for f in flows}
    for source_role, target_role in flow_needs:
        pair = (chosen[source_role], chosen[target_role])
        if pair not in pairs:
            problems.append("%s needs a replication flow %s -> %s in mirror_maker_flows (declared: %s)" % (
                scenario, pair[0], pair[1], ", ".join("%s -> %s" % p for p in sorted(pairs)) or "none"))
    return problems


def drill_cluster_names(chosen, scenario):
    """The clusters a scenario involves, in the order it names them (victim first)."""
    return [chosen[role] for role in SCENARIOS.get(scenario, ((), (), None))[0] if chosen.get(role)]


class FilterModule:
    def filters(self):
        return {"drill_hosts": drill_hosts, "drill_problems": drill_problems,
                "drill_cluster_names": drill_cluster_names}
