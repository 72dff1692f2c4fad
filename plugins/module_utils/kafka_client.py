# -*- coding: utf-8 -*-
"""Shared connection handling for Meridian's Kafka modules (kafka_user, kafka_acl, kafka_topic,
kafka_consumer_group, kafka_replication_status).

The modules run on the Ansible controller and talk to the brokers with
kafka-python.  Everything about *how* to connect lives here: the common
argument spec (documented by the ``kafka_connection`` doc fragment), the
mapping of module options to kafka-python keyword arguments, input checks, and
two ways to reach a broker:

* ``try_login()`` opens one connection to one bootstrap server and reports
  whether the TLS handshake and SASL authentication succeeded.  kafka_user uses
  it to check a SCRAM password for real (the broker only stores a salted hash),
  and ``kafka_admin()`` uses it first so that a bad password or certificate
  fails fast with a precise message instead of KafkaAdminClient's generic
  "Unable to bootstrap" after the full bootstrap timeout.
* ``kafka_admin()`` returns a connected KafkaAdminClient or fails the module.
* ``kafka_consumer()`` returns a KafkaConsumer built from the same options (no
  group and no auto-commit unless asked), for modules that read topics.

Both take an optional ``params`` dict and ``label``, so a module can also
connect with a nested set of connection options (kafka_replication_status's
``source``) and say which cluster a message is about.

Passwords never appear in messages: every error text goes through ``scrub()``.
"""

from __future__ import annotations

import copy
import logging
import time
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

KAFKA_IMPORT_ERROR = None
try:
    import kafka
    import kafka.errors as kafka_errors
    from kafka.admin import KafkaAdminClient
except ImportError:
    KAFKA_IMPORT_ERROR = traceback.format_exc()
    HAS_KAFKA = False
else:
    HAS_KAFKA = True
    # kafka-python logs connection failures at WARNING/ERROR; with no handler
    # configured Python prints them to stderr, which ends up in module output.
    logging.getLogger('kafka').addHandler(logging.NullHandler())

# For the modules that read topics and offsets (kafka_consumer(), partition_offsets(), ...).
# Separate, so that kafka_user and kafka_acl keep working with a kafka-python without OffsetSpec.
HAS_KAFKA_READ = False
if HAS_KAFKA:
    try:
        from kafka.admin import OffsetSpec
        from kafka.consumer import KafkaConsumer
        from kafka.structs import TopicPartition
    except ImportError:
        pass
    else:
        HAS_KAFKA_READ = True

# try_login() drives a single connection through kafka-python's network layer
# (kafka-python >= 3.0).  KafkaAdminClient cannot be used for that: on a wrong
# password it silently retries until bootstrap_timeout_ms and then raises a
# timeout that looks exactly like an unreachable broker.
HAS_KAFKA_NET = False
if HAS_KAFKA:
    try:
        from kafka.net.manager import KafkaConnectionManager
        from kafka.net.selector import NetworkSelector
    except ImportError:
        pass
    else:
        HAS_KAFKA_NET = True

SECURITY_PROTOCOLS = ('PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL')
SASL_PROTOCOLS = ('SASL_PLAINTEXT', 'SASL_SSL')
SSL_PROTOCOLS = ('SSL', 'SASL_SSL')
SASL_MECHANISMS = ('PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512')
CLIENT_ID = 'meridian-ansible'

KAFKA_CONNECTION_ARGSPEC = dict(
    bootstrap_servers=dict(type='list', elements='str', required=True),
    security_protocol=dict(type='str', default='SASL_SSL', choices=list(SECURITY_PROTOCOLS)),
    ssl_cafile=dict(type='path'),
    ssl_certfile=dict(type='path'),
    ssl_keyfile=dict(type='path'),
    ssl_password=dict(type='str', no_log=True),
    ssl_check_hostname=dict(type='bool', default=True),
    sasl_mechanism=dict(type='str', default='SCRAM-SHA-512', choices=list(SASL_MECHANISMS)),
    sasl_username=dict(type='str'),
    sasl_password=dict(type='str', no_log=True),
    request_timeout_ms=dict(type='int', default=30000),
)

# Option name -> kafka-python keyword.  Only passed when the protocol uses it,
# so that e.g. a leftover sasl_password is not sent over a PLAINTEXT listener.
_SSL_KWARGS = {
    'ssl_cafile': 'ssl_cafile',
    'ssl_certfile': 'ssl_certfile',
    'ssl_keyfile': 'ssl_keyfile',
    'ssl_password': 'ssl_password',
    'ssl_check_hostname': 'ssl_check_hostname',
}
_SASL_KWARGS = {
    'sasl_mechanism': 'sasl_mechanism',
    'sasl_username': 'sasl_plain_username',
    'sasl_password': 'sasl_plain_password',
}

# try_login() outcomes
LOGIN_OK = 'ok'
LOGIN_REJECTED = 'rejected'            # the broker refused these credentials
LOGIN_UNSUPPORTED = 'unsupported'      # the listener does not offer this mechanism
LOGIN_UNREACHABLE = 'unreachable'      # TCP/TLS/timeout: says nothing about the password


class KafkaModuleError(Exception):
    """An error whose message is meant for the playbook author."""


def kafka_connection_spec(**extra):
    """The shared connection options merged with a module's own options."""
    spec = copy.deepcopy(KAFKA_CONNECTION_ARGSPEC)
    clash = set(spec) & set(extra)
    if clash:
        # A module silently overriding a connection option would break the doc fragment.
        raise ValueError('module options clash with connection options: %s' % ', '.join(sorted(clash)))
    spec.update(extra)
    return spec


def check_connection_params(params):
    """Return a list of problems with the connection options (empty when usable).

    AnsibleModule already enforces types and choices; these are the
    cross-option rules it cannot express, worded to say what to fix.
    """
    errors = []
    servers = [s.strip() for s in (params.get('bootstrap_servers') or []) if s and s.strip()]
    if not servers:
        errors.append('bootstrap_servers is empty: give at least one "host:port" of a broker listener')
    for server in servers:
        host, sep, port = server.rpartition(':')
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            errors.append('bootstrap_servers entry %r is not "host:port" (for IPv6 use "[addr]:port")' % server)
    protocol = params.get('security_protocol')
    if protocol in SASL_PROTOCOLS:
        missing = [opt for opt in ('sasl_username', 'sasl_password') if not params.get(opt)]
        if missing:
            errors.append('security_protocol=%s needs %s: set the credentials of an admin user '
                          '(or use security_protocol=SSL/PLAINTEXT for a listener without SASL)'
                          % (protocol, ' and '.join(missing)))
    if params.get('ssl_keyfile') and not params.get('ssl_certfile'):
        errors.append('ssl_keyfile is set but ssl_certfile is not: a client key needs its certificate')
    if protocol not in SSL_PROTOCOLS:
        stray = [opt for opt in ('ssl_cafile', 'ssl_certfile', 'ssl_keyfile') if params.get(opt)]
        if stray:
            errors.append('%s set but security_protocol=%s does not use TLS: use SSL or SASL_SSL, '
                          'or drop the TLS options' % (', '.join(stray), protocol))
    timeout = params.get('request_timeout_ms')
    if timeout is not None and timeout <= 0:
        errors.append('request_timeout_ms must be a positive number of milliseconds, got %s' % timeout)
    return errors


def connection_kwargs(params, **overrides):
    """Map module options to KafkaAdminClient keyword arguments.

    ``overrides`` are *module option* names (e.g. ``sasl_username=...``) and
    replace the values from ``params``; kafka_user uses them to log in as the
    user it manages.  Options that are None, and options the chosen
    security_protocol does not use, are left out.
    """
    merged = dict(params)
    merged.update(overrides)
    protocol = merged.get('security_protocol') or 'SASL_SSL'
    timeout = merged.get('request_timeout_ms') or 30000
    kwargs = {
        'bootstrap_servers': [s.strip() for s in merged['bootstrap_servers'] if s and s.strip()],
        'security_protocol': protocol,
        'client_id': CLIENT_ID,
        'request_timeout_ms': timeout,
        # Bootstrap is the first thing that can hang; bound it like a request.
        'bootstrap_timeout_ms': timeout,
    }
    if protocol in SSL_PROTOCOLS:
        for opt, key in _SSL_KWARGS.items():
            if merged.get(opt) is not None:
                kwargs[key] = merged[opt]
    if protocol in SASL_PROTOCOLS:
        for opt, key in _SASL_KWARGS.items():
            if merged.get(opt) is not None:
                kwargs[key] = merged[opt]
    return kwargs


def secrets_of(params, *extra):
    """Every secret value that must never appear in output."""
    values = [params.get('sasl_password'), params.get('ssl_password')] + list(extra)
    return [v for v in values if v]


def scrub(text, secrets):
    """Replace every secret in ``text`` (longest first, so overlaps are covered)."""
    text = str(text)
    for secret in sorted(set(s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, '********')
    return text


def describe_error(exc):
    """A one-line description of a kafka-python exception."""
    text = str(exc).strip()
    name = type(exc).__name__
    return '%s: %s' % (name, text) if text and name not in text else (text or name)


def _record_requests(conn, state):
    """Remember the type of the last request ``conn`` sends while it initializes.

    Over TLS, Kafka often answers a refused SASL step by closing the socket
    after its failed-authentication delay, without the error response ever
    reaching the client.  What was sent last then tells which step was
    refused: SaslHandshake (mechanism not enabled) or SaslAuthenticate (bad
    credentials).  Wraps a private kafka-python method; without it we cannot
    tell those apart and treat both as a refused login.
    """
    send = getattr(conn, '_send_request', None)
    if send is None:
        return

    def recording(request, *args, **kwargs):
        state['last_request'] = type(request).__name__
        return send(request, *args, **kwargs)
    conn._send_request = recording


def classify_disconnect(security_protocol, version_known, last_request):
    """What a closed connection during initialization says about the login.

    ``version_known``: ApiVersions completed (so TCP, TLS and the listener are fine).
    """
    if security_protocol not in SASL_PROTOCOLS or not version_known:
        return LOGIN_UNREACHABLE
    if last_request == 'SaslHandshakeRequest':
        return LOGIN_UNSUPPORTED
    if last_request == 'ApiVersionsRequest':
        return LOGIN_UNREACHABLE
    # SaslAuthenticateRequest / SaslBytesRequest, or not recorded.
    return LOGIN_REJECTED


def _login_once(kwargs, server, timeout_ms):
    """One connection to ``server``; returns (LOGIN_*, detail)."""
    kw = dict(kwargs, bootstrap_servers=[server])
    net = NetworkSelector(**kw)
    manager = KafkaConnectionManager(net, **kw)
    state = {}

    async def attempt():
        node = manager.cluster.bootstrap_brokers()[0]
        conn = manager.get_connection(node.node_id, timeout_ms=timeout_ms, pop_on_close=False,
                                      refresh_metadata_on_err=False, reset_backoff_on_connect=False)
        state['conn'] = conn
        # The connection only starts initializing once we yield below.
        _record_requests(conn, state)
        await conn

    try:
        net.run(attempt)
        return LOGIN_OK, 'authenticated'
    except kafka_errors.SaslAuthenticationFailedError as exc:
        return LOGIN_REJECTED, describe_error(exc)
    except kafka_errors.UnsupportedSaslMechanismError as exc:
        return LOGIN_UNSUPPORTED, describe_error(exc)
    except kafka_errors.KafkaConnectionError as exc:
        conn = state.get('conn')
        status = classify_disconnect(kw['security_protocol'],
                                     conn is not None and conn.broker_version_data is not None,
                                     state.get('last_request'))
        if status == LOGIN_REJECTED:
            return status, 'the broker closed the connection during SASL authentication'
        if status == LOGIN_UNSUPPORTED:
            return status, 'the broker closed the connection after the SASL handshake for %s' % kw.get('sasl_mechanism')
        return status, describe_error(exc)
    except Exception as exc:  # timeouts, DNS, TLS setup: nothing learned about the password
        return LOGIN_UNREACHABLE, describe_error(exc)
    finally:
        try:
            manager.close()
            net.close()
        except Exception:
            pass


def try_login(kwargs, timeout_ms=None):
    """Try to connect (TLS + SASL) to the bootstrap servers, one at a time.

    Returns ``(status, detail)`` with status one of LOGIN_OK, LOGIN_REJECTED,
    LOGIN_UNSUPPORTED, LOGIN_UNREACHABLE.  The first definite answer from any
    server wins; LOGIN_UNREACHABLE only if no server answered.
    """
    if not HAS_KAFKA_NET:
        raise KafkaModuleError('checking credentials needs kafka-python >= 3.0 (found %s); install '
                               'the versions from requirements.txt' % getattr(kafka, '__version__', '?'))
    timeout_ms = timeout_ms or kwargs.get('request_timeout_ms') or 30000
    details = []
    for server in kwargs['bootstrap_servers']:
        status, detail = _login_once(kwargs, server, timeout_ms)
        if status in (LOGIN_REJECTED, LOGIN_UNSUPPORTED) and detail.startswith('the broker closed'):
            # Inferred from a dropped socket: ask once more in case it was a
            # network blip; an explicit error from the broker settles it.
            again, again_detail = _login_once(kwargs, server, timeout_ms)
            if again != LOGIN_UNREACHABLE:
                status, detail = again, again_detail
        if status != LOGIN_UNREACHABLE:
            return status, '%s: %s' % (server, detail)
        details.append('%s: %s' % (server, detail))
    return LOGIN_UNREACHABLE, '; '.join(details)


def require_kafka_python(module):
    if not HAS_KAFKA:
        module.fail_json(msg=missing_required_lib('kafka-python'), exception=KAFKA_IMPORT_ERROR)


def require_kafka_reader(module):
    """For kafka_topic, kafka_consumer_group and kafka_replication_status: kafka-python >= 3.0."""
    require_kafka_python(module)
    if not HAS_KAFKA_READ:
        module.fail_json(msg='this module needs kafka-python >= 3.0 (found %s): install the versions from '
                             'requirements.txt' % getattr(kafka, '__version__', '?'))


def start_module(argument_spec, check_params, require=require_kafka_python):
    """The module, once kafka-python is usable and the module's own checks of its options pass.

    ``check_params(params)`` returns a list of problems; they fail the module together.
    """
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    require(module)
    errors = check_params(module.params)
    if errors:
        module.fail_json(msg='; '.join(errors))
    return module


def fail_on_bad_params(module, params=None, label=None):
    errors = check_connection_params(module.params if params is None else params)
    if errors:
        where = ' of %s' % label if label else ''
        module.fail_json(msg='Invalid Kafka connection options%s: ' % where + '; '.join(errors))


def _checked_kwargs(module, params, label, check_login=True):
    """kafka-python kwargs for ``params`` after the same checks kafka_admin() makes (or fail_json)."""
    require_kafka_python(module)
    fail_on_bad_params(module, params, label)
    kwargs = connection_kwargs(params)
    secrets = secrets_of(params)
    servers = ', '.join(kwargs['bootstrap_servers'])
    if label:
        servers = '%s: %s' % (label, servers)
    who = ''
    if params['security_protocol'] in SASL_PROTOCOLS:
        who = ' as %s user %r' % (params['sasl_mechanism'], params['sasl_username'])

    if HAS_KAFKA_NET and check_login:
        status, detail = try_login(kwargs)
        if status == LOGIN_REJECTED:
            module.fail_json(msg=scrub('Authentication to Kafka (%s)%s failed (%s): check sasl_username/'
                                       'sasl_password and sasl_mechanism' % (servers, who, detail), secrets))
        if status == LOGIN_UNSUPPORTED:
            module.fail_json(msg=scrub('The Kafka listener at %s does not offer SASL mechanism %s (%s): set '
                                       'sasl_mechanism to one in the listener\'s sasl.enabled.mechanisms'
                                       % (servers, params['sasl_mechanism'], detail), secrets))
        if status == LOGIN_UNREACHABLE:
            module.fail_json(msg=scrub('Cannot connect to Kafka at %s with security_protocol=%s (%s): check '
                                       'bootstrap_servers, that the listener uses that protocol, and for TLS '
                                       'ssl_cafile/ssl_check_hostname' % (servers, params['security_protocol'],
                                                                          detail), secrets))
    return kwargs, servers, who, secrets


def kafka_admin(module, params=None, label=None):
    """A connected KafkaAdminClient for the module's connection options, or fail_json.

    ``params``: other connection options than ``module.params`` (e.g. a nested option);
    ``label``: names that cluster in messages (e.g. ``'source'``).
    """
    params = module.params if params is None else params
    kwargs, servers, who, secrets = _checked_kwargs(module, params, label)
    try:
        return KafkaAdminClient(**kwargs)
    except Exception as exc:
        module.fail_json(msg=scrub('Cannot connect to Kafka at %s%s with security_protocol=%s: %s'
                                   % (servers, who, params['security_protocol'], describe_error(exc)), secrets))


def kafka_consumer(module, params=None, label=None, check_login=True, **settings):
    """A KafkaConsumer for the same connection options as kafka_admin(), or fail_json.

    Without ``settings`` it has no group, never commits and starts at the earliest offset,
    which is what reading a topic with assign()/seek() needs.  ``check_login=False`` skips
    the separate login check (when kafka_admin() just checked the same options).
    """
    params = module.params if params is None else params
    kwargs, servers, who, secrets = _checked_kwargs(module, params, label, check_login=check_login)
    kwargs.update(group_id=None, enable_auto_commit=False, auto_offset_reset='earliest')
    kwargs.update(settings)
    try:
        return KafkaConsumer(**kwargs)
    except Exception as exc:
        module.fail_json(msg=scrub('Cannot connect a consumer to Kafka at %s%s with security_protocol=%s: %s'
                                   % (servers, who, params['security_protocol'], describe_error(exc)), secrets))


# --- reading topics -----------------------------------------------------------------------------
def topic_partitions(admin, topics):
    """{topic: sorted partition numbers} for the topics that exist (missing ones are left out)."""
    found = {}
    if not topics:
        return found  # an empty DescribeTopics list would describe every topic
    for topic in admin.describe_topics(list(topics)):
        if topic.get('error_code') or not topic.get('partitions'):
            continue
        found[topic['name']] = sorted(p['partition_index'] for p in topic['partitions'])
    return found


def partition_offsets(admin, partitions, spec='latest'):
    """{TopicPartition: offset} for ``spec`` 'latest' (end offset) or 'earliest' (log start)."""
    partitions = list(partitions)
    if not partitions:
        return {}
    offset_spec = OffsetSpec.LATEST if spec == 'latest' else OffsetSpec.EARLIEST
    answer = admin.list_partition_offsets({tp: offset_spec for tp in partitions})
    return {tp: answer[tp].offset for tp in partitions}


def read_partitions(consumer, ranges, timeout_s):
    """Every record of each TopicPartition in ``ranges`` ({tp: (start, end)}), in offset order.

    Stops at ``end`` (an offset snapshot taken by the caller), so records appended meanwhile
    are not waited for.  Raises KafkaModuleError when the deadline passes first.
    """
    pending = {tp: (start, end) for tp, (start, end) in ranges.items() if end > start}
    records = {tp: [] for tp in ranges}
    if not pending:
        return records
    consumer.assign(list(pending))
    for tp, (start, _end) in pending.items():
        consumer.seek(tp, start)
    deadline = time.monotonic() + timeout_s
    while pending:
        if time.monotonic() > deadline:
            raise KafkaModuleError('reading %s did not finish within %ss (at %s)'
                                   % (', '.join(sorted('%s-%d' % (tp.topic, tp.partition) for tp in pending)),
                                      timeout_s, {'%s-%d' % (tp.topic, tp.partition): consumer.position(tp)
                                                  for tp in pending}))
        for tp, batch in consumer.poll(timeout_ms=500).items():
            if tp in pending:
                end = pending[tp][1]
                records[tp].extend(r for r in batch if r.offset < end)
        for tp in list(pending):
            # Compacted topics and transaction markers leave gaps: the position is what counts.
            if consumer.position(tp) >= pending[tp][1]:
                del pending[tp]
                consumer.pause(tp)
    consumer.assign([])
    return records


def read_topic(admin, consumer, topic, timeout_s):
    """All records currently in ``topic`` as {TopicPartition: [records]}, or None if it does not exist."""
    partitions = topic_partitions(admin, [topic]).get(topic)
    if partitions is None:
        return None
    tps = [TopicPartition(topic, p) for p in partitions]
    starts = partition_offsets(admin, tps, 'earliest')
    ends = partition_offsets(admin, tps, 'latest')
    return read_partitions(consumer, {tp: (starts[tp], ends[tp]) for tp in tps}, timeout_s)


def close_quietly(client):
    if client is not None:
        try:
            client.close()
        except Exception:
            pass
