"""One lab deployment shared by every integration test.

Each module names the lab topologies it needs (LAB_TOPOLOGIES, default: all of them); the lab
brings up the union for the modules collected, so one module run alone starts only what it needs
(make test-integration TEST=tests/integration/test_40_rolling_restart.py).

Set MERIDIAN_LAB_REUSE=1 to test a running lab without provisioning it again (=converged also
skips the first site.yml run; tests that check that run then skip), and MERIDIAN_KEEP_LAB=1 to
leave the lab running afterwards.
"""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
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


@dataclass
class Lab:
    clusters: dict
    first_converge: labkit.PlaybookRun

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
    yield Lab(clusters, run)
    if not os.environ.get("MERIDIAN_KEEP_LAB"):
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
    run = labkit.run_playbook("playbooks/replication.yml", log=log_dir / "replication-lab-restore.log")
    timings.record("lab", "linked lab handed back (replication.yml)", run.seconds, ok=run.returncode == 0)
    assert run.returncode == 0, run.output[-4000:]


@pytest.fixture(scope="session")
def log_dir():
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    return LOG_DIR


@pytest.fixture(scope="module", autouse=True)
def module_timing(request):
    """Each module's wall clock into the timing table (tests/timings.py). Session fixtures are set
    up before it and time themselves, so the lab's start-up is not charged to the first module."""
    start = time.time()
    failed_before = request.session.testsfailed
    yield
    timings.record("integration", request.module.__name__, time.time() - start,
                   ok=request.session.testsfailed == failed_before, start=start)
