# -*- coding: utf-8 -*-
"""One interface for the faults a drill injects, with a backend per place hosts run.

A fault is a plain dict (JSON-serialisable), built by the drill playbooks from the inventory:

    {"kind": "stop",              # what to do, one of the backend's KINDS
     "cluster": "east",           # meridian_cluster of the victims
     "region": "us-east",         # meridian_region of the victims
     "hosts": [{"name": ..., "address": ..., "region": ..., "platform": ..., "connection": {...}}],
     "peers": [{...same shape...}],   # the hosts on the other side (partition kinds)
     "rate": "8mbit"}             # bandwidth kinds only

``inject(fault)`` applies it and returns a *record*: a JSON-serialisable dict that says exactly
what was changed (instance ids that were running and are now stopped, rule ids created, ...).
The drill writes the record to its journal before going on, so ``restore(record)`` can undo the
fault from a new process after the drill was killed halfway. ``restore`` is idempotent: it
undoes what is still in place and ignores what is already back.

Backends: ``lab`` (lab_fault_backend.py: podman and loopback iptables/tc on the lab host),
``aws``/``gcp``/``azure`` (cloud_faults.py: instances stopped or a region isolated through the
cloud SDKs). Faults on plain hosts over SSH (stop the Kafka services, iptables on the hosts) are
Ansible tasks (roles/drill/tasks/fault_ssh_*.yml), not Python, because they run on the hosts.
"""

from __future__ import annotations


class FaultError(Exception):
    """A fault could not be planned, injected or restored; the message says what and why."""


class FaultBackend:
    """Base class: a backend names the fault kinds it supports and implements three calls."""

    name = ""
    KINDS: tuple = ()

    def check(self, fault: dict) -> None:
        """Refuse a fault this backend cannot apply, before anything changes."""
        if fault.get("kind") not in self.KINDS:
            raise FaultError("backend %s cannot inject %r; it knows: %s"
                             % (self.name, fault.get("kind"), ", ".join(self.KINDS)))
        if not fault.get("hosts"):
            raise FaultError("fault %s names no host" % fault.get("kind"))

    def plan(self, fault: dict) -> list:
        """Human-readable steps ``inject`` would take (check mode prints them)."""
        raise NotImplementedError

    def inject(self, fault: dict) -> dict:
        """Apply the fault; return the record of what changed (see the module docstring)."""
        raise NotImplementedError

    def restore(self, record: dict) -> list:
        """Undo what ``record`` says was changed; idempotent. Returns what it did, as text."""
        raise NotImplementedError

    def restore_unrecorded(self, fault: dict) -> list:
        """Undo a fault whose record never reached the journal (the drill died while injecting).

        Backends that cannot do this safely (cloud: which instances were running before?) refuse.
        """
        raise FaultError("fault %s on %s has no record of what it changed: check %s by hand"
                         % (fault.get("kind"), fault.get("region"), self.name))


def backend_for(name: str, **options) -> FaultBackend:
    """The backend called ``name``; cloud SDKs are imported only when their backend is used."""
    if name == "lab":
        try:
            from ansible.module_utils.lab_fault_backend import LabFaults
        except ImportError:
            from lab_fault_backend import LabFaults
        return LabFaults(**options)
    if name in ("aws", "gcp", "azure"):
        try:
            from ansible.module_utils import cloud_faults
        except ImportError:
            import cloud_faults
        return cloud_faults.backend(name, **options)
    raise FaultError("no fault backend %r (lab, aws, gcp, azure; ssh faults are task files)" % name)
