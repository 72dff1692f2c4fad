#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import annotations

DOCUMENTATION = r'''
---
module: drill_lock
short_description: Take or release the lock that keeps two drills from running at once
description:
  - V(present) creates the lock file atomically (C(O_EXCL)) with the drill's run id, scenario and the
    process id of the C(ansible-playbook) that runs it. It fails, naming the holder, while another drill
    holds the lock and that C(ansible-playbook) is still alive (or, when its process cannot be seen from
    here, until O(ttl_seconds) after it was taken).
  - A lock whose holder is gone is stale. V(present) then fails too, unless O(take_stale) is set: the
    stale drill may have left faults behind, which C(playbooks/drill_restore.yml) undoes first (it sets
    O(take_stale) after restoring).
  - V(absent) removes the lock when O(run_id) holds it, or whoever holds it with O(force).
  - Check mode reports what would happen and changes nothing.
options:
  path:
    description: The lock file, on the controller.
    type: path
    required: true
  state:
    description: Take (V(present)) or release (V(absent)) the lock.
    type: str
    choices: [present, absent]
    default: present
  run_id:
    description: The drill run taking or releasing the lock.
    type: str
    required: true
  scenario:
    description: Scenario name, recorded for the message another drill gets.
    type: str
    default: ''
  ttl_seconds:
    description: Age after which a lock whose holder process cannot be checked counts as stale.
    type: int
    default: 7200
  take_stale:
    description: Replace a stale lock instead of failing.
    type: bool
    default: false
  force:
    description: With V(absent), remove the lock whoever holds it.
    type: bool
    default: false
author:
  - Meridian
'''

EXAMPLES = r'''
- name: One drill at a time
  drill_lock:
    path: "{{ drill_lock_path }}"
    run_id: "{{ drill_run_id }}"
    scenario: "{{ drill_scenario }}"
  delegate_to: localhost
'''

RETURN = r'''
holder:
  description: The lock's content before this call (null when there was no lock).
  returned: always
  type: dict
stale:
  description: Whether that holder was stale.
  returned: always
  type: bool
'''

import json
import os
import time

from ansible.module_utils.basic import AnsibleModule


def playbook_pid():
    """PID of the ansible-playbook process above this module, or None (module run elsewhere).

    The topmost one: task workers are short-lived forks of it with the same command line.
    """
    pid, found = os.getppid(), None
    while pid > 1:
        try:
            with open('/proc/%d/cmdline' % pid, 'rb') as handle:
                argv = handle.read().split(b'\0')
            with open('/proc/%d/stat' % pid) as handle:
                stat = handle.read()
        except OSError:
            break
        if any(arg.endswith(b'ansible-playbook') for arg in argv[:2]):
            found = pid
        pid = int(stat.rsplit(')', 1)[1].split()[1])
    return found


def alive(pid):
    if not pid:
        return None
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            return b'ansible-playbook' in handle.read()
    except OSError:
        return False


def read_lock(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None
    except ValueError:
        return {'run_id': '?', 'taken_at': 0}  # half-written by a killed drill: treat as stale


def is_stale(holder, ttl):
    living = alive(holder.get('pid'))
    if living is None:
        return time.time() - holder.get('taken_at', 0) > ttl
    return not living


def take(module):
    path, params = module.params['path'], module.params
    holder = read_lock(path)
    stale = bool(holder) and is_stale(holder, params['ttl_seconds'])
    if holder and holder.get('run_id') == params['run_id']:
        module.exit_json(changed=False, holder=holder, stale=False)
    if holder and not stale:
        module.fail_json(msg='another drill is running: %s (run %s, started %s, pid %s); two drills never run '
                             'at once' % (holder.get('scenario'), holder.get('run_id'),
                                          time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(holder.get('taken_at', 0))),
                                          holder.get('pid')), holder=holder, stale=False)
    if holder and not params['take_stale']:
        module.fail_json(msg='a drill (%s, run %s) died holding the lock %s and may have left faults behind: run '
                             'playbooks/drill_restore.yml first' % (holder.get('scenario'), holder.get('run_id'), path),
                         holder=holder, stale=True)
    if module.check_mode:
        module.exit_json(changed=True, holder=holder, stale=stale)
    if holder:
        os.unlink(path)
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    content = {'run_id': params['run_id'], 'scenario': params['scenario'], 'pid': playbook_pid(),
               'taken_at': time.time()}
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        module.fail_json(msg='another drill took the lock %s at the same moment' % path, holder=read_lock(path),
                         stale=False)
    with os.fdopen(fd, 'w') as handle:
        json.dump(content, handle)
    module.exit_json(changed=True, holder=holder, stale=stale)


def release(module):
    path, params = module.params['path'], module.params
    holder = read_lock(path)
    if holder is None:
        module.exit_json(changed=False, holder=None, stale=False)
    if holder.get('run_id') != params['run_id'] and not params['force']:
        module.fail_json(msg='lock %s is held by run %s, not %s: not released' % (path, holder.get('run_id'),
                                                                                   params['run_id']),
                         holder=holder, stale=is_stale(holder, params['ttl_seconds']))
    if not module.check_mode:
        os.unlink(path)
    module.exit_json(changed=True, holder=holder, stale=is_stale(holder, params['ttl_seconds']))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            run_id=dict(type='str', required=True),
            scenario=dict(type='str', default=''),
            ttl_seconds=dict(type='int', default=7200),
            take_stale=dict(type='bool', default=False),
            force=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    if module.params['state'] == 'present':
        take(module)
    release(module)


if __name__ == '__main__':
    main()
