"""Report writers: valid JSON (schema), JUnit a JUnit parser reads, a real PNG, trend and retention."""

import json
from pathlib import Path

import jsonschema
import pytest
from junitparser import JUnitXml
from PIL import Image

from drill_metrics import gate_results, measure
from drill_report_files import markdown, prune, read_history, write_all

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "drill-report.schema.json").read_text())


def events(start=1000.0, seconds=30, rate=10, fault=1010.0, outage=5.0):
    out = []
    for i in range(seconds * rate):
        ts = start + i / rate
        if fault <= ts < fault + outage:
            out.append({"e": "err", "seq": i, "ts": ts, "t": ts + 5, "c": "east", "err": "x"})
            continue
        c = "east" if ts < fault else "west"
        out.append({"e": "ack", "seq": i, "ts": ts, "t": ts + 0.02, "c": c, "p": 0, "o": i})
        out.append({"e": "consume", "seq": i, "t": ts + 0.5, "c": c, "topic": "t", "p": 0, "o": i})
    return out


def report_for(run_id, gates, evs):
    marks = {"fault": 1010.0, "switch": 1015.0}
    found = {"west": [e["seq"] for e in evs if e["e"] == "ack"]}
    measured = measure(evs, marks, found, ["west"])
    checked = gate_results(measured, gates)
    return {"schema_version": 1, "scenario": "linked-unplanned-failover", "description": "test", "run_id": run_id,
            "started": "2026-11-26T07:00:00Z", "finished": "2026-11-26T07:00:30Z", "duration_seconds": 30.0,
            "passed": all(g["passed"] for g in checked), "survivors": ["west"], "verified_topics": {"west": ["t"]},
            "marks": marks, "timeline": {"start": 1000.0, "end": 1030.0}, "measurements": measured,
            "observations": {"lag_sampled_records": 3}, "gates": checked}


@pytest.mark.parametrize("gates, failures", [
    ({"drill_rpo_max_records": 0, "drill_rto_max_seconds": 60}, 0),
    ({"drill_rpo_max_records": 0, "drill_rto_max_seconds": 1}, 1),
    ({}, 0),
])
def test_written_files_are_valid(tmp_path, gates, failures):
    evs = events()
    report = report_for("run-1", gates, evs)
    files, pruned = write_all(str(tmp_path), report, evs, keep=5)
    assert pruned == []
    written = json.loads(Path(files["json"]).read_text())
    jsonschema.validate(written, SCHEMA)
    suite = next(iter(JUnitXml.fromfile(files["junit"])))
    assert suite.failures == failures and suite.tests == max(1, len(gates))
    with Image.open(files["png"]) as image:
        assert image.format == "PNG" and image.size == (1000, 400)
    assert Path(files["png"]).stat().st_size > 10_000
    text = Path(files["markdown"]).read_text()
    assert ("FAILED" in text) == bool(failures) and "RTO to first produce" in text
    assert Path(files["trend"]).exists() and Path(files["trend_png"]).stat().st_size > 5_000


def test_markdown_lists_gates_and_marks():
    evs = events()
    text = markdown(report_for("run-x", {"drill_rpo_max_records": 0}, evs))
    assert "| drill_rpo_max_records | 0 | 0 | pass |" in text
    assert "fault" in text and "switch" in text and "lag sampled records" in text


def test_history_grows_and_old_runs_are_pruned(tmp_path):
    evs = events(seconds=12)
    for n in range(4):
        write_all(str(tmp_path), report_for("run-%d" % n, {}, evs), evs, keep=2)
    assert [h["run_id"] for h in read_history(str(tmp_path))] == ["run-0", "run-1", "run-2", "run-3"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["run-2", "run-3"]
    assert "| run-0 |" in (tmp_path / "trend.md").read_text()
    assert prune(str(tmp_path), 1) == ["run-2"]
