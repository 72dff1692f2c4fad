# -*- coding: utf-8 -*-
"""State of controller-side PKI files, for the kafka_pki role's re-run fingerprints."""

from __future__ import annotations

DOCUMENTATION = r'''
name: kafka_pki_files
short_description: Content digest and mode of files on the controller
description:
  - For each path, C(absent); C(dir <mode>) for a directory; otherwise the SHA-256 of the content and
    the octal mode, C(<sha256> <mode>).
  - The kafka_pki role fingerprints a node's key, CSR, certificate and keystore (and the CA's files)
    with it. A re-run that finds them exactly as the last run left them, with the same inputs, skips
    the certificate modules; any difference takes the full path, which checks and repairs.
options:
  _terms:
    description: Paths on the controller.
    required: true
'''

EXAMPLES = r'''
- name: Fingerprint the CA files
  ansible.builtin.debug:
    msg: "{{ query('kafka_pki_files', '/etc/meridian/pki/ca.key', '/etc/meridian/pki/ca.crt') }}"
'''

RETURN = r'''
_list:
  description: One state string per path, in order.
  type: list
  elements: str
'''

import hashlib
import os
import stat

from ansible.plugins.lookup import LookupBase


def file_state(path: str) -> str:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return 'absent'
    mode = '%04o' % stat.S_IMODE(info.st_mode)
    if stat.S_ISDIR(info.st_mode):
        return 'dir ' + mode
    with open(path, 'rb') as handle:
        return '%s %s' % (hashlib.sha256(handle.read()).hexdigest(), mode)


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        return [file_state(str(term)) for term in terms]
