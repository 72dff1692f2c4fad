#!/bin/sh
# Format/inspect KRaft storage directories (random-uuid, format, info).
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.StorageTool "$@"
