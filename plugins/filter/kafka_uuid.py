# -*- coding: utf-8 -*-
"""kafka_uuid: 128 random bits (as hex) in the form Kafka prints a Uuid (cluster ids, topic ids).

Kafka writes a Uuid as URL-safe base64 without padding, 22 characters
(org.apache.kafka.common.Uuid#toString). `kafka-storage.sh random-uuid` prints one, but that is
a JVM start per new cluster; the role draws the bits with the password lookup (a CSPRNG) and
formats them here instead.
"""

from __future__ import annotations

import base64
import re

from ansible.errors import AnsibleFilterError

_HEX128 = re.compile(r"^[0-9a-fA-F]{32}$")


def kafka_uuid(hex_digits):
    """32 hex digits -> Kafka's 22-character Uuid string.

    Kafka's own generator never hands out an id starting with '-' (it would read as a command-line
    flag) nor its two reserved ids (all zeros, and 1 for the metadata topic); the same bits are
    adjusted here instead of drawn again, so the filter stays pure.
    """
    if not isinstance(hex_digits, str) or not _HEX128.match(hex_digits):
        raise AnsibleFilterError(f"kafka_uuid: expected 32 hexadecimal digits, got {hex_digits!r}")
    raw = bytearray(bytes.fromhex(hex_digits))
    if raw[0] >> 2 == 62:  # the first character would be '-'
        raw[0] &= 0x7F
    if int.from_bytes(raw, "big") <= 1:  # reserved: Uuid.ZERO_UUID, Uuid.METADATA_TOPIC_ID
        raw[0] |= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).decode("ascii").rstrip("=")


class FilterModule:
    def filters(self):
        return {"kafka_uuid": kafka_uuid}
