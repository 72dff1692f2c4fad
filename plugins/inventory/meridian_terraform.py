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
import json
import os
import sys
from collections.abc import Mapping

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

SOURCE_SUFFIXES = ('meridian_terraform.yml', 'meridian_terraform.yaml')
_MODULE_UTILS = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'module_utils'))


def _load_module_util(name, filename):
    # Meridian is a plain repository, not an Ansible collection, so
    # ansible_collections.<ns>.<coll>.plugins.module_utils cannot be imported and
    # Ansible does not put plugins/module_utils on sys.path for controller plugins.
    # Load the file by path relative to this one instead, once per process.
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, os.path.join(_MODULE_UTILS, filename))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return sys.modules[name]


def _load_adapter():
    # Lazily: only project_path mode needs it, and with it python-terraform.
    return _load_module_util('meridian_terraform_adapter', 'terraform_adapter.py')


# The contract (constants, validation, hosts/vars/groups) is shared with meridian_cloud.
_contract = _load_module_util('meridian_contract', 'meridian_contract.py')
CONTRACT_VERSION = _contract.CONTRACT_VERSION
TOPOLOGIES = _contract.TOPOLOGIES
PLATFORMS = _contract.PLATFORMS
ROLES = _contract.ROLES
KAFKA_ROLES = _contract.KAFKA_ROLES
TOP_FIELDS = _contract.TOP_FIELDS
HOST_FIELDS = _contract.HOST_FIELDS
NAME_RE = _contract.NAME_RE
VAR_NAME_RE = _contract.VAR_NAME_RE
safe_group_name = _contract.safe_group_name
validate_contract = _contract.validate_contract


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

    def _selected_hosts(self, contract):
        wanted = self.get_option('clusters') or []
        unknown = sorted(set(wanted) - set(contract['clusters']))
        if unknown:
            raise AnsibleParserError('clusters option names %s, which the contract does not declare (it has: %s)'
                                     % (', '.join(unknown), ', '.join(sorted(contract['clusters']))))
        return [h for h in contract['hosts'] if not wanted or h['cluster'] in wanted]

    def _populate(self, contract):
        _contract.construct(self, _contract.add_contract_hosts(self.inventory, contract, self._selected_hosts(contract)))

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
