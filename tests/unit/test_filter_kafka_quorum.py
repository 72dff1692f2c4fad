"""Unit tests for plugins/filter/kafka_quorum.py."""


import pytest
from ansible.errors import AnsibleFilterError

# conftest.py puts plugins/filter on sys.path.
import kafka_quorum as kq  # noqa: E402


def kafka_table(headers, rows):
    """Render a table the way Kafka's ToolsUtils.prettyPrintTable does: every cell
    left-justified to its column width and followed by a tab."""
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]
    return "".join("".join(str(c).ljust(w) + "\t" for c, w in zip(row, widths)) + "\n"
                   for row in [headers] + rows)


HEADERS_4X = ["NodeId", "DirectoryId", "LogEndOffset", "Lag", "LastFetchTimestamp",
              "LastCaughtUpTimestamp", "Status"]
ROWS_4X = [
    [2, "pbvuBlaTTwKRxS5NLJwRFQ", 3127, 0, 1732550000100, 1732550000100, "Leader"],
    [1, "AAAAAAAAAAAAAAAAAAAAAA", 3127, 0, 1732549999950, 1732549999950, "Follower"],
    [3, "gHnM2DTnQEqC1f3uG4ZJvw", 3120, 7, 1732549999900, 1732549998000, "Follower"],
    [4, "AAAAAAAAAAAAAAAAAAAAAA", 3127, 0, 1732549999990, 1732549999990, "Observer"],
    [5, "AAAAAAAAAAAAAAAAAAAAAA", -1, 3128, -1, -1, "Observer"],
]
KAFKA_4X = kafka_table(HEADERS_4X, ROWS_4X)
PARSED_4X = [
    {"node_id": 2, "log_end_offset": 3127, "lag": 0, "last_fetch_timestamp": 1732550000100,
     "last_caught_up_timestamp": 1732550000100, "status": "Leader"},
    {"node_id": 1, "log_end_offset": 3127, "lag": 0, "last_fetch_timestamp": 1732549999950,
     "last_caught_up_timestamp": 1732549999950, "status": "Follower"},
    {"node_id": 3, "log_end_offset": 3120, "lag": 7, "last_fetch_timestamp": 1732549999900,
     "last_caught_up_timestamp": 1732549998000, "status": "Follower"},
    {"node_id": 4, "log_end_offset": 3127, "lag": 0, "last_fetch_timestamp": 1732549999990,
     "last_caught_up_timestamp": 1732549999990, "status": "Observer"},
    {"node_id": 5, "log_end_offset": -1, "lag": 3128, "last_fetch_timestamp": -1,
     "last_caught_up_timestamp": -1, "status": "Observer"},
]

# Kafka 3.x: no DirectoryId column; aligned with spaces as pasted into docs.
KAFKA_3X = """\
NodeId  LogEndOffset  Lag  LastFetchTimestamp  LastCaughtUpTimestamp  Status
1       1234          0    1732550000000       1732550000000          Leader
2       1234          0    1732549999800       1732549999800          Follower
3       1230          4    1732549999700       1732549999000          Follower
"""

NOISY = """\
OpenJDK 64-Bit Server VM warning: Options -Xverify:none and -noverify were deprecated
[2024-11-25 16:13:20,017] WARN [AdminClient clientId=adminclient-1] Connection to node -1 \
(/127.1.0.1:9092) could not be established. Node may not be available. \
(org.apache.kafka.clients.NetworkClient)
SLF4J: Class path contains multiple SLF4J bindings.

""" + KAFKA_4X + "\n\n"

ALL_CAUGHT_UP = kafka_table(HEADERS_4X, [
    [1, "AAAAAAAAAAAAAAAAAAAAAA", 500, 0, 1732550000000, 1732550000000, "Leader"],
    [2, "AAAAAAAAAAAAAAAAAAAAAA", 500, 0, 1732550000000, 1732550000000, "Follower"],
    [3, "AAAAAAAAAAAAAAAAAAAAAA", 500, 0, 1732550000000, 1732550000000, "Follower"],
    [7, "AAAAAAAAAAAAAAAAAAAAAA", 12, 488, 1732550000000, -1, "Observer"],
])


# --------------------------------------------------------------------------
# kafka_quorum_replication
# --------------------------------------------------------------------------

def test_replication_kafka_4x_tab_separated():
    assert "\t" in KAFKA_4X
    assert kq.kafka_quorum_replication(KAFKA_4X) == PARSED_4X


def test_replication_with_log_noise_before_header():
    assert kq.kafka_quorum_replication(NOISY) == PARSED_4X


def test_replication_kafka_3x_without_directory_id():
    rows = kq.kafka_quorum_replication(KAFKA_3X)
    assert [(r["node_id"], r["lag"], r["status"]) for r in rows] == \
        [(1, 0, "Leader"), (2, 0, "Follower"), (3, 4, "Follower")]
    assert rows[2] == {"node_id": 3, "log_end_offset": 1230, "lag": 4,
                       "last_fetch_timestamp": 1732549999700,
                       "last_caught_up_timestamp": 1732549999000, "status": "Follower"}


def test_replication_columns_found_by_name_not_position():
    shuffled = ["Status", "Lag", "NodeId", "LastCaughtUpTimestamp", "LogEndOffset",
                "LastFetchTimestamp", "DirectoryId", "NewColumn"]
    text = kafka_table(shuffled, [["Leader", 0, 9, 22, 11, 33, "AAAAAAAAAAAAAAAAAAAAAA", "x"]])
    assert kq.kafka_quorum_replication(text) == [
        {"node_id": 9, "log_end_offset": 11, "lag": 0, "last_fetch_timestamp": 33,
         "last_caught_up_timestamp": 22, "status": "Leader"}]


@pytest.mark.parametrize("text", [
    KAFKA_3X.replace("\n", "\r\n"),
    "\n\n  " + KAFKA_3X.replace("\n", "\n\n  "),
])
def test_replication_tolerates_crlf_blank_lines_and_indent(text):
    assert len(kq.kafka_quorum_replication(text)) == 3


def test_replication_header_only():
    assert kq.kafka_quorum_replication(kafka_table(HEADERS_4X, [])) == []


def test_replication_ignores_noise_after_table():
    text = KAFKA_3X + "[2024-11-25 16:13:21,000] INFO App info kafka.admin.client for adminclient-1 unregistered\n"
    assert len(kq.kafka_quorum_replication(text)) == 3


@pytest.mark.parametrize("text", [
    "",
    "\n\n",
    "Error while executing: org.apache.kafka.common.errors.TimeoutException: "
    "Timed out waiting for a node assignment. Call: describeMetadataQuorum\n",
    "NodeId is not a header on its own\n",
    "ClusterId:              MkU3OEVBNTcwNTJENDM2Qg\nLeaderId:               1\n",
])
def test_replication_without_header_raises(text):
    with pytest.raises(AnsibleFilterError, match="no 'NodeId ... Status' header found"):
        kq.kafka_quorum_replication(text)


def test_replication_human_readable_is_rejected():
    text = kafka_table(HEADERS_4X, [[1, "AAAAAAAAAAAAAAAAAAAAAA", 10, 0, "12 ms ago", "12 ms ago", "Leader"]])
    with pytest.raises(AnsibleFilterError, match="LastFetchTimestamp '12 ms ago' .* is not an integer"):
        kq.kafka_quorum_replication(text)


def test_replication_short_row_is_rejected():
    with pytest.raises(AnsibleFilterError, match="has 3 columns, the header has 6"):
        kq.kafka_quorum_replication(KAFKA_3X + "4  1234  0\n")


@pytest.mark.parametrize("value", [None, 42, ["NodeId"], b"NodeId"])
def test_replication_rejects_non_string(value):
    with pytest.raises(AnsibleFilterError, match="expected the command's stdout as a string"):
        kq.kafka_quorum_replication(value)


# --------------------------------------------------------------------------
# kafka_quorum_caught_up
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text, kwargs, expected", [
    (ALL_CAUGHT_UP, {}, True),                                  # observer lag does not count
    (ALL_CAUGHT_UP, {"voters": [1, 2, 3]}, True),
    (ALL_CAUGHT_UP, {"voters": ["1", "2", "3"]}, True),
    (ALL_CAUGHT_UP, {"voters": [3, 1]}, True),                  # subset is enough
    (ALL_CAUGHT_UP, {"voters": [1, 2, 3, 4]}, False),           # 4 missing
    (ALL_CAUGHT_UP, {"voters": [1, 2, 7]}, False),              # 7 is only an observer
    (ALL_CAUGHT_UP, {"voters": []}, True),
    (KAFKA_4X, {}, False),                                      # follower 3 lags 7
    (KAFKA_4X, {"max_lag": 6}, False),
    (KAFKA_4X, {"max_lag": 7}, True),
    (KAFKA_4X, {"max_lag": 7, "voters": [1, 2, 3]}, True),
    (KAFKA_4X, {"max_lag": 7, "voters": [1, 2, 3, 4]}, False),  # 4 is an observer
    (NOISY, {"max_lag": 100}, True),
    (KAFKA_3X, {}, False),
    (KAFKA_3X, {"max_lag": 4, "voters": [1, 2, 3]}, True),
    (kafka_table(HEADERS_4X, []), {}, False),                   # no leader, no quorum
    (kafka_table(HEADERS_4X, [[4, "AAAAAAAAAAAAAAAAAAAAAA", 0, 0, -1, -1, "Observer"]]), {}, False),
    (kafka_table(HEADERS_4X, [[1, "AAAAAAAAAAAAAAAAAAAAAA", 9, 0, 1, 1, "Leader"]]), {"voters": [1]}, True),
])
def test_caught_up(text, kwargs, expected):
    assert kq.kafka_quorum_caught_up(text, **kwargs) is expected


@pytest.mark.parametrize("kwargs, match", [
    ({"max_lag": "0"}, "max_lag must be an integer"),
    ({"max_lag": None}, "max_lag must be an integer"),
    ({"max_lag": True}, "max_lag must be an integer"),
    ({"voters": "1,2,3"}, "voters must be a list of node ids, got str"),
    ({"voters": 3}, "voters must be a list of node ids, got int"),
    ({"voters": [1, "two"]}, "voter id 'two' is not an integer"),
    ({"voters": [1, None]}, "voter id None is not an integer"),
])
def test_caught_up_rejects_wrong_types(kwargs, match):
    with pytest.raises(AnsibleFilterError, match=match):
        kq.kafka_quorum_caught_up(ALL_CAUGHT_UP, **kwargs)


def test_caught_up_without_header_raises():
    with pytest.raises(AnsibleFilterError, match="no 'NodeId ... Status' header found"):
        kq.kafka_quorum_caught_up("Connection refused\n")


# --------------------------------------------------------------------------
# kafka_quorum_status
# --------------------------------------------------------------------------

STATUS_4X = """\
ClusterId:              MkU3OEVBNTcwNTJENDM2Qg
LeaderId:               2
LeaderEpoch:            15
HighWatermark:          3127
MaxFollowerLag:         7
MaxFollowerLagTimeMs:   2100
CurrentVoters:          [{"id": 1, "directoryId": "AAAAAAAAAAAAAAAAAAAAAA", "endpoints": ["CONTROLLER://127.1.0.1:9093"]}, \
{"id": 2, "directoryId": "pbvuBlaTTwKRxS5NLJwRFQ", "endpoints": ["CONTROLLER://127.1.0.2:9093"]}, \
{"id": 3, "directoryId": null, "endpoints": ["CONTROLLER://127.1.0.3:9093"]}]
CurrentObservers:       [{"id": 4, "directoryId": "gHnM2DTnQEqC1f3uG4ZJvw"}, {"id": 5}]
"""

STATUS_3X = """\
ClusterId:              5m2yUhJZRXyXQY4eDpCqtw
LeaderId:               1
LeaderEpoch:            3
HighWatermark:          1234
MaxFollowerLag:         0
MaxFollowerLagTimeMs:   -1
CurrentVoters:          [1,2,3]
CurrentObservers:       [4,5,6]
"""


def test_status_kafka_4x():
    assert kq.kafka_quorum_status(STATUS_4X) == {
        "cluster_id": "MkU3OEVBNTcwNTJENDM2Qg",
        "leader_id": 2,
        "leader_epoch": 15,
        "high_watermark": 3127,
        "max_follower_lag": 7,
        "max_follower_lag_time_ms": 2100,
        "current_voters": [1, 2, 3],
        "current_observers": [4, 5],
    }


def test_status_kafka_3x():
    assert kq.kafka_quorum_status(STATUS_3X) == {
        "cluster_id": "5m2yUhJZRXyXQY4eDpCqtw",
        "leader_id": 1,
        "leader_epoch": 3,
        "high_watermark": 1234,
        "max_follower_lag": 0,
        "max_follower_lag_time_ms": -1,
        "current_voters": [1, 2, 3],
        "current_observers": [4, 5, 6],
    }


def test_status_with_log_noise():
    text = ("SLF4J: Class path contains multiple SLF4J bindings.\n"
            "[2024-11-25 16:13:20,017] WARN Connection to node -1 could not be established.\n\n"
            + STATUS_4X.replace("\n", "\r\n"))
    assert kq.kafka_quorum_status(text) == kq.kafka_quorum_status(STATUS_4X)


@pytest.mark.parametrize("line, key, expected", [
    ("CurrentVoters:          []", "current_voters", []),
    ("CurrentObservers:       []", "current_observers", []),
    ("CurrentVoters:          [ 1, 2 ]", "current_voters", [1, 2]),
    ('CurrentVoters:          [{"id": 1, "directoryId": AAAA}]', "current_voters", [1]),  # not JSON
    ("ClusterId:              1234", "cluster_id", "1234"),  # opaque even if numeric
    ("LeaderEpoch:            abc", "leader_epoch", "abc"),
    ("SomeFutureKey:          42", "some_future_key", 42),
])
def test_status_values(line, key, expected):
    assert kq.kafka_quorum_status("LeaderId: 1\n" + line + "\n")[key] == expected


@pytest.mark.parametrize("text", ["", "Connection refused\n", KAFKA_4X])
def test_status_without_leader_raises(text):
    with pytest.raises(AnsibleFilterError, match="no 'LeaderId:' line found"):
        kq.kafka_quorum_status(text)


@pytest.mark.parametrize("value", [None, {"LeaderId": 1}, 1])
def test_status_rejects_non_string(value):
    with pytest.raises(AnsibleFilterError, match="expected the command's stdout as a string"):
        kq.kafka_quorum_status(value)


def test_filter_module_exports():
    assert set(kq.FilterModule().filters()) == {
        "kafka_quorum_replication", "kafka_quorum_caught_up", "kafka_quorum_status"}
