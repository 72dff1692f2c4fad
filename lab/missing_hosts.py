#!/usr/bin/env python3
"""Print the lab containers Terraform believes exist but podman does not (removed behind its
back, for example by `podman rm` or a reboot), so `make lab-up` can re-create them."""

import json
import subprocess
import sys

try:
    contract = json.load(sys.stdin)
except ValueError:
    sys.exit(0)  # no state yet: nothing is missing
for host in contract.get("hosts", []):
    container = host["connection"]["ansible_host"]
    if subprocess.run(["podman", "container", "exists", container]).returncode != 0:
        print(container)
