#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import annotations

DOCUMENTATION = r'''
---
module: kafka_user
short_description: Add, update or remove SCRAM credentials of Kafka users
description:
  - Ensures a Kafka user has (or does not have) a SCRAM credential for one mechanism,
    using the Admin API (KIP-554), so it works on KRaft clusters without ZooKeeper.
  - Or, with O(users), any number of users in one run, with one admin login, one describe and one
    alteration for all of them.
  - Kafka stores only a salted hash of the password, so to know whether the password is
    already right the module logs in as the user (TLS and SASL only, no request is sent).
    If that works and the iteration count matches, nothing is changed.
  - Supports check mode and diff mode. The password is never returned or logged.
options:
  name:
    description:
      - Name of the user (the principal is C(User:<name>)). Required unless O(users) is given.
    type: str
    aliases: [user]
  password:
    description:
      - Password to set. Required when O(state=present).
    type: str
  mechanism:
    description:
      - SCRAM mechanism of the credential. A user can have one credential per mechanism;
        the other mechanism's credential is left alone.
    type: str
    default: SCRAM-SHA-512
    choices: [SCRAM-SHA-256, SCRAM-SHA-512]
  iterations:
    description:
      - PBKDF2 iteration count of the stored credential. Kafka accepts 4096 to 16384.
      - A credential with a different count is rewritten (with O(update_password=always)).
    type: int
    default: 8192
  state:
    description:
      - V(present) creates or updates the credential, V(absent) deletes the credential for O(mechanism).
    type: str
    default: present
    choices: [present, absent]
  update_password:
    description:
      - V(always) makes the stored credential match O(password) and O(iterations).
      - V(on_create) only sets the password when the user has no credential for O(mechanism),
        so a password changed elsewhere is kept.
    type: str
    default: always
    choices: [always, on_create]
  users:
    description:
      - Several users, each with the options above (O(users[].name) required). O(mechanism),
        O(iterations), O(state) and O(update_password) of an item default to the top-level values.
      - Mutually exclusive with O(name) and O(password). A user may appear once per mechanism.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the user.
        type: str
        required: true
      password:
        description: Password to set. Required when the item's state is V(present).
        type: str
      mechanism:
        description: SCRAM mechanism of the credential.
        type: str
        choices: [SCRAM-SHA-256, SCRAM-SHA-512]
      iterations:
        description: PBKDF2 iteration count of the stored credential.
        type: int
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
      update_password:
        description: V(always) or V(on_create).
        type: str
        choices: [always, on_create]
extends_documentation_fragment:
  - kafka_connection
notes:
  - The password can only be verified when O(security_protocol) is C(SASL_PLAINTEXT) or C(SASL_SSL)
    and the listener enables O(mechanism). Otherwise the module warns and, with O(update_password=always),
    sets the password on every run.
  - Credentials reach all brokers through the metadata log; the module waits (up to O(request_timeout_ms))
    until the new password works on the first reachable bootstrap server.
author:
  - Meridian
'''

EXAMPLES = r'''
- name: Ensure the app user exists with its current password
  kafka_user:
    name: alice
    password: "{{ vault_kafka_alice_password }}"
    bootstrap_servers: [kafka-1.example.net:9092, kafka-2.example.net:9092]
    ssl_cafile: /etc/meridian/pki/ca.crt
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
  delegate_to: localhost
  run_once: true

- name: Create the user once, never reset its password afterwards
  kafka_user:
    name: monitoring
    password: "{{ lookup('password', '/dev/null length=32') }}"
    update_password: on_create
    mechanism: SCRAM-SHA-256
    bootstrap_servers: [kafka-1.example.net:9092]
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
  delegate_to: localhost
  run_once: true

- name: Every user of the cluster in one run (one admin login)
  kafka_user:
    users:
      - {name: orders-app, password: "{{ vault_kafka_orders_password }}"}
      - {name: audit, password: "{{ vault_kafka_audit_password }}", mechanism: SCRAM-SHA-256}
      - {name: bob, state: absent}
    bootstrap_servers: [kafka-1.example.net:9092]
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
  delegate_to: localhost
  run_once: true
  no_log: true

- name: Remove the SCRAM-SHA-512 credential of a departed user
  kafka_user:
    name: bob
    state: absent
    bootstrap_servers: [kafka-1.example.net:9092]
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
user:
  description: Name of the user.
  returned: without O(users)
  type: str
  sample: alice
mechanism:
  description: SCRAM mechanism of the credential.
  returned: without O(users)
  type: str
  sample: SCRAM-SHA-512
action:
  description: What was done (or, in check mode, would be done) to the credential.
  returned: without O(users)
  type: str
  sample: updated
  choices: [created, updated, deleted, none]
diff:
  description:
    - State of the credential before and after. C(password) is C(set) when a credential
      exists, C(changed) when the module sets a new password over an existing one; the
      password itself is never shown.
    - With O(users), C(before) and C(after) map C(<name>/<mechanism>) to those states.
  returned: always
  type: dict
  sample:
    before: {exists: true, mechanism: SCRAM-SHA-512, iterations: 4096, password: set}
    after: {exists: true, mechanism: SCRAM-SHA-512, iterations: 8192, password: changed}
users:
  description: With O(users), per item the user, the mechanism and the action.
  returned: with O(users)
  type: list
  elements: dict
  sample: [{user: orders-app, mechanism: SCRAM-SHA-512, action: none}, {user: bob, mechanism: SCRAM-SHA-512, action: deleted}]
'''

import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.kafka_client import (
    LOGIN_OK, LOGIN_REJECTED, LOGIN_UNSUPPORTED, SASL_PROTOCOLS,
    KafkaModuleError, close_quietly, connection_kwargs, describe_error, kafka_admin,
    kafka_connection_spec, require_kafka_python, scrub, secrets_of, try_login,
)

try:
    from kafka.admin import UserScramCredentialDeletion, UserScramCredentialUpsertion
except ImportError:
    pass  # reported by require_kafka_python()

# Kafka's own bounds for SCRAM iterations (org.apache.kafka.common.security.scram.internals.ScramMechanism).
MIN_ITERATIONS = 4096
MAX_ITERATIONS = 16384
MECHANISMS = ('SCRAM-SHA-256', 'SCRAM-SHA-512')


# One user: the top-level options, or each item of users (where the defaulted ones fall back to
# the top-level values, so they have no default of their own).
USER_SPEC = dict(
    name=dict(type='str', aliases=['user']),
    password=dict(type='str', no_log=True),
    mechanism=dict(type='str', choices=list(MECHANISMS)),
    iterations=dict(type='int'),
    state=dict(type='str', choices=['present', 'absent']),
    update_password=dict(type='str', choices=['always', 'on_create'], no_log=False),
)
DEFAULTS = {'mechanism': 'SCRAM-SHA-512', 'iterations': 8192, 'state': 'present', 'update_password': 'always'}


def argument_spec():
    top = {k: dict(v, default=DEFAULTS[k]) if k in DEFAULTS else dict(v) for k, v in USER_SPEC.items()}
    item = {k: dict(v, required=True) if k == 'name' else dict(v) for k, v in USER_SPEC.items()}
    return kafka_connection_spec(users=dict(type='list', elements='dict', options=item), **top)


def user_specs(params):
    """One full set of parameters per user: the top-level options, or every item of users."""
    if params.get('users') is None:
        return [params]
    specs = []
    for item in params['users']:
        spec = dict(params, users=None, password=None)
        spec.update({k: params.get(k) if params.get(k) is not None else v for k, v in DEFAULTS.items()})
        spec.update({k: v for k, v in item.items() if v is not None})
        specs.append(spec)
    return specs


def check_params(params):
    """Problems with the module's options (empty list when fine)."""
    if params.get('users') is None:
        if params.get('name') is None:
            return ['missing required arguments: name (or give users)']
        return check_user(params)
    given = [k for k in ('name', 'password') if params.get(k) is not None]
    if given:
        return ['users is mutually exclusive with %s' % ', '.join(given)]
    if not params['users']:
        return ['users must list at least one user']
    specs = user_specs(params)
    errors = ['users[%d] (%s): %s' % (i, spec.get('name'), e) for i, spec in enumerate(specs) for e in check_user(spec)]
    seen = set()
    for spec in specs:
        key = (spec.get('name'), spec['mechanism'])
        if key in seen:
            errors.append('users lists %s with %s twice' % key)
        seen.add(key)
    return errors


def check_user(params):
    """Problems with one user's options (empty list when fine)."""
    errors = []
    if not (params.get('name') or '').strip():
        errors.append('name must not be empty')
    iterations = params.get('iterations')
    if iterations is not None and not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        errors.append('iterations must be between %d and %d (the range Kafka accepts), got %d'
                      % (MIN_ITERATIONS, MAX_ITERATIONS, iterations))
    if params.get('state') == 'present' and not params.get('password'):
        errors.append('state=present needs a password')
    return errors


def credential_state(described, name, mechanism):
    """{exists, mechanism, iterations} of ``name``'s credential for ``mechanism``.

    ``described`` is the dict returned by describe_user_scram_credentials().
    """
    entry = described.get(name) or {}
    for info in entry.get('credential_infos') or []:
        mech = info['mechanism']
        mech_name = mech.name.replace('_', '-') if hasattr(mech, 'name') else str(mech)
        if mech_name == mechanism:
            return {'exists': True, 'mechanism': mechanism, 'iterations': info['iterations']}
    return {'exists': False, 'mechanism': mechanism, 'iterations': None}


def plan(before, params, password_matches):
    """Decide the action: 'created', 'updated', 'deleted' or 'none'.

    ``password_matches`` is True/False when the password was checked by logging
    in, None when it could not be checked (then 'always' means rewrite).
    """
    if params['state'] == 'absent':
        return 'deleted' if before['exists'] else 'none'
    if not before['exists']:
        return 'created'
    if params['update_password'] == 'on_create':
        return 'none'
    if before['iterations'] != params['iterations']:
        return 'updated'
    return 'none' if password_matches else 'updated'


def build_diff(before, action, params):
    before_view = dict(before, password='set' if before['exists'] else None)
    if action == 'deleted':
        after = {'exists': False, 'mechanism': params['mechanism'], 'iterations': None, 'password': None}
    elif action == 'created':
        after = {'exists': True, 'mechanism': params['mechanism'], 'iterations': params['iterations'],
                 'password': 'set'}
    elif action == 'updated':
        after = {'exists': True, 'mechanism': params['mechanism'], 'iterations': params['iterations'],
                 'password': 'changed'}
    else:
        after = dict(before_view)
    return {'before': before_view, 'after': after}


def user_login_kwargs(params):
    return connection_kwargs(params, sasl_mechanism=params['mechanism'],
                             sasl_username=params['name'], sasl_password=params['password'])


def check_password(module, params):
    """True/False when the password was checked by logging in as the user, None if it could not be."""
    if params['security_protocol'] not in SASL_PROTOCOLS:
        module.warn('cannot verify the password of %r over security_protocol=%s (no SASL); it will be set '
                    'on every run. Connect to a SASL listener, or use update_password=on_create.'
                    % (params['name'], params['security_protocol']))
        return None
    status, detail = try_login(user_login_kwargs(params))
    if status == LOGIN_OK:
        return True
    if status == LOGIN_REJECTED:
        return False
    if status == LOGIN_UNSUPPORTED:
        module.warn('cannot verify the password of %r: the listener does not enable %s; it will be set on '
                    'every run. Add it to sasl.enabled.mechanisms, or use update_password=on_create.'
                    % (params['name'], params['mechanism']))
        return None
    # The admin connection just worked, so a failure here is not the password's fault.
    module.fail_json(msg=scrub('Could not check the password of %r: logging in as that user failed for a reason '
                               'other than the password (%s). Check the broker listener and request_timeout_ms.'
                               % (params['name'], detail), secrets_of(params, params['password'])))


def wait_for_login(module, params, deadline):
    """After an upsert: wait until the new password works, so later tasks can use it."""
    kwargs = user_login_kwargs(params)
    status = None
    while True:
        status, detail = try_login(kwargs, timeout_ms=5000)
        if status in (LOGIN_OK, LOGIN_UNSUPPORTED) or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    if status != LOGIN_OK and status != LOGIN_UNSUPPORTED:
        module.warn('the new credential of %r does not work on %s yet; brokers may still be applying it'
                    % (params['name'], ', '.join(kwargs['bootstrap_servers'])))


def alteration(params, action):
    if action == 'deleted':
        return UserScramCredentialDeletion(params['name'], params['mechanism'])
    return UserScramCredentialUpsertion(params['name'], params['mechanism'], params['password'],
                                        iterations=params['iterations'])


def inspect(module, params, described):
    """The action one user needs, with its diff, from the described credentials."""
    before = credential_state(described, params['name'], params['mechanism'])
    password_matches = None
    needs_check = (params['state'] == 'present' and before['exists'] and params['update_password'] == 'always'
                   and before['iterations'] == params['iterations'])
    if needs_check:
        password_matches = check_password(module, params)
    action = plan(before, params, password_matches)
    if before['exists'] and params['update_password'] == 'on_create' and params['state'] == 'present' \
            and before['iterations'] != params['iterations']:
        module.warn('credential of %r has %s iterations, not %s; left alone because update_password=on_create'
                    % (params['name'], before['iterations'], params['iterations']))
    return action, build_diff(before, action, params)


def verb(action):
    return 'delete' if action == 'deleted' else 'set'


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    require_kafka_python(module)
    params = module.params
    specs = user_specs(params)
    secrets = secrets_of(params, *[spec.get('password') for spec in specs])
    errors = check_params(params)
    if errors:
        module.fail_json(msg=scrub('; '.join(errors), secrets))

    listed = params.get('users') is not None
    result = {'changed': False}
    if not listed:
        result.update(user=params['name'], mechanism=params['mechanism'], action='none')
    admin = kafka_admin(module)
    try:
        try:
            described = admin.describe_user_scram_credentials()
        except Exception as exc:
            module.fail_json(msg=scrub('Could not describe SCRAM credentials (%s): sasl_username needs the '
                                       'DESCRIBE right on the cluster resource (e.g. be in super.users)'
                                       % describe_error(exc), secrets), **result)
        planned = []
        for spec in specs:
            try:
                planned.append((spec,) + inspect(module, spec, described))
            except KafkaModuleError as exc:
                module.fail_json(msg=scrub(str(exc), secrets), **result)

        if listed:
            key = (lambda spec: '%s/%s' % (spec['name'], spec['mechanism']))
            result.update(users=[{'user': spec['name'], 'mechanism': spec['mechanism'], 'action': action}
                                 for spec, action, _ in planned],
                          diff={'before': {key(spec): diff['before'] for spec, _, diff in planned},
                                'after': {key(spec): diff['after'] for spec, _, diff in planned}})
        else:
            result.update(action=planned[0][1], diff=planned[0][2])
        todo = [(spec, action) for spec, action, _ in planned if action != 'none']
        result['changed'] = bool(todo)

        if todo and not module.check_mode:
            deadline = time.monotonic() + params['request_timeout_ms'] / 1000.0
            # One request for every user; Kafka answers per user.
            try:
                answers = admin.alter_user_scram_credentials([alteration(spec, action) for spec, action in todo])
            except Exception as exc:
                module.fail_json(msg=scrub('Could not %s the SCRAM credentials of %s: %s'
                                           % ('/'.join(sorted(set(verb(a) for _, a in todo))),
                                              ', '.join(repr(spec['name']) for spec, _ in todo), describe_error(exc)),
                                           secrets), **result)
            refused = ['Kafka refused to %s the %s credential of %r: %s'
                       % (verb(action), spec['mechanism'], spec['name'], answers.get(spec['name']))
                       for spec, action in todo if answers.get(spec['name'])]
            if refused:
                module.fail_json(msg=scrub('; '.join(refused), secrets), **result)
            for spec, action in todo:
                if action != 'deleted' and spec['security_protocol'] in SASL_PROTOCOLS:
                    wait_for_login(module, spec, deadline)
    finally:
        close_quietly(admin)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
