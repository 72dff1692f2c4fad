#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import annotations

DOCUMENTATION = r'''
---
module: kafka_user
short_description: Add, update or remove SCRAM credentials of a Kafka user
description:
  - Ensures a Kafka user has (or does not have) a SCRAM credential for one mechanism,
    using the Admin API (KIP-554), so it works on KRaft clusters without ZooKeeper.
  - Kafka stores only a salted hash of the password, so to know whether the password is
    already right the module logs in as the user (TLS and SASL only, no request is sent).
    If that works and the iteration count matches, nothing is changed.
  - Supports check mode and diff mode. The password is never returned or logged.
options:
  name:
    description:
      - Name of the user (the principal is C(User:<name>)).
    type: str
    required: true
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
  returned: always
  type: str
  sample: alice
mechanism:
  description: SCRAM mechanism of the credential.
  returned: always
  type: str
  sample: SCRAM-SHA-512
action:
  description: What was done (or, in check mode, would be done) to the credential.
  returned: always
  type: str
  sample: updated
  choices: [created, updated, deleted, none]
diff:
  description:
    - State of the credential before and after. C(password) is C(set) when a credential
      exists, C(changed) when the module sets a new password over an existing one; the
      password itself is never shown.
  returned: always
  type: dict
  sample:
    before: {exists: true, mechanism: SCRAM-SHA-512, iterations: 4096, password: set}
    after: {exists: true, mechanism: SCRAM-SHA-512, iterations: 8192, password: changed}
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


def argument_spec():
    return kafka_connection_spec(
        name=dict(type='str', required=True, aliases=['user']),
        password=dict(type='str', no_log=True),
        mechanism=dict(type='str', default='SCRAM-SHA-512', choices=list(MECHANISMS)),
        iterations=dict(type='int', default=8192),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        update_password=dict(type='str', default='always', choices=['always', 'on_create'], no_log=False),
    )


def check_params(params):
    """Problems with the module's own options (empty list when fine)."""
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


def check_password(module):
    """True/False when the password was checked by logging in as the user, None if it could not be."""
    params = module.params
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


def wait_for_login(module, deadline):
    """After an upsert: wait until the new password works, so later tasks can use it."""
    kwargs = user_login_kwargs(module.params)
    status = None
    while True:
        status, detail = try_login(kwargs, timeout_ms=5000)
        if status in (LOGIN_OK, LOGIN_UNSUPPORTED) or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    if status != LOGIN_OK and status != LOGIN_UNSUPPORTED:
        module.warn('the new credential of %r does not work on %s yet; brokers may still be applying it'
                    % (module.params['name'], ', '.join(kwargs['bootstrap_servers'])))


def apply(admin, params, action):
    if action == 'deleted':
        alteration = UserScramCredentialDeletion(params['name'], params['mechanism'])
    else:
        alteration = UserScramCredentialUpsertion(params['name'], params['mechanism'], params['password'],
                                                  iterations=params['iterations'])
    result = admin.alter_user_scram_credentials([alteration])
    return result.get(params['name'])


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           required_if=[('state', 'present', ('password',))])
    require_kafka_python(module)
    params = module.params
    secrets = secrets_of(params, params.get('password'))
    errors = check_params(params)
    if errors:
        module.fail_json(msg='; '.join(errors))

    result = {'changed': False, 'user': params['name'], 'mechanism': params['mechanism'], 'action': 'none'}
    admin = kafka_admin(module)
    try:
        try:
            described = admin.describe_user_scram_credentials()
        except Exception as exc:
            module.fail_json(msg=scrub('Could not describe SCRAM credentials (%s): sasl_username needs the '
                                       'DESCRIBE right on the cluster resource (e.g. be in super.users)'
                                       % describe_error(exc), secrets), **result)
        before = credential_state(described, params['name'], params['mechanism'])

        password_matches = None
        needs_check = (params['state'] == 'present' and before['exists'] and params['update_password'] == 'always'
                       and before['iterations'] == params['iterations'])
        if needs_check:
            try:
                password_matches = check_password(module)
            except KafkaModuleError as exc:
                module.fail_json(msg=str(exc), **result)

        action = plan(before, params, password_matches)
        result.update(action=action, changed=action != 'none', diff=build_diff(before, action, params))
        if before['exists'] and params['update_password'] == 'on_create' and params['state'] == 'present' \
                and before['iterations'] != params['iterations']:
            module.warn('credential of %r has %s iterations, not %s; left alone because update_password=on_create'
                        % (params['name'], before['iterations'], params['iterations']))

        if action != 'none' and not module.check_mode:
            deadline = time.monotonic() + params['request_timeout_ms'] / 1000.0
            try:
                error = apply(admin, params, action)
            except Exception as exc:
                module.fail_json(msg=scrub('Could not %s the %s credential of %r: %s'
                                           % ('delete' if action == 'deleted' else 'set', params['mechanism'],
                                              params['name'], describe_error(exc)), secrets), **result)
            if error:
                module.fail_json(msg=scrub('Kafka refused to %s the %s credential of %r: %s'
                                           % ('delete' if action == 'deleted' else 'set', params['mechanism'],
                                              params['name'], error), secrets), **result)
            if action != 'deleted' and params['security_protocol'] in SASL_PROTOCOLS:
                wait_for_login(module, deadline)
    finally:
        close_quietly(admin)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
