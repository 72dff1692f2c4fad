#!/usr/bin/env python3
"""Failover drills, repeated: RTO median and max per scenario beside the detection floor Kafka's
and MirrorMaker 2's settings impose, and the RPO distribution. Every number comes from the
drills' own reports (playbooks/drill.yml), run one after the other on the same lab.

Floors, read from the running lab (not assumed):
  stretched: broker.session.timeout.ms (the controller fences a lost broker after it; its
             partitions get new leaders and the ISR shrinks only then);
  linked:    MirrorMaker 2's emit.checkpoints.interval.seconds and offset.flush.interval.ms (a
             failed-over group resumes at a checkpoint at most that old: it bounds re-reads, not
             RTO) and the drill's own reaction (the fault is injected, then clients move).

    make bench-drills      # needs the converged lab with the stretched cluster and the linked pair

Results: build/bench/drills.json and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
from pathlib import Path

from benchkit import OUT, ROOT, labkit

SCENARIOS = [
    ("stretched-region-loss", "lab", []),
    ("linked-unplanned-failover", "active-active", ["-e", "drill_primary=east", "-e", "drill_dr=west"]),
    ("linked-planned-switchover", "active-active", ["-e", "drill_primary=east", "-e", "drill_dr=west"]),
    ("failback", "active-active", ["-e", "drill_primary=east", "-e", "drill_dr=west"]),
]


def floors(clusters) -> dict:
    stretched = clusters["stretched"]
    controller = next(h for h in stretched.hosts if "controller" in h.roles)
    props = labkit.podman("exec", controller.container, "cat", "/etc/kafka/server.properties").stdout
    match = re.search(r"^broker\.session\.timeout\.ms=(\d+)", props, re.M)
    session_ms = int(match.group(1)) if match else 9000  # Kafka's default when the role sets none
    worker = next(h for h in clusters["west"].hosts if "mirror_maker" in h.roles)
    mm2 = labkit.podman("exec", worker.container, "cat", "/etc/mirror-maker/mm2.properties").stdout
    checkpoints = re.search(r"emit\.checkpoints\.interval\.seconds\s*=\s*(\d+)", mm2)
    flush = re.search(r"offset\.flush\.interval\.ms\s*=\s*(\d+)", mm2)
    return {"broker.session.timeout.ms": session_ms,
            "emit.checkpoints.interval.seconds": int(checkpoints.group(1)) if checkpoints else 60,
            "offset.flush.interval.ms": int(flush.group(1)) if flush else 60000}


def run_once(scenario: str, inventory: str, extra: list, state: Path, reports: Path, log: Path) -> dict:
    run = labkit.run_playbook("playbooks/drill.yml", "-e", f"drill_scenario={scenario}",
                              "-e", f"drill_state_dir={state}", "-e", f"drill_report_root={reports}", *extra,
                              inventory=ROOT / "inventories" / inventory, log=log)
    if run.returncode != 0:
        raise SystemExit(f"{scenario} failed (see {log})")
    latest = sorted(reports.glob(f"{scenario}-*/report.json"), key=lambda p: p.stat().st_mtime)[-1]
    return json.loads(latest.read_text())


def summary(values: list) -> dict:
    values = [v for v in values if v is not None]
    if not values:
        return {"median": None, "max": None, "min": None}
    return {"median": round(statistics.median(values), 2), "max": round(max(values), 2), "min": round(min(values), 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (default 5)")
    parser.add_argument("--scenarios", nargs="*", default=[s[0] for s in SCENARIOS])
    args = parser.parse_args()

    clusters = labkit.read_inventory()
    run = labkit.run_playbook("playbooks/replication.yml", inventory=ROOT / "inventories" / "active-active")
    if run.returncode != 0:
        raise SystemExit("deploying the active-active flows failed:\n" + run.output[-3000:])
    base = Path(tempfile.mkdtemp(prefix="bench-drills-", dir=OUT if OUT.exists() else None))
    state, reports = base / "state", base / "reports"
    floor = floors(clusters)
    results = {}
    # Interleaved (one of each scenario per round) so a slow spell of the machine hits them all.
    for round_no in range(args.runs):
        for scenario, inventory, extra in SCENARIOS:
            if scenario not in args.scenarios:
                continue
            report = run_once(scenario, inventory, extra, state, reports, base / f"{scenario}-{round_no}.log")
            m = report["measurements"]
            results.setdefault(scenario, []).append({
                "rto_produce_seconds": m["rto_produce_seconds"], "rto_consume_seconds": m["rto_consume_seconds"],
                "rpo_records": m["rpo_records"], "rpo_seconds": m["rpo_seconds"], "duplicates": m["duplicates"],
                "re_read": m["translation_re_read"], "lag_sampled_records": report["observations"].get("lag_sampled_records"),
                "lag_at_fault_records": report["observations"].get("lag_at_fault_records")})
            print(f"round {round_no + 1}/{args.runs} {scenario}: RTO produce {m['rto_produce_seconds']} s, "
                  f"consume {m['rto_consume_seconds']} s, RPO {m['rpo_records']}", flush=True)
        write_results(floor, results, reports)


def rpo_cell(pairs) -> str:
    return ", ".join(f"{rpo}" if lag is None else f"{rpo} ({lag})" for rpo, lag in pairs)


def write_results(floor, results, reports):
    """The table so far (written after every round, so an interrupted run keeps what it measured)."""
    table = {}
    for scenario, runs in results.items():
        table[scenario] = {
            "runs": len(runs),
            "rto_produce": summary([r["rto_produce_seconds"] for r in runs]),
            "rto_consume": summary([r["rto_consume_seconds"] for r in runs]),
            # Each run's RPO beside what the flow had not replicated at the fault (linked drills).
            "rpo_and_lag_at_fault": [[r["rpo_records"], r.get("lag_at_fault_records")] for r in runs],
            "duplicates": sorted(r["duplicates"] for r in runs),
            "re_read": sorted(r["re_read"] for r in runs),
        }
    out = {"floors": floor, "scenarios": table, "raw": results, "reports": str(reports)}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "drills.json").write_text(json.dumps(out, indent=2))
    print()
    print("| scenario | runs | RTO produce median / max (s) | RTO consume median / max (s) "
          "| RPO records (lag at the fault), each run | duplicates | re-read |")
    print("|---|---|---|---|---|---|---|")
    for scenario, row in table.items():
        print(f"| {scenario} | {row['runs']} | {row['rto_produce']['median']} / {row['rto_produce']['max']} | "
              f"{row['rto_consume']['median']} / {row['rto_consume']['max']} | {rpo_cell(row['rpo_and_lag_at_fault'])} | "
              f"{row['duplicates']} | {row['re_read']} |")
    print()
    print(f"floors: broker.session.timeout.ms = {floor['broker.session.timeout.ms']} ms; MirrorMaker 2 "
          f"emit.checkpoints.interval.seconds = {floor['emit.checkpoints.interval.seconds']}, "
          f"offset.flush.interval.ms = {floor['offset.flush.interval.ms']}")


if __name__ == "__main__":
    main()
