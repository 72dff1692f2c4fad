#!/bin/sh
# Start a Kafka broker and/or KRaft controller (kafka.Kafka) in the foreground.
# Usage: kafka-server-start.sh [-daemon] server.properties [--override property=value]*
# Uses config/log4j2.yaml (server.log etc. in $LOG_DIR) unless KAFKA_LOG4J_OPTS is set,
# and a 1G heap unless KAFKA_HEAP_OPTS is set.
if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] server.properties [--override property=value]*" >&2
  exit 1
fi
bindir=$(dirname "$0")
base=$(cd "$bindir/.." && pwd)

KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base/config/log4j2.yaml}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}
export KAFKA_LOG4J_OPTS KAFKA_HEAP_OPTS

if [ "$1" = "-daemon" ]; then
  shift
  exec "$bindir/kafka-run-class.sh" -daemon -name kafkaServer kafka.Kafka "$@"
fi
exec "$bindir/kafka-run-class.sh" -name kafkaServer kafka.Kafka "$@"
