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
  - Or, with O(acls), any number of such sets in one run, over one connection, with one describe per
    resource pattern and one create and one delete request for all of them (a loop of tasks pays a
    module start and a TLS and SASL login per item).
  - Only the listed operations are touched. Other bindings of the principal, including other
    operations on the same resource, are left alone (and shown in the diff for context).
  - Uses the Admin API, so it works with KRaft's C(StandardAuthorizer). The cluster must have an authorizer.
  - Supports check mode and diff mode.
options:
  principal:
    description:
      - Principal the bindings apply to, as C(Type:name), e.g. C(User:alice) or C(User:*) for every user.
      - Required unless O(acls) is given.
    type: str
  resource_type:
    description:
      - Type of the resource. Required unless O(acls) is given.
    type: str
    choices: [topic, group, cluster, transactional_id, delegation_token]
  resource_name:
    description:
      - Name of the resource, or C(*) for all resources of that type (with O(pattern_type=literal)).
      - With O(pattern_type=prefixed), every resource whose name starts with this string.
      - For O(resource_type=cluster) it must be C(kafka-cluster).
      - Required unless O(acls) is given.
    type: str
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
      - Required unless O(acls) is given.
    type: list
    elements: str
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
  acls:
    description:
      - Several sets of bindings, each with the options above (O(acls[].principal), O(acls[].resource_type),
        O(acls[].resource_name) and O(acls[].operations) required). O(pattern_type), O(permission), O(host)
        and O(state) given at the top level are the defaults of every item.
      - Mutually exclusive with O(principal), O(resource_type), O(resource_name) and O(operations).
    type: list
    elements: dict
    suboptions:
      principal:
        description: As O(principal).
        type: str
        required: true
      resource_type:
        description: As O(resource_type).
        type: str
        required: true
        choices: [topic, group, cluster, transactional_id, delegation_token]
      resource_name:
        description: As O(resource_name).
        type: str
        required: true
      pattern_type:
        description: As O(pattern_type); defaults to the top-level value.
        type: str
        choices: [literal, prefixed]
      operations:
        description: As O(operations).
        type: list
        elements: str
        required: true
        choices: [all, read, write, create, delete, alter, describe, cluster_action, describe_configs,
                  alter_configs, idempotent_write]
      permission:
        description: As O(permission); defaults to the top-level value.
        type: str
        choices: [allow, deny]
      host:
        description: As O(host); defaults to the top-level value.
        type: str
      state:
        description: As O(state); defaults to the top-level value.
        type: str
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

- name: Every binding of a client in one run
  kafka_acl:
    acls:
      - {principal: User:alice, resource_type: topic, resource_name: orders., pattern_type: prefixed,
         operations: [read, write, describe]}
      - {principal: User:alice, resource_type: group, resource_name: orders-, pattern_type: prefixed,
         operations: [read]}
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
      (sorted lists of dicts with the keys of RV(acls_added)); with O(acls), those of every item's pattern.
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


# One set of bindings: the top-level options, or each item of acls (where the defaulted ones
# fall back to the top-level values, so they have no default of their own).
BINDING_SPEC = dict(
    principal=dict(type='str'),
    resource_type=dict(type='str', choices=list(RESOURCE_TYPES)),
    resource_name=dict(type='str'),
    pattern_type=dict(type='str', choices=['literal', 'prefixed']),
    operations=dict(type='list', elements='str', choices=list(OPERATIONS)),
    permission=dict(type='str', choices=['allow', 'deny']),
    host=dict(type='str'),
    state=dict(type='str', choices=['present', 'absent']),
)
DEFAULTS = {'pattern_type': 'literal', 'permission': 'allow', 'host': '*', 'state': 'present'}
ITEM_REQUIRED = ('principal', 'resource_type', 'resource_name', 'operations')


def argument_spec():
    top = {k: dict(v, default=DEFAULTS[k]) if k in DEFAULTS else dict(v) for k, v in BINDING_SPEC.items()}
    item = {k: dict(v, required=True) if k in ITEM_REQUIRED else dict(v) for k, v in BINDING_SPEC.items()}
    return kafka_connection_spec(acls=dict(type='list', elements='dict', options=item), **top)


def binding_sets(params):
    """The sets of bindings the task describes: the top-level options, or every item of acls."""
    if params.get('acls') is None:
        return [params]
    defaults = {k: params.get(k) if params.get(k) is not None else v for k, v in DEFAULTS.items()}
    return [dict(defaults, **{k: v for k, v in item.items() if v is not None}) for item in params['acls']]


def check_params(params):
    """Problems with the ACL options (empty list when fine)."""
    if params.get('acls') is not None:
        given = [k for k in ITEM_REQUIRED if params.get(k) not in (None, [])]
        if given:
            return ['acls is mutually exclusive with %s' % ', '.join(given)]
        if not params['acls']:
            return ['acls must list at least one set of bindings']
        return ['acls[%d] (%s): %s' % (i, b.get('principal'), e)
                for i, b in enumerate(binding_sets(params)) for e in check_binding_set(b)]
    missing = [k for k in ITEM_REQUIRED if params.get(k) is None]
    if missing:
        return ['missing required arguments: %s (or give acls)' % ', '.join(missing)]
    return check_binding_set(params)


def check_binding_set(params):
    """Problems with one set of bindings (empty list when fine)."""
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


def describe_existing(module, admin, binding_set, secrets):
    try:
        acls, error = admin.describe_acls(scope_filter(binding_set))
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
    existing, to_add, to_remove = [], [], []
    try:
        for binding_set in binding_sets(params):
            scope = describe_existing(module, admin, binding_set, secrets)
            add, remove = plan(wanted_bindings(binding_set), scope, binding_set['state'])
            existing += scope
            to_add += add
            to_remove += remove
        # Several items may describe the same pattern: each binding once.
        existing, to_add, to_remove = sort_bindings(existing), sort_bindings(to_add), sort_bindings(to_remove)
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
