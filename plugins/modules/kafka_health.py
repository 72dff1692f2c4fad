#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import annotations

DOCUMENTATION = r'''
---
module: kafka_health
short_description: Report whether a KRaft cluster is healthy enough for its next node to restart
description:
  - Reads, through the Admin API, the state of the metadata quorum (DescribeQuorum, KIP-595), the
    registered brokers (DescribeCluster) and every partition's replicas and in-sync replicas, and
    returns RV(healthy) with the reasons when it is not.
  - The cluster is healthy when the quorum has a leader, every voter lags the leader by at most
    O(max_quorum_lag) records, each of O(voters) is a voter, O(node_id) (when given) is in the quorum's
    replication state (as a voter or an observer) within that lag, and no partition is
    under-replicated or under its C(min.insync.replicas).
  - It answers what C(kafka-metadata-quorum.sh describe --replication) and C(kafka-topics.sh --describe
    --under-replicated-partitions --under-min-isr-partitions) answer, from the controller, without
    starting a JVM on the node. The rolling restarts of the kafka role wait on it with C(until).
  - Read-only; never reports a change. Check mode is supported.
options:
  voters:
    description:
      - Node ids that must be voters of the metadata quorum (the cluster's controllers).
    type: list
    elements: int
    default: []
  node_id:
    description:
      - A node that must be in the quorum's replication state, caught up within O(max_quorum_lag): the
        node that just restarted. Brokers that are not controllers are the quorum's observers.
    type: int
  max_quorum_lag:
    description:
      - Largest lag, in metadata records behind the leader, that still counts as caught up.
    type: int
    default: 50
  partitions:
    description:
      - Whether to check partitions for under-replication and for fewer in-sync replicas than their
        C(min.insync.replicas). V(false) checks the quorum only.
    type: bool
    default: true
extends_documentation_fragment:
  - kafka_connection
author:
  - Meridian contributors
'''

EXAMPLES = r'''
- name: Wait until the cluster is healthy after restarting node 2
  kafka_health:
    bootstrap_servers: ["10.0.1.11:9092", "10.0.2.11:9092"]
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/meridian/pki/ca-bundle.crt
    voters: [1, 2, 3]
    node_id: 2
  delegate_to: localhost
  register: health
  until: health.healthy | default(false)
  retries: 60
  delay: 5
'''

RETURN = r'''
healthy:
  description: Whether every condition in the description holds.
  returned: success
  type: bool
problems:
  description: Why the cluster is not healthy, one sentence each; empty when RV(healthy).
  returned: success
  type: list
  elements: str
quorum:
  description: The metadata quorum as the leader reports it; C(lag) is the leader's log end offset minus the node's.
  returned: success
  type: dict
  sample: {"leader_id": 1, "high_watermark": 1167,
           "voters": [{"node_id": 1, "log_end_offset": 1167, "lag": 0}],
           "observers": [{"node_id": 4, "log_end_offset": 1160, "lag": 7}]}
brokers:
  description: Registered brokers and whether the controller has fenced them.
  returned: success
  type: list
  elements: dict
  sample: [{"node_id": 1, "fenced": false}]
under_replicated:
  description: Partitions with fewer in-sync replicas than replicas.
  returned: success
  type: list
  elements: dict
  sample: [{"topic": "orders", "partition": 0, "replicas": [1, 2, 3], "isr": [1, 2]}]
under_min_isr:
  description: Partitions with fewer in-sync replicas than their topic's C(min.insync.replicas).
  returned: success
  type: list
  elements: dict
  sample: [{"topic": "orders", "partition": 0, "isr": [1], "min_insync_replicas": 2}]
'''

from ansible.module_utils.kafka_client import (
    close_quietly, describe_error, kafka_admin, kafka_connection_spec, scrub, secrets_of, start_module,
)

try:
    from kafka.admin import ConfigResource, ConfigResourceType
except ImportError:  # reported by start_module
    pass


def argument_spec():
    return kafka_connection_spec(
        voters=dict(type='list', elements='int', default=[]),
        node_id=dict(type='int'),
        max_quorum_lag=dict(type='int', default=50),
        partitions=dict(type='bool', default=True),
    )


def check_params(params):
    errors = []
    if params['max_quorum_lag'] < 0:
        errors.append('max_quorum_lag must be 0 or more records, got %s' % params['max_quorum_lag'])
    return errors


def quorum_state(described):
    """The DescribeQuorum answer for __cluster_metadata as leader, voters and observers, each replica
    with its lag behind the leader (as kafka-metadata-quorum.sh computes it)."""
    partition = described['topics'][0]['partitions'][0]
    leader_id = partition['leader_id']
    voters = partition['current_voters'] or []
    leader_end = next((r['log_end_offset'] for r in voters if r['replica_id'] == leader_id), None)

    def rows(replicas):
        return [{'node_id': r['replica_id'], 'log_end_offset': r['log_end_offset'],
                 'lag': None if leader_end is None else leader_end - r['log_end_offset']} for r in replicas]
    return {'leader_id': leader_id, 'high_watermark': partition['high_watermark'],
            'voters': rows(voters), 'observers': rows(partition['observers'] or [])}


def quorum_problems(quorum, voters, node_id, max_lag):
    problems = []
    voter_ids = {r['node_id'] for r in quorum['voters']}
    if quorum['leader_id'] is None or quorum['leader_id'] < 0 or quorum['leader_id'] not in voter_ids:
        return ['the metadata quorum has no leader']
    for row in quorum['voters']:
        if row['lag'] > max_lag:
            problems.append('voter %s lags the quorum leader by %s records (at most %s)'
                            % (row['node_id'], row['lag'], max_lag))
    missing = sorted(set(voters) - voter_ids)
    if missing:
        problems.append('node(s) %s are not voters of the metadata quorum (voters: %s)'
                        % (', '.join(map(str, missing)), ', '.join(map(str, sorted(voter_ids)))))
    if node_id is not None:
        row = next((r for r in quorum['voters'] + quorum['observers'] if r['node_id'] == node_id), None)
        if row is None:
            problems.append('node %s is not in the metadata quorum yet' % node_id)
        elif row['lag'] > max_lag:
            problems.append('node %s lags the quorum leader by %s records (at most %s)'
                            % (node_id, row['lag'], max_lag))
    return problems


def partition_state(topics, min_isr):
    """Under-replicated and under-min-ISR partitions from DescribeTopics and each topic's min ISR."""
    under_replicated, under_min_isr = [], []
    for topic in topics:
        name = topic['name']
        for p in topic.get('partitions') or []:
            replicas, isr = list(p['replica_nodes']), list(p['isr_nodes'])
            if len(isr) < len(replicas):
                under_replicated.append({'topic': name, 'partition': p['partition_index'],
                                         'replicas': replicas, 'isr': isr})
            needed = min_isr.get(name, 1)  # Kafka's default when the config was not read
            if len(isr) < needed:
                under_min_isr.append({'topic': name, 'partition': p['partition_index'], 'isr': isr,
                                      'min_insync_replicas': needed})
    key = (lambda p: (p['topic'], p['partition']))
    return sorted(under_replicated, key=key), sorted(under_min_isr, key=key)


def partition_problems(under_replicated, under_min_isr):
    problems = []
    for label, parts in (('under-replicated', under_replicated), ('under min ISR', under_min_isr)):
        if parts:
            shown = ', '.join('%s-%s' % (p['topic'], p['partition']) for p in parts[:5])
            more = ' and %d more' % (len(parts) - 5) if len(parts) > 5 else ''
            problems.append('%d partition(s) %s: %s%s' % (len(parts), label, shown, more))
    return problems


def topic_min_isr(admin, names):
    """topic -> min.insync.replicas, in one DescribeConfigs request."""
    if not names:
        return {}
    resources = [ConfigResource(ConfigResourceType.TOPIC, name, configs=['min.insync.replicas']) for name in names]
    # 'all': a min ISR that comes from the broker's default is not a "modified" topic config.
    described = admin.describe_configs(resources, config_filter='all')
    return {name: int(configs['min.insync.replicas']['value'])
            for name, configs in described.get('topic', {}).items() if 'min.insync.replicas' in configs}


def main():
    module = start_module(argument_spec(), check_params)
    params = module.params
    secrets = secrets_of(params)
    result = {'changed': False}
    admin = kafka_admin(module)
    try:
        try:
            quorum = quorum_state(admin.describe_metadata_quorum())
            cluster = admin.describe_cluster()
            topics = admin.describe_topics() if params['partitions'] else []
            min_isr = topic_min_isr(admin, [t['name'] for t in topics])
        except Exception as exc:
            module.fail_json(msg=scrub('Could not read the health of the cluster at %s: %s'
                                       % (', '.join(params['bootstrap_servers']), describe_error(exc)), secrets))
        under_replicated, under_min_isr = partition_state(topics, min_isr)
        problems = quorum_problems(quorum, params['voters'], params['node_id'], params['max_quorum_lag'])
        problems += partition_problems(under_replicated, under_min_isr)
        result.update(healthy=not problems, problems=problems, quorum=quorum,
                      brokers=[{'node_id': b['broker_id'], 'fenced': bool(b.get('is_fenced'))}
                               for b in cluster['brokers']],
                      under_replicated=under_replicated, under_min_isr=under_min_isr)
    finally:
        close_quietly(admin)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
