# -*- coding: utf-8 -*-
"""Filters that read the text printed by kafka-metadata-quorum.sh.

The tool has no JSON output, so the roles parse its tables. Columns are found
by header name because Kafka has added columns over time (DirectoryId came
with KIP-853), and lines before the header are skipped because the JVM and
log4j sometimes print warnings to stdout first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from ansible.errors import AnsibleFilterError

# header name -> key in the parsed row; every one of them holds an integer
_INT_COLUMNS = {
    "NodeId": "node_id",
    "LogEndOffset": "log_end_offset",
    "Lag": "lag",
    "LastFetchTimestamp": "last_fetch_timestamp",
    "LastCaughtUpTimestamp": "last_caught_up_timestamp",
}
_REQUIRED = tuple(_INT_COLUMNS) + ("Status",)
_INT = re.compile(r"^-?\d+$")
# "Key:  value" with a CamelCase key; keeps "SLF4J: ..." and log lines out.
_STATUS_LINE = re.compile(r"^\s*((?:[A-Z][a-z0-9]+)+):\s*(.*?)\s*$")
_VOTER_ID = re.compile(r'"id"\s*:\s*(-?\d+)')


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check_text(text, filter_name):
    if not isinstance(text, str):
        raise AnsibleFilterError("%s: expected the command's stdout as a string, got %s"
                                 % (filter_name, type(text).__name__))


def _cells(line):
    # Kafka pads every cell and ends it with a tab; splitting on tabs keeps a cell
    # that contains spaces whole. Space-aligned copies (docs, tests) split on spaces.
    if "\t" in line:
        cells = [c.strip() for c in line.split("\t")]
        while cells and cells[-1] == "":
            cells.pop()
        return cells
    return line.split()


def kafka_quorum_replication(text):
    """Rows of 'describe --replication' as dicts with int fields and the Status string."""
    _check_text(text, "kafka_quorum_replication")
    lines = text.splitlines()
    for start, line in enumerate(lines):
        names = line.split()
        if all(name in names for name in _REQUIRED):
            break
    else:
        raise AnsibleFilterError("kafka_quorum_replication: no 'NodeId ... Status' header found "
                                 "in the output of kafka-metadata-quorum.sh describe --replication")
    column = {name: index for index, name in enumerate(names)}
    rows = []
    for line in lines[start + 1:]:
        cells = _cells(line)
        # Only lines with a node id in the NodeId column are rows; anything else is noise.
        if len(cells) <= column["NodeId"] or not _INT.match(cells[column["NodeId"]]):
            continue
        if len(cells) != len(names):
            raise AnsibleFilterError("kafka_quorum_replication: row %r has %d columns, the header "
                                     "has %d (was --human-readable used?)"
                                     % (line.strip(), len(cells), len(names)))
        row = {}
        for name, key in _INT_COLUMNS.items():
            value = cells[column[name]]
            if not _INT.match(value):
                raise AnsibleFilterError("kafka_quorum_replication: %s %r in row %r is not an "
                                         "integer" % (name, value, line.strip()))
            row[key] = int(value)
        row["status"] = cells[column["Status"]]
        rows.append(row)
    return rows


def kafka_quorum_caught_up(text, max_lag=0, voters=None):
    """True when the quorum has a leader, every voter (Leader/Follower) lags by at most
    max_lag records and, if voters is given, each of those node ids is a voter."""
    if not _is_int(max_lag):
        raise AnsibleFilterError("kafka_quorum_caught_up: max_lag must be an integer, got %r"
                                 % (max_lag,))
    expected = None
    if voters is not None:
        if not isinstance(voters, Sequence) or isinstance(voters, (str, bytes)):
            raise AnsibleFilterError("kafka_quorum_caught_up: voters must be a list of node ids, "
                                     "got %s" % type(voters).__name__)
        expected = set()
        for voter in voters:
            # Ids often arrive as strings after passing through templates.
            if isinstance(voter, str) and _INT.match(voter.strip()):
                voter = int(voter)
            if not _is_int(voter):
                raise AnsibleFilterError("kafka_quorum_caught_up: voter id %r is not an integer"
                                         % (voter,))
            expected.add(voter)
    rows = [r for r in kafka_quorum_replication(text) if r["status"] in ("Leader", "Follower")]
    # No leader means no quorum, whatever the other rows say.
    if not any(r["status"] == "Leader" for r in rows):
        return False
    if any(r["lag"] > max_lag for r in rows):
        return False
    return expected is None or expected <= {r["node_id"] for r in rows}


def _snake(key):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _node_ids(value):
    """Node ids from CurrentVoters/CurrentObservers: 4.x prints a list of JSON objects,
    3.x a bare list of ints."""
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if isinstance(parsed, list):
        ids = []
        for item in parsed:
            if isinstance(item, dict) and _is_int(item.get("id")):
                ids.append(item["id"])
            elif _is_int(item):
                ids.append(item)
        return ids
    # Not valid JSON (e.g. a future format tweak): fall back to the "id" fields.
    return [int(i) for i in _VOTER_ID.findall(value)]


def kafka_quorum_status(text):
    """'describe --status' as a dict: snake_case keys, ints where numeric, and node id
    lists for current_voters / current_observers."""
    _check_text(text, "kafka_quorum_status")
    status = {}
    for line in text.splitlines():
        match = _STATUS_LINE.match(line)
        if not match:
            continue
        key, value = _snake(match.group(1)), match.group(2)
        if key in ("current_voters", "current_observers"):
            status[key] = _node_ids(value)
        elif key != "cluster_id" and _INT.match(value):
            # The cluster id is an opaque string even if it happens to look numeric.
            status[key] = int(value)
        else:
            status[key] = value
    if "leader_id" not in status:
        raise AnsibleFilterError("kafka_quorum_status: no 'LeaderId:' line found in the output "
                                 "of kafka-metadata-quorum.sh describe --status")
    return status


class FilterModule:
    def filters(self):
        return {
            "kafka_quorum_replication": kafka_quorum_replication,
            "kafka_quorum_caught_up": kafka_quorum_caught_up,
            "kafka_quorum_status": kafka_quorum_status,
        }
