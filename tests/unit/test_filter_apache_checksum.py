import hashlib

import pytest
from ansible.errors import AnsibleFilterError

from apache_checksum import apache_checksum

DIGEST = hashlib.sha512(b"kafka").hexdigest()


def gpg_style(name, digest):
    """The `gpg --print-md SHA512` layout Apache used for years: upper case, grouped, wrapped."""
    groups = [digest[i:i + 8].upper() for i in range(0, len(digest), 8)]
    lines = [" ".join(groups[i:i + 6]) for i in range(0, len(groups), 6)]
    return f"{name}: " + ("\n" + " " * (len(name) + 2)).join(lines) + "\n"


@pytest.mark.parametrize("text", [
    f"{DIGEST}  kafka_2.13-4.1.1.tgz\n",
    f"{DIGEST} *kafka_2.13-4.1.1.tgz",
    DIGEST.upper(),
    gpg_style("kafka_2.13-4.1.1.tgz", DIGEST),
], ids=["sha512sum", "sha512sum-binary", "bare-upper", "gpg-print-md"])
def test_parses_published_formats(text):
    assert apache_checksum(text) == DIGEST


@pytest.mark.parametrize("text", ["", "not a checksum", f"{DIGEST[:-2]}  short.tgz", "x.tgz: ABCD"])
def test_rejects_text_without_a_digest(text):
    with pytest.raises(AnsibleFilterError, match="no SHA-512 digest"):
        apache_checksum(text)


def test_rejects_non_text():
    with pytest.raises(AnsibleFilterError, match="expects the checksum file"):
        apache_checksum(None)
