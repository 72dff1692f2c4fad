#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import annotations

DOCUMENTATION = r'''
---
module: kafka_acl
short_description: Ensure Kafka ACL bindings are present or absent
description:
  - Ensures that one principal has (or does not have) a set of ACL bindings on one resource
    pattern, one binding per operation in O(operations), all with the same permission and host.
  - Only the listed operations are touched. Other bindings of the principal, including other
    operations on the same resource, are left alone (and shown in the diff for context).
  - Uses the Admin API, so it works with KRaft's C(StandardAuthorizer). The cluster must have an authorizer.
  - Supports check mode and diff mode.
options:
  principal:
    description:
      - Principal the bindings apply to, as C(Type:name), e.g. C(User:alice) or C(User:*) for every user.
    type: str
    required: true
  resource_type:
    description:
      - Type of the resource.
    type: str
    required: true
    choices: [topic, group, cluster, transactional_id, delegation_token]
  resource_name:
    description:
      - Name of the resource, or C(*) for all resources of that type (with O(pattern_type=literal)).
      - With O(pattern_type=prefixed), every resource whose name starts with this string.
      - For O(resource_type=cluster) it must be C(kafka-cluster).
    type: str
    required: true
  pattern_type:
    description:
      - How O(resource_name) matches resources.
    type: str
    default: literal
    choices: [literal, prefixed]
  operations:
    description:
      - Operations to allow or deny; one binding is managed per operation.
      - Each must be valid for O(resource_type) (as enforced by C(kafka-acls.sh)); V(all) is valid everywhere.
      - "topic: read, write, create, delete, alter, describe, describe_configs, alter_configs."
      - "group: read, describe, delete, describe_configs, alter_configs."
      - "cluster: create, alter, describe, cluster_action, describe_configs, alter_configs, idempotent_write."
      - "transactional_id: describe, write. delegation_token: describe."
    type: list
    elements: str
    required: true
    choices: [all, read, write, create, delete, alter, describe, cluster_action, describe_configs,
              alter_configs, idempotent_write]
  permission:
    description:
      - Whether the bindings allow or deny the operations. Deny wins over allow in Kafka.
    type: str
    default: allow
    choices: [allow, deny]
  host:
    description:
      - Client IP address the bindings apply to, or C(*) for any host.
      - Kafka compares it with the client address as Java prints it, so write IPv6 addresses
        uncompressed (C(0:0:0:0:0:0:0:1), not C(::1)).
    type: str
    default: '*'
  state:
    description:
      - V(present) creates the missing bindings, V(absent) deletes the listed ones.
    type: str
    default: present
    choices: [present, absent]
extends_documentation_fragment:
  - kafka_connection
author:
  - Meridian
'''

EXAMPLES = r'''
- name: Let alice produce to and consume from every orders.* topic
  kafka_acl:
    principal: User:alice
    resource_type: topic
    resource_name: orders.
    pattern_type: prefixed
    operations: [read, write, describe]
    bootstrap_servers: [kafka-1.example.net:9092]
    ssl_cafile: /etc/meridian/pki/ca.crt
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
  delegate_to: localhost
  run_once: true

- name: Let alice's consumers join their groups
  kafka_acl:
    principal: User:alice
    resource_type: group
    resource_name: orders-
    pattern_type: prefixed
    operations: [read]
    bootstrap_servers: [kafka-1.example.net:9092]
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
  delegate_to: localhost
  run_once: true

- name: Allow alice idempotent writes on the cluster resource
  kafka_acl:
    principal: User:alice
    resource_type: cluster
    resource_name: kafka-cluster
    operations: [idempotent_write]
    bootstrap_servers: [kafka-1.example.net:9092]
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
  delegate_to: localhost
  run_once: true

- name: Revoke alice's write access again
  kafka_acl:
    principal: User:alice
    resource_type: topic
    resource_name: orders.
    pattern_type: prefixed
    operations: [write]
    state: absent
    bootstrap_servers: [kafka-1.example.net:9092]
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
acls_added:
  description: Bindings created (or, in check mode, that would be created).
  returned: always
  type: list
  elements: dict
  sample:
    - principal: User:alice
      host: '*'
      operation: read
      permission: allow
      resource_type: topic
      resource_name: orders.
      pattern_type: prefixed
acls_removed:
  description: Bindings deleted (or, in check mode, that would be deleted). Same keys as RV(acls_added).
  returned: always
  type: list
  elements: dict
diff:
  description:
    - The principal's bindings on this resource pattern with this permission and host, before and after
      (sorted lists of dicts with the keys of RV(acls_added)).
  returned: always
  type: dict
'''

import ipaddress
import re

from ansible.module_utils.kafka_client import (
    close_quietly, describe_error, kafka_admin, kafka_connection_spec, start_module,
    scrub, secrets_of,
)

try:
    import kafka.errors as kafka_errors
    from kafka.admin import (
        ACL, ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType,
        ResourcePattern, ResourcePatternFilter, ResourceType,
    )
except ImportError:
    pass  # reported by require_kafka_python()

RESOURCE_TYPES = ('topic', 'group', 'cluster', 'transactional_id', 'delegation_token')
OPERATIONS = ('all', 'read', 'write', 'create', 'delete', 'alter', 'describe', 'cluster_action',
              'describe_configs', 'alter_configs', 'idempotent_write')
# What kafka-acls.sh accepts per resource type (AclEntry.supportedOperations in Kafka 4.1, plus ALL).
# The broker stores any combination, but one outside this table never grants anything.
SUPPORTED_OPERATIONS = {
    'topic': {'read', 'write', 'create', 'delete', 'alter', 'describe', 'describe_configs', 'alter_configs'},
    'group': {'read', 'describe', 'delete', 'describe_configs', 'alter_configs'},
    'cluster': {'create', 'alter', 'describe', 'cluster_action', 'describe_configs', 'alter_configs',
                'idempotent_write'},
    'transactional_id': {'describe', 'write'},
    'delegation_token': {'describe'},
}
CLUSTER_NAME = 'kafka-cluster'
PRINCIPAL_RE = re.compile(r'^[A-Za-z][A-Za-z0-9_]*:\S.*$')
BINDING_KEYS = ('principal', 'host', 'operation', 'permission', 'resource_type', 'resource_name', 'pattern_type')


def argument_spec():
    return kafka_connection_spec(
        principal=dict(type='str', required=True),
        resource_type=dict(type='str', required=True, choices=list(RESOURCE_TYPES)),
        resource_name=dict(type='str', required=True),
        pattern_type=dict(type='str', default='literal', choices=['literal', 'prefixed']),
        operations=dict(type='list', elements='str', required=True, choices=list(OPERATIONS)),
        permission=dict(type='str', default='allow', choices=['allow', 'deny']),
        host=dict(type='str', default='*'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
    )


def check_params(params):
    """Problems with the ACL options (empty list when fine)."""
    errors = []
    if not PRINCIPAL_RE.match(params.get('principal') or ''):
        errors.append('principal %r is not "Type:name" (e.g. User:alice, or User:* for every user)'
                      % params.get('principal'))
    rtype = params.get('resource_type')
    name = params.get('resource_name')
    if not name:
        errors.append('resource_name must not be empty (use "*" for every %s)' % rtype)
    if rtype == 'cluster':
        if name != CLUSTER_NAME:
            errors.append('resource_name of the cluster resource must be %r, got %r' % (CLUSTER_NAME, name))
        if params.get('pattern_type') != 'literal':
            errors.append('the cluster resource only takes pattern_type=literal')
    if params.get('pattern_type') == 'prefixed' and name == '*':
        errors.append('resource_name "*" already means every %s: use pattern_type=literal' % rtype)
    ops = params.get('operations') or []
    if not ops:
        errors.append('operations must list at least one operation')
    supported = SUPPORTED_OPERATIONS.get(rtype, set())
    invalid = [op for op in ops if op != 'all' and op not in supported]
    if invalid:
        errors.append('operation(s) %s not valid for resource_type=%s; valid: all, %s'
                      % (', '.join(invalid), rtype, ', '.join(sorted(supported))))
    host = params.get('host')
    if host != '*':
        try:
            ipaddress.ip_address(host or '')
        except ValueError:
            # Kafka compares the client's IP address as a string, so a host name never matches.
            errors.append('host must be "*" or an IP address (Kafka matches the client IP, not names), got %r'
                          % host)
    return errors


def wanted_bindings(params):
    """The bindings the task describes, one per distinct operation, sorted."""
    base = {
        'principal': params['principal'],
        'host': params['host'],
        'permission': params['permission'],
        'resource_type': params['resource_type'],
        'resource_name': params['resource_name'],
        'pattern_type': params['pattern_type'],
    }
    return sort_bindings(dict(base, operation=op) for op in set(params['operations']))


def binding_key(binding):
    return tuple(binding[k] for k in BINDING_KEYS)


def sort_bindings(bindings):
    unique = {binding_key(b): b for b in bindings}
    return [unique[k] for k in sorted(unique)]


def plan(wanted, existing, state):
    """Return (to_add, to_remove) given wanted and existing bindings."""
    have = {binding_key(b) for b in existing}
    if state == 'present':
        return [b for b in wanted if binding_key(b) not in have], []
    return [], [b for b in wanted if binding_key(b) in have]


def build_diff(existing, to_add, to_remove):
    drop = {binding_key(b) for b in to_remove}
    after = [b for b in existing if binding_key(b) not in drop] + list(to_add)
    return {'before': sort_bindings(existing), 'after': sort_bindings(after)}


# --- conversion to and from kafka-python objects ------------------------------------------------
def _enum_name(value):
    return value.name.lower()


def acl_to_binding(acl):
    pattern = acl.resource_pattern
    return {
        'principal': acl.principal,
        'host': acl.host,
        'operation': _enum_name(acl.operation),
        'permission': _enum_name(acl.permission_type),
        'resource_type': _enum_name(pattern.resource_type),
        'resource_name': pattern.resource_name,
        'pattern_type': _enum_name(pattern.pattern_type),
    }


def binding_to_acl(binding, cls=None):
    cls = cls or ACL
    pattern_cls = ResourcePattern if cls is ACL else ResourcePatternFilter
    return cls(
        principal=binding['principal'],
        host=binding['host'],
        operation=ACLOperation[binding['operation'].upper()],
        permission_type=ACLPermissionType[binding['permission'].upper()],
        resource_pattern=pattern_cls(ResourceType[binding['resource_type'].upper()], binding['resource_name'],
                                     ACLResourcePatternType[binding['pattern_type'].upper()]),
    )


def scope_filter(params):
    """Filter for every binding of this principal/host/permission on this exact resource pattern."""
    return ACLFilter(
        principal=params['principal'],
        host=params['host'],
        operation=ACLOperation.ANY,
        permission_type=ACLPermissionType[params['permission'].upper()],
        resource_pattern=ResourcePatternFilter(ResourceType[params['resource_type'].upper()],
                                               params['resource_name'],
                                               ACLResourcePatternType[params['pattern_type'].upper()]),
    )


def describe_existing(module, admin, secrets):
    try:
        acls, error = admin.describe_acls(scope_filter(module.params))
    except kafka_errors.SecurityDisabledError:
        module.fail_json(msg='The cluster has no authorizer, so ACLs cannot be managed: set authorizer.class.name='
                             'org.apache.kafka.metadata.authorizer.StandardAuthorizer on the brokers and controllers')
    except Exception as exc:
        module.fail_json(msg=scrub('Could not describe ACLs (%s): sasl_username needs DESCRIBE on the cluster '
                                   'resource (e.g. be in super.users)' % describe_error(exc), secrets))
    if error is not kafka_errors.NoError:
        module.fail_json(msg='Could not describe ACLs: %s' % describe_error(error()))
    return sort_bindings(acl_to_binding(acl) for acl in acls)


def create(module, admin, bindings, secrets):
    try:
        result = admin.create_acls([binding_to_acl(b) for b in bindings])
    except Exception as exc:
        module.fail_json(msg=scrub('Could not create ACLs: %s' % describe_error(exc), secrets))
    if result['failed']:
        module.fail_json(msg='Kafka refused %d of %d ACL binding(s): %s'
                             % (len(result['failed']), len(bindings),
                                '; '.join(describe_error(e() if isinstance(e, type) else e)
                                          for e in result['failed'])))


def delete(module, admin, bindings, secrets):
    try:
        results = admin.delete_acls([binding_to_acl(b, cls=ACLFilter) for b in bindings])
    except Exception as exc:
        module.fail_json(msg=scrub('Could not delete ACLs: %s' % describe_error(exc), secrets))
    errors = [describe_error(err()) for _flt, _matched, err in results if err is not kafka_errors.NoError]
    if errors:
        module.fail_json(msg='Kafka refused to delete ACL binding(s): %s' % '; '.join(errors))


def main():
    module = start_module(argument_spec(), check_params)
    params = module.params
    secrets = secrets_of(params)

    admin = kafka_admin(module)
    try:
        existing = describe_existing(module, admin, secrets)
        to_add, to_remove = plan(wanted_bindings(params), existing, params['state'])
        if not module.check_mode:
            if to_add:
                create(module, admin, to_add, secrets)
            if to_remove:
                delete(module, admin, to_remove, secrets)
    finally:
        close_quietly(admin)
    module.exit_json(changed=bool(to_add or to_remove), acls_added=to_add, acls_removed=to_remove,
                     diff=build_diff(existing, to_add, to_remove))


if __name__ == '__main__':
    main()
