"""The role's default install path: download from kafka_archive_url, verify Apache's published checksum.

Apache's archive is unreachable here, so a local HTTP server on loopback plays the mirror, serving
the same tarball with a .sha512 file in the `gpg --print-md` layout Apache publishes.
"""

import functools
import hashlib
import http.server
import json
import threading

import labkit
import pytest

# Lab topologies this module needs (conftest.py).
LAB_TOPOLOGIES = ("single-region",)

VERSION = "4.1.1"
TARBALL = labkit.ROOT / "build" / "kafka" / f"kafka_2.13-{VERSION}.tgz"


def apache_sha512_file(name: str, digest: str) -> str:
    groups = [digest[i:i + 8].upper() for i in range(0, len(digest), 8)]
    lines = [" ".join(groups[i:i + 8]) for i in range(0, len(groups), 8)]
    return f"{name}: " + ("\n" + " " * (len(name) + 2)).join(lines) + "\n"


@pytest.fixture
def mirror(tmp_path):
    """An HTTP mirror on 127.0.0.1 laid out like archive.apache.org/dist/kafka/."""
    release = tmp_path / "kafka" / VERSION
    release.mkdir(parents=True)
    (release / TARBALL.name).symlink_to(TARBALL)
    digest = hashlib.sha512(TARBALL.read_bytes()).hexdigest()
    (release / f"{TARBALL.name}.sha512").write_text(apache_sha512_file(TARBALL.name, digest))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/kafka/{VERSION}/{TARBALL.name}", release
    server.shutdown()


def run_install(lab, log_dir, url, scratch, name, checksum=""):
    host = lab.single.hosts[0]
    extra = {"target": host.name, "scratch_root": scratch, "kafka_archive_url": url, "kafka_archive_checksum": checksum}
    run = labkit.run_playbook("tests/integration/playbooks/install_from_url.yml", "-e", json.dumps(extra),
                              log=log_dir / f"install-from-url-{name}.log")
    return host, run


def test_downloads_and_verifies_the_published_checksum(lab, log_dir, mirror):
    url, _ = mirror
    scratch = "/opt/kafka-url-test"
    host, run = run_install(lab, log_dir, url, scratch, "ok")
    assert run.returncode == 0, run.output[-4000:]
    version = labkit.podman("exec", host.container, f"{scratch}/current/bin/kafka-topics.sh", "--version").stdout
    assert VERSION in version
    again = run_install(lab, log_dir, url, scratch, "again")[1]
    assert again.returncode == 0 and again.changed == 0, again.output[-3000:]
    labkit.podman("exec", host.container, "rm", "-rf", scratch)


def test_a_corrupt_download_is_refused(lab, log_dir, mirror):
    url, release = mirror
    scratch = "/opt/kafka-url-bad"
    wrong = hashlib.sha512(b"something else").hexdigest()
    (release / f"{TARBALL.name}.sha512").write_text(apache_sha512_file(TARBALL.name, wrong))
    host, run = run_install(lab, log_dir, url, scratch, "bad")
    assert run.returncode != 0
    assert "did not match" in run.output, run.output[-3000:]
    listing = labkit.podman("exec", host.container, "ls", scratch, check=False).stdout
    assert "kafka_2.13" not in listing, f"a corrupt release was unpacked: {listing}"
    labkit.podman("exec", host.container, "rm", "-rf", scratch)
