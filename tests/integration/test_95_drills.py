"""Failover drills end to end on the lab: each scenario's measured numbers against its promise,
checked again by an independent consumer; gates, refusals, check mode, a killed drill, the lock,
the report files and the schedule role.

Numbers are never hard-coded: RPO is bounded by what the drill itself measured (the lag at the
fault), and the independent read-back must agree with the drill's report.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import jsonschema
import labkit
import pytest

import lab_faults

# Lab topologies this module needs (conftest.py). Every host runs for it: a drill must leave every
# container of the estate running, and assert_estate_restored checks all of them. single-region is
# the cluster a drill must refuse (it is not marked drill_allowed).
LAB_TOPOLOGIES = ("stretched", "single-region", "linked-pair", "edge-to-core", "migration")
LAB_USES_WHOLE_INVENTORY = True

ROOT = labkit.ROOT
INVENTORIES = ROOT / "inventories"
SCHEMA = json.loads((ROOT / "docs" / "drill-report.schema.json").read_text())
PAIR = ["-e", "drill_primary=east", "-e", "drill_dr=west"]
EDGE = ["-e", "drill_edge=edge-1", "-e", "drill_core=core"]


@pytest.fixture(scope="module")
def drills(linked_lab, log_dir, tmp_path_factory):
    """Flows for the linked drills (active-active east<->west, edge-to-core) and a state and report
    directory of the tests' own."""
    for inventory in ("active-active", "edge-to-core"):
        run = labkit.run_playbook("playbooks/replication.yml", inventory=INVENTORIES / inventory,
                                  log=log_dir / f"drills-flows-{inventory}.log")
        assert run.returncode == 0, run.output[-4000:]
    base = tmp_path_factory.mktemp("drills")
    return Drills(linked_lab, base / "state", base / "reports", log_dir)


class Drills:
    def __init__(self, lab, state: Path, reports: Path, log_dir: Path):
        self.lab, self.state, self.reports, self.log_dir = lab, state, reports, log_dir

    def args(self, scenario: str, *extra: str) -> list:
        # Shorter than the defaults: enough load before the fault and time on the surviving side to
        # measure, without making the suite slower than it needs to be.
        return ["-e", f"drill_scenario={scenario}", "-e", f"drill_state_dir={self.state}",
                "-e", f"drill_report_root={self.reports}", "-e", "drill_steady_seconds=6",
                "-e", "drill_outage_seconds=12", *extra]

    def run(self, inventory: str, scenario: str, *extra: str, log: str | None = None) -> labkit.PlaybookRun:
        return labkit.run_playbook("playbooks/drill.yml", *self.args(scenario, *extra),
                                   inventory=INVENTORIES / inventory, log=self.log_dir / f"drill-{log or scenario}.log")

    def latest(self, scenario: str) -> dict:
        reports = sorted(self.reports.glob(f"{scenario}-*/report.json"), key=lambda p: p.stat().st_mtime)
        assert reports, f"no report for {scenario} under {self.reports}"
        report = json.loads(reports[-1].read_text())
        jsonschema.validate(report, SCHEMA)
        return report

    def events(self, report: dict) -> list:
        path = self.state / "runs" / report["run_id"] / "probe" / "events.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def acked_before(events: list, until: float) -> set:
    return {e["seq"] for e in events if e["e"] == "ack" and e["t"] <= until}


def independent_read(cluster, topics: list) -> list:
    """Every probe sequence number stored in these topics, read by the test's own consumer."""
    seqs = []
    present = labkit.list_topics(cluster.bootstrap())
    for topic in topics:
        if topic in present:
            seqs.extend(json.loads(r[3])["seq"] for r in labkit.consume_all(cluster.bootstrap(), topic, idle_timeout_s=5))
    return seqs


def assert_estate_restored(lab, flows=()):
    states = {h.container: labkit.podman("inspect", "-f", "{{.State.Status}}", h.container).stdout.strip()
              for c in lab.clusters.values() for h in c.hosts}
    assert set(states.values()) == {"running"}, {k: v for k, v in states.items() if v != "running"}
    assert lab_faults.active_rules() == [], lab_faults.active_rules()
    assert not lab_faults.shaped()
    for source, target in flows:
        labkit.wait_until(lambda: flowing(lab, source, target), 240, interval_s=5,
                          what=f"replication {source} -> {target} running again")


def flowing(lab, source: str, target: str) -> bool:
    """A record written to the source now arrives on the target (the flow runs again)."""
    topic = f"probe.flowing.{int(time.time() * 1000)}"
    src, dst = lab.clusters[source], lab.clusters[target]
    labkit.create_topic(src.bootstrap(), topic, partitions=1)
    producer = labkit.AckedProducer(src.bootstrap(), topic)
    producer.send_many(0, 1)
    producer.close()
    remote = f"{source}.{topic}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if remote in labkit.list_topics(dst.bootstrap()) and labkit.consume_all(dst.bootstrap(), remote, idle_timeout_s=3):
            return True
        time.sleep(3)
    return False


# --- scenarios ------------------------------------------------------------------------------------
def test_stretched_region_loss_loses_nothing(drills):
    run = drills.run("lab", "stretched-region-loss")
    assert run.returncode == 0, run.output[-5000:]
    report = drills.latest("stretched-region-loss")
    m = report["measurements"]
    assert m["rpo_records"] == 0 and report["passed"]
    assert m["rto_produce_seconds"] is not None and m["rto_produce_seconds"] <= 60
    # Independent check: every acknowledged sequence number is on the surviving cluster.
    events = drills.events(report)
    stored = independent_read(drills.lab.stretched, report["verified_topics"]["stretched"])
    assert acked_before(events, report["marks"]["verified"]) <= set(stored)
    assert_estate_restored(drills.lab)
    # The region's brokers lead their preferred partitions again.
    client = labkit.admin(drills.lab.stretched.bootstrap())
    try:
        (topic,) = client.describe_topics(report["verified_topics"]["stretched"])
    finally:
        client.close()
    assert [p["leader_id"] for p in topic["partitions"]] == [p["replica_nodes"][0] for p in topic["partitions"]]


def test_linked_unplanned_failover_loses_at_most_the_lag(drills):
    run = drills.run("active-active", "linked-unplanned-failover", *PAIR)
    assert run.returncode == 0, run.output[-5000:]
    report = drills.latest("linked-unplanned-failover")
    m, marks, events = report["measurements"], report["marks"], drills.events(report)
    # The lag at the fault: what the flow had not replicated when sampled, plus what the primary
    # acknowledged between that sample and the fault.
    acked_after_sample = len({e["seq"] for e in events if e["e"] == "ack" and e["c"] == "east"
                              and marks["lag_sample"] < e["t"] <= marks["fault"] + 5})
    lag_at_fault = report["observations"]["lag_sampled_records"] + acked_after_sample
    assert m["rpo_records"] <= lag_at_fault, (m["rpo_records"], lag_at_fault)
    assert m["rpo_records"] <= report["observations"]["lag_at_fault_records"] <= lag_at_fault
    assert m["rto_produce_seconds"] is not None and m["rto_produce_seconds"] <= 60
    assert m["rto_consume_seconds"] is not None
    # Independent check on the DR cluster: the same records are missing as the drill reported.
    stored = set(independent_read(drills.lab.clusters["west"], report["verified_topics"]["west"]))
    missing = acked_before(events, marks["verified"]) - stored
    assert len(missing) <= m["rpo_records"], (sorted(missing)[:10], m["rpo_records"])
    assert_estate_restored(drills.lab, flows=[("east", "west"), ("west", "east")])


def test_planned_switchover_loses_nothing(drills):
    run = drills.run("active-active", "linked-planned-switchover", *PAIR)
    assert run.returncode == 0, run.output[-5000:]
    report = drills.latest("linked-planned-switchover")
    m = report["measurements"]
    assert m["rpo_records"] == 0
    assert m["translation_skipped"] == 0
    assert m["rto_produce_seconds"] is not None and m["rto_produce_seconds"] <= 60
    stored = set(independent_read(drills.lab.clusters["west"], report["verified_topics"]["west"]))
    assert acked_before(drills.events(report), report["marks"]["verified"]) <= stored


def test_probe_runs_as_a_service_on_a_client_host(drills):
    client = next(h for h in drills.lab.clusters["west"].hosts if h.name == "west-mm2-2")
    run = drills.run("active-active", "linked-planned-switchover", *PAIR, "-e", f"drill_probe_host={client.name}",
                     log="probe-on-client-host")
    assert run.returncode == 0, run.output[-5000:]
    report = drills.latest("linked-planned-switchover")
    assert report["measurements"]["rpo_records"] == 0 and report["measurements"]["acknowledged"] > 0
    # It ran there, under systemd, and is gone: only its files remain.
    runs = labkit.podman("exec", client.container, "ls", "/opt/meridian-probe/runs").stdout.split()
    assert report["run_id"] in runs
    units = labkit.podman("exec", client.container, "systemctl", "list-units", "--all", "--no-legend",
                          "meridian-probe-*").stdout
    assert units.strip() == "", units
    journal = labkit.podman("exec", client.container, "journalctl", "--no-pager", "-u", "meridian-probe-*").stdout
    assert "Started meridian-probe-" in journal and "meridian_probe.py" in journal, journal[-2000:]


def test_failback_brings_back_everything_written_during_the_outage(drills):
    run = drills.run("active-active", "failback", *PAIR)
    assert run.returncode == 0, run.output[-5000:]
    report = drills.latest("failback")
    m, events = report["measurements"], drills.events(report)
    assert m["rpo_records"] == 0
    written_on_dr = {e["seq"] for e in events if e["e"] == "ack" and e["c"] == "west"}
    assert written_on_dr, "the probe wrote to the DR cluster during the outage"
    stored = set(independent_read(drills.lab.clusters["east"], report["verified_topics"]["east"]))
    assert written_on_dr <= stored
    assert acked_before(events, report["marks"]["verified"]) <= stored
    assert m["rto_produce_seconds"] is not None and m["rto_produce_seconds"] <= 60


def test_edge_disconnect_catches_up_exactly_once(drills):
    run = drills.run("edge-to-core", "edge-disconnect", *EDGE, "-e", "drill_edge_disconnect_seconds=30")
    assert run.returncode == 0, run.output[-5000:]
    report = drills.latest("edge-disconnect")
    m = report["measurements"]
    assert m["rpo_records"] == 0
    assert m["duplicates"] == 0, "the edge-1 -> core flow is exactly-once"
    assert report["observations"]["catch_up_seconds"] >= 0
    stored = independent_read(drills.lab.clusters["core"], report["verified_topics"]["core"])
    assert acked_before(drills.events(report), report["marks"]["verified"]) <= set(stored)
    assert len(stored) == len(set(stored))


# --- gates, safety ----------------------------------------------------------------------------------
def test_missed_gate_fails_after_restoring(drills):
    run = drills.run("edge-to-core", "edge-disconnect", *EDGE, "-e", "drill_edge_disconnect_seconds=10",
                     "-e", "drill_rto_max_seconds=0", log="gate-missed")
    assert run.returncode != 0
    assert "missed its gates" in run.output and "drill_rto_max_seconds" in run.output
    report = drills.latest("edge-disconnect")
    assert not report["passed"]
    junit = report["files"]["junit"]
    from junitparser import JUnitXml
    suite = next(iter(JUnitXml.fromfile(junit)))
    assert suite.failures == 1
    assert_estate_restored(drills.lab, flows=[("edge-1", "core")])


def test_drill_on_a_cluster_not_allowed_is_refused(drills):
    run = drills.run("lab", "stretched-region-loss", "-e", "drill_cluster=single", log="refused")
    assert run.returncode != 0
    assert "not marked drill_allowed: true" in run.output and "nothing was changed" in run.output
    assert not (drills.state / "journal.json").exists() or json.loads((drills.state / "journal.json").read_text()) == []
    assert not (drills.state / "drill.lock").exists()


def test_check_mode_prints_the_plan_and_changes_nothing(drills):
    topics_before = labkit.list_topics(drills.lab.clusters["east"].bootstrap())
    runs_before = set((drills.state / "runs").glob("*")) if (drills.state / "runs").exists() else set()
    run = labkit.run_playbook("playbooks/drill.yml", *drills.args("linked-unplanned-failover", *PAIR), "--check",
                              inventory=INVENTORIES / "active-active", log=drills.log_dir / "drill-check-mode.log")
    assert run.returncode == 0, run.output[-5000:]
    assert "podman stop" in run.output and "check mode: nothing changes" in run.output
    assert labkit.list_topics(drills.lab.clusters["east"].bootstrap()) == topics_before
    runs_after = set((drills.state / "runs").glob("*")) if (drills.state / "runs").exists() else set()
    assert runs_after == runs_before
    assert not (drills.state / "drill.lock").exists()
    assert_estate_restored(drills.lab)


def test_killed_drill_is_restored_and_the_lock_holds(drills):
    cmd = [labkit.tool("ansible-playbook"), "-i", str(INVENTORIES / "edge-to-core"), "playbooks/drill.yml",
           *drills.args("edge-disconnect", *EDGE, "-e", "drill_edge_disconnect_seconds=300")]
    log = (drills.log_dir / "drill-killed.log").open("w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=labkit.lab_env(ANSIBLE_NOCOLOR="1"), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    journal = drills.state / "journal.json"
    try:
        labkit.wait_until(lambda: journal.exists() and any(e.get("record") for e in json.loads(journal.read_text())),
                          240, interval_s=1, what="the fault journaled")
        # While it runs, a second drill is refused by the lock.
        second = drills.run("active-active", "linked-planned-switchover", *PAIR, log="locked-out")
        assert second.returncode != 0 and "another drill is running" in second.output
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        log.close()
    assert lab_faults.active_rules(), "the killed drill's partition is still in place"
    # The next drill refuses to start over a dead drill's faults.
    refused = drills.run("active-active", "linked-planned-switchover", *PAIR, log="stale-lock")
    assert refused.returncode != 0 and "drill_restore.yml" in refused.output
    restore = labkit.run_playbook("playbooks/drill_restore.yml", "-e", f"drill_state_dir={drills.state}",
                                  inventory=INVENTORIES / "edge-to-core", log=drills.log_dir / "drill-restore.log")
    assert restore.returncode == 0, restore.output[-4000:]
    assert json.loads(journal.read_text()) == []
    assert not (drills.state / "drill.lock").exists()
    probes = subprocess.run(["pgrep", "-f", "meridian_probe.py"], capture_output=True, text=True).stdout.split()
    assert probes == [], probes
    assert_estate_restored(drills.lab, flows=[("edge-1", "core")])


# --- reports and schedule ----------------------------------------------------------------------------
def test_report_files_are_valid(drills):
    from junitparser import JUnitXml
    from PIL import Image
    reports = sorted(drills.reports.glob("*/report.json"))
    assert reports, "the drills above wrote reports"
    for path in reports:
        report = json.loads(path.read_text())
        jsonschema.validate(report, SCHEMA)
        suites = list(JUnitXml.fromfile(report["files"]["junit"]))
        assert suites and suites[0].tests >= 1
        with Image.open(report["files"]["png"]) as image:
            image.verify()
        with Image.open(report["files"]["png"]) as image:
            assert image.size[0] >= 600 and image.size[1] >= 300
        assert Path(report["files"]["png"]).stat().st_size > 10_000
        assert "# Drill " in Path(report["files"]["markdown"]).read_text()
    history = (drills.reports / "history.jsonl").read_text().splitlines()
    assert len(history) == len(reports)
    scenarios = {json.loads(p.read_text())["scenario"] for p in reports}
    assert (drills.reports / "trend.md").read_text().count("## ") == len(scenarios)
    assert (drills.reports / "trend.png").stat().st_size > 10_000


def test_schedule_role_installs_a_timer(drills, log_dir):
    host = drills.lab.clusters["legacy"].hosts[0]
    for state in ("present", "absent"):
        run = labkit.run_playbook("tests/integration/playbooks/drill_schedule.yml", "-l", host.name,
                                  "-e", f"drill_schedule_state={state}", log=log_dir / f"drill-schedule-{state}.log")
        assert run.returncode == 0, run.output[-4000:]
        listed = labkit.podman("exec", host.container, "systemctl", "list-timers", "--all", "--no-pager").stdout
        assert ("meridian-drill-lab-weekly.timer" in listed) == (state == "present"), listed
        if state == "present":
            again = labkit.run_playbook("tests/integration/playbooks/drill_schedule.yml", "-l", host.name,
                                        log=log_dir / "drill-schedule-again.log")
            assert again.returncode == 0 and again.changed == 0, again.output[-4000:]
            unit = labkit.podman("exec", host.container, "systemctl", "cat", "meridian-drill-lab-weekly.service").stdout
            assert "drill.yml -e @/etc/meridian/drill-lab-weekly.json" in unit
