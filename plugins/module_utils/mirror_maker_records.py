# -*- coding: utf-8 -*-
"""MirrorMaker 2's internal topics: their names and the records in them (Kafka 4.1).

Used by kafka_consumer_group (checkpoints, offset syncs) and kafka_replication_status
(checkpoints, offset syncs, Connect status).  Pure functions on bytes: no client, no network.

Wire formats, as in the Kafka 4.1 sources and checked against records written by a real
MirrorMaker 2 4.1.1 (tests/unit/test_replication_modules.py):

* Checkpoint (``connect/mirror-client/.../Checkpoint.java``), topic
  ``<source alias>.checkpoints.internal`` on the target cluster, written by
  MirrorCheckpointConnector:
  key   = STRING group, STRING topic, INT32 partition
  value = INT16 version (0), INT64 upstreamOffset, INT64 offset (downstream), STRING metadata
  The key's topic is the topic on the *target* cluster, already renamed by the replication
  policy (``src.orders`` for ``orders`` with DefaultReplicationPolicy).
* OffsetSync (``connect/mirror/.../OffsetSync.java``), topic
  ``mm2-offset-syncs.<target alias>.internal`` on the source cluster (the default
  ``offset-syncs.topic.location=source``), written by MirrorSourceTask:
  key   = STRING topic (the *source* topic name), INT32 partition
  value = INT64 upstreamOffset, INT64 offset (downstream); no version header
* Kafka Connect status (``KafkaStatusBackingStore``), topic ``mm2-status.<source alias>.internal``
  on the target cluster (``MirrorMakerConfig.workerConfig``): keys ``status-connector-<name>``,
  ``status-task-<name>-<task>`` (and ``status-topic-<topic>:connector-<name>``, not used here);
  JSON values such as ``{"state": "RUNNING", "trace": null, "worker_id": "...", "generation": 3}``;
  a null value (tombstone) means the connector or task was deleted.

STRING is the Kafka protocol's non-nullable string: INT16 length, then UTF-8 bytes.  All
integers are big-endian.
"""

from __future__ import annotations

import json
import struct

CHECKPOINT_VERSION = 0
INTERNAL_SEPARATOR = '.'


class RecordFormatError(ValueError):
    """A record that does not have the expected MirrorMaker 2 layout."""


# --- topic names (DefaultReplicationPolicy / IdentityReplicationPolicy defaults) ----------------
def checkpoints_topic(source_alias):
    """Where MirrorCheckpointConnector writes, on the target cluster."""
    return '%s%scheckpoints%sinternal' % (source_alias, INTERNAL_SEPARATOR, INTERNAL_SEPARATOR)


def offset_syncs_topic(target_alias):
    """Where MirrorSourceConnector writes offset syncs, on the source cluster (default location)."""
    return 'mm2-offset-syncs%s%s%sinternal' % (INTERNAL_SEPARATOR, target_alias, INTERNAL_SEPARATOR)


def status_topic(source_alias):
    """Kafka Connect status topic of the source->target herder, on the target cluster."""
    return 'mm2-status.%s.internal' % source_alias


def remote_topic(policy, source_alias, topic, separator='.'):
    """Name of source ``topic`` on the target cluster under ``policy`` ('prefix' or 'identity')."""
    if policy == 'identity':
        return topic
    return '%s%s%s' % (source_alias, separator, topic)


def is_internal_topic(topic):
    """Topics MirrorMaker 2 never replicates (ReplicationPolicy.isInternalTopic)."""
    return topic.endswith('.internal') or topic.endswith('-internal') or topic.startswith('__') \
        or topic.startswith('.')


# --- decoding -----------------------------------------------------------------------------------
def _string(buf, pos):
    if len(buf) < pos + 2:
        raise RecordFormatError('truncated string length at byte %d' % pos)
    (size,) = struct.unpack_from('>h', buf, pos)
    if size < 0:
        raise RecordFormatError('null string at byte %d' % pos)
    end = pos + 2 + size
    if len(buf) < end:
        raise RecordFormatError('truncated string at byte %d' % pos)
    return bytes(buf[pos + 2:end]).decode('utf-8'), end


def _unpack(fmt, buf, pos, what):
    size = struct.calcsize(fmt)
    if len(buf) < pos + size:
        raise RecordFormatError('truncated %s at byte %d' % (what, pos))
    return struct.unpack_from(fmt, buf, pos), pos + size


def decode_checkpoint(key, value):
    """{group, topic, partition, upstream_offset, downstream_offset, metadata} of a checkpoint record."""
    if key is None or value is None:
        raise RecordFormatError('checkpoint record without key or value')
    group, pos = _string(key, 0)
    topic, pos = _string(key, pos)
    (partition,), pos = _unpack('>i', key, pos, 'partition')
    (version,), pos = _unpack('>h', value, 0, 'version')
    if version != CHECKPOINT_VERSION:
        raise RecordFormatError('checkpoint value version %d is not supported (only %d)'
                                % (version, CHECKPOINT_VERSION))
    (upstream, downstream), pos = _unpack('>qq', value, pos, 'offsets')
    metadata, pos = _string(value, pos)
    return {'group': group, 'topic': topic, 'partition': partition, 'upstream_offset': upstream,
            'downstream_offset': downstream, 'metadata': metadata}


def decode_offset_sync(key, value):
    """{topic, partition, upstream_offset, downstream_offset} of an offset-sync record."""
    if key is None or value is None:
        raise RecordFormatError('offset-sync record without key or value')
    topic, pos = _string(key, 0)
    (partition,), _ = _unpack('>i', key, pos, 'partition')
    (upstream, downstream), _ = _unpack('>qq', value, 0, 'offsets')
    return {'topic': topic, 'partition': partition, 'upstream_offset': upstream, 'downstream_offset': downstream}


def parse_status_key(key):
    """('connector', name, None) or ('task', name, task id); None for other keys (topic tracking)."""
    if isinstance(key, (bytes, bytearray)):
        key = bytes(key).decode('utf-8', 'replace')
    if key.startswith('status-connector-'):
        return 'connector', key[len('status-connector-'):], None
    if key.startswith('status-task-'):
        name, sep, task = key[len('status-task-'):].rpartition('-')
        if sep and task.isdigit():
            return 'task', name, int(task)
    return None


def decode_status_value(value):
    """The JSON status dict, or None for a tombstone."""
    if value is None:
        return None
    try:
        status = json.loads(bytes(value).decode('utf-8'))
    except ValueError as exc:
        raise RecordFormatError('status value is not JSON: %s' % exc)
    if not isinstance(status, dict):
        raise RecordFormatError('status value is not a JSON object')
    return status


# --- folding a topic's records into the latest state --------------------------------------------
def _decoded(records, decode):
    """([decoded + 'timestamp', ...] in the records' order, the undecodable count)."""
    decoded, bad = [], 0
    for record in records:
        try:
            entry = decode(record.key, record.value)
        except RecordFormatError:
            bad += 1
            continue
        entry['timestamp'] = record.timestamp
        decoded.append(entry)
    return decoded, bad


def _latest(records, decode, key, keep=lambda decoded: True):
    """{key(decoded): decoded + 'timestamp'}, the last record per key, and the undecodable count.

    ``records`` are ConsumerRecord-like objects (key, value, timestamp) in offset order per
    partition; a key always lives in one partition, so that order is the write order.
    """
    decoded, bad = _decoded(records, decode)
    return {key(entry): entry for entry in decoded if keep(entry)}, bad


def latest_checkpoints(records, group=None):
    """{(group, topic, partition): checkpoint + 'timestamp'}, optionally of one group only."""
    return _latest(records, decode_checkpoint, lambda c: (c['group'], c['topic'], c['partition']),
                   keep=lambda c: group is None or c['group'] == group)


def latest_offset_syncs(records):
    """{(topic, partition): sync + 'timestamp'} keeping the last sync per source partition."""
    return _latest(records, decode_offset_sync, lambda s: (s['topic'], s['partition']))


def offset_sync_history(records):
    """{(topic, partition): [(upstream, downstream), ...]} in write order, and the undecodable count.

    Every sync MirrorSourceTask wrote that is still in the topic (compaction keeps only the last
    one per partition, but it seldom reaches the active segment).  A downstream offset lower than
    the one before means the target topic was recreated: the syncs written before it no longer
    describe that topic and are dropped.
    """
    syncs_read, bad = _decoded(records, decode_offset_sync)
    history = {}
    for sync in syncs_read:
        syncs = history.setdefault((sync['topic'], sync['partition']), [])
        if syncs and sync['downstream_offset'] < syncs[-1][1]:
            del syncs[:]
        syncs.append((sync['upstream_offset'], sync['downstream_offset']))
    return history, bad


def translate_with_syncs(syncs, upstream_offset):
    """The target offset a consumer at source ``upstream_offset`` resumes at, or None.

    MirrorMaker 2's own rule (OffsetSyncStore): take the last sync at or before the offset; at the
    sync itself the answer is its downstream offset, past it one more, since the records between
    the sync and the offset may sit anywhere after the sync's copy.  A consumer resuming there may
    re-read records, never skips one.  Syncs after the offset say nothing about it: None.
    """
    best = None
    for upstream, downstream in syncs:
        if upstream <= upstream_offset and (best is None or upstream >= best[0]):
            best = (upstream, downstream)
    if best is None:
        return None
    return best[1] + (0 if best[0] == upstream_offset else 1)


def connector_states(records):
    """{connector: {state, worker_id, generation, trace, tasks: {id: {...}}}} from status records.

    The last value per key wins; a tombstone removes the connector or task.  A task whose
    connector has no status record yet is listed under a connector with state None.
    """
    connectors, tasks = {}, {}
    for record in records:
        parsed = parse_status_key(record.key)
        if parsed is None:
            continue
        kind, name, task = parsed
        try:
            status = decode_status_value(record.value)
        except RecordFormatError:
            continue
        target, key = (connectors, name) if kind == 'connector' else (tasks, (name, task))
        if status is None:
            target.pop(key, None)
        else:
            target[key] = {'state': status.get('state'), 'worker_id': status.get('worker_id'),
                           'generation': status.get('generation'), 'trace': status.get('trace')}
    result = {}
    for name, status in connectors.items():
        result[name] = dict(status, tasks={})
    for (name, task), status in tasks.items():
        entry = result.setdefault(name, {'state': None, 'worker_id': None, 'generation': None, 'trace': None,
                                         'tasks': {}})
        entry['tasks'][task] = status
    return result
