"""Tests of plugins/module_utils/terraform_adapter.py: binary discovery with fake
CLIs, and init/apply/output/destroy against the real terraform (or tofu) CLI."""
import json
import os
import shutil
import stat
import textwrap

import pytest

import terraform_adapter
from terraform_adapter import TerraformError

REAL_CLI = shutil.which('terraform') or shutil.which('tofu')
needs_cli = pytest.mark.skipif(REAL_CLI is None, reason='neither terraform nor tofu on PATH')


def fake_cli(directory, name, script):
    path = os.path.join(str(directory), name)
    with open(path, 'w') as f:
        f.write('#!/bin/sh\n' + textwrap.dedent(script))
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """PATH containing only an empty bin dir, no MERIDIAN_TERRAFORM_BIN."""
    bindir = tmp_path / 'bin'
    bindir.mkdir()
    monkeypatch.setenv('PATH', str(bindir))
    monkeypatch.delenv('MERIDIAN_TERRAFORM_BIN', raising=False)
    return bindir


# --------------------------------------------------------------------------- find_binary

def test_no_cli_is_a_clear_error(clean_env):
    with pytest.raises(TerraformError, match=r'Neither terraform nor tofu was found on PATH.*\$MERIDIAN_TERRAFORM_BIN'):
        terraform_adapter.find_binary()


@pytest.mark.parametrize('present, expected', [
    (['terraform'], 'terraform'),
    (['tofu'], 'tofu'),
    (['tofu', 'terraform'], 'terraform'),
])
def test_path_lookup(clean_env, present, expected):
    for name in present:
        fake_cli(clean_env, name, 'exit 0\n')
    assert terraform_adapter.find_binary() == str(clean_env / expected)


def test_env_overrides_path(clean_env, tmp_path, monkeypatch):
    fake_cli(clean_env, 'terraform', 'exit 0\n')
    custom = fake_cli(tmp_path, 'my-tofu', 'exit 0\n')
    monkeypatch.setenv('MERIDIAN_TERRAFORM_BIN', custom)
    assert terraform_adapter.find_binary() == custom
    # explicit argument beats the environment
    assert terraform_adapter.find_binary('terraform') == str(clean_env / 'terraform')


def test_env_pointing_nowhere_is_an_error(clean_env, monkeypatch):
    monkeypatch.setenv('MERIDIAN_TERRAFORM_BIN', '/nonexistent/terraform')
    with pytest.raises(TerraformError, match=r"'/nonexistent/terraform' \(from \$MERIDIAN_TERRAFORM_BIN\) was not found"):
        terraform_adapter.find_binary()


# --------------------------------------------------------------------------- read_outputs (fake CLI)

def test_read_outputs_unwraps_values_and_passes_json_flag(tmp_path):
    log = tmp_path / 'args.log'
    outputs = {'meridian_inventory': {'sensitive': False, 'type': ['object', {}], 'value': {'contract_version': 1}},
               'count': {'sensitive': False, 'type': 'number', 'value': 3}}
    cli = fake_cli(tmp_path, 'terraform', '''\
        echo "$@" > %s
        cat <<'JSON'
        %s
        JSON
        ''' % (log, json.dumps(outputs)))
    assert terraform_adapter.read_outputs(str(tmp_path), binary=cli) == {
        'meridian_inventory': {'contract_version': 1}, 'count': 3}
    args = log.read_text().split()
    assert args[0] == 'output' and '-json' in args


def test_read_outputs_nonzero_rc_raises_with_stderr(tmp_path):
    cli = fake_cli(tmp_path, 'terraform', 'echo "Error: backend exploded" >&2\nexit 3\n')
    with pytest.raises(TerraformError, match='output -json failed .*rc=3.*\n.*backend exploded') as info:
        terraform_adapter.read_outputs(str(tmp_path), binary=cli)
    assert info.value.returncode == 3
    assert 'backend exploded' in info.value.stderr


def test_read_outputs_non_json_raises(tmp_path):
    cli = fake_cli(tmp_path, 'terraform', 'echo "not json"\n')
    with pytest.raises(TerraformError, match='did not return JSON'):
        terraform_adapter.read_outputs(str(tmp_path), binary=cli)


def test_missing_working_dir(tmp_path):
    with pytest.raises(TerraformError, match='working directory .*nope does not exist'):
        terraform_adapter.read_outputs(str(tmp_path / 'nope'))


# --------------------------------------------------------------------------- real CLI

STACK = textwrap.dedent('''
    variable "greeting" {
      type    = string
      default = "hello"
    }
    variable "replicas" {
      type    = number
      default = 1
    }
    resource "terraform_data" "item" {
      count = var.replicas
      input = "${var.greeting}-${count.index}"
    }
    output "items" {
      value = terraform_data.item[*].output
    }
    output "settings" {
      value = { greeting = var.greeting, replicas = var.replicas, nothing = null }
    }
''')


@needs_cli
def test_apply_output_destroy_roundtrip(tmp_path):
    stack = tmp_path / 'stack'
    stack.mkdir()
    (stack / 'main.tf').write_text(STACK)
    assert terraform_adapter.read_outputs(str(stack)) == {}

    (tmp_path / 'extra.tfvars.json').write_text(json.dumps({'replicas': 2}))
    terraform_adapter.apply(str(stack), var_files=[str(tmp_path / 'extra.tfvars.json')], variables={'greeting': 'hi'})
    assert (stack / 'terraform.tfstate').exists()
    assert terraform_adapter.read_outputs(str(stack)) == {
        'items': ['hi-0', 'hi-1'],
        'settings': {'greeting': 'hi', 'replicas': 2, 'nothing': None},
    }

    # re-apply with other variables, no init this time
    terraform_adapter.apply(str(stack), variables={'greeting': 'yo', 'replicas': 1}, run_init=False)
    assert terraform_adapter.read_outputs(str(stack))['items'] == ['yo-0']

    terraform_adapter.destroy(str(stack), variables={'greeting': 'yo'})
    assert terraform_adapter.read_outputs(str(stack)) == {}


@needs_cli
def test_relative_var_files_resolve_against_cwd(tmp_path, monkeypatch):
    stack = tmp_path / 'stack'
    stack.mkdir()
    (stack / 'main.tf').write_text(STACK)
    (tmp_path / 'v.tfvars.json').write_text(json.dumps({'greeting': 'rel'}))
    monkeypatch.chdir(str(tmp_path))
    terraform_adapter.apply('stack', var_files=['v.tfvars.json'])
    assert terraform_adapter.read_outputs('stack')['items'] == ['rel-0']
    terraform_adapter.destroy('stack', var_files=['v.tfvars.json'])


@needs_cli
def test_apply_error_carries_terraform_stderr(tmp_path):
    stack = tmp_path / 'broken'
    stack.mkdir()
    (stack / 'main.tf').write_text('output "x" { value = var.undeclared }\n')
    with pytest.raises(TerraformError, match=r'terraform (init|apply) failed') as info:
        terraform_adapter.apply(str(stack))
    assert info.value.returncode == 1
    assert 'undeclared' in info.value.stderr


@needs_cli
def test_script_entry_point_prints_outputs(tmp_path, capsys):
    stack = tmp_path / 'stack'
    stack.mkdir()
    (stack / 'main.tf').write_text('output "answer" { value = 42 }\n')
    assert terraform_adapter._main(['apply', str(stack)]) == 0
    capsys.readouterr()
    assert terraform_adapter._main(['output', str(stack)]) == 0
    assert json.loads(capsys.readouterr().out) == {'answer': 42}
    assert terraform_adapter._main(['output', str(tmp_path / 'missing')]) == 1
