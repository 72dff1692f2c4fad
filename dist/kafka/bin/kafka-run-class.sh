#!/bin/sh
# Meridian Kafka launcher: runs one Java main class with the distribution's libs/.
#
# Usage: kafka-run-class.sh [-daemon] [-name NAME] CLASS [ARGS...]
#   -daemon     run in the background (nohup), stdout/stderr to $LOG_DIR/NAME.out
#   -name NAME  process name used for the .out file (default: kafka)
#
# Environment (all optional):
#   JAVA_HOME                   use $JAVA_HOME/bin/java instead of java from PATH
#   KAFKA_HEAP_OPTS             default: -Xmx256M -Xms256M
#   KAFKA_JVM_PERFORMANCE_OPTS  default: G1 settings (see below)
#   KAFKA_LOG4J_OPTS            default: -Dlog4j2.configurationFile=$base/config/tools-log4j2.yaml
#   KAFKA_OPTS                  extra JVM options (e.g. -javaagent:..., JAAS)
#   KAFKA_JMX_OPTS, JMX_PORT    JMX options; remote JMX is only enabled when JMX_PORT is set
#   LOG_DIR                     log directory (-Dkafka.logs.dir), default: $base/logs
#   CLASSPATH                   prepended to $base/libs/*
set -e

base=$(cd "$(dirname "$0")/.." && pwd)

daemon=no
name=kafka
while [ $# -gt 0 ]; do
  case "$1" in
    -daemon) daemon=yes; shift ;;
    -name)
      [ $# -ge 2 ] || { echo "kafka-run-class.sh: -name needs a value" >&2; exit 2; }
      name=$2; shift 2 ;;
    *) break ;;
  esac
done

if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] [-name NAME] CLASS [ARGS...]" >&2
  exit 2
fi

if [ -n "${JAVA_HOME:-}" ]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA=java
fi

LOG_DIR=${LOG_DIR:-$base/logs}
# Tools must also work from a read-only install, so a failing mkdir is not fatal.
mkdir -p "$LOG_DIR" 2>/dev/null || true

cp="$base/libs/*"
if [ -n "${CLASSPATH:-}" ]; then
  cp="$CLASSPATH:$cp"
fi

KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx256M -Xms256M}
KAFKA_JVM_PERFORMANCE_OPTS=${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}
KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base/config/tools-log4j2.yaml}

if [ -n "${JMX_PORT:-}" ]; then
  KAFKA_JMX_OPTS="${KAFKA_JMX_OPTS:--Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false} -Dcom.sun.management.jmxremote.port=$JMX_PORT -Dcom.sun.management.jmxremote.rmi.port=${JMX_RMI_PORT:-$JMX_PORT}"
fi

# The *_OPTS variables hold several options each: they are split on purpose
# (word splitting only, no pathname expansion).
set -f
# shellcheck disable=SC2086
set -- $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS ${KAFKA_JMX_OPTS:-} \
  "-Dkafka.logs.dir=$LOG_DIR" $KAFKA_LOG4J_OPTS ${KAFKA_OPTS:-} \
  -cp "$cp" "$@"
set +f

if [ "$daemon" = yes ]; then
  nohup "$JAVA" "$@" >"$LOG_DIR/$name.out" 2>&1 </dev/null &
  echo $! >"$LOG_DIR/$name.pid"
  exit 0
fi
exec "$JAVA" "$@"
