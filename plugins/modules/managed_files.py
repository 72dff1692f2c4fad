#!/usr/bin/python
"""managed_files: a node's directories and small files, compared and written in one round trip."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: managed_files
short_description: Ensure a set of directories and small files on a host in one round trip
description:
  - Ensures directories (created like C(mkdir -p), then owner, group and mode) and files (content,
    owner, group and mode) on the managed host. Files are written atomically (a temporary file in
    the same directory, renamed over the old one) and only when their content differs.
  - The action plugin of the same name renders each file on the controller first, from a role
    template (C(template)), a controller file (C(src)) or a string (C(content)), and sends every file
    in one module run. A re-run of a converged host therefore costs one module run instead of one
    per file, which is most of an idempotent run's cost.
  - Meant for configuration, certificates, keystores and secrets (kilobytes each). Copy archives
    with M(ansible.builtin.copy).
options:
  directories:
    description: Directories to ensure, parents first. Missing parents are created with the same settings.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: One path, or a list of paths that share the settings below.
        type: list
        elements: path
        required: true
      owner:
        description: Owner name.
        type: str
        default: root
      group:
        description: Group name.
        type: str
        default: root
      mode:
        description: Octal mode as a string, for example C("0750").
        type: str
        required: true
  files:
    description: Files to ensure. Each needs exactly one of C(template), C(src) or C(content) (the action plugin renders them).
    type: list
    elements: dict
    default: []
    suboptions:
      dest:
        description: Absolute path on the host. Its directory must exist or be listed in O(directories).
        type: path
        required: true
      template:
        description: A template in the role's C(templates/), rendered on the controller with the task's variables.
        type: str
      src:
        description: A file on the controller (searched in the role's C(files/) for a relative path), copied as bytes.
        type: path
      content:
        description: The content itself.
        type: str
      content_base64:
        description: The bytes to write, base64-encoded. Filled in by the action plugin from O(files[].template), O(files[].src) or O(files[].content).
        type: str
      owner:
        description: Owner name.
        type: str
        default: root
      group:
        description: Group name.
        type: str
        default: root
      mode:
        description: Octal mode as a string, for example C("0640").
        type: str
        required: true
      secret:
        description: The content is secret. It is never shown in a diff, and its file is compared by checksum only.
        type: bool
        default: false
notes:
  - Supports check mode (reports what would change, writes nothing) and diff mode (before and after of
    every changed file that is not secret).
  - Everything is compared before anything is written; a missing owner or group fails before any write.
author:
  - Meridian
"""

EXAMPLES = r"""
- name: Install directories, configuration, TLS material and the systemd unit
  managed_files:
    directories:
      - {path: [/opt/kafka, /etc/kafka], owner: root, group: kafka, mode: "0750"}
      - {path: /var/lib/kafka/data, owner: kafka, group: kafka, mode: "0750"}
    files:
      - {dest: /etc/kafka/server.properties, template: server.properties.j2, group: kafka, mode: "0640"}
      - {dest: /etc/kafka/tls/ca.crt, src: /srv/pki/ca-bundle.crt, group: kafka, mode: "0644"}
      - {dest: /etc/kafka/secrets.properties, template: secrets.properties.j2, mode: "0600", secret: true}
  register: node_files

- name: Restart only when a file the service reads changed
  ansible.builtin.debug:
    msg: "changed: {{ node_files.changed_files }}"
"""

RETURN = r"""
changed_files:
  description: Destinations whose content, owner, group or mode was (or, in check mode, would be) changed.
  returned: always
  type: list
  elements: str
  sample: [/etc/kafka/server.properties]
changed_directories:
  description: Directories that were (or would be) created or changed.
  returned: always
  type: list
  elements: str
files:
  description: Per file, what differed.
  returned: always
  type: list
  elements: dict
  sample: [{dest: /etc/kafka/server.properties, created: false, content_changed: true, attributes_changed: false}]
"""

import base64
import grp
import hashlib
import os
import pwd
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule

# Diffs are for people: large or binary files are summarised instead.
DIFF_MAX_BYTES = 64 * 1024


def lookup_ids(owner, group):
    """(uid, gid), or None for a name that does not exist (yet)."""
    try:
        uid = pwd.getpwnam(owner).pw_uid
    except KeyError:
        uid = None
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        gid = None
    return uid, gid


def owner_ids(module, entry, where):
    """(uid, gid) of an entry's owner and group. A missing one fails the run, except in check
    mode, where the play's user task would have created it first."""
    uid, gid = lookup_ids(entry["owner"], entry["group"])
    if (uid is None or gid is None) and not module.check_mode:
        module.fail_json(msg=f"owner {entry['owner']!r} or group {entry['group']!r} of {where} does not exist")
    return uid, gid


def parse_mode(module, mode):
    try:
        value = int(str(mode), 8)
    except ValueError:
        module.fail_json(msg=f"mode {mode!r} is not an octal string such as \"0640\"")
    if value > 0o7777:
        module.fail_json(msg=f"mode {mode!r} is out of range")
    return value


def attributes_differ(st, uid, gid, mode):
    return st.st_uid != uid or st.st_gid != gid or stat.S_IMODE(st.st_mode) != mode


def plan_directory(path, uid, gid, mode):
    """'create', 'attributes' or None."""
    if not os.path.lexists(path):
        return "create"
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        return "not-a-directory"
    return "attributes" if uid is None or gid is None or attributes_differ(st, uid, gid, mode) else None


def make_directories(path):
    """mkdir -p; returns the directories it created, top first."""
    missing = []
    while not os.path.isdir(path):
        missing.append(path)
        path = os.path.dirname(path)
    for directory in reversed(missing):
        os.mkdir(directory)
    return list(reversed(missing))


def read_current(path):
    """(bytes or None, os.stat_result or None) of a regular file; a non-file counts as missing."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None, None
    if not stat.S_ISREG(st.st_mode):
        return None, st
    with open(path, "rb") as handle:
        return handle.read(), st


def write_atomically(path, data, uid, gid, mode):
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".managed-", dir=directory)
    try:
        # Owner and mode before the content lands, so a secret is never readable by others.
        os.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def text_or_none(data):
    if data is None or len(data) > DIFF_MAX_BYTES:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            directories=dict(type="list", elements="dict", default=[], options=dict(
                path=dict(type="list", elements="path", required=True),
                owner=dict(type="str", default="root"),
                group=dict(type="str", default="root"),
                mode=dict(type="str", required=True),
            )),
            files=dict(type="list", elements="dict", default=[], options=dict(
                dest=dict(type="path", required=True),
                # The action plugin renders template, src or content and sends the bytes as base64.
                template=dict(type="str"),
                src=dict(type="path"),
                content=dict(type="str", no_log=True),
                content_base64=dict(type="str", required=True, no_log=True),
                owner=dict(type="str", default="root"),
                group=dict(type="str", default="root"),
                mode=dict(type="str", required=True),
                secret=dict(type="bool", default=False),
            )),
        ),
        supports_check_mode=True,
    )
    check = module.check_mode
    want_diff = module._diff

    # Plan everything first: nothing is written unless every entry can be.
    dir_plan = []
    for entry in module.params["directories"]:
        mode = parse_mode(module, entry["mode"])
        uid, gid = owner_ids(module, entry, entry["path"])
        for path in entry["path"]:
            if not os.path.isabs(path):
                module.fail_json(msg=f"directory {path!r} is not an absolute path")
            action = plan_directory(path, uid, gid, mode)
            if action == "not-a-directory":
                module.fail_json(msg=f"{path} exists and is not a directory")
            dir_plan.append((path, uid, gid, mode, action))

    planned_dirs = {p for p, *_ in dir_plan}
    file_plan = []
    for entry in module.params["files"]:
        dest = entry["dest"]
        if not os.path.isabs(dest):
            module.fail_json(msg=f"file {dest!r} is not an absolute path")
        mode = parse_mode(module, entry["mode"])
        uid, gid = owner_ids(module, entry, dest)
        parent = os.path.dirname(dest)
        if not os.path.isdir(parent) and parent not in planned_dirs and not check:
            module.fail_json(msg=f"the directory of {dest} does not exist; list it in directories")
        data = base64.b64decode(entry["content_base64"])
        current, st = read_current(dest)
        if st is not None and current is None:
            module.fail_json(msg=f"{dest} exists and is not a regular file")
        content_changed = current is None or hashlib.sha256(current).digest() != hashlib.sha256(data).digest()
        attributes_changed = (st is not None and not content_changed
                              and (uid is None or gid is None or attributes_differ(st, uid, gid, mode)))
        file_plan.append(dict(dest=dest, data=data, current=current, uid=uid, gid=gid, mode=mode,
                              secret=entry["secret"], created=current is None,
                              content_changed=content_changed, attributes_changed=attributes_changed))

    changed_dirs, changed_files, diffs = [], [], []
    for path, uid, gid, mode, action in dir_plan:
        if action is None:
            continue
        changed_dirs.append(path)
        if check:
            continue
        if action == "create":
            for created in make_directories(path):
                os.chown(created, uid, gid)
                os.chmod(created, mode)
        else:
            os.chown(path, uid, gid)
            os.chmod(path, mode)

    report = []
    for f in file_plan:
        report.append({k: f[k] for k in ("dest", "created", "content_changed", "attributes_changed")})
        if not (f["content_changed"] or f["attributes_changed"]):
            continue
        changed_files.append(f["dest"])
        if want_diff and f["content_changed"] and not f["secret"]:
            before, after = text_or_none(f["current"]), text_or_none(f["data"])
            diffs.append({"before_header": f["dest"], "after_header": f["dest"],
                          "before": before if before is not None else ("" if f["created"] else "(binary or large file)\n"),
                          "after": after if after is not None else "(binary or large file)\n"})
        if check:
            continue
        if f["content_changed"]:
            write_atomically(f["dest"], f["data"], f["uid"], f["gid"], f["mode"])
        else:
            os.chown(f["dest"], f["uid"], f["gid"])
            os.chmod(f["dest"], f["mode"])

    result = dict(changed=bool(changed_dirs or changed_files), changed_files=changed_files,
                  changed_directories=changed_dirs, files=report)
    if diffs:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
