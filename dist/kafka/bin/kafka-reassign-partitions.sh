#!/bin/sh
# Generate, execute and verify partition reassignments.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.reassign.ReassignPartitionsCommand "$@"
