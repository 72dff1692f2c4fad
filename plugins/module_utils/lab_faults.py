# -*- coding: utf-8 -*-
"""Network faults between lab regions: partitions (iptables) and WAN bandwidth caps (tc).

Lab hosts are podman containers on the host's network, one 127.x.0.0/16 per region. A
connection to a loopback address leaves from 127.0.0.1 whatever the caller, so a rule on the
source range cannot tell regions apart. Instead:

* a partition drops what the processes of one region's containers send to the other region's
  range, matched by their cgroup (``iptables -m cgroup --path``) - both directions, so neither
  side can open or keep a connection to the other, while the test harness (outside every
  container) still reaches both sides;
* a bandwidth cap shapes, with an htb class on ``lo``, everything the brokers of a region send
  from their listener port: the region's uplink.

Every rule lives in one iptables chain (MERIDIAN-FAULTS, jumped to from OUTPUT) and one htb tree
on lo with handle 1:, so ``restore()`` removes exactly what was added and nothing else.
Pure Python with subprocess; needs root (the tests run as root).
"""

from __future__ import annotations

import ipaddress
import re
import subprocess

CHAIN = "MERIDIAN-FAULTS"
TC_HANDLE = "1:"
# Class 1:10 is the unshaped default; caps get 1:20, 1:21, ...
_DEFAULT_CLASS = "1:10"
_UNSHAPED_RATE = "100gbit"


class FaultError(Exception):
    """A fault could not be applied or removed; the message says which command failed."""


def _run(cmd, check=True):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise FaultError("%s failed (%d): %s" % (" ".join(cmd), proc.returncode, proc.stderr.strip()))
    return proc


def loopback_cidr(cidr: str) -> str:
    """The CIDR, normalised; refuses anything outside 127.0.0.0/8 (lab traffic stays on loopback)."""
    net = ipaddress.ip_network(cidr, strict=False)
    if not net.subnet_of(ipaddress.ip_network("127.0.0.0/8")):
        raise FaultError("%s is not inside 127.0.0.0/8: lab faults only touch loopback" % cidr)
    return str(net)


def container_cgroup(pid: int) -> str:
    """cgroup v2 path of a process, relative to the cgroup2 root (what -m cgroup --path takes)."""
    with open("/proc/%d/cgroup" % pid) as handle:
        for line in handle:
            if line.startswith("0::"):
                return line[3:].strip().lstrip("/")
    raise FaultError("process %d has no cgroup v2 path; the kernel needs the unified hierarchy" % pid)


def partition_rules(side_a: list, side_b: list) -> list:
    """iptables rule specs (for CHAIN) cutting side_a from side_b.

    Each side is a list of (cgroup_path, cidr): the containers of a region and its range.
    """
    rules = []
    for here, there in ((side_a, side_b), (side_b, side_a)):
        for cgroup, _ in here:
            for _, cidr in there:
                rules.append(["-m", "cgroup", "--path", cgroup, "-d", loopback_cidr(cidr),
                              "-m", "comment", "--comment", "meridian-partition", "-j", "DROP"])
    return rules


def _ensure_chain():
    if _run(["iptables", "-n", "-L", CHAIN], check=False).returncode != 0:
        _run(["iptables", "-N", CHAIN])
    if _run(["iptables", "-C", "OUTPUT", "-j", CHAIN], check=False).returncode != 0:
        _run(["iptables", "-I", "OUTPUT", "1", "-j", CHAIN])


def partition(side_a: list, side_b: list) -> int:
    """Cut the two sides apart; returns the number of rules added."""
    rules = partition_rules(side_a, side_b)
    _ensure_chain()
    for rule in rules:
        _run(["iptables", "-A", CHAIN, *rule])
    return len(rules)


def active_rules() -> list:
    proc = _run(["iptables", "-S", CHAIN], check=False)
    if proc.returncode != 0:
        return []
    return [line for line in proc.stdout.splitlines() if line.startswith("-A ")]


def heal() -> None:
    """Remove every partition rule and the chain itself."""
    if _run(["iptables", "-n", "-L", CHAIN], check=False).returncode != 0:
        return
    while _run(["iptables", "-D", "OUTPUT", "-j", CHAIN], check=False).returncode == 0:
        pass
    _run(["iptables", "-F", CHAIN])
    _run(["iptables", "-X", CHAIN])


def _rate(rate: str) -> str:
    if not re.match(r"^[0-9]+(\.[0-9]+)?(bit|kbit|mbit|gbit)$", rate):
        raise FaultError("rate %r must look like 8mbit (tc units: bit, kbit, mbit, gbit)" % rate)
    return rate


def cap_commands(caps: list) -> list:
    """tc commands that cap each (source cidr, source port, rate) on lo; the rest stays unshaped."""
    cmds = [
        ["tc", "qdisc", "add", "dev", "lo", "root", "handle", TC_HANDLE, "htb", "default", "10"],
        ["tc", "class", "add", "dev", "lo", "parent", TC_HANDLE, "classid", _DEFAULT_CLASS,
         "htb", "rate", _UNSHAPED_RATE],
    ]
    for index, (cidr, port, rate) in enumerate(caps):
        classid = "1:%d" % (20 + index)
        # Bursts of one loopback MTU (64 KiB) at least, or htb cannot send a single packet.
        cmds.append(["tc", "class", "add", "dev", "lo", "parent", TC_HANDLE, "classid", classid,
                     "htb", "rate", _rate(rate), "ceil", rate, "burst", "128k", "cburst", "128k"])
        cmds.append(["tc", "filter", "add", "dev", "lo", "parent", TC_HANDLE, "protocol", "ip", "prio", "1",
                     "u32", "match", "ip", "src", loopback_cidr(cidr),
                     "match", "ip", "sport", str(int(port)), "0xffff", "flowid", classid])
    return cmds


def cap_bandwidth(caps: list) -> None:
    """Shape what each source range sends from a port, e.g. [("127.13.0.0/16", 9092, "8mbit")]."""
    if shaped():
        raise FaultError("lo already has a root qdisc with handle %s: remove it first (restore)" % TC_HANDLE)
    try:
        for cmd in cap_commands(caps):
            _run(cmd)
    except FaultError:
        uncap()
        raise


def shaped() -> bool:
    out = _run(["tc", "qdisc", "show", "dev", "lo"], check=False).stdout
    return re.search(r"qdisc htb %s root" % re.escape(TC_HANDLE), out) is not None


def uncap() -> None:
    if shaped():
        _run(["tc", "qdisc", "del", "dev", "lo", "root"])


def restore() -> None:
    """Remove every lab network fault."""
    heal()
    uncap()
