#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import annotations

DOCUMENTATION = r'''
---
module: drill_probe
short_description: Start, switch or stop the drill probe on the host the module runs on
description:
  - The probe (C(roles/drill/files/meridian_probe.py)) produces sequence-numbered records at a fixed rate
    with C(acks=all) and reads them back with a consumer group, logging every acknowledgement and every
    record consumed to O(work_dir)C(/events.jsonl).
  - V(started) writes the probe's configuration and switch file and starts it as a detached process
    (unless it already runs), then waits for its first acknowledgement.
  - V(switched) rewrites the switch file so the producer and consumer move to the clusters named by
    O(produce) and O(consume) (null pauses a side), and waits until the probe has moved them.
  - V(stopped) stops it (SIGTERM, then SIGKILL) and returns the counts of its events.
  - On a client host where the probe runs as the C(meridian-probe) systemd service, the drill role writes
    the same switch file instead (C(drill_probe_mode=systemd)).
  - Check mode changes nothing.
options:
  state:
    description: What to do with the probe.
    type: str
    choices: [started, switched, stopped]
    default: started
  work_dir:
    description: Directory of the probe's configuration, switch file, events and pid file.
    type: path
    required: true
  script:
    description: Path of C(meridian_probe.py). Required with V(started).
    type: path
  python:
    description: Python interpreter with kafka-python that runs the probe.
    type: path
  config:
    description:
      - Required with V(started). C(topic), C(group), C(rate) (records per second), C(consume_pattern)
        (regex of the topics the group subscribes to) and C(clusters), a dict of cluster name to connection
        options as the Kafka modules take them (C(bootstrap_servers), C(security_protocol), C(ssl_cafile),
        C(sasl_mechanism), C(sasl_username), C(sasl_password)).
    type: dict
  produce:
    description: Cluster the producer works against (null pauses it).
    type: str
  consume:
    description: Cluster the consumer group works against (null pauses it).
    type: str
  timeout:
    description: Seconds to wait for the probe to start or to move.
    type: int
    default: 60
author:
  - Meridian
'''

EXAMPLES = r'''
- name: Move the probe's clients to the DR cluster
  drill_probe:
    state: switched
    work_dir: "{{ drill_run_dir }}/probe"
    produce: west
    consume: west
  delegate_to: localhost
'''

RETURN = r'''
events:
  description: Counts of the probe's events so far, by kind (ack, err, consume, switch).
  returned: always
  type: dict
switched_at:
  description: Time (epoch seconds) the switch file was written.
  returned: state is switched
  type: float
'''

import json
import os
import signal
import subprocess
import sys
import time

from ansible.module_utils.basic import AnsibleModule


def paths(work_dir):
    return {name: os.path.join(work_dir, name) for name in
            ('config.json', 'switch.json', 'events.jsonl', 'probe.pid', 'probe.log')}


# Kafka module option -> kafka-python setting.
_CLIENT_KEYS = {'bootstrap_servers': 'bootstrap_servers', 'security_protocol': 'security_protocol',
                'ssl_cafile': 'ssl_cafile', 'ssl_certfile': 'ssl_certfile', 'ssl_keyfile': 'ssl_keyfile',
                'sasl_mechanism': 'sasl_mechanism', 'sasl_username': 'sasl_plain_username',
                'sasl_password': 'sasl_plain_password'}


def client_settings(connection):
    return {_CLIENT_KEYS[k]: v for k, v in connection.items() if k in _CLIENT_KEYS and v is not None}


def write_atomic(path, data, mode=0o600):
    tmp = path + '.tmp'
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, mode)
    with os.fdopen(fd, 'w') as handle:
        json.dump(data, handle)
    os.replace(tmp, path)


def running_pid(pid_file):
    try:
        with open(pid_file) as handle:
            pid = int(handle.read().strip())
        os.kill(pid, 0)
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            return pid if b'meridian_probe' in handle.read() else None
    except (OSError, ValueError):
        return None


def event_counts(events_file):
    counts, switches = {}, []
    if os.path.exists(events_file):
        with open(events_file) as handle:
            for line in handle:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a kill
                counts[event['e']] = counts.get(event['e'], 0) + 1
                if event['e'] == 'switch':
                    switches.append(event)
    return counts, switches


def wait_for(predicate, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def start(module, files):
    params = module.params
    if running_pid(files['probe.pid']):
        module.exit_json(changed=False, events=event_counts(files['events.jsonl'])[0])
    for required in ('script', 'config'):
        if not params[required]:
            module.fail_json(msg='state=started needs %s' % required)
    if module.check_mode:
        module.exit_json(changed=True, events={})
    os.makedirs(params['work_dir'], exist_ok=True)
    config = dict(params['config'])
    config.update(switch_file=files['switch.json'], events_file=files['events.jsonl'],
                  clusters={name: client_settings(c) for name, c in config['clusters'].items()})
    unknown = [c for c in (params['produce'], params['consume']) if c is not None and c not in config['clusters']]
    if unknown:
        module.fail_json(msg='clusters %s are not in config.clusters' % ', '.join(unknown))
    write_atomic(files['config.json'], config)  # 0600: holds the probe's password
    write_atomic(files['switch.json'], {'produce': params['produce'], 'consume': params['consume']})
    with open(files['probe.log'], 'ab') as log:
        proc = subprocess.Popen([params['python'] or sys.executable, params['script'], files['config.json']],
                                stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
                                cwd=params['work_dir'])
    with open(files['probe.pid'], 'w') as handle:
        handle.write(str(proc.pid))
    if not wait_for(lambda: event_counts(files['events.jsonl'])[0].get('ack') or proc.poll() is not None,
                    params['timeout']) or proc.poll() is not None:
        with open(files['probe.log']) as handle:
            tail = handle.read()[-2000:]
        module.fail_json(msg='the probe acknowledged no record within %ss: %s' % (params['timeout'], tail))
    module.exit_json(changed=True, pid=proc.pid, events=event_counts(files['events.jsonl'])[0])


def switch(module, files):
    params = module.params
    wanted = {'produce': params['produce'], 'consume': params['consume']}
    if module.check_mode:
        module.exit_json(changed=True, events={}, switched_at=None)
    try:
        with open(files['switch.json']) as handle:
            current = json.load(handle)
    except (OSError, ValueError):
        module.fail_json(msg='no probe in %s: start it first' % params['work_dir'])
    if current == wanted:
        module.exit_json(changed=False, events=event_counts(files['events.jsonl'])[0], switched_at=None)
    if not running_pid(files['probe.pid']):
        module.fail_json(msg='the probe in %s is not running' % params['work_dir'])
    switched_at = time.time()
    write_atomic(files['switch.json'], wanted)

    def moved():
        last = {}
        for event in event_counts(files['events.jsonl'])[1]:
            last[event['side']] = event['c']
        return all(last.get(side) == cluster for side, cluster in wanted.items())
    if not wait_for(moved, params['timeout']):
        module.fail_json(msg='the probe did not move to %s within %ss' % (wanted, params['timeout']))
    module.exit_json(changed=True, events=event_counts(files['events.jsonl'])[0], switched_at=switched_at)


def stop(module, files):
    pid = running_pid(files['probe.pid'])
    if not pid:
        module.exit_json(changed=False, events=event_counts(files['events.jsonl'])[0])
    if module.check_mode:
        module.exit_json(changed=True, events={})
    os.kill(pid, signal.SIGTERM)
    if not wait_for(lambda: running_pid(files['probe.pid']) is None, 30):
        os.kill(pid, signal.SIGKILL)
    module.exit_json(changed=True, events=event_counts(files['events.jsonl'])[0])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', choices=['started', 'switched', 'stopped'], default='started'),
            work_dir=dict(type='path', required=True),
            script=dict(type='path'),
            python=dict(type='path'),
            config=dict(type='dict', no_log=True),
            produce=dict(type='str'),
            consume=dict(type='str'),
            timeout=dict(type='int', default=60),
        ),
        supports_check_mode=True,
    )
    files = paths(module.params['work_dir'])
    {'started': start, 'switched': switch, 'stopped': stop}[module.params['state']](module, files)


if __name__ == '__main__':
    main()
