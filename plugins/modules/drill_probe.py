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
  - With O(supervisor=systemd) the probe runs as a transient systemd service (C(systemd-run)) on the host
    the module runs on, for example a client host the drill delegates to; otherwise as a detached process.
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
  supervisor:
    description:
      - V(process) starts the probe as a detached process; V(systemd) as a transient service
        C(meridian-probe-<id>.service), stopped with C(systemctl stop).
    type: str
    choices: [process, systemd]
    default: process
  pythonpath:
    description: Directory with kafka-python for the probe's interpreter (C(PYTHONPATH)), when it is not installed there.
    type: path
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

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.drill_metrics import read_events


def paths(work_dir):
    return {name: os.path.join(work_dir, name) for name in
            ('config.json', 'switch.json', 'events.jsonl', 'probe.pid', 'probe.log', 'probe.unit')}


def unit_name(work_dir):
    return 'meridian-probe-%s' % hashlib.sha1(work_dir.encode()).hexdigest()[:12]


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
    events = read_events(events_file)
    counts = dict(Counter(event['e'] for event in events))
    return counts, [e for e in events if e['e'] == 'switch']


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
    argv = [params['python'] or sys.executable, params['script'], files['config.json']]
    if params['supervisor'] == 'systemd':
        pid = start_unit(module, files, argv)
        alive = lambda: running_pid(files['probe.pid']) is not None  # noqa: E731
    else:
        env = dict(os.environ)
        if params['pythonpath']:
            env['PYTHONPATH'] = params['pythonpath']
        with open(files['probe.log'], 'ab') as log:
            proc = subprocess.Popen(argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
                                    cwd=params['work_dir'], env=env)
        pid = proc.pid
        with open(files['probe.pid'], 'w') as handle:
            handle.write(str(pid))
        alive = lambda: proc.poll() is None  # noqa: E731
    if not wait_for(lambda: event_counts(files['events.jsonl'])[0].get('ack') or not alive(), params['timeout']) \
            or not alive():
        module.fail_json(msg='the probe acknowledged no record within %ss: %s' % (params['timeout'], log_tail(files)))
    module.exit_json(changed=True, pid=pid, events=event_counts(files['events.jsonl'])[0])


def log_tail(files):
    if os.path.exists(files['probe.unit']):
        with open(files['probe.unit']) as handle:
            unit = handle.read().strip()
        proc = subprocess.run(['journalctl', '-u', unit, '--no-pager', '-n', '30'], capture_output=True, text=True)
        return proc.stdout[-2000:]
    with open(files['probe.log']) as handle:
        return handle.read()[-2000:]


def start_unit(module, files, argv):
    """Start the probe as a transient service; returns its main PID (written to probe.pid)."""
    params = module.params
    unit = unit_name(params['work_dir'])
    cmd = ['systemd-run', '--unit', unit, '--collect', '--quiet', '--working-directory', params['work_dir'],
           '--property', 'KillSignal=SIGTERM', '--property', 'TimeoutStopSec=30']
    if params['pythonpath']:
        cmd += ['--setenv', 'PYTHONPATH=%s' % params['pythonpath']]
    proc = subprocess.run(cmd + argv, capture_output=True, text=True)
    if proc.returncode != 0:
        module.fail_json(msg='systemd-run failed: %s' % proc.stderr.strip())
    with open(files['probe.unit'], 'w') as handle:
        handle.write(unit)
    pid = 0
    deadline = time.time() + 10
    while not pid and time.time() < deadline:
        shown = subprocess.run(['systemctl', 'show', '-p', 'MainPID', '--value', unit], capture_output=True, text=True)
        pid = int(shown.stdout.strip() or 0)
        time.sleep(0.2)
    with open(files['probe.pid'], 'w') as handle:
        handle.write(str(pid))
    return pid


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
    if os.path.exists(files['probe.unit']):
        with open(files['probe.unit']) as handle:
            subprocess.run(['systemctl', 'stop', handle.read().strip()], capture_output=True)
    else:
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
            supervisor=dict(type='str', choices=['process', 'systemd'], default='process'),
            pythonpath=dict(type='path'),
            timeout=dict(type='int', default=60),
        ),
        supports_check_mode=True,
    )
    files = paths(module.params['work_dir'])
    {'started': start, 'switched': switch, 'stopped': stop}[module.params['state']](module, files)


if __name__ == '__main__':
    main()
