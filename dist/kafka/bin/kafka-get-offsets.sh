#!/bin/sh
# Show partition offsets (earliest/latest/by time).
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.GetOffsetShell "$@"
