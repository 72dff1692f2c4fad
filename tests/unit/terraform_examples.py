"""Offline helpers for the cloud Terraform stacks (terraform/stacks/*).

Clouds and provider plugins are out of reach here, so a stack's `meridian_inventory` is
recomputed from what needs neither: its terraform.tfvars.example, its placement.tf (run by the
Terraform/OpenTofu CLI against the provider-less modules/placement) and the few facts the cloud
region modules add (platform, ssh user, ProxyJump). test_terraform_static.py compares that with
the committed example-outputs.json.

Run as a script to rewrite every example-outputs.json after a deliberate change:
    .venv/bin/python tests/unit/terraform_examples.py
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import hcl2
from hcl2 import SerializationOptions

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
TERRAFORM = os.path.join(REPO, 'terraform')
STACKS = os.path.join(TERRAFORM, 'stacks')
MODULES = os.path.join(TERRAFORM, 'modules')
PLACEMENT = os.path.join(MODULES, 'placement')

HCL_OPTIONS = SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=False)
REGION_MODULES = {'aws-region': 'aws', 'gcp-region': 'gcp', 'azure-region': 'azure'}


def load_hcl(path):
    with open(path, encoding='utf-8') as f:
        return hcl2.load(f, serialization_options=HCL_OPTIONS)


def blocks(doc, kind):
    """[(name, body)] of the labelled blocks of one kind (variable, output, module, ...)."""
    return [(name, body) for entry in doc.get(kind, []) for name, body in entry.items()]


def tf_files(directory):
    return sorted(os.path.join(directory, f) for f in os.listdir(directory) if f.endswith('.tf'))


def stack_names():
    return sorted(d for d in os.listdir(STACKS) if os.path.isdir(os.path.join(STACKS, d)))


def terraform_bin():
    return os.environ.get('MERIDIAN_TERRAFORM_BIN') or shutil.which('terraform') or shutil.which('tofu')


def terraform_env():
    env = dict(os.environ, TF_IN_AUTOMATION='1', CHECKPOINT_DISABLE='1')  # no version check over the network
    env.setdefault('TF_CLI_CONFIG_FILE', os.path.join(REPO, 'lab', 'terraformrc'))
    return env


def run_terraform(tf, args, cwd, timeout=300):
    return subprocess.run([tf] + args, cwd=cwd, env=terraform_env(), capture_output=True, text=True, timeout=timeout)


def variable_defaults(stack_dir):
    return {name: body.get('default') for path in tf_files(stack_dir) for name, body in blocks(load_hcl(path), 'variable')}


def tfvars(stack_dir):
    values = variable_defaults(stack_dir)
    values.update(load_hcl(os.path.join(stack_dir, 'terraform.tfvars.example')))
    return values


def run_placement(stack_dir, tf):
    """Apply the stack's own placement.tf and variables (no provider, no resource) with its
    example tfvars; return module.placement's hosts, clusters and controller_placement."""
    with tempfile.TemporaryDirectory(prefix='meridian-placement-') as work:
        shutil.copy(os.path.join(stack_dir, 'variables.tf'), work)
        with open(os.path.join(stack_dir, 'placement.tf'), encoding='utf-8') as f:
            placement = f.read().replace('"../../modules/placement"', json.dumps(PLACEMENT))
        with open(os.path.join(work, 'placement.tf'), 'w', encoding='utf-8') as f:
            f.write(placement)
        with open(os.path.join(work, 'outputs.tf'), 'w', encoding='utf-8') as f:
            f.write('output "hosts" { value = module.placement.hosts }\n'
                    'output "clusters" { value = module.placement.clusters }\n'
                    'output "controller_placement" { value = module.placement.controller_placement }\n')
        for args in (['init', '-input=false', '-backend=false', '-no-color'],
                     ['apply', '-input=false', '-auto-approve', '-no-color',
                      '-var-file=' + os.path.join(stack_dir, 'terraform.tfvars.example')],
                     ['output', '-json']):
            result = run_terraform(tf, args, work)
            if result.returncode != 0:
                raise RuntimeError('terraform %s failed in %s:\n%s%s' % (args[0], stack_dir, result.stdout, result.stderr))
        outputs = json.loads(result.stdout)
    return {name: out['value'] for name, out in outputs.items()}


def _resolve_region(expr, values):
    """'${var.primary.region}' -> the tfvars value; '${each.key}' is handled by the caller."""
    m = re.fullmatch(r'\$\{var\.(\w+)\.region\}', expr)
    if not m:
        raise ValueError('unsupported region expression %r' % expr)
    return values[m.group(1)]['region']


def region_platforms(stack_dir, values):
    """Region name -> platform, from the stack's region module calls, in the order they appear."""
    platforms = {}
    for path in tf_files(stack_dir):
        for _, body in blocks(load_hcl(path), 'module'):
            kind = os.path.basename(body['source'])
            if kind not in REGION_MODULES:
                continue
            if body['region'] == '${each.key}':
                m = re.fullmatch(r'\$\{var\.(\w+)\}', body['for_each'])
                regions = sorted(values[m.group(1)])
            else:
                regions = [_resolve_region(body['region'], values)]
            for region in regions:
                platforms[region] = REGION_MODULES[kind]
    return platforms


def expected_contract(stack_dir, tf, placement=None):
    values = tfvars(stack_dir)
    placement = placement or run_placement(stack_dir, tf)
    platforms = region_platforms(stack_dir, values)
    order = list(platforms)
    hosts = []
    for name, h in sorted(placement['hosts'].items(), key=lambda kv: (order.index(kv[1]['region']), kv[0])):
        connection = {'ansible_host': h['address'], 'ansible_user': values['ssh_user']}
        bastion = (values.get('bastions') or {}).get(h['region'])
        if bastion:
            port = bastion.get('port', 22)
            connection['ansible_ssh_common_args'] = '-o ProxyJump=%s@%s%s' % (
                bastion['user'], bastion['host'], '' if port == 22 else ':%d' % port)
        hosts.append({
            'name': name, 'address': h['address'], 'platform': platforms[h['region']],
            'cluster': h['cluster'], 'roles': h['roles'], 'region': h['region'], 'zone': h['zone'],
            'node_id': h['node_id'], 'connection': connection,
        })
    return {'contract_version': 1, 'stack': values['stack'], 'clusters': placement['clusters'], 'hosts': hosts}


# --------------------------------------------------------------------------- example files

def _type_of(value):
    """Terraform's JSON type description of a value (as in `terraform output -json`)."""
    if isinstance(value, bool):
        return 'bool'
    if isinstance(value, (int, float)):
        return 'number'
    if isinstance(value, str):
        return 'string'
    if isinstance(value, list):
        return ['tuple', [_type_of(v) for v in value]]
    if isinstance(value, dict):
        return ['object', {k: _type_of(v) for k, v in value.items()}]
    return 'number'  # null node_id: Terraform unifies it with the other hosts' numbers


def _illustrative_id(platform, host, values):
    digest = hashlib.sha1(host['name'].encode()).hexdigest()
    if platform == 'aws':
        return 'i-0' + digest[:16]
    if platform == 'gcp':
        return 'projects/%s/zones/%s/instances/%s' % (values['gcp_project'], host['zone'], host['name'])
    return ('/subscriptions/%s/resourceGroups/%s-%s/providers/Microsoft.Compute/virtualMachines/%s'
            % (values['azure_subscription_id'], values['stack'], host['region'], host['name']))


def example_outputs(stack_dir, tf):
    """What `terraform output -json` prints for the example tfvars (IDs are illustrative)."""
    placement = run_placement(stack_dir, tf)
    contract = expected_contract(stack_dir, tf, placement)
    values = tfvars(stack_dir)
    declared = [name for path in tf_files(stack_dir) for name, _ in blocks(load_hcl(path), 'output')]
    outputs = {'meridian_inventory': contract}
    ids = {h['name']: _illustrative_id(h['platform'], h, values) for h in contract['hosts']}
    for name in declared:
        if name in ('instance_ids', 'vm_ids'):
            outputs[name] = ids
        elif name == 'controller_placement':
            outputs[name] = placement['controller_placement']
    missing = set(declared) - set(outputs)
    if missing:
        raise RuntimeError('%s: no example value for outputs %s' % (stack_dir, sorted(missing)))
    return {name: {'sensitive': False, 'type': _type_of(value), 'value': value} for name, value in sorted(outputs.items())}


def main():
    tf = terraform_bin()
    if not tf:
        sys.exit('needs terraform or tofu')
    for stack in stack_names():
        path = os.path.join(STACKS, stack, 'example-outputs.json')
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(example_outputs(os.path.join(STACKS, stack), tf), f, indent=2)
            f.write('\n')
        print('wrote', os.path.relpath(path, REPO))


if __name__ == '__main__':
    main()
