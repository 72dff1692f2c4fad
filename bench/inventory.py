#!/usr/bin/env python3
"""Inventory benchmark: the meridian_terraform plugin against an equivalent static YAML inventory.

For contracts of 10, 100, 1000 and 5000 hosts the script writes, per size, a saved
`terraform output -json` contract with an inventory directory holding a meridian_terraform.yml
that reads it (outputs_file), and a static YAML inventory with the same hosts, host variables
and groups. It checks once that `ansible-inventory --list` yields the same inventory from both,
then times `ansible-inventory -i <dir> --list` on each, interleaved (plugin and static one after
the other, in alternating order, for every size, repeat after repeat) so both see the same load
on a shared machine. Prints a markdown table of medians; raw timings go to
build/bench/inventory.json.

    .venv/bin/python bench/inventory.py [--sizes 10 100 1000 5000] [--repeats 5]

Needs no lab: only the virtualenv's ansible-inventory.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchkit  # noqa: E402
from benchkit import OUT, ROOT, labkit  # noqa: E402

sys.path.insert(0, str(ROOT / "plugins" / "module_utils"))
import meridian_contract  # noqa: E402  (the plugin's own hostvars/groups rules, for the static twin)

REGIONS = ("us-east-1", "eu-west-1", "ap-south-1")


def contract(hosts: int) -> dict:
    """A valid contract of ``hosts`` hosts: stretched clusters of 9 nodes over three regions
    (a controller and two brokers per region), one MirrorMaker worker per cluster after that."""
    clusters, entries = {}, []
    n = 0
    c = 0
    while n < hosts:
        cname = "c%03d" % c
        clusters[cname] = {"topology": "stretched"}
        for i in range(10):
            if n >= hosts:
                break
            region = REGIONS[i % 3]
            roles = ["mirror_maker"] if i == 9 else (["controller"] if i < 3 else ["broker"])
            entries.append({
                "name": "%s-%d" % (cname, i), "address": "10.%d.%d.%d" % (c // 250, c % 250, i + 1),
                "platform": "aws", "cluster": cname, "roles": roles, "region": region,
                "zone": "%s%s" % (region, "abc"[i % 3]), "node_id": None if i == 9 else i + 1,
                "connection": {"ansible_host": "10.%d.%d.%d" % (c // 250, c % 250, i + 1), "ansible_user": "ec2-user",
                               "ansible_ssh_common_args": "-o ProxyJump=ec2-user@bastion.example.net"}})
            n += 1
        c += 1
    return {"contract_version": 1, "stack": "bench", "clusters": clusters, "hosts": entries}


def static_inventory(data: dict) -> dict:
    """The YAML inventory ansible's yaml plugin reads into the same hosts, vars and groups."""
    hosts, groups = {}, {}
    for h in data["hosts"]:
        hosts[h["name"]] = meridian_contract.contract_hostvars(data, h)
        for group in meridian_contract.contract_groups(h):
            groups.setdefault(group, {})[h["name"]] = None
    return {"all": {"hosts": hosts, "children": {g: {"hosts": members} for g, members in sorted(groups.items())}}}


def write_inventories(base: Path, hosts: int) -> tuple[Path, Path]:
    data = contract(hosts)
    base.mkdir(parents=True)
    (base / "outputs.json").write_text(json.dumps({"meridian_inventory": {"sensitive": False, "value": data}}))
    plugin_dir, static_dir = base / "plugin", base / "static"
    plugin_dir.mkdir()
    static_dir.mkdir()
    (plugin_dir / "bench.meridian_terraform.yml").write_text(
        "plugin: meridian_terraform\noutputs_file: ../outputs.json\n")
    with open(static_dir / "hosts.yml", "w") as f:
        yaml.dump(static_inventory(data), f, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False)
    return plugin_dir, static_dir


def ansible_inventory(inventory: Path) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([labkit.tool("ansible-inventory"), "-i", str(inventory), "--list"],
                          cwd=ROOT, env=labkit.lab_env(ANSIBLE_INVENTORY_UNPARSED_FAILED="true"),
                          capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit("ansible-inventory -i %s failed:\n%s" % (inventory, proc.stderr))
    return seconds, proc.stdout


def same_inventory(a: str, b: str) -> bool:
    def norm(text):
        data = labkit._plain(json.loads(text))
        hostvars = data.pop("_meta", {}).get("hostvars", {})
        groups = {g: sorted(v.get("hosts", [])) for g, v in data.items()}
        return hostvars, groups
    return norm(a) == norm(b)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=int, default=[10, 100, 1000, 5000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    times = {size: {"plugin": [], "static": []} for size in args.sizes}
    with tempfile.TemporaryDirectory(prefix="meridian-bench-inv-") as tmp:
        dirs = {size: write_inventories(Path(tmp) / str(size), size) for size in args.sizes}
        for size, (plugin_dir, static_dir) in dirs.items():  # also a warm-up run of each
            _, a = ansible_inventory(plugin_dir)
            _, b = ansible_inventory(static_dir)
            if not same_inventory(a, b):
                raise SystemExit("plugin and static inventories of %d hosts differ" % size)
        for rep in range(args.repeats):
            for size, (plugin_dir, static_dir) in dirs.items():
                order = (("plugin", plugin_dir), ("static", static_dir))
                for kind, path in (order if rep % 2 == 0 else order[::-1]):
                    times[size][kind].append(ansible_inventory(path)[0])
            print("repeat %d/%d done" % (rep + 1, args.repeats), file=sys.stderr)

    rows, previous = [], None
    for size in args.sizes:
        plugin, static = statistics.median(times[size]["plugin"]), statistics.median(times[size]["static"])
        rows.append({"hosts": size, "plugin_s": round(plugin, 3), "static_s": round(static, 3),
                     "ratio": round(plugin / static, 2),
                     "plugin_growth": round(plugin / previous, 2) if previous else None,
                     "raw": times[size]})
        previous = plugin
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "inventory.json").write_text(json.dumps(rows, indent=2))

    print("| hosts | meridian_terraform (s) | static YAML (s) | plugin / static | plugin time vs previous size |")
    print("|---|---|---|---|---|")
    for r in rows:
        growth = "x%.2f" % r["plugin_growth"] if r["plugin_growth"] else "-"
        print("| %d | %.2f | %.2f | %.2f | %s |" % (r["hosts"], r["plugin_s"], r["static_s"], r["ratio"], growth))
    print("\nmedians of %d interleaved runs of `ansible-inventory -i <dir> --list`" % args.repeats)
    return 0


if __name__ == "__main__":
    assert benchkit.ROOT == ROOT
    sys.exit(main())
