"""Unit tests for plugins/filter/kafka_uuid.py."""

import base64

import pytest
from ansible.errors import AnsibleFilterError

# conftest.py puts plugins/filter on sys.path.
import kafka_uuid as ku  # noqa: E402


@pytest.mark.parametrize("hex_digits, expected", [
    # Kafka's Uuid(mostSigBits, leastSigBits).toString() for the same 128 bits.
    ("a5bb8e065a484f02a2e4f3ae1bc6f2bd", "pbuOBlpITwKi5POuG8byvQ"),
    ("00000000000000000000000000000002", "AAAAAAAAAAAAAAAAAAAAAg"),
    # Would start with '-': the top bit is cleared.
    ("f8000000000000000000000000000000", "eAAAAAAAAAAAAAAAAAAAAA"),
    # Reserved ids are never returned.
    ("00000000000000000000000000000000", "AQAAAAAAAAAAAAAAAAAAAA"),
    ("00000000000000000000000000000001", "AQAAAAAAAAAAAAAAAAAAAQ"),
    ("ABCDEF0123456789abcdef0123456789", "q83vASNFZ4mrze8BI0VniQ"),
])
def test_formats_like_kafka(hex_digits, expected):
    assert ku.kafka_uuid(hex_digits) == expected
    assert len(expected) == 22 and not expected.startswith("-")
    assert len(base64.urlsafe_b64decode(expected + "==")) == 16


@pytest.mark.parametrize("bad", ["", "abc", "g" * 32, "a" * 31, "a" * 33, None, 12345])
def test_rejects_anything_but_32_hex_digits(bad):
    with pytest.raises(AnsibleFilterError, match="expected 32 hexadecimal digits"):
        ku.kafka_uuid(bad)
