#!/usr/bin/python
"""host_state: what a role needs to know about a host, read in one round trip."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: host_state
short_description: Read paths, small files, services, accounts and the Java version of a host in one round trip
description:
  - Reads, and never changes, the state a role checks before it decides what to change on a host.
    Each question would otherwise be a task of its own (M(ansible.builtin.stat),
    M(ansible.builtin.slurp), C(systemctl is-active), C(java -version)), and on a converged host
    those module runs are most of an idempotent re-run's cost.
  - Runs in check mode like in a normal run (it only reads).
options:
  paths:
    description: Paths to look at without following a final symbolic link.
    type: list
    elements: path
    default: []
  files:
    description: Small text files to read (up to 64 KiB each). A missing file reads as null.
    type: list
    elements: path
    default: []
  services:
    description: systemd units to describe (the C(.service) suffix may be left out).
    type: list
    elements: str
    default: []
  users:
    description: Local accounts to look up.
    type: list
    elements: str
    default: []
  groups:
    description: Local groups to look up.
    type: list
    elements: str
    default: []
  java:
    description:
      - Find C(java) on the PATH and read its version from the runtime's C(release) file, which
        costs no JVM start. Without a C(release) file, C(java -version) is run.
    type: bool
    default: false
author:
  - Meridian
"""

EXAMPLES = r"""
- name: Read what the kafka role decides on
  host_state:
    paths: [/opt/kafka/current, /opt/kafka/kafka_2.13-4.4.0/bin/kafka-server-start.sh]
    files: [/var/lib/kafka/data/meta.properties]
    services: [kafka]
    users: [kafka]
    groups: [kafka]
    java: true
  register: node

- name: Unpack the release only when it is missing
  ansible.builtin.unarchive:
    src: /opt/kafka/kafka_2.13-4.4.0.tgz
    dest: /opt/kafka
    remote_src: true
  when: not node.paths['/opt/kafka/kafka_2.13-4.4.0/bin/kafka-server-start.sh'].exists
"""

RETURN = r"""
paths:
  description: Per path, whether it exists, its kind, and the target of a symbolic link.
  returned: always
  type: dict
  sample: {/opt/kafka/current: {exists: true, isdir: false, islink: true, link_target: /opt/kafka/kafka_2.13-4.4.0}}
files:
  description: Per file, its text, or null when it does not exist.
  returned: always
  type: dict
  sample: {/var/lib/kafka/data/meta.properties: "version=1\ncluster.id=...\n"}
services:
  description: Per unit, systemd's C(ActiveState) and C(UnitFileState) (empty when the unit is unknown).
  returned: always
  type: dict
  sample: {kafka: {active: active, enabled: enabled}}
users:
  description: Per account, whether it exists and its uid, primary group, home and shell.
  returned: always
  type: dict
  sample: {kafka: {exists: true, uid: 999, group: kafka, home: /opt/kafka, shell: /usr/sbin/nologin}}
groups:
  description: Per group, whether it exists and its gid.
  returned: always
  type: dict
  sample: {kafka: {exists: true, gid: 999}}
java:
  description: The C(java) on the PATH; C(major) is 0 when there is none or its version cannot be read.
  returned: when O(java=true)
  type: dict
  sample: {found: true, path: /usr/lib/jvm/java-17-openjdk-amd64/bin/java, version: 17.0.19, major: 17}
"""

import grp
import os
import pwd
import re
import shutil
import stat

from ansible.module_utils.basic import AnsibleModule

MAX_FILE_BYTES = 64 * 1024


def path_state(path):
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return {'exists': False, 'isdir': False, 'islink': False, 'link_target': None}
    islink = stat.S_ISLNK(st.st_mode)
    return {'exists': True, 'isdir': os.path.isdir(path) if islink else stat.S_ISDIR(st.st_mode),
            'islink': islink, 'link_target': os.readlink(path) if islink else None}


def read_file(path):
    try:
        with open(path, 'rb') as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    if len(data) > MAX_FILE_BYTES:
        raise ValueError('%s is larger than %d bytes: host_state reads small files only' % (path, MAX_FILE_BYTES))
    return data.decode('utf-8', errors='replace')


def unit_name(name):
    return name if '.' in name else name + '.service'


def parse_systemctl_show(text, names):
    """`systemctl show A B -p ActiveState -p UnitFileState` prints one block per unit, in order."""
    blocks = [dict(line.split('=', 1) for line in block.splitlines() if '=' in line)
              for block in text.strip().split('\n\n')] if text.strip() else []
    result = {}
    for i, name in enumerate(names):
        block = blocks[i] if i < len(blocks) else {}
        result[name] = {'active': block.get('ActiveState', ''), 'enabled': block.get('UnitFileState', '')}
    return result


def user_state(name):
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return {'exists': False}
    try:
        group = grp.getgrgid(entry.pw_gid).gr_name
    except KeyError:
        group = str(entry.pw_gid)
    return {'exists': True, 'uid': entry.pw_uid, 'group': group, 'home': entry.pw_dir, 'shell': entry.pw_shell}


def group_state(name):
    try:
        return {'exists': True, 'gid': grp.getgrnam(name).gr_gid}
    except KeyError:
        return {'exists': False}


def java_version_from_release(text):
    """JAVA_VERSION="17.0.19" (or "1.8.0_402") from a runtime's release file; None without one."""
    match = re.search(r'^JAVA_VERSION="([^"]+)"', text or '', re.M)
    return match.group(1) if match else None


def java_version_from_output(text):
    """openjdk version "17.0.19" 2026-04-21 (java -version prints it on stderr)."""
    match = re.search(r'version "([^"]+)"', text or '')
    return match.group(1) if match else None


def java_major(version):
    """17 for 17.0.19, 8 for 1.8.0_402, 0 when unknown."""
    parts = re.findall(r'\d+', version or '')
    if not parts:
        return 0
    return int(parts[1]) if parts[0] == '1' and len(parts) > 1 else int(parts[0])


def java_state(module):
    path = shutil.which('java')
    if not path:
        return {'found': False, 'path': None, 'version': None, 'major': 0}
    real = os.path.realpath(path)
    release = os.path.join(os.path.dirname(os.path.dirname(real)), 'release')
    version = None
    if os.path.isfile(release):
        version = java_version_from_release(read_file(release))
    if version is None:
        rc, out, err = module.run_command([path, '-version'])
        version = java_version_from_output(err + out) if rc == 0 else None
    return {'found': True, 'path': real, 'version': version, 'major': java_major(version)}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            paths=dict(type='list', elements='path', default=[]),
            files=dict(type='list', elements='path', default=[]),
            services=dict(type='list', elements='str', default=[]),
            users=dict(type='list', elements='str', default=[]),
            groups=dict(type='list', elements='str', default=[]),
            java=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    result = {'changed': False,
              'paths': {p: path_state(p) for p in params['paths']},
              'users': {u: user_state(u) for u in params['users']},
              'groups': {g: group_state(g) for g in params['groups']},
              'services': {}}
    try:
        result['files'] = {f: read_file(f) for f in params['files']}
    except (OSError, ValueError) as exc:
        module.fail_json(msg=str(exc), **result)
    if params['services']:
        systemctl = module.get_bin_path('systemctl', required=True)
        units = [unit_name(s) for s in params['services']]
        rc, out, err = module.run_command([systemctl, 'show', *units, '-p', 'ActiveState', '-p', 'UnitFileState'])
        if rc != 0:
            module.fail_json(msg='systemctl show %s failed: %s' % (' '.join(units), err.strip()), **result)
        result['services'] = parse_systemctl_show(out, params['services'])
    if params['java']:
        result['java'] = java_state(module)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
