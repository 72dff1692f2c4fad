# -*- coding: utf-8 -*-
# Meridian: Ansible inventory plugin reading the `meridian_inventory` Terraform output.
from __future__ import annotations

DOCUMENTATION = r"""
    name: meridian_terraform
    short_description: Meridian inventory from the C(meridian_inventory) Terraform output
    description:
        - Reads the C(meridian_inventory) output (the Meridian inventory contract, see
          C(docs/inventory-contract.md)) of a Terraform/OpenTofu stack, or of a saved
          C(terraform output -json) file, validates it and builds hosts, C(meridian_*) host
          variables and groups from it.
        - Hosts get C(meridian_cluster), C(meridian_roles), C(meridian_region), C(meridian_zone),
          C(meridian_node_id), C(meridian_address), C(meridian_platform), C(meridian_topology),
          C(meridian_stack) plus the contract's C(connection) entries verbatim.
        - Groups C(cluster_<cluster>), C(region_<region>), C(zone_<zone>), C(role_<role>), C(kafka)
          and C(mirror_maker) are created for the hosts that belong to them (a group with no member,
          for example C(mirror_maker) in a stack without MirrorMaker hosts, does not exist).
          Group names are made safe by lower-casing them
          and replacing anything outside C([a-z0-9_]) with C(_); the same rule applies to
          O(groups) and O(keyed_groups).
        - The inventory source file name must end in C(meridian_terraform.yml) or C(meridian_terraform.yaml).
    options:
        plugin:
            description: Token that ensures this is a source file for this plugin.
            required: true
            type: str
            choices: ['meridian_terraform']
        project_path:
            description:
                - Directory of the Terraform stack whose outputs are read with C(terraform output -json).
                - Relative paths are resolved against the directory of the inventory source file.
                - Exactly one of O(project_path) and O(outputs_file) must be set.
            type: str
        outputs_file:
            description:
                - A saved C(terraform output -json) file, used instead of running Terraform.
                - It may hold the whole output mapping or just the contract object itself.
                - Relative paths are resolved against the directory of the inventory source file.
                - Exactly one of O(project_path) and O(outputs_file) must be set.
            type: str
        output_name:
            description: Name of the Terraform output holding the contract.
            type: str
            default: meridian_inventory
        clusters:
            description:
                - Only the hosts of these clusters (the contract's cluster names); empty means every host.
                - Lets several inventories share one stack, each seeing only its own clusters, for example
                  the lab's C(inventories/dr-pair) and C(inventories/migration).
                - A name that the contract does not declare is an error, so a typo cannot yield an empty inventory.
            type: list
            elements: str
            default: []
        binary:
            description:
                - Terraform or OpenTofu CLI (name or path) used with O(project_path).
                - When unset, C($MERIDIAN_TERRAFORM_BIN) is used, else the first of C(terraform) / C(tofu) on PATH.
            type: str
    extends_documentation_fragment:
        - constructed
        - inventory_cache
    requirements:
        - python-terraform (only with O(project_path))
"""

EXAMPLES = r"""
# inventories/lab/lab.meridian_terraform.yml: read the lab stack directly
plugin: meridian_terraform
project_path: ../../lab/terraform

# inventories/aws/aws.meridian_terraform.yml: a saved `terraform output -json > outputs.json`
plugin: meridian_terraform
outputs_file: outputs.json
keyed_groups:
  - key: meridian_platform
    prefix: platform
compose:
  kafka_advertised_host: meridian_address
groups:
  kraft_voters: "'controller' in meridian_roles"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: /tmp/meridian_inventory_cache
"""

import importlib.util
import ipaddress
import json
import os
import re
import sys
from collections.abc import Mapping

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

CONTRACT_VERSION = 1
TOPOLOGIES = ('single-region', 'stretched', 'linked')
PLATFORMS = ('lab', 'aws', 'gcp', 'azure', 'static')
ROLES = ('controller', 'broker', 'mirror_maker')
KAFKA_ROLES = ('controller', 'broker')
TOP_FIELDS = ('contract_version', 'stack', 'clusters', 'hosts')
HOST_FIELDS = ('name', 'address', 'platform', 'cluster', 'roles', 'region', 'zone', 'node_id', 'connection')
NAME_RE = re.compile(r'^[a-z0-9][a-z0-9-]*$')
VAR_NAME_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
SOURCE_SUFFIXES = ('meridian_terraform.yml', 'meridian_terraform.yaml')


def safe_group_name(name):
    """Contract rule: lower case, anything outside [a-z0-9_] becomes '_'."""
    return re.sub(r'[^a-z0-9_]', '_', to_native(name).lower())


def _load_adapter():
    # Meridian is a plain repository, not an Ansible collection, so
    # ansible_collections.<ns>.<coll>.plugins.module_utils cannot be imported and
    # Ansible does not put plugins/module_utils on sys.path for controller plugins.
    # Load the adapter by path relative to this file instead (lazily: only
    # project_path mode needs it, and with it python-terraform).
    name = 'meridian_terraform_adapter'
    if name not in sys.modules:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'module_utils', 'terraform_adapter.py')
        spec = importlib.util.spec_from_file_location(name, os.path.normpath(path))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


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


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'meridian_terraform'

    # keyed_groups / groups get the same naming rule as the built-in groups
    _sanitize_group_name = staticmethod(safe_group_name)

    def verify_file(self, path):
        if super().verify_file(path):
            return to_native(path).endswith(SOURCE_SUFFIXES)
        return False

    # ---- external calls (small so tests can swap them) -------------------------

    def _read_terraform_outputs(self, project_path):
        adapter = _load_adapter()
        try:
            return adapter.read_outputs(project_path, binary=self.get_option('binary'))
        except adapter.TerraformError as e:
            raise AnsibleParserError('Could not read Terraform outputs of %s: %s' % (project_path, to_native(e)))

    def _read_outputs_file(self, path):
        try:
            with open(path, encoding='utf-8') as f:
                return json.load(f)
        except (OSError, ValueError) as e:
            raise AnsibleParserError('Could not read outputs_file %s: %s' % (path, to_native(e)))

    # ---- contract ---------------------------------------------------------------

    def _resolve(self, value, source_path):
        value = os.path.expanduser(os.path.expandvars(value))
        if not os.path.isabs(value):
            value = os.path.join(os.path.dirname(os.path.abspath(source_path)), value)
        return os.path.normpath(value)

    def _extract_contract(self, data, origin):
        """Accept a full `terraform output -json` mapping, an already unwrapped
        {name: value} mapping, or the contract object itself."""
        output_name = self.get_option('output_name')
        if isinstance(data, Mapping) and 'contract_version' in data:
            return data
        if isinstance(data, Mapping) and output_name in data:
            value = data[output_name]
            if isinstance(value, Mapping) and 'value' in value and 'contract_version' not in value:
                value = value['value']
            return value
        names = ', '.join(sorted(data)) if isinstance(data, Mapping) else ''
        raise AnsibleParserError("Terraform output '%s' not found in %s (outputs present: %s); has the stack been applied?"
                                 % (output_name, origin, names or 'none'))

    def _get_contract(self, path):
        project_path = self.get_option('project_path')
        outputs_file = self.get_option('outputs_file')
        if bool(project_path) == bool(outputs_file):
            raise AnsibleParserError('%s: set exactly one of project_path and outputs_file' % path)
        if project_path:
            project_path = self._resolve(project_path, path)
            return self._extract_contract(self._read_terraform_outputs(project_path), project_path)
        outputs_file = self._resolve(outputs_file, path)
        return self._extract_contract(self._read_outputs_file(outputs_file), outputs_file)

    # ---- inventory --------------------------------------------------------------

    def _add_group_member(self, group, host):
        group = self.inventory.add_group(safe_group_name(group))
        self.inventory.add_child(group, host)

    def _selected_hosts(self, contract):
        wanted = self.get_option('clusters') or []
        unknown = sorted(set(wanted) - set(contract['clusters']))
        if unknown:
            raise AnsibleParserError('clusters option names %s, which the contract does not declare (it has: %s)'
                                     % (', '.join(unknown), ', '.join(sorted(contract['clusters']))))
        return [h for h in contract['hosts'] if not wanted or h['cluster'] in wanted]

    def _populate(self, contract):
        strict = self.get_option('strict')
        clusters = contract['clusters']
        for h in self._selected_hosts(contract):
            host = self.inventory.add_host(h['name'])
            hostvars = {
                'meridian_cluster': h['cluster'],
                'meridian_roles': list(h['roles']),
                'meridian_region': h['region'],
                'meridian_zone': h['zone'],
                'meridian_node_id': h['node_id'],
                'meridian_address': h['address'],
                'meridian_platform': h['platform'],
                'meridian_topology': clusters[h['cluster']]['topology'],
                'meridian_stack': contract['stack'],
            }
            hostvars.update(h['connection'])
            for key, value in hostvars.items():
                self.inventory.set_variable(host, key, value)

            self._add_group_member('cluster_%s' % h['cluster'], host)
            self._add_group_member('region_%s' % h['region'], host)
            self._add_group_member('zone_%s' % h['zone'], host)
            for role in h['roles']:
                self._add_group_member('role_%s' % role, host)
            if any(r in KAFKA_ROLES for r in h['roles']):
                self._add_group_member('kafka', host)
            if 'mirror_maker' in h['roles']:
                self._add_group_member('mirror_maker', host)

            hostvars = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option('compose'), hostvars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), hostvars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), hostvars, host, strict=strict)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path)
        self._read_config_data(path)

        cache_key = self.get_cache_key(path)
        user_cache_setting = self.get_option('cache')
        attempt_to_read_cache = user_cache_setting and cache
        cache_needs_update = user_cache_setting and not cache

        contract = None
        if attempt_to_read_cache:
            try:
                contract = self._cache[cache_key]
            except KeyError:
                cache_needs_update = True
        if contract is None:
            contract = self._get_contract(path)
        validate_contract(contract)
        if cache_needs_update:
            self._cache[cache_key] = contract

        self._populate(contract)
