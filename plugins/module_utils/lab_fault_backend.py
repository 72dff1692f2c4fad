# -*- coding: utf-8 -*-
"""Drill faults in the lab: podman stop, kill or pause of a region's containers, loopback
partitions (iptables) and bandwidth caps (tc), all on the machine that runs the lab.

Hosts are the drill's fault hosts; each names its container in ``container`` (the contract's
``connection.ansible_host``) and its loopback address in ``address``.
"""

from __future__ import annotations

import os
import subprocess

try:  # inside a module (AnsiballZ packs module_utils under ansible.module_utils)
    from ansible.module_utils import lab_faults
    from ansible.module_utils.fault_backends import FaultBackend, FaultError
except ImportError:  # tests: plugins/module_utils on sys.path
    import lab_faults
    from fault_backends import FaultBackend, FaultError

_PORT = 9092


def _region_cidr(address):
    # One /16 of 127.0.0.0/8 per lab region (terraform/lab).
    return lab_faults.loopback_cidr(address.rsplit(".", 2)[0] + ".0.0/16")


class LabFaults(FaultBackend):
    name = "lab"
    KINDS = ("stop", "kill", "pause", "partition", "bandwidth")

    def __init__(self, containers_conf=None):
        self.env = dict(os.environ)
        if containers_conf:
            self.env["CONTAINERS_CONF"] = containers_conf

    # --- helpers ------------------------------------------------------------------------------
    def _podman(self, *args, check=True):
        proc = subprocess.run(["podman", *args], env=self.env, capture_output=True, text=True)
        if check and proc.returncode != 0:
            raise FaultError("podman %s failed: %s" % (" ".join(args), proc.stderr.strip()))
        return proc

    def _state(self, container):
        proc = self._podman("inspect", "-f", "{{.State.Status}}", container, check=False)
        return proc.stdout.strip() if proc.returncode == 0 else "missing"

    def _side(self, hosts):
        side = []
        for host in hosts:
            pid = int(self._podman("inspect", "-f", "{{.State.Pid}}", host["container"]).stdout.strip())
            side.append((lab_faults.container_cgroup(pid), _region_cidr(host["address"])))
        return side

    def check(self, fault):
        super().check(fault)
        for host in fault["hosts"] + fault.get("peers", []):
            if not host.get("container") or not host.get("address"):
                raise FaultError("lab host %s needs container and address" % host.get("name"))
            _region_cidr(host["address"])
        if fault["kind"] == "partition" and not fault.get("peers"):
            raise FaultError("a partition needs peers: the hosts on the other side")
        if fault["kind"] == "bandwidth":
            lab_faults._rate(fault.get("rate") or "")

    # --- interface ----------------------------------------------------------------------------
    def plan(self, fault):
        self.check(fault)
        names = ", ".join(h["container"] for h in fault["hosts"])
        kind = fault["kind"]
        if kind in ("stop", "kill", "pause"):
            return ["podman %s %s (region %s of cluster %s)" % (kind, names, fault.get("region"), fault.get("cluster"))]
        ranges = sorted({_region_cidr(h["address"]) for h in fault["hosts"]})
        if kind == "partition":
            peers = sorted({_region_cidr(h["address"]) for h in fault["peers"]})
            return ["iptables chain %s: drop traffic between %s and %s (containers %s and %s)"
                    % (lab_faults.CHAIN, ", ".join(ranges), ", ".join(peers), names,
                       ", ".join(h["container"] for h in fault["peers"]))]
        return ["tc htb on lo: cap what %s sends from port %d to %s" % (", ".join(ranges), _PORT, fault["rate"])]

    def inject(self, fault):
        self.check(fault)
        kind = fault["kind"]
        if kind in ("stop", "kill", "pause"):
            # Only containers that were running: restore must not start what was down before.
            running = [h["container"] for h in fault["hosts"] if self._state(h["container"]) == "running"]
            if running:
                self._podman(*(["stop", "-t", "0"] if kind == "stop" else [kind]), *running)
            return {"kind": kind, "containers": running}
        if kind == "partition":
            rules = lab_faults.partition(self._side(fault["hosts"]), self._side(fault["peers"]))
            return {"kind": kind, "rules": rules}
        caps = sorted({(_region_cidr(h["address"]), _PORT, fault["rate"]) for h in fault["hosts"]})
        lab_faults.cap_bandwidth([list(c) for c in caps])
        return {"kind": kind, "caps": [list(c) for c in caps]}

    def restore(self, record):
        kind = record.get("kind")
        done = []
        if kind in ("stop", "kill", "pause"):
            for container in record.get("containers", []):
                state = self._state(container)
                if kind == "pause" and state == "paused":
                    self._podman("unpause", container)
                    done.append("unpaused %s" % container)
                elif state in ("exited", "stopped", "created", "configured"):
                    self._podman("start", container)
                    done.append("started %s" % container)
        elif kind == "partition":
            if lab_faults.active_rules():
                done.append("removed %d partition rule(s)" % len(lab_faults.active_rules()))
            lab_faults.heal()
        elif kind == "bandwidth":
            if lab_faults.shaped():
                done.append("removed the bandwidth cap on lo")
            lab_faults.uncap()
        else:
            raise FaultError("lab backend cannot restore a record of kind %r" % kind)
        return done

    def restore_unrecorded(self, fault):
        """The drill died between starting a fault and journaling its record: undo the kind broadly."""
        containers = [h["container"] for h in fault.get("hosts", [])]
        return self.restore({"kind": fault.get("kind"), "containers": containers})
