#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import annotations

DOCUMENTATION = r'''
---
module: kafka_consumer_group
short_description: Describe a consumer group, or translate its offsets from MirrorMaker 2 checkpoints and commit them
description:
  - V(describe) reports a consumer group on the cluster given by the connection options, its state,
    members, committed offsets, end offsets and lag per partition.
  - V(translate) reads the checkpoints MirrorMaker 2 (MirrorCheckpointConnector) wrote to
    C(<source_cluster_alias>.checkpoints.internal) on the cluster given by the connection options
    (the B(target) of the replication flow), and returns the group's offsets translated to the target
    topics, the latest checkpoint per partition.
  - V(translate_and_commit) also commits those offsets for the group on the target, so consumers that
    fail over to the target resume where the group stopped on the source. When an offset has to change
    while the group has active members on the target, it fails and commits nothing (stop those consumers
    first). When the committed offsets already equal the translated ones it changes nothing, whether or not
    the group is active, so a failover playbook can be re-run.
  - With O(source) (the user there needs DESCRIBE on the group and READ on the offset-syncs topic), the
    translating actions also read the group's committed offsets on the source cluster
    and MirrorMaker 2's offset syncs (C(mm2-offset-syncs.<target_cluster_alias>.internal) on the source).
    A partition whose latest checkpoint is older than the group's commit on the source (MirrorMaker 2 emits
    a new checkpoint only when its coarse translation moves), or that has no checkpoint at all, is
    translated from the last offset sync at or before that commit, with MirrorMaker 2's own rule. The
    higher of the two translations is used; both are safe (consumers may re-read records, never skip one).
    RV(translated) says which one in C(basis).
  - Both translating actions report partitions without a translation, translated offsets beyond the
    target's end offset (negative lag) and translated offsets before the target's log start offset
    (gaps, where the records the group would resume at are already deleted).
  - Supports check mode (reports what would be committed) and diff mode.
options:
  group:
    description:
      - The consumer group id.
    type: str
    required: true
    aliases: [name]
  action:
    description:
      - V(describe) only reads the group on this cluster.
      - V(translate) reads the MirrorMaker 2 checkpoints of the group and returns translated offsets.
      - V(translate_and_commit) commits the translated offsets for the group on this cluster.
    type: str
    default: describe
    choices: [describe, translate, translate_and_commit]
  source_cluster_alias:
    description:
      - MirrorMaker 2 alias of the source cluster of the flow (the cluster the group consumed from),
        as in the MirrorMaker 2 C(clusters) setting. It names the checkpoint topic
        C(<source_cluster_alias>.checkpoints.internal) on this (target) cluster.
      - Required for V(translate) and V(translate_and_commit).
    type: str
  target_cluster_alias:
    description:
      - MirrorMaker 2 alias of this (target) cluster. It names the offset-syncs topic
        C(mm2-offset-syncs.<target_cluster_alias>.internal) on the source. Required with O(source).
    type: str
  offset_syncs_topic:
    description:
      - Name of the offset-syncs topic on the source, when it is not the default.
    type: str
  replication_policy:
    description:
      - How the flow names target topics, to match the group's source topics with them (O(source) only).
        V(prefix) (C(DefaultReplicationPolicy)) is C(<source_cluster_alias>.<topic>), V(identity) keeps the name.
    type: str
    default: prefix
    choices: [prefix, identity]
  untranslated:
    description:
      - What V(translate_and_commit) commits for a partition the group has committed on the source (O(source))
        but that neither a checkpoint nor an offset sync translates (its commit is older than the first sync
        still known).
      - V(skip) commits nothing there; consumers then apply their C(auto.offset.reset).
      - V(log_start) commits the target partition's log start offset, so consumers re-read everything
        replicated before the first sync and skip nothing.
      - Such partitions are listed in RV(no_checkpoint) either way.
    type: str
    default: skip
    choices: [skip, log_start]
  checkpoints_topic:
    description:
      - Name of the checkpoint topic, when it is not C(<source_cluster_alias>.checkpoints.internal)
        (a custom C(replication.policy.separator) with C(replication.policy.internal.topic.separator.enabled)).
    type: str
  topics:
    description:
      - Only these topics. Names on the target (C(src.orders)) and on the source (C(orders), matched as
        C(<source_cluster_alias>.orders) or, for the identity policy, C(orders)) are both accepted.
      - Default, every topic the group has committed offsets for (V(describe)) or checkpoints for (translating).
      - Partitions of listed topics that have no checkpoint are reported in RV(no_checkpoint).
    type: list
    elements: str
  clamp_offsets:
    description:
      - When committing, a translated offset beyond the target partition's end offset is committed as the
        end offset, and one before its log start offset as the log start offset (no record is skipped;
        an out-of-range offset would make consumers apply C(auto.offset.reset)). Both cases are reported
        in RV(negative_lag) and RV(gaps) either way.
    type: bool
    default: true
extends_documentation_fragment:
  - kafka_connection
  - kafka_connection.source
notes:
  - MirrorMaker 2 translates conservatively. A checkpoint's offset may be lower than the exact position
    (consumers then re-read some records, they never skip any), and a group whose source offset is older
    than the first offset sync MirrorMaker 2 still remembers gets no checkpoint for that partition.
  - The checkpoint topic is read from the beginning on every run; it is compacted and small.
author:
  - Meridian
'''

EXAMPLES = r'''
- name: Lag of the billing consumers
  kafka_consumer_group:
    group: billing
    bootstrap_servers: [kafka-1.eu.example.net:9092]
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
  delegate_to: localhost
  run_once: true
  register: billing

- name: Where would billing resume on the US cluster (replicated from alias "eu")?
  kafka_consumer_group:
    group: billing
    action: translate
    source_cluster_alias: eu
    topics: [invoices]
    bootstrap_servers: [kafka-1.us.example.net:9092]
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
  delegate_to: localhost
  run_once: true

- name: Fail billing over to the US cluster (its consumers there must be stopped)
  kafka_consumer_group:
    group: billing
    action: translate_and_commit
    source_cluster_alias: eu
    bootstrap_servers: [kafka-1.us.example.net:9092]
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
group:
  description: The group on this cluster. C(state) is C(Dead) for a group that does not exist.
  returned: always
  type: dict
  sample: {group_id: billing, state: Empty, protocol_type: consumer, members: 0, member_details: []}
offsets:
  description:
    - V(describe) only. Per topic and partition (as a string), the committed offset, the end offset,
      the log start offset and the lag (end minus committed).
  returned: when action is describe
  type: dict
  sample: {invoices: {'0': {committed: 40, end_offset: 100, log_start_offset: 0, lag: 60}}}
total_lag:
  description: V(describe) only. Sum of RV(offsets) lags.
  returned: when action is describe
  type: int
translated:
  description:
    - Per target topic and partition (as a string), the group's translated offset. C(offset) is the
      translated (downstream) offset, C(upstream_offset) the group's offset on the source it translates,
      C(basis) where it comes from (V(checkpoint), the latest checkpoint; with O(source), V(offset_sync) or
      V(log_start), see O(untranslated)), C(checkpoint_age_seconds) the age of the checkpoint record (null
      for the other bases), C(end_offset)/C(log_start_offset) the target partition's, C(committed) the
      group's current offset on the target (null if none) and C(commit_offset) what is committed (after
      O(clamp_offsets)).
  returned: when action is translate or translate_and_commit
  type: dict
  sample:
    src.invoices:
      '0': {offset: 40, upstream_offset: 40, metadata: '', basis: checkpoint, checkpoint_age_seconds: 1.2,
            end_offset: 100, log_start_offset: 0, committed: null, commit_offset: 40}
no_checkpoint:
  description:
    - Partitions of the considered target topics without a checkpoint for the group; with O(source), the
      partitions the group committed on the source that neither a checkpoint nor an offset sync translates.
  returned: when action is translate or translate_and_commit
  type: list
  elements: dict
  sample: [{topic: src.invoices, partition: 1}]
negative_lag:
  description: Partitions whose translated offset is beyond the target end offset (not yet replicated).
  returned: when action is translate or translate_and_commit
  type: list
  elements: dict
  sample: [{topic: src.invoices, partition: 0, offset: 120, end_offset: 100}]
gaps:
  description: Partitions whose translated offset is before the target log start offset (records deleted).
  returned: when action is translate or translate_and_commit
  type: list
  elements: dict
  sample: [{topic: src.invoices, partition: 0, offset: 3, log_start_offset: 50}]
commit:
  description:
    - Offsets (per target topic and partition as a string) that differ from the group's committed offsets
      on the target, so V(translate_and_commit) commits (in check mode, would commit) them.
  returned: when action is translate or translate_and_commit
  type: dict
  sample: {src.invoices: {'0': 40}}
behind:
  description:
    - With O(source) only. One line per partition whose translation does not speak for the group's current
      commit on the source (no translation, the log start, or a checkpoint of an older commit), as
      C(topic[partition]) followed by where it translates and what is committed. Empty once every
      commit translates.
  returned: when action is translate or translate_and_commit and O(source) is given
  type: list
  elements: str
  sample: ['orders[1]: translated at none, committed 670']
diff:
  description: The group's committed offsets on the target for the partitions of RV(commit), before and after.
  returned: when action is translate_and_commit
  type: dict
'''

import copy
import time

from ansible.module_utils.kafka_client import (
    KAFKA_CONNECTION_ARGSPEC, KafkaModuleError, close_quietly, describe_error, kafka_admin, kafka_connection_spec,
    kafka_consumer, partition_offsets, read_topic, require_kafka_reader, start_module, scrub, secrets_of,
    topic_partitions,
)
from ansible.module_utils.mirror_maker_records import (
    checkpoints_topic, latest_checkpoints, offset_sync_history, offset_syncs_topic, remote_topic, translate_with_syncs,
)

try:
    from kafka.structs import OffsetAndMetadata, TopicPartition
except ImportError:
    pass  # reported by require_kafka_reader()

ACTIONS = ('describe', 'translate', 'translate_and_commit')
INACTIVE_STATES = ('Empty', 'Dead')


def argument_spec():
    return kafka_connection_spec(
        group=dict(type='str', required=True, aliases=['name']),
        action=dict(type='str', default='describe', choices=list(ACTIONS)),
        source_cluster_alias=dict(type='str'),
        source=dict(type='dict', options=copy.deepcopy(KAFKA_CONNECTION_ARGSPEC)),
        target_cluster_alias=dict(type='str'),
        offset_syncs_topic=dict(type='str'),
        replication_policy=dict(type='str', default='prefix', choices=['prefix', 'identity']),
        untranslated=dict(type='str', default='skip', choices=['skip', 'log_start']),
        checkpoints_topic=dict(type='str'),
        topics=dict(type='list', elements='str'),
        clamp_offsets=dict(type='bool', default=True),
    )


def check_params(params):
    errors = []
    if not (params.get('group') or '').strip():
        errors.append('group must not be empty')
    if params.get('action') != 'describe' and not (params.get('source_cluster_alias') or '').strip():
        errors.append('action=%s needs source_cluster_alias: the MirrorMaker 2 alias of the cluster the group '
                      'consumed from (it names the <alias>.checkpoints.internal topic)' % params.get('action'))
    if params.get('topics') is not None and not [t for t in params['topics'] if t and t.strip()]:
        errors.append('topics is empty: leave it out for every topic, or list at least one')
    if params.get('source') and not (params.get('target_cluster_alias') or '').strip():
        errors.append('source needs target_cluster_alias: the MirrorMaker 2 alias of this cluster (it names the '
                      'mm2-offset-syncs.<alias>.internal topic on the source)')
    return errors


def pkey(partition):
    """Partition numbers are returned as strings: JSON object keys are strings anyway."""
    return str(partition)


def nested(entries):
    """{(topic, partition): value} -> {topic: {'partition': value}} sorted."""
    out = {}
    for (topic, partition) in sorted(entries):
        out.setdefault(topic, {})[pkey(partition)] = entries[(topic, partition)]
    return out


# --- the group on this cluster ------------------------------------------------------------------
def describe_group(admin, group):
    """{group_id, state, protocol_type, protocol, members, member_details}; state Dead if unknown."""
    described = (admin.describe_groups([group]) or {}).get(group) or {}
    state = described.get('group_state') or 'Dead'
    members = described.get('members') or []
    info = {'group_id': group, 'state': state, 'protocol_type': described.get('protocol_type') or '',
            'protocol': described.get('protocol_data') or '', 'members': len(members), 'member_details': []}
    for member in members:
        assignment = member.get('member_assignment')
        assigned = []
        if isinstance(assignment, dict):
            for entry in assignment.get('assigned_partitions') or []:
                assigned.extend('%s-%d' % (entry['topic'], p) for p in entry.get('partitions') or [])
        info['member_details'].append({'member_id': member.get('member_id'), 'client_id': member.get('client_id'),
                                       'host': member.get('client_host'), 'assignment': sorted(assigned)})
    if state == 'Dead':
        # DescribeGroups only describes classic groups; ListGroups also knows KIP-848 consumer groups.
        for listed in admin.list_groups():
            if listed.get('group_id') == group:
                info['state'] = listed.get('group_state') or 'Unknown'
                info['protocol_type'] = listed.get('protocol_type') or ''
    return info


def is_active(info):
    return info['members'] > 0 or info['state'] not in INACTIVE_STATES


def committed_offsets(admin, group):
    """{(topic, partition): OffsetAndMetadata} committed by ``group`` (valid offsets only)."""
    answer = admin.list_group_offsets({group: None}).get(group) or {}
    return {(tp.topic, tp.partition): oam for tp, oam in answer.items() if oam.offset is not None and oam.offset >= 0}


def wanted_topic(topic, topics, alias):
    """Whether target ``topic`` is selected by the ``topics`` option (None selects everything)."""
    if topics is None:
        return True
    if topic in topics:
        return True
    prefix = '%s.' % alias if alias else None
    return bool(prefix and topic.startswith(prefix) and topic[len(prefix):] in topics)


def offsets_of(admin, keys):
    tps = [TopicPartition(t, p) for t, p in keys]
    ends = partition_offsets(admin, tps, 'latest')
    starts = partition_offsets(admin, tps, 'earliest')
    return ({(tp.topic, tp.partition): ends[tp] for tp in tps}, {(tp.topic, tp.partition): starts[tp] for tp in tps})


def run_describe(admin, params):
    info = describe_group(admin, params['group'])
    committed = {k: v for k, v in committed_offsets(admin, params['group']).items()
                 if wanted_topic(k[0], params.get('topics'), None)}
    existing = topic_partitions(admin, {t for t, _ in committed})
    keys = [k for k in committed if k[1] in existing.get(k[0], [])]
    ends, starts = offsets_of(admin, keys)
    rows = {}
    for key in keys:
        offset = committed[key].offset
        rows[key] = {'committed': offset, 'end_offset': ends[key], 'log_start_offset': starts[key],
                     'lag': max(ends[key] - offset, 0)}
    return {'group': info, 'offsets': nested(rows), 'total_lag': sum(r['lag'] for r in rows.values())}


# --- translating --------------------------------------------------------------------------------
def translate(module, admin, params):
    """Everything the translating actions report, plus the planned commit {(topic, partition): offset}."""
    group, alias = params['group'], params['source_cluster_alias']
    topic = params.get('checkpoints_topic') or checkpoints_topic(alias)
    consumer = kafka_consumer(module, check_login=False)
    try:
        records = read_topic(admin, consumer, topic, params['request_timeout_ms'] / 1000.0)
    finally:
        close_quietly(consumer)
    if records is None:
        raise KafkaModuleError('checkpoint topic %s does not exist on this cluster (%s): check source_cluster_alias '
                               'and that MirrorMaker 2 runs the flow %s->... with this cluster as target (its '
                               'MirrorCheckpointConnector creates the topic)'
                               % (topic, ', '.join(params['bootstrap_servers']), alias))
    checkpoints, bad = latest_checkpoints((r for batch in records.values() for r in batch), group=group)
    if bad:
        module.warn('%d record(s) in %s could not be decoded as MirrorMaker 2 checkpoints and were ignored'
                    % (bad, topic))
    topics = params.get('topics')
    selected = {(c['topic'], c['partition']): c for c in checkpoints.values() if wanted_topic(c['topic'], topics, alias)}

    # The group's commits on the source, by target partition, with the flow's offset syncs.
    upstream = {}
    if params.get('source'):
        upstream = {k: v for k, v in source_positions(module, params, alias).items()
                    if wanted_topic(k[0], topics, alias)}

    # Topics considered: the listed ones (as they exist on the target), every checkpointed one and
    # every one the group committed on the source.
    candidates = {t for t, _ in selected} | {t for t, _ in upstream}
    for name in topics or []:
        candidates.update((name, '%s.%s' % (alias, name)))
    existing = topic_partitions(admin, candidates)
    if topics:
        missing = [name for name in topics if name not in existing and '%s.%s' % (alias, name) not in existing]
        if missing:
            module.warn('topic(s) %s exist neither as given nor as %s.<topic> on this cluster'
                        % (', '.join(missing), alias))
    all_keys = sorted((t, p) for t, parts in existing.items() for p in parts)
    keys = [k for k in all_keys if k in selected or k in upstream]
    orphans = sorted(k for k in selected if k not in set(all_keys))
    if orphans:
        module.warn('checkpoints for partitions that do not exist on this cluster were ignored: %s'
                    % ', '.join('%s-%d' % k for k in orphans))

    ends, starts = offsets_of(admin, keys)
    committed = committed_offsets(admin, group)
    now_ms = time.time() * 1000.0
    rows, negative, gaps, commit, untranslated = {}, [], [], {}, []
    for key in keys:
        checkpoint = choose_translation(selected.get(key), upstream.get(key))
        if checkpoint is None:
            untranslated.append(key)
            if params['untranslated'] != 'log_start':
                continue
            source_commit = upstream[key]
            checkpoint = {'downstream_offset': starts[key], 'upstream_offset': source_commit['offset'],
                          'metadata': source_commit['metadata'], 'timestamp': None, 'basis': 'log_start'}
        offset = checkpoint['downstream_offset']
        target = offset
        if offset > ends[key]:
            negative.append({'topic': key[0], 'partition': key[1], 'offset': offset, 'end_offset': ends[key]})
            if params['clamp_offsets']:
                target = ends[key]
        if offset < starts[key]:
            gaps.append({'topic': key[0], 'partition': key[1], 'offset': offset, 'log_start_offset': starts[key]})
            if params['clamp_offsets']:
                target = starts[key]
        current = committed.get(key)
        age = (None if checkpoint['timestamp'] is None
               else round(max(now_ms - checkpoint['timestamp'], 0) / 1000.0, 3))
        rows[key] = {'offset': offset, 'upstream_offset': checkpoint['upstream_offset'],
                     'metadata': checkpoint['metadata'], 'basis': checkpoint.get('basis', 'checkpoint'),
                     'checkpoint_age_seconds': age, 'end_offset': ends[key], 'log_start_offset': starts[key],
                     'committed': current.offset if current else None, 'commit_offset': target}
        if current is None or current.offset != target:
            commit[key] = (target, checkpoint['metadata'])
    if upstream:
        no_checkpoint = [{'topic': t, 'partition': p} for t, p in untranslated]
        if untranslated and params['untranslated'] == 'log_start':
            module.warn('group %s: no checkpoint or offset sync translates its commit on the source for %s; those '
                        'partitions start at the log start of this cluster (consumers re-read, skip nothing)'
                        % (group, ', '.join('%s-%d' % k for k in untranslated)))
    else:
        no_checkpoint = [{'topic': t, 'partition': p} for t, p in all_keys if (t, p) not in selected]
    if not selected and not upstream:
        module.warn('no checkpoint for group %s in %s%s: the group has not committed offsets on the source since '
                    'MirrorMaker 2 started, MirrorMaker 2\'s "groups" filter excludes it, or its offsets are older '
                    'than the first offset sync MirrorMaker 2 remembers' % (group, topic,
                                                                           ' for topics %s' % ', '.join(topics)
                                                                           if topics else ''))
    report = {'translated': nested(rows), 'no_checkpoint': no_checkpoint, 'negative_lag': negative, 'gaps': gaps,
              'commit': nested({k: v[0] for k, v in commit.items()})}
    if params.get('source'):
        report['behind'] = behind(rows, {k: v for k, v in upstream.items() if k in set(keys)})
    before = nested({k: (committed[k].offset if k in committed else None) for k in commit})
    after = nested({k: v[0] for k, v in commit.items()})
    return report, commit, {'before': before, 'after': after}


def source_positions(module, params, alias):
    """{(target topic, partition): {offset, metadata, syncs}}: the group's commits on the source, each with
    the flow's offset syncs of that source partition."""
    source = params['source']
    syncs_topic = params.get('offset_syncs_topic') or offset_syncs_topic(params['target_cluster_alias'])
    source_admin = kafka_admin(module, source, label='source')
    source_consumer = None
    try:
        commits = committed_offsets(source_admin, params['group'])
        if not commits:
            return {}
        source_consumer = kafka_consumer(module, source, label='source', check_login=False)
        records = read_topic(source_admin, source_consumer, syncs_topic, source['request_timeout_ms'] / 1000.0)
    finally:
        close_quietly(source_consumer)
        close_quietly(source_admin)
    history = {}
    if records is None:
        module.warn('offset-syncs topic %s does not exist on the source cluster: only checkpoints translate'
                    % syncs_topic)
    else:
        history, bad = offset_sync_history(r for batch in records.values() for r in batch)
        if bad:
            module.warn('%d record(s) in %s could not be decoded as offset syncs and were ignored' % (bad, syncs_topic))
    positions = {}
    for (topic, partition), oam in commits.items():
        target_topic = remote_topic(params['replication_policy'], alias, topic)
        positions[(target_topic, partition)] = {'offset': oam.offset, 'metadata': oam.metadata or '',
                                                'syncs': history.get((topic, partition), [])}
    return positions


def behind(rows, upstream):
    """A line "topic[partition]: translated at X, committed Y" for each partition whose translation does
    not speak for the group's current commit on the source (none, the log start, or an older commit's)."""
    lines = []
    for key in sorted(upstream):
        row = rows.get(key)
        at = None if row is None or row['basis'] == 'log_start' else row['upstream_offset']
        if at is None or at < upstream[key]['offset']:
            lines.append('%s[%s]: translated at %s, committed %s'
                         % (key[0], key[1], 'none' if at is None else at, upstream[key]['offset']))
    return lines


def choose_translation(checkpoint, position):
    """The checkpoint-like translation to commit for one partition, or None when nothing translates.

    Without the source's view (``position`` None) the latest checkpoint.  With it, the higher of: the
    checkpoint, when it translates a commit at or before the group's current one (after a rewind on the
    source a later checkpoint would skip records), and the offset syncs' translation of that commit.
    """
    if position is None:
        return checkpoint
    candidates = []
    if checkpoint is not None and checkpoint['upstream_offset'] <= position['offset']:
        candidates.append(dict(checkpoint, basis='checkpoint'))
    downstream = translate_with_syncs(position['syncs'], position['offset'])
    if downstream is not None:
        candidates.append({'downstream_offset': downstream, 'upstream_offset': position['offset'],
                           'metadata': position['metadata'], 'timestamp': None, 'basis': 'offset_sync'})
    if not candidates:
        return None
    # On a tie, the one that speaks for the later commit; then MirrorMaker 2's own answer.
    return max(candidates, key=lambda c: (c['downstream_offset'], c['upstream_offset'], c['basis'] == 'checkpoint'))


def apply_commit(admin, group, commit):
    offsets = {TopicPartition(t, p): OffsetAndMetadata(offset, metadata or '', None)
               for (t, p), (offset, metadata) in commit.items()}
    answer = admin.alter_group_offsets(group, offsets)
    return sorted('%s-%d: %s' % (tp.topic, tp.partition, getattr(err, '__name__', err))
                  for tp, err in answer.items() if getattr(err, 'errno', 0))


def main():
    module = start_module(argument_spec(), check_params, require=require_kafka_reader)
    params = module.params
    secrets = secrets_of(params) + (secrets_of(params['source']) if params.get('source') else [])
    group, action = params['group'], params['action']
    result = {'changed': False}

    admin = kafka_admin(module)
    try:
        if action == 'describe':
            try:
                result.update(run_describe(admin, params))
            except Exception as exc:
                module.fail_json(msg=scrub('Could not describe consumer group %s: %s (sasl_username needs DESCRIBE '
                                           'on the group and its topics)' % (group, describe_error(exc)), secrets))
            module.exit_json(**result)

        try:
            info = describe_group(admin, group)
            report, commit, diff = translate(module, admin, params)
        except KafkaModuleError as exc:
            module.fail_json(msg=scrub(str(exc), secrets))
        except Exception as exc:
            module.fail_json(msg=scrub('Could not translate the offsets of group %s: %s (sasl_username needs READ '
                                       'on the checkpoint topic and DESCRIBE on the group and topics)'
                                       % (group, describe_error(exc)), secrets))
        result.update(report, group=info)
        if action == 'translate':
            module.exit_json(**result)

        result['diff'] = diff
        if commit and is_active(info):
            module.fail_json(msg='consumer group %s is active on this cluster (state %s, %d member(s)): stop its '
                                 'consumers here before committing translated offsets; nothing was committed'
                                 % (group, info['state'], info['members']), **result)
        result['changed'] = bool(commit)
        if commit and not module.check_mode:
            try:
                refused = apply_commit(admin, group, commit)
            except Exception as exc:
                module.fail_json(msg=scrub('Could not commit offsets for group %s: %s'
                                           % (group, describe_error(exc)), secrets), **result)
            if refused:
                module.fail_json(msg='Kafka refused to commit offsets for group %s (is it active now?): %s'
                                     % (group, '; '.join(refused)), **result)
    finally:
        close_quietly(admin)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
