#!/usr/bin/env python3
"""Where `make test` spends its time: one table per run, printed and saved as JSON.

Stdlib only: the set-up stages run before the virtualenv exists.

    python3 tests/timings.py reset                           # start a new table
    python3 tests/timings.py stage set-up venv -- make venv   # time one command, keep its exit code
    python3 tests/timings.py parallel set-up 'venv=make venv' 'kafka-dist=make kafka-dist'
                                                             # several at once, each timed, output in
                                                             # build/test-logs/<group>-<name>.log
    python3 tests/timings.py report                          # print it; write build/test-logs/timings.json

Integration modules and the lab's own phases are recorded from inside pytest (record() below,
called by tests/integration/conftest.py). A failing stage prints the table so far before make stops.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "build" / "test-logs"
ENTRIES = LOG_DIR / "timings.jsonl"
TABLE = LOG_DIR / "timings.json"
# The order the table groups appear in, whatever order they were recorded in.
GROUPS = ("set-up", "unit and static", "lab", "integration", "molecule")


def record(group: str, name: str, seconds: float, ok: bool = True, start: float | None = None) -> None:
    """Append one timed entry (wall-clock seconds) to this run's table."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    end = time.time()
    entry = {"group": group, "name": name, "seconds": round(seconds, 1), "ok": ok,
             "start": round(start if start is not None else end - seconds, 1)}
    with ENTRIES.open("a") as out:
        out.write(json.dumps(entry) + "\n")


def entries() -> list:
    if not ENTRIES.exists():
        return []
    return [json.loads(line) for line in ENTRIES.read_text().splitlines() if line.strip()]


def table(rows: list) -> dict:
    """The run as JSON: every entry, a subtotal per group, and the wall clock from first to last."""
    order = {g: i for i, g in enumerate(GROUPS)}
    rows = sorted(rows, key=lambda r: (order.get(r["group"], len(GROUPS)), r["start"]))
    groups = {}
    for r in rows:
        groups[r["group"]] = round(groups.get(r["group"], 0.0) + r["seconds"], 1)
    wall = max((r["start"] + r["seconds"] for r in rows), default=0) - min((r["start"] for r in rows), default=0)
    return {"when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "wall_seconds": round(wall, 1),
            "groups": groups, "stages": rows}


def render(data: dict) -> str:
    lines = ["", "Where the time went (build/test-logs/timings.json)", "",
             "| group | stage | seconds | result |", "|---|---|---:|---|"]
    for r in data["stages"]:
        lines.append(f"| {r['group']} | {r['name']} | {r['seconds']:.1f} | {'ok' if r['ok'] else 'FAILED'} |")
    lines.append("")
    lines.append("| group | seconds |")
    lines.append("|---|---:|")
    for group, seconds in data["groups"].items():
        lines.append(f"| {group} | {seconds:.1f} |")
    # Stages may overlap (set-up runs in parallel), so the wall clock is not the sum.
    lines.append(f"| **wall clock** | **{data['wall_seconds']:.1f}** ({data['wall_seconds'] / 60:.1f} min) |")
    return "\n".join(lines)


def report() -> int:
    data = table(entries())
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    TABLE.write_text(json.dumps(data, indent=2) + "\n")
    print(render(data), flush=True)
    return 0


def stage(group: str, name: str, command: list) -> int:
    start = time.time()
    rc = subprocess.run(command).returncode
    record(group, name, time.time() - start, ok=rc == 0, start=start)
    if rc != 0:
        print(f"\nstage '{name}' failed (exit {rc})", file=sys.stderr)
        report()
    return rc


def parallel(group: str, jobs: list) -> int:
    """Run NAME=COMMAND jobs side by side (shell commands), each timed; print a failed one's log."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    running = []
    for job in jobs:
        name, _, command = job.partition("=")
        log = LOG_DIR / f"{group}-{name}.log"
        out = log.open("w")
        running.append((name, log, out, time.time(), subprocess.Popen(["bash", "-c", command], stdout=out,
                                                                        stderr=subprocess.STDOUT)))
    # Each job's time ends when it ends, not when the loop gets to it.
    failed, pending = [], list(running)
    while pending:
        for job in list(pending):
            name, log, out, start, proc = job
            rc = proc.poll()
            if rc is None:
                continue
            pending.remove(job)
            out.close()
            seconds = time.time() - start
            record(group, name, seconds, ok=rc == 0, start=start)
            print(f"{group} {name}: {'done' if rc == 0 else f'FAILED (exit {rc})'} in {seconds:.0f} s", flush=True)
            if rc != 0:
                failed.append(name)
                print(log.read_text()[-8000:], file=sys.stderr)
        time.sleep(0.5)
    if failed:
        report()
    return 1 if failed else 0


def main(argv: list) -> int:
    if argv[:1] == ["reset"]:
        ENTRIES.unlink(missing_ok=True)
        TABLE.unlink(missing_ok=True)
        return 0
    if argv[:1] == ["report"]:
        return report()
    if argv[:1] == ["parallel"] and len(argv) >= 3:
        return parallel(argv[1], argv[2:])
    if argv[:1] == ["stage"] and len(argv) >= 5 and argv[3] == "--":
        return stage(argv[1], argv[2], argv[4:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
