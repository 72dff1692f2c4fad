"""Shared pieces of the benchmarks: Kafka's Java perf tool, run from the controller."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lab"))

import labkit  # noqa: E402

OUT = ROOT / "build" / "bench"


def kafka_tools() -> Path:
    """The lab's Kafka distribution, unpacked on the controller for the Java perf tool."""
    tgz = next((ROOT / "build" / "kafka").glob("kafka_2.13-*.tgz"))
    home = OUT / tgz.name.removesuffix(".tgz")
    if not (home / "bin").exists():
        OUT.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tgz) as archive:
            archive.extractall(OUT, filter="data")
    return home


def sasl_client_config(path: Path) -> Path:
    """A private client.properties for the lab admin over SCRAM and TLS (holds a secret: 0600)."""
    secrets = labkit.lab_secrets()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(
        "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="admin" password="{secrets["vault_kafka_sasl_admin_password"]}";\n'
        f"ssl.truststore.type=PEM\nssl.truststore.location={labkit.lab_trust()}\n")
    return path


def perf_test(home: Path, bootstrap: str, topic: str, records: int, config: Path | None,
              record_size: int = 512, throughput: int = -1) -> float:
    """kafka-producer-perf-test with acks=all; returns records/s."""
    cmd = [str(home / "bin" / "kafka-producer-perf-test.sh"), "--topic", topic, "--num-records", str(records),
           "--record-size", str(record_size), "--throughput", str(throughput),
           "--producer-props", f"bootstrap.servers={bootstrap}", "acks=all", "linger.ms=5", "batch.size=65536"]
    if config:
        cmd += ["--producer.config", str(config)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=900,
                         env={**labkit.lab_env(), "KAFKA_HEAP_OPTS": "-Xmx256m"}).stdout
    summary = [line for line in out.splitlines() if "records sent" in line][-1]
    return float(re.search(r"([\d.]+) records/sec", summary).group(1))
