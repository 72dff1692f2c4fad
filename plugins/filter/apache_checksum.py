"""Filter: parse the checksum files Apache publishes beside its release archives."""

import re

from ansible.errors import AnsibleFilterError


def apache_checksum(text):
    """Return the lower-case hex digest from a `.sha512` file as Apache publishes it.

    Apache writes `gpg --print-md` output ("name.tgz: 3B8A1A3E 0B8D ...", wrapped over lines,
    upper case, grouped in eights) for older releases and `sha512sum` output ("<hex>  name.tgz")
    for newer ones; get_url understands only the second form, hence this filter.
    """
    if not isinstance(text, str):
        raise AnsibleFilterError("apache_checksum expects the checksum file's text, got %s" % type(text).__name__)
    # gpg form: everything after the first colon is the digest, spread over groups and lines.
    body = text.split(":", 1)[1] if re.match(r"^\S+:\s", text) else text.split()[0] if text.split() else ""
    digest = re.sub(r"\s+", "", body).lower()
    if not re.fullmatch(r"[0-9a-f]{128}", digest):
        raise AnsibleFilterError("no SHA-512 digest found in checksum file: %r" % text[:200])
    return digest


class FilterModule:
    def filters(self):
        return {"apache_checksum": apache_checksum}
