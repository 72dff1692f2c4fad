# -*- coding: utf-8 -*-
"""The Meridian inventory contract, shared by the inventory plugins.

``meridian_terraform`` reads the contract from a Terraform output; ``meridian_cloud`` builds the
same contract from cloud instance tags. Both validate it with :func:`validate_contract` and turn
it into hosts, ``meridian_*`` host variables and groups with :func:`add_contract_hosts`, so the
two plugins cannot drift apart (docs/inventory-contract.md).

Controller-side only (the plugins load this file by path: Meridian is not a collection).
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native

CONTRACT_VERSION = 1
TOPOLOGIES = ('single-region', 'stretched', 'linked')
PLATFORMS = ('lab', 'aws', 'gcp', 'azure', 'static')
ROLES = ('controller', 'broker', 'mirror_maker')
KAFKA_ROLES = ('controller', 'broker')
TOP_FIELDS = ('contract_version', 'stack', 'clusters', 'hosts')
HOST_FIELDS = ('name', 'address', 'platform', 'cluster', 'roles', 'region', 'zone', 'node_id', 'connection')
NAME_RE = re.compile(r'^[a-z0-9][a-z0-9-]*$')
VAR_NAME_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')


def safe_group_name(name):
    """Contract rule: lower case, anything outside [a-z0-9_] becomes '_'."""
    return re.sub(r'[^a-z0-9_]', '_', to_native(name).lower())


def _type_name(value):
    return type(value).__name__ if value is not None else 'null'


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def validate_contract(contract):
    """Hand-written equivalent of docs/inventory-contract.schema.json plus the
    cross-host rules. Raises AnsibleParserError naming the host and field."""
    def fail(msg):
        raise AnsibleParserError('Invalid Meridian inventory contract: %s' % msg)

    if not isinstance(contract, Mapping):
        fail('expected an object, got %s' % _type_name(contract))
    if 'contract_version' not in contract:
        fail("missing field 'contract_version'")
    version = contract['contract_version']
    if not _is_int(version) or version != CONTRACT_VERSION:
        fail('unsupported contract_version %r (this plugin understands %d)' % (version, CONTRACT_VERSION))
    for field in TOP_FIELDS:
        if field not in contract:
            fail("missing field '%s'" % field)
    extra = sorted(set(contract) - set(TOP_FIELDS))
    if extra:
        fail('unknown top-level field(s) %s' % ', '.join(map(repr, extra)))
    if not isinstance(contract['stack'], str) or not contract['stack']:
        fail("field 'stack' must be a non-empty string, got %r" % (contract['stack'],))

    clusters = contract['clusters']
    if not isinstance(clusters, Mapping):
        fail("field 'clusters' must be an object, got %s" % _type_name(clusters))
    for cname, cluster in clusters.items():
        if not isinstance(cname, str) or not cname:
            fail('cluster names must be non-empty strings, got %r' % (cname,))
        if not isinstance(cluster, Mapping):
            fail("cluster '%s' must be an object, got %s" % (cname, _type_name(cluster)))
        if 'topology' not in cluster:
            fail("cluster '%s': missing field 'topology'" % cname)
        extra = sorted(set(cluster) - {'topology'})
        if extra:
            fail("cluster '%s': unknown field(s) %s" % (cname, ', '.join(map(repr, extra))))
        if cluster['topology'] not in TOPOLOGIES:
            fail("cluster '%s': unknown topology %r (expected one of %s)" % (cname, cluster['topology'], ', '.join(TOPOLOGIES)))

    hosts = contract['hosts']
    if not isinstance(hosts, list):
        fail("field 'hosts' must be a list, got %s" % _type_name(hosts))

    seen_names = set()
    node_ids = {}  # (cluster, node_id) -> host name
    kafka_regions = {}  # cluster -> {region: host name}
    for index, host in enumerate(hosts):
        where = 'hosts[%d]' % index
        if not isinstance(host, Mapping):
            fail('%s must be an object, got %s' % (where, _type_name(host)))
        name = host.get('name')
        if isinstance(name, str):
            where = "host '%s'" % name

        def hfail(field, msg):
            fail("%s, field '%s': %s" % (where, field, msg))

        for field in HOST_FIELDS:
            if field not in host:
                hfail(field, 'missing')
        extra = sorted(set(host) - set(HOST_FIELDS))
        if extra:
            fail('%s: unknown field(s) %s' % (where, ', '.join(map(repr, extra))))

        if not isinstance(name, str) or not NAME_RE.match(name):
            hfail('name', 'must match %s, got %r' % (NAME_RE.pattern, name))
        if name in seen_names:
            hfail('name', 'duplicate host name')
        seen_names.add(name)

        address = host['address']
        try:
            if not isinstance(address, str):
                raise ValueError
            ipaddress.IPv4Address(address)
        except ValueError:
            hfail('address', 'must be an IPv4 address, got %r' % (address,))

        if host['platform'] not in PLATFORMS:
            hfail('platform', 'unknown platform %r (expected one of %s)' % (host['platform'], ', '.join(PLATFORMS)))

        cname = host['cluster']
        if not isinstance(cname, str):
            hfail('cluster', 'must be a string, got %s' % _type_name(cname))
        if cname not in clusters:
            hfail('cluster', "unknown cluster '%s' (not a key of 'clusters')" % cname)

        roles = host['roles']
        if not isinstance(roles, list):
            hfail('roles', 'must be a list, got %s' % _type_name(roles))
        if not roles:
            hfail('roles', 'must not be empty')
        for role in roles:
            if role not in ROLES:
                hfail('roles', 'unknown role %r (expected one of %s)' % (role, ', '.join(ROLES)))
        if len(set(roles)) != len(roles):
            hfail('roles', 'duplicate role in %r' % (roles,))

        for field in ('region', 'zone'):
            if not isinstance(host[field], str) or not host[field]:
                hfail(field, 'must be a non-empty string, got %r' % (host[field],))

        node_id = host['node_id']
        is_kafka = any(r in KAFKA_ROLES for r in roles)
        if node_id is None:
            if is_kafka:
                hfail('node_id', 'must be an integer >= 0 for a host with a controller or broker role, got null')
        else:
            if not _is_int(node_id) or node_id < 0:
                hfail('node_id', 'must be an integer >= 0 or null, got %r' % (node_id,))
            other = node_ids.get((cname, node_id))
            if other is not None:
                hfail('node_id', "duplicate node_id %d in cluster '%s' (also used by host '%s')" % (node_id, cname, other))
            node_ids[(cname, node_id)] = name

        connection = host['connection']
        if not isinstance(connection, Mapping):
            hfail('connection', 'must be an object of strings, got %s' % _type_name(connection))
        for key, value in connection.items():
            if not isinstance(key, str) or not VAR_NAME_RE.match(key) or key.startswith('meridian_'):
                hfail('connection', 'invalid variable name %r' % (key,))
            if not isinstance(value, str):
                hfail('connection', 'value of %s must be a string, got %s' % (key, _type_name(value)))

        if is_kafka and clusters[cname]['topology'] == 'single-region':
            regions = kafka_regions.setdefault(cname, {})
            regions.setdefault(host['region'], name)
            if len(regions) > 1:
                hfail('region', "single-region cluster '%s' spans regions %s" % (cname, ', '.join(sorted(regions))))
    return contract


def contract_hostvars(contract, host):
    """The host variables the contract gives ``host`` (one entry of contract['hosts'])."""
    hostvars = {
        'meridian_cluster': host['cluster'],
        'meridian_roles': list(host['roles']),
        'meridian_region': host['region'],
        'meridian_zone': host['zone'],
        'meridian_node_id': host['node_id'],
        'meridian_address': host['address'],
        'meridian_platform': host['platform'],
        'meridian_topology': contract['clusters'][host['cluster']]['topology'],
        'meridian_stack': contract['stack'],
    }
    hostvars.update(host['connection'])
    return hostvars


def contract_groups(host):
    """Names (already safe) of the built-in groups ``host`` belongs to."""
    roles = host['roles']
    groups = ['cluster_%s' % host['cluster'], 'region_%s' % host['region'], 'zone_%s' % host['zone']]
    groups.extend('role_%s' % role for role in roles)
    if any(r in KAFKA_ROLES for r in roles):
        groups.append('kafka')
    if 'mirror_maker' in roles:
        groups.append('mirror_maker')
    return [safe_group_name(g) for g in groups]


def add_contract_hosts(inventory, contract, hosts=None):
    """Add ``hosts`` (default: every host of the validated ``contract``) to an Ansible
    InventoryData with their variables and built-in groups. Returns the host names added,
    in contract order, for the caller's Constructable pass."""
    names = []
    known_groups = set()
    for h in contract['hosts'] if hosts is None else hosts:
        name = inventory.add_host(h['name'])
        for key, value in contract_hostvars(contract, h).items():
            inventory.set_variable(name, key, value)
        for group in contract_groups(h):
            if group not in known_groups:
                inventory.add_group(group)
                known_groups.add(group)
            inventory.add_child(group, name)
        names.append(name)
    return names


def construct(plugin, names):
    """The Constructable pass (compose, groups, keyed_groups) of an inventory plugin over the
    hosts it added; skipped entirely when none of the three is set (large inventories)."""
    strict = plugin.get_option('strict')
    compose = plugin.get_option('compose')
    groups = plugin.get_option('groups')
    keyed_groups = plugin.get_option('keyed_groups')
    if not (compose or groups or keyed_groups):
        return
    for host in names:
        hostvars = plugin.inventory.get_host(host).get_vars()
        plugin._set_composite_vars(compose, hostvars, host, strict=strict)
        plugin._add_host_to_composed_groups(groups, hostvars, host, strict=strict)
        plugin._add_host_to_keyed_groups(keyed_groups, hostvars, host, strict=strict)
