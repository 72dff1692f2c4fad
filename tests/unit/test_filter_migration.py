import pytest
from ansible.errors import AnsibleFilterError

from migration import checkpoint_lag


@pytest.mark.parametrize("translated, source, expected", [
    # up to date
    ({"orders": {"0": {"upstream_offset": 40}}}, {"orders": {"0": {"committed": 40}}}, []),
    # a checkpoint ahead of an older commit view is fine
    ({"orders": {"0": {"upstream_offset": 41}}}, {"orders": {"0": {"committed": 40}}}, []),
    # stale checkpoint
    ({"orders": {"0": {"upstream_offset": 30}}}, {"orders": {"0": {"committed": 40}}},
     ["orders[0]: checkpoint at 30, committed 40"]),
    # missing checkpoint for one partition, partitions in numeric order
    ({"orders": {"0": {"upstream_offset": 5}}}, {"orders": {"10": {"committed": 1}, "2": {"committed": 3},
                                                           "0": {"committed": 5}}},
     ["orders[2]: checkpoint at none, committed 3", "orders[10]: checkpoint at none, committed 1"]),
    # nothing committed: nothing to wait for
    ({}, {"orders": {"0": {"committed": None}, "1": {"committed": -1}}}, []),
])
def test_checkpoint_lag(translated, source, expected):
    assert checkpoint_lag(translated, source) == expected


def test_checkpoint_lag_follows_renamed_topics():
    translated = {"east.orders": {"0": {"upstream_offset": 7}}}
    assert checkpoint_lag(translated, {"orders": {"0": {"committed": 7}}}, {"orders": "east.orders"}) == []
    assert checkpoint_lag(translated, {"orders": {"0": {"committed": 7}}}) == ["orders[0]: checkpoint at none, committed 7"]


@pytest.mark.parametrize("bad", [None, [], "x"])
def test_checkpoint_lag_rejects_wrong_types(bad):
    with pytest.raises(AnsibleFilterError):
        checkpoint_lag(bad, {})
