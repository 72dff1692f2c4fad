# -*- coding: utf-8 -*-
# Meridian: Ansible inventory plugin reading the Meridian tags of AWS, GCP and Azure instances.
from __future__ import annotations

DOCUMENTATION = r"""
    name: meridian_cloud
    short_description: Meridian inventory from the Meridian tags of AWS, GCP and Azure instances
    description:
        - Lists the instances of one or more clouds (AWS EC2, Google Compute Engine, Azure virtual
          machines) that carry the Meridian tags (GCP labels) C(meridian_cluster), C(meridian_roles),
          C(meridian_region), C(meridian_zone), C(meridian_node_id), C(meridian_topology) (optional)
          and C(meridian_stack), the ones the Meridian Terraform modules set.
        - Builds from them the Meridian inventory contract (C(docs/inventory-contract.md)), validates it
          with the same rules as C(meridian_terraform), and yields the B(same) hosts variables and groups
          as that plugin, so C(site.yml) and the drills see no difference.
        - Host variables C(meridian_cluster), C(meridian_roles), C(meridian_region), C(meridian_zone),
          C(meridian_node_id), C(meridian_address) (the private IPv4 address), C(meridian_platform)
          (C(aws), C(gcp) or C(azure)), C(meridian_topology), C(meridian_stack), plus the connection
          variables C(ansible_host) and, with O(bastion)/O(bastions), C(ansible_ssh_common_args).
        - Groups C(cluster_<cluster>), C(region_<region>), C(zone_<zone>), C(role_<role>), C(kafka) and
          C(mirror_maker), named by the contract rule (lower case, anything outside C([a-z0-9_]) becomes
          C(_)); the same rule applies to O(groups) and O(keyed_groups).
        - C(meridian_roles) may be joined with commas or dashes (C(controller-broker), C(controller,broker));
          GCP label values cannot hold commas. C(mirror-maker) is read as C(mirror_maker).
          C(meridian_node_id) is empty, C(null) or C(none) for hosts without a Kafka role.
          Without a C(meridian_region)/C(meridian_zone) tag the cloud region/zone is used.
        - Instances without a C(meridian_cluster) tag are ignored. A tagged instance that breaks the
          contract (unknown role, duplicate node id, ...) fails the inventory, naming the host.
        - Credentials come only from each SDK's standard chain; the plugin has no credential options.
          AWS, boto3's chain (environment, C(~/.aws), C(AWS_PROFILE), instance and container roles, SSO);
          GCP, Application Default Credentials (C(GOOGLE_APPLICATION_CREDENTIALS), C(gcloud auth
          application-default login), the metadata server); Azure, azure-identity's
          C(DefaultAzureCredential) (environment, workload identity, managed identity, Azure CLI).
        - The inventory source file name must end in C(meridian_cloud.yml) or C(meridian_cloud.yaml).
    options:
        plugin:
            description: Token that ensures this is a source file for this plugin.
            required: true
            type: str
            choices: ['meridian_cloud']
        providers:
            description: Clouds to list instances from.
            required: true
            type: list
            elements: str
            choices: ['aws', 'gcp', 'azure']
        aws_regions:
            description: AWS regions to list EC2 instances in (required with C(aws) in O(providers)).
            type: list
            elements: str
            default: []
        aws_endpoint_url:
            description:
                - EC2 endpoint URL instead of the public regional one (a VPC interface endpoint, a test server).
            type: str
        gcp_project:
            description: Google Cloud project to list Compute Engine instances of (required with C(gcp)).
            type: str
            env:
                - name: GOOGLE_CLOUD_PROJECT
        gcp_zones:
            description:
                - Zones to list instances in, one C(instances.list) call each.
                - When empty, one C(instances.aggregatedList) call covers the project, kept to O(gcp_regions)
                  when that is set.
            type: list
            elements: str
            default: []
        gcp_regions:
            description: With no O(gcp_zones), keep only the instances of the zones of these regions.
            type: list
            elements: str
            default: []
        gcp_endpoint:
            description: Compute Engine API endpoint instead of C(compute.googleapis.com) (Private Service Connect, tests).
            type: str
        azure_subscription_id:
            description: Azure subscription to list virtual machines of (required with C(azure)).
            type: str
            env:
                - name: AZURE_SUBSCRIPTION_ID
        azure_resource_groups:
            description: Resource groups to list virtual machines, network interfaces and public IPs in; empty means the whole subscription.
            type: list
            elements: str
            default: []
        azure_endpoint:
            description: Azure Resource Manager endpoint instead of C(https://management.azure.com) (sovereign clouds, tests).
            type: str
        filters:
            description:
                - Keep only instances whose tags (GCP labels) have these values, as a mapping of tag name to
                  a value or a list of accepted values, for example C(meridian_cluster) set to C([east, west]).
                - Applied in the list calls where the API can (AWS filters, GCP filter expression) and always
                  again on the results.
            type: dict
            default: {}
        states:
            description:
                - Instance states to keep, in Meridian's words (C(running), C(pending), C(stopping), C(stopped),
                  C(terminated)). GCP C(TERMINATED) and Azure C(deallocated) are C(stopped).
                - Instances without a private address (terminated ones) are always left out.
            type: list
            elements: str
            default: ['running']
        hostnames:
            description:
                - Inventory hostname preference; the first that yields a value wins. C(name) is the AWS C(Name)
                  tag or the GCP/Azure instance name, C(instance_id) the cloud id (Azure, the VM name),
                  C(private_ip), C(public_ip), C(private_dns) (AWS), or C(tag:<key>).
                - Hostnames are lower-cased and anything outside C([a-z0-9-]) becomes C(-) (contract host names).
            type: list
            elements: str
            default: ['name', 'instance_id']
        use_private_ip:
            description:
                - Set C(ansible_host) to the private address. When false, the public address is used for
                  instances that have one and the private one otherwise.
                - C(meridian_address) is always the private address (what Kafka binds and advertises).
            type: bool
            default: false
        bastion:
            description:
                - SSH jump host (C([user@]host[:port])) for every host, set as
                  C(ansible_ssh_common_args=-o ProxyJump=<bastion>).
            type: str
        bastions:
            description:
                - Jump hosts per C(meridian_region) or per provider (C(aws), C(gcp), C(azure)), overriding
                  O(bastion); a region entry wins over a provider entry. An empty value means no jump host.
            type: dict
            default: {}
        stack:
            description: C(meridian_stack) of instances without a C(meridian_stack) tag; default is the provider name.
            type: str
        topologies:
            description:
                - C(meridian_topology) per cluster for clusters whose instances have no C(meridian_topology) tag.
                - Without either, a cluster whose Kafka hosts span several regions is C(stretched), else C(single-region).
            type: dict
            default: {}
    extends_documentation_fragment:
        - constructed
        - inventory_cache
    requirements:
        - boto3 (with C(aws))
        - google-cloud-compute (with C(gcp))
        - azure-mgmt-compute, azure-mgmt-network and azure-identity (with C(azure))
"""

EXAMPLES = r"""
# inventories/aws/aws.meridian_cloud.yml: two AWS regions, through a bastion, private addresses
plugin: meridian_cloud
providers: [aws]
aws_regions: [us-east-1, eu-west-1]
filters:
  meridian_cluster: [east, west]
use_private_ip: true
bastions:
  us-east-1: ec2-user@bastion-use1.example.net
  eu-west-1: ec2-user@bastion-euw1.example.net
compose:
  ansible_user: "'ec2-user'"

# inventories/multi/multi.meridian_cloud.yml: all three clouds in one inventory, cached
plugin: meridian_cloud
providers: [aws, gcp, azure]
aws_regions: [us-east-1]
gcp_project: meridian-prod
gcp_regions: [europe-west1]
azure_subscription_id: 00000000-0000-0000-0000-000000000000
azure_resource_groups: [meridian-westeurope]
states: [running]
hostnames: ['tag:meridian_host', name]
bastion: ops@bastion.example.net:2222
topologies:
  payments: linked
keyed_groups:
  - key: meridian_platform
    prefix: platform
groups:
  kraft_voters: "'controller' in meridian_roles"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: /tmp/meridian_cloud_cache
cache_timeout: 300

# a private EC2 endpoint (VPC interface endpoint)
plugin: meridian_cloud
providers: [aws]
aws_regions: [eu-central-1]
aws_endpoint_url: https://vpce-0123-abcd.ec2.eu-central-1.vpce.amazonaws.com
"""

import importlib.util
import os
import re
import sys
from collections import OrderedDict

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display

display = Display()

SOURCE_SUFFIXES = ('meridian_cloud.yml', 'meridian_cloud.yaml')
PROVIDERS = ('aws', 'gcp', 'azure')
_MODULE_UTILS = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'module_utils'))
_AWS_STATE_NAMES = {'running': ['running'], 'pending': ['pending'], 'stopping': ['stopping'],
                    'stopped': ['stopped'], 'terminated': ['shutting-down', 'terminated']}


def _load_module_util(name, filename):
    # Meridian is not a collection: load plugins/module_utils files by path (see meridian_terraform).
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


_contract = _load_module_util('meridian_contract', 'meridian_contract.py')
_cloud = _load_module_util('meridian_cloud_common', 'meridian_cloud_common.py')


def safe_host_name(name):
    """Contract host-name rule: lower case, [a-z0-9-], starting with a letter or digit."""
    return re.sub(r'[^a-z0-9-]', '-', to_native(name).lower()).lstrip('-')


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'meridian_cloud'

    _sanitize_group_name = staticmethod(_contract.safe_group_name)

    def verify_file(self, path):
        if super().verify_file(path):
            return to_native(path).endswith(SOURCE_SUFFIXES)
        return False

    # ---- external calls (small so tests can swap them) -------------------------
    # Each returns normalised instance dicts (meridian_cloud_common), every page of the listing.

    def _aws_instances(self, region, filters, endpoint):
        client = _cloud.aws_ec2_client(region, endpoint)
        states = sorted({n for s in self.get_option('states') for n in _AWS_STATE_NAMES.get(s, [])})
        raw = _cloud.aws_list_instances(client, filters=filters, states=states or None)
        return [_cloud.aws_normalize(inst, region) for inst in raw]

    def _gcp_credentials(self):
        return None  # Application Default Credentials

    def _gcp_instances(self, project, zones, regions, filters, endpoint):
        client = _cloud.gcp_client('InstancesClient', endpoint, self._gcp_credentials())
        pairs = _cloud.gcp_list_instances(client, project, zones=zones, regions=regions, filters=filters)
        return [_cloud.gcp_normalize(inst, zone, project) for zone, inst in pairs]

    def _azure_credential(self):
        return None  # DefaultAzureCredential

    def _azure_vms(self, subscription_id, resource_groups, endpoint):
        credential = self._azure_credential()
        compute = _cloud.azure_compute_client(subscription_id, endpoint, credential)
        network = _cloud.azure_network_client(subscription_id, endpoint, credential)
        return _cloud.azure_instances(compute, network, resource_groups)

    # ---- discovery --------------------------------------------------------------

    def _require(self, option, provider):
        value = self.get_option(option)
        if not value:
            raise AnsibleParserError('meridian_cloud: provider %s needs the %s option' % (provider, option))
        return value

    def _discover(self):
        providers = self.get_option('providers') or []
        unknown = sorted(set(providers) - set(PROVIDERS))
        if unknown:
            raise AnsibleParserError('meridian_cloud: unknown provider(s) %s (expected %s)'
                                     % (', '.join(unknown), ', '.join(PROVIDERS)))
        filters = self.get_option('filters') or {}
        instances = []
        try:
            if 'aws' in providers:
                for region in self._require('aws_regions', 'aws'):
                    instances.extend(self._aws_instances(region, filters, self.get_option('aws_endpoint_url')))
            if 'gcp' in providers:
                instances.extend(self._gcp_instances(self._require('gcp_project', 'gcp'), self.get_option('gcp_zones'),
                                                     self.get_option('gcp_regions'), filters,
                                                     self.get_option('gcp_endpoint')))
            if 'azure' in providers:
                instances.extend(self._azure_vms(self._require('azure_subscription_id', 'azure'),
                                                 self.get_option('azure_resource_groups'),
                                                 self.get_option('azure_endpoint')))
        except _cloud.CloudError as e:
            raise AnsibleParserError('meridian_cloud: %s' % to_native(e))
        except ImportError as e:
            raise AnsibleParserError('meridian_cloud: a cloud SDK is missing (%s); see the requirements of the plugin'
                                     % to_native(e))
        return instances

    def _keep(self, inst):
        tags = inst.get('tags') or {}
        if 'meridian_cluster' not in tags:
            return False
        if inst.get('state') not in (self.get_option('states') or []):
            return False
        if not _cloud.tag_filters_match(tags, self.get_option('filters')):
            return False
        if not inst.get('private_ip'):
            display.warning('meridian_cloud: %s instance %s has no private address; left out'
                            % (inst['provider'], inst['id']))
            return False
        return True

    # ---- contract ---------------------------------------------------------------

    def _hostname(self, inst):
        for pref in self.get_option('hostnames'):
            if pref.startswith('tag:'):
                value = (inst.get('tags') or {}).get(pref[4:])
            elif pref == 'instance_id':
                value = inst['id'].rsplit('/', 1)[-1] if inst['provider'] == 'azure' else inst['id']
            elif pref in ('name', 'private_ip', 'public_ip', 'private_dns'):
                value = inst.get(pref)
            else:
                raise AnsibleParserError('meridian_cloud: unknown hostnames entry %r' % pref)
            if value:
                return safe_host_name(value)
        raise AnsibleParserError('meridian_cloud: none of hostnames %s gives %s instance %s a name'
                                 % (self.get_option('hostnames'), inst['provider'], inst['id']))

    def _connection(self, inst, region):
        if self.get_option('use_private_ip'):
            address = inst['private_ip']
        else:
            address = inst.get('public_ip') or inst['private_ip']
        connection = {'ansible_host': address}
        bastions = self.get_option('bastions') or {}
        if region in bastions:
            bastion = bastions[region]
        elif inst['provider'] in bastions:
            bastion = bastions[inst['provider']]
        else:
            bastion = self.get_option('bastion')
        if bastion:
            connection['ansible_ssh_common_args'] = '-o ProxyJump=%s' % bastion
        return connection

    def _contract_host(self, inst):
        tags = inst['tags']
        region = tags.get('meridian_region') or inst.get('cloud_region')
        return {
            'name': self._hostname(inst),
            'address': inst['private_ip'],
            'platform': inst['provider'],
            'cluster': tags['meridian_cluster'],
            'roles': _cloud.parse_roles(tags.get('meridian_roles')),
            'region': region,
            'zone': tags.get('meridian_zone') or inst.get('cloud_zone'),
            'node_id': _cloud.parse_node_id(tags.get('meridian_node_id')),
            'connection': self._connection(inst, region),
        }

    def _topologies(self, instances, hosts):
        """cluster -> topology: tag, else the topologies option, else inferred from the regions."""
        tagged = {}
        for inst in instances:
            cluster, topology = inst['tags']['meridian_cluster'], inst['tags'].get('meridian_topology')
            if topology:
                other = tagged.setdefault(cluster, (topology, inst['id']))
                if other[0] != topology:
                    raise AnsibleParserError("meridian_cloud: cluster '%s' has meridian_topology %r on %s and %r on %s"
                                             % (cluster, other[0], other[1], topology, inst['id']))
        option = self.get_option('topologies') or {}
        kafka_regions = {}
        for h in hosts:
            if any(r in _contract.KAFKA_ROLES for r in h['roles']):
                kafka_regions.setdefault(h['cluster'], set()).add(h['region'])
        result = {}
        for h in hosts:
            c = h['cluster']
            if c not in result:
                inferred = 'stretched' if len(kafka_regions.get(c, ())) > 1 else 'single-region'
                result[c] = tagged[c][0] if c in tagged else option.get(c, inferred)
        return result

    def build_contracts(self, instances):
        """Validated contracts, one per meridian_stack, from normalised instances."""
        kept = [i for i in instances if self._keep(i)]
        kept.sort(key=lambda i: (i['provider'], i['tags']['meridian_cluster'], i.get('cloud_region') or '', i['id']))
        hosts = [self._contract_host(i) for i in kept]
        topologies = self._topologies(kept, hosts)
        by_stack = OrderedDict()
        seen = {}
        for inst, host in zip(kept, hosts):
            if host['name'] in seen:
                raise AnsibleParserError("meridian_cloud: hostname '%s' of %s instance %s is also that of %s; "
                                         "change the hostnames option" % (host['name'], inst['provider'], inst['id'],
                                                                          seen[host['name']]))
            seen[host['name']] = '%s instance %s' % (inst['provider'], inst['id'])
            stack = inst['tags'].get('meridian_stack') or self.get_option('stack') or inst['provider']
            by_stack.setdefault(stack, []).append(host)
        contracts = []
        for stack, stack_hosts in by_stack.items():
            clusters = {h['cluster']: {'topology': topologies[h['cluster']]} for h in stack_hosts}
            contract = {'contract_version': _contract.CONTRACT_VERSION, 'stack': stack,
                        'clusters': clusters, 'hosts': stack_hosts}
            contracts.append(_contract.validate_contract(contract))
        return contracts

    # ---- inventory --------------------------------------------------------------

    def _populate(self, contracts):
        for contract in contracts:
            _contract.construct(self, _contract.add_contract_hosts(self.inventory, contract))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path)
        self._read_config_data(path)

        cache_key = self.get_cache_key(path)
        user_cache_setting = self.get_option('cache')
        attempt_to_read_cache = user_cache_setting and cache
        cache_needs_update = user_cache_setting and not cache

        instances = None
        if attempt_to_read_cache:
            try:
                instances = self._cache[cache_key]
            except KeyError:
                cache_needs_update = True
        if instances is None:
            instances = self._discover()
        if cache_needs_update:
            self._cache[cache_key] = instances

        self._populate(self.build_contracts(instances))
