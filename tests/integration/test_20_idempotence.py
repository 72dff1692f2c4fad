"""A converged lab stays converged: re-runs and check mode change nothing."""

import json

import labkit

# Lab topologies this module needs (conftest.py); west is the check run's cluster with workers.
LAB_TOPOLOGIES = ("stretched", "single-region", "linked-pair")
# The re-run is of site.yml on the whole lab inventory: every topology that is up runs for it.
LAB_USES_WHOLE_INVENTORY = True


def test_second_run_changes_nothing(lab, log_dir):
    run = labkit.run_playbook("site.yml", log=log_dir / "site-second-run.log")
    assert run.returncode == 0, run.output[-4000:]
    hosts = {h.name for c in lab.clusters.values() for h in c.hosts}
    assert hosts <= set(run.recap), "some hosts missing from the recap"
    changed = {h: r["changed"] for h, r in run.recap.items() if r["changed"]}
    assert changed == {}, f"second run changed something: {changed}"
    # The re-run against the first converge of the same hosts, side by side in one run (the
    # target: a quarter or less; docs/benchmarks.md).
    if lab.first_converge:
        ratio = {"hosts": len(hosts), "first_converge_s": round(lab.first_converge.seconds, 1),
                 "rerun_s": round(run.seconds, 1), "ratio": round(run.seconds / lab.first_converge.seconds, 3)}
        (log_dir / "rerun-ratio.json").write_text(json.dumps(ratio, indent=2) + "\n")


# One cluster of each shape runs every task of site.yml in check mode: separate controllers and
# brokers (stretched), combined nodes (single), a node with MirrorMaker workers (west). The other
# lab clusters repeat these shapes and would only double the run on two shared cores.
CHECK_MODE_CLUSTERS = ("stretched", "single", "west")


def test_check_diff_after_convergence_reports_no_change(lab, log_dir):
    limit = ":".join(f"cluster_{name}" for name in CHECK_MODE_CLUSTERS)
    run = labkit.run_playbook("site.yml", "--check", "--diff", "-l", limit, log=log_dir / "site-check-diff.log")
    assert run.returncode == 0, run.output[-4000:]
    hosts = {h.name for name in CHECK_MODE_CLUSTERS for h in lab.clusters[name].hosts}
    assert hosts <= set(run.recap), f"hosts missing from the recap: {hosts - set(run.recap)}"
    assert any(h.roles == ["mirror_maker"] for h in lab.clusters["west"].hosts)
    changed = {h: r["changed"] for h, r in run.recap.items() if r["changed"]}
    assert changed == {}, f"check mode would change: {changed}"
    assert "--- before" not in run.output
