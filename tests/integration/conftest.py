"""One lab deployment (both lab topologies) shared by every integration test.

Set MERIDIAN_LAB_REUSE=1 to test an already-converged lab without provisioning it again, and
MERIDIAN_KEEP_LAB=1 to leave the lab running afterwards.
"""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "lab"))

import labkit  # noqa: E402

LAB_TOPOLOGIES = "stretched single-region"
LOG_DIR = ROOT / "build" / "test-logs"


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
    run = labkit.run_playbook("site.yml", log=LOG_DIR / "site-first-converge.log")
    assert run.returncode == 0, f"site.yml failed (see {LOG_DIR}/site-first-converge.log):\n{run.output[-6000:]}"
    clusters = labkit.read_inventory()
    assert {"stretched", "single"} <= set(clusters), f"lab clusters: {sorted(clusters)}"
    yield Lab(clusters, run)
    if not os.environ.get("MERIDIAN_KEEP_LAB"):
        subprocess.run(["make", "--no-print-directory", "lab-down"], cwd=ROOT, check=False)


@pytest.fixture
def log_dir():
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    return LOG_DIR
