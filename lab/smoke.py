#!/usr/bin/env python3
"""Smoke-test every lab cluster and print what runs where and how to reach it."""

import sys
import time
import uuid

import labkit


def smoke(cluster) -> int:
    topic = "meridian-smoke"
    labkit.create_topic(cluster.bootstrap(), topic)
    producer = labkit.AckedProducer(cluster.bootstrap(), topic, client_id="meridian-smoke")
    run = uuid.uuid4().hex[:8]
    start = time.monotonic()
    for seq in range(100):
        producer.send(seq, value=f"{run}-{seq}".encode())
    producer.close()
    mine = [r for r in labkit.consume_all(cluster.bootstrap(), topic, idle_timeout_s=5) if r[3].startswith(run.encode())]
    ok = len(producer.acked) == 100 and len(mine) == 100 and not producer.failed
    print(f"  smoke: produced 100 (acks=all), acknowledged {len(producer.acked)}, read back {len(mine)} "
          f"in {time.monotonic() - start:.1f}s: {'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


def main() -> int:
    clusters = labkit.read_inventory()
    if not clusters:
        print("no lab clusters found: run `make lab-up site` first", file=sys.stderr)
        return 1
    failures = 0
    for cluster in clusters.values():
        print(f"\ncluster {cluster.name} ({cluster.topology}, regions: {', '.join(cluster.regions)})")
        for h in cluster.hosts:
            print(f"  {h.name:28} {h.address:12} node {h.node_id!s:>3}  {'+'.join(h.roles):18} "
                  f"{h.region}/{h.zone}  (podman exec -it {h.container} bash)")
        print(f"  bootstrap servers: {cluster.bootstrap()}")
        failures += smoke(cluster)
    print(f"\nClients connect with SASL_SSL, SCRAM-SHA-512 and the lab CA bundle {labkit.LAB_CA.relative_to(labkit.ROOT)}")
    print(f"({labkit.SINGLE_CA.relative_to(labkit.ROOT)} for the single-region cluster); the lab's users and")
    print("passwords (admin, probe, app-orders, ...) are in the lab vault:")
    print(f"  .venv/bin/ansible-vault view --vault-password-file {labkit.LAB_VAULT_PASSWORD.relative_to(labkit.ROOT)} "
          f"{labkit.LAB_VAULT.relative_to(labkit.ROOT)}")
    print("or, from Python: import sys; sys.path.insert(0, 'lab'); import labkit; labkit.client_auth('admin')")
    print("Remove the lab with: make lab-down")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
