"""One lab deployment shared by every integration test.

Each module names the lab topologies it needs (LAB_TOPOLOGIES, default: all of them); the lab
brings up the union for the modules collected, so one module run alone starts only what it needs
(make test-integration TEST=tests/integration/test_40_rolling_restart.py). While a module runs,
the topologies it does not need are frozen (podman pause: their JVMs take no CPU) and thawed again,
healthy, for the next module that needs them; a module whose playbooks run on the whole lab
inventory sets LAB_USES_WHOLE_INVENTORY = True.

Set MERIDIAN_LAB_REUSE=1 to test a running lab without provisioning it again (=converged also
skips the first site.yml run; tests that check that run then skip), and MERIDIAN_KEEP_LAB=1 to
leave the lab running afterwards.
"""

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "lab"))
sys.path.insert(0, str(ROOT / "plugins" / "module_utils"))  # lab_faults
sys.path.insert(0, str(ROOT / "tests"))  # kafka_fixtures

import labkit  # noqa: E402
import timings  # noqa: E402

# Every lab topology (terraform/lab/topologies/), with the clusters each one holds.
TOPOLOGY_CLUSTERS = {"stretched": ("stretched",), "single-region": ("single",), "linked-pair": ("east", "west"),
                     "edge-to-core": ("edge-1", "edge-2", "core"), "migration": ("legacy", "modern")}
LAB_TOPOLOGIES_KEY = pytest.StashKey[tuple]()
LOG_DIR = ROOT / "build" / "test-logs"
LINKED_CLUSTERS = ("east", "west", "edge-1", "edge-2", "core", "legacy", "modern")
WORKER_SERVICE = "mirror-maker"  # mirror_maker_service_name
LABS_UP = []  # the session's lab while it is up, for modules that need none of it


def _wait_steady(cluster, steady_s: float = 10.0, timeout_s: float = 300.0) -> None:
    """Until the cluster has served, healthy, for longer than a broker session (9 s): right after
    a thaw it still looks healthy until the controller notices the missed heartbeats."""
    since = []  # when the current healthy streak began

    def steady():
        try:
            ok = labkit.serving(cluster.bootstrap(), len(cluster.brokers))
        except Exception:  # noqa: BLE001 - a thawing cluster refuses requests for a moment: the streak ends
            ok = False
        since[:] = (since or [time.monotonic()]) if ok else []
        return bool(since) and time.monotonic() - since[0] >= steady_s
    labkit.wait_until(steady, timeout_s, interval_s=1, what=f"cluster {cluster.name} healthy after its thaw")


def _each(action, items) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(action, items))


@dataclass
class Lab:
    clusters: dict
    first_converge: labkit.PlaybookRun
    frozen: dict = field(default_factory=dict)  # topology -> the MirrorMaker workers it had running

    def clusters_of(self, topology: str) -> list:
        return [self.clusters[name] for name in TOPOLOGY_CLUSTERS[topology] if name in self.clusters]

    def hosts_of(self, topology: str) -> list:
        return [h for c in self.clusters_of(topology) for h in c.hosts]

    def run_only(self, needed) -> None:
        """Freeze every topology of the lab outside `needed`, thaw the ones in it."""
        up = {t for t in TOPOLOGY_CLUSTERS if self.clusters_of(t)}
        for topology in sorted(up - set(needed) - set(self.frozen)):
            self.freeze(topology)
        self.thaw(sorted(set(needed) & set(self.frozen)))

    def freeze(self, topology: str) -> None:
        # A frozen JVM's clock jumps when it thaws. Kafka recovers from that on its own (fenced
        # brokers heartbeat again, the quorum re-elects), but a Connect worker that thaws finds
        # its group session expired and may hold its tasks back for the scheduled rebalance delay:
        # stop running workers first, and start them again after the thaw.
        start = time.time()
        hosts = self.hosts_of(topology)
        workers = [h for h in hosts if "mirror_maker" in h.roles]
        running = [h for h in workers if labkit.podman("exec", h.container, "systemctl", "is-active", "--quiet",
                                                       WORKER_SERVICE, check=False).returncode == 0]
        _each(lambda h: labkit.podman("exec", h.container, "systemctl", "stop", WORKER_SERVICE), running)
        labkit.podman("pause", *[h.container for h in hosts])
        self.frozen[topology] = running
        timings.record("lab", f"freeze {topology}", time.time() - start, start=start)

    def thaw(self, topologies) -> None:
        """Unpause every host of these topologies, wait until all their clusters serve steadily
        (side by side), then start the workers that ran before the freeze."""
        if not topologies:
            return
        start = time.time()
        labkit.podman("unpause", *[h.container for t in topologies for h in self.hosts_of(t)])
        _each(_wait_steady, [c for t in topologies for c in self.clusters_of(t) if c.brokers])
        _each(lambda h: labkit.podman("exec", h.container, "systemctl", "start", WORKER_SERVICE),
              [h for t in topologies for h in self.frozen.pop(t)])
        timings.record("lab", f"thaw {', '.join(topologies)}", time.time() - start, start=start)

    def thaw_all(self) -> None:
        self.thaw(sorted(self.frozen))

    @property
    def stretched(self):
        return self.clusters["stretched"]

    @property
    def single(self):
        return self.clusters["single"]


def pytest_collection_modifyitems(session, config, items):
    """The union of the topologies the collected modules need (a module without LAB_TOPOLOGIES
    needs every one), in the order TOPOLOGY_CLUSTERS lists them."""
    needed = set()
    for module in {item.module for item in items}:
        needed |= set(getattr(module, "LAB_TOPOLOGIES", TOPOLOGY_CLUSTERS))
    unknown = needed - set(TOPOLOGY_CLUSTERS)
    if unknown:
        raise pytest.UsageError(f"unknown lab topologies in LAB_TOPOLOGIES: {sorted(unknown)}")
    config.stash[LAB_TOPOLOGIES_KEY] = tuple(t for t in TOPOLOGY_CLUSTERS if t in needed) or tuple(TOPOLOGY_CLUSTERS)


@pytest.fixture(scope="session")
def lab(request):
    topologies = request.config.stash[LAB_TOPOLOGIES_KEY]
    if not os.environ.get("MERIDIAN_LAB_REUSE"):
        start = time.time()
        up = subprocess.run(["make", "--no-print-directory", "lab-up", f"LAB_TOPOLOGIES={' '.join(topologies)}"], cwd=ROOT)
        timings.record("lab", f"lab up ({', '.join(topologies)})", time.time() - start, ok=up.returncode == 0, start=start)
        assert up.returncode == 0, "make lab-up failed"
    run = None
    if os.environ.get("MERIDIAN_LAB_REUSE") != "converged":
        run = labkit.run_playbook("site.yml", log=LOG_DIR / "site-first-converge.log")
        timings.record("lab", "first converge (site.yml)", run.seconds, ok=run.returncode == 0)
        assert run.returncode == 0, f"site.yml failed (see {LOG_DIR}/site-first-converge.log):\n{run.output[-6000:]}"
    clusters = labkit.read_inventory()
    missing = [c for t in topologies for c in TOPOLOGY_CLUSTERS[t] if c not in clusters]
    assert not missing, f"lab clusters missing: {missing} (lab: {sorted(clusters)})"
    lab = Lab(clusters, run)
    LABS_UP.append(lab)
    yield lab
    LABS_UP.remove(lab)
    if os.environ.get("MERIDIAN_KEEP_LAB"):
        lab.thaw_all()
    else:
        if lab.frozen:
            labkit.podman("unpause", *[h.container for t in lab.frozen for h in lab.hosts_of(t)], check=False)
        start = time.time()
        subprocess.run(["make", "--no-print-directory", "lab-down"], cwd=ROOT, check=False)
        timings.record("lab", "lab down", time.time() - start, start=start)


@pytest.fixture(scope="session")
def linked_lab(lab, log_dir):
    """The lab for tests that deploy replication flows (test_85, test_95): handed back once, at the
    end, as inventories/lab leaves it (no flows: workers stopped), so re-runs on a reused lab start
    from the same state."""
    missing = [c for c in LINKED_CLUSTERS if c not in lab.clusters]
    assert not missing, f"linked lab clusters missing: {missing} (LAB_TOPOLOGIES)"
    yield lab
    lab.thaw_all()  # the hand-back runs on the whole lab inventory
    run = labkit.run_playbook("playbooks/replication.yml", log=log_dir / "replication-lab-restore.log")
    timings.record("lab", "linked lab handed back (replication.yml)", run.seconds, ok=run.returncode == 0)
    assert run.returncode == 0, run.output[-4000:]


@pytest.fixture(scope="session")
def log_dir():
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    return LOG_DIR


@pytest.fixture(scope="module", autouse=True)
def module_timing(request, lab_running):
    """Each module's wall clock into the timing table (tests/timings.py). Session fixtures are set
    up before it and time themselves, so the lab's start-up is not charged to the first module."""
    start = time.time()
    failed_before = request.session.testsfailed
    yield
    timings.record("integration", request.module.__name__, time.time() - start,
                   ok=request.session.testsfailed == failed_before, start=start)


@pytest.fixture(scope="module", autouse=True)
def lab_running(request):
    """Only the topologies this module needs keep running (see the module docstring). A module
    that needs none freezes every one, if a lab is up for the others."""
    module = request.module
    needed = getattr(module, "LAB_TOPOLOGIES", tuple(TOPOLOGY_CLUSTERS))
    if needed:
        lab = request.getfixturevalue("lab")
    elif LABS_UP:
        lab = LABS_UP[0]
    else:
        return
    lab.run_only(TOPOLOGY_CLUSTERS if getattr(module, "LAB_USES_WHOLE_INVENTORY", False) else needed)
