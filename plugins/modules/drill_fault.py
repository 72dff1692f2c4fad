#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import annotations

DOCUMENTATION = r'''
---
module: drill_fault
short_description: Inject a drill fault, or restore every fault a drill's journal records
description:
  - V(present) checks the fault, writes it to the journal, applies it through the backend and writes
    the backend's record of what changed next to it. The journal is a JSON file on the controller, so a
    drill that dies halfway can be restored by a later run (C(playbooks/drill_restore.yml)).
  - V(absent) restores every journaled fault, newest first, and empties the journal. Restoring is
    idempotent: what is already back is left alone.
  - Backends, one interface (C(plugins/module_utils/fault_backends.py)). V(lab) stops, kills or pauses
    the podman containers of the lab hosts, partitions loopback ranges with iptables and caps bandwidth
    with tc. V(aws), V(gcp) and V(azure) stop a region's instances or isolate it through the cloud SDKs.
    Faults on hosts over SSH are task files of the drill role, not this module.
  - Check mode returns the plan and changes nothing.
options:
  state:
    description: V(present) injects O(fault); V(absent) restores everything in O(journal).
    type: str
    choices: [present, absent]
    default: present
  backend:
    description: Where the victims run (their contract C(platform)).
    type: str
    choices: [lab, aws, gcp, azure]
    default: lab
  backend_options:
    description: Keyword options of the backend (for example C(containers_conf) for V(lab), endpoints for clouds).
    type: dict
    default: {}
  fault:
    description:
      - Required with V(present). C(kind) (V(stop), V(kill), V(pause), V(partition), V(bandwidth) for the lab;
        V(stop), V(isolate) for clouds), C(cluster), C(region), C(hosts) (name, address, region, container or
        instance details), C(peers) (partition) and C(rate) (bandwidth, tc units such as C(8mbit)).
    type: dict
  journal:
    description: JSON file recording injected faults (created when missing).
    type: path
    required: true
author:
  - Meridian
'''

EXAMPLES = r'''
- name: Lose region us-east of the stretched cluster
  drill_fault:
    fault:
      kind: stop
      cluster: stretched
      region: us-east
      hosts: "{{ drill_victims }}"
    journal: "{{ drill_state_dir }}/journal.json"
  delegate_to: localhost

- name: Put everything back (also after a drill that was killed)
  drill_fault:
    state: absent
    journal: "{{ drill_state_dir }}/journal.json"
  delegate_to: localhost
'''

RETURN = r'''
plan:
  description: What V(present) does (or would do, in check mode).
  returned: state is present
  type: list
  elements: str
record:
  description: The backend's record of what it changed (null in check mode).
  returned: state is present
  type: dict
restored:
  description: What V(absent) did, one line per action (empty when everything was already back).
  returned: state is absent
  type: list
  elements: str
'''

import json
import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.fault_backends import FaultError, backend_for


def read_journal(path):
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return json.load(handle)


def write_journal(path, entries):
    # Atomic replace: a drill killed mid-write must not leave a journal nobody can read.
    tmp = path + '.tmp'
    with open(tmp, 'w') as handle:
        json.dump(entries, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def inject(module, backend):
    fault = module.params['fault']
    plan = backend.plan(fault)
    if module.check_mode:
        module.exit_json(changed=True, plan=plan, record=None)
    journal = module.params['journal']
    entries = read_journal(journal)
    entries.append({'backend': module.params['backend'], 'backend_options': module.params['backend_options'],
                    'fault': fault, 'record': None, 'injected_at': time.time()})
    write_journal(journal, entries)
    record = backend.inject(fault)
    entries[-1]['record'] = record
    write_journal(journal, entries)
    module.exit_json(changed=True, plan=plan, record=record, injected_at=entries[-1]['injected_at'])


def restore(module):
    journal = module.params['journal']
    entries = read_journal(journal)
    done = []
    for entry in reversed(entries):
        backend = backend_for(entry['backend'], **(entry.get('backend_options') or {}))
        if module.check_mode:
            done.append('would restore %s %s' % (entry['fault'].get('kind'), entry['fault'].get('region')))
            continue
        if entry.get('record') is None:
            done.extend(backend.restore_unrecorded(entry['fault']))
        else:
            done.extend(backend.restore(entry['record']))
        # Drop each entry as soon as it is restored: a failure later leaves only what is still broken.
        entries.remove(entry)
        write_journal(journal, entries)
    module.exit_json(changed=bool(done), restored=done)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            backend=dict(type='str', choices=['lab', 'aws', 'gcp', 'azure'], default='lab'),
            backend_options=dict(type='dict', default={}),
            fault=dict(type='dict'),
            journal=dict(type='path', required=True),
        ),
        required_if=[('state', 'present', ['fault'])],
        supports_check_mode=True,
    )
    try:
        if module.params['state'] == 'present':
            inject(module, backend_for(module.params['backend'], **module.params['backend_options']))
        else:
            restore(module)
    except FaultError as exc:
        module.fail_json(msg=str(exc))


if __name__ == '__main__':
    main()
