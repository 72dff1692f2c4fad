"""managed_files (action + module) on this machine: real files under tmp_path, run by ansible-playbook."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

# Starts real processes (ansible-playbook, Kafka, podman) but needs no lab: make test-component.
pytestmark = pytest.mark.component

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-value-never-shown"


def run_play(tmp_path, files, directories, *args):
    """One managed_files task against localhost; returns (returncode, task result or None, output)."""
    play = [{"hosts": "localhost", "gather_facts": False, "vars": {"greeting": "hello", "secret": SECRET},
             "tasks": [{"name": "files", "managed_files": {"files": files, "directories": directories},
                        "register": "out"},
                       {"name": "show", "ansible.builtin.copy": {"content": "{{ out | to_json }}", "dest": str(tmp_path / "result.json")},
                        "check_mode": False}]}]
    (tmp_path / "play.yml").write_text(json.dumps(play))
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_INVENTORY_ENABLED="host_list",
               PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    (tmp_path / "result.json").unlink(missing_ok=True)
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                           "-e", f"ansible_python_interpreter={sys.executable}", str(tmp_path / "play.yml"), *args], cwd=ROOT, env=env, capture_output=True, text=True)
    result = json.loads((tmp_path / "result.json").read_text()) if (tmp_path / "result.json").exists() else None
    return proc.returncode, result, proc.stdout + proc.stderr


@pytest.fixture
def layout(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "app.conf.j2").write_text("greeting={{ greeting }}\n")
    (tmp_path / "templates" / "secret.j2").write_text("password={{ secret }}\n")
    (tmp_path / "ca.crt").write_bytes(b"\x00binary\xffbytes")
    base = tmp_path / "host"
    directories = [{"path": [str(base / "etc"), str(base / "etc" / "tls")], "mode": "0750"},
                   {"path": str(base / "var" / "log" / "app"), "mode": "0700"}]
    files = [{"dest": str(base / "etc" / "app.conf"), "template": "app.conf.j2", "mode": "0640"},
             {"dest": str(base / "etc" / "tls" / "ca.crt"), "src": str(tmp_path / "ca.crt"), "mode": "0644"},
             {"dest": str(base / "etc" / "secrets"), "template": "secret.j2", "mode": "0600", "secret": True},
             {"dest": str(base / "etc" / "plain.txt"), "content": "plain\n", "mode": "0644"}]
    return base, files, directories


def mode_of(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_creates_then_rerun_changes_nothing(tmp_path, layout):
    base, files, directories = layout
    rc, result, out = run_play(tmp_path, files, directories)
    assert rc == 0, out
    assert result["changed"] is True
    assert sorted(result["changed_files"]) == sorted(f["dest"] for f in files)
    assert (base / "etc" / "app.conf").read_text() == "greeting=hello\n"
    assert (base / "etc" / "tls" / "ca.crt").read_bytes() == b"\x00binary\xffbytes"
    assert (base / "etc" / "secrets").read_text() == f"password={SECRET}\n"
    assert mode_of(base / "etc") == 0o750 and mode_of(base / "var" / "log" / "app") == 0o700
    assert mode_of(base / "etc" / "secrets") == 0o600 and mode_of(base / "etc" / "app.conf") == 0o640
    # Parents created on the way get the same settings (like the file module's intermediate directories).
    assert mode_of(base / "var" / "log") == 0o700

    rc, result, out = run_play(tmp_path, files, directories)
    assert rc == 0, out
    assert result["changed"] is False and result["changed_files"] == [] and result["changed_directories"] == []


def test_drift_is_repaired_and_reported_per_file(tmp_path, layout):
    base, files, directories = layout
    assert run_play(tmp_path, files, directories)[0] == 0
    (base / "etc" / "app.conf").write_text("greeting=edited by hand\n")
    os.chmod(base / "etc" / "plain.txt", 0o666)
    os.chmod(base / "etc" / "tls", 0o755)
    rc, result, out = run_play(tmp_path, files, directories)
    assert rc == 0, out
    assert sorted(result["changed_files"]) == sorted([str(base / "etc" / "app.conf"), str(base / "etc" / "plain.txt")])
    assert result["changed_directories"] == [str(base / "etc" / "tls")]
    by_dest = {f["dest"]: f for f in result["files"]}
    assert by_dest[str(base / "etc" / "app.conf")]["content_changed"] is True
    assert by_dest[str(base / "etc" / "plain.txt")] == {"dest": str(base / "etc" / "plain.txt"), "created": False,
                                                        "content_changed": False, "attributes_changed": True}
    assert (base / "etc" / "app.conf").read_text() == "greeting=hello\n"
    assert mode_of(base / "etc" / "plain.txt") == 0o644 and mode_of(base / "etc" / "tls") == 0o750


def test_check_mode_reports_and_writes_nothing(tmp_path, layout):
    base, files, directories = layout
    rc, result, out = run_play(tmp_path, files, directories, "--check")
    assert rc == 0, out
    assert result["changed"] is True and len(result["changed_files"]) == len(files)
    assert not base.exists()


def test_diff_shows_text_files_but_never_a_secret(tmp_path, layout):
    base, files, directories = layout
    assert run_play(tmp_path, files, directories)[0] == 0
    (base / "etc" / "app.conf").write_text("greeting=old\n")
    (base / "etc" / "secrets").write_text("password=old-secret\n")
    rc, result, out = run_play(tmp_path, files, directories, "--check", "--diff", "-v")
    assert rc == 0, out
    assert "-greeting=old" in out and "+greeting=hello" in out
    assert str(base / "etc" / "secrets") in result["changed_files"]
    assert SECRET not in out and "old-secret" not in out
    assert (base / "etc" / "secrets").read_text() == "password=old-secret\n"  # check mode


@pytest.mark.parametrize("change, message", [
    (lambda files: files[0].update(content="x"), "give exactly one of template, src or content"),
    (lambda files: files[0].pop("template"), "give exactly one of template, src or content"),
    (lambda files: files[1].update(owner="no-such-user-here"), "owner 'no-such-user-here' or group 'root'"),
    (lambda files: files[0].update(mode="rw-r"), "is not an octal string"),
    (lambda files: files[0].update(dest="relative/app.conf"), "is not an absolute path"),
    (lambda files: files[1].update(src="/no/such/file.crt"), "Could not find or access"),
])
def test_bad_input_fails_before_anything_is_written(tmp_path, layout, change, message):
    base, files, directories = layout
    change(files)
    rc, result, out = run_play(tmp_path, files, directories)
    assert rc != 0
    assert message in out, out[-2000:]
    assert not base.exists()
