"""Static checks of the Terraform code (terraform/modules, terraform/stacks, terraform/lab).

Cloud provider plugins cannot be downloaded here, so `terraform validate` only runs on the lab
stack. These tests cover what can be checked without them: every variable typed, described and
(in modules) validated; the stacks' contract output; the committed example outputs against the
contract schema, the inventory plugin and the placement arithmetic (run by the real CLI on the
provider-less placement module); `terraform test` of the provider-less modules.
"""
import glob
import json
import os
import re
import subprocess

import pytest
import yaml

from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader

import terraform_examples as tfx

REPO = tfx.REPO
SCHEMA = os.path.join(REPO, 'docs', 'inventory-contract.schema.json')
LAB_TOPOLOGIES = os.path.join(tfx.TERRAFORM, 'lab', 'topologies')
STACKS = tfx.stack_names()
# Modules with no provider: `terraform test` runs them offline.
OFFLINE_MODULES = ['placement', 'cloud-init']
CLOUD_REGION_MODULES = ['aws-region', 'gcp-region', 'azure-region']
DISCOVERY_KEYS = {'meridian_cluster', 'meridian_roles', 'meridian_region', 'meridian_zone', 'meridian_node_id',
                  'meridian_topology', 'meridian_host', 'meridian_stack'}

TF = tfx.terraform_bin()
needs_cli = pytest.mark.skipif(not TF, reason='needs the terraform or tofu CLI (make terraform-cli)')


def module_dirs():
    """Every directory under terraform/modules holding .tf files (nested ones included)."""
    return sorted(os.path.relpath(d, tfx.MODULES) for d, _, files in os.walk(tfx.MODULES)
                  if any(f.endswith('.tf') for f in files) and '/.terraform' not in d and '/tests' not in d)


def all_config_dirs():
    return ([os.path.join('modules', m) for m in module_dirs()]
            + [os.path.join('stacks', s) for s in STACKS] + ['lab'])


def variables_of(directory):
    return [(os.path.basename(path), name, body)
            for path in tfx.tf_files(directory) for name, body in tfx.blocks(tfx.load_hcl(path), 'variable')]


def variable_problems(directory, require_validation):
    """What a variable block lacks: type, description, and (when asked) a validation for any
    non-bool variable. Returns readable problems, empty when all is well."""
    problems = []
    for filename, name, body in variables_of(directory):
        if not str(body.get('type', '')).strip():
            problems.append('%s: variable "%s" has no type' % (filename, name))
        if not str(body.get('description', '')).strip():
            problems.append('%s: variable "%s" has no description' % (filename, name))
        if require_validation and body.get('type') != 'bool' and not body.get('validation'):
            problems.append('%s: variable "%s" has no validation block' % (filename, name))
    return problems


# --------------------------------------------------------------------------- variables / outputs

def test_there_is_something_to_check():
    assert set(STACKS) == {'aws-dr-pair', 'gcp-stretched', 'azure-dr-pair', 'multicloud-migration', 'edge-to-core'}
    assert {'placement', 'cloud-init', 'aws-region', 'gcp-region', 'azure-region', 'aws-peering',
            'azure-peering', 'gcp-network', 'cross-cloud-vpn/aws-gcp', 'cross-cloud-vpn/aws-azure',
            'cross-cloud-vpn/aws-side'} <= set(module_dirs())


@pytest.mark.parametrize('directory', all_config_dirs())
def test_every_variable_is_typed_and_described(directory):
    path = os.path.join(tfx.TERRAFORM, directory)
    assert variable_problems(path, require_validation=False) == []


@pytest.mark.parametrize('module', module_dirs())
def test_module_variables_are_validated(module):
    # bool variables have nothing to validate; everything else says what it accepts.
    assert variable_problems(os.path.join(tfx.MODULES, module), require_validation=True) == []


def test_checker_notices_a_missing_description(tmp_path):
    (tmp_path / 'variables.tf').write_text(
        'variable "ok" {\n  description = "fine"\n  type = string\n  validation {\n'
        '    condition = length(var.ok) > 0\n    error_message = "x"\n  }\n}\n'
        'variable "bare" {\n  type = number\n}\n'
        'variable "untyped" {\n  description = "no type"\n}\n')
    assert variable_problems(str(tmp_path), require_validation=True) == [
        'variables.tf: variable "bare" has no description',
        'variables.tf: variable "bare" has no validation block',
        'variables.tf: variable "untyped" has no type',
        'variables.tf: variable "untyped" has no validation block',
    ]


@pytest.mark.parametrize('directory', all_config_dirs())
def test_every_output_is_described(directory):
    path = os.path.join(tfx.TERRAFORM, directory)
    missing = [name for p in tfx.tf_files(path) for name, body in tfx.blocks(tfx.load_hcl(p), 'output')
               if not str(body.get('description', '')).strip()]
    assert missing == []


@pytest.mark.parametrize('module', module_dirs())
def test_modules_have_no_provider_blocks_and_pin_their_providers(module):
    path = os.path.join(tfx.MODULES, module)
    docs = [tfx.load_hcl(p) for p in tfx.tf_files(path)]
    assert not any(d.get('provider') for d in docs), 'provider blocks belong in stacks only'
    assert os.path.exists(os.path.join(path, 'versions.tf'))
    terraform = [b for d in docs for b in d.get('terraform', [])]
    assert any(b.get('required_version') for b in terraform)
    for block in terraform:
        for providers in block.get('required_providers', []):
            for name, spec in providers.items():
                assert spec.get('source') and spec.get('version'), '%s: provider %s needs source and version' % (module, name)


# --------------------------------------------------------------------------- cloud region modules

def _firewall_ingress(module):
    doc = tfx.load_hcl(os.path.join(tfx.MODULES, module, 'firewall.tf'))
    locals_ = {k: v for block in doc['locals'] for k, v in block.items()}
    return locals_['ingress']


@pytest.mark.parametrize('module', CLOUD_REGION_MODULES)
def test_firewall_opens_only_the_meridian_ports_to_declared_networks(module):
    ingress = _firewall_ingress(module)
    ports = {rule['port']: rule['sources'] for rule in ingress.values()}
    assert set(ports) == {9092, 9093, 8083, 22}
    # SSH only from admin networks; the controller quorum only from the stack's own regions.
    assert re.fullmatch(r'\$\{distinct\(var\.admin_cidrs\)\}', ports[22])
    assert 'admin_cidrs' not in ports[9093] and 'client_cidrs' not in ports[9093]
    assert 'client_cidrs' not in ports[8083]
    for sources in ports.values():
        assert '0.0.0.0/0' not in sources


@pytest.mark.parametrize('module', CLOUD_REGION_MODULES)
def test_hosts_carry_the_discovery_tags(module):
    with open(os.path.join(tfx.MODULES, module, 'main.tf')) as f:
        text = f.read()
    for key in DISCOVERY_KEYS:
        assert re.search(r'\b%s\s*=' % key, text), '%s does not set %s' % (module, key)
    # documented where a discovery plugin author will look
    with open(os.path.join(tfx.TERRAFORM, 'README.md')) as f:
        readme = f.read()
    for key in DISCOVERY_KEYS:
        assert key in readme


# --------------------------------------------------------------------------- stacks

@pytest.mark.parametrize('stack', STACKS)
def test_stack_layout(stack):
    path = os.path.join(tfx.STACKS, stack)
    for name in ('versions.tf', 'providers.tf', 'variables.tf', 'placement.tf', 'main.tf', 'outputs.tf',
                 'terraform.tfvars.example', 'example-outputs.json'):
        assert os.path.exists(os.path.join(path, name)), '%s/%s missing' % (stack, name)
    modules = {name: body for p in tfx.tf_files(path) for name, body in tfx.blocks(tfx.load_hcl(p), 'module')}
    assert modules['placement']['source'] == '../../modules/placement'


@pytest.mark.parametrize('stack', STACKS)
def test_stack_emits_the_contract(stack):
    outputs = dict(tfx.blocks(tfx.load_hcl(os.path.join(tfx.STACKS, stack, 'outputs.tf')), 'output'))
    assert 'meridian_inventory' in outputs
    value = outputs['meridian_inventory']['value']
    assert set(value) == {'contract_version', 'stack', 'clusters', 'hosts'}
    assert value['contract_version'] == 1
    assert value['stack'] == '${var.stack}'
    assert value['clusters'] == '${module.placement.clusters}'


@pytest.mark.parametrize('stack', STACKS)
def test_example_tfvars_set_every_required_variable(stack):
    path = os.path.join(tfx.STACKS, stack)
    required = {name for _, name, body in variables_of(path) if 'default' not in body}
    values = tfx.load_hcl(os.path.join(path, 'terraform.tfvars.example'))
    assert required <= set(values)
    assert set(values) <= {name for _, name, _ in variables_of(path)}, 'example sets undeclared variables'
    assert values['stack'] == stack


def _schema_validator():
    jsonschema = pytest.importorskip('jsonschema')
    with open(SCHEMA) as f:
        return jsonschema.Draft202012Validator(json.load(f))


def example_contract(stack):
    with open(os.path.join(tfx.STACKS, stack, 'example-outputs.json')) as f:
        outputs = json.load(f)
    assert outputs['meridian_inventory']['sensitive'] is False
    return outputs['meridian_inventory']['value']


def lab_contract():
    """What terraform/lab/outputs.tf emits for every lab topology at once."""
    clusters, hosts = {}, []
    for path in sorted(glob.glob(os.path.join(LAB_TOPOLOGIES, '*.json'))):
        with open(path) as f:
            topology = json.load(f)
        clusters.update(topology['clusters'])
        for h in topology['hosts']:
            hosts.append(dict(h, platform='lab', connection={'ansible_connection': 'lab_podman',
                                                               'ansible_host': 'meridian-' + h['name']}))
    return {'contract_version': 1, 'stack': 'lab', 'clusters': clusters, 'hosts': hosts}


@pytest.mark.parametrize('stack', STACKS)
def test_example_outputs_match_the_schema(stack):
    assert [e.message for e in _schema_validator().iter_errors(example_contract(stack))] == []


def test_lab_contract_matches_the_schema():
    assert [e.message for e in _schema_validator().iter_errors(lab_contract())] == []


def inventory_of(tmp_path, contract, name):
    outputs = tmp_path / ('%s-outputs.json' % name)
    outputs.write_text(json.dumps({'meridian_inventory': {'sensitive': False, 'type': 'dynamic', 'value': contract}}))
    source = tmp_path / ('%s.meridian_terraform.yml' % name)
    source.write_text(yaml.safe_dump({'plugin': 'meridian_terraform', 'outputs_file': str(outputs)}))
    inv = InventoryManager(loader=DataLoader(), sources=[str(source)], cache=False)
    assert inv.hosts, 'the plugin built no host from %s' % name
    return inv


def group_kind(group):
    for kind in ('cluster', 'region', 'zone', 'role'):
        if group.startswith(kind + '_'):
            return kind
    return group


def meridian_keys(inv, host):
    return {k for k in inv.get_host(host).get_vars() if k.startswith('meridian_')}


@pytest.mark.parametrize('stack', STACKS)
def test_inventory_plugin_reads_example_outputs_like_the_lab(tmp_path, stack):
    lab = inventory_of(tmp_path, lab_contract(), 'lab')
    cloud = inventory_of(tmp_path, example_contract(stack), stack)
    kinds = lambda inv: {group_kind(g) for g in inv.groups if g not in ('all', 'ungrouped')}
    assert kinds(lab) == {'cluster', 'region', 'zone', 'role', 'kafka', 'mirror_maker'}
    # the same kinds of group; mirror_maker only exists where a stack has workers (not gcp-stretched)
    has_workers = any('mirror_maker' in h['roles'] for h in example_contract(stack)['hosts'])
    assert kinds(cloud) == kinds(lab) - (set() if has_workers else {'mirror_maker'})

    lab_keys = {frozenset(meridian_keys(lab, h)) for h in lab.hosts}
    assert len(lab_keys) == 1
    contract = example_contract(stack)
    for h in contract['hosts']:
        hv = cloud.get_host(h['name']).get_vars()
        assert meridian_keys(cloud, h['name']) == set(next(iter(lab_keys)))
        assert hv['meridian_stack'] == stack and hv['meridian_platform'] == h['platform']
        # SSH, not the lab's podman connection; a bastion adds ProxyJump
        assert {'ansible_host', 'ansible_user'} <= set(hv) and 'ansible_connection' not in hv
        assert hv['ansible_host'] == h['address']
        if 'ansible_ssh_common_args' in hv:
            assert re.fullmatch(r'-o ProxyJump=[a-z_][a-z0-9_.-]*@[a-z0-9.-]+(:\d+)?', hv['ansible_ssh_common_args'])
        groups = {g.name for g in cloud.get_host(h['name']).get_groups()}
        expected = {'all', 'cluster_' + h['cluster'], 'region_' + h['region'], 'zone_' + h['zone']}
        expected |= {'role_' + r for r in h['roles']}
        if {'controller', 'broker'} & set(h['roles']):
            expected.add('kafka')
        if 'mirror_maker' in h['roles']:
            expected.add('mirror_maker')
        assert groups == {tfx_safe(g) for g in expected}


def tfx_safe(group):
    return re.sub(r'[^a-z0-9_]', '_', group.lower())


@pytest.mark.parametrize('stack', STACKS)
def test_example_stretched_clusters_never_give_a_region_the_majority(stack):
    contract = example_contract(stack)
    for cname, cluster in contract['clusters'].items():
        if cluster['topology'] != 'stretched':
            continue
        per_region = {}
        for h in contract['hosts']:
            if h['cluster'] == cname and 'controller' in h['roles']:
                per_region[h['region']] = per_region.get(h['region'], 0) + 1
        assert max(per_region.values()) < sum(per_region.values()) // 2 + 1


@needs_cli
@pytest.mark.parametrize('stack', STACKS)
def test_example_outputs_follow_the_placement_module(stack):
    """The committed example is what the stack's own placement.tf computes for its example
    tfvars, plus the region modules' connection rules (tests/unit/terraform_examples.py)."""
    expected = tfx.expected_contract(os.path.join(tfx.STACKS, stack), TF)
    actual = example_contract(stack)
    by_name = lambda c: sorted(c['hosts'], key=lambda h: h['name'])
    assert actual['clusters'] == expected['clusters']
    assert actual['stack'] == expected['stack']
    assert by_name(actual) == by_name(expected)


# --------------------------------------------------------------------------- CLI checks

@needs_cli
@pytest.mark.parametrize('module', OFFLINE_MODULES)
def test_terraform_test_of_offline_module(tmp_path, module):
    path = os.path.join(tfx.MODULES, module)
    # A private data dir: the module directory stays clean and parallel runs do not collide.
    env = dict(tfx.terraform_env(), TF_DATA_DIR=str(tmp_path / '.terraform'))
    run = lambda *args: subprocess.run([TF] + list(args), cwd=path, env=env, capture_output=True, text=True, timeout=300)
    init = run('init', '-input=false', '-backend=false', '-no-color')
    assert init.returncode == 0, init.stdout + init.stderr
    result = run('test', '-no-color')
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r'Success! \d+ passed, 0 failed', result.stdout), result.stdout


@needs_cli
@pytest.mark.parametrize('stack', STACKS)
def test_example_tfvars_are_formatted(stack):
    # `terraform fmt -recursive` skips *.tfvars.example; check it through stdin.
    with open(os.path.join(tfx.STACKS, stack, 'terraform.tfvars.example')) as f:
        result = subprocess.run([TF, 'fmt', '-check', '-'], stdin=f, env=tfx.terraform_env(), capture_output=True, text=True)
    assert result.returncode == 0, 'terraform fmt would change terraform.tfvars.example'


# --------------------------------------------------------------------------- references
# `terraform validate` needs the provider plugins, which cannot be downloaded here. These checks
# catch what it would catch first in our own code: module arguments that the module does not
# declare, required ones left out, and references to undeclared variables, locals, module outputs.

META_ARGUMENTS = {'source', 'version', 'providers', 'for_each', 'count', 'depends_on'}
PROSE_KEYS = {'description', 'error_message'}


def expressions(node, key=None):
    """Every string in a parsed HCL document except descriptions and error messages."""
    if key in PROSE_KEYS:
        return
    if isinstance(node, dict):
        for k, v in node.items():
            yield from expressions(v, k)
            if isinstance(k, str):
                yield k
    elif isinstance(node, list):
        for v in node:
            yield from expressions(v, key)
    elif isinstance(node, str):
        yield node


def declared(directory):
    docs = [tfx.load_hcl(p) for p in tfx.tf_files(directory)]
    return {
        'docs': docs,
        'variables': {name: body for d in docs for name, body in tfx.blocks(d, 'variable')},
        'outputs': {name for d in docs for name, _ in tfx.blocks(d, 'output')},
        'locals': {k for d in docs for block in d.get('locals', []) for k in block},
        'modules': {name: body for d in docs for name, body in tfx.blocks(d, 'module')},
    }


def module_call_problems(path):
    problems = []
    for name, body in declared(path)['modules'].items():
        target = declared(os.path.normpath(os.path.join(path, body['source'])))
        args = set(body) - META_ARGUMENTS
        unknown = args - set(target['variables'])
        required = {v for v, spec in target['variables'].items() if 'default' not in spec}
        problems += ['module %s: %s is not a variable of %s' % (name, a, body['source']) for a in sorted(unknown)]
        problems += ['module %s: required %s not given' % (name, r) for r in sorted(required - args)]
    return problems


def reference_problems(path):
    here = declared(path)
    text = '\n'.join(s for d in here['docs'] for s in expressions(d))
    problems = ['var.%s' % v for v in set(re.findall(r'\bvar\.([A-Za-z_][\w-]*)', text)) - set(here['variables'])]
    problems += ['local.%s' % v for v in set(re.findall(r'\blocal\.([A-Za-z_][\w-]*)', text)) - here['locals']]
    for module, output in set(re.findall(r'\bmodule\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?\.([A-Za-z_][\w-]*)', text)):
        if module not in here['modules']:
            problems.append('module.%s' % module)
            continue
        target = declared(os.path.normpath(os.path.join(path, here['modules'][module]['source'])))
        if output not in target['outputs']:
            problems.append('module.%s.%s' % (module, output))
    return sorted(problems)


@pytest.mark.parametrize('directory', all_config_dirs())
def test_module_calls_match_the_called_modules(directory):
    assert module_call_problems(os.path.join(tfx.TERRAFORM, directory)) == []


@pytest.mark.parametrize('directory', all_config_dirs())
def test_references_are_declared(directory):
    assert reference_problems(os.path.join(tfx.TERRAFORM, directory)) == []


def test_reference_checks_notice_typos(tmp_path):
    child = tmp_path / 'child'
    child.mkdir()
    (child / 'main.tf').write_text('variable "needed" {\n  type = string\n}\noutput "out" {\n  value = var.needed\n}\n')
    root = tmp_path / 'root'
    root.mkdir()
    (root / 'main.tf').write_text(
        'variable "known" {\n  type = string\n}\n'
        'module "child" {\n  source = "../child"\n  neede = var.known\n}\n'
        'output "x" {\n  description = "mentions var.described_only, not a reference"\n'
        '  value = [module.child.outt, var.unknown, local.nothing]\n}\n')
    assert module_call_problems(str(root)) == ['module child: neede is not a variable of ../child',
                                               'module child: required needed not given']
    assert reference_problems(str(root)) == ['local.nothing', 'module.child.outt', 'var.unknown']
