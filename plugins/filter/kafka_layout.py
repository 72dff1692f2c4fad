# -*- coding: utf-8 -*-
"""Filters that check and derive the layout of Meridian Kafka clusters.

Pure functions over plain data: the playbooks collect one dict per host
(cluster, topology, roles, region, zone, node_id, rack, address) and feed
them here. Layout problems come back as data (a list of messages) so one
assert can show every problem at once; AnsibleFilterError is raised only
when an argument has the wrong type (a bug in the calling play).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

TOPOLOGIES = ("single-region", "stretched", "linked")
ROLES = ("controller", "broker", "mirror_maker")
KAFKA_ROLES = ("controller", "broker")


# --------------------------------------------------------------------------
# argument checks and small helpers
# --------------------------------------------------------------------------

def _is_int(value):
    # bool is an int subclass; True must not pass as node id 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_list(value):
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _check_nodes(nodes, filter_name):
    if not _is_list(nodes):
        raise AnsibleFilterError(
            "%s: nodes must be a list of dicts, got %s" % (filter_name, type(nodes).__name__))
    for index, node in enumerate(nodes):
        if not isinstance(node, Mapping):
            raise AnsibleFilterError(
                "%s: nodes[%d] must be a dict, got %s" % (filter_name, index, type(node).__name__))


def _check_settings(settings, filter_name):
    if not isinstance(settings, Mapping):
        raise AnsibleFilterError(
            "%s: settings must be a dict of cluster name to settings, got %s"
            % (filter_name, type(settings).__name__))


def _name(node, index):
    return str(node.get("name") or "<host #%d>" % index)


def _roles(node):
    roles = node.get("roles")
    return [str(r) for r in roles] if _is_list(roles) else []


def _quoted(names):
    return ", ".join("'%s'" % n for n in names)


def _plural(count, word):
    return "%d %s%s" % (count, word, "" if count == 1 else "s")


def _by_cluster(nodes):
    """Group hosts by cluster, keeping each host's inventory index for naming."""
    clusters = {}
    for index, node in enumerate(nodes):
        clusters.setdefault(str(node.get("cluster") or ""), []).append((index, node))
    return clusters


def _region(node):
    return str(node.get("region") or "")


def _topology(members):
    """The cluster's topology, or None when its hosts disagree."""
    found = {str(node.get("topology") or "") for _, node in members}
    return found.pop() if len(found) == 1 else None


def _replica_settings(settings, cluster):
    """(replication_factor, min_insync_replicas) when both are usable ints, else None."""
    entry = settings.get(cluster)
    if not isinstance(entry, Mapping):
        return None
    rf, isr = entry.get("replication_factor"), entry.get("min_insync_replicas")
    return (rf, isr) if _is_int(rf) and _is_int(isr) else None


def _worst_replicas_per_region(brokers, rf):
    """Most replicas of one partition that can land in each region.

    Kafka's rack-aware placement hands replicas out level by level: every
    rack gets its k-th replica before any rack gets its (k+1)-th, and a rack
    never holds more replicas than it has brokers. With racks = regions and
    enough brokers this is ceil(RF / regions); fewer brokers in one region
    push the surplus into the others, so we compute it instead of assuming.
    A broker without a rack is counted under its region (the fix we ask for).
    """
    capacity, rack_region = {}, {}
    for node in brokers:
        rack = str(node.get("rack") or "") or "region:" + _region(node)
        capacity[rack] = capacity.get(rack, 0) + 1
        rack_region.setdefault(rack, _region(node))
    rf = min(rf, sum(capacity.values()))
    if rf <= 0 or not capacity:
        return {}

    def filled(level):
        return sum(min(cap, level) for cap in capacity.values())

    level = 0
    while level < max(capacity.values()) and filled(level + 1) <= rf:
        level += 1
    extra = rf - filled(level)  # one more replica each for `extra` racks still below capacity
    worst = {}
    for region in set(rack_region.values()):
        racks = [r for r in capacity if rack_region[r] == region]
        base = sum(min(capacity[r], level) for r in racks)
        open_racks = sum(1 for r in racks if capacity[r] > level)
        worst[region] = base + min(extra, open_racks)
    return worst


def _region_counts(members):
    counts = {}
    for node in members:
        counts[_region(node)] = counts.get(_region(node), 0) + 1
    return counts


# --------------------------------------------------------------------------
# kafka_layout_errors
# --------------------------------------------------------------------------

def _host_errors(members):
    errors = []
    ids = {}
    for index, node in members:
        name, roles = _name(node, index), _roles(node)
        if not _is_list(node.get("roles")):
            errors.append("host '%s' has roles %r; roles must be a list of %s"
                          % (name, node.get("roles"), ", ".join(ROLES)))
        unknown = sorted(set(roles) - set(ROLES))
        if unknown:
            errors.append("host '%s' has unknown role(s) %s; use %s"
                          % (name, _quoted(unknown), ", ".join(ROLES)))
        if not _region(node):
            errors.append("host '%s' has no region; set its region" % name)
        if not any(r in KAFKA_ROLES for r in roles):
            continue
        node_id = node.get("node_id")
        if not _is_int(node_id) or node_id < 0:
            errors.append("host '%s' (%s) needs an integer node_id >= 0, got %r"
                          % (name, "+".join(r for r in roles if r in KAFKA_ROLES), node_id))
        else:
            ids.setdefault(node_id, []).append(name)
    for node_id, names in sorted(ids.items()):
        if len(names) > 1:
            errors.append("node_id %d is used by hosts %s; node ids must be unique within a cluster"
                          % (node_id, _quoted(sorted(names))))
    return errors


def _count_errors(controllers, brokers):
    errors = []
    if not controllers:
        errors.append("has no controller; give at least one host (3 for fault tolerance) "
                      "the controller role")
    elif len(controllers) % 2 == 0:
        # A quorum of 2k tolerates k-1 failures, the same as 2k-1: the extra voter only
        # adds a member that has to be up.
        errors.append("has %d controllers; use an odd number (%d or %d): an even count "
                      "tolerates no more failures than one controller fewer"
                      % (len(controllers), len(controllers) - 1, len(controllers) + 1))
    if not brokers:
        errors.append("has no broker; give at least one host the broker role")
    return errors


def _settings_errors(settings, cluster, broker_count):
    if cluster not in settings:
        return ["has hosts but no settings; add replication_factor and "
                "min_insync_replicas for it"]
    entry = settings[cluster]
    if not isinstance(entry, Mapping):
        return ["settings must be a dict with replication_factor and "
                "min_insync_replicas, got %r" % (entry,)]
    errors = []
    rf, isr = entry.get("replication_factor"), entry.get("min_insync_replicas")
    for key, value in (("replication_factor", rf), ("min_insync_replicas", isr)):
        if not _is_int(value):
            errors.append("%s must be an integer, got %r" % (key, value))
    if _is_int(rf):
        if rf < 1:
            errors.append("replication_factor %d must be at least 1" % rf)
        elif broker_count and rf > broker_count:
            errors.append("replication_factor %d exceeds the %s; lower it or add brokers"
                          % (rf, _plural(broker_count, "broker")))
    if _is_int(isr):
        if isr < 1:
            errors.append("min_insync_replicas %d must be at least 1" % isr)
        elif _is_int(rf) and rf >= 1 and isr > rf:
            errors.append("min_insync_replicas %d exceeds replication_factor %d; acks=all "
                          "writes could never succeed" % (isr, rf))
    return errors


def _span(counts):
    return ", ".join("'%s' (%s)" % (region, _plural(n, "host")) for region, n in sorted(counts.items()))


def _stretched_errors(members, controllers, brokers, replicas):
    errors = []
    no_rack = sorted(_name(node, i) for i, node in members
                     if "broker" in _roles(node) and not str(node.get("rack") or ""))
    if no_rack:
        errors.append("brokers without a rack: %s; a stretched cluster needs broker.rack "
                      "(the region) on every broker so replicas spread across regions"
                      % _quoted(no_rack))
    rack_regions = {}
    for node in brokers:
        if node.get("rack"):
            rack_regions.setdefault(str(node["rack"]), set()).add(_region(node))
    for rack, regions in sorted(rack_regions.items()):
        if len(regions) > 1:
            # Rack-aware placement only separates racks; a rack spanning regions
            # lets every replica of a partition sit in one region.
            errors.append("rack '%s' spans regions %s; a rack must stay inside one region"
                          % (rack, _quoted(sorted(regions))))

    broker_regions = _region_counts(brokers)
    if brokers and len(broker_regions) < 2:
        errors.append("all brokers are in region '%s'; a stretched cluster needs brokers in at "
                      "least 2 regions (or use topology single-region)" % next(iter(broker_regions)))

    if controllers:
        majority = len(controllers) // 2 + 1
        for region, count in sorted(_region_counts(controllers).items()):
            if count >= majority:
                errors.append(
                    "region '%s' holds %d of %s, a majority: losing that region stops the "
                    "metadata quorum; spread controllers so no region holds %d, e.g. add a "
                    "third region or a tiebreaker controller site"
                    % (region, count, _plural(len(controllers), "controller"), majority))

    if replicas is not None:
        rf, isr = replicas
        if rf < 2:
            errors.append("replication_factor %d keeps each partition in one region; a "
                          "stretched cluster needs at least 2" % rf)
        worst = _worst_replicas_per_region(brokers, rf)
        if rf >= 1 and len(worst) >= 2:
            most = max(worst.values())
            need = max(2, most + 1)
            if isr < need:
                errors.append(
                    "min_insync_replicas %d is too low: with rack-aware placement up to %d of "
                    "the %d replicas land in one region, so an acks=all write could be "
                    "confirmed by one region alone; set min_insync_replicas to at least %d"
                    % (isr, most, rf, need))
        elif isr < 2:
            errors.append("min_insync_replicas %d is too low; a stretched cluster needs at "
                          "least 2" % isr)
    return errors


def kafka_layout_errors(nodes, settings):
    """Sorted messages, each 'cluster '<name>': <problem and fix>'; [] when the layout is sound."""
    _check_nodes(nodes, "kafka_layout_errors")
    _check_settings(settings, "kafka_layout_errors")
    errors = []
    for cluster, members in _by_cluster(nodes).items():
        hosts = [node for _, node in members]
        controllers = [n for n in hosts if "controller" in _roles(n)]
        brokers = [n for n in hosts if "broker" in _roles(n)]
        found = []
        found += _host_errors(members)
        found += _count_errors(controllers, brokers)
        found += _settings_errors(settings, cluster, len(brokers))

        topology = _topology(members)
        regions = _region_counts(hosts)
        if topology is None:
            found.append("hosts disagree on topology (%s); give the cluster one topology"
                         % _quoted(sorted({str(n.get("topology") or "") for n in hosts})))
        elif topology not in TOPOLOGIES:
            found.append("unknown topology '%s'; use one of %s" % (topology, ", ".join(TOPOLOGIES)))
        elif topology == "single-region" and len(regions) > 1:
            found.append("topology single-region but hosts span %d regions: %s; move them into "
                         "one region or use topology stretched or linked"
                         % (len(regions), _span(regions)))
        elif topology == "linked" and len(regions) > 1:
            found.append("topology linked but hosts span %d regions: %s; each linked cluster "
                         "lives in one region (split it into one cluster per region)"
                         % (len(regions), _span(regions)))
        elif topology == "stretched":
            found += _stretched_errors(members, controllers, brokers,
                                       _replica_settings(settings, cluster))
        errors += ["cluster '%s': %s" % (cluster, message) for message in found]
    return sorted(errors)


# --------------------------------------------------------------------------
# kafka_region_loss_tolerance
# --------------------------------------------------------------------------

def kafka_region_loss_tolerance(nodes, settings):
    """For each stretched cluster: does it keep a controller majority / accept acks=all
    writes after losing any one region? Informational, for warnings."""
    _check_nodes(nodes, "kafka_region_loss_tolerance")
    _check_settings(settings, "kafka_region_loss_tolerance")
    result = {}
    for cluster, members in _by_cluster(nodes).items():
        if _topology(members) != "stretched":
            continue
        hosts = [node for _, node in members]
        controllers = [n for n in hosts if "controller" in _roles(n)]
        brokers = [n for n in hosts if "broker" in _roles(n)]
        per_region = _region_counts(controllers)
        majority = len(controllers) // 2 + 1
        controllers_survive = bool(controllers) and all(
            len(controllers) - per_region.get(region, 0) >= majority for region in _region_counts(hosts))

        writes_survive = False
        replicas = _replica_settings(settings, cluster)
        if replicas is not None and brokers:
            rf, isr = replicas
            rf = min(rf, len(brokers))  # a partition cannot have more replicas than brokers
            worst = _worst_replicas_per_region(brokers, rf)
            # Replicas left after the worst region goes must still satisfy min ISR.
            writes_survive = bool(worst) and rf - max(worst.values()) >= isr >= 1
        result[cluster] = {"controllers_survive": controllers_survive,
                           "writes_survive": writes_survive}
    return result


# --------------------------------------------------------------------------
# connection strings
# --------------------------------------------------------------------------

def _check_cluster_nodes(nodes, cluster, filter_name):
    _check_nodes(nodes, filter_name)
    if not isinstance(cluster, str):
        raise AnsibleFilterError("%s: cluster must be a string, got %s"
                                 % (filter_name, type(cluster).__name__))


def _has_role(node, cluster, role):
    return str(node.get("cluster") or "") == cluster and role in _roles(node)


def _members_with_role(nodes, cluster, port, role, filter_name):
    _check_cluster_nodes(nodes, cluster, filter_name)
    if not (_is_int(port) or (isinstance(port, str) and port.isdigit())):
        raise AnsibleFilterError("%s: port must be an integer, got %r" % (filter_name, port))
    members = []
    for index, node in enumerate(nodes):
        if not _has_role(node, cluster, role):
            continue
        # Without an id or address no usable string exists; kafka_layout_errors
        # explains the layout, this only refuses to emit a broken one.
        if not _is_int(node.get("node_id")) or not node.get("address"):
            raise AnsibleFilterError("%s: %s host '%s' needs an integer node_id and an address"
                                     % (filter_name, role, _name(node, index)))
        members.append(node)
    return sorted(members, key=lambda n: n["node_id"]), int(port)


def _hostport(address, port):
    address = str(address)
    # IPv6 literals need brackets in host:port strings.
    return "[%s]:%d" % (address, port) if ":" in address else "%s:%d" % (address, port)


def kafka_controller_voters(nodes, cluster, port):
    """controller.quorum.voters for the cluster: 'id@host:port,...' by node_id."""
    members, port = _members_with_role(nodes, cluster, port, "controller", "kafka_controller_voters")
    return ",".join("%d@%s" % (n["node_id"], _hostport(n["address"], port)) for n in members)


def kafka_bootstrap_servers(nodes, cluster, port):
    """bootstrap.servers for the cluster's brokers: 'host:port,...' by node_id."""
    members, port = _members_with_role(nodes, cluster, port, "broker", "kafka_bootstrap_servers")
    return ",".join(_hostport(n["address"], port) for n in members)


def kafka_brokers(nodes, cluster):
    """The cluster's broker nodes, in inventory order. Unlike the connection strings it needs no
    id or address: replication factors are capped by its length before validation has run."""
    _check_cluster_nodes(nodes, cluster, "kafka_brokers")
    return [n for n in nodes if _has_role(n, cluster, "broker")]


class FilterModule:
    def filters(self):
        return {
            "kafka_layout_errors": kafka_layout_errors,
            "kafka_region_loss_tolerance": kafka_region_loss_tolerance,
            "kafka_controller_voters": kafka_controller_voters,
            "kafka_bootstrap_servers": kafka_bootstrap_servers,
            "kafka_brokers": kafka_brokers,
        }
