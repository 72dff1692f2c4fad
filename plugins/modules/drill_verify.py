#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import annotations

DOCUMENTATION = r'''
---
module: drill_verify
short_description: Read back every probe record the surviving clusters hold, independently of the probe
description:
  - For each cluster in O(verify), reads every topic whose name fully matches the regex from its log start
    to its current end, with a consumer of its own (no group, C(read_committed)), and collects the sequence
    numbers of the probe's records (duplicates included).
  - Writes them to O(dest) with the time the read-back started; M(drill_report) counts an acknowledged
    record as lost when it is on none of these clusters.
  - Run it after the probe's producer is paused: records acknowledged later cannot be in the read-back
    (M(drill_report) leaves them out).
  - Check mode reads nothing and writes nothing.
options:
  clusters:
    description: Connection options (as the Kafka modules take them: C(bootstrap_servers), C(security_protocol),
      C(ssl_cafile), C(sasl_mechanism), C(sasl_username), C(sasl_password)) of every cluster in O(verify), by name.
    type: dict
    required: true
  verify:
    description: Cluster name to the regex (full match) of the topics holding the probe's records there.
    type: dict
    required: true
  dest:
    description: JSON file to write.
    type: path
    required: true
  read_timeout:
    description: Seconds allowed for reading back one topic.
    type: int
    default: 120
author:
  - Meridian
'''

EXAMPLES = r'''
- name: What did west keep of the probe's records?
  drill_verify:
    clusters: "{{ drill_clusters }}"
    verify: {west: '(east\.)?probe\.drill\.x'}
    dest: "{{ drill_run_dir }}/verified.json"
  delegate_to: localhost
'''

RETURN = r'''
stored:
  description: Records read back per cluster and topic.
  returned: always
  type: dict
  sample: {west: {east.probe.drill.x: 1200, probe.drill.x: 600}}
'''

import json
import os
import re
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.kafka_client import (
    KAFKA_CONNECTION_ARGSPEC, KafkaModuleError, close_quietly, describe_error, kafka_admin, kafka_consumer,
    read_topic, require_kafka_python, scrub, secrets_of,
)


def connection(params):
    """Connection options with the shared spec's defaults filled in."""
    merged = {name: spec.get('default') for name, spec in KAFKA_CONNECTION_ARGSPEC.items()}
    merged.update(params)
    return merged


def stored_seqs(module, name, params, pattern):
    """{topic: [seq, ...]} for the topics of cluster ``name`` matching ``pattern``."""
    params = connection(params)
    admin = kafka_admin(module, params, label=name)
    consumer = None
    try:
        consumer = kafka_consumer(module, params, label=name, check_login=False, isolation_level='read_committed')
        found = {}
        for topic in sorted(t for t in admin.list_topics() if re.fullmatch(pattern, t)):
            records = read_topic(admin, consumer, topic, module.params['read_timeout']) or {}
            found[topic] = [json.loads(r.value)['seq'] for batch in records.values() for r in batch]
        return found
    except KafkaModuleError as exc:
        module.fail_json(msg='reading back %s: %s' % (name, exc))
    except Exception as exc:
        module.fail_json(msg=scrub('reading back %s: %s' % (name, describe_error(exc)), secrets_of(params)))
    finally:
        close_quietly(consumer)
        close_quietly(admin)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            clusters=dict(type='dict', required=True, no_log=True),
            verify=dict(type='dict', required=True),
            dest=dict(type='path', required=True),
            read_timeout=dict(type='int', default=120),
        ),
        supports_check_mode=True,
    )
    params = module.params
    unknown = sorted(set(params['verify']) - set(params['clusters']))
    if unknown:
        module.fail_json(msg='verify names clusters without connection options: %s' % ', '.join(unknown))
    for name, pattern in params['verify'].items():
        try:
            re.compile(pattern)
        except re.error as exc:
            module.fail_json(msg='verify pattern of %s is not a regex: %s' % (name, exc))
    if module.check_mode:
        module.exit_json(changed=False, stored={})
    require_kafka_python(module)
    taken_at = time.time()
    topics = {name: stored_seqs(module, name, params['clusters'][name], pattern)
              for name, pattern in params['verify'].items()}
    os.makedirs(os.path.dirname(params['dest']) or '.', exist_ok=True)
    with open(params['dest'], 'w') as handle:
        json.dump({'taken_at': taken_at, 'topics': topics}, handle)
    module.exit_json(changed=True, stored={name: {t: len(s) for t, s in found.items()} for name, found in topics.items()})


if __name__ == '__main__':
    main()
