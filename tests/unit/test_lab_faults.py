"""lab_faults: the rules and tc commands it would run, and its refusal to leave loopback."""

import pytest

import lab_faults


@pytest.mark.parametrize("cidr, expected", [
    ("127.13.0.0/16", "127.13.0.0/16"),
    ("127.13.4.5/16", "127.13.0.0/16"),
    ("127.0.0.1/32", "127.0.0.1/32"),
])
def test_loopback_cidr_normalises(cidr, expected):
    assert lab_faults.loopback_cidr(cidr) == expected


@pytest.mark.parametrize("cidr", ["10.88.0.0/16", "0.0.0.0/0", "126.0.0.0/8", "127.0.0.0/7"])
def test_loopback_cidr_refuses_anything_else(cidr):
    with pytest.raises(lab_faults.FaultError, match="127.0.0.0/8"):
        lab_faults.loopback_cidr(cidr)


def test_partition_rules_cut_both_directions():
    a = [("libpod_parent/libpod-a1", "127.13.0.0/16")]
    b = [("libpod_parent/libpod-b1", "127.15.0.0/16"), ("libpod_parent/libpod-b2", "127.15.0.0/16")]
    rules = lab_faults.partition_rules(a, b)
    pairs = {(r[r.index("--path") + 1], r[r.index("-d") + 1]) for r in rules}
    assert pairs == {("libpod_parent/libpod-a1", "127.15.0.0/16"),
                     ("libpod_parent/libpod-b1", "127.13.0.0/16"),
                     ("libpod_parent/libpod-b2", "127.13.0.0/16")}
    assert all(r[-2:] == ["-j", "DROP"] for r in rules)


def test_partition_rules_refuse_a_non_loopback_range():
    with pytest.raises(lab_faults.FaultError):
        lab_faults.partition_rules([("cg", "127.13.0.0/16")], [("cg2", "192.0.2.0/24")])


def test_cap_commands_shape_only_the_given_source():
    cmds = lab_faults.cap_commands([("127.13.0.0/16", 9092, "8mbit")])
    assert cmds[0][:6] == ["tc", "qdisc", "add", "dev", "lo", "root"]
    assert "default" in cmds[0]
    capped = [c for c in cmds if "8mbit" in c]
    assert capped and capped[0][capped[0].index("classid") + 1] == "1:20"
    (flt,) = [c for c in cmds if c[1] == "filter"]
    assert flt[flt.index("src") + 1] == "127.13.0.0/16" and flt[flt.index("sport") + 1] == "9092"


@pytest.mark.parametrize("rate", ["8", "fast", "8 mbit", "8mbps"])
def test_cap_commands_refuse_bad_rates(rate):
    with pytest.raises(lab_faults.FaultError, match="rate"):
        lab_faults.cap_commands([("127.13.0.0/16", 9092, rate)])
