#!/usr/bin/env python3
"""Installer benchmark: the project's pins installed into a new virtualenv by pip and by uv.

Each repeat creates two fresh virtualenvs side by side in time (pip, then uv, in alternating
order from one repeat to the next, so both see the same load on a shared machine) and installs
requirements-dev.txt into each: with pip as the Makefile did before, and with uv
(requirements-bootstrap.txt) as it does now. uv gets an empty cache of its own every time, so
it downloads everything, as on a fresh machine; pip keeps whatever cache the machine has, which
only favours pip. Prints a markdown table of medians and the ratio; raw timings go to
build/bench/installer.json.

    .venv/bin/python bench/installer.py [--repeats 2]

Needs no lab, only python3.11 and the package index.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "bench"


def fresh_venv(path: Path) -> Path:
    subprocess.run(["python3.11", "-m", "venv", str(path)], check=True)
    return path / "bin"


def with_pip(work: Path) -> float:
    bin_dir = fresh_venv(work / "pip-venv")
    start = time.monotonic()
    subprocess.run([str(bin_dir / "pip"), "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(bin_dir / "pip"), "install", "--quiet", "-r", str(ROOT / "requirements-dev.txt")], check=True)
    return time.monotonic() - start


def with_uv(work: Path) -> float:
    bin_dir = fresh_venv(work / "uv-venv")
    start = time.monotonic()
    subprocess.run([str(bin_dir / "pip"), "install", "--quiet", "-r", str(ROOT / "requirements-bootstrap.txt")],
                   check=True)
    subprocess.run([str(bin_dir / "uv"), "pip", "install", "--quiet", "--python", str(bin_dir / "python"),
                    "-r", str(ROOT / "requirements-dev.txt")], check=True,
                   env=dict(os.environ, UV_CACHE_DIR=str(work / "uv-cache")))
    return time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    runs = {"pip": [], "uv": []}
    for repeat in range(args.repeats):
        order = [("pip", with_pip), ("uv", with_uv)]
        if repeat % 2:
            order.reverse()
        for name, install in order:
            with tempfile.TemporaryDirectory(prefix=f"bench-installer-{name}-") as work:
                seconds = install(Path(work))
            runs[name].append(round(seconds, 1))
            print(f"repeat {repeat + 1}: {name} {seconds:.1f} s", flush=True)
    pip_s, uv_s = statistics.median(runs["pip"]), statistics.median(runs["uv"])
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "installer.json").write_text(json.dumps({"runs": runs, "median_s": {"pip": pip_s, "uv": uv_s}}, indent=2))
    print("\n| installer | median seconds (requirements-dev.txt into a new virtualenv) |\n|---|---:|")
    print(f"| pip | {pip_s:.1f} |\n| uv | {uv_s:.1f} |\n\nuv / pip = {uv_s / pip_s:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
