#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import annotations

DOCUMENTATION = r'''
---
module: drill_report
short_description: Verify what survived a drill, measure RPO and RTO, and write the drill's report
description:
  - Reads the probe's events (O(events)) and the read-back that M(drill_verify) took of the clusters that
    must hold the data (O(snapshot)), independently of the probe.
  - Computes RPO (acknowledged records stored nowhere in the snapshot), duplicates, RTO to the first produce and
    the first consume on the O(survivors), and the offset translation error of the probe's group
    (C(plugins/module_utils/drill_metrics.py) defines each number).
  - Evaluates O(gates) and writes the report under O(report_root)C(/<run_id>/) as JSON (the source of truth),
    Markdown, JUnit XML and a PNG timeline, appends the run to the history and redraws the trend.
  - Never fails because a gate is missed; the playbook fails after restoring the estate (RV(passed)).
  - In check mode it reads and measures nothing and writes nothing.
options:
  scenario:
    description: Scenario name.
    type: str
    required: true
  description:
    description: One sentence on what the drill did, for the report.
    type: str
    default: ''
  run_id:
    description: Unique id of this run (names the report directory).
    type: str
    required: true
  events:
    description: The probe's events file (JSON lines).
    type: path
    required: true
  marks:
    description: Times (epoch seconds) of the drill's steps, by name; C(fault) and C(switch) drive the measurements.
    type: dict
    required: true
  snapshot:
    description: The read-back file M(drill_verify) wrote. Only records acknowledged before it was taken count.
    type: path
    required: true
  fault_mark:
    description: The mark RPO and RTO are measured from (failback measures from the start of the move back).
    type: str
    default: fault
  switch_mark:
    description: The mark at which the consumer group moved (offset translation error is measured across it).
    type: str
    default: switch
  survivors:
    description: Clusters the clients work against after the fault (RTO and offset translation are measured there).
    type: list
    elements: str
    required: true
  gates:
    description:
      - Limits; unset or null means not gated. Keys C(drill_rpo_max_records), C(drill_rto_max_seconds)
        (to the first produce), C(drill_rto_consume_max_seconds), C(drill_duplicates_max).
    type: dict
    default: {}
  observations:
    description: Further numbers the scenario measured itself (for example the replication lag at the fault), reported as they are.
    type: dict
    default: {}
  report_root:
    description: Directory keeping every run's report, the history and the trend.
    type: path
    required: true
  keep:
    description: Run directories to keep under O(report_root) (the history keeps every run's numbers).
    type: int
    default: 30
author:
  - Meridian
'''

EXAMPLES = r'''
- name: Report the failover drill
  drill_report:
    scenario: linked-unplanned-failover
    run_id: "{{ drill_run_id }}"
    events: "{{ drill_run_dir }}/probe/events.jsonl"
    marks: "{{ drill_marks }}"
    snapshot: "{{ drill_run_dir }}/verified.json"
    survivors: [west]
    gates: {drill_rpo_max_records: 1000, drill_rto_max_seconds: 60}
    report_root: /var/lib/meridian/drills
  delegate_to: localhost
'''

RETURN = r'''
report:
  description: The report (the content of C(report.json)).
  returned: success, not in check mode
  type: dict
passed:
  description: Every gate passed.
  returned: always
  type: bool
failed_gates:
  description: The gates that were missed, with limit and measured value.
  returned: always
  type: list
  elements: dict
files:
  description: Paths of C(json), C(markdown), C(junit), C(png), C(trend) and C(trend_png).
  returned: success, not in check mode
  type: dict
'''

import json
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.drill_metrics import acked_between, gate_results, measure, read_events
from ansible.module_utils.drill_report_files import SCHEMA_VERSION, write_all


def iso(epoch):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            scenario=dict(type='str', required=True),
            description=dict(type='str', default=''),
            run_id=dict(type='str', required=True),
            events=dict(type='path', required=True),
            marks=dict(type='dict', required=True),
            snapshot=dict(type='path', required=True),
            survivors=dict(type='list', elements='str', required=True),
            fault_mark=dict(type='str', default='fault'),
            switch_mark=dict(type='str', default='switch'),
            gates=dict(type='dict', default={}),
            observations=dict(type='dict', default={}),
            report_root=dict(type='path', required=True),
            keep=dict(type='int', default=30),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if module.check_mode:
        module.exit_json(changed=False, passed=True, failed_gates=[])
    with open(params['snapshot']) as handle:
        snapshot = json.load(handle)
    per_topic = snapshot['topics']
    # Records acknowledged after the read-back cannot have been in it: leave them out of the RPO.
    events = [e for e in read_events(params['events']) if e.get('e') != 'ack' or e['t'] <= snapshot['taken_at']]
    marks = {k: float(v) for k, v in params['marks'].items() if v is not None}
    marks.setdefault('verified', snapshot['taken_at'])
    found = {name: [seq for seqs in topics.values() for seq in seqs] for name, topics in per_topic.items()}
    measured = measure(events, marks, found, params['survivors'], params['fault_mark'], params['switch_mark'])
    observations = dict(params['observations'])
    if 'lag_sampled_records' in observations and 'lag_sample' in marks and 'fault_done' in marks:
        # The lag at the fault: unreplicated when sampled, plus what the lost side acknowledged
        # from the sample until it was gone.
        observations['lag_at_fault_records'] = int(observations['lag_sampled_records']) + acked_between(
            events, marks['lag_sample'], marks['fault_done'], exclude=params['survivors'])
    gates = gate_results(measured, params['gates'])
    times = [e['t'] for e in events] + list(marks.values())
    start, end = (min(times), max(times)) if times else (time.time(), time.time())
    report = {
        'schema_version': SCHEMA_VERSION,
        'scenario': params['scenario'],
        'description': params['description'],
        'run_id': params['run_id'],
        'started': iso(start),
        'finished': iso(end),
        'duration_seconds': round(end - start, 1),
        'passed': all(g['passed'] for g in gates),
        'survivors': params['survivors'],
        'verified_topics': {name: sorted(topics) for name, topics in per_topic.items()},
        'marks': marks,
        'timeline': {'start': start, 'end': end},
        'measurements': measured,
        'observations': observations,
        'gates': gates,
    }
    files, pruned = write_all(params['report_root'], report, events, params['keep'])
    module.exit_json(changed=True, report=report, passed=report['passed'],
                     failed_gates=[g for g in gates if not g['passed']], files=files, pruned=pruned)


if __name__ == '__main__':
    main()
