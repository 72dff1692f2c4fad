# -*- coding: utf-8 -*-
"""Filters for MirrorMaker 2 replication flows (inventory variable mirror_maker_flows).

Pure functions over plain data. A flow is a dict:

    source, target        cluster names from the inventory (meridian_cluster)
    name                  default '<source>-to-<target>'
    topics, groups        regexes MM2 matches whole names against, default ['.*']
    topics_exclude,
    groups_exclude        regexes, default []
    replication_policy    'prefix' (DefaultReplicationPolicy: 'east.orders') or
                          'identity' (IdentityReplicationPolicy: 'orders'), default 'prefix'
    sync_group_offsets    bool, default true
    exactly_once          bool, default false (KIP-618 on the target's Connect worker)
    placement             'pull' (workers of the target cluster, default) or
                          'push' (workers of the source cluster)

Problems with the declared flows come back as data (replication_flow_errors, every problem
at once); AnsibleFilterError is raised only when the calling play passes the wrong type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

POLICIES = {
    "prefix": "org.apache.kafka.connect.mirror.DefaultReplicationPolicy",
    "identity": "org.apache.kafka.connect.mirror.IdentityReplicationPolicy",
}
PLACEMENTS = ("pull", "push")
FLOW_KEYS = ("name", "source", "target", "topics", "topics_exclude", "groups", "groups_exclude",
             "replication_policy", "sync_group_offsets", "exactly_once", "placement")
REGEX_KEYS = ("topics", "topics_exclude", "groups", "groups_exclude")
KAFKA_ROLES = ("controller", "broker")
# An alias appears in property keys ('east->west.enabled', 'east.bootstrap.servers') and, with
# the prefix policy, before the first '.' of remote topic names.
ALIAS_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")

# Operations the MM2 principal needs, by what the resource is to it (see roles/mirror_maker/README.md).
SOURCE_TOPIC_OPS = ("read", "describe", "describe_configs")
REMOTE_TOPIC_OPS = ("create", "read", "write", "describe", "describe_configs", "alter", "alter_configs")
INTERNAL_TOPIC_OPS = ("create", "read", "write", "describe", "describe_configs")
OFFSET_SYNCS_OPS = ("create", "read", "write", "describe")
HEARTBEATS_OPS = ("create", "write", "describe")


def _is_list(value):
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _quoted(names):
    return ", ".join("'%s'" % n for n in names)


def _flow_label(flow, index):
    if isinstance(flow, Mapping):
        name = flow.get("name")
        if isinstance(name, str) and name:
            return "flow '%s'" % name
        source, target = flow.get("source"), flow.get("target")
        if isinstance(source, str) and isinstance(target, str):
            return "flow '%s-to-%s'" % (source, target)
    return "flow #%d" % (index + 1)


# --------------------------------------------------------------------------
# replication_flows: defaults filled in
# --------------------------------------------------------------------------

def _normalize(flow):
    source, target = flow["source"], flow["target"]
    placement = flow.get("placement", "pull")
    policy = flow.get("replication_policy", "prefix")
    return {
        "name": flow.get("name") or "%s-to-%s" % (source, target),
        "source": source,
        "target": target,
        "topics": list(flow.get("topics", [".*"])),
        "topics_exclude": list(flow.get("topics_exclude", [])),
        "groups": list(flow.get("groups", [".*"])),
        "groups_exclude": list(flow.get("groups_exclude", [])),
        "replication_policy": policy,
        "policy_class": POLICIES.get(policy, ""),
        "sync_group_offsets": bool(flow.get("sync_group_offsets", True)),
        "exactly_once": bool(flow.get("exactly_once", False)),
        "placement": placement,
        # The cluster whose mirror_maker hosts run the flow.
        "worker_cluster": target if placement == "pull" else source,
    }


def replication_flows(flows):
    """The flows with every default filled in (call replication_flow_errors first)."""
    if flows is None:
        return []
    if not _is_list(flows) or not all(isinstance(f, Mapping) for f in flows):
        raise AnsibleFilterError("replication_flows: expected a list of flow dicts, got %r" % (flows,))
    for index, flow in enumerate(flows):
        if not isinstance(flow.get("source"), str) or not isinstance(flow.get("target"), str):
            raise AnsibleFilterError("replication_flows: %s needs source and target; run "
                                     "replication_flow_errors first" % _flow_label(flow, index))
    return [_normalize(flow) for flow in flows]


# --------------------------------------------------------------------------
# replication_flow_errors
# --------------------------------------------------------------------------

def _check_nodes(nodes, filter_name):
    if not _is_list(nodes) or not all(isinstance(n, Mapping) for n in nodes):
        raise AnsibleFilterError("%s: nodes must be a list of dicts (meridian_nodes), got %s"
                                 % (filter_name, type(nodes).__name__))


def _roles(node):
    roles = node.get("roles")
    return [str(r) for r in roles] if _is_list(roles) else []


def _regex_errors(label, key, value):
    if not _is_list(value):
        return ["%s: %s must be a list of regular expressions, got %r" % (label, key, value)]
    errors = []
    if not value and key in ("topics", "groups"):
        errors.append("%s: %s is empty, so the flow would replicate nothing; remove the flow "
                      "or list at least one pattern ('.*' for all)" % (label, key))
    for pattern in value:
        if not isinstance(pattern, str) or not pattern:
            errors.append("%s: %s entry %r is not a non-empty string" % (label, key, pattern))
            continue
        if "," in pattern:
            # MM2 reads these as comma-separated lists.
            errors.append("%s: %s entry '%s' contains a comma, which MirrorMaker reads as a list "
                          "separator; split it into several entries" % (label, key, pattern))
        try:
            re.compile(pattern)
        except re.error as exc:
            errors.append("%s: %s entry '%s' is not a valid regular expression (%s)"
                          % (label, key, pattern, exc))
    return errors


def _field_errors(flow, label, clusters):
    errors = []
    unknown = sorted(set(flow) - set(FLOW_KEYS))
    if unknown:
        errors.append("%s: unknown key(s) %s; flows take %s" % (label, _quoted(unknown), ", ".join(FLOW_KEYS)))
    known = ", ".join(sorted(clusters)) or "none"
    for key in ("source", "target"):
        value = flow.get(key)
        if not isinstance(value, str) or not value:
            errors.append("%s: %s must name a cluster of the inventory (%s)" % (label, key, known))
        elif value not in clusters:
            errors.append("%s: %s '%s' is not a Kafka cluster of the inventory (known: %s)"
                          % (label, key, value, known))
        elif not ALIAS_RE.match(value):
            errors.append("%s: cluster name '%s' cannot be a MirrorMaker alias; use letters, digits, "
                          "'_' and '-' only (no '.')" % (label, value))
    if isinstance(flow.get("source"), str) and flow.get("source") == flow.get("target"):
        errors.append("%s: source and target are both '%s'; a flow links two different clusters"
                      % (label, flow["source"]))
    name = flow.get("name")
    if name is not None and (not isinstance(name, str) or not NAME_RE.match(name)):
        errors.append("%s: name %r must be a non-empty string of letters, digits, '.', '_' and '-'"
                      % (label, name))
    policy = flow.get("replication_policy", "prefix")
    if policy not in POLICIES:
        errors.append("%s: replication_policy %r is unknown; use prefix (remote topics named "
                      "'<source>.<topic>') or identity (same names)" % (label, policy))
    placement = flow.get("placement", "pull")
    if placement not in PLACEMENTS:
        errors.append("%s: placement %r is unknown; use pull (run on the target's mirror_maker hosts) "
                      "or push (on the source's)" % (label, placement))
    for key in ("sync_group_offsets", "exactly_once"):
        if key in flow and not isinstance(flow[key], bool):
            errors.append("%s: %s must be true or false, got %r" % (label, key, flow[key]))
    for key in REGEX_KEYS:
        if key in flow:
            errors += _regex_errors(label, key, flow[key])
    return errors


def _simple_cycles(edges):
    """Every simple cycle of a small directed graph, each as a list of edges, once."""
    nodes = sorted({n for edge in edges for n in edge})
    out = {}
    for source, target in edges:
        out.setdefault(source, []).append(target)
    cycles = []

    def walk(start, path):
        for nxt in sorted(out.get(path[-1], [])):
            if nxt == start:
                cycles.append(list(zip(path, path[1:] + [start])))
            elif nxt not in path and nxt > start:
                walk(start, path + [nxt])

    # Starting each cycle at its smallest node finds it exactly once.
    for start in nodes:
        walk(start, [start])
    return cycles


def _cycle_errors(valid):
    """Loops of records: MM2 only recognises a record coming home by the remote-topic prefix
    ('west.east.orders' reaching east), and IdentityReplicationPolicy adds none. Along a cycle,
    a prefix flow into cluster C stops the loop only if the flow leaving C also adds a prefix
    (C's own name then appears in the topic when it comes back to C)."""
    policy = {(f["source"], f["target"]): f["replication_policy"] for f in valid}
    errors = []
    for cycle in _simple_cycles(sorted(policy)):
        steps = len(cycle)
        stops = any(policy[cycle[i]] == "prefix" and policy[cycle[(i + 1) % steps]] == "prefix"
                    for i in range(steps))
        if stops:
            continue
        path = " -> ".join([edge[0] for edge in cycle] + [cycle[0][0]])
        identity = [edge for edge in cycle if policy[edge] == "identity"]
        if steps == 2:
            errors.append("flows %s form a replication loop: an identity flow whose reverse flow exists "
                          "would copy records back and forth forever; use replication_policy prefix "
                          "in both directions" % path)
        else:
            errors.append("flows %s form a replication loop: %d of its %d flows use identity, so a "
                          "record never carries the name of the cluster it came from; use "
                          "replication_policy prefix on consecutive flows of the cycle"
                          % (path, len(identity), steps))
    return errors


def replication_flow_errors(flows, nodes):
    """Every problem with the declared flows, as messages; [] when they are sound.

    nodes: meridian_nodes of the Kafka and mirror_maker hosts (cluster, roles, name).
    """
    _check_nodes(nodes, "replication_flow_errors")
    if flows is None:
        return []
    if not _is_list(flows):
        return ["mirror_maker_flows must be a list of flows (dicts with source and target), got %r"
                % (flows,)]
    clusters = sorted({str(n.get("cluster")) for n in nodes
                       if n.get("cluster") and any(r in KAFKA_ROLES for r in _roles(n))})
    workers = {}
    for node in nodes:
        if "mirror_maker" in _roles(node):
            workers.setdefault(str(node.get("cluster") or ""), []).append(str(node.get("name")))

    errors, valid, names, pairs = [], [], {}, {}
    for index, flow in enumerate(flows):
        label = _flow_label(flow, index)
        if not isinstance(flow, Mapping):
            errors.append("%s must be a dict with source and target, got %r" % (label, flow))
            continue
        found = _field_errors(flow, label, clusters)
        errors += found
        source, target = flow.get("source"), flow.get("target")
        if (source in clusters and target in clusters and source != target
                and flow.get("replication_policy", "prefix") in POLICIES):
            # Enough to take part in the overlap and loop checks, whatever else is wrong.
            linked = _normalize(flow)
            names.setdefault(linked["name"], []).append(index)
            pairs.setdefault((source, target), []).append(linked)
        if found:
            continue
        flow = _normalize(flow)
        valid.append(flow)
        if not workers.get(flow["worker_cluster"]):
            errors.append("%s: placement %s runs it on the mirror_maker hosts of cluster '%s', which has "
                          "none; add a host with role mirror_maker to that cluster or change the "
                          "placement" % (label, flow["placement"], flow["worker_cluster"]))

    for name, indexes in sorted(names.items()):
        if len(indexes) > 1:
            errors.append("flow name '%s' is used %d times; names must be unique" % (name, len(indexes)))
    for (source, target), linked in sorted(pairs.items()):
        if len(linked) > 1:
            errors.append("flows %s overlap: each replicates %s -> %s; MirrorMaker runs one flow per "
                          "source and target, so merge their topic and group patterns into one flow"
                          % (_quoted(f["name"] for f in linked), source, target))
    errors += _cycle_errors([linked[0] for linked in pairs.values() if len(linked) == 1])

    # MM2 enables exactly-once on the target cluster's Connect worker, not per flow.
    by_worker_target = {}
    for flow in valid:
        key = (flow["worker_cluster"], flow["target"])
        by_worker_target.setdefault(key, []).append(flow)
    for (worker, target), shared in sorted(by_worker_target.items()):
        if len({f["exactly_once"] for f in shared}) > 1:
            errors.append("flows %s all run on the workers of '%s' into '%s' but disagree on exactly_once, "
                          "which MirrorMaker sets per target cluster; give them the same value"
                          % (_quoted(f["name"] for f in shared), worker, target))
    return errors


# --------------------------------------------------------------------------
# replication_worker: what the workers of one cluster run
# --------------------------------------------------------------------------

def replication_worker(flows, cluster):
    """For a mirror_maker host of `cluster`: the flows it runs, the MM2 cluster aliases
    (mm2.properties `clusters`), the targets it drives (`--clusters`), the targets that need
    exactly-once, and the idle pairs: every other source->target among its aliases that MM2
    would otherwise start a herder for (it creates one per pair for heartbeats)."""
    if not isinstance(cluster, str):
        raise AnsibleFilterError("replication_worker: cluster must be a string, got %r" % (cluster,))
    runs = [f for f in replication_flows(flows) if f["worker_cluster"] == cluster]
    aliases = sorted({f["source"] for f in runs} | {f["target"] for f in runs})
    targets = sorted({f["target"] for f in runs})
    running = {(f["source"], f["target"]) for f in runs}
    idle = ["%s->%s" % (s, t) for t in targets for s in aliases if s != t and (s, t) not in running]
    return {
        "flows": runs,
        "aliases": aliases,
        "targets": targets,
        "exactly_once_targets": sorted({f["target"] for f in runs if f["exactly_once"]}),
        "idle_pairs": idle,
    }


# --------------------------------------------------------------------------
# replication_internal_topics: MM2's one-shot topics on one cluster
# --------------------------------------------------------------------------

def replication_internal_topics(flows, cluster, heartbeats=True):
    """Names of the internal topics MirrorMaker's connectors create on `cluster` once, as a flow
    starts, with no retry: a flow's offset-syncs topic on its source, its checkpoints topic and
    (with heartbeats on) the heartbeats topic on its target. Connect's own topics (configs,
    offsets, status) are left out: each worker creates them as it starts, with retries, and a
    worker without them runs no flow, which the health gates report."""
    if not isinstance(cluster, str):
        raise AnsibleFilterError("replication_internal_topics: cluster must be a string, got %r" % (cluster,))
    names = set()
    for f in replication_flows(flows):
        if f["source"] == cluster:
            names.add("mm2-offset-syncs.%s.internal" % f["target"])
        if f["target"] == cluster:
            names.add("%s.checkpoints.internal" % f["source"])
            if heartbeats:
                names.add("heartbeats")
    return sorted(names)


# --------------------------------------------------------------------------
# replication_acls: what the MM2 principal needs on one cluster
# --------------------------------------------------------------------------

_META = set(".^$*+?{}[]()|\\")


def replication_acl_resource(pattern):
    """(pattern_type, resource_name) of the narrowest Kafka ACL resource that covers every name
    the regex matches in full (MM2 matches whole names): a literal name, a prefix, or '*'."""
    if not isinstance(pattern, str):
        raise AnsibleFilterError("replication_acl_resource: expected a regex string, got %r" % (pattern,))
    if "|" in pattern:
        return ("literal", "*")
    body = pattern[1:] if pattern.startswith("^") else pattern
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    prefix, index = [], 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body) and body[index + 1] in ".-_":
            token, step = body[index + 1], 2
        elif char in _META:
            break
        else:
            token, step = char, 1
        following = body[index + step:index + step + 1]
        if following in ("?", "*", "{"):
            # The character may be absent or repeated: the prefix ends before it.
            break
        prefix.append(token)
        index += step
        if following == "+":
            break
    else:
        return ("literal", "".join(prefix)) if prefix else ("literal", "*")
    return ("prefixed", "".join(prefix)) if prefix else ("literal", "*")


def _add(bindings, resource_type, pattern_type, name, operations):
    key = (resource_type, pattern_type, name)
    bindings.setdefault(key, set()).update(operations)


def _add_patterns(bindings, resource_type, patterns, operations):
    for pattern in patterns:
        pattern_type, name = replication_acl_resource(pattern)
        _add(bindings, resource_type, pattern_type, name, operations)


def replication_acls(flows, cluster, sync_topic_acls=True):
    """ACL bindings (resource_type, resource_name, pattern_type, operations) the MirrorMaker
    principal needs on `cluster` for every flow that reads from or writes to it."""
    if not isinstance(cluster, str):
        raise AnsibleFilterError("replication_acls: cluster must be a string, got %r" % (cluster,))
    bindings = {}
    for flow in replication_flows(flows):
        source, target = flow["source"], flow["target"]
        if cluster == source:
            # Read what is replicated (plus upstream heartbeats, always replicated), describe the
            # groups whose offsets are checkpointed, and keep the offset-syncs topic here.
            _add_patterns(bindings, "topic", flow["topics"], SOURCE_TOPIC_OPS)
            _add(bindings, "topic", "literal", "heartbeats", SOURCE_TOPIC_OPS)
            _add(bindings, "topic", "prefixed", "mm2-offset-syncs.", OFFSET_SYNCS_OPS)
            _add_patterns(bindings, "group", flow["groups"], ("describe",))
            if sync_topic_acls:
                _add(bindings, "cluster", "literal", "kafka-cluster", ("describe",))
        if cluster == target:
            # Remote topics, '<source>.checkpoints.internal' and '<source>.heartbeats' all carry
            # the source prefix; identity flows also write the source's own names.
            _add(bindings, "topic", "prefixed", source + ".", REMOTE_TOPIC_OPS)
            if flow["replication_policy"] == "identity":
                _add_patterns(bindings, "topic", flow["topics"], REMOTE_TOPIC_OPS)
            _add(bindings, "topic", "literal", "heartbeats", HEARTBEATS_OPS)
            # The Connect worker's internal topics (mm2-configs/offsets/status.<source>.internal).
            _add(bindings, "topic", "prefixed", "mm2-", INTERNAL_TOPIC_OPS)
            _add(bindings, "group", "literal", source + "-mm2", ("read", "describe"))
            if flow["sync_group_offsets"]:
                _add_patterns(bindings, "group", flow["groups"], ("read", "describe"))
            if flow["exactly_once"]:
                # Task producers '<group>-<connector>-<task>' and the leader's config producer.
                _add(bindings, "transactional_id", "prefixed", source + "-mm2-", ("write", "describe"))
                _add(bindings, "transactional_id", "literal", "connect-cluster-" + source + "-mm2",
                     ("write", "describe"))
            if sync_topic_acls:
                _add(bindings, "cluster", "literal", "kafka-cluster", ("alter",))
    # A '*' binding makes narrower ones of the same type redundant when it has their operations.
    result = []
    for (resource_type, pattern_type, name), operations in sorted(bindings.items()):
        wildcard = bindings.get((resource_type, "literal", "*"), set())
        if name != "*" and operations <= wildcard:
            continue
        result.append({"resource_type": resource_type, "resource_name": name,
                       "pattern_type": pattern_type, "operations": sorted(operations)})
    return result


class FilterModule:
    def filters(self):
        return {
            "replication_flows": replication_flows,
            "replication_flow_errors": replication_flow_errors,
            "replication_worker": replication_worker,
            "replication_acls": replication_acls,
            "replication_internal_topics": replication_internal_topics,
            "replication_acl_resource": replication_acl_resource,
        }
