"""A converged lab stays converged: re-runs and check mode change nothing."""

import labkit


def test_second_run_changes_nothing(lab, log_dir):
    run = labkit.run_playbook("site.yml", log=log_dir / "site-second-run.log")
    assert run.returncode == 0, run.output[-4000:]
    hosts = {h.name for c in lab.clusters.values() for h in c.hosts}
    assert hosts <= set(run.recap), "some hosts missing from the recap"
    changed = {h: r["changed"] for h, r in run.recap.items() if r["changed"]}
    assert changed == {}, f"second run changed something: {changed}"


def test_check_diff_after_convergence_reports_no_change(lab, log_dir):
    run = labkit.run_playbook("site.yml", "--check", "--diff", log=log_dir / "site-check-diff.log")
    assert run.returncode == 0, run.output[-4000:]
    changed = {h: r["changed"] for h, r in run.recap.items() if r["changed"]}
    assert changed == {}, f"check mode would change: {changed}"
    assert "--- before" not in run.output
