"""drill_metrics: every number of a drill report, from hand-made probe events."""

import pytest

from drill_metrics import (
    duplicates, gate_results, measure, rate_series, rpo, rto_consume, rto_produce, translation_error,
)

FAULT = 100.0


def ack(seq, ts, t=None, c="east"):
    return {"e": "ack", "seq": seq, "ts": ts, "t": ts + 0.05 if t is None else t, "c": c, "p": 0, "o": seq}


def err(seq, ts, t, c="east"):
    return {"e": "err", "seq": seq, "ts": ts, "t": t, "c": c, "err": "KafkaTimeoutError"}


def consume(seq, t, c="east"):
    return {"e": "consume", "seq": seq, "t": t, "c": c, "topic": "probe", "p": 0, "o": seq}


@pytest.mark.parametrize("stored, lost, seconds", [
    ({"west": [0, 1, 2, 3]}, [], 0.0),
    ({"west": [0, 1]}, [2, 3], 1.05),            # from seq 2's send (98) to seq 3's ack (99.05)
    ({"west": [0, 3], "east": [1]}, [2], 0.05),  # any listed cluster counts
    ({}, [0, 1, 2, 3], 3.05),
])
def test_rpo(stored, lost, seconds):
    events = [ack(0, 96), ack(1, 97), ack(2, 98), ack(3, 99)]
    assert rpo(events, stored) == (lost, seconds)


def test_rpo_ignores_records_never_acknowledged():
    events = [ack(0, 96), err(1, 97, 107)]
    assert rpo(events, {"west": [0]}) == ([], 0.0)


@pytest.mark.parametrize("found, expected", [
    ({"west": [1, 2, 3]}, 0),
    ({"west": [1, 1, 2, 3, 3, 3]}, 3),
    ({"west": [1, 1], "east": [1, 1]}, 2),  # counted per cluster: a remote copy is not a duplicate
])
def test_duplicates(found, expected):
    assert duplicates(found) == expected


@pytest.mark.parametrize("events, expected", [
    # clean: the first record after the fault is acknowledged at once
    ([ack(1, 100.5), ack(2, 101)], 0.55),
    # sends fail until 105; the first record sent after the last failure is acknowledged at 106.1
    ([err(1, 100.5, 110.5), err(2, 105, 115), ack(3, 106, 106.1)], 6.1),
    # a slow acknowledgement (partition without a leader) counts as unavailable too
    ([ack(1, 100.5, 109), ack(2, 109.5, 109.6)], 9.6),
    # only acknowledgements on a surviving cluster count
    ([ack(1, 100.5, c="east"), ack(2, 103, c="west")], 3.05),
    # never recovered
    ([err(1, 100.5, 110.5)], None),
    ([], None),
])
def test_rto_produce(events, expected):
    assert rto_produce(events, FAULT, ["west"] if any(e.get("c") == "west" for e in events) else ["east"]) == expected


def test_rto_produce_stops_looking_when_the_region_is_back():
    events = [ack(1, 100.5), ack(2, 130, 133)]  # a slow ack during recovery is not outage
    assert rto_produce(events, FAULT, ["east"], until=120) == 0.55
    assert rto_produce(events, FAULT, ["east"]) is None


def test_rto_consume_is_the_first_record_on_a_survivor_after_the_fault():
    events = [consume(1, 99, "east"), consume(2, 104, "east"), consume(3, 107.5, "west")]
    assert rto_consume(events, FAULT, ["west"]) == 7.5
    assert rto_consume(events, FAULT, ["east"]) == 4.0
    assert rto_consume(events, None, ["west"]) is None


@pytest.mark.parametrize("consumed, expected", [
    # exact translation: resumes right after 3
    ([consume(1, 95), consume(2, 96), consume(3, 97), consume(4, 111, "west"), consume(5, 112, "west")], (0, 0)),
    # conservative translation: 2 and 3 read again
    ([consume(1, 95), consume(2, 96), consume(3, 97), consume(2, 111, "west"), consume(3, 111, "west"),
      consume(4, 111, "west"), consume(5, 112, "west")], (2, 0)),
    # translated too far: 4 never read although it is on west
    ([consume(1, 95), consume(2, 96), consume(3, 97), consume(5, 112, "west")], (0, 1)),
])
def test_translation_error(consumed, expected):
    events = [ack(s, 90 + s) for s in range(1, 6)] + consumed
    assert translation_error(events, 110, ["west"], {"west": [1, 2, 3, 4, 5]}) == expected


def test_rate_series_buckets_per_second():
    events = [ack(1, 100.1), ack(2, 100.2), ack(3, 102.5)]
    assert rate_series(events, 100, 103, "ack") == ([0.0, 1.0, 2.0, 3.0], [2.0, 0.0, 1.0, 0.0])
    assert rate_series(events, 103, 100, "ack") == ([], [])


@pytest.mark.parametrize("gates, expected", [
    ({}, []),
    ({"drill_rpo_max_records": 0}, [("drill_rpo_max_records", True)]),
    ({"drill_rpo_max_records": 0, "drill_rto_max_seconds": 1}, [("drill_rpo_max_records", True),
                                                               ("drill_rto_max_seconds", False)]),
    ({"drill_duplicates_max": None}, []),
])
def test_gate_results(gates, expected):
    measured = {"rpo_records": 0, "rto_produce_seconds": 6.1, "rto_consume_seconds": None, "duplicates": 2}
    assert [(g["gate"], g["passed"]) for g in gate_results(measured, gates)] == expected


def test_a_missing_measurement_fails_its_gate():
    (gate,) = gate_results({"rto_consume_seconds": None}, {"drill_rto_consume_max_seconds": 60})
    assert gate["passed"] is False and gate["value"] is None


def test_measure_puts_it_together():
    events = [ack(1, 95), ack(2, 99), consume(1, 96), err(3, 100.2, 110.2), ack(4, 104, 104.2, c="west"),
              consume(2, 106, "west"), consume(4, 106.5, "west")]
    marks = {"fault": FAULT, "switch": 105}
    m = measure(events, marks, {"west": [1, 4]}, ["west"])
    assert m["rpo_records"] == 1 and m["lost_sample"] == [2]
    assert m["acknowledged"] == 3 and m["acknowledged_before_fault"] == 2
    assert m["rto_produce_seconds"] == 4.2 and m["rto_consume_seconds"] == 6.0
    assert m["produce_errors_after_fault"] == 1
    assert (m["translation_re_read"], m["translation_skipped"]) == (0, 0)


def test_acked_between_counts_the_lost_side_only():
    from drill_metrics import acked_between
    events = [ack(1, 99), ack(2, 100.5), ack(3, 101), ack(4, 101.5, c="west")]
    assert acked_between(events, 100, 102, exclude=["west"]) == 2
    assert acked_between(events, 100, 102) == 3


def test_gate_limits_given_as_strings():
    (gate,) = gate_results({"rto_produce_seconds": 0.5}, {"drill_rto_max_seconds": "0"})
    assert gate["limit"] == 0 and gate["passed"] is False


def test_read_events_skips_a_cut_line_and_a_missing_file(tmp_path):
    from drill_metrics import read_events
    path = tmp_path / "events.jsonl"
    path.write_text('{"e": "ack", "seq": 1}\n{"e": "ack", "se')
    assert read_events(str(path)) == [{"e": "ack", "seq": 1}]
    assert read_events(str(tmp_path / "none.jsonl")) == []
