#!/usr/bin/env python3
"""Meridian drill probe: an indexed canary workload that follows the drill's client switch.

    meridian_probe.py CONFIG.json

CONFIG: {"topic": "probe.drill.abc", "group": "probe.drill.abc", "rate": 20,
         "consume_pattern": "^([a-z0-9-]+\\.)?probe\\.drill\\.abc$",
         "switch_file": ".../switch.json", "events_file": ".../events.jsonl",
         "clusters": {"east": {kafka-python client settings}, "west": {...}}}

The switch file says where each side works: {"produce": "east", "consume": "east"}; a value of
null pauses that side. The drill rewrites it (atomically) to move clients; the probe polls it.

Every event is one JSON line in the events file, with "t" the wall-clock time in seconds:
  ack      seq, c (cluster), p, o, ts (when it was sent): an acknowledged record (acks=all)
  err      seq, c, err, ts: a send that failed (never promised to anyone, so not counted in RPO)
  consume  seq, c, topic, p, o: a record the consumer group read
  switch   side (produce|consume), c: the side now works against cluster c (null: paused)
Records carry their sequence number in the value ({"seq": n, "ts": t}) and in a "seq" header.
SIGTERM stops the probe cleanly.
"""

import faulthandler
import json
import os
import re
import signal
import sys
import threading
import time

from kafka import KafkaConsumer, KafkaProducer

STOP = threading.Event()
POLL_S = 0.2


class Events:
    """Append-only JSONL log shared by the producer and consumer threads."""

    def __init__(self, path):
        self._file = open(path, "a", buffering=1)
        self._lock = threading.Lock()

    def write(self, kind, **fields):
        fields.update(e=kind, t=round(time.time(), 4))
        line = json.dumps(fields, separators=(",", ":"))
        with self._lock:
            self._file.write(line + "\n")

    def close(self):
        with self._lock:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()


def read_switch(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None  # mid-rewrite or missing: keep the current targets


class Side(threading.Thread):
    """One side of the probe (producer or consumer), rebuilt on the cluster the switch names."""

    side = ""

    def __init__(self, config, events):
        super().__init__(daemon=True, name=self.side)
        self.config, self.events = config, events
        self.cluster, self.client = None, None

    def run(self):
        while not STOP.is_set():
            wanted = (read_switch(self.config["switch_file"]) or {}).get(self.side, self.cluster)
            if wanted != self.cluster:
                self.close_client()
                self.cluster = wanted
                self.events.write("switch", side=self.side, c=wanted)
                if wanted is not None:
                    self.client = self.open_client(self.config["clusters"][wanted])
            if self.client is None:
                time.sleep(POLL_S)
                continue
            self.step()
        self.close_client()

    def close_client(self):
        """Drop the client in the background: the old cluster may be gone, and waiting for it
        would add its timeouts to the drill's RTO. Unacknowledged sends then fail (logged as err)."""
        client, self.client = self.client, None
        if client is not None:
            threading.Thread(target=self._close_quietly, args=(client,), daemon=True).start()

    def _close_quietly(self, client):
        try:
            if self.side == "produce":
                client.close(timeout=5)
            else:
                client.close(autocommit=False, timeout_ms=5000)
        except Exception:  # noqa: BLE001
            pass


class Producer(Side):
    side = "produce"

    def __init__(self, config, events):
        super().__init__(config, events)
        self.seq = 0
        self.interval = 1.0 / float(config.get("rate", 20))
        self.next_at = time.monotonic()

    def open_client(self, settings):
        # Short timeouts: a send that cannot be acknowledged soon fails and is logged, so the
        # drill sees when producing works again instead of a queue that hides the outage.
        # Not idempotent: kafka-python 3.0.12's idempotent producer stopped sending for good after
        # delivery timeouts during a lab region loss. Retries may then store a record twice; the
        # report counts duplicates.
        return KafkaProducer(acks="all", enable_idempotence=False, linger_ms=0, request_timeout_ms=5000,
                             delivery_timeout_ms=10000, max_block_ms=2000, retry_backoff_ms=200,
                             reconnect_backoff_max_ms=1000, metadata_max_age_ms=5000,
                             client_id="meridian-probe", **settings)

    def step(self):
        delay = self.next_at - time.monotonic()
        if delay > 0:
            time.sleep(min(delay, POLL_S))
            return
        self.next_at += self.interval
        if self.next_at < time.monotonic() - 1:
            self.next_at = time.monotonic()  # after a blocked send, keep the rate, do not burst
        seq, cluster, sent = self.seq, self.cluster, time.time()
        self.seq += 1
        value = json.dumps({"seq": seq, "ts": sent}).encode()
        try:
            future = self.client.send(self.config["topic"], key=str(seq % 64).encode(), value=value,
                                      headers=[("seq", str(seq).encode())])
        except Exception as exc:  # noqa: BLE001 - metadata timeouts while the cluster is away
            self.events.write("err", seq=seq, c=cluster, err=type(exc).__name__, ts=round(sent, 4))
            return
        future.add_callback(self._acked, seq, cluster, sent).add_errback(self._failed, seq, cluster, sent)

    def _acked(self, seq, cluster, sent, metadata):
        self.events.write("ack", seq=seq, c=cluster, p=metadata.partition, o=metadata.offset, ts=round(sent, 4))

    def _failed(self, seq, cluster, sent, exc):
        self.events.write("err", seq=seq, c=cluster, err=type(exc).__name__, ts=round(sent, 4))


class Consumer(Side):
    side = "consume"

    def open_client(self, settings):
        consumer = KafkaConsumer(group_id=self.config["group"], enable_auto_commit=False,
                                 auto_offset_reset="earliest", client_id="meridian-probe",
                                 request_timeout_ms=15000, session_timeout_ms=10000,
                                 heartbeat_interval_ms=2000, metadata_max_age_ms=3000,
                                 isolation_level="read_committed", **settings)
        consumer.subscribe(pattern=self.config["consume_pattern"])
        self.last_commit = time.monotonic()
        return consumer

    def step(self):
        try:
            batch = self.client.poll(timeout_ms=int(POLL_S * 1000))
        except Exception as exc:  # noqa: BLE001 - the cluster may be gone; the drill moves us
            self.events.write("consume_err", c=self.cluster, err=type(exc).__name__)
            time.sleep(POLL_S)
            return
        for tp, records in batch.items():
            for record in records:
                seq = json.loads(record.value)["seq"]
                self.events.write("consume", seq=seq, c=self.cluster, topic=tp.topic, p=tp.partition, o=record.offset)
        if batch or time.monotonic() - self.last_commit > 1:
            try:
                self.client.commit(timeout_ms=3000)
            except Exception:  # noqa: BLE001 - retried on the next poll
                pass
            self.last_commit = time.monotonic()


def main(argv):
    with open(argv[1]) as handle:
        config = json.load(handle)
    re.compile(config["consume_pattern"])
    events = Events(config["events_file"])
    faulthandler.register(signal.SIGUSR1)  # kill -USR1 <pid>: every thread's stack to the log
    signal.signal(signal.SIGTERM, lambda *_: STOP.set())
    signal.signal(signal.SIGINT, lambda *_: STOP.set())
    events.write("start", pid=os.getpid(), topic=config["topic"], group=config["group"], rate=config.get("rate", 20))
    sides = [Producer(config, events), Consumer(config, events)]
    for side in sides:
        side.start()
    while not STOP.is_set():
        STOP.wait(1)
    for side in sides:
        side.join(timeout=20)
    events.write("stop")
    events.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
