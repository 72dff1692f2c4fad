#!/bin/sh
# Run a dedicated MirrorMaker 2 cluster (org.apache.kafka.connect.mirror.MirrorMaker).
# Usage: connect-mirror-maker.sh [-daemon] mm2.properties [--clusters NAME ...]
# Uses config/connect-log4j2.yaml (connect.log in $LOG_DIR) unless KAFKA_LOG4J_OPTS is set,
# and a 256M-2G heap unless KAFKA_HEAP_OPTS is set.
if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] mm2.properties [--clusters NAME ...]" >&2
  exit 1
fi
bindir=$(dirname "$0")
base=$(cd "$bindir/.." && pwd)

KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base/config/connect-log4j2.yaml}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256M -Xmx2G}
export KAFKA_LOG4J_OPTS KAFKA_HEAP_OPTS

if [ "$1" = "-daemon" ]; then
  shift
  exec "$bindir/kafka-run-class.sh" -daemon -name mirrorMaker org.apache.kafka.connect.mirror.MirrorMaker "$@"
fi
exec "$bindir/kafka-run-class.sh" -name mirrorMaker org.apache.kafka.connect.mirror.MirrorMaker "$@"
