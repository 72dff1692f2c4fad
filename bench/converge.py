#!/usr/bin/env python3
"""Converge benchmark: first converge of each lab topology from empty hosts vs an idempotent re-run.

Both runs of a topology happen back to back on the same hosts, so the ratio is comparable even
on a shared, noisy machine. The lab is provisioned through the python-terraform adapter.

    make bench            # or: .venv/bin/python bench/converge.py [--topologies single-region stretched]

Removes any running lab first and leaves none behind. Results: build/bench/converge.json.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "lab"), str(ROOT / "plugins" / "module_utils")]

import labkit  # noqa: E402
import terraform_adapter  # noqa: E402

STACK = ROOT / "terraform" / "lab"
OUT = ROOT / "build" / "bench"


def provision(topologies, var_file: Path):
    var_file.write_text(json.dumps({"topologies": topologies}))
    terraform_adapter.apply(str(STACK), var_files=[str(var_file)])


def teardown(var_file: Path):
    if (STACK / "terraform.tfstate").exists():
        terraform_adapter.destroy(str(STACK), var_files=[str(var_file)])


def bench_topology(topology: str, var_file: Path) -> dict:
    teardown(var_file)
    provision([topology], var_file)
    try:
        hosts = sum(len(c.hosts) for c in labkit.read_inventory().values())
        first = labkit.run_playbook("site.yml", log=OUT / f"{topology}-first.log")
        if first.returncode != 0:
            raise SystemExit(f"first converge of {topology} failed, see {OUT}/{topology}-first.log")
        rerun = labkit.run_playbook("site.yml", log=OUT / f"{topology}-rerun.log")
        if rerun.returncode != 0 or rerun.changed:
            raise SystemExit(f"re-run of {topology} failed or changed something, see {OUT}/{topology}-rerun.log")
        return {"topology": topology, "hosts": hosts, "first_converge_s": round(first.seconds, 1),
                "rerun_s": round(rerun.seconds, 1), "rerun_changed": rerun.changed,
                "ratio": round(rerun.seconds / first.seconds, 3)}
    finally:
        teardown(var_file)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topologies", nargs="+", default=["single-region", "stretched"])
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    terraform_adapter.init(str(STACK))
    with tempfile.TemporaryDirectory() as tmp:
        var_file = Path(tmp) / "bench.tfvars.json"
        var_file.write_text(json.dumps({"topologies": ["stretched"]}))
        results = [bench_topology(t, var_file) for t in args.topologies]
    report = {"when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "results": results}
    (OUT / "converge.json").write_text(json.dumps(report, indent=2))
    print("| topology | hosts | first converge (s) | idempotent re-run (s) | re-run / first |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r['topology']} | {r['hosts']} | {r['first_converge_s']} | {r['rerun_s']} | {r['ratio']:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
