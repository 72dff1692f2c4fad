"""Unit tests for the Kafka modules' pure logic (no broker, no network).

plugins/module_utils/kafka_client.py, plugins/doc_fragments/kafka_connection.py,
plugins/modules/kafka_user.py and plugins/modules/kafka_acl.py.  Talking to a real
broker is covered by tests/integration/test_70_security_modules.py.
"""

import importlib.util
import sys
from pathlib import Path

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"

# conftest puts plugins/module_utils on sys.path; the modules import it the way
# Ansible ships it, as ansible.module_utils.kafka_client.
import kafka_client  # noqa: E402

sys.modules.setdefault("ansible.module_utils.kafka_client", kafka_client)


def _load(relpath, name):
    spec = importlib.util.spec_from_file_location(name, PLUGINS / relpath)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


kafka_user = _load("modules/kafka_user.py", "meridian_module_kafka_user")
kafka_acl = _load("modules/kafka_acl.py", "meridian_module_kafka_acl")
fragment = _load("doc_fragments/kafka_connection.py", "meridian_doc_fragment_kafka_connection")

from kafka.admin import (  # noqa: E402
    ACL, ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType, ResourcePattern,
    ResourceType, ScramMechanism,
)

SECRET = "s3cr3t-Pa55"
BASE = {
    "bootstrap_servers": ["127.8.0.1:9092"],
    "security_protocol": "SASL_SSL",
    "ssl_cafile": "/pki/ca.crt",
    "ssl_certfile": None,
    "ssl_keyfile": None,
    "ssl_password": None,
    "ssl_check_hostname": True,
    "sasl_mechanism": "SCRAM-SHA-512",
    "sasl_username": "admin",
    "sasl_password": SECRET,
    "request_timeout_ms": 30000,
}


def params(**changes):
    merged = dict(BASE)
    merged.update(changes)
    return merged


# --- argument spec and documentation -------------------------------------------------------------
def test_connection_argspec_options():
    assert set(kafka_client.KAFKA_CONNECTION_ARGSPEC) == {
        "bootstrap_servers", "security_protocol", "ssl_cafile", "ssl_certfile", "ssl_keyfile",
        "ssl_password", "ssl_check_hostname", "sasl_mechanism", "sasl_username", "sasl_password",
        "request_timeout_ms"}


@pytest.mark.parametrize("option, expected", [
    ("bootstrap_servers", {"type": "list", "elements": "str", "required": True}),
    ("security_protocol", {"default": "SASL_SSL",
                           "choices": ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]}),
    ("ssl_cafile", {"type": "path"}),
    ("ssl_certfile", {"type": "path"}),
    ("ssl_keyfile", {"type": "path"}),
    ("ssl_check_hostname", {"type": "bool", "default": True}),
    ("sasl_mechanism", {"default": "SCRAM-SHA-512", "choices": ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]}),
    ("request_timeout_ms", {"type": "int", "default": 30000}),
])
def test_connection_argspec_details(option, expected):
    spec = kafka_client.KAFKA_CONNECTION_ARGSPEC[option]
    for key, value in expected.items():
        assert spec.get(key) == value, (option, key)


@pytest.mark.parametrize("spec, option", [
    (kafka_client.KAFKA_CONNECTION_ARGSPEC, "sasl_password"),
    (kafka_client.KAFKA_CONNECTION_ARGSPEC, "ssl_password"),
    (kafka_user.argument_spec(), "password"),
    (kafka_user.argument_spec(), "sasl_password"),
    (kafka_acl.argument_spec(), "sasl_password"),
])
def test_secrets_are_no_log(spec, option):
    assert spec[option].get("no_log") is True


@pytest.mark.parametrize("spec", [kafka_user.argument_spec(), kafka_acl.argument_spec()], ids=["user", "acl"])
def test_no_option_named_like_a_secret_is_left_undecided(spec):
    # Ansible warns about options whose name contains "pass" without an explicit no_log.
    for name, option in spec.items():
        if "pass" in name:
            assert "no_log" in option, name


def test_kafka_connection_spec_merges_without_touching_the_shared_spec():
    spec = kafka_client.kafka_connection_spec(name=dict(type="str", required=True))
    assert spec["name"] == {"type": "str", "required": True}
    assert "name" not in kafka_client.KAFKA_CONNECTION_ARGSPEC
    spec["bootstrap_servers"]["required"] = False
    assert kafka_client.KAFKA_CONNECTION_ARGSPEC["bootstrap_servers"]["required"] is True


def test_kafka_connection_spec_rejects_a_clash():
    with pytest.raises(ValueError, match="sasl_username"):
        kafka_client.kafka_connection_spec(sasl_username=dict(type="str"))


def _doc_options(text):
    return yaml.safe_load(text)["options"]


def _assert_doc_matches_spec(doc, spec):
    assert set(doc) == set(spec)
    for name, option in spec.items():
        documented = doc[name]
        assert documented.get("type", "str") == option.get("type", "str"), name
        assert documented.get("default") == option.get("default"), name
        assert documented.get("choices") == option.get("choices"), name
        assert bool(documented.get("required")) == bool(option.get("required")), name
        assert documented.get("elements") == option.get("elements"), name
        assert documented.get("aliases") == option.get("aliases"), name


def test_doc_fragment_documents_exactly_the_connection_options():
    _assert_doc_matches_spec(_doc_options(fragment.ModuleDocFragment.DOCUMENTATION),
                             kafka_client.KAFKA_CONNECTION_ARGSPEC)


@pytest.mark.parametrize("module", [kafka_user, kafka_acl], ids=["kafka_user", "kafka_acl"])
def test_module_docs_match_module_options(module):
    doc = yaml.safe_load(module.DOCUMENTATION)
    assert doc["extends_documentation_fragment"] == ["kafka_connection"]
    own = {k: v for k, v in module.argument_spec().items() if k not in kafka_client.KAFKA_CONNECTION_ARGSPEC}
    _assert_doc_matches_spec(doc["options"], own)
    yaml.safe_load(module.EXAMPLES)
    yaml.safe_load(module.RETURN)


@pytest.mark.parametrize("module, args", [
    (kafka_user, {"name": "alice", "password": "x"}),
    (kafka_acl, {"principal": "User:alice", "resource_type": "topic", "resource_name": "t", "operations": ["read"]}),
], ids=["kafka_user", "kafka_acl"])
def test_argument_spec_validates_and_collects_secrets(module, args):
    raw = dict(args, bootstrap_servers="127.8.0.1:9092,127.8.0.2:9092", sasl_username="admin",
               sasl_password=SECRET)
    result = ArgumentSpecValidator(module.argument_spec()).validate(raw)
    assert result.error_messages == []
    assert result.validated_parameters["bootstrap_servers"] == ["127.8.0.1:9092", "127.8.0.2:9092"]
    assert result.validated_parameters["security_protocol"] == "SASL_SSL"
    assert SECRET in result._no_log_values


def test_argument_spec_rejects_unknown_mechanism():
    result = ArgumentSpecValidator(kafka_user.argument_spec()).validate(
        {"name": "a", "bootstrap_servers": ["h:1"], "sasl_mechanism": "GSSAPI"})
    assert any("sasl_mechanism" in m for m in result.error_messages)


# --- connection kwargs ---------------------------------------------------------------------------
@pytest.mark.parametrize("protocol, present, absent", [
    ("SASL_SSL", {"ssl_cafile", "ssl_check_hostname", "sasl_mechanism", "sasl_plain_username",
                  "sasl_plain_password"}, set()),
    ("SSL", {"ssl_cafile", "ssl_check_hostname"}, {"sasl_mechanism", "sasl_plain_username", "sasl_plain_password"}),
    ("SASL_PLAINTEXT", {"sasl_mechanism", "sasl_plain_username", "sasl_plain_password"},
     {"ssl_cafile", "ssl_check_hostname"}),
    ("PLAINTEXT", set(), {"ssl_cafile", "ssl_check_hostname", "sasl_mechanism", "sasl_plain_username",
                          "sasl_plain_password"}),
])
def test_connection_kwargs_only_pass_what_the_protocol_uses(protocol, present, absent):
    kwargs = kafka_client.connection_kwargs(params(security_protocol=protocol))
    assert kwargs["security_protocol"] == protocol
    assert present <= set(kwargs)
    assert not absent & set(kwargs)


def test_connection_kwargs_mapping():
    kwargs = kafka_client.connection_kwargs(params(bootstrap_servers=[" a:9092 ", "b:9092", ""],
                                                   request_timeout_ms=5000))
    assert kwargs == {
        "bootstrap_servers": ["a:9092", "b:9092"],
        "security_protocol": "SASL_SSL",
        "client_id": "meridian-ansible",
        "request_timeout_ms": 5000,
        "bootstrap_timeout_ms": 5000,
        "ssl_cafile": "/pki/ca.crt",
        "ssl_check_hostname": True,
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "admin",
        "sasl_plain_password": SECRET,
    }


def test_connection_kwargs_overrides_use_option_names():
    kwargs = kafka_client.connection_kwargs(params(), sasl_username="alice", sasl_password="pw",
                                            sasl_mechanism="SCRAM-SHA-256")
    assert (kwargs["sasl_plain_username"], kwargs["sasl_plain_password"], kwargs["sasl_mechanism"]) == \
        ("alice", "pw", "SCRAM-SHA-256")


def test_connection_kwargs_are_accepted_by_kafka_admin_client():
    from kafka.admin import KafkaAdminClient
    kwargs = kafka_client.connection_kwargs(params(ssl_certfile="/c", ssl_keyfile="/k", ssl_password="p"))
    assert set(kwargs) <= set(KafkaAdminClient.DEFAULT_CONFIG)


# --- input checks --------------------------------------------------------------------------------
def test_good_connection_params_pass():
    assert kafka_client.check_connection_params(params()) == []


@pytest.mark.parametrize("changes, fragment_", [
    ({"sasl_username": None}, "needs sasl_username"),
    ({"sasl_password": None}, "needs sasl_password"),
    ({"sasl_username": None, "sasl_password": None, "security_protocol": "SASL_PLAINTEXT"},
     "SASL_PLAINTEXT needs sasl_username and sasl_password"),
    ({"bootstrap_servers": []}, "bootstrap_servers is empty"),
    ({"bootstrap_servers": ["kafka-1"]}, "'kafka-1' is not \"host:port\""),
    ({"bootstrap_servers": ["kafka-1:99999"]}, "is not \"host:port\""),
    ({"ssl_keyfile": "/k"}, "ssl_keyfile is set but ssl_certfile is not"),
    ({"security_protocol": "SASL_PLAINTEXT"}, "ssl_cafile set but security_protocol=SASL_PLAINTEXT"),
    ({"request_timeout_ms": 0}, "request_timeout_ms must be a positive"),
])
def test_connection_param_errors_say_what_to_fix(changes, fragment_):
    errors = kafka_client.check_connection_params(params(**changes))
    assert any(fragment_ in e for e in errors), errors
    assert not any(SECRET in e for e in errors)


@pytest.mark.parametrize("changes", [
    {"security_protocol": "SSL", "sasl_username": None, "sasl_password": None},
    {"security_protocol": "PLAINTEXT", "ssl_cafile": None, "sasl_username": None, "sasl_password": None},
    {"bootstrap_servers": ["[::1]:9092", "kafka-1.example.net:9093"]},
])
def test_connection_params_accepted(changes):
    assert kafka_client.check_connection_params(params(**changes)) == []


@pytest.mark.parametrize("text, secrets, expected", [
    ("login failed for pw s3cr3t", ["s3cr3t"], "login failed for pw ********"),
    ("abcd abc", ["abc", "abcd"], "******** ********"),
    ("nothing secret", [None, ""], "nothing secret"),
])
def test_scrub(text, secrets, expected):
    assert kafka_client.scrub(text, secrets) == expected


def test_secrets_of():
    assert kafka_client.secrets_of(params(ssl_password="k"), "user-pw", None) == [SECRET, "k", "user-pw"]


@pytest.mark.parametrize("protocol, version_known, last, expected", [
    ("SASL_SSL", True, "SaslAuthenticateRequest", kafka_client.LOGIN_REJECTED),
    ("SASL_SSL", True, "SaslBytesRequest", kafka_client.LOGIN_REJECTED),
    ("SASL_SSL", True, None, kafka_client.LOGIN_REJECTED),
    ("SASL_SSL", True, "SaslHandshakeRequest", kafka_client.LOGIN_UNSUPPORTED),
    ("SASL_SSL", True, "ApiVersionsRequest", kafka_client.LOGIN_UNREACHABLE),
    ("SASL_SSL", False, None, kafka_client.LOGIN_UNREACHABLE),
    ("SSL", True, "ApiVersionsRequest", kafka_client.LOGIN_UNREACHABLE),
    ("PLAINTEXT", True, None, kafka_client.LOGIN_UNREACHABLE),
])
def test_classify_disconnect(protocol, version_known, last, expected):
    assert kafka_client.classify_disconnect(protocol, version_known, last) == expected


# --- kafka_user ----------------------------------------------------------------------------------
def user_params(**changes):
    merged = params(name="alice", password="alice-pw", mechanism="SCRAM-SHA-512", iterations=8192,
                    state="present", update_password="always")
    merged.update(changes)
    return merged


@pytest.mark.parametrize("changes, fragment_", [
    ({"iterations": 4095}, "between 4096 and 16384"),
    ({"iterations": 16385}, "between 4096 and 16384"),
    ({"password": None}, "state=present needs a password"),
    ({"name": " "}, "name must not be empty"),
])
def test_user_param_errors(changes, fragment_):
    assert any(fragment_ in e for e in kafka_user.check_params(user_params(**changes)))


@pytest.mark.parametrize("changes", [{}, {"iterations": 4096}, {"iterations": 16384},
                                     {"state": "absent", "password": None}])
def test_user_params_accepted(changes):
    assert kafka_user.check_params(user_params(**changes)) == []


def users_params(items, **top):
    return user_params(**dict({"name": None, "password": None, "users": items}, **top))


def test_users_items_fall_back_to_the_top_level_options():
    specs = kafka_user.user_specs(users_params(
        [{"name": "a", "password": "pa"}, {"name": "b", "password": "pb", "mechanism": "SCRAM-SHA-256", "iterations": 4096},
         {"name": "c", "state": "absent"}], iterations=16384))
    assert [(s["name"], s["mechanism"], s["iterations"], s["state"], s["password"]) for s in specs] == [
        ("a", "SCRAM-SHA-512", 16384, "present", "pa"), ("b", "SCRAM-SHA-256", 4096, "present", "pb"),
        ("c", "SCRAM-SHA-512", 16384, "absent", None)]
    assert all(s["bootstrap_servers"] == specs[0]["bootstrap_servers"] for s in specs)
    assert kafka_user.check_params(users_params([{"name": "a", "password": "pa"}, {"name": "c", "state": "absent"}])) == []


@pytest.mark.parametrize("items, top, fragment_", [
    ([{"name": "a", "password": "p"}], {"name": "b"}, "users is mutually exclusive with name"),
    ([{"name": "a", "password": "p"}], {"password": "p"}, "users is mutually exclusive with password"),
    ([], {}, "users must list at least one user"),
    ([{"name": "a", "password": "p"}, {"name": "b"}], {}, "users[1] (b): state=present needs a password"),
    ([{"name": "a", "password": "p", "iterations": 100}], {}, "users[0] (a): iterations must be between"),
    ([{"name": "a", "password": "p"}, {"name": "a", "state": "absent"}], {}, "users lists a with SCRAM-SHA-512 twice"),
])
def test_users_errors_name_the_item(items, top, fragment_):
    errors = kafka_user.check_params(users_params(items, **top))
    assert any(fragment_ in e for e in errors), errors


def test_one_user_without_users_needs_a_name():
    assert kafka_user.check_params(user_params(name=None)) == ["missing required arguments: name (or give users)"]


DESCRIBED = {
    "alice": {"error": None, "credential_infos": [
        {"mechanism": ScramMechanism.SCRAM_SHA_512, "iterations": 4096},
        {"mechanism": ScramMechanism.SCRAM_SHA_256, "iterations": 8192}]},
    "bob": {"error": None, "credential_infos": [{"mechanism": ScramMechanism.SCRAM_SHA_256, "iterations": 4096}]},
}


@pytest.mark.parametrize("name, mechanism, expected", [
    ("alice", "SCRAM-SHA-512", {"exists": True, "mechanism": "SCRAM-SHA-512", "iterations": 4096}),
    ("alice", "SCRAM-SHA-256", {"exists": True, "mechanism": "SCRAM-SHA-256", "iterations": 8192}),
    ("bob", "SCRAM-SHA-512", {"exists": False, "mechanism": "SCRAM-SHA-512", "iterations": None}),
    ("carol", "SCRAM-SHA-512", {"exists": False, "mechanism": "SCRAM-SHA-512", "iterations": None}),
])
def test_credential_state(name, mechanism, expected):
    assert kafka_user.credential_state(DESCRIBED, name, mechanism) == expected


EXISTS = {"exists": True, "mechanism": "SCRAM-SHA-512", "iterations": 8192}
MISSING = {"exists": False, "mechanism": "SCRAM-SHA-512", "iterations": None}


@pytest.mark.parametrize("before, changes, matches, action", [
    (MISSING, {}, None, "created"),
    (EXISTS, {}, True, "none"),
    (EXISTS, {}, False, "updated"),
    (EXISTS, {}, None, "updated"),                      # could not verify: set it
    (dict(EXISTS, iterations=4096), {}, True, "updated"),  # right password, wrong iteration count
    (EXISTS, {"update_password": "on_create"}, False, "none"),
    (dict(EXISTS, iterations=4096), {"update_password": "on_create"}, None, "none"),
    (MISSING, {"update_password": "on_create"}, None, "created"),
    (EXISTS, {"state": "absent"}, None, "deleted"),
    (MISSING, {"state": "absent"}, None, "none"),
])
def test_user_plan(before, changes, matches, action):
    assert kafka_user.plan(before, user_params(**changes), matches) == action


@pytest.mark.parametrize("before, action, after", [
    (MISSING, "created", {"exists": True, "mechanism": "SCRAM-SHA-512", "iterations": 8192, "password": "set"}),
    (dict(EXISTS, iterations=4096), "updated",
     {"exists": True, "mechanism": "SCRAM-SHA-512", "iterations": 8192, "password": "changed"}),
    (EXISTS, "deleted", {"exists": False, "mechanism": "SCRAM-SHA-512", "iterations": None, "password": None}),
    (EXISTS, "none", dict(EXISTS, password="set")),
    (MISSING, "none", dict(MISSING, password=None)),
])
def test_user_diff(before, action, after):
    diff = kafka_user.build_diff(before, action, user_params())
    assert diff["before"] == dict(before, password="set" if before["exists"] else None)
    assert diff["after"] == after
    assert "alice-pw" not in repr(diff)


def test_user_login_kwargs_log_in_as_the_user():
    kwargs = kafka_user.user_login_kwargs(user_params(mechanism="SCRAM-SHA-256"))
    assert (kwargs["sasl_plain_username"], kwargs["sasl_plain_password"], kwargs["sasl_mechanism"]) == \
        ("alice", "alice-pw", "SCRAM-SHA-256")
    assert kwargs["ssl_cafile"] == "/pki/ca.crt"


# --- kafka_acl -----------------------------------------------------------------------------------
def acl_params(**changes):
    merged = params(principal="User:alice", resource_type="topic", resource_name="orders.", pattern_type="prefixed",
                    operations=["read", "write", "describe"], permission="allow", host="*", state="present")
    merged.update(changes)
    return merged


def binding(operation, **changes):
    merged = {"principal": "User:alice", "host": "*", "operation": operation, "permission": "allow",
              "resource_type": "topic", "resource_name": "orders.", "pattern_type": "prefixed"}
    merged.update(changes)
    return merged


@pytest.mark.parametrize("changes, fragment_", [
    ({"principal": "alice"}, 'is not "Type:name"'),
    ({"principal": "User:"}, 'is not "Type:name"'),
    ({"resource_name": ""}, "resource_name must not be empty"),
    ({"resource_type": "cluster", "resource_name": "c", "pattern_type": "literal", "operations": ["alter"]},
     "must be 'kafka-cluster'"),
    ({"resource_type": "cluster", "resource_name": "kafka-cluster", "operations": ["alter"]},
     "only takes pattern_type=literal"),
    ({"resource_name": "*"}, "use pattern_type=literal"),
    ({"operations": []}, "at least one operation"),
    ({"resource_type": "group", "operations": ["read", "write"]}, "write not valid for resource_type=group"),
    ({"resource_type": "transactional_id", "operations": ["read"]}, "valid: all, describe, write"),
    ({"operations": ["idempotent_write"]}, "idempotent_write not valid for resource_type=topic"),
    ({"host": "kafka-client.example.net"}, 'host must be "*" or an IP address'),
])
def test_acl_param_errors(changes, fragment_):
    errors = kafka_acl.check_params(acl_params(**changes))
    assert any(fragment_ in e for e in errors), errors


@pytest.mark.parametrize("changes", [
    {},
    {"principal": "User:*", "resource_name": "*", "pattern_type": "literal", "operations": ["all"]},
    {"resource_type": "cluster", "resource_name": "kafka-cluster", "pattern_type": "literal",
     "operations": ["idempotent_write", "cluster_action", "alter"]},
    {"resource_type": "group", "operations": ["read", "describe"], "host": "10.1.2.3"},
    {"resource_type": "transactional_id", "operations": ["write", "describe"], "host": "0:0:0:0:0:0:0:1"},
    {"resource_type": "delegation_token", "operations": ["describe"], "permission": "deny"},
])
def test_acl_params_accepted(changes):
    assert kafka_acl.check_params(acl_params(**changes)) == []


def acls_params(items, **top):
    """Module params with acls: the single-set options unset, top-level defaults as the module has them."""
    merged = params(principal=None, resource_type=None, resource_name=None, operations=None, pattern_type="literal",
                    permission="allow", host="*", state="present", acls=items)
    merged.update(top)
    return merged


ALICE_TOPICS = {"principal": "User:alice", "resource_type": "topic", "resource_name": "orders.",
                "pattern_type": "prefixed", "operations": ["read", "write"], "permission": None, "host": None,
                "state": None}
ALICE_GROUP = {"principal": "User:alice", "resource_type": "group", "resource_name": "orders-",
               "pattern_type": None, "operations": ["read"], "permission": None, "host": None, "state": None}


def test_acls_items_take_the_top_level_defaults():
    sets = kafka_acl.binding_sets(acls_params([ALICE_TOPICS, dict(ALICE_GROUP, state="absent")], permission="deny"))
    assert [(b["pattern_type"], b["permission"], b["host"], b["state"]) for b in sets] == [
        ("prefixed", "deny", "*", "present"), ("literal", "deny", "*", "absent")]
    assert kafka_acl.check_params(acls_params([ALICE_TOPICS, ALICE_GROUP])) == []


@pytest.mark.parametrize("items, top, fragment_", [
    ([ALICE_TOPICS], {"principal": "User:bob"}, "acls is mutually exclusive with principal"),
    ([ALICE_TOPICS], {"operations": ["read"]}, "acls is mutually exclusive with operations"),
    ([], {}, "acls must list at least one set of bindings"),
    ([ALICE_TOPICS, dict(ALICE_GROUP, operations=["write"])], {}, "acls[1] (User:alice): operation(s) write not valid"),
    ([dict(ALICE_TOPICS, principal="alice")], {}, 'acls[0] (alice): principal \'alice\' is not "Type:name"'),
])
def test_acls_errors_name_the_item(items, top, fragment_):
    errors = kafka_acl.check_params(acls_params(items, **top))
    assert any(fragment_ in e for e in errors), errors


def test_single_set_without_acls_needs_its_options():
    errors = kafka_acl.check_params(acl_params(principal=None, operations=None))
    assert errors == ["missing required arguments: principal, operations (or give acls)"]


def test_supported_operations_are_all_module_choices():
    for ops in kafka_acl.SUPPORTED_OPERATIONS.values():
        assert ops <= set(kafka_acl.OPERATIONS)
    assert set(kafka_acl.SUPPORTED_OPERATIONS) == set(kafka_acl.RESOURCE_TYPES)


def test_wanted_bindings_one_per_distinct_operation_sorted():
    wanted = kafka_acl.wanted_bindings(acl_params(operations=["write", "read", "write", "describe"]))
    assert wanted == [binding("describe"), binding("read"), binding("write")]


@pytest.mark.parametrize("state, existing, to_add, to_remove", [
    ("present", [], ["describe", "read", "write"], []),
    ("present", ["read"], ["describe", "write"], []),
    ("present", ["read", "write", "describe", "alter"], [], []),
    ("absent", [], [], []),
    ("absent", ["read", "alter"], [], ["read"]),
    ("absent", ["describe", "read", "write"], [], ["describe", "read", "write"]),
])
def test_acl_plan(state, existing, to_add, to_remove):
    wanted = kafka_acl.wanted_bindings(acl_params())
    add, remove = kafka_acl.plan(wanted, [binding(op) for op in existing], state)
    assert add == [binding(op) for op in to_add]
    assert remove == [binding(op) for op in to_remove]


def test_acl_plan_compares_every_field():
    # Same operation but another host or permission is a different binding.
    existing = [binding("read", host="10.0.0.1"), binding("write", permission="deny")]
    add, _ = kafka_acl.plan(kafka_acl.wanted_bindings(acl_params()), existing, "present")
    assert add == [binding("describe"), binding("read"), binding("write")]


@pytest.mark.parametrize("existing, to_add, to_remove, after", [
    (["alter"], ["read"], [], ["alter", "read"]),
    (["alter", "read"], [], ["read"], ["alter"]),
    (["read"], [], [], ["read"]),
    ([], [], [], []),
])
def test_acl_diff(existing, to_add, to_remove, after):
    diff = kafka_acl.build_diff([binding(op) for op in existing], [binding(op) for op in to_add],
                                [binding(op) for op in to_remove])
    assert diff == {"before": [binding(op) for op in sorted(existing)], "after": [binding(op) for op in after]}


@pytest.mark.parametrize("b", [
    binding("read"),
    binding("all", principal="User:*", resource_name="*", pattern_type="literal", permission="deny"),
    binding("idempotent_write", resource_type="cluster", resource_name="kafka-cluster", pattern_type="literal"),
    binding("describe_configs", resource_type="group", host="10.0.0.1"),
    binding("write", resource_type="transactional_id"),
])
def test_binding_round_trips_through_kafka_python(b):
    acl = kafka_acl.binding_to_acl(b)
    assert isinstance(acl, ACL)
    assert kafka_acl.acl_to_binding(acl) == b
    flt = kafka_acl.binding_to_acl(b, cls=ACLFilter)
    assert type(flt) is ACLFilter and flt == acl


def test_acl_to_binding_from_describe_result():
    acl = ACL("User:alice", "*", ACLOperation.DESCRIBE_CONFIGS, ACLPermissionType.ALLOW,
              ResourcePattern(ResourceType.TOPIC, "orders.", ACLResourcePatternType.PREFIXED))
    assert kafka_acl.acl_to_binding(acl) == binding("describe_configs")


def test_scope_filter_matches_any_operation_of_the_exact_pattern():
    flt = kafka_acl.scope_filter(acl_params(permission="deny", host="10.0.0.1"))
    assert flt.operation == ACLOperation.ANY
    assert flt.permission_type == ACLPermissionType.DENY
    assert flt.host == "10.0.0.1"
    assert flt.resource_pattern.pattern_type == ACLResourcePatternType.PREFIXED
    assert (flt.resource_pattern.resource_type, flt.resource_pattern.resource_name) == (ResourceType.TOPIC, "orders.")
