#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import annotations

DOCUMENTATION = r'''
---
module: kafka_replication_status
short_description: Report how far a MirrorMaker 2 replication flow lags, and whether its connectors run
description:
  - Reports one MirrorMaker 2 flow C(source_alias->target_alias). The B(target) cluster is given by the
    module's connection options, the B(source) cluster by O(source), a dict with the same connection options.
  - For every replicated topic and partition it returns the source end offset, the replicated position,
    the lag in records and in seconds, plus the largest lags of the flow, so a task can wait for replication
    to catch up, for example with C(until) and C(status.max_lag_records <= 100).
  - It also returns the age of the newest checkpoint and the state of the MirrorMaker 2 connectors and
    tasks as recorded in the Kafka Connect status topic, and RV(all_running).
  - Read-only; never reports a change. Check mode is supported and changes nothing either.
  - How the replicated position is found. MirrorSourceConnector writes offset syncs (upstream offset,
    downstream offset) to C(mm2-offset-syncs.<target_alias>.internal) on the source cluster (the default
    C(offset-syncs.topic.location=source)). With the latest sync of a partition, the replicated upstream
    position is estimated as the sync's upstream offset plus the number of records on the target after its
    downstream offset (target end offset minus downstream offset), capped at the source end offset.
    This counts the records replicated since that sync, so it is exact while records map one to one.
  - Limits of that estimate. Transaction markers and aborted records on the source are not replicated, and
    records compacted away are not either, so a flow that replicates transactional or compacted topics can
    show a small lag until the next offset sync (MirrorMaker 2 writes one at least every
    C(offset.lag.max) records, and pending ones when it commits offsets). Records written to the target topic
    by anything but MirrorMaker 2 distort it. Without any offset sync the position is estimated from the
    number of records on the target (RV(topics) C(basis) says which rule applied).
  - C(lag_seconds) is the age of the oldest source record that is not replicated yet (now minus the timestamp
    of the source record at the replicated position), 0 when the partition is caught up. It uses record
    timestamps, so producers with wrong clocks (CreateTime) distort it.
options:
  source_alias:
    description:
      - MirrorMaker 2 alias of the source cluster (as in the MirrorMaker 2 C(clusters) setting).
    type: str
    required: true
  target_alias:
    description:
      - MirrorMaker 2 alias of the target cluster.
    type: str
    required: true
  replication_policy:
    description:
      - V(prefix) (C(DefaultReplicationPolicy)) names the target topic C(<source_alias>.<topic>);
        V(identity) (C(IdentityReplicationPolicy)) keeps the name.
    type: str
    default: prefix
    choices: [prefix, identity]
  topics:
    description:
      - Source topics to report on.
      - Default, every source topic that is not internal (C(__*), C(.*), C(*.internal), C(*-internal)) and,
        with O(replication_policy=prefix), not itself replicated from O(target_alias), filtered by O(topics_regex).
    type: list
    elements: str
  topics_regex:
    description:
      - When O(topics) is not given, only source topics whose whole name matches this regular expression
        (like MirrorMaker 2's C(topics) setting, e.g. C(orders\..*)).
    type: str
  offset_syncs_topic:
    description:
      - Offset-syncs topic on the source cluster. Default C(mm2-offset-syncs.<target_alias>.internal).
    type: str
  checkpoints_topic:
    description:
      - Checkpoint topic on the target cluster. Default C(<source_alias>.checkpoints.internal).
    type: str
  status_topic:
    description:
      - Kafka Connect status topic of the flow on the target cluster. Default C(mm2-status.<source_alias>.internal)
        (MirrorMaker 2's C(status.storage.topic) for a dedicated MirrorMaker 2 cluster).
    type: str
extends_documentation_fragment:
  - kafka_connection
  - kafka_connection.source_required
notes:
  - The newest checkpoint's age tells when MirrorCheckpointConnector last wrote a checkpoint. It writes one
    when a group's translated offsets change, so an old checkpoint with idle groups is normal.
  - Connector and task states are the last ones the MirrorMaker 2 workers wrote. A worker that was
    killed or frozen cannot update them, so RV(all_running) can stay true after MirrorMaker 2 stops;
    the lag is what shows that.
author:
  - Meridian
'''

EXAMPLES = r'''
- name: Wait until the eu->us flow has caught up
  kafka_replication_status:
    source:
      bootstrap_servers: [kafka-1.eu.example.net:9092]
      ssl_cafile: /etc/meridian/pki/ca.crt
      sasl_username: admin
      sasl_password: "{{ vault_kafka_eu_admin_password }}"
    source_alias: eu
    target_alias: us
    topics_regex: 'orders\..*'
    bootstrap_servers: [kafka-1.us.example.net:9092]
    ssl_cafile: /etc/meridian/pki/ca.crt
    sasl_username: admin
    sasl_password: "{{ vault_kafka_us_admin_password }}"
  delegate_to: localhost
  run_once: true
  register: status
  until: status.max_lag_records <= 100 and status.all_running
  retries: 60
  delay: 5

- name: Show the lag per topic
  ansible.builtin.debug:
    msg: "{{ item.key }}: {{ item.value.lag_records }} records, {{ item.value.lag_seconds }} s"
  loop: "{{ status.topics | dict2items }}"
'''

RETURN = r'''
topics:
  description:
    - Per source topic, C(target_topic), whether it exists on the target (C(target_exists)), the largest
      C(lag_records) and C(lag_seconds) of its partitions, and C(partitions) keyed by partition number
      (a string).
    - Per partition, C(source_end_offset), C(source_log_start_offset), C(target_end_offset) (null when the
      target partition is missing), C(replicated_offset) (the next source offset not yet replicated),
      C(lag_records), C(lag_seconds), C(offset_sync) (the latest sync, C(upstream_offset),
      C(downstream_offset), C(age_seconds), or null) and C(basis) (C(offset_sync), C(empty) when the source
      partition holds no records, C(target_missing), or C(estimate) when no offset sync exists).
  returned: always
  type: dict
  sample:
    orders:
      target_topic: eu.orders
      target_exists: true
      lag_records: 12
      lag_seconds: 0.8
      partitions:
        '0': {source_end_offset: 1012, source_log_start_offset: 0, target_end_offset: 1000,
              replicated_offset: 1000, lag_records: 12, lag_seconds: 0.8, basis: offset_sync,
              offset_sync: {upstream_offset: 990, downstream_offset: 990, age_seconds: 1.5}}
max_lag_records:
  description: Largest lag in records over all partitions (0 with no partitions).
  returned: always
  type: int
  sample: 12
max_lag_seconds:
  description: Largest lag in seconds over all partitions (0 with no partitions).
  returned: always
  type: float
  sample: 0.8
total_lag_records:
  description: Sum of the lags in records.
  returned: always
  type: int
last_checkpoint_age_seconds:
  description: Age of the newest record in the checkpoint topic; null when it is missing or empty.
  returned: always
  type: float
  sample: 3.2
connectors:
  description:
    - The MirrorMaker 2 connectors of the flow (C(MirrorSourceConnector), C(MirrorCheckpointConnector),
      C(MirrorHeartbeatConnector)) with C(state), C(worker_id), C(trace) (the error of a failed one),
      C(generation) (of the Connect group that wrote it) and C(tasks), a list of C(id), C(state), C(worker_id),
      C(trace) and C(generation).
  returned: always
  type: dict
  sample:
    MirrorSourceConnector:
      state: RUNNING
      worker_id: mm2-1/eu->us/1a2b
      trace: null
      generation: 2
      tasks: [{id: 0, state: RUNNING, worker_id: mm2-1/eu->us/1a2b, trace: null, generation: 3}]
all_running:
  description: True when the status topic lists at least one connector, and every connector and task is RUNNING.
  returned: always
  type: bool
topics_missing_on_target:
  description: Source topics whose target topic does not exist (their whole content counts as lag).
  returned: always
  type: list
  elements: str
'''

import copy
import re
import time

from ansible.module_utils.kafka_client import (
    KAFKA_CONNECTION_ARGSPEC, KafkaModuleError, close_quietly, describe_error, kafka_admin,
    kafka_connection_spec, kafka_consumer, partition_offsets, read_partitions, read_topic,
    require_kafka_reader, start_module, scrub, secrets_of, topic_partitions,
)
from ansible.module_utils.mirror_maker_records import (
    checkpoints_topic, connector_states, is_internal_topic, latest_offset_syncs, offset_syncs_topic,
    remote_topic, status_topic,
)

try:
    from kafka.admin import OffsetSpec
    from kafka.structs import TopicPartition
except ImportError:
    pass  # reported by require_kafka_reader()


def argument_spec():
    return kafka_connection_spec(
        source=dict(type='dict', required=True, options=copy.deepcopy(KAFKA_CONNECTION_ARGSPEC)),
        source_alias=dict(type='str', required=True),
        target_alias=dict(type='str', required=True),
        replication_policy=dict(type='str', default='prefix', choices=['prefix', 'identity']),
        topics=dict(type='list', elements='str'),
        topics_regex=dict(type='str'),
        offset_syncs_topic=dict(type='str'),
        checkpoints_topic=dict(type='str'),
        status_topic=dict(type='str'),
    )


def check_params(params):
    errors = []
    for option in ('source_alias', 'target_alias'):
        if not (params.get(option) or '').strip():
            errors.append('%s must not be empty' % option)
    if params.get('topics') is not None and params.get('topics_regex'):
        errors.append('give topics or topics_regex, not both')
    if params.get('topics_regex'):
        try:
            re.compile(params['topics_regex'])
        except re.error as exc:
            errors.append('topics_regex is not a valid regular expression: %s' % exc)
    return errors


def select_topics(all_topics, params):
    """Source topics to report on, sorted."""
    if params.get('topics') is not None:
        return sorted(set(t for t in params['topics'] if t))
    pattern = re.compile(params['topics_regex']) if params.get('topics_regex') else None
    cycle_prefix = '%s.' % params['target_alias'] if params['replication_policy'] == 'prefix' else None
    chosen = []
    for topic in all_topics:
        if is_internal_topic(topic):
            continue
        if cycle_prefix and topic.startswith(cycle_prefix):
            continue  # replicated from the target: MirrorMaker 2 never sends it back
        if pattern and not pattern.fullmatch(topic):
            continue
        chosen.append(topic)
    return sorted(chosen)


def replicated_position(source_start, source_end, target_end, sync):
    """(replicated source offset, basis) for one partition; see the module description."""
    if source_end <= source_start:
        return source_end, 'empty'
    if target_end is None:
        return source_start, 'target_missing'
    if sync is not None:
        position = sync['upstream_offset'] + max(target_end - sync['downstream_offset'], 0)
        return min(max(position, source_start), source_end), 'offset_sync'
    return min(source_start + target_end, source_end), 'estimate'


def seconds_since(timestamp_ms, now_ms):
    if timestamp_ms is None or timestamp_ms < 0:
        return None
    return round(max(now_ms - timestamp_ms, 0) / 1000.0, 3)


class Flow(object):
    """Clients for both clusters of the flow; closes them all."""

    def __init__(self, module):
        self.module = module
        params = module.params
        self.source_params = params['source']
        self.secrets = secrets_of(params) + secrets_of(self.source_params)
        self.clients = []
        self.source_admin = self._keep(kafka_admin(module, self.source_params, label='source'))
        self.target_admin = self._keep(kafka_admin(module, label='target'))
        self.source_consumer = self._keep(kafka_consumer(module, self.source_params, label='source',
                                                         check_login=False))
        self.target_consumer = self._keep(kafka_consumer(module, label='target', check_login=False))

    def _keep(self, client):
        self.clients.append(client)
        return client

    def close(self):
        for client in self.clients:
            close_quietly(client)


def lag_timestamps(flow, lagging, timeout_s):
    """{TopicPartition: timestamp of the first source record at or after the replicated offset}."""
    if not lagging:
        return {}
    records = read_partitions(flow.source_consumer, {tp: (offset, offset + 1) for tp, offset in lagging.items()},
                              timeout_s)
    return {tp: batch[0].timestamp for tp, batch in records.items() if batch}


def last_checkpoint_age(flow, topic, now_ms):
    partitions = topic_partitions(flow.target_admin, [topic]).get(topic)
    if partitions is None:
        flow.module.warn('checkpoint topic %s does not exist on the target cluster' % topic)
        return None
    answer = flow.target_admin.list_partition_offsets({TopicPartition(topic, p): OffsetSpec.MAX_TIMESTAMP
                                                      for p in partitions})
    stamps = [entry.timestamp for entry in answer.values() if entry.offset >= 0 and entry.timestamp >= 0]
    return seconds_since(max(stamps), now_ms) if stamps else None


def connectors_report(flow, topic, timeout_s):
    records = read_topic(flow.target_admin, flow.target_consumer, topic, timeout_s)
    if records is None:
        flow.module.warn('Kafka Connect status topic %s does not exist on the target cluster: is MirrorMaker 2 '
                         'running the flow (or does it use another status.storage.topic)?' % topic)
        return {}, False
    states = connector_states(r for batch in records.values() for r in batch)
    report = {}
    for name, status in sorted(states.items()):
        tasks = [dict(status['tasks'][task], id=task) for task in sorted(status['tasks'])]
        report[name] = {'state': status['state'], 'worker_id': status['worker_id'], 'trace': status['trace'],
                        'generation': status['generation'], 'tasks': tasks}
    running = bool(report) and all(c['state'] == 'RUNNING' and all(t['state'] == 'RUNNING' for t in c['tasks'])
                                   for c in report.values())
    return report, running


def status(flow, params):
    timeout_s = params['request_timeout_ms'] / 1000.0
    source_alias, target_alias = params['source_alias'], params['target_alias']

    source_topics = flow.source_admin.list_topics()
    chosen = select_topics(source_topics, params)
    partitions = topic_partitions(flow.source_admin, chosen)
    unknown = [t for t in chosen if t not in partitions]
    if unknown:
        flow.module.warn('topic(s) not found on the source cluster: %s' % ', '.join(unknown))
    names = {t: remote_topic(params['replication_policy'], source_alias, t) for t in partitions}
    target_parts = topic_partitions(flow.target_admin, names.values())

    source_tps = [TopicPartition(t, p) for t, parts in partitions.items() for p in parts]
    source_end = partition_offsets(flow.source_admin, source_tps, 'latest')
    source_start = partition_offsets(flow.source_admin, source_tps, 'earliest')
    target_tps = [TopicPartition(names[t], p) for t, parts in partitions.items() for p in parts
                  if p in target_parts.get(names[t], [])]
    target_end = partition_offsets(flow.target_admin, target_tps, 'latest')

    syncs_topic = params.get('offset_syncs_topic') or offset_syncs_topic(target_alias)
    syncs = {}
    if source_tps:
        sync_records = read_topic(flow.source_admin, flow.source_consumer, syncs_topic, timeout_s)
        if sync_records is None:
            flow.module.warn('offset-syncs topic %s does not exist on the source cluster: positions are estimated '
                             'from the number of records on the target' % syncs_topic)
        else:
            syncs, bad = latest_offset_syncs(r for batch in sync_records.values() for r in batch)
            if bad:
                flow.module.warn('%d record(s) in %s could not be decoded as offset syncs' % (bad, syncs_topic))

    now_ms = time.time() * 1000.0
    rows, lagging = {}, {}
    for tp in source_tps:
        target_tp = TopicPartition(names[tp.topic], tp.partition)
        t_end = target_end.get(target_tp)
        sync = syncs.get((tp.topic, tp.partition))
        position, basis = replicated_position(source_start[tp], source_end[tp], t_end, sync)
        lag = max(source_end[tp] - position, 0)
        rows[tp] = {'source_end_offset': source_end[tp], 'source_log_start_offset': source_start[tp],
                    'target_end_offset': t_end, 'replicated_offset': position, 'lag_records': lag,
                    'lag_seconds': 0.0, 'basis': basis,
                    'offset_sync': None if sync is None else {
                        'upstream_offset': sync['upstream_offset'], 'downstream_offset': sync['downstream_offset'],
                        'age_seconds': seconds_since(sync['timestamp'], now_ms)}}
        if lag:
            lagging[tp] = position
    stamps = lag_timestamps(flow, lagging, timeout_s)
    now_ms = time.time() * 1000.0
    for tp in lagging:
        age = seconds_since(stamps.get(tp), now_ms)
        rows[tp]['lag_seconds'] = age
        if age is None:
            flow.module.warn('no timestamp for the first unreplicated record of %s-%d (offset %d)'
                             % (tp.topic, tp.partition, lagging[tp]))

    topics = {}
    for topic in sorted(partitions):
        parts = {str(tp.partition): rows[tp] for tp in sorted(rows, key=lambda x: x.partition) if tp.topic == topic}
        topics[topic] = {'target_topic': names[topic], 'target_exists': names[topic] in target_parts,
                         'lag_records': max([r['lag_records'] for r in parts.values()] or [0]),
                         'lag_seconds': max([r['lag_seconds'] or 0 for r in parts.values()] or [0]),
                         'partitions': parts}
    missing = sorted(t for t in partitions if names[t] not in target_parts)
    connectors, running = connectors_report(flow, params.get('status_topic') or status_topic(source_alias), timeout_s)
    checkpoint_age = last_checkpoint_age(flow, params.get('checkpoints_topic') or checkpoints_topic(source_alias),
                                         time.time() * 1000.0)
    return {
        'topics': topics,
        'max_lag_records': max([r['lag_records'] for r in rows.values()] or [0]),
        'max_lag_seconds': max([r['lag_seconds'] or 0 for r in rows.values()] or [0]),
        'total_lag_records': sum(r['lag_records'] for r in rows.values()),
        'last_checkpoint_age_seconds': checkpoint_age,
        'connectors': connectors,
        'all_running': running,
        'topics_missing_on_target': missing,
    }


def main():
    module = start_module(argument_spec(), check_params, require=require_kafka_reader)
    params = module.params

    flow = Flow(module)
    try:
        try:
            result = status(flow, params)
        except KafkaModuleError as exc:
            module.fail_json(msg=scrub(str(exc), flow.secrets))
        except Exception as exc:
            module.fail_json(msg=scrub('Could not read the replication status of %s->%s: %s (the source user needs '
                                       'DESCRIBE on the topics and READ on the offset-syncs topic, the target user '
                                       'DESCRIBE on the topics and READ on the checkpoint and status topics)'
                                       % (params['source_alias'], params['target_alias'], describe_error(exc)),
                                       flow.secrets))
    finally:
        flow.close()
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
