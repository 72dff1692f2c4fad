# -*- coding: utf-8 -*-
"""What a drill measured, computed from the probe's events and an independent read-back.

Pure functions (no Kafka, no files) so every number in a report can be unit-tested:

* ``events``: the probe's JSON lines (see roles/drill/files/meridian_probe.py);
* ``marks``: {name: epoch seconds} the drill recorded (``fault``, ``switch``, ``heal``, ...);
* ``found``: {cluster: [seq, ...]} every sequence number the verifier read back, from the beginning,
  from the clusters that must hold the data after the drill (duplicates included).

Definitions (docs/drills.md explains them):
  RPO records        acknowledged sequence numbers found on none of the ``found`` clusters
  RPO seconds        the span of time the lost records were written in: from the oldest one's send
                     to the newest one's acknowledgement (0 when nothing is lost)
  duplicates         records stored more than once (sum over seqs of copies - 1)
  RTO produce        fault -> producing works again: the acknowledgement of the first record sent after
                     the last send that failed or took longer than SLOW_ACK_S (a partial outage, some
                     partitions without a leader, counts until every partition takes writes again)
  RTO consume        fault -> first record consumed, after the fault, on a surviving cluster
  re-read / skipped  offset translation error of the moved group: records it consumed again after
                     its switch / records on its clusters it never consumed
"""

from __future__ import annotations

import json
from collections import Counter


def read_events(path):
    """The probe's events file as a list (missing file: none); a line cut short by a kill is skipped."""
    events = []
    try:
        with open(path) as handle:
            for line in handle:
                try:
                    events.append(json.loads(line))
                except ValueError:
                    continue
    except FileNotFoundError:
        pass
    return events


def split_events(events):
    """{kind: [event, ...]} in file order."""
    kinds = {}
    for event in events:
        kinds.setdefault(event.get("e"), []).append(event)
    return kinds


def acked_seqs(events, before=None):
    return {e["seq"] for e in events if e.get("e") == "ack" and (before is None or e["t"] <= before)}


def acked_between(events, start, end, exclude=()):
    """Records acknowledged in (start, end] by clusters not in ``exclude``."""
    return len({e["seq"] for e in events if e.get("e") == "ack" and start < e["t"] <= end and e["c"] not in exclude})


def rpo(events, found):
    """(lost seqs sorted, rpo_seconds)."""
    stored = set()
    for seqs in found.values():
        stored.update(seqs)
    acks = {e["seq"]: e for e in events if e.get("e") == "ack"}
    lost = sorted(set(acks) - stored)
    if not lost:
        return lost, 0.0
    return lost, round(max(acks[seq]["t"] for seq in lost) - min(acks[seq]["ts"] for seq in lost), 3)


def duplicates(found):
    """Extra copies of records on the clusters read back."""
    extra = 0
    for seqs in found.values():
        extra += sum(n - 1 for n in Counter(seqs).values() if n > 1)
    return extra


SLOW_ACK_S = 2.0


def rto_produce(events, fault, survivors, slow=SLOW_ACK_S, until=None):
    """Seconds from the fault until producing works again (None: it never did).

    ``until``: sends after it are not looked at (the failed region is back; what happens then is
    recovery, not the outage).
    """
    if fault is None:
        return None
    sends = sorted((e for e in events if e.get("e") in ("ack", "err") and e.get("ts", 0) >= fault
                    and (until is None or e["ts"] < until)), key=lambda e: e["ts"])
    bad = [e["ts"] for e in sends if e["e"] == "err" or e["t"] - e["ts"] > slow or e["c"] not in survivors]
    recovered_from = max(bad) if bad else fault
    good = [e["t"] for e in sends if e["e"] == "ack" and e["ts"] > recovered_from and e["c"] in survivors] if bad else \
        [e["t"] for e in sends if e["e"] == "ack"]
    return round(min(good) - fault, 3) if good else None


def rto_consume(events, fault, survivors):
    """Seconds from the fault to the first record consumed on a surviving cluster after it."""
    if fault is None:
        return None
    times = [e["t"] for e in events if e.get("e") == "consume" and e["t"] >= fault and e["c"] in survivors]
    return round(min(times) - fault, 3) if times else None


def produce_errors(events, since=None):
    return sum(1 for e in events if e.get("e") == "err" and (since is None or e["t"] >= since))


def translation_error(events, switch, survivors, found):
    """(re_read, skipped) of the consumer group moved at ``switch``.

    re_read: records consumed before the switch and consumed again after it (the translated offset
    was behind the group's real position). skipped: records stored on the clusters the group moved
    to, never consumed by it (the translated offset was ahead). Only records acknowledged by the
    producer count.
    """
    acks = acked_seqs(events)
    before = {e["seq"] for e in events if e.get("e") == "consume" and (switch is None or e["t"] < switch)}
    after = [e["seq"] for e in events if e.get("e") == "consume" and switch is not None and e["t"] >= switch
             and e["c"] in survivors]
    re_read = len(before & set(after)) if switch is not None else 0
    consumed = before | set(after)
    reachable = set()
    for cluster in survivors:
        reachable.update(found.get(cluster, []))
    skipped = len((reachable & acks) - consumed)
    return re_read, skipped


def consumed_twice(events):
    """Records the probe's group consumed more than once in the whole drill."""
    counts = Counter(e["seq"] for e in events if e.get("e") == "consume")
    return sum(n - 1 for n in counts.values() if n > 1)


def rate_series(events, start, end, kind, bucket=1.0):
    """Events of ``kind`` per ``bucket`` seconds from start to end: ([seconds from start], [rate])."""
    if end <= start:
        return [], []
    buckets = int((end - start) // bucket) + 1
    counts = [0] * buckets
    for event in events:
        if event.get("e") == kind and start <= event["t"] <= end:
            counts[int((event["t"] - start) // bucket)] += 1
    return [round(i * bucket, 3) for i in range(buckets)], [c / bucket for c in counts]


def _after(when, fault):
    return when if when is not None and fault is not None and when > fault else None


def measure(events, marks, found, survivors, fault_mark="fault", switch_mark="switch"):
    """Every number of a drill report."""
    fault, switch = marks.get(fault_mark), marks.get(switch_mark)
    lost, rpo_seconds = rpo(events, found)
    re_read, skipped = translation_error(events, switch, survivors, found)
    kinds = split_events(events)
    return {
        "acknowledged": len(acked_seqs(events)),
        "acknowledged_before_fault": len(acked_seqs(events, before=fault)) if fault else None,
        "rpo_records": len(lost),
        "rpo_seconds": rpo_seconds,
        "lost_sample": lost[:20],
        "duplicates": duplicates(found),
        "consumed_twice": consumed_twice(events),
        "rto_produce_seconds": rto_produce(events, fault, survivors, until=_after(marks.get("region_back"), fault)),
        "rto_consume_seconds": rto_consume(events, fault, survivors),
        "produce_errors": produce_errors(events),
        "produce_errors_after_fault": produce_errors(events, since=fault) if fault else 0,
        "translation_re_read": re_read,
        "translation_skipped": skipped,
        "consumed": len(kinds.get("consume", [])),
        "stored": {cluster: len(seqs) for cluster, seqs in found.items()},
    }


def gate_results(measured, gates):
    """[{gate, limit, value, passed}] for every gate that has a limit (None: not gated).

    A measurement that is missing (no record acknowledged after the fault, say) fails its gate.
    """
    checks = [
        ("drill_rpo_max_records", "rpo_records"),
        ("drill_rto_max_seconds", "rto_produce_seconds"),
        ("drill_rto_consume_max_seconds", "rto_consume_seconds"),
        ("drill_duplicates_max", "duplicates"),
    ]
    results = []
    for gate, key in checks:
        limit = gates.get(gate)
        if limit is None or limit == "":
            continue
        limit = float(limit)  # extra vars (-e name=0) arrive as strings
        limit = int(limit) if limit.is_integer() else limit
        value = measured.get(key)
        results.append({"gate": gate, "metric": key, "limit": limit, "value": value,
                        "passed": value is not None and value <= limit})
    return results
