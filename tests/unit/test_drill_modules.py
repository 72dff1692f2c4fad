"""drill_lock, drill_fault and drill_probe through ansible-playbook, without touching any host:
the lock is a file, the fault journal is a file, and the lab backend is given containers that do
not exist (so it has nothing to stop) or only asked for its plan."""

import json
import subprocess
import sys
import time

import pytest

import kafka_fixtures as kf
from fault_backends import FaultError, backend_for
from lab_fault_backend import LabFaults

# Starts real processes (ansible-playbook, Kafka, podman) but needs no lab: make test-component.
pytestmark = pytest.mark.component


@pytest.fixture()
def run(tmp_path):
    runner = kf.ModuleRunner(tmp_path)
    return lambda module, args, *flags: runner(module, args, *flags)


@pytest.fixture()
def live_playbook():
    """A live process whose command line says ansible-playbook: a drill that is still running."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "ansible-playbook"])
    yield proc.pid
    proc.kill()
    proc.wait()


def write_lock(path, **content):
    path.write_text(json.dumps(dict({"run_id": "other", "scenario": "failback", "taken_at": time.time()}, **content)))


# --- drill_lock ---------------------------------------------------------------------------------
def test_lock_is_taken_once_and_released(run, tmp_path):
    lock = tmp_path / "state" / "drill.lock"
    first = kf.ok(run("drill_lock", {"path": str(lock), "run_id": "r1", "scenario": "failback"}))
    assert first["changed"] and json.loads(lock.read_text())["run_id"] == "r1"
    assert json.loads(lock.read_text())["pid"], "the holder's ansible-playbook pid is recorded"
    assert not kf.ok(run("drill_lock", {"path": str(lock), "run_id": "r1"}))["changed"]
    wrong = kf.failed(run("drill_lock", {"path": str(lock), "run_id": "r2", "state": "absent"}))
    assert "held by run r1" in wrong["msg"] and lock.exists()
    assert kf.ok(run("drill_lock", {"path": str(lock), "run_id": "r1", "state": "absent"}))["changed"]
    assert not lock.exists()
    assert not kf.ok(run("drill_lock", {"path": str(lock), "run_id": "r1", "state": "absent"}))["changed"]


def test_a_running_drill_keeps_the_lock(run, tmp_path, live_playbook):
    lock = tmp_path / "drill.lock"
    write_lock(lock, pid=live_playbook)
    result = kf.failed(run("drill_lock", {"path": str(lock), "run_id": "mine", "take_stale": True}))
    assert "another drill is running: failback (run other" in result["msg"]
    assert json.loads(lock.read_text())["run_id"] == "other"


def test_a_dead_drills_lock_needs_the_restore_first(run, tmp_path):
    lock = tmp_path / "drill.lock"
    write_lock(lock, pid=2 ** 22 + 7)  # no such process
    refused = kf.failed(run("drill_lock", {"path": str(lock), "run_id": "mine"}))
    assert "died holding the lock" in refused["msg"] and "drill_restore.yml" in refused["msg"]
    taken = kf.ok(run("drill_lock", {"path": str(lock), "run_id": "mine", "take_stale": True}))
    assert taken["stale"] and json.loads(lock.read_text())["run_id"] == "mine"


@pytest.mark.parametrize("age, stale", [(10, False), (10_000, True)])
def test_a_lock_from_elsewhere_expires_after_its_ttl(run, tmp_path, age, stale):
    lock = tmp_path / "drill.lock"
    write_lock(lock, pid=None, taken_at=time.time() - age)
    result = kf.failed(run("drill_lock", {"path": str(lock), "run_id": "mine", "ttl_seconds": 3600}))
    assert ("died holding the lock" in result["msg"]) == stale


def test_lock_check_mode_creates_nothing(run, tmp_path):
    lock = tmp_path / "drill.lock"
    assert kf.ok(run("drill_lock", {"path": str(lock), "run_id": "r1"}, "--check"))["changed"]
    assert not lock.exists()


def test_force_release(run, tmp_path, live_playbook):
    lock = tmp_path / "drill.lock"
    write_lock(lock, pid=live_playbook)
    assert kf.ok(run("drill_lock", {"path": str(lock), "run_id": "restore", "state": "absent", "force": True}))["changed"]
    assert not lock.exists()


# --- drill_fault journal ----------------------------------------------------------------------------
FAULT = {"kind": "pause", "cluster": "east", "region": "us-east-2",
         "hosts": [{"name": "ghost", "container": "meridian-no-such-container", "address": "127.99.0.1"}]}


def test_fault_is_journaled_then_restored(run, tmp_path):
    journal = tmp_path / "journal.json"
    plan = kf.ok(run("drill_fault", {"fault": FAULT, "journal": str(journal)}, "--check"))
    assert plan["plan"] == ["podman pause meridian-no-such-container (region us-east-2 of cluster east)"]
    assert not journal.exists()
    injected = kf.ok(run("drill_fault", {"fault": FAULT, "journal": str(journal)}))
    assert injected["record"] == {"kind": "pause", "containers": []}  # it was not running: nothing to pause
    (entry,) = json.loads(journal.read_text())
    assert entry["fault"]["region"] == "us-east-2" and entry["record"] == injected["record"]
    restored = kf.ok(run("drill_fault", {"state": "absent", "journal": str(journal)}))
    assert restored["restored"] == [] and json.loads(journal.read_text()) == []


def test_fault_refused_before_anything_changes(run, tmp_path):
    journal = tmp_path / "journal.json"
    bad = dict(FAULT, kind="meteor")
    result = kf.failed(run("drill_fault", {"fault": bad, "journal": str(journal)}))
    assert "cannot inject 'meteor'" in result["msg"]
    assert not journal.exists()


# --- lab backend, pure parts ---------------------------------------------------------------------------
HOSTS = [{"name": "e", "container": "meridian-east-kafka-1", "address": "127.11.0.1"}]
PEERS = [{"name": "w", "container": "meridian-west-kafka-1", "address": "127.12.0.1"}]


@pytest.mark.parametrize("fault, line", [
    ({"kind": "stop", "hosts": HOSTS, "region": "r", "cluster": "east"}, "podman stop meridian-east-kafka-1"),
    ({"kind": "partition", "hosts": HOSTS, "peers": PEERS}, "drop traffic between 127.11.0.0/16 and 127.12.0.0/16"),
    ({"kind": "bandwidth", "hosts": HOSTS, "rate": "8mbit"}, "cap what 127.11.0.0/16 sends from port 9092 to 8mbit"),
])
def test_lab_plans(fault, line):
    (planned,) = LabFaults().plan(fault)
    assert line in planned


@pytest.mark.parametrize("fault, fragment", [
    ({"kind": "partition", "hosts": HOSTS}, "needs peers"),
    ({"kind": "bandwidth", "hosts": HOSTS, "rate": "fast"}, "must look like 8mbit"),
    ({"kind": "stop", "hosts": [{"name": "x", "container": "c", "address": "10.0.0.1"}]}, "not inside 127.0.0.0/8"),
    ({"kind": "stop", "hosts": []}, "names no host"),
    ({"kind": "isolate", "hosts": HOSTS}, "cannot inject"),
])
def test_lab_refuses(fault, fragment):
    with pytest.raises(Exception) as caught:
        LabFaults().plan(fault)
    assert fragment in str(caught.value)


def test_unknown_backend():
    with pytest.raises(FaultError, match="no fault backend 'mainframe'"):
        backend_for("mainframe")


# --- drill_fault with a cloud backend, packaged as Ansible runs it (moto server on loopback) ------------
def test_fault_through_the_aws_backend_stops_and_restarts_the_region(run, tmp_path, moto):
    from cloud_fakes import aws_state, ec2, run_tagged
    client = ec2(moto)
    victims = [run_tagged(client, {"Name": "east-%d" % n, "meridian_cluster": "east", "meridian_region": "us-east-1",
                                   "meridian_roles": "broker", "meridian_node_id": n})[0] for n in (1, 2)]
    bystander = run_tagged(client, {"Name": "west-1", "meridian_cluster": "west", "meridian_region": "us-east-1",
                                    "meridian_roles": "broker", "meridian_node_id": 1})[0]
    fault = {"kind": "stop", "cluster": "east", "region": "us-east-1",
             "hosts": [{"name": "east-1", "region": "us-east-1", "platform": "aws"},
                       {"name": "east-2", "region": "us-east-1", "platform": "aws"}]}
    journal = tmp_path / "journal.json"
    options = {"endpoint_url": moto, "timeout": 60, "poll_interval": 0.2}
    injected = kf.ok(run("drill_fault", {"backend": "aws", "backend_options": options, "fault": fault,
                                         "journal": str(journal)}))
    assert sorted(injected["record"]["instance_ids"]) == sorted(victims)
    assert [aws_state(client, i) for i in victims] == ["stopped", "stopped"]
    assert aws_state(client, bystander) == "running"
    kf.ok(run("drill_fault", {"state": "absent", "journal": str(journal)}))
    assert [aws_state(client, i) for i in victims] == ["running", "running"]
    assert json.loads(journal.read_text()) == []
