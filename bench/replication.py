#!/usr/bin/env python3
"""MirrorMaker 2 on the lab: replication throughput against direct produce, steady-state lag,
and the catch-up after a 2-minute partition. One run, side by side, so the ratios hold on a
noisy machine.

1. Throughput (DR pair east -> west): Kafka's Java perf tool produces N records of 512 random
   bytes to a fresh topic on east as fast as acks=all allows; meanwhile the bench polls east and
   west until every record is on each. From the first record's CreateTime: produce rate =
   N / (time until the last record is on east); replication rate = N / (time until the last
   record is on west). Repeated --rounds times.
2. Steady-state lag: the perf tool produces at half the measured produce rate for --steady-s
   seconds; twice a second the bench reads the newest record of every partition on west and
   takes its age (now minus its CreateTime on east, which MM2 keeps): the time lag.
3. Catch-up (edge-1 -> core): a fixed load runs at the edge while the edge region is cut off
   from the core for --outage-s seconds (iptables, see plugins/module_utils/lab_faults.py);
   after healing, the time until the core holds every record, and the backlog drained per second.

    make bench-replication   # needs the converged linked lab (make lab-up site LAB_TOPOLOGIES="linked-pair edge-to-core")

Results: build/bench/replication.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import uuid

from benchkit import OUT, ROOT, kafka_tools, labkit, perf_test, sasl_client_config

sys.path.insert(0, str(ROOT / "plugins" / "module_utils"))
import lab_faults  # noqa: E402


def end_total(bootstrap: str, topic: str) -> int:
    with TopicReader(bootstrap, topic) as reader:
        return reader.total()


class TopicReader:
    """One consumer kept open for a topic's offsets and timestamps: a TLS + SCRAM handshake per
    poll would cost more CPU than the MirrorMaker workers being measured get on two shared cores."""

    def __init__(self, bootstrap: str, topic: str):
        from kafka import KafkaConsumer
        self.topic = topic
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), enable_auto_commit=False,
                                      **labkit.client_auth())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.consumer.close()

    def partitions(self) -> list:
        from kafka import TopicPartition
        return [TopicPartition(self.topic, p) for p in sorted(self.consumer.partitions_for_topic(self.topic) or ())]

    def total(self) -> int:
        tps = self.partitions()
        return sum(self.consumer.end_offsets(tps).values()) if tps else 0

    def timestamps_from(self, offsets: dict, timeout_s: float) -> dict:
        """{partition: CreateTimes (ms) of the first batch read from its offset}; a partition
        with nothing there within timeout_s is left out."""
        self.consumer.assign(list(offsets))
        for tp, offset in offsets.items():
            self.consumer.seek(tp, offset)
        found = {}
        deadline = time.monotonic() + timeout_s
        while len(found) < len(offsets) and time.monotonic() < deadline:
            for tp, records in self.consumer.poll(timeout_ms=200, max_records=50).items():
                found.setdefault(tp, [r.timestamp for r in records])
                self.consumer.pause(tp)
        self.consumer.resume(*offsets)
        return found

    def first_create_time(self) -> float:
        """Earliest CreateTime (epoch seconds) among the first record of every partition."""
        tps = self.partitions()
        found = self.timestamps_from(self.consumer.beginning_offsets(tps), 60)
        return min(batch[0] for batch in found.values()) / 1000

    def newest_age(self) -> float | None:
        """Seconds since the newest record on the topic was created on the source (MM2 keeps
        CreateTime): the time lag an operator reads off the target, worst partition first."""
        ends = self.consumer.end_offsets(self.partitions())
        wanted = {tp: end - 1 for tp, end in ends.items() if end > 0}
        if not wanted:
            return None
        found = self.timestamps_from(wanted, 5)
        if len(found) < len(wanted):
            return None
        return time.time() - min(max(batch) for batch in found.values()) / 1000


def wait_total(bootstrap: str, topic: str, count: int, timeout_s: float) -> float:
    """Wall-clock time (epoch seconds) at which topic holds at least count records."""
    deadline = time.monotonic() + timeout_s
    with TopicReader(bootstrap, topic) as reader:
        while time.monotonic() < deadline:
            try:
                if reader.total() >= count:
                    return time.time()
            except Exception:  # noqa: BLE001 - the topic may not exist yet
                pass
            time.sleep(0.2)
    raise SystemExit(f"{topic}: fewer than {count} records after {timeout_s}s")


def fresh_topic(east, west, prefix: str) -> str:
    topic = f"{prefix}-{uuid.uuid4().hex[:8]}"
    labkit.create_topic(east.bootstrap(), topic, partitions=3)
    # MM2 creates the remote topic on its next refresh: wait, so that is not timed.
    labkit.wait_until(lambda: f"east.{topic}" in labkit.list_topics(west.bootstrap()), 120,
                      what="remote topic on west")
    return topic


def throughput_round(home, config, east, west, records: int) -> dict:
    """Both rates over the same window start, the first record's CreateTime on east, and each
    window ends when the last record is on its cluster, seen by the same kind of poller. (The
    perf tool's own rate would also count its JVM start and its first connection.)"""
    topic = fresh_topic(east, west, "bench-mm2")
    done = {}
    watchers = [threading.Thread(target=lambda name, bootstrap, watched: done.setdefault(
                    name, wait_total(bootstrap, watched, records, 900)),
                    args=args, daemon=True)
                for args in (("east", east.bootstrap(), topic), ("west", west.bootstrap(), f"east.{topic}"))]
    for watcher in watchers:
        watcher.start()
    perf_test(home, east.bootstrap(), topic, records, config)
    for watcher in watchers:
        watcher.join()
    with TopicReader(east.bootstrap(), topic) as reader:
        first_send = reader.first_create_time()
    return {"produce_records_per_s": records / (done["east"] - first_send),
            "replication_records_per_s": records / (done["west"] - first_send)}


def steady_lag(home, config, east, west, rate: int, seconds: int) -> dict:
    """Samples the age of west's newest replicated record twice a second while the perf tool
    produces at rate on east. A sampler reads a record per partition per sample, so it takes
    no CPU from the brokers and workers being measured (reading every record did: on two
    shared cores the bench's own consumer fell behind and its delay counted as lag)."""
    topic = fresh_topic(east, west, "bench-lag")
    remote = f"east.{topic}"
    producer = threading.Thread(target=perf_test, args=(home, east.bootstrap(), topic, rate * seconds, config),
                                kwargs={"throughput": rate}, daemon=True)
    samples = []
    with TopicReader(west.bootstrap(), remote) as reader:
        producer.start()
        while producer.is_alive():
            age = reader.newest_age()  # None until the first records are there
            if age is not None:
                samples.append(age)
            time.sleep(0.5)
        replicated = reader.total()
    warm = sorted(samples[len(samples) // 6:])  # leave out the first sixth: connections and JIT warming up
    return {"rate_records_per_s": rate, "records": replicated, "samples": len(warm),
            "lag_s_p50": round(statistics.median(warm), 3), "lag_s_p99": round(warm[int(len(warm) * 0.99) - 1], 3),
            "lag_s_max": round(warm[-1], 3)}


def catch_up(edge, core, outage_s: int, rate: int) -> dict:
    topic = f"bench-edge-{uuid.uuid4().hex[:8]}"
    labkit.create_topic(edge.bootstrap(), topic, partitions=3)
    labkit.wait_until(lambda: f"edge-1.{topic}" in labkit.list_topics(core.bootstrap()), 120,
                      what="remote topic on core")
    producer = labkit.AckedProducer(edge.bootstrap(), topic)
    load = labkit.BackgroundLoad(producer, rate_per_s=rate)
    load.start()
    time.sleep(10)
    try:
        lab_faults.partition(labkit.region_side(edge), labkit.region_side(core))
        cut = end_total(core.bootstrap(), f"edge-1.{topic}")
        time.sleep(outage_s)
        backlog = end_total(edge.bootstrap(), topic) - cut
    finally:
        lab_faults.heal()
    healed = time.time()
    load.stop()
    producer.close()
    produced = end_total(edge.bootstrap(), topic)
    arrived = wait_total(core.bootstrap(), f"edge-1.{topic}", produced, 900)
    return {"outage_s": outage_s, "load_records_per_s": rate, "backlog_records": backlog,
            "catch_up_s": round(arrived - healed, 1), "drain_records_per_s": round(backlog / max(arrived - healed, 0.001))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--steady-s", type=int, default=60)
    parser.add_argument("--outage-s", type=int, default=120)
    parser.add_argument("--edge-rate", type=int, default=200)
    parser.add_argument("--worker-var", action="append", default=[], metavar="NAME=VALUE",
                        help="a mirror_maker role variable for this run (repeatable), to measure a tuning, "
                             "e.g. mirror_maker_producer_compression_type=lz4")
    args = parser.parse_args()
    extra_vars = [arg for var in args.worker_var for arg in ("-e", var)]
    OUT.mkdir(parents=True, exist_ok=True)
    clusters = labkit.read_inventory()
    east, west, edge, core = (clusters[n] for n in ("east", "west", "edge-1", "core"))
    for scenario in ("dr-pair", "edge-to-core"):
        run = labkit.run_playbook("playbooks/replication.yml", *extra_vars, inventory=ROOT / "inventories" / scenario,
                                  log=OUT / f"replication-{scenario}.log")
        if run.returncode != 0:
            raise SystemExit(f"replication.yml failed, see {OUT}/replication-{scenario}.log")
    home = kafka_tools()
    config = sasl_client_config(OUT / "bench-sasl.properties")
    try:
        perf_test(home, east.bootstrap(), fresh_topic(east, west, "bench-warm"), 20_000, config)  # warm-up
        rounds = [throughput_round(home, config, east, west, args.records) for _ in range(args.rounds)]
        produce = statistics.median(r["produce_records_per_s"] for r in rounds)
        replicate = statistics.median(r["replication_records_per_s"] for r in rounds)
        lag = steady_lag(home, config, east, west, int(produce / 2), args.steady_s)
        edge_result = catch_up(edge, core, args.outage_s, args.edge_rate)
    finally:
        config.unlink(missing_ok=True)
        lab_faults.restore()
    report = {"when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "worker_vars": args.worker_var,
              "records": args.records, "record_size": 512,
              "rounds": rounds, "median_produce_records_per_s": round(produce),
              "median_replication_records_per_s": round(replicate),
              "ratio_replication_to_produce": round(replicate / produce, 3), "steady_state": lag, "catch_up": edge_result}
    (OUT / "replication.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    print(f"\nreplication / direct produce = {report['ratio_replication_to_produce']:.0%}; "
          f"steady-state lag at {lag['rate_records_per_s']} records/s: p50 {lag['lag_s_p50']} s, "
          f"p99 {lag['lag_s_p99']} s; catch-up after {args.outage_s} s: {edge_result['catch_up_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
