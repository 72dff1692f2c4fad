"""One lab deployment (every lab topology) shared by every integration test.

Set MERIDIAN_LAB_REUSE=1 to test a running lab without provisioning it again (=converged also
skips the first site.yml run; tests that check that run then skip), and MERIDIAN_KEEP_LAB=1 to
leave the lab running afterwards.
"""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "lab"))
sys.path.insert(0, str(ROOT / "plugins" / "module_utils"))  # lab_faults
sys.path.insert(0, str(ROOT / "tests"))  # kafka_fixtures

import labkit  # noqa: E402

# Every topology: the linked ones (MirrorMaker) run beside the stretched and single-region clusters.
LAB_TOPOLOGIES = "stretched single-region linked-pair edge-to-core migration"
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


@pytest.fixture(scope="session")
def lab():
    if not os.environ.get("MERIDIAN_LAB_REUSE"):
        subprocess.run(["make", "--no-print-directory", "lab-up", f"LAB_TOPOLOGIES={LAB_TOPOLOGIES}"],
                       cwd=ROOT, check=True)
    run = None
    if os.environ.get("MERIDIAN_LAB_REUSE") != "converged":
        run = labkit.run_playbook("site.yml", log=LOG_DIR / "site-first-converge.log")
        assert run.returncode == 0, f"site.yml failed (see {LOG_DIR}/site-first-converge.log):\n{run.output[-6000:]}"
    clusters = labkit.read_inventory()
    assert {"stretched", "single"} <= set(clusters), f"lab clusters: {sorted(clusters)}"
    yield Lab(clusters, run)
    if not os.environ.get("MERIDIAN_KEEP_LAB"):
        subprocess.run(["make", "--no-print-directory", "lab-down"], cwd=ROOT, check=False)


@pytest.fixture(scope="session")
def linked_lab(lab, log_dir):
    """The lab for tests that deploy replication flows (test_85, test_95): handed back once, at the
    end, as inventories/lab leaves it (no flows: workers stopped), so re-runs on a reused lab start
    from the same state."""
    missing = [c for c in LINKED_CLUSTERS if c not in lab.clusters]
    assert not missing, f"linked lab clusters missing: {missing} (LAB_TOPOLOGIES)"
    yield lab
    run = labkit.run_playbook("playbooks/replication.yml", log=log_dir / "replication-lab-restore.log")
    assert run.returncode == 0, run.output[-4000:]


@pytest.fixture(scope="session")
def log_dir():
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    return LOG_DIR
