# -*- coding: utf-8 -*-
"""The one small adapter between Meridian and the Terraform/OpenTofu CLI.

Everything that shells out to ``terraform`` (or ``tofu``) goes through here: the
``meridian_terraform`` inventory plugin (read_outputs), the lab Makefile and the
tests (init/apply/destroy).  It wraps python-terraform 0.10.1, working around
its quirks:

* ``Terraform.output()`` returns ``None`` on failure and drops stderr, so we
  call ``output_cmd(json=...)`` ourselves and parse the JSON.
* ``Terraform.destroy()`` passes ``-force`` by default, which Terraform >= 0.15
  and OpenTofu reject; we pass ``force=IsNotFlagged, auto_approve=IsFlagged``.
* ``cmd()`` never raises on a non-zero return code; we raise TerraformError
  carrying stderr.
* ``apply(skip_plan=True)`` is what produces ``-auto-approve``.

Not an Ansible module_utils in the module sense: it only runs on the controller.
It can also be run as a script (``python terraform_adapter.py apply DIR``).
"""

from __future__ import annotations

import json
import os
import shutil

from python_terraform import IsFlagged, IsNotFlagged, Terraform

__all__ = ['TerraformError', 'find_binary', 'read_outputs', 'init', 'apply', 'destroy']

BINARY_ENV = 'MERIDIAN_TERRAFORM_BIN'
CANDIDATES = ('terraform', 'tofu')


class TerraformError(RuntimeError):
    """A terraform/tofu invocation failed (or no CLI could be found)."""

    def __init__(self, message, returncode=None, stderr=''):
        self.returncode = returncode
        self.stderr = stderr or ''
        if self.stderr.strip():
            message = '%s\n%s' % (message, self.stderr.strip())
        super().__init__(message)


def find_binary(binary=None):
    """Return the absolute path of the CLI to use.

    Order: explicit ``binary`` argument, then ``$MERIDIAN_TERRAFORM_BIN``, then the
    first of ``terraform`` / ``tofu`` found on PATH.  Names and paths are both accepted.
    """
    requested, source = binary, 'binary argument'
    if not requested and os.environ.get(BINARY_ENV):
        requested, source = os.environ[BINARY_ENV], '$' + BINARY_ENV
    if requested:
        found = shutil.which(os.path.expanduser(requested))
        if not found:
            raise TerraformError('Terraform CLI %r (from %s) was not found or is not executable' % (requested, source))
        return found
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise TerraformError('Neither terraform nor tofu was found on PATH; install one of them '
                         'or point $%s at the binary' % BINARY_ENV)


def _terraform(working_dir, binary=None, var_files=()):
    if not os.path.isdir(working_dir):
        raise TerraformError('Terraform working directory %s does not exist' % working_dir)
    # var files are resolved against the caller's cwd, not the stack dir the CLI runs in
    var_files = [os.path.abspath(os.path.expanduser(f)) for f in var_files]
    return Terraform(working_dir=working_dir, terraform_bin_path=find_binary(binary), var_file=var_files or None)


def _check(result, what, working_dir):
    rc, out, err = result
    if rc != 0:
        raise TerraformError('terraform %s failed in %s (rc=%s)' % (what, working_dir, rc), returncode=rc, stderr=err)
    return out


def read_outputs(working_dir, binary=None):
    """Return ``terraform output -json`` of the stack in ``working_dir`` as {name: value}.

    An un-applied stack yields ``{}`` (that is what the CLI prints).
    """
    tf = _terraform(working_dir, binary)
    out = _check(tf.output_cmd(json=IsFlagged, no_color=IsFlagged), 'output -json', working_dir)
    try:
        raw = json.loads(out or '{}')
    except ValueError as e:
        raise TerraformError('terraform output -json in %s did not return JSON: %s' % (working_dir, e))
    return {name: (item['value'] if isinstance(item, dict) and 'value' in item else item)
            for name, item in raw.items()}


def init(working_dir, binary=None):
    """``terraform init -input=false`` (no -reconfigure, so existing backends are kept)."""
    tf = _terraform(working_dir, binary)
    return _check(tf.init(reconfigure=IsNotFlagged), 'init', working_dir)


def apply(working_dir, var_files=(), variables=None, binary=None, run_init=True):
    """``terraform [init &&] apply -auto-approve``; returns stdout."""
    if run_init:
        init(working_dir, binary)
    tf = _terraform(working_dir, binary, var_files)
    return _check(tf.apply(skip_plan=True, var=dict(variables or {})), 'apply', working_dir)


def destroy(working_dir, var_files=(), variables=None, binary=None):
    """``terraform destroy -auto-approve``; returns stdout."""
    tf = _terraform(working_dir, binary, var_files)
    return _check(tf.destroy(force=IsNotFlagged, auto_approve=IsFlagged, var=dict(variables or {})),
                  'destroy', working_dir)


def _main(argv=None):
    import argparse
    import sys

    parser = argparse.ArgumentParser(description='Meridian terraform adapter')
    parser.add_argument('action', choices=['init', 'apply', 'destroy', 'output'])
    parser.add_argument('working_dir')
    parser.add_argument('--var-file', action='append', default=[])
    parser.add_argument('--binary')
    args = parser.parse_args(argv)
    try:
        if args.action == 'output':
            print(json.dumps(read_outputs(args.working_dir, args.binary), indent=2, sort_keys=True))
        elif args.action == 'init':
            print(init(args.working_dir, args.binary))
        elif args.action == 'apply':
            print(apply(args.working_dir, args.var_file, binary=args.binary))
        else:
            print(destroy(args.working_dir, args.var_file, binary=args.binary))
    except TerraformError as e:
        print(str(e), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    raise SystemExit(_main())
