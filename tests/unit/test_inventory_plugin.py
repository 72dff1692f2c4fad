"""Tests of the meridian_terraform inventory plugin, run through Ansible's own
plugin loader / InventoryManager and through the ansible-inventory CLI."""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest
import yaml

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

import terraform_adapter

HERE = os.path.dirname(os.path.abspath(__file__))
CONTRACTS = os.path.join(HERE, 'fixtures', 'contracts')
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
SCHEMA = os.path.join(REPO, 'docs', 'inventory-contract.schema.json')
ANSIBLE_INVENTORY = os.path.join(os.path.dirname(sys.executable), 'ansible-inventory')
HAVE_TERRAFORM = bool(shutil.which('terraform') or shutil.which('tofu'))


def contract_path(name):
    return os.path.join(CONTRACTS, name)


def load_contract(name):
    with open(contract_path(name)) as f:
        return json.load(f)


def write_source(directory, options, name='test.meridian_terraform.yml'):
    path = os.path.join(str(directory), name)
    with open(path, 'w') as f:
        yaml.safe_dump(dict({'plugin': 'meridian_terraform'}, **options), f)
    return path


def write_json(path, data):
    with open(str(path), 'w') as f:
        json.dump(data, f)
    return str(path)


def inventory_for(source, cache=True):
    return InventoryManager(loader=DataLoader(), sources=[str(source)], cache=cache)


def inventory_from_contract(tmp_path, name, **options):
    return inventory_for(write_source(tmp_path, dict({'outputs_file': contract_path(name)}, **options)))


def members(inv, group):
    return sorted(h.name for h in inv.groups[group].get_hosts())


def plugin():
    p = inventory_loader.get('meridian_terraform')
    assert p is not None, 'meridian_terraform not found by the Ansible plugin loader'
    return p


def parse_directly(source):
    """Run the loader-provided plugin's parse() so the AnsibleParserError reaches the test
    (InventoryManager turns it into a warning)."""
    inv = InventoryData()
    plugin().parse(inv, DataLoader(), str(source), cache=False)
    return inv


def meridian_vars(inv, host):
    return {k: v for k, v in inv.get_host(host).get_vars().items()
            if k.startswith(('meridian_', 'ansible_')) and k not in ('inventory_file', 'inventory_dir')}


def unwrap_unsafe(data):
    """ansible-inventory --list marks untrusted strings as {"__ansible_unsafe": ...}."""
    if isinstance(data, dict):
        if set(data) == {'__ansible_unsafe'}:
            return data['__ansible_unsafe']
        return {k: unwrap_unsafe(v) for k, v in data.items()}
    if isinstance(data, list):
        return [unwrap_unsafe(v) for v in data]
    return data


def run_cli(source, *args):
    env = dict(os.environ,
               ANSIBLE_INVENTORY_PLUGINS=os.path.join(REPO, 'plugins', 'inventory'),
               ANSIBLE_INVENTORY_ENABLED='meridian_terraform',
               ANSIBLE_INVENTORY_UNPARSED_FAILED='true',
               ANSIBLE_NOCOLOR='1')
    return subprocess.run([ANSIBLE_INVENTORY, '-i', str(source)] + list(args), env=env,
                          cwd=os.path.dirname(str(source)), capture_output=True, text=True, timeout=120)


# --------------------------------------------------------------------------- verify_file

@pytest.mark.parametrize('name, accepted', [
    ('lab.meridian_terraform.yml', True),
    ('aws.meridian_terraform.yaml', True),
    ('meridian_terraform.yml', True),
    ('.meridian_terraform.yml', True),
    ('inventory.yml', False),
    ('meridian_terraform.json', False),
    ('lab.meridian_terraform.yml.bak', False),
    ('lab_meridian_terraform.txt', False),
    ('aws_ec2.yml', False),
])
def test_verify_file_suffixes(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text('plugin: meridian_terraform\n')
    assert plugin().verify_file(str(path)) is accepted


def test_verify_file_rejects_missing_file(tmp_path):
    assert plugin().verify_file(str(tmp_path / 'absent.meridian_terraform.yml')) is False


# --------------------------------------------------------------------------- valid contracts

def test_single_region_groups(tmp_path):
    inv = inventory_from_contract(tmp_path, 'single_region.json')
    hosts = ['solo-1', 'solo-2', 'solo-3']
    assert sorted(inv.hosts) == hosts
    assert members(inv, 'cluster_solo') == hosts
    assert members(inv, 'region_region_a') == hosts
    assert members(inv, 'zone_region_a_1') == ['solo-1']
    assert members(inv, 'zone_region_a_3') == ['solo-3']
    assert members(inv, 'role_controller') == hosts
    assert members(inv, 'role_broker') == hosts
    assert members(inv, 'kafka') == hosts
    assert 'mirror_maker' not in inv.groups
    assert 'role_mirror_maker' not in inv.groups


def test_single_region_host_vars(tmp_path):
    inv = inventory_from_contract(tmp_path, 'single_region.json')
    assert meridian_vars(inv, 'solo-2') == {
        'meridian_cluster': 'solo',
        'meridian_roles': ['controller', 'broker'],
        'meridian_region': 'region-a',
        'meridian_zone': 'region-a-2',
        'meridian_node_id': 2,
        'meridian_address': '127.1.0.2',
        'meridian_platform': 'lab',
        'meridian_topology': 'single-region',
        'meridian_stack': 'lab',
        'ansible_connection': 'containers.podman.podman',
        'ansible_host': 'meridian-solo-2',
    }


def test_stretched_cluster_from_full_terraform_output(tmp_path):
    inv = inventory_from_contract(tmp_path, 'stretched_outputs.json')
    controllers = ['stretched-%s-controller-1' % r for r in 'abc']
    brokers = ['stretched-%s-broker-1' % r for r in 'abc']
    assert members(inv, 'role_controller') == sorted(controllers)
    assert members(inv, 'role_broker') == sorted(brokers)
    assert members(inv, 'kafka') == sorted(controllers + brokers)
    assert members(inv, 'cluster_stretched') == sorted(controllers + brokers)
    for r in 'abc':
        assert members(inv, 'region_region_%s' % r) == sorted(['stretched-%s-broker-1' % r, 'stretched-%s-controller-1' % r])
        assert members(inv, 'zone_region_%s_1' % r) == ['stretched-%s-controller-1' % r]
        assert members(inv, 'zone_region_%s_2' % r) == ['stretched-%s-broker-1' % r]
    b = inv.get_host('stretched-b-broker-1').get_vars()
    assert (b['meridian_node_id'], b['meridian_region'], b['meridian_topology']) == (102, 'region-b', 'stretched')
    assert b['meridian_roles'] == ['broker']
    assert inv.get_host('stretched-c-controller-1').get_vars()['meridian_node_id'] == 3


def test_linked_clusters_mirror_maker_and_sanitized_names(tmp_path):
    inv = inventory_from_contract(tmp_path, 'linked.json')
    # cluster "EU.West" and region "eu-west-1" become safe group names
    assert members(inv, 'cluster_eu_west') == ['euw-kafka-1', 'euw-mm-1']
    assert members(inv, 'cluster_us_east') == ['use-kafka-1']
    assert members(inv, 'region_eu_west_1') == ['euw-kafka-1', 'euw-mm-1']
    assert members(inv, 'zone_us_east_1a') == ['use-kafka-1']
    assert members(inv, 'mirror_maker') == ['euw-mm-1']
    assert members(inv, 'role_mirror_maker') == ['euw-mm-1']
    assert members(inv, 'kafka') == ['euw-kafka-1', 'use-kafka-1']
    mm = inv.get_host('euw-mm-1').get_vars()
    assert mm['meridian_node_id'] is None
    assert mm['meridian_cluster'] == 'EU.West'
    assert mm['meridian_topology'] == 'linked'
    assert mm['meridian_platform'] == 'aws'
    assert mm['meridian_stack'] == 'aws'
    # connection entries are applied verbatim
    assert mm['ansible_host'] == '10.1.2.10'
    assert mm['ansible_user'] == 'ec2-user'
    assert mm['ansible_ssh_common_args'] == '-o ProxyJump=ec2-user@bastion.example.net'
    assert 'ansible_connection' not in mm


def test_clusters_option_keeps_only_those_clusters(tmp_path):
    inv = inventory_from_contract(tmp_path, 'linked.json', clusters=['EU.West'])
    assert sorted(inv.hosts) == ['euw-kafka-1', 'euw-mm-1']
    assert 'cluster_us_east' not in inv.groups
    assert members(inv, 'mirror_maker') == ['euw-mm-1']


def test_clusters_option_rejects_an_unknown_cluster(tmp_path):
    source = write_source(tmp_path, {'outputs_file': contract_path('linked.json'), 'clusters': ['EU.West', 'nowhere']})
    with pytest.raises(AnsibleParserError, match="clusters option names nowhere"):
        parse_directly(source)


@pytest.mark.parametrize('shape', ['contract', 'terraform_output_json', 'unwrapped_outputs'])
def test_outputs_file_shapes(tmp_path, shape):
    contract = load_contract('single_region.json')
    data = {
        'contract': contract,
        'terraform_output_json': {'meridian_inventory': {'sensitive': False, 'type': ['object', {}], 'value': contract},
                                  'other': {'sensitive': False, 'type': 'string', 'value': 'x'}},
        'unwrapped_outputs': {'meridian_inventory': contract, 'other': 'x'},
    }[shape]
    outputs = write_json(tmp_path / 'outputs.json', data)
    inv = inventory_for(write_source(tmp_path, {'outputs_file': outputs}))
    assert sorted(inv.hosts) == ['solo-1', 'solo-2', 'solo-3']
    assert inv.get_host('solo-3').get_vars()['meridian_node_id'] == 3


def test_relative_outputs_file_resolves_against_inventory_dir(tmp_path, monkeypatch):
    (tmp_path / 'inv').mkdir()
    write_json(tmp_path / 'outputs.json', load_contract('single_region.json'))
    source = write_source(tmp_path / 'inv', {'outputs_file': '../outputs.json'})
    monkeypatch.chdir('/')
    assert sorted(inventory_for(source).hosts) == ['solo-1', 'solo-2', 'solo-3']


def test_custom_output_name(tmp_path):
    outputs = write_json(tmp_path / 'outputs.json',
                         {'kafka_inventory': {'value': load_contract('single_region.json'), 'type': 'object'}})
    inv = inventory_for(write_source(tmp_path, {'outputs_file': outputs, 'output_name': 'kafka_inventory'}))
    assert members(inv, 'kafka') == ['solo-1', 'solo-2', 'solo-3']


def test_missing_output_is_an_error(tmp_path):
    outputs = write_json(tmp_path / 'outputs.json', {'something_else': {'value': 1, 'type': 'number'}})
    with pytest.raises(AnsibleParserError, match=r"output 'meridian_inventory' not found .*something_else"):
        parse_directly(write_source(tmp_path, {'outputs_file': outputs}))


def test_unreadable_outputs_file(tmp_path):
    (tmp_path / 'broken.json').write_text('{not json')
    with pytest.raises(AnsibleParserError, match='Could not read outputs_file .*broken.json'):
        parse_directly(write_source(tmp_path, {'outputs_file': 'broken.json'}))


@pytest.mark.parametrize('options', [
    {},
    {'outputs_file': 'a.json', 'project_path': 'stack'},
])
def test_exactly_one_source_option(tmp_path, options):
    with pytest.raises(AnsibleParserError, match='exactly one of project_path and outputs_file'):
        parse_directly(write_source(tmp_path, options))


def test_wrong_plugin_name_is_rejected(tmp_path):
    path = tmp_path / 'x.meridian_terraform.yml'
    path.write_text('plugin: aws_ec2\noutputs_file: a.json\n')
    with pytest.raises(AnsibleParserError, match='Incorrect plugin name'):
        parse_directly(path)


# --------------------------------------------------------------------------- constructed

def test_compose_groups_and_keyed_groups(tmp_path):
    inv = inventory_from_contract(tmp_path, 'stretched_outputs.json', strict=True, compose={
        'kafka_listener': "meridian_address ~ ':9092'",
        'rack': 'meridian_zone',
    }, groups={
        'kraft_voters': "'controller' in meridian_roles",
        'Region-B': "meridian_region == 'region-b'",
    }, keyed_groups=[
        {'key': 'meridian_platform', 'prefix': 'platform'},
        {'key': 'meridian_roles', 'prefix': 'has', 'parent_group': 'by_role'},
        {'key': 'rack', 'prefix': 'rack'},
    ])
    hv = inv.get_host('stretched-a-broker-1').get_vars()
    assert hv['kafka_listener'] == '127.1.0.11:9092'
    assert hv['rack'] == 'region-a-2'
    assert members(inv, 'kraft_voters') == sorted('stretched-%s-controller-1' % r for r in 'abc')
    assert members(inv, 'region_b') == ['stretched-b-broker-1', 'stretched-b-controller-1']
    assert len(members(inv, 'platform_lab')) == 6
    assert members(inv, 'has_broker') == sorted('stretched-%s-broker-1' % r for r in 'abc')
    assert sorted(g.name for g in inv.groups['by_role'].child_groups) == ['has_broker', 'has_controller']
    # keyed group built from a composed var, sanitized like the built-in groups
    assert members(inv, 'rack_region_c_1') == ['stretched-c-controller-1']


def test_strict_constructed_errors(tmp_path):
    options = {'outputs_file': contract_path('single_region.json'), 'compose': {'x': 'no_such_var.attr'}}
    # lenient (default): the bad expression is skipped
    inv = inventory_for(write_source(tmp_path, options))
    assert 'x' not in inv.get_host('solo-1').get_vars()
    with pytest.raises(AnsibleError, match='Could not set x for host solo-1'):
        parse_directly(write_source(tmp_path, dict(options, strict=True)))


# --------------------------------------------------------------------------- malformed contracts

MALFORMED = [
    ('bad_version.json', r'unsupported contract_version 2 \(this plugin understands 1\)'),
    ('bad_missing_stack.json', r"missing field 'stack'"),
    ('bad_missing_host_field.json', r"host 'solo-1', field 'zone': missing"),
    ('bad_unknown_host_field.json', r"host 'solo-2': unknown field\(s\) 'rack'"),
    ('bad_wrong_type_node_id.json', r"host 'solo-2', field 'node_id': must be an integer >= 0 or null, got '2'"),
    ('bad_wrong_type_roles.json', r"host 'solo-3', field 'roles': must be a list, got str"),
    ('bad_wrong_type_connection.json', r"host 'solo-1', field 'connection': value of ansible_port must be a string, got int"),
    ('bad_wrong_type_hosts.json', r"field 'hosts' must be a list, got dict"),
    ('bad_duplicate_host.json', r"host 'solo-1', field 'name': duplicate host name"),
    ('bad_duplicate_node_id.json', r"host 'solo-3', field 'node_id': duplicate node_id 2 in cluster 'solo' \(also used by host 'solo-2'\)"),
    ('bad_unknown_cluster.json', r"host 'solo-2', field 'cluster': unknown cluster 'nope'"),
    ('bad_unknown_role.json', r"host 'solo-1', field 'roles': unknown role 'zookeeper'"),
    ('bad_unknown_topology.json', r"cluster 'solo': unknown topology 'ring'"),
    ('bad_unknown_platform.json', r"host 'solo-1', field 'platform': unknown platform 'openstack'"),
    ('bad_address.json', r"host 'solo-3', field 'address': must be an IPv4 address, got '127.1.0.300'"),
    ('bad_empty_roles.json', r"host 'solo-2', field 'roles': must not be empty"),
    ('bad_duplicate_role.json', r"host 'solo-1', field 'roles': duplicate role in \['broker', 'broker'\]"),
    ('bad_name.json', r"host 'Solo_1', field 'name': must match"),
    ('bad_null_node_id.json', r"host 'solo-1', field 'node_id': must be an integer >= 0 for a host with a controller or broker role"),
    ('bad_negative_node_id.json', r"host 'solo-1', field 'node_id': must be an integer >= 0 or null, got -1"),
    ('bad_single_region_spans.json', r"host 'solo-3', field 'region': single-region cluster 'solo' spans regions region-a, region-b"),
]
# rules JSON Schema cannot express; the plugin enforces them on top of the schema
CROSS_HOST_RULES = {'bad_duplicate_host.json', 'bad_duplicate_node_id.json', 'bad_unknown_cluster.json',
                    'bad_single_region_spans.json'}


def test_every_malformed_fixture_is_covered():
    on_disk = sorted(f for f in os.listdir(CONTRACTS) if f.startswith('bad_'))
    assert on_disk == sorted(name for name, _ in MALFORMED)


@pytest.mark.parametrize('fixture, message', MALFORMED, ids=[m[0][4:-5] for m in MALFORMED])
def test_malformed_contract_fails_naming_the_problem(tmp_path, fixture, message):
    source = write_source(tmp_path, {'outputs_file': contract_path(fixture)})
    with pytest.raises(AnsibleParserError, match=r'Invalid Meridian inventory contract: ' + message):
        parse_directly(source)


@pytest.mark.parametrize('fixture, message', [m for m in MALFORMED if m[0] in ('bad_duplicate_node_id.json', 'bad_unknown_topology.json')],
                         ids=['duplicate_node_id', 'unknown_topology'])
def test_malformed_contract_fails_ansible_inventory_cli(tmp_path, fixture, message):
    result = run_cli(write_source(tmp_path, {'outputs_file': contract_path(fixture)}), '--list')
    assert result.returncode != 0
    assert "Failed to parse inventory with 'meridian_terraform' plugin" in result.stderr
    assert re.search(message, result.stderr), result.stderr


def test_malformed_contract_is_not_silently_empty_through_inventory_manager(tmp_path, monkeypatch):
    import ansible.constants as C
    monkeypatch.setattr(C, 'INVENTORY_ANY_UNPARSED_IS_FAILED', True)
    with pytest.raises(AnsibleError, match='Completely failed to parse inventory source'):
        inventory_for(write_source(tmp_path, {'outputs_file': contract_path('bad_duplicate_host.json')}))


# --------------------------------------------------------------------------- schema parity

def _schema_validator():
    jsonschema = pytest.importorskip('jsonschema')
    with open(SCHEMA) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _contract_of(name):
    data = load_contract(name)
    return data['meridian_inventory']['value'] if 'meridian_inventory' in data else data


@pytest.mark.parametrize('fixture', ['single_region.json', 'stretched_outputs.json', 'linked.json'])
def test_valid_fixtures_match_schema(fixture):
    errors = list(_schema_validator().iter_errors(_contract_of(fixture)))
    assert errors == []


@pytest.mark.parametrize('fixture', [m[0] for m in MALFORMED if m[0] not in CROSS_HOST_RULES])
def test_schema_rejects_malformed_fixtures(fixture):
    assert list(_schema_validator().iter_errors(_contract_of(fixture))), '%s passes the schema' % fixture


@pytest.mark.parametrize('fixture', sorted(CROSS_HOST_RULES))
def test_cross_host_rules_are_beyond_the_schema(fixture):
    # documents why the plugin's checks are a superset of the schema
    assert list(_schema_validator().iter_errors(_contract_of(fixture))) == []


def test_schema_constants_match_plugin():
    import meridian_terraform as mod
    with open(SCHEMA) as f:
        schema = json.load(f)
    host = schema['$defs']['host']
    assert tuple(host['required']) == mod.HOST_FIELDS
    assert tuple(host['properties']['platform']['enum']) == mod.PLATFORMS
    assert tuple(schema['$defs']['role']['enum']) == mod.ROLES
    assert tuple(schema['$defs']['cluster']['properties']['topology']['enum']) == mod.TOPOLOGIES
    assert schema['$defs']['name']['pattern'] == mod.NAME_RE.pattern
    assert schema['properties']['contract_version'] == {'const': mod.CONTRACT_VERSION}


# --------------------------------------------------------------------------- ansible-inventory CLI

def test_ansible_inventory_cli_list(tmp_path):
    source = write_source(tmp_path, {'outputs_file': contract_path('single_region.json'),
                                     'keyed_groups': [{'key': 'meridian_platform', 'prefix': 'platform'}]})
    result = run_cli(source, '--list')
    assert result.returncode == 0, result.stderr
    data = unwrap_unsafe(json.loads(result.stdout))
    assert sorted(data['kafka']['hosts']) == ['solo-1', 'solo-2', 'solo-3']
    assert sorted(data['platform_lab']['hosts']) == ['solo-1', 'solo-2', 'solo-3']
    assert data['zone_region_a_2']['hosts'] == ['solo-2']
    hv = data['_meta']['hostvars']['solo-1']
    assert hv['meridian_node_id'] == 1
    assert hv['meridian_roles'] == ['controller', 'broker']
    assert hv['ansible_connection'] == 'containers.podman.podman'


# --------------------------------------------------------------------------- cache

def test_cache_is_used_until_flushed(tmp_path):
    contract = load_contract('single_region.json')
    outputs = write_json(tmp_path / 'outputs.json', contract)
    source = write_source(tmp_path, {'outputs_file': outputs, 'cache': True,
                                     'cache_plugin': 'jsonfile',
                                     'cache_connection': str(tmp_path / 'cache')})
    assert inventory_for(source).get_host('solo-1').get_vars()['meridian_stack'] == 'lab'
    assert os.listdir(str(tmp_path / 'cache')), 'nothing was written to the cache'

    changed = copy.deepcopy(contract)
    changed['stack'] = 'lab-v2'
    write_json(tmp_path / 'outputs.json', changed)
    # cache valid: the stale contract is served without reading outputs.json
    assert inventory_for(source).get_host('solo-1').get_vars()['meridian_stack'] == 'lab'
    # --flush-cache (cache=False) re-reads the source and refreshes the cache
    assert inventory_for(source, cache=False).get_host('solo-1').get_vars()['meridian_stack'] == 'lab-v2'
    assert inventory_for(source).get_host('solo-1').get_vars()['meridian_stack'] == 'lab-v2'


def test_without_cache_option_source_is_reread(tmp_path):
    contract = load_contract('single_region.json')
    outputs = write_json(tmp_path / 'outputs.json', contract)
    source = write_source(tmp_path, {'outputs_file': outputs})
    assert inventory_for(source).get_host('solo-1').get_vars()['meridian_stack'] == 'lab'
    contract['stack'] = 'lab-v2'
    write_json(tmp_path / 'outputs.json', contract)
    assert inventory_for(source).get_host('solo-1').get_vars()['meridian_stack'] == 'lab-v2'


# --------------------------------------------------------------------------- project_path mode

def test_project_path_uses_swappable_reader(tmp_path, monkeypatch):
    import meridian_terraform as mod
    calls = []

    def fake_read(self, project_path):
        calls.append((project_path, self.get_option('binary')))
        return {'meridian_inventory': load_contract('linked.json')}

    # patch the class the Ansible loader actually instantiated
    monkeypatch.setattr(type(plugin()), '_read_terraform_outputs', fake_read)
    (tmp_path / 'inv').mkdir()
    source = write_source(tmp_path / 'inv', {'project_path': '../stack', 'binary': 'tofu'})
    inv = inventory_for(source)
    assert calls == [(str(tmp_path / 'stack'), 'tofu')]
    assert members(inv, 'mirror_maker') == ['euw-mm-1']
    assert mod.InventoryModule.NAME == 'meridian_terraform'


STACK = textwrap.dedent('''
    variable "stack_name" {
      type    = string
      default = "default-stack"
    }
    variable "node_count" {
      type    = number
      default = 1
    }
    resource "terraform_data" "node" {
      count = var.node_count
      input = {
        name       = "tf-${count.index + 1}"
        address    = "127.9.0.${count.index + 1}"
        platform   = "lab"
        cluster    = "tf"
        roles      = ["controller", "broker"]
        region     = "region-a"
        zone       = "region-a-${count.index + 1}"
        node_id    = count.index + 1
        connection = { ansible_connection = "local" }
      }
    }
    output "meridian_inventory" {
      value = {
        contract_version = 1
        stack            = var.stack_name
        clusters         = { tf = { topology = "single-region" } }
        hosts            = terraform_data.node[*].output
      }
    }
''')


@pytest.mark.skipif(not HAVE_TERRAFORM, reason='neither terraform nor tofu on PATH')
def test_project_path_with_real_terraform_stack(tmp_path):
    stack = tmp_path / 'stack'
    stack.mkdir()
    (stack / 'main.tf').write_text(STACK)
    write_json(tmp_path / 'vars.tfvars.json', {'node_count': 3})
    inv_dir = tmp_path / 'inventories'
    inv_dir.mkdir()
    source = write_source(inv_dir, {'project_path': '../stack', 'keyed_groups': [{'key': 'meridian_stack', 'prefix': 'stack'}]})

    # not applied yet: clear error instead of an empty inventory
    with pytest.raises(AnsibleParserError, match="output 'meridian_inventory' not found .*has the stack been applied"):
        parse_directly(source)

    terraform_adapter.apply(str(stack), var_files=[str(tmp_path / 'vars.tfvars.json')],
                            variables={'stack_name': 'tf-test'})
    try:
        inv = inventory_for(source)
        assert members(inv, 'kafka') == ['tf-1', 'tf-2', 'tf-3']
        assert members(inv, 'stack_tf_test') == ['tf-1', 'tf-2', 'tf-3']
        assert members(inv, 'zone_region_a_2') == ['tf-2']
        hv = inv.get_host('tf-3').get_vars()
        assert hv['meridian_node_id'] == 3
        assert hv['meridian_address'] == '127.9.0.3'
        assert hv['meridian_stack'] == 'tf-test'
        assert hv['ansible_connection'] == 'local'
    finally:
        terraform_adapter.destroy(str(stack), variables={'stack_name': 'tf-test'})


def test_project_path_terraform_failure_is_a_parser_error(tmp_path, monkeypatch):
    monkeypatch.setenv('MERIDIAN_TERRAFORM_BIN', str(tmp_path / 'no-such-terraform'))
    (tmp_path / 'stack').mkdir()
    with pytest.raises(AnsibleParserError, match='Could not read Terraform outputs of .*stack.*MERIDIAN_TERRAFORM_BIN'):
        parse_directly(write_source(tmp_path, {'project_path': 'stack'}))
