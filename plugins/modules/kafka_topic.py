#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import annotations

DOCUMENTATION = r'''
---
module: kafka_topic
short_description: Create, grow, configure or delete a Kafka topic
description:
  - Ensures a topic exists with at least O(partitions) partitions, the given replication factor and
    the given topic configs, or (with O(state=absent) and O(allow_delete=true)) that it does not exist.
  - Only the config keys listed in O(config) are compared and changed, with an incremental alter
    (KIP-339); every other override of the topic is left alone.
  - Kafka cannot remove partitions or change the replication factor in place, so such requests are
    refused with a message saying what to do instead (a reassignment for the replication factor).
  - Supports check mode (the broker validates the request without applying it) and diff mode.
options:
  name:
    description:
      - Name of the topic. Legal characters are ASCII letters, digits, C(.), C(_) and C(-); at most 249.
    type: str
    required: true
    aliases: [topic]
  state:
    description:
      - V(present) creates or updates the topic, V(absent) deletes it (only with O(allow_delete=true)).
    type: str
    default: present
    choices: [present, absent]
  partitions:
    description:
      - Number of partitions. An existing topic with fewer partitions is grown; one with more
        makes the task fail, because Kafka cannot remove partitions.
      - When omitted, a new topic gets the broker's C(num.partitions) and an existing one is left alone.
    type: int
  replication_factor:
    description:
      - Replication factor. Only used when creating the topic; for an existing topic a different
        value makes the task fail (changing it needs a partition reassignment, e.g.
        C(kafka-reassign-partitions.sh)).
      - When omitted, a new topic gets the broker's C(default.replication.factor).
    type: int
  config:
    description:
      - Topic configs to set, e.g. C(retention.ms) or C(cleanup.policy). Values may be strings,
        numbers or booleans (written the way Kafka prints them); a list is joined with commas.
      - A value of V(null) removes the topic's override, so the broker default applies again.
      - Keys not listed are never changed.
    type: dict
    default: {}
    aliases: [configs]
  allow_delete:
    description:
      - Must be V(true) for O(state=absent) to delete an existing topic. Deleting a topic destroys its data,
        so a playbook has to say so explicitly.
    type: bool
    default: false
extends_documentation_fragment:
  - kafka_connection
notes:
  - The returned RV(topic) shows the partition count, the replication factor (replicas of the
    partition with the most replicas) and the current values of the keys in O(config).
author:
  - Meridian
'''

EXAMPLES = r'''
- name: Orders topic with 12 partitions, RF 3, one week of retention
  kafka_topic:
    name: orders
    partitions: 12
    replication_factor: 3
    config:
      retention.ms: 604800000
      min.insync.replicas: 2
    bootstrap_servers: [kafka-1.example.net:9092]
    ssl_cafile: /etc/meridian/pki/ca.crt
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
  delegate_to: localhost
  run_once: true

- name: Compacted topic; drop a retention override set earlier
  kafka_topic:
    name: customers
    config:
      cleanup.policy: compact
      retention.ms: null
    bootstrap_servers: [kafka-1.example.net:9092]
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
  delegate_to: localhost
  run_once: true

- name: Delete a topic (its data is lost)
  kafka_topic:
    name: scratch
    state: absent
    allow_delete: true
    bootstrap_servers: [kafka-1.example.net:9092]
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
name:
  description: Name of the topic.
  returned: always
  type: str
  sample: orders
actions:
  description: What was done (or, in check mode, would be done).
  returned: always
  type: list
  elements: str
  sample: [partitions_increased, config_updated]
  choices: [created, partitions_increased, config_updated, deleted]
topic:
  description:
    - The topic after the task (in check mode, as it would be). C(exists) is false for a deleted or
      absent topic, and then the other keys are null.
    - C(config) holds only the keys of O(config); a key the task resets shows the broker default
      after a real run and null in check mode.
  returned: always
  type: dict
  sample: {exists: true, partitions: 12, replication_factor: 3, config: {retention.ms: '604800000'}}
diff:
  description: RV(topic) before and after.
  returned: always
  type: dict
  sample:
    before: {exists: true, partitions: 6, replication_factor: 3, config: {retention.ms: '86400000'}}
    after: {exists: true, partitions: 12, replication_factor: 3, config: {retention.ms: '604800000'}}
'''

import re
import time

from ansible.module_utils.kafka_client import (
    close_quietly, describe_error, kafka_admin, kafka_connection_spec, require_kafka_reader, scrub,
    secrets_of, start_module,
)

try:
    import kafka.errors as kafka_errors
    from kafka.admin import AlterConfigOp, ConfigResource
except ImportError:
    pass  # reported by require_kafka_reader()

TOPIC_NAME_RE = re.compile(r'^[a-zA-Z0-9._-]+$')
MAX_TOPIC_NAME = 249
ABSENT = {'exists': False, 'partitions': None, 'replication_factor': None, 'config': {}}


def argument_spec():
    return kafka_connection_spec(
        name=dict(type='str', required=True, aliases=['topic']),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        partitions=dict(type='int'),
        replication_factor=dict(type='int'),
        config=dict(type='dict', default={}, aliases=['configs']),
        allow_delete=dict(type='bool', default=False),
    )


def config_value(value):
    """A config value as Kafka prints it (None stays None: remove the override)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (list, tuple)):
        return ','.join(config_value(v) for v in value)
    return str(value)


def wanted_config(params):
    return {str(key): config_value(value) for key, value in (params.get('config') or {}).items()}


def check_params(params):
    """Problems with the module's own options (empty list when fine)."""
    errors = []
    name = params.get('name') or ''
    if not name or name in ('.', '..') or len(name) > MAX_TOPIC_NAME or not TOPIC_NAME_RE.match(name):
        errors.append('name %r is not a legal topic name: 1 to %d characters from a-z, A-Z, 0-9, ".", "_" '
                      'and "-", and not "." or ".."' % (name, MAX_TOPIC_NAME))
    for option in ('partitions', 'replication_factor'):
        value = params.get(option)
        if value is not None and value < 1:
            errors.append('%s must be at least 1, got %d' % (option, value))
    for key in (params.get('config') or {}):
        if not str(key).strip():
            errors.append('config has an empty key')
    return errors


# --- reading the topic --------------------------------------------------------------------------
def describe_topic(admin, name):
    """{exists, partitions, replication_factor, uneven_replicas} or ABSENT."""
    for topic in admin.describe_topics([name]):
        if topic.get('name') != name:
            continue
        code = topic.get('error_code') or 0
        if code == kafka_errors.UnknownTopicOrPartitionError.errno:
            return dict(ABSENT)
        if code:
            raise kafka_errors.for_code(code)('describing topic %s' % name)
        counts = [len(p.get('replica_nodes') or []) for p in topic.get('partitions') or []]
        return {'exists': True, 'partitions': len(counts), 'replication_factor': max(counts) if counts else None,
                'uneven_replicas': len(set(counts)) > 1, 'config': {}}
    return dict(ABSENT)


def describe_config(admin, name, keys):
    """{key: {'value': str, 'source': str}} for ``keys`` (unknown keys are missing)."""
    if not keys:
        return {}
    described = admin.describe_configs([ConfigResource('TOPIC', name, sorted(keys))], config_filter='all')
    entries = (described.get('topic') or {}).get(name) or {}
    return {key: {'value': entry.get('value'), 'source': entry.get('config_source')}
            for key, entry in entries.items() if key in keys}


def read_state(admin, name, keys):
    state = describe_topic(admin, name)
    if state['exists']:
        described = describe_config(admin, name, keys)
        state['config'] = {key: entry['value'] for key, entry in described.items()}
        state['config_sources'] = {key: entry['source'] for key, entry in described.items()}
    return state


def public(state):
    """The part of a state that is returned (no bookkeeping keys)."""
    return {'exists': state['exists'], 'partitions': state['partitions'],
            'replication_factor': state['replication_factor'], 'config': dict(state.get('config') or {})}


# --- deciding -----------------------------------------------------------------------------------
def config_changes(before, wanted):
    """{key: value or None} to apply: values that differ, and overrides to remove."""
    changes = {}
    sources = before.get('config_sources') or {}
    for key, value in wanted.items():
        if value is None:
            if sources.get(key) == 'DYNAMIC_TOPIC_CONFIG':
                changes[key] = None
        elif (before.get('config') or {}).get(key) != value:
            changes[key] = value
    return changes


def plan(before, params):
    """Return (actions, problems): what to do, and why it cannot be done (a non-empty list fails)."""
    name = params['name']
    if params['state'] == 'absent':
        if not before['exists']:
            return [], []
        if not params['allow_delete']:
            return [], ['topic %s exists and state=absent, but deleting a topic destroys its data: set '
                        'allow_delete: true to delete it' % name]
        return ['deleted'], []
    if not before['exists']:
        return ['created'], []

    problems = []
    partitions, rf = params.get('partitions'), params.get('replication_factor')
    if partitions is not None and partitions < before['partitions']:
        problems.append('topic %s has %d partitions and Kafka cannot remove partitions: set partitions to %d or '
                        'more (or recreate the topic)' % (name, before['partitions'], before['partitions']))
    if rf is not None and rf != before['replication_factor']:
        problems.append('topic %s has replication factor %s, not %d: the replication factor of an existing topic '
                        'is changed by a partition reassignment (kafka-reassign-partitions.sh or the '
                        'AlterPartitionReassignments API), not by this module'
                        % (name, before['replication_factor'], rf))
    actions = []
    if config_changes(before, wanted_config(params)):
        actions.append('config_updated')
    if partitions is not None and partitions > before['partitions']:
        actions.append('partitions_increased')
    return actions, problems


def predicted_after(before, params, actions):
    """The state the actions lead to (for check mode, before the broker is asked again)."""
    if 'deleted' in actions:
        return dict(ABSENT)
    wanted = wanted_config(params)
    if 'created' in actions:
        return {'exists': True, 'partitions': params.get('partitions'),
                'replication_factor': params.get('replication_factor'),
                'config': {k: v for k, v in wanted.items()}}
    after = public(before)
    if 'partitions_increased' in actions:
        after['partitions'] = params['partitions']
    for key, value in config_changes(before, wanted).items():
        after['config'][key] = value
    return after


def converged(state, params, actions):
    """Whether ``state`` (from read_state) shows every applied action."""
    if 'deleted' in actions:
        return not state['exists']
    if not state['exists']:
        return False
    wanted = params.get('partitions')
    if wanted is not None and ('created' in actions or 'partitions_increased' in actions) \
            and state['partitions'] < wanted:
        return False
    sources = state.get('config_sources') or {}
    for key, value in wanted_config(params).items():
        if value is None:
            if 'config_updated' in actions and sources.get(key) == 'DYNAMIC_TOPIC_CONFIG':
                return False
        elif (state.get('config') or {}).get(key) != value:
            return False
    return True


def read_back(module, admin, name, keys, actions):
    """The topic after the change. The controller accepted it; the broker answering describe
    requests may apply it a moment later, so wait (up to request_timeout_ms) until it shows."""
    deadline = time.monotonic() + module.params['request_timeout_ms'] / 1000.0
    while True:
        state = read_state(admin, name, keys)
        if converged(state, module.params, actions):
            return state
        if time.monotonic() >= deadline:
            module.warn('topic %s was changed (%s) but the broker does not show all of it yet'
                        % (name, ', '.join(actions)))
            return state
        time.sleep(0.2)


# --- changing -----------------------------------------------------------------------------------
def _error_text(code, message):
    if not code:
        return None
    error = kafka_errors.for_code(code)
    return '%s: %s' % (error.__name__, message or getattr(error, 'description', None) or 'error code %d' % code)


def create(admin, params, validate_only):
    config = {k: v for k, v in wanted_config(params).items() if v is not None}
    spec = {'num_partitions': params.get('partitions') or -1,
            'replication_factor': params.get('replication_factor') or -1,
            'configs': config}
    result = admin.create_topics({params['name']: spec}, validate_only=validate_only, raise_errors=False,
                                 timeout_ms=params['request_timeout_ms'])
    for topic in result.get('topics') or []:
        error = _error_text(topic.get('error_code'), topic.get('error_message'))
        if error:
            return error
    if not validate_only:
        admin.wait_for_topics([params['name']], timeout_ms=params['request_timeout_ms'])
    return None


def grow(admin, params, validate_only):
    response = admin.create_partitions({params['name']: params['partitions']}, validate_only=validate_only,
                                       raise_errors=False, timeout_ms=params['request_timeout_ms'])
    for entry in response.to_dict().get('results') or []:
        error = _error_text(entry.get('error_code'), entry.get('error_message'))
        if error:
            return error
    return None


def alter_config(admin, params, changes, validate_only):
    configs = {key: (AlterConfigOp.DELETE, None) if value is None else (AlterConfigOp.SET, value)
               for key, value in changes.items()}
    result = admin.alter_configs([ConfigResource('TOPIC', params['name'], configs)], validate_only=validate_only,
                                 raise_on_unknown=False, incremental=True)
    outcome = (result.get('topic') or {}).get(params['name'])
    return None if outcome == 'OK' else str(outcome)


def delete(admin, params):
    result = admin.delete_topics([params['name']], raise_errors=False, timeout_ms=params['request_timeout_ms'])
    for topic in result.get('topics') or []:
        code = topic.get('error_code')
        if code and code != kafka_errors.UnknownTopicOrPartitionError.errno:
            return _error_text(code, topic.get('error_message'))
    # Deletion reaches the metadata of every broker shortly after the controller accepts it.
    deadline = time.monotonic() + params['request_timeout_ms'] / 1000.0
    while describe_topic(admin, params['name'])['exists'] and time.monotonic() < deadline:
        time.sleep(0.2)
    return None


def main():
    module = start_module(argument_spec(), check_params, require=require_kafka_reader)
    params = module.params
    secrets = secrets_of(params)
    name = params['name']
    keys = set(wanted_config(params))
    result = {'changed': False, 'name': name, 'actions': []}

    admin = kafka_admin(module)
    try:
        try:
            before = read_state(admin, name, keys)
        except Exception as exc:
            module.fail_json(msg=scrub('Could not describe topic %s: %s (sasl_username needs DESCRIBE and '
                                       'DESCRIBE_CONFIGS on the topic)' % (name, describe_error(exc)), secrets),
                             **result)
        if before['exists'] and params['state'] == 'present':
            unknown = sorted(keys - set(before['config']))
            if unknown:
                module.fail_json(msg='unknown topic config key(s) for %s: %s (see the topic configs of Kafka '
                                     '4.1, e.g. retention.ms, cleanup.policy, min.insync.replicas)'
                                     % (name, ', '.join(unknown)), **result)
            if before.get('uneven_replicas') and params.get('replication_factor') is not None:
                module.warn('the partitions of topic %s do not all have the same number of replicas (a '
                            'reassignment may be in progress)' % name)

        actions, problems = plan(before, params)
        result.update(actions=actions, changed=bool(actions), topic=public(before),
                      diff={'before': public(before), 'after': public(before)})
        if problems:
            module.fail_json(msg='; '.join(problems), **dict(result, changed=False, actions=[]))

        # In check mode the broker validates creation, config and partition changes without applying them.
        check = module.check_mode
        steps = []
        if 'deleted' in actions and not check:
            steps.append(('deleted', 'delete', lambda: delete(admin, params)))
        if 'created' in actions:
            steps.append(('created', 'create', lambda: create(admin, params, validate_only=check)))
        if 'config_updated' in actions:
            changes = config_changes(before, wanted_config(params))
            steps.append(('config_updated', 'change the config of',
                          lambda: alter_config(admin, params, changes, validate_only=check)))
        if 'partitions_increased' in actions:
            steps.append(('partitions_increased', 'add partitions to',
                          lambda: grow(admin, params, validate_only=check)))
        done = []
        for action, verb, apply in steps:
            # On failure, report only what was really applied before it.
            failed = dict(result, changed=bool(done) and not check, actions=done)
            try:
                error = apply()
            except Exception as exc:
                module.fail_json(msg=scrub('Could not %s topic %s: %s' % (verb, name, describe_error(exc)), secrets),
                                 **failed)
            if error:
                module.fail_json(msg=scrub('Kafka refused to %s topic %s: %s' % (verb, name, error), secrets),
                                 **failed)
            done.append(action)

        if actions and not check:
            try:
                after = public(read_back(module, admin, name, keys, actions))
            except Exception as exc:
                module.fail_json(msg=scrub('Topic %s was changed (%s) but could not be described again: %s'
                                           % (name, ', '.join(actions), describe_error(exc)), secrets), **result)
        else:
            after = predicted_after(before, params, actions) if actions else public(before)
        result.update(topic=after, diff={'before': public(before), 'after': after})
    finally:
        close_quietly(admin)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
