"""Unit tests for plugins/modules/host_state.py: how a host's paths, files, units, accounts and
Java version are read.

The module on real hosts: every converge of the lab (the kafka, java and mirror_maker roles decide
on its answers), the changed=0 re-run of tests/integration/test_20_idempotence.py and the molecule
scenarios' idempotence step.
"""

import os
import pwd

import pytest

from test_kafka_modules import _load

host_state = _load("modules/host_state.py", "meridian_module_host_state")


def test_path_state_tells_files_directories_links_and_missing_paths(tmp_path):
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir").mkdir()
    os.symlink(tmp_path / "dir", tmp_path / "link-to-dir")
    os.symlink(tmp_path / "gone", tmp_path / "dangling")
    state = {name: host_state.path_state(str(tmp_path / name))
             for name in ("file", "dir", "link-to-dir", "dangling", "missing")}
    assert state["file"] == {"exists": True, "isdir": False, "islink": False, "link_target": None}
    assert state["dir"] == {"exists": True, "isdir": True, "islink": False, "link_target": None}
    assert state["link-to-dir"] == {"exists": True, "isdir": True, "islink": True, "link_target": str(tmp_path / "dir")}
    assert state["dangling"] == {"exists": True, "isdir": False, "islink": True, "link_target": str(tmp_path / "gone")}
    assert state["missing"] == {"exists": False, "isdir": False, "islink": False, "link_target": None}


def test_read_file_returns_text_none_when_missing_and_refuses_a_large_file(tmp_path):
    (tmp_path / "meta.properties").write_text("version=1\ncluster.id=abc\n")
    assert host_state.read_file(str(tmp_path / "meta.properties")) == "version=1\ncluster.id=abc\n"
    assert host_state.read_file(str(tmp_path / "absent")) is None
    (tmp_path / "big").write_bytes(b"x" * (host_state.MAX_FILE_BYTES + 1))
    with pytest.raises(ValueError, match="larger than"):
        host_state.read_file(str(tmp_path / "big"))


@pytest.mark.parametrize("output, names, expected", [
    ("ActiveState=active\nUnitFileState=enabled\n", ["kafka"],
     {"kafka": {"active": "active", "enabled": "enabled"}}),
    # an unknown unit: systemd says inactive, with no unit file state
    ("ActiveState=inactive\nUnitFileState=\n", ["mirror-maker"],
     {"mirror-maker": {"active": "inactive", "enabled": ""}}),
    ("UnitFileState=enabled\nActiveState=failed\n\nActiveState=active\nUnitFileState=disabled\n", ["a", "b"],
     {"a": {"active": "failed", "enabled": "enabled"}, "b": {"active": "active", "enabled": "disabled"}}),
    ("", ["kafka"], {"kafka": {"active": "", "enabled": ""}}),
])
def test_parse_systemctl_show_reads_one_block_per_unit_in_order(output, names, expected):
    assert host_state.parse_systemctl_show(output, names) == expected


@pytest.mark.parametrize("name, unit", [("kafka", "kafka.service"), ("kafka.service", "kafka.service"),
                                        ("mirror-maker", "mirror-maker.service"), ("x.timer", "x.timer")])
def test_unit_name_adds_the_service_suffix_only_when_missing(name, unit):
    assert host_state.unit_name(name) == unit


@pytest.mark.parametrize("release, version", [
    ('IMPLEMENTOR="Debian"\nJAVA_RUNTIME_VERSION="17.0.19+10-1-deb12u2-Debian"\nJAVA_VERSION="17.0.19"\n', "17.0.19"),
    ('JAVA_VERSION="1.8.0_402"\n', "1.8.0_402"),
    ('IMPLEMENTOR="x"\n', None),
    ("", None),
])
def test_java_version_from_release(release, version):
    assert host_state.java_version_from_release(release) == version


@pytest.mark.parametrize("output, version", [
    ('openjdk version "17.0.19" 2026-04-21\nOpenJDK Runtime Environment', "17.0.19"),
    ('java version "1.8.0_402"\n', "1.8.0_402"),
    ("bash: java: command not found", None),
])
def test_java_version_from_output(output, version):
    assert host_state.java_version_from_output(output) == version


@pytest.mark.parametrize("version, major", [("17.0.19", 17), ("21", 21), ("1.8.0_402", 8), ("11.0.2", 11),
                                            (None, 0), ("", 0)])
def test_java_major(version, major):
    assert host_state.java_major(version) == major


def test_accounts_are_read_from_the_local_databases():
    root = pwd.getpwuid(0)
    assert host_state.user_state(root.pw_name) == {"exists": True, "uid": 0, "group": "root",
                                                   "home": root.pw_dir, "shell": root.pw_shell}
    assert host_state.user_state("no-such-user-meridian") == {"exists": False}
    assert host_state.group_state("root") == {"exists": True, "gid": 0}
    assert host_state.group_state("no-such-group-meridian") == {"exists": False}
