# -*- coding: utf-8 -*-
"""Write a drill report (JSON, Markdown, JUnit XML, PNG timeline) and keep the trend across runs.

Layout under the report root:
  <root>/<run_id>/report.json     the machine-readable source of truth (docs/drill-report.schema.json)
  <root>/<run_id>/report.md       summary for people
  <root>/<run_id>/junit.xml       one test case per gate, so CI shows pass/fail
  <root>/<run_id>/timeline.png    produce and consume rates, fault/switch/recovery marked
  <root>/history.jsonl            one line per run: the trend's data
  <root>/trend.md, trend.png      RPO and RTO of the last runs, per scenario
"""

from __future__ import annotations

import json
import os
import shutil
from xml.etree import ElementTree

try:  # inside a module (AnsiballZ packs module_utils under ansible.module_utils)
    from ansible.module_utils.drill_metrics import rate_series
except ImportError:  # tests: plugins/module_utils on sys.path
    from drill_metrics import rate_series

SCHEMA_VERSION = 1


def write_json(path, report):
    with open(path, "w") as handle:
        json.dump(report, handle, indent=2, sort_keys=True)


def _fmt(value, unit=""):
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return "%.2f%s" % (value, unit)
    return "%s%s" % (value, unit)


def markdown(report):
    m = report["measurements"]
    lines = [
        "# Drill %s: %s" % (report["scenario"], "PASSED" if report["passed"] else "FAILED"),
        "",
        "Run `%s`, %s to %s. %s" % (report["run_id"], report["started"], report["finished"], report["description"]),
        "",
        "| measurement | value |",
        "|---|---|",
        "| acknowledged records | %s |" % m["acknowledged"],
        "| RPO (acknowledged records lost) | %s |" % m["rpo_records"],
        "| RPO (seconds of data) | %s |" % _fmt(m["rpo_seconds"], " s"),
        "| duplicates stored | %s |" % m["duplicates"],
        "| RTO to first produce | %s |" % _fmt(m["rto_produce_seconds"], " s"),
        "| RTO to first consume | %s |" % _fmt(m["rto_consume_seconds"], " s"),
        "| produce errors after the fault | %s |" % m["produce_errors_after_fault"],
        "| offset translation: re-read / skipped | %s / %s |" % (m["translation_re_read"], m["translation_skipped"]),
    ]
    for key, value in sorted(report.get("observations", {}).items()):
        lines.append("| %s | %s |" % (key.replace("_", " "), _fmt(value)))
    lines += ["", "| gate | limit | value | result |", "|---|---|---|---|"]
    for gate in report["gates"]:
        lines.append("| %s | %s | %s | %s |" % (gate["gate"], gate["limit"], _fmt(gate["value"]),
                                               "pass" if gate["passed"] else "**FAIL**"))
    if not report["gates"]:
        lines.append("| (none set) | | | |")
    lines += ["", "Timeline (seconds from the probe's start):", ""]
    start = report["timeline"]["start"]
    for name, when in sorted(report["marks"].items(), key=lambda kv: kv[1]):
        lines.append("- %6.1f s  %s" % (when - start, name))
    return "\n".join(lines) + "\n"


def junit(report):
    suite = ElementTree.Element("testsuite", name="meridian-drill.%s" % report["scenario"],
                                tests=str(max(1, len(report["gates"]))),
                                failures=str(sum(1 for g in report["gates"] if not g["passed"])),
                                errors="0", timestamp=report["started"],
                                time="%.1f" % report["duration_seconds"])
    props = ElementTree.SubElement(suite, "properties")
    for key in ("rpo_records", "rpo_seconds", "rto_produce_seconds", "rto_consume_seconds", "duplicates"):
        ElementTree.SubElement(props, "property", name=key, value=str(report["measurements"][key]))
    gates = report["gates"] or [{"gate": "drill_completed", "metric": "completed", "limit": None,
                                 "value": True, "passed": True}]
    for gate in gates:
        case = ElementTree.SubElement(suite, "testcase", classname="drill.%s" % report["scenario"],
                                      name=gate["gate"], time="0")
        if not gate["passed"]:
            failure = ElementTree.SubElement(case, "failure", message="%s = %s, limit %s" % (
                gate["metric"], gate["value"], gate["limit"]), type="GateMissed")
            failure.text = "run %s: %s measured %s, above the gate %s" % (
                report["run_id"], gate["metric"], gate["value"], gate["limit"])
    tree = ElementTree.ElementTree(ElementTree.Element("testsuites"))
    tree.getroot().append(suite)
    return tree


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")  # no display on CI runners or control hosts
    from matplotlib import pyplot
    return pyplot


def timeline_png(path, report, events):
    pyplot = _pyplot()
    start, end = report["timeline"]["start"], report["timeline"]["end"]
    fig, axis = pyplot.subplots(figsize=(10, 4), dpi=100)
    for kind, label, colour in (("ack", "produced (acknowledged/s)", "tab:blue"),
                                ("consume", "consumed (records/s)", "tab:green"),
                                ("err", "failed sends/s", "tab:red")):
        xs, ys = rate_series(events, start, end, kind)
        if any(ys):
            axis.plot(xs, ys, label=label, color=colour, linewidth=1.2)
    for name, when in sorted(report["marks"].items(), key=lambda kv: kv[1]):
        axis.axvline(when - start, color="grey", linestyle="--", linewidth=0.8)
        axis.text(when - start, axis.get_ylim()[1] * 0.95, " " + name, rotation=90, va="top", fontsize=8)
    axis.set_xlabel("seconds since the probe started")
    axis.set_ylabel("records per second")
    axis.set_title("%s (%s): RPO %s records, RTO produce %s" % (
        report["scenario"], report["run_id"], report["measurements"]["rpo_records"],
        _fmt(report["measurements"]["rto_produce_seconds"], " s")))
    axis.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    pyplot.close(fig)


def append_history(root, report):
    entry = {"run_id": report["run_id"], "scenario": report["scenario"], "started": report["started"],
             "passed": report["passed"]}
    for key in ("rpo_records", "rpo_seconds", "rto_produce_seconds", "rto_consume_seconds", "duplicates"):
        entry[key] = report["measurements"][key]
    with open(os.path.join(root, "history.jsonl"), "a") as handle:
        handle.write(json.dumps(entry, sort_keys=True) + "\n")


def read_history(root):
    path = os.path.join(root, "history.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_trend(root, history, last=20):
    """trend.md and trend.png: RPO and RTO of the last runs of each scenario."""
    by_scenario = {}
    for entry in history:
        by_scenario.setdefault(entry["scenario"], []).append(entry)
    lines = ["# Drill trend", ""]
    for scenario, runs in sorted(by_scenario.items()):
        lines += ["## %s" % scenario, "", "| run | started | RPO records | RTO produce s | RTO consume s | result |",
                  "|---|---|---|---|---|---|"]
        for run in runs[-last:]:
            lines.append("| %s | %s | %s | %s | %s | %s |" % (
                run["run_id"], run["started"], run["rpo_records"], _fmt(run["rto_produce_seconds"]),
                _fmt(run["rto_consume_seconds"]), "pass" if run["passed"] else "FAIL"))
        lines.append("")
    with open(os.path.join(root, "trend.md"), "w") as handle:
        handle.write("\n".join(lines))
    pyplot = _pyplot()
    fig, (rto_axis, rpo_axis) = pyplot.subplots(2, 1, figsize=(10, 6), dpi=100, sharex=False)
    for scenario, runs in sorted(by_scenario.items()):
        runs = runs[-last:]
        xs = list(range(len(runs)))
        rto_axis.plot(xs, [r["rto_produce_seconds"] if r["rto_produce_seconds"] is not None else float("nan")
                           for r in runs], marker="o", label=scenario)
        rpo_axis.plot(xs, [r["rpo_records"] for r in runs], marker="o", label=scenario)
    rto_axis.set_ylabel("RTO produce (s)")
    rpo_axis.set_ylabel("RPO (records)")
    rpo_axis.set_xlabel("run (oldest first, per scenario)")
    rto_axis.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(root, "trend.png"))
    pyplot.close(fig)


def prune(root, keep):
    """Keep the newest ``keep`` run directories (history.jsonl keeps every run's numbers)."""
    runs = sorted((d for d in os.listdir(root) if os.path.isfile(os.path.join(root, d, "report.json"))),
                  key=lambda d: os.path.getmtime(os.path.join(root, d, "report.json")))
    removed = runs[:-keep] if keep > 0 else []
    for name in removed:
        shutil.rmtree(os.path.join(root, name))
    return removed


def write_all(root, report, events, keep):
    run_dir = os.path.join(root, report["run_id"])
    os.makedirs(run_dir, exist_ok=True)
    files = {
        "json": os.path.join(run_dir, "report.json"),
        "markdown": os.path.join(run_dir, "report.md"),
        "junit": os.path.join(run_dir, "junit.xml"),
        "png": os.path.join(run_dir, "timeline.png"),
    }
    report["files"] = files
    write_json(files["json"], report)
    with open(files["markdown"], "w") as handle:
        handle.write(markdown(report))
    junit(report).write(files["junit"], encoding="utf-8", xml_declaration=True)
    timeline_png(files["png"], report, events)
    append_history(root, report)
    write_trend(root, read_history(root))
    files["trend"] = os.path.join(root, "trend.md")
    files["trend_png"] = os.path.join(root, "trend.png")
    pruned = prune(root, keep)
    return files, pruned
