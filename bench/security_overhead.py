#!/usr/bin/env python3
"""Produce throughput with TLS + SCRAM against plaintext, side by side on the same cluster.

For the length of the run the lab's single-region cluster gets a second, plaintext listener
(port 9094, principal ANONYMOUS made a super user) next to its SASL_SSL one; Kafka's own
kafka-producer-perf-test then alternates between the two listeners, so both see the same
brokers, topic and machine load. The extra listener is removed again at the end.

    make bench-security     # needs the lab: make lab-up site LAB_TOPOLOGIES=single-region

Results: build/bench/security.json.
"""

import argparse
import json
import statistics
import sys
import time
import uuid

from benchkit import OUT, kafka_tools, labkit, perf_test, sasl_client_config
PLAIN_PORT = 9094
# Rendered per host by Ansible: the managed listeners plus a plaintext one (later keys win).
BENCH_VARS = {
    "kafka_extra_super_users": ["User:ANONYMOUS"],
    "kafka_properties": {
        "listeners": "BROKER://{{ kafka_listen_address }}:9092,CONTROLLER://{{ kafka_listen_address }}:9093,"
                     "BENCH://{{ kafka_listen_address }}:%d" % PLAIN_PORT,
        "advertised.listeners": "BROKER://{{ kafka_advertised_address }}:9092,BENCH://{{ kafka_advertised_address }}:%d" % PLAIN_PORT,
        "listener.security.protocol.map": "BROKER:SASL_SSL,CONTROLLER:SSL,BENCH:PLAINTEXT",
    },
}


def converge(extra: dict | None, log: str):
    args = ["-l", "cluster_single"] + (["-e", json.dumps(extra)] if extra else [])
    run = labkit.run_playbook("site.yml", *args, log=OUT / log)
    if run.returncode != 0:
        raise SystemExit(f"site.yml failed, see {OUT / log}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--records", type=int, default=200_000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    cluster = labkit.read_inventory()["single"]
    home = kafka_tools()
    sasl_config = sasl_client_config(OUT / "bench-sasl.properties")
    plain_bootstrap = ",".join(f"{h.address}:{PLAIN_PORT}" for h in cluster.brokers)

    converge(BENCH_VARS, "security-add-plaintext-listener.log")
    try:
        topic = f"bench-{uuid.uuid4().hex[:8]}"
        labkit.create_topic(cluster.bootstrap(), topic, partitions=6)
        perf_test(home, cluster.bootstrap(), topic, 20_000, sasl_config)  # warm-up: JIT, connections
        rates = {"sasl_ssl": [], "plaintext": []}
        for _ in range(args.rounds):
            rates["sasl_ssl"].append(perf_test(home, cluster.bootstrap(), topic, args.records, sasl_config))
            rates["plaintext"].append(perf_test(home, plain_bootstrap, topic, args.records, None))
    finally:
        converge(None, "security-remove-plaintext-listener.log")
        sasl_config.unlink(missing_ok=True)
    median = {k: statistics.median(v) for k, v in rates.items()}
    report = {"when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "records": args.records, "record_size": 512,
              "rounds": args.rounds, "records_per_s": rates, "median": median,
              "ratio_sasl_ssl_to_plaintext": round(median["sasl_ssl"] / median["plaintext"], 3)}
    (OUT / "security.json").write_text(json.dumps(report, indent=2))
    print("| listener | median records/s | rounds |")
    print("|---|---|---|")
    for k in ("plaintext", "sasl_ssl"):
        print(f"| {k} | {median[k]:.0f} | {', '.join(f'{r:.0f}' for r in rates[k])} |")
    print(f"\nTLS+SCRAM / plaintext = {report['ratio_sasl_ssl_to_plaintext']:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
