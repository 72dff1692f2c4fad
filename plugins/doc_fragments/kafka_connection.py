# -*- coding: utf-8 -*-
"""Connection options shared by Meridian's Kafka modules (kafka_user, kafka_acl, ...).

``kafka_connection.source`` and ``kafka_connection.source_required`` document O(source), the same
options for a flow's second (source) cluster, as kafka_replication_status and kafka_consumer_group
take them.

Kept in sync with KAFKA_CONNECTION_ARGSPEC in plugins/module_utils/kafka_client.py
(tests/unit/test_kafka_modules.py checks that they match).
"""


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  bootstrap_servers:
    description:
      - Brokers to contact first, as C(host:port) of the listener the module should use.
      - One reachable broker is enough; list several so a single broker being down does not fail the task.
    type: list
    elements: str
    required: true
  security_protocol:
    description:
      - Protocol of that listener, as in the broker's C(listener.security.protocol.map).
    type: str
    default: SASL_SSL
    choices: [PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL]
  ssl_cafile:
    description:
      - PEM file with the CA certificate(s) that signed the broker certificates.
      - When omitted, the system trust store is used.
      - Only used with O(security_protocol=SSL) or O(security_protocol=SASL_SSL).
    type: path
  ssl_certfile:
    description:
      - PEM file with a client certificate, for listeners that require TLS client authentication.
    type: path
  ssl_keyfile:
    description:
      - PEM file with the private key of O(ssl_certfile).
    type: path
  ssl_password:
    description:
      - Password of an encrypted O(ssl_keyfile).
    type: str
  ssl_check_hostname:
    description:
      - Whether the broker certificate must match the host (name or IP address) in O(bootstrap_servers).
      - Only disable it for tests; without it TLS does not authenticate the broker.
    type: bool
    default: true
  sasl_mechanism:
    description:
      - SASL mechanism used to authenticate O(sasl_username).
      - Must be one of the listener's C(sasl.enabled.mechanisms).
    type: str
    default: SCRAM-SHA-512
    choices: [PLAIN, SCRAM-SHA-256, SCRAM-SHA-512]
  sasl_username:
    description:
      - User the module authenticates as. It needs the Kafka rights for the change
        (for example a member of C(super.users)).
      - Required when O(security_protocol) is C(SASL_PLAINTEXT) or C(SASL_SSL).
    type: str
  sasl_password:
    description:
      - Password of O(sasl_username).
      - Required when O(security_protocol) is C(SASL_PLAINTEXT) or C(SASL_SSL).
    type: str
  request_timeout_ms:
    description:
      - How long to wait for the first connection and for each request, in milliseconds.
    type: int
    default: 30000
requirements:
  - kafka-python >= 3.0 on the host that runs the module (usually the controller, with C(delegate_to=localhost)).
notes:
  - The modules talk to the brokers over the network; run them once per cluster
    (C(run_once=true)) from a host that can reach a broker listener, usually the controller.
'''


def _source(required):
    """O(source): the connection options again, for the flow's source cluster."""
    return r'''
options:
  source:
    description:
      - Connection options of the flow's B(source) cluster, with the same keys, defaults and meaning as the
        module's own connection options (which describe the target cluster).
    type: dict
    required: %s
    suboptions:
      bootstrap_servers:
        description: Brokers of the source cluster, as C(host:port) of the listener to use.
        type: list
        elements: str
        required: true
      security_protocol:
        description: Protocol of that listener.
        type: str
        default: SASL_SSL
        choices: [PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL]
      ssl_cafile:
        description: PEM file with the CA certificate(s) of the source brokers.
        type: path
      ssl_certfile:
        description: PEM client certificate, for listeners that require TLS client authentication.
        type: path
      ssl_keyfile:
        description: PEM private key of O(source.ssl_certfile).
        type: path
      ssl_password:
        description: Password of an encrypted O(source.ssl_keyfile).
        type: str
      ssl_check_hostname:
        description: Whether the broker certificate must match the host in O(source.bootstrap_servers).
        type: bool
        default: true
      sasl_mechanism:
        description: SASL mechanism of O(source.sasl_username).
        type: str
        default: SCRAM-SHA-512
        choices: [PLAIN, SCRAM-SHA-256, SCRAM-SHA-512]
      sasl_username:
        description: User on the source cluster.
        type: str
      sasl_password:
        description: Password of O(source.sasl_username).
        type: str
      request_timeout_ms:
        description: Timeout for the first connection and for each request, in milliseconds.
        type: int
        default: 30000
''' % ('true' if required else 'false')


ModuleDocFragment.SOURCE = _source(required=False)
ModuleDocFragment.SOURCE_REQUIRED = _source(required=True)
